"""Applying a lineage record to an MLflow tracking server, idempotently.

Every step can run twice (a journal replayed again, or a record that half-applied before the
server went away) without creating anything twice. What MLflow itself dedupes, and what is
guarded here:

- dataset inputs: MLflow keeps one dataset per (experiment, name, digest) and one input edge per
  (dataset, run); logging the same input again adds nothing (not even its tags). Two runs of
  one experiment logging a new dataset version at the same moment race to insert its row; the
  loser gets a unique-constraint error and simply logs again (`_log_input`);
- run tags: `set_tag` overwrites, so the same value twice is one tag;
- metrics: a run's metric rows are keyed by (key, timestamp, step, value); the record fixes the
  timestamp, so a replay hits the same key and MLflow drops it. Logged-model metrics are keyed
  by (model, key, timestamp, step, run), likewise;
- artifacts: logging to the same artifact path overwrites;
- the run note (`mlflow.note.content`) is read, and the link appended only when absent.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import requests
from mlflow.entities import Dataset as DatasetEntity
from mlflow.entities import DatasetInput, InputTag, RunTag
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

from .graph import build_graph
from .links import NOTE_TAG, append_markdown, run_note_link
from .page import render_html
from .records import CONTEXT_TAG, LineageRecord

LINEAGE_HTML_ARTIFACT = "datacouple/lineage.html"

# How long one attempt may take before the record is journaled instead. MLflow's defaults
# (7 retries, backoff factor 2, 120 s timeout) would block a training script for minutes when
# the server is down; users who set these variables keep their values.
_SHORT_RETRIES = {
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "1",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "10",
}


def apply_record(record: LineageRecord, client: MlflowClient | None = None) -> None:
    """Write one record to its run; safe to repeat."""
    client = client or MlflowClient(tracking_uri=record.tracking_uri)
    run_id = record.run_id
    dataset = record.dataset
    entity = DatasetEntity(name=dataset["name"], digest=dataset["digest"],
                           source_type=dataset["source_type"], source=dataset["source"],
                           schema=dataset["schema"], profile=dataset["profile"])
    _log_input(client, run_id,
               DatasetInput(entity, tags=[InputTag(key=CONTEXT_TAG, value=record.context)]))
    client.log_batch(run_id, tags=[RunTag(key, value) for key, value in record.tags.items()])
    run = client.get_run(run_id)
    note = run.data.tags.get(NOTE_TAG)
    updated = append_markdown(note, run_note_link(run_id))
    if updated != note:
        client.set_tag(run_id, NOTE_TAG, updated)
    _log_artifacts(client, run_id, record.artifacts)
    model_ids = [record.model_id] if record.model_id else logged_model_ids(run)
    for model_id in model_ids or [None]:
        log_dataset_metric(client, run_id, record.metric, dataset["name"], dataset["digest"],
                           model_id)
    # A self-contained page (MLflow's artifact viewer shows HTML) of the run's lineage as it is
    # now: its datasets and their upstream stages; models appear in the live view once logged.
    page = render_html(build_graph(client, run=run_id, signatures=False).to_dict())
    client.log_text(run_id, page, LINEAGE_HTML_ARTIFACT)


# What a backend store says when an insert lost a race for a unique key: sqlite, PostgreSQL,
# MySQL (MLflow passes the database's message on in the REST error).
_UNIQUE_RACE = re.compile(r"IntegrityError|UNIQUE constraint failed|duplicate key value|"
                          r"Duplicate entry|UniqueViolation")
_INPUT_ATTEMPTS = 5


def _log_input(client: MlflowClient, run_id: str, dataset_input: DatasetInput) -> None:
    """`log_inputs`, again when it lost the race to create the dataset's row.

    MLflow's stores look the (experiment, name, digest) row up, and insert it when absent:
    two runs doing that at once both insert, and the second fails on the unique key (eight
    parallel training jobs of one experiment did, in tests/lineage/test_concurrency.py). The
    row exists then, so the next attempt finds it and only links this run."""
    for attempt in range(_INPUT_ATTEMPTS):
        try:
            client.log_inputs(run_id, datasets=[dataset_input])
            return
        except MlflowException as error:
            if attempt == _INPUT_ATTEMPTS - 1 or not _UNIQUE_RACE.search(str(error)):
                raise
            time.sleep(0.05 * (attempt + 1))


def log_dataset_metric(client: MlflowClient, run_id: str, metric: dict, dataset_name: str,
                       dataset_digest: str, model_id: str | None) -> None:
    """The row-count metric logged with its dataset: a logged model lists, under "Datasets
    used", the datasets of the metrics logged against it (model_id + dataset name/digest)."""
    client.log_metric(run_id, metric["key"], metric["value"], timestamp=metric["timestamp"],
                      step=metric["step"], dataset_name=dataset_name,
                      dataset_digest=dataset_digest, model_id=model_id)


def logged_model_ids(run) -> list[str]:
    """The models the run logged (its model outputs), in logging order."""
    outputs = run.outputs.model_outputs if run.outputs else []
    return list(dict.fromkeys(output.model_id for output in outputs))


def is_unreachable(error: BaseException) -> bool:
    """Whether `error` means "the tracking server cannot be reached now", not "bad request".

    MLflow's REST client wraps transport failures in a plain MlflowException ("API request to
    ... failed with exception ...") whose cause or context is the `requests` error: a
    ConnectionError (refused, DNS, reset), a Timeout, or a RetryError (5xx/429 still returned
    after the retries). Artifact uploads to `mlflow-artifacts:` go through the same client.
    """
    transient = (requests.exceptions.ConnectionError, requests.exceptions.Timeout,
                 requests.exceptions.RetryError, ConnectionError, TimeoutError)
    seen = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, transient):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


@contextlib.contextmanager
def short_retries() -> Iterator[None]:
    """Few retries and a short timeout for one attempt, unless the user set their own."""
    added = {key: value for key, value in _SHORT_RETRIES.items() if key not in os.environ}
    os.environ.update(added)
    try:
        yield
    finally:
        for key in added:
            os.environ.pop(key, None)


def _log_artifacts(client: MlflowClient, run_id: str, artifacts: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory(prefix="datacouple-artifacts-") as tmp:
        for artifact_path, text in artifacts.items():
            local = Path(tmp) / Path(artifact_path).name
            local.write_bytes(text.encode("utf-8"))  # bytes: no newline translation anywhere
            client.log_artifact(run_id, os.fspath(local), str(Path(artifact_path).parent))
