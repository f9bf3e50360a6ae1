"""The served lineage view under attack, on real `mlflow server --app-name datacouple`
subprocesses: names that are markup stay text in a real browser (no script runs, none is even
attempted), every answer under /datacouple/ carries the Content-Security-Policy, and with
`DATACOUPLE_AUTH=basic` MLflow's basic auth guards the page and its data endpoints."""

from __future__ import annotations

import base64
import json
import re
import secrets
import urllib.error
import urllib.request
import warnings
from urllib.parse import quote

import pytest

from datacouple.lineage.page import SERVED_CSP
from lineage.lineage_servers import (
    MlflowServer,
    mlflow_pointed_at,
    start_mlflow_server,
    stop_mlflow_server,
)

from public_data import islp_frame

# What an attacker who can log a run or register a model controls: column names (through the
# data), the model's name, the run's name. Each would mark the page if it ever ran.
COLUMN = "<script>alert(1)</script>"
COLUMN_MARK = "<img src=x onerror=\"document.body.setAttribute('data-pwned','column')\">"
MODEL = "<img src=x onerror=document.body.setAttribute('data-pwned','model')>"
RUN = "</script><script>document.body.setAttribute('data-pwned','run')</script>"
DATASET = "markup"  # its own name: the server is shared with other modules' datasets


class _Constant:  # a pyfunc model: what it predicts does not matter here
    def predict(self, context, model_input, params=None):
        return [0.0] * len(model_input)


@pytest.fixture(scope="module")
def hostile(mlflow_server: MlflowServer, tmp_path_factory):
    """Two logged versions of a table whose columns are named like markup (the second turns
    the missing values of COLUMN into 0.0: a breaking change in that column), a model trained
    on them registered under a name that is markup, from a run whose name is markup."""
    import mlflow
    from mlflow.models import infer_signature
    from mlflow.pyfunc import PythonModel

    import datacouple

    frame = islp_frame("Hitters").rename(columns={"Salary": COLUMN, "League": COLUMN_MARK})
    changed = frame.copy()
    changed[COLUMN] = changed[COLUMN].fillna(0.0)
    # no datacouple.toml there: data frames only
    with mlflow_pointed_at(mlflow_server.url, cwd=tmp_path_factory.mktemp("hostile")):
        mlflow.set_experiment("hostile")
        with mlflow.start_run(run_name=RUN):
            old = datacouple.log_dataset(frame, name=DATASET)
        model = type("Constant", (_Constant, PythonModel), {})()
        with mlflow.start_run(run_name=RUN), warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            new = datacouple.log_dataset(changed, name=DATASET)
            info = mlflow.pyfunc.log_model(
                name="model", python_model=model, pip_requirements=[],
                signature=infer_signature(changed[[COLUMN, COLUMN_MARK, "Years"]], [0.0]))
        datacouple.register_model(info.model_uri, MODEL, alias="champion")
    return {"old": old.digest, "new": new.digest}


def _assert_nothing_ran(dom: str, console: list[str]) -> None:
    assert not re.search(r"<body[^>]*data-pwned", dom), "a name ran as script"
    assert "<img" not in dom  # no element was made from a name...
    blocked = [line for line in console if "Content Security Policy" in line]
    assert blocked == []  # ...and none was even attempted (the CSP would block it)


def test_markup_in_names_is_shown_as_text_in_a_browser(mlflow_server, hostile, chromium):
    status, _, body = mlflow_server.get(f"/datacouple/lineage?dataset={DATASET}")
    assert status == 200
    # The names travel only inside the JSON data block, escaped: no tag of theirs in the HTML.
    assert b"<script>alert" not in body and b"<img" not in body
    served_scripts = len(re.findall(rb"<script\b", body))

    # The newer version selected: its diff (fetched from /datacouple/api/diff) names the
    # changed column.
    selected = quote(f"dataset:{DATASET}@{hostile['new']}", safe="")
    dom, console = chromium.dump_dom_and_console(
        f"{mlflow_server.url}/datacouple/lineage?dataset={DATASET}#node={selected}")
    _assert_nothing_ran(dom, console)
    assert len(re.findall(r"<script\b", dom)) == served_scripts
    assert 'data-rendered="' in dom
    assert '<span class="dc-col">&lt;script&gt;alert(1)&lt;/script&gt;</span>' in dom
    assert "&lt;img src=x onerror=document.body.setAttribute('data-pwned','model')&gt;" in dom
    assert "&lt;/script&gt;&lt;script&gt;document.body.setAttribute" in dom  # the run's name


def test_markup_in_a_model_name_and_its_signature_is_text(mlflow_server, hostile, chromium):
    node = f"model_version:{MODEL}/1"
    url = (f"{mlflow_server.url}/datacouple/lineage?model={quote(MODEL + '/1', safe='')}"
           f"#node={quote(node, safe='')}")
    dom, console = chromium.dump_dom_and_console(url)
    _assert_nothing_ran(dom, console)
    # The details panel of the selected model version lists its signature inputs.
    assert ("&lt;script&gt;alert(1)&lt;/script&gt;, &lt;img src=x onerror=\"document.body."
            "setAttribute('data-pwned','column')\"&gt;, Years") in dom


def test_the_diff_and_graph_json_carry_the_names_as_plain_strings(mlflow_server, hostile):
    status, headers, body = mlflow_server.get(
        f"/datacouple/api/diff?dataset={DATASET}&old={hostile['old']}&new={hostile['new']}")
    assert status == 200 and headers["Content-Type"] == "application/json"
    columns = {change["column"] for change in json.loads(body)["changes"]}
    assert COLUMN in columns  # data, not markup: JSON served as JSON (nosniff) is never HTML
    assert headers["X-Content-Type-Options"] == "nosniff"


# --------------------------------------------------------------------------- the CSP


@pytest.mark.parametrize(("path", "status"), [
    ("/datacouple/lineage", 200),
    (f"/datacouple/lineage?dataset={DATASET}", 200),
    ("/datacouple/lineage?model=no-such-model/1", 404),
    ("/datacouple/lineage?dataset=a&run=b", 400),
    ("/datacouple/api/lineage", 200),
    ("/datacouple/api/lineage?run=0123456789abcdef0123456789abcdef", 404),
    ("/datacouple/api/lineage?model=", 400),
    ("/datacouple/api/diff?dataset=features", 400),
    ("/datacouple/static/lineage.js", 200),
    ("/datacouple/static/lineage.css", 200),
    ("/datacouple/static/..%2Fapp.py", 404),
    ("/datacouple/no-such-route", 404),  # Flask's own 404
])
def test_every_answer_under_datacouple_carries_the_csp(mlflow_server, hostile, path, status):
    got, headers, _ = mlflow_server.get(path)
    assert got == status
    assert headers["Content-Security-Policy"] == SERVED_CSP
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_a_post_is_refused_with_the_csp_too(mlflow_server):
    request = urllib.request.Request(mlflow_server.url + "/datacouple/api/lineage", data=b"{}",
                                     method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=60)
    assert refused.value.code == 405
    assert refused.value.headers["Content-Security-Policy"] == SERVED_CSP


def test_the_policy_forbids_what_an_injection_needs():
    directives = dict(part.strip().split(" ", 1) for part in SERVED_CSP.split(";"))
    assert directives["script-src"] == "'self'" and directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'" and directives["default-src"] == "'self'"
    assert "unsafe-inline" not in SERVED_CSP and "unsafe-eval" not in SERVED_CSP
    assert "*" not in SERVED_CSP and "http" not in SERVED_CSP


# --------------------------------------------------------------------------- basic auth


@pytest.fixture(scope="module")
def auth_server(tmp_path_factory):
    """`mlflow server --app-name datacouple` with DATACOUPLE_AUTH=basic: MLflow's basic auth
    (its own user store, in tmp) wraps MLflow and the lineage view. MLflow's fail-closed
    default is turned off here, so the view's own admin check is what refuses non-admins."""
    root = tmp_path_factory.mktemp("auth-server")
    password = secrets.token_urlsafe(18)
    config = root / "basic_auth.ini"
    config.write_text(
        "[mlflow]\n"
        "default_permission = READ\n"
        f"database_uri = sqlite:///{root / 'basic_auth.db'}\n"
        "admin_username = admin\n"
        f"admin_password = {password}\n"
        "authorization_function = mlflow.server.auth:authenticate_request_basic_auth\n")
    server = start_mlflow_server(root, env={
        "DATACOUPLE_AUTH": "basic", "MLFLOW_AUTH_CONFIG_PATH": str(config),
        "MLFLOW_FLASK_SERVER_SECRET_KEY": secrets.token_hex(16),  # MLflow's CSRF protection
        "MLFLOW_BASIC_AUTH_FAIL_CLOSED": "false"})
    server.admin = ("admin", password)
    yield server
    stop_mlflow_server(server.process)


def _call(server: MlflowServer, path: str, user: tuple[str, str] | None = None,
          method: str = "GET", payload: dict | None = None):
    headers = {"Accept": "*/*"}
    if user:
        token = base64.b64encode(f"{user[0]}:{user[1]}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    data = None
    if payload is not None:
        data = json.dumps(payload).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(server.url + path, data=data, headers=headers,
                                     method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


VIEW_PATHS = ("/datacouple/lineage", "/datacouple/api/lineage",
              "/datacouple/api/diff?dataset=features&old=0123456789abcdef0123456789abcdef"
              "&new=0123456789abcdef0123456789abcde0",
              "/datacouple/static/lineage.js")


@pytest.mark.parametrize("path", VIEW_PATHS)
def test_anonymous_and_wrong_passwords_are_refused(auth_server, path):
    for user in (None, ("admin", "not-the-password"), ("nobody", "x")):
        status, headers, body = _call(auth_server, path, user)
        assert status == 401, (user, body)
        assert headers["WWW-Authenticate"].startswith("Basic")
        assert headers["Content-Security-Policy"] == SERVED_CSP
        assert b"datacouple-graph" not in body and b"function layout" not in body


def test_the_admin_gets_the_page_and_its_data(auth_server):
    status, headers, body = _call(auth_server, "/datacouple/lineage", auth_server.admin)
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert headers["Content-Security-Policy"] == SERVED_CSP
    assert b'id="datacouple-graph"' in body
    status, _, body = _call(auth_server, "/datacouple/api/lineage", auth_server.admin)
    assert status == 200 and json.loads(body)["format"] == "datacouple.lineage/1"
    status, _, body = _call(auth_server, "/datacouple/static/lineage.js", auth_server.admin)
    assert status == 200 and b"function layout" in body
    # MLflow's own pages and API are guarded by the same users (nothing of MLflow's was lost).
    assert _call(auth_server, "/api/2.0/mlflow/experiments/search?max_results=1")[0] == 401
    assert _call(auth_server, "/api/2.0/mlflow/experiments/search?max_results=1",
                 auth_server.admin)[0] == 200
    assert _call(auth_server, "/health")[0] == 200  # MLflow's public routes stay public


def test_a_user_made_through_the_auth_api_needs_admin_rights(auth_server):
    viewer = ("viewer", secrets.token_urlsafe(18))
    status, _, body = _call(auth_server, "/api/2.0/mlflow/users/create", auth_server.admin,
                            "POST", {"username": viewer[0], "password": viewer[1]})
    assert status == 200, body
    # A real, authenticated user: MLflow's API answers them...
    assert _call(auth_server, "/api/2.0/mlflow/experiments/search?max_results=1",
                 viewer)[0] == 200
    # ...the view, which draws every experiment and model at once, does not.
    for path in VIEW_PATHS[:3]:
        status, headers, body = _call(auth_server, path, viewer)
        assert status == 403, body
        assert "needs an MLflow admin" in json.loads(body)["error"]
        assert headers["Content-Security-Policy"] == SERVED_CSP
    status, _, body = _call(auth_server, "/api/2.0/mlflow/users/update-admin",
                            auth_server.admin, "PATCH",
                            {"username": viewer[0], "is_admin": True})
    assert status == 200, body
    status, _, body = _call(auth_server, "/datacouple/lineage", viewer)
    assert status == 200 and b'id="datacouple-graph"' in body


def test_an_unknown_auth_setting_stops_the_factory(monkeypatch):
    """A typo must not start an open server that was meant to be guarded."""
    from flask import Flask

    from datacouple.lineage.app import create_app

    monkeypatch.setenv("DATACOUPLE_AUTH", "ldap")
    with pytest.raises(ValueError, match="DATACOUPLE_AUTH='ldap'"):
        create_app(Flask("throwaway"))
