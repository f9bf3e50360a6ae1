"""Inside an `mlflow server` process: its own stores, read directly (never over HTTP to itself).

`mlflow server` hands its configuration to the worker processes (uvicorn, gunicorn, waitress)
through environment variables (mlflow/server/constants.py):
- `_MLFLOW_SERVER_FILE_STORE`: the backend store URI (`--backend-store-uri`, sqlite by default);
- `_MLFLOW_SERVER_REGISTRY_STORE`: the registry store URI (defaults to the backend store);
- `_MLFLOW_SERVER_ARTIFACT_ROOT`: the default artifact root (`mlflow-artifacts:/` when the
  server proxies artifacts, which is the default);
- `_MLFLOW_SERVER_SERVE_ARTIFACTS` = `true` and `_MLFLOW_SERVER_ARTIFACT_DESTINATION`
  (`--artifacts-destination`, default `./mlartifacts` relative to the server's working
  directory): where `mlflow-artifacts:/...` URIs really live.
A run logged through the server has an artifact URI `mlflow-artifacts:/<exp>/<run>/artifacts`
(or `http(s)://host/api/2.0/mlflow-artifacts/artifacts/...`); MLflow's own handlers resolve it
by joining its path to the artifact destination, and so do we.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import tempfile
import urllib.parse
from functools import cache
from pathlib import Path

from mlflow.entities import ViewType
from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository
from mlflow.tracking import MlflowClient

from ..errors import DatacoupleError
from ..profile.format import parse_fingerprint

BACKEND_STORE_ENV = "_MLFLOW_SERVER_FILE_STORE"
REGISTRY_STORE_ENV = "_MLFLOW_SERVER_REGISTRY_STORE"
ARTIFACT_ROOT_ENV = "_MLFLOW_SERVER_ARTIFACT_ROOT"
SERVE_ARTIFACTS_ENV = "_MLFLOW_SERVER_SERVE_ARTIFACTS"
ARTIFACTS_DESTINATION_ENV = "_MLFLOW_SERVER_ARTIFACT_DESTINATION"
STATIC_PREFIX_ENV = "_MLFLOW_STATIC_PREFIX"
REPO_ROOT_ENV = "DATACOUPLE_REPO_ROOT"  # set by `datacouple ui`: the repo whose dvc.lock to read

_PROXY_ANCHOR = "/api/2.0/mlflow-artifacts/artifacts/"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,199}$")
_SAFE_DIGEST = re.compile(r"^[0-9a-f]{32}(\.dir)?$")


class NotFound(DatacoupleError):
    """A dataset, dataset version, model or run the store does not know (HTTP 404)."""


class ServerClient(MlflowClient):
    """An MlflowClient whose run-artifact downloads read the storage behind this server.

    A plain client cannot: it would resolve `mlflow-artifacts:/...` against its tracking URI,
    and inside the server that is the database, not a server. Whatever code the view calls
    with a client (`build_graph` and what it reads) downloads through this override."""

    def artifact_repository(self, location: str):
        """The repository at an artifact location (a logged model's, say): the hook
        `signatures.py` asks a client for, so MLmodel files are read here too."""
        inside = proxied_path(location)
        if inside is None:
            return get_artifact_repository(location)
        return get_artifact_repository(f"{_destination(location).rstrip('/')}/{inside}")

    def download_artifacts(self, run_id: str, path: str, dst_path: str | None = None) -> str:
        repository, artifact_path = artifact_location(self.get_run(run_id).info.artifact_uri,
                                                      _safe_relative(path))
        return repository.download_artifacts(artifact_path,
                                             dst_path=dst_path or tempfile.mkdtemp())


@cache
def server_client() -> ServerClient:
    """A client on the server's own backend and registry stores."""
    tracking = os.environ.get(BACKEND_STORE_ENV)
    if not tracking:
        import mlflow

        tracking = mlflow.get_tracking_uri()  # create_app used outside `mlflow server`
    registry = os.environ.get(REGISTRY_STORE_ENV) or tracking
    return ServerClient(tracking_uri=tracking, registry_uri=registry)


def static_prefix() -> str:
    return os.environ.get(STATIC_PREFIX_ENV, "").rstrip("/")


def repo_root() -> str | None:
    return os.environ.get(REPO_ROOT_ENV) or None


def check_dataset_name(name: str) -> str:
    if not _SAFE_NAME.match(name or ""):
        raise DatacoupleError(f"not a dataset name: {name!r}")
    return name


def check_digest(digest: str) -> str:
    if not _SAFE_DIGEST.match(digest or ""):
        raise DatacoupleError(f"not a dataset digest (32 hex, optionally .dir): {digest!r}")
    return digest


def _safe_relative(path: str) -> str:
    parts = path.split("/")
    if not path or path.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise DatacoupleError(f"unsafe artifact path {path!r}")
    return path


def proxied_path(artifact_uri: str) -> str | None:
    """The path under the server's artifact destination of a proxied artifact URI
    (`mlflow-artifacts:/...`, `http(s)://.../api/2.0/mlflow-artifacts/artifacts/...`), as
    MLflow's own handlers resolve it; None for a direct location (a path, `s3://...`)."""
    parsed = urllib.parse.urlparse(artifact_uri)
    if parsed.scheme == "mlflow-artifacts":
        return parsed.path.strip("/")
    if parsed.scheme in ("http", "https") and _PROXY_ANCHOR in parsed.path:
        return parsed.path.split(_PROXY_ANCHOR, 1)[1].strip("/")
    return None


def _destination(artifact_uri: str) -> str:
    destination = os.environ.get(ARTIFACTS_DESTINATION_ENV)
    if not destination:
        raise DatacoupleError(f"artifacts at {artifact_uri}, but this server has no "
                              "--artifacts-destination to read them from")
    return destination


def artifact_location(artifact_root: str, path: str):
    """(artifact repository, path inside it) of `path` under a run's artifact root."""
    inside = proxied_path(artifact_root)
    if inside is None:
        return get_artifact_repository(artifact_root), path
    return (get_artifact_repository(_destination(artifact_root)),
            posixpath.join(inside, path) if inside else path)


def read_run_artifact(client: ServerClient, run_id: str, path: str) -> bytes:
    """The bytes of a run's artifact, read from the storage behind this server."""
    with tempfile.TemporaryDirectory(prefix="datacouple-") as tmp:
        try:
            local = client.download_artifacts(run_id, path, tmp)
        except DatacoupleError:
            raise
        except Exception as error:  # each repository type (local, s3, gcs...) raises its own
            first = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise NotFound(f"run {run_id} has no artifact {path}: {first}") from None
        return Path(local).read_bytes()


def _experiment_ids(client: MlflowClient) -> list[str]:
    ids, token = [], None
    while True:
        page = client.search_experiments(view_type=ViewType.ACTIVE_ONLY, max_results=1000,
                                         page_token=token)
        ids += [e.experiment_id for e in page]
        token = page.token
        if not token:
            return ids


def logged_fingerprint(client: MlflowClient, dataset: str, digest: str) -> dict:
    """The full fingerprint of one logged dataset version: the artifact that the newest run
    logging `dataset` with `digest` stored (named in the dataset input's profile)."""
    check_dataset_name(dataset)
    check_digest(digest)
    experiments = _experiment_ids(client)
    runs = client.search_runs(
        experiments, filter_string=f"dataset.name = '{dataset}' AND dataset.digest = '{digest}'",
        max_results=1, order_by=["attributes.start_time DESC"]) if experiments else []
    if not runs:
        raise NotFound(f"no run logged dataset {dataset} at digest {digest}")
    run = runs[0]
    artifact = f"datacouple/fingerprints/{dataset}.json"
    for entry in run.inputs.dataset_inputs:
        if entry.dataset.name == dataset and entry.dataset.digest == digest:
            try:
                profile = json.loads(entry.dataset.profile or "{}")
            except json.JSONDecodeError:
                profile = {}
            artifact = profile.get("fingerprint_artifact") or artifact
            break
    data = read_run_artifact(client, run.info.run_id, artifact)
    return parse_fingerprint(data, f"run {run.info.run_id} artifact {artifact}")
