"""What one `log_dataset` call records, as a plain JSON-able record.

The record is built before MLflow is contacted and holds everything needed to apply it later
(the journal stores it as is): the run, the dataset's MLflow fields as MLflow stores them
(strings), the run tags, the artifact's content and the metric with its fixed timestamp. So
replaying needs neither the data nor the repository.

Building it is O(1) in the data when the committed fingerprint is current: the DVC hash comes
from `.dvc` / `dvc.lock` through DVC's state db, and the fingerprint is read, not recomputed.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..config import Config, load_config, resolve_dataset
from ..errors import DatacoupleError
from ..identity import dataset_identity
from ..profile.api import fingerprint
from ..profile.arrow.frames import is_table_like
from ..profile.format import canonical_json, parse_fingerprint
from .dataset import DvcDataset, colspec_schema, compact_profile, fingerprint_artifact_path
from .gitinfo import GitInfo, git_info
from .source import DvcDatasetSource

RECORD_FORMAT = "datacouple.lineage-record/1"
CONTEXT_TAG = "mlflow.data.context"


@dataclass(frozen=True)
class DatasetVersion:
    """One dataset version, ready to log: the MLflow dataset plus its full fingerprint."""

    dataset: DvcDataset
    fingerprint_text: str  # canonical JSON, byte-identical to the committed file when reused
    structural_hash: str
    rows: int
    fingerprint_reused: bool  # the committed fingerprint was current and was used as is
    git: GitInfo | None
    root: Path  # the repository root of datacouple.toml (where the journal lives)


@dataclass
class LineageRecord:
    run_id: str
    tracking_uri: str
    dataset: dict[str, str | None]  # name, digest, source_type, source, schema, profile
    context: str
    tags: dict[str, str]
    artifacts: dict[str, str]  # run artifact path -> text content
    metric: dict[str, Any]  # key, value, timestamp (ms), step
    model_id: str | None = None  # the active model when logged; else the run's logged models
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    created: int = field(default_factory=lambda: int(time.time() * 1000))
    format: str = RECORD_FORMAT

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> LineageRecord:
        if not isinstance(data, dict) or data.get("format") != RECORD_FORMAT:
            raise DatacoupleError(f"not a datacouple lineage record (format is not "
                                  f"{RECORD_FORMAT})")
        known = {name for name in cls.__dataclass_fields__}
        return cls(**{key: value for key, value in data.items() if key in known})


def dataset_version(data: Any, name: str | None = None, config: Config | None = None
                    ) -> DatasetVersion:
    """The dataset version `data` names: a configured NAME, a file/directory, or a table."""
    if is_table_like(data):
        return _table_version(data, name, config or load_config())
    if not isinstance(data, str | os.PathLike):
        raise DatacoupleError(
            f"cannot log a {type(data).__name__}: give a dataset NAME, a data path, or a "
            "pandas/polars DataFrame or Arrow table"
        )
    spec = os.fspath(data)
    if config is None:
        config = load_config()
        if spec not in config.datasets and Path(spec).exists():
            config = load_config(Path(spec).resolve().parent)  # the data's own repository
    return _path_version(spec, name, config)


def build_record(version: DatasetVersion, *, run_id: str, tracking_uri: str, context: str,
                 model_id: str | None = None) -> LineageRecord:
    dataset = version.dataset
    entity = dataset.to_dict()
    key = metric_name(dataset.name)
    tags = {
        f"datacouple.dataset.{_key_part(dataset.name)}.digest": dataset.digest,
        f"datacouple.dataset.{_key_part(dataset.name)}.structural_hash": version.structural_hash,
    }
    if version.git is not None and version.git.commit is not None:
        tags["datacouple.git.commit"] = version.git.commit
        tags["datacouple.git.dirty"] = "true" if version.git.dirty else "false"
    return LineageRecord(
        run_id=run_id,
        tracking_uri=tracking_uri,
        dataset={field_: entity.get(field_) for field_ in
                 ("name", "digest", "source_type", "source", "schema", "profile")},
        context=context,
        tags=tags,
        artifacts={fingerprint_artifact_path(dataset.name): version.fingerprint_text},
        metric={"key": key, "value": version.rows, "step": 0,
                "timestamp": int(time.time() * 1000)},
        model_id=model_id,
    )


def metric_name(dataset_name: str) -> str:
    """`datacouple.<name>.rows`: the metric that ties the dataset to the run's logged models."""
    return f"datacouple.{_key_part(dataset_name)}.rows"


# --------------------------------------------------------------------------- the three inputs


def _path_version(spec: str, name: str | None, config: Config) -> DatasetVersion:
    target = resolve_dataset(config, spec)
    name = name or target.name
    identity = dataset_identity(target.path, config.root)  # O(1) when DVC's state is current
    text = _current_fingerprint_text(target.fingerprint, identity.hash, config)
    reused = text is not None
    if text is None:
        # Stale or missing: describe the data as it is now, without touching the repo's file.
        document = fingerprint(target.path, target.schema, name=target.name,
                               repo_root=config.root, **config.fingerprint_settings)
        text = canonical_json(document)
    else:
        document = parse_fingerprint(text, config.relative(target.fingerprint))
    git = git_info(target.path if target.path.is_dir() else target.path.parent)
    source = DvcDatasetSource(
        repo=git.repo if git else os.fspath(config.root),
        rev=git.commit if git else None,
        path=_relative_to(target.path, git.root if git else config.root),
        hash=identity.hash,
    )
    return _version(source, name, identity.hash, document, text, reused, git, config.root)


def _table_version(table: Any, name: str | None, config: Config) -> DatasetVersion:
    name = name or "dataframe"
    document = fingerprint(table, name=name, **config.fingerprint_settings)
    text = canonical_json(document)
    # No DVC hash exists for memory: the digest is that of the fingerprint itself.
    digest = hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()
    git = git_info(config.root)
    source = DvcDatasetSource(repo=git.repo if git else os.fspath(config.root),
                              rev=git.commit if git else None, path=None, hash=None)
    return _version(source, name, digest, document, text, False, git, config.root)


def _version(source, name, digest, document, text, reused, git, root) -> DatasetVersion:
    dataset = DvcDataset(source=source, name=name, digest=digest,
                         schema=colspec_schema(document), profile=compact_profile(document, name))
    return DatasetVersion(dataset=dataset, fingerprint_text=text,
                          structural_hash=document["structural_hash"], rows=document["rows"],
                          fingerprint_reused=reused, git=git, root=root)


def _current_fingerprint_text(path: Path, dvc_hash: str, config: Config) -> str | None:
    """The fingerprint file's text when it describes exactly this DVC version, else None."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise DatacoupleError(f"{path}: cannot read ({error.strerror})") from None
    document = parse_fingerprint(raw, config.relative(path))
    if (document.get("dvc") or {}).get("hash") != dvc_hash:
        return None
    return raw.decode("utf-8")


def _relative_to(path: Path, root: Path) -> str:
    resolved = Path(os.path.realpath(path))
    try:
        return resolved.relative_to(root).as_posix()
    except ValueError:
        raise DatacoupleError(f"{path} is outside the repository {root}") from None


def _key_part(name: str) -> str:
    # MLflow keys allow letters, digits, "_", "-", ".", " " and "/"; a path's stem may not.
    return re.sub(r"[^A-Za-z0-9_\-. /]", "_", name)
