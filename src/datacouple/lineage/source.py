"""`DvcDatasetSource`: an MLflow dataset source that points at one DVC-tracked version of data.

Registered through the `mlflow.dataset_source` entry point (pyproject.toml), so MLflow's
registry finds it by its source type when it parses a logged dataset back:
`mlflow.data.get_source(run.inputs.dataset_inputs[0])` returns a `DvcDatasetSource`, and
`.load()` fetches the bytes through DVC (`dvc.api.DVCFileSystem`) at the recorded git revision,
from the local DVC cache or the repository's DVC remote.

Its JSON is the contract the lineage graph and page read:
`{"repo": <git remote URL or absolute repo path>, "rev": <commit sha|null>,
  "path": <repo-relative data path|null>, "hash": <DVC hash|null>}`.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from mlflow.data.dataset_source import DatasetSource

from ..errors import DatacoupleError

SOURCE_TYPE = "dvc"
_KEYS = ("repo", "rev", "path", "hash")


class DvcDatasetSource(DatasetSource):
    """One version of a dataset: a path in a git + DVC repository at a revision, and its hash."""

    def __init__(self, repo: str, rev: str | None, path: str | None, hash: str | None):
        self.repo = repo
        self.rev = rev
        self.path = path
        self.hash = hash

    @staticmethod
    def _get_source_type() -> str:
        return SOURCE_TYPE

    def to_dict(self) -> dict[str, Any]:
        return {"repo": self.repo, "rev": self.rev, "path": self.path, "hash": self.hash}

    @classmethod
    def from_dict(cls, source_dict: dict[Any, Any]) -> DvcDatasetSource:
        if not _is_source_dict(source_dict):
            raise DatacoupleError(
                f"not a dvc dataset source: expected keys {', '.join(_KEYS)}, got {source_dict!r}"
            )
        return cls(**{key: source_dict.get(key) for key in _KEYS})

    @staticmethod
    def _can_resolve(raw_source: Any) -> bool:
        # MLflow asks every registered source about every raw source (an S3 URI, a HuggingFace
        # dataset...): claim only what is unmistakably ours, and never raise.
        return _is_source_dict(raw_source)

    @classmethod
    def _resolve(cls, raw_source: Any) -> DvcDatasetSource:
        return cls.from_dict(raw_source)

    def load(self, dst_path: str | os.PathLike | None = None) -> str:
        """Fetch this version of the data through DVC; return the local file or directory.

        The bytes come from the repository at `rev` (git objects for the `.dvc` / `dvc.lock`
        pointer, then the DVC cache or remote), not from the work tree, so a later change of
        the data does not change what is loaded. `dst_path` is a directory to download into
        (default: a new temporary directory). The DVC hash recorded at `rev` must equal this
        source's hash: data logged from uncommitted changes cannot be loaded back.
        """
        if self.hash is None or self.path is None:
            raise DatacoupleError(
                "this dataset was logged from an in-memory table: there is no DVC version to load"
            )
        from dvc.api import DVCFileSystem

        destination = Path(dst_path) if dst_path is not None else Path(tempfile.mkdtemp(
            prefix="datacouple-dvc-"))
        destination.mkdir(parents=True, exist_ok=True)
        target = destination / Path(self.path).name
        at = f"at {self.rev or 'HEAD'} in {self.repo}"
        try:
            fs = DVCFileSystem(self.repo, rev=self.rev)
        except Exception as error:  # DVC raises many kinds (SCM, clone, not a DVC repo...)
            raise DatacoupleError(f"cannot open the DVC repository {at}: {error}") from error
        try:
            recorded = _recorded_hash(fs, self.path)
            if recorded != self.hash:
                raise DatacoupleError(
                    f"{self.path} {at} is DVC version {recorded or 'untracked'}, not the "
                    f"logged {self.hash}; was the data logged before its .dvc file was "
                    "committed?"
                )
            fs.get(self.path, os.fspath(target), recursive=self.hash.endswith(".dir"))
        except FileNotFoundError:
            raise DatacoupleError(f"{self.path} does not exist {at}") from None
        except DatacoupleError:
            raise
        except Exception as error:  # the repository opens lazily: clone, SCM, remote errors
            raise DatacoupleError(f"cannot load {self.path} {at} with DVC: {error}") from error
        finally:
            fs.close()
        return os.fspath(target)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DvcDatasetSource) and other.to_dict() == self.to_dict()

    def __hash__(self) -> int:
        return hash(tuple(self.to_dict().values()))

    def __repr__(self) -> str:
        return f"DvcDatasetSource({self.to_dict()!r})"


def _recorded_hash(fs, path: str) -> str | None:
    """The DVC hash recorded for `path` at the filesystem's revision (no data is read)."""
    # A directory's md5 carries DVC's ".dir" suffix here, as in the .dvc file.
    return (fs.info(path).get("dvc_info") or {}).get("md5")


def _is_source_dict(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and set(value) == set(_KEYS)
        and isinstance(value.get("repo"), str)
        and all(value.get(key) is None or isinstance(value.get(key), str) for key in _KEYS)
    )
