"""The lineage view in a real `mlflow server --app-name datacouple`, started by `datacouple ui`
(uvicorn, MLflow's default) and once through gunicorn (the Flask path)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from lineage_servers import MlflowServer, free_port, start_mlflow_server, stop_mlflow_server

from datacouple.lineage.page import SERVED_CSP
from datacouple.lineage.server import plan_ui

DATACOUPLE = [sys.executable, "-m", "datacouple.cli"]


@pytest.fixture(scope="module")
def ui(tmp_path_factory):
    """`datacouple ui` on a free port with a sqlite store in tmp; stopped with Ctrl-C."""
    root = tmp_path_factory.mktemp("ui")
    port = free_port()
    log = root / "ui.log"
    env = {**os.environ, "MLFLOW_TRACKING_URI": ""}
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [*DATACOUPLE, "ui", "--port", str(port), "--backend-store-uri",
             f"sqlite:///{root / 'mlflow.db'}"], cwd=root, stdout=out, stderr=subprocess.STDOUT,
            env=env)
    deadline = time.monotonic() + 180
    while "Lineage view: " not in log.read_text(errors="replace"):
        assert process.poll() is None, log.read_text(errors="replace")[-3000:]
        assert time.monotonic() < deadline, "datacouple ui did not start"
        time.sleep(0.5)
    server = MlflowServer(f"http://127.0.0.1:{port}", f"sqlite:///{root / 'mlflow.db'}", root,
                          process)
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
    server = start_mlflow_server(tmp_path, "--gunicorn-opts", "--workers 1 --timeout 120")
    try:
        status, headers, _ = server.get("/datacouple/static/lineage.js")
        assert status == 200 and headers["Content-Type"].startswith("text/javascript")
        status, headers, body = server.get("/datacouple/lineage?run=nope")
        assert status == 404 and headers["Content-Security-Policy"] == SERVED_CSP
        assert (headers.get("Server") or "").startswith("gunicorn") and b"nope" in body
    finally:
        stop_mlflow_server(server.process)


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
