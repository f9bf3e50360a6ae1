"""Shared lineage fixtures.

LOG's: `git_dvc_repo` (a real git + DVC repo with public data and committed fingerprints) and
`mlflow_sqlite_uri` (a real sqlite tracking store in tmp).
GRAPH's: `lineage_history` (graph_scenario.py: a git + DVC repo with two versions of ISLP's
Hitters features, a sqlite MLflow store, real registered models).
APP's: `mlflow_server` (a real `mlflow server --app-name datacouple` subprocess on 127.0.0.1 and
a free port, sqlite store in tmp) and `chromium` (headless Debian chromium, skipped only when
the binary is absent).
"""

from __future__ import annotations

import shutil

import mlflow
import pytest

from lineage.graph_scenario import History, build_history
from lineage.lineage_servers import (
    CHROMIUM_NAMES,
    Chromium,
    mlflow_pointed_at,
    start_mlflow_server,
    stop_mlflow_server,
)
from lineage.log_fixtures import build_repo, copy_repo


@pytest.fixture(scope="session")
def _git_dvc_repo_template(tmp_path_factory):
    base = tmp_path_factory.mktemp("git-dvc-template")
    return build_repo(base / "repo", tmp_path_factory.getbasetemp() / "dvc-site-cache")


@pytest.fixture
def git_dvc_repo(_git_dvc_repo_template, tmp_path, monkeypatch, dvc_env):
    """A fresh copy of the template repository; the test runs inside it (cwd)."""
    repo = copy_repo(_git_dvc_repo_template, tmp_path / "repo")
    monkeypatch.chdir(repo.root)
    monkeypatch.setenv("DATACOUPLE_JOURNAL_DIR", str(tmp_path / "journal"))
    return repo


@pytest.fixture(scope="session")
def _mlflow_sqlite_store(tmp_path_factory):
    # One store per session: creating the schema (alembic migrations) takes seconds.
    root = tmp_path_factory.mktemp("mlflow-store")
    return f"sqlite:///{root / 'mlflow.db'}", root / "artifacts"


@pytest.fixture
def mlflow_sqlite_uri(_mlflow_sqlite_store, request):
    """The tracking (and registry) URI of a real sqlite store; a fresh experiment per test,
    its artifacts in tmp."""
    uri, artifacts = _mlflow_sqlite_store
    # Both URIs and the environment variables their setters export are put back afterwards: a
    # leaked MLFLOW_REGISTRY_URI sent later tests' subprocesses to this store's registry.
    with mlflow_pointed_at(uri):
        name = f"{request.node.name}"[:200]
        client = mlflow.MlflowClient()
        experiment = client.get_experiment_by_name(name)
        experiment_id = experiment.experiment_id if experiment else client.create_experiment(
            name, artifact_location=(artifacts / name).as_uri())
        mlflow.set_experiment(experiment_id=experiment_id)
        yield uri
        while mlflow.active_run():
            mlflow.end_run()


@pytest.fixture(scope="session")
def lineage_history(tmp_path_factory) -> History:
    """Built once per session (about 20 s): the graph, impact and render tests only read it."""
    return build_history(tmp_path_factory.mktemp("lineage-history"))


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory):
    """Shared by the modules that use it: each names its own experiments and datasets."""
    server = start_mlflow_server(tmp_path_factory.mktemp("mlflow-server"))
    yield server
    stop_mlflow_server(server.process)


@pytest.fixture(scope="session")
def chromium(tmp_path_factory):
    binary = next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)
    if binary is None:
        pytest.skip("Debian `chromium` is not installed (apt-get install chromium; .ci/run "
                    "does this): the page's JavaScript is checked in a real browser")
    return Chromium(binary, tmp_path_factory.mktemp("chromium-profile"))
