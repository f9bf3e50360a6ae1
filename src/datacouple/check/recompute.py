"""`check --recompute`: a fingerprint for a revision whose fingerprint was never committed,
computed from the data DVC recorded at that revision (from the cache, else the DVC remote)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..config import Config, DatasetConfig
from ..identity import git_commit, read_dvc_entry
from ..identity.revision_data import download_at_revision
from ..profile.api import fingerprint
from ..profile.format import Fingerprint


def fingerprint_at_revision(config: Config, dataset: DatasetConfig, rev: str
                            ) -> Fingerprint | None:
    """None when DVC recorded no data for the dataset at `rev` (it did not exist yet)."""
    if read_dvc_entry(config.root, dataset.path, rev) is None:
        return None
    relpath = config.relative(dataset.path)
    with tempfile.TemporaryDirectory(prefix="datacouple-recompute-") as scratch:
        # Mirror the repo layout so the fingerprint's `path` is the repo-relative one.
        local = Path(scratch) / relpath
        local.parent.mkdir(parents=True, exist_ok=True)
        download_at_revision(config.root, relpath, rev, local)
        schema = _schema_at_revision(config, dataset, rev, Path(scratch))
        return fingerprint(local, schema, name=dataset.name, repo_root=scratch,
                           **config.fingerprint_settings)


def _schema_at_revision(config: Config, dataset: DatasetConfig, rev: str,
                        scratch: Path) -> str | None:
    """The declared schema as committed at `rev` (a YAML file), copied into the scratch repo at
    its own relative path; a `module:attr` schema is imported from the current code."""
    if dataset.schema is None or not dataset.schema.endswith((".yaml", ".yml")):
        return dataset.schema
    with git_commit(config.root, rev) as (repo, commit):
        prefix = os.path.relpath(config.root, repo.working_tree_dir).replace(os.sep, "/")
        git_path = dataset.schema if prefix == "." else f"{prefix}/{dataset.schema}"
        try:
            blob = commit.tree / git_path
        except KeyError:
            return None  # no schema at that revision: types come from the data
        copy = scratch / dataset.schema
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_bytes(blob.data_stream.read())
    return dataset.schema  # relative: resolved against the scratch repo root
