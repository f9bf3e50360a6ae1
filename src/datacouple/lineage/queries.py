"""The MLflow look-ups lineage is made of, each answered by MLflow's own indexed searches.

Facts of MLflow 3.17 these rely on (checked in its source, `mlflow/utils/search_utils.py` and
the SQLAlchemy stores):
- `search_runs` filters on run inputs with `dataset.name`, `dataset.digest` and
  `dataset.context` (`=`, `!=`, `LIKE`, `ILIKE`, `IN`, `NOT IN`); the SQL store turns them into
  a join on the inputs table, so no run is scanned in Python. It needs experiment ids: all
  experiments are listed first (one cheap query).
- `search_model_versions` accepts `run_id IN (...)` (and `name IN (...)`), but leaves
  `aliases` empty "for performance reasons" and, in the SQL store, `model_id` unset (the
  version's `source` is `models:/<model_id>`). Aliases come from `search_registered_models`
  (`name IN (...)`), whose entities carry the `{alias: version}` map: one query per batch.
- `search_logged_models` accepts `source_run_id IN (...)`.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from mlflow.entities import ViewType
from mlflow.exceptions import MlflowException

from ..errors import DatacoupleError
from ..profile.format import parse_fingerprint

# An `IN (...)` list this long stays far below SQL and HTTP request limits.
_BATCH = 100
_PAGE = 1000  # MLflow's default page size for runs; its ceiling is 50,000
FINGERPRINT_ARTIFACT = "datacouple/fingerprints/{name}.json"
_DIGEST = re.compile(r"^[0-9a-f]{32}(\.dir)?$")


@dataclass(frozen=True)
class DatasetInput:
    """One dataset input of one run, as LOG records it (see the lineage contract)."""

    name: str
    digest: str
    context: str | None
    run_id: str
    source: dict  # {"repo", "rev", "path", "hash"} for source type dvc; {} otherwise
    profile: dict  # the compact fingerprint summary; {} when absent

    @property
    def fingerprint_artifact(self) -> str:
        return self.profile.get("fingerprint_artifact") or FINGERPRINT_ARTIFACT.format(
            name=self.name)


@dataclass(frozen=True)
class VersionRef:
    """A registered model version, with the aliases that point at it."""

    name: str
    version: str
    run_id: str | None
    model_id: str | None
    aliases: tuple[str, ...] = field(default=())

    @property
    def spec(self) -> str:
        return f"{self.name}/{self.version}"

    def to_dict(self) -> dict:
        return {"name": self.name, "version": self.version, "aliases": list(self.aliases)}


def looks_like_digest(text: str) -> bool:
    """A DVC hash as MLflow stores it: 32 hex digits, `.dir` for directories."""
    return bool(_DIGEST.match(text))


def quote(value: str) -> str:
    """A string literal for MLflow's search grammar (SQL-like: a quote doubles)."""
    return "'" + value.replace("'", "''") + "'"


def in_list(values: Iterable[str]) -> str:
    return "(" + ", ".join(quote(v) for v in values) + ")"


def batched(values: Iterable[str], size: int = _BATCH) -> Iterator[list[str]]:
    batch: list[str] = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


# --------------------------------------------------------------------------- runs


def experiment_ids(client) -> list[str]:
    ids, token = [], None
    while True:
        page = client.search_experiments(view_type=ViewType.ACTIVE_ONLY, max_results=_PAGE,
                                         page_token=token)
        ids += [experiment.experiment_id for experiment in page]
        token = page.token
        if not token:
            return ids


def search_runs(client, filter_string: str) -> list:
    """Every active run, in all experiments, matching `filter_string`, oldest first."""
    experiments = experiment_ids(client)
    if not experiments:
        return []
    runs, token = [], None
    while True:
        page = client.search_runs(experiments, filter_string, max_results=_PAGE,
                                  order_by=["attributes.start_time ASC"], page_token=token)
        runs += list(page)
        token = page.token
        if not token:
            return runs


def dataset_filter(name_or_digest: str) -> str:
    """`dataset.digest = ...` for a DVC hash, `dataset.name = ...` otherwise."""
    key = "digest" if looks_like_digest(name_or_digest) else "name"
    return f"dataset.{key} = {quote(name_or_digest)}"


def runs_for_dataset(client, name_or_digest: str) -> list:
    return search_runs(client, dataset_filter(name_or_digest))


def dataset_inputs(run) -> list[DatasetInput]:
    """The run's dataset inputs, source and profile JSON parsed (absent or foreign: {})."""
    found = []
    inputs = run.inputs.dataset_inputs if run.inputs else []
    for dataset_input in inputs:
        dataset = dataset_input.dataset
        context = next((tag.value for tag in dataset_input.tags
                        if tag.key == "mlflow.data.context"), None)
        source = _json_object(dataset.source) if dataset.source_type == "dvc" else {}
        found.append(DatasetInput(
            name=dataset.name, digest=dataset.digest, context=context, run_id=run.info.run_id,
            source=source, profile=_json_object(dataset.profile),
        ))
    return found


def _json_object(text: str | None) -> dict:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return {}  # a dataset logged by something else: its profile is not ours to read
    return value if isinstance(value, dict) else {}


# --------------------------------------------------------------------------- models


def model_versions_for_runs(client, run_ids: Iterable[str]) -> list[VersionRef]:
    """Registered versions whose source run is one of `run_ids`, aliases filled in."""
    versions = []
    for batch in batched(sorted(set(run_ids))):
        versions += _all_pages(client.search_model_versions, f"run_id IN {in_list(batch)}")
    return with_aliases(client, [_version_ref(v) for v in versions])


def model_versions_named(client, name: str) -> list[VersionRef]:
    versions = _all_pages(client.search_model_versions, f"name = {quote(name)}")
    return with_aliases(client, [_version_ref(v) for v in versions])


def with_aliases(client, versions: list[VersionRef]) -> list[VersionRef]:
    names = sorted({v.name for v in versions})
    aliases: dict[tuple[str, str], list[str]] = {}
    for batch in batched(names):
        for model in _all_pages(client.search_registered_models, f"name IN {in_list(batch)}"):
            for alias, version in (model.aliases or {}).items():
                aliases.setdefault((model.name, str(version)), []).append(alias)
    refs = [VersionRef(v.name, v.version, v.run_id, v.model_id,
                       tuple(sorted(aliases.get((v.name, v.version), ()))))
            for v in versions]
    return sorted(refs, key=lambda v: (v.name, int(v.version)))


def resolve_version(client, spec: str) -> VersionRef:
    """`NAME/VERSION` or `NAME@ALIAS` -> the registered version; DatacoupleError if none."""
    try:
        if "@" in spec:
            name, alias = spec.rsplit("@", 1)
            version = client.get_model_version_by_alias(name, alias)
        elif "/" in spec:
            name, number = spec.rsplit("/", 1)
            version = client.get_model_version(name, number)
        else:
            raise DatacoupleError(f"{spec!r}: give a model version as NAME/VERSION or NAME@ALIAS")
    except MlflowException as error:
        raise DatacoupleError(f"no registered model version {spec!r} "
                              f"({error.error_code or 'not found'})") from None
    ref = _version_ref(version)
    return VersionRef(ref.name, ref.version, ref.run_id, ref.model_id,
                      tuple(sorted(version.aliases or ())))


def logged_models_for_runs(client, run_ids: Iterable[str]) -> list:
    experiments = experiment_ids(client)
    found = []
    for batch in batched(sorted(set(run_ids))):
        token = None
        while True:
            page = client.search_logged_models(
                experiments, filter_string=f"source_run_id IN {in_list(batch)}",
                max_results=_PAGE, page_token=token)
            found += list(page)
            token = page.token
            if not token:
                break
    return found


def _version_ref(version) -> VersionRef:
    model_id = getattr(version, "model_id", None)
    source = version.source or ""
    if not model_id and source.startswith("models:/m-"):
        model_id = source[len("models:/"):].split("/", 1)[0]
    return VersionRef(version.name, str(version.version), version.run_id or None, model_id)


def _all_pages(search, filter_string: str) -> list:
    found, token = [], None
    while True:
        page = search(filter_string=filter_string, page_token=token)
        found += list(page)
        token = page.token
        if not token:
            return found


# --------------------------------------------------------------------------- fingerprints

# Dataset versions are content-addressed, so a fingerprint downloaded once is valid for the
# whole process, whichever run it came from. None remembers "no artifact".
_FINGERPRINTS: dict[str, dict | None] = {}


def logged_fingerprint(client, dataset_input: DatasetInput) -> dict | None:
    """The full fingerprint LOG stored as a run artifact, cached per digest; None if absent."""
    if dataset_input.digest in _FINGERPRINTS:
        return _FINGERPRINTS[dataset_input.digest]
    document = None
    with tempfile.TemporaryDirectory(prefix="datacouple-") as scratch:
        try:
            local = client.download_artifacts(dataset_input.run_id,
                                              dataset_input.fingerprint_artifact, scratch)
            shown = f"run {dataset_input.run_id}: {dataset_input.fingerprint_artifact}"
            document = parse_fingerprint(Path(local).read_bytes(), shown)
        except (MlflowException, OSError, DatacoupleError):
            document = None  # logged without datacouple's artifact: no diff for this version
    _FINGERPRINTS[dataset_input.digest] = document
    return document


# --------------------------------------------------------------------------- the client

# MLflow 3.17 defaults to sqlite:///mlflow.db too, but falls back to the file store (which now
# refuses to start) when ./mlruns holds data: say the default explicitly.
DEFAULT_TRACKING_URI = "sqlite:///mlflow.db"


def tracking_uri() -> str:
    """MLflow's own setting (MLFLOW_TRACKING_URI), else sqlite:///mlflow.db."""
    return os.environ.get("MLFLOW_TRACKING_URI") or DEFAULT_TRACKING_URI


def open_client(uri: str | None = None):
    """A client for the commands: MLflow's artifact progress bars would interleave with
    their output, so they are off unless the user asked for them."""
    from mlflow import MlflowClient

    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    uri = uri or tracking_uri()
    # The registry is MLFLOW_REGISTRY_URI, else the tracking store, as MLflow documents it. Said
    # explicitly: left None, MlflowClient takes the process-wide registry URI, which any earlier
    # mlflow.set_registry_uri in the process may have pointed elsewhere.
    registry = os.environ.get("MLFLOW_REGISTRY_URI") or uri
    try:
        return MlflowClient(tracking_uri=uri, registry_uri=registry)
    except Exception as error:  # each store fails its own way (sqlalchemy, http, plugins)
        raise DatacoupleError(f"cannot open the MLflow tracking store {uri}: "
                              f"{_first_line(error)}") from None


@contextlib.contextmanager
def tracking_errors(client) -> Iterator[None]:
    """MLflow's own failures (store unreachable, a broken database) as one-line
    DatacoupleErrors naming the store, instead of a traceback."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        yield
    except (MlflowException, SQLAlchemyError) as error:
        raise DatacoupleError(f"MLflow at {client.tracking_uri}: {_first_line(error)}") from None


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:300]
