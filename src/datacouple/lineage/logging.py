"""`log_dataset` and `register_model`: the lineage a training script records in MLflow.

    with mlflow.start_run():
        datacouple.log_dataset("features", context="training")
        model_info = mlflow.sklearn.log_model(model, name="model")
    datacouple.register_model(model_info.model_uri, "price", alias="candidate")

`log_dataset` records one dataset input (digest = DVC hash, source = dvc, schema = colspec,
profile = compact fingerprint summary), the full fingerprint as an artifact, tags, a link in
the run's note, and a row-count metric logged with the dataset so the run's logged models list
it under "Datasets used". When the tracking server cannot be reached, the record goes to the
local journal (journal.py) and `datacouple sync` applies it later.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import mlflow
from mlflow.exceptions import MlflowException
from mlflow.store.artifact.utils.models import _parse_model_id_if_present
from mlflow.tracking import MlflowClient

from ..errors import DatacoupleError
from .journal import journal_dir, write_record
from .links import append_markdown, model_version_link
from .records import build_record, dataset_version, metric_name
from .tracking import apply_record, is_unreachable, log_dataset_metric, short_retries


@dataclass(frozen=True)
class LoggedDataset:
    """What `log_dataset` did."""

    run_id: str
    name: str
    digest: str
    context: str
    fingerprint_reused: bool  # the committed fingerprint was current and was logged as is
    journaled: Path | None = None  # the journal record, when the server was unreachable


def log_dataset(data: Any, context: str = "training", name: str | None = None,
                run_id: str | None = None) -> LoggedDataset:
    """Record a dataset version as an input of an MLflow run.

    `data`: a dataset NAME from datacouple.toml, a file or directory path, or a pandas/polars
    DataFrame or Arrow table. `run_id`: the run to log to (default: the active run). `name`:
    the dataset's name in MLflow (default: NAME, the path's stem, or "dataframe").
    """
    run_id = run_id or _active_run_id()
    if not isinstance(context, str) or not context:
        raise DatacoupleError("context must be a non-empty string, e.g. training")
    version = dataset_version(data, name)
    record = build_record(version, run_id=run_id, tracking_uri=mlflow.get_tracking_uri(),
                          context=context, model_id=mlflow.get_active_model_id())
    result = LoggedDataset(run_id=run_id, name=version.dataset.name,
                           digest=version.dataset.digest, context=context,
                           fingerprint_reused=version.fingerprint_reused)
    try:
        with short_retries():
            apply_record(record)
    except Exception as error:
        if is_unreachable(error):
            return replace(result, journaled=write_record(record, journal_dir(version.root)))
        if isinstance(error, MlflowException) and error.error_code in (
                "RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE"):
            raise DatacoupleError(f"cannot log to run {run_id} at {record.tracking_uri}: "
                                  f"{error.message}") from None
        raise
    return result


def register_model(model_uri: str, name: str, alias: str | None = None):
    """`mlflow.register_model`, plus a lineage link in the version's description, the alias,
    and the datasets of the source run linked to the logged model ("Datasets used").

    The last step makes the order of `log_dataset` and `log_model` in a run irrelevant: a
    dataset logged before the model existed is linked to it here. Returns the ModelVersion.
    """
    version = mlflow.register_model(model_uri, name)
    client = MlflowClient()
    description = append_markdown(version.description, model_version_link(name, version.version))
    client.update_model_version(name, version.version, description=description)
    if alias:
        client.set_registered_model_alias(name, alias, version.version)
    # The returned version may not carry its model id (sqlite store); its source does.
    model_id = version.model_id or _parse_model_id_if_present(version.source or "") \
        or _parse_model_id_if_present(model_uri)
    if version.run_id and model_id:
        link_logged_model(version.run_id, model_id, client)
    return client.get_model_version(name, version.version)


def link_logged_model(run_id: str, model_id: str, client: MlflowClient | None = None) -> int:
    """Log each dvc dataset input of `run_id` against logged model `model_id` (idempotent).

    A logged model lists, under "Datasets used", the (dataset name, digest) of the metrics
    logged against it. Returns how many datasets were newly linked.

    `log_model` copies the run's step-0 metrics to the new model, but without their dataset
    (the run's metric table has no dataset columns), and a logged model's metric key is
    (model, key, timestamp, step, run) without the dataset. So when the dataset was logged
    before the model, the link is logged 1 ms after the run's point: the run's history then
    holds the row count twice (same value), the model gets its dataset. Otherwise the run's own
    point is reused and the run's history gains nothing.
    """
    client = client or MlflowClient()
    run = client.get_run(run_id)
    model_metrics = client.get_logged_model(model_id).metrics or []
    linked_already = {(m.key, m.dataset_name, m.dataset_digest) for m in model_metrics}
    taken = {(m.key, m.timestamp, m.step) for m in model_metrics}
    linked = 0
    for dataset_input in (run.inputs.dataset_inputs if run.inputs else []):
        dataset = dataset_input.dataset
        key = metric_name(dataset.name)
        if dataset.source_type != "dvc" or (key, dataset.name, dataset.digest) in linked_already:
            continue
        history = client.get_metric_history(run_id, key)
        rows = _profile_rows(dataset.profile)
        point = next((m for m in history if m.value == rows), history[-1] if history else None)
        if point is None:
            continue  # not logged by log_dataset: nothing to link
        timestamp = point.timestamp
        while (key, timestamp, point.step) in taken:
            timestamp += 1
        metric = {"key": key, "value": point.value, "timestamp": timestamp, "step": point.step}
        log_dataset_metric(client, run_id, metric, dataset.name, dataset.digest, model_id)
        taken.add((key, timestamp, point.step))
        linked += 1
    return linked


def _active_run_id() -> str:
    run = mlflow.active_run()
    if run is not None:
        return run.info.run_id
    env_run = os.environ.get("MLFLOW_RUN_ID")
    if env_run:
        return env_run
    raise DatacoupleError(
        "no active MLflow run: call log_dataset inside `with mlflow.start_run():`, or pass "
        "run_id (CLI: --run-id)"
    )


def _profile_rows(profile: str | None) -> float | None:
    try:
        return float(json.loads(profile or "{}").get("rows"))
    except (ValueError, TypeError, AttributeError):
        return None
