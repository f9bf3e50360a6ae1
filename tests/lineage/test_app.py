"""The lineage view in a real `mlflow server --app-name datacouple`, started by `datacouple ui`
(uvicorn, MLflow's default) and once through gunicorn (the Flask path)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

from datacouple.lineage.page import SERVED_CSP
from datacouple.lineage.server import plan_ui
from lineage.lineage_servers import (
    MlflowServer,
    free_port,
    mlflow_pointed_at,
    start_mlflow_server,
    stop_mlflow_server,
)
from lineage.log_fixtures import copy_repo

from public_data import islp_frame

DATACOUPLE = [sys.executable, "-m", "datacouple.cli"]


@pytest.fixture(scope="module")
def ui(tmp_path_factory, _git_dvc_repo_template):
    """`datacouple ui` on a free port with a sqlite store in tmp, started inside a real git +
    DVC repository (so the view knows its committed fingerprints); stopped with Ctrl-C."""
    root = tmp_path_factory.mktemp("ui")
    repo = copy_repo(_git_dvc_repo_template, root / "repo")
    port = free_port()
    log = root / "ui.log"
    env = {**os.environ, "MLFLOW_TRACKING_URI": ""}
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [*DATACOUPLE, "ui", "--port", str(port), "--backend-store-uri",
             f"sqlite:///{root / 'mlflow.db'}"], cwd=repo.root, stdout=out,
            stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + 180
    while "Lineage view: " not in log.read_text(errors="replace"):
        assert process.poll() is None, log.read_text(errors="replace")[-3000:]
        assert time.monotonic() < deadline, "datacouple ui did not start"
        time.sleep(0.5)
    server = MlflowServer(f"http://127.0.0.1:{port}", f"sqlite:///{root / 'mlflow.db'}", root,
                          process)
    server.repo = repo
    yield server
    process.send_signal(signal.SIGINT)  # what Ctrl-C in the terminal sends
    assert process.wait(60) == 0, log.read_text(errors="replace")[-3000:]
    with pytest.raises(OSError):  # the mlflow server went with it
        server.get("/health")


def test_ui_prints_the_page_address(ui):
    text = (ui.root / "ui.log").read_text()
    assert f"Lineage view: {ui.url}/datacouple/lineage" in text


def test_static_assets(ui):
    status, headers, body = ui.get("/datacouple/static/lineage.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    assert b"function layout" in body
    status, headers, _ = ui.get("/datacouple/static/lineage.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css")
    status, headers, body = ui.get("/datacouple/static/..%2Fapp.py")
    assert status == 404 and json.loads(body)["error"].startswith("no static file")


@pytest.mark.parametrize(("query", "message"), [
    ("model=no-such-model/1", "no-such-model"),
    ("model=no-such-model@champion", "no-such-model"),
    ("run=0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef"),
])
def test_unknown_names_are_404_json_with_one_line(ui, query, message):
    status, headers, body = ui.get(f"/datacouple/api/lineage?{query}")
    assert status == 404 and headers["Content-Type"] == "application/json"
    error = json.loads(body)["error"]
    assert message in error and "\n" not in error and "Traceback" not in error


def test_page_errors_are_pages_with_the_csp_never_tracebacks(ui):
    status, headers, body = ui.get("/datacouple/lineage?model=no-such-model/7",
                                   accept="text/html")
    assert status == 404 and headers["Content-Type"].startswith("text/html")
    assert headers["Content-Security-Policy"] == SERVED_CSP
    assert b"no-such-model" in body and b"Traceback" not in body


@pytest.mark.parametrize("path", [
    "/datacouple/api/lineage?dataset=a&run=b",
    "/datacouple/api/lineage?model=",
    "/datacouple/api/diff?dataset=features",
    "/datacouple/api/diff?dataset=features&old=zz&new=zz",
    "/datacouple/api/diff?dataset=x'y&old=0123456789abcdef0123456789abcdef"
    "&new=0123456789abcdef0123456789abcdef",
])
def test_malformed_queries_are_400(ui, path):
    status, _, body = ui.get(path)
    assert status == 400, body
    assert "\n" not in json.loads(body)["error"]


def test_diff_of_a_digest_nobody_logged_is_404(ui):
    status, _, body = ui.get("/datacouple/api/diff?dataset=features"
                             "&old=0123456789abcdef0123456789abcdef"
                             "&new=0123456789abcdef0123456789abcde0")
    assert status == 404
    assert json.loads(body)["error"].startswith("no run logged dataset features")


def test_gunicorn_serves_the_same_routes(tmp_path):
    """`--gunicorn-opts`: create_app returns the Flask app itself."""
    server = start_mlflow_server(tmp_path, "--gunicorn-opts", "--workers 1 --timeout 120")
    try:
        status, headers, _ = server.get("/datacouple/static/lineage.js")
        assert status == 200 and headers["Content-Type"].startswith("text/javascript")
        status, headers, body = server.get("/datacouple/lineage?run=nope")
        assert status == 404 and headers["Content-Security-Policy"] == SERVED_CSP
        assert (headers.get("Server") or "").startswith("gunicorn") and b"nope" in body
        # An empty store: an empty graph, and a page that says so (drawn by the script).
        assert _json_get(server, "/datacouple/api/lineage")["nodes"] == []
        status, headers, body = server.get("/datacouple/lineage")
        assert status == 200 and headers["Content-Security-Policy"] == SERVED_CSP
        assert b"Nothing logged yet" in body
    finally:
        stop_mlflow_server(server.process)


# ---- the whole story: real records logged through the server, drawn by the real graph ----

FEATURES = ["Years", "Hits", "League"]


class _ConstantModel:  # a pyfunc model: what it predicts does not matter to lineage
    def predict(self, context, model_input, params=None):
        return [0.0] * len(model_input)


def _train(name: str, frame, registered: str, alias: str) -> str:
    """One training run: log the features dataset (datacouple), a model, register it."""
    import mlflow
    from mlflow.models import infer_signature
    from mlflow.pyfunc import PythonModel

    from datacouple.lineage.recording import log_dataset, register_model

    model = type("ConstantModel", (_ConstantModel, PythonModel), {})()
    with mlflow.start_run(run_name=name) as run, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # MLflow's input-example/int-column hints
        log_dataset("features", context="training")
        info = mlflow.pyfunc.log_model(
            name="model", python_model=model, pip_requirements=[],
            signature=infer_signature(frame[FEATURES], frame["Salary"]))
    register_model(f"models:/{info.model_id}", registered, alias=alias)
    return run.info.run_id


@pytest.fixture(scope="module")
def story(ui):
    """Two versions of `features` (the second: 11 League values NULL -> "" and Salary in
    thousands), each trained and registered: salary v1 @champion, v2 @challenger."""
    import mlflow

    repo = ui.repo
    with mlflow_pointed_at(ui.url, cwd=repo.root):
        mlflow.set_experiment("salary")
        frame = islp_frame("Hitters")
        old_digest = repo.dvc_md5("data/features.parquet")
        first = _train("train-salary-1", frame, "salary", "champion")
        changed = frame.copy()
        changed.loc[:10, "League"] = ""
        changed["Salary"] = changed["Salary"] / 1000
        repo.write_features(changed)
        repo.dvc("add", "-q", "data/features.parquet")
        repo.fingerprint("features")
        repo.commit("features v2")
        new_digest = repo.dvc_md5("data/features.parquet")
        second = _train("train-salary-2", changed, "salary", "challenger")
    return {"old": old_digest, "new": new_digest, "runs": (first, second)}


def _json_get(server, path):
    status, headers, body = server.get(path)
    assert status == 200, body
    assert headers["Content-Type"] == "application/json"
    return json.loads(body)


def test_graph_json_of_a_model_version_reaches_its_dataset(ui, story):
    graph = _json_get(ui, "/datacouple/api/lineage?model=salary@champion")
    assert graph["format"] == "datacouple.lineage/1"
    ids = {node["id"]: node for node in graph["nodes"]}
    assert ids["model_version:salary/1"]["aliases"] == ["champion"]
    # Its signature was read from the logged model's MLmodel behind the server's proxy.
    assert ids["model_version:salary/1"]["signature_inputs"] == FEATURES
    assert f"dataset:features@{story['old']}" in ids
    assert f"run:{story['runs'][0]}" in ids
    run = ids[f"run:{story['runs'][0]}"]
    assert run["url"] == f"#/experiments/{run['experiment_id']}/runs/{story['runs'][0]}"


def test_graph_json_of_a_dataset_flags_the_breaking_version(ui, story):
    graph = _json_get(ui, "/datacouple/api/lineage?dataset=features")
    old, new = f"dataset:features@{story['old']}", f"dataset:features@{story['new']}"
    (version,) = [e for e in graph["edges"] if e["kind"] == "version"]
    assert (version["source"], version["target"]) == (old, new)
    assert version["changes"]["breaking"] == 2
    current = {n["id"]: n["current"] for n in graph["nodes"] if n["kind"] == "dataset"}
    assert current == {old: False, new: True}
    by_digest = _json_get(ui, f"/datacouple/api/lineage?dataset={story['old']}")
    assert old in {n["id"] for n in by_digest["nodes"]}


def test_diff_endpoint_classifies_the_logged_versions(ui, story):
    report = _json_get(ui, f"/datacouple/api/diff?dataset=features&old={story['old']}"
                           f"&new={story['new']}")
    found = {(c["kind"], c["column"], c["severity"]) for c in report["changes"]}
    assert ("missing_encoding_changed", "League", "breaking") in found
    assert ("scale_changed", "Salary", "breaking") in found
    assert report["summary"]["breaking"] == 2


def test_page_is_served_with_the_csp(ui, story):
    status, headers, body = ui.get("/datacouple/lineage?model=salary/2", accept="text/html")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert headers["Content-Security-Policy"] == SERVED_CSP
    assert b'<script src="/datacouple/static/lineage.js"></script>' in body
    assert b'id="datacouple-graph"' in body and b"model_version:salary/2" in body


def test_browser_draws_the_lineage_and_the_diff(ui, story, chromium, tmp_path):
    url = f"{ui.url}/datacouple/lineage?dataset=features"
    dom = chromium.dump_dom(url)
    graph = _json_get(ui, "/datacouple/api/lineage?dataset=features")
    assert f'data-rendered="{len(graph["nodes"])}"' in dom
    assert dom.count('class="dc-node ') == len(graph["nodes"])
    assert '<text class="dc-node-title" x="16" y="22">features</text>' in dom
    assert ">salary v1</text>" in dom and ">@champion</text>" in dom
    assert ">2 breaking</text>" in dom
    # The newest version is selected on load; its diff was fetched from /datacouple/api/diff.
    assert "missing_encoding_changed" in dom and "scale_changed" in dom
    shot = chromium.screenshot(url, tmp_path / "lineage.png", size=(1600, 600))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("DATACOUPLE_UPDATE_SCREENSHOT"):  # refresh docs/img/lineage.png
        target = Path(__file__).resolve().parents[2] / "docs" / "img" / "lineage.png"
        target.write_bytes(shot.read_bytes())


# ---- `datacouple ui` without starting it ----

def test_plan_uses_the_tracking_store_or_mlflows_default():
    plan = plan_ui(environ={})
    assert plan.command[:4] == [sys.executable, "-m", "mlflow", "server"]
    assert plan.command[plan.command.index("--app-name") + 1] == "datacouple"
    assert plan.store == "sqlite:///mlflow.db" and plan.remote is None
    assert plan.url == "http://127.0.0.1:5000/datacouple/lineage"
    plan = plan_ui(port=5055, environ={"MLFLOW_TRACKING_URI": "sqlite:///team.db"})
    assert plan.store == "sqlite:///team.db" and plan.url.endswith(":5055/datacouple/lineage")


def test_a_tracking_server_is_not_a_store(tmp_path):
    env = {**os.environ, "MLFLOW_TRACKING_URI": "http://mlflow.example:5000"}
    result = subprocess.run([*DATACOUPLE, "ui"], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 2
    assert "mlflow server --app-name datacouple" in result.stderr
    assert "docs/lineage-view.md" in result.stderr
    assert not Path(tmp_path, "mlflow.db").exists()
