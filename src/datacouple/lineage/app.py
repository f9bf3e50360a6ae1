"""The `datacouple` MLflow app: `mlflow server --app-name datacouple` serves the lineage view.

Registered as the `mlflow.app` entry point `datacouple` (pyproject.toml). `mlflow server` looks
the name up in that entry-point group and, because `create_app` is a plain function, starts it
as a factory: `uvicorn --factory datacouple.lineage.app:create_app` by default, or
`gunicorn 'datacouple.lineage.app:create_app()'` with `--gunicorn-opts`. Like MLflow's own
basic-auth app we add our routes to MLflow's Flask app (`mlflow.server.app`), then hand uvicorn
the FastAPI wrapper MLflow builds around it, or gunicorn/waitress the Flask app itself.

Routes (under the server's `--static-prefix`, if any):
    GET /datacouple/lineage[?dataset=NAME|DIGEST|model=NAME/VERSION|NAME@ALIAS|NAME|run=ID]
    GET /datacouple/api/lineage?...same...                                        graph JSON
    GET /datacouple/api/diff?dataset=NAME&old=DIGEST&new=DIGEST                   diff JSON
    GET /datacouple/static/<file>                                                 JS / CSS
Errors are one-line JSON (`{"error": ...}`; the HTML route renders the line in a page):
404 for names the store does not know, 400 for a malformed query, 500 otherwise (the
traceback goes to the server log only). Every answer under `/datacouple/` (errors, static
files, and refusals by an auth layer in front) carries the page's Content-Security-Policy and
`X-Content-Type-Options: nosniff`.

Basic authentication: MLflow runs one `--app-name`, so `DATACOUPLE_AUTH=basic` in the server's
environment makes this factory wrap MLflow's own basic-auth app (`mlflow.server.auth`, its
users, `basic_auth.ini` / `MLFLOW_AUTH_CONFIG_PATH`) around the lineage routes. Anonymous
requests are then refused (401), and the view, which draws every experiment and registered
model at once, answers only MLflow admins (403 for other users: MLflow's permissions are per
experiment and model, and one graph cannot honour them piecemeal).
"""

from __future__ import annotations

import functools
import html
import json
import logging
import os

from flask import Flask, Response, request
from mlflow.environment_variables import _MLFLOW_SGI_NAME
from mlflow.exceptions import MlflowException

from ..changes import diff_fingerprints, to_report
from ..errors import DatacoupleError
from . import server_store
from .graph import build_graph
from .page import SERVED_CSP, render_html, static_asset

_log = logging.getLogger(__name__)

STATIC_FILES = {"lineage.js": "text/javascript; charset=utf-8",
                "lineage.css": "text/css; charset=utf-8"}
FOCUS_KINDS = ("dataset", "model", "run")
AUTH_ENV = "DATACOUPLE_AUTH"  # "basic": MLflow's basic auth around the view
SECURITY_HEADERS = {"Content-Security-Policy": SERVED_CSP, "X-Content-Type-Options": "nosniff",
                    "Referrer-Policy": "same-origin"}


class BadQuery(DatacoupleError):
    """A malformed request (HTTP 400)."""


def create_app(app: Flask | None = None):
    """The `mlflow.app` factory: MLflow's server app with the lineage routes added (and
    MLflow's basic auth around everything when `DATACOUPLE_AUTH=basic`)."""
    if app is None:
        from mlflow.server import app as mlflow_flask_app

        app = mlflow_flask_app
    add_routes(app)
    auth = os.environ.get(AUTH_ENV, "").strip().lower()
    if auth == "basic":
        return _with_basic_auth(app)
    if auth not in ("", "none"):
        raise ValueError(f"{AUTH_ENV}={auth!r}: use 'basic' (MLflow's basic auth) or leave it "
                         "unset")
    if _MLFLOW_SGI_NAME.get() == "uvicorn":
        from mlflow.server.fastapi_app import create_fastapi_app

        return create_fastapi_app(app)
    return app


def _with_basic_auth(app: Flask):
    """MLflow's basic-auth app around MLflow's server app and the lineage routes: it installs
    its authentication (every route but MLflow's few public ones) as a `before_request` hook,
    and returns the FastAPI wrapper under uvicorn, the Flask app otherwise. Our admin check
    runs after its hook, so only for requests it has authenticated."""
    from mlflow.server.auth import create_app as basic_auth

    wrapped = basic_auth(app)
    app.before_request(_lineage_needs_an_admin)
    return wrapped


def _lineage_needs_an_admin():
    """403 for an authenticated user who is not an MLflow admin (MLflow's own fail-closed
    default refuses them first; this holds when MLFLOW_BASIC_AUTH_FAIL_CLOSED is off too)."""
    if not _is_lineage_path(request.path):
        return None
    from mlflow.server.auth import sender_is_admin

    if sender_is_admin():
        return None
    return _json({"error": "the lineage view draws every experiment and registered model: "
                           "it needs an MLflow admin user"}, 403)


def add_routes(app: Flask) -> None:
    if "datacouple_lineage_page" in app.view_functions:  # a second factory call in one process
        return
    prefix = server_store.static_prefix()
    app.after_request(_security_headers)
    for rule, view in (
        ("/datacouple/lineage", lineage_page),
        ("/datacouple/api/lineage", lineage_json),
        ("/datacouple/api/diff", diff_json),
        ("/datacouple/static/<path:name>", static_file),
    ):
        app.add_url_rule(prefix + rule, endpoint=f"datacouple_{view.__name__}", view_func=view,
                         methods=["GET"])


def _is_lineage_path(path: str) -> bool:
    return path.startswith(server_store.static_prefix() + "/datacouple/")


def _security_headers(response: Response) -> Response:
    """The CSP and friends on every answer under /datacouple/, whoever produced it (our views,
    Flask's 404 and 405, an auth layer's 401/403)."""
    if _is_lineage_path(request.path):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
    return response


# ---- queries ----

def focus_from_query(args) -> tuple[str | None, str | None]:
    """(kind, value) of `?dataset=` / `?model=` / `?run=`; (None, None) for everything."""
    given = [(kind, args.get(kind, "").strip()) for kind in FOCUS_KINDS if kind in args]
    if len(given) > 1:
        raise BadQuery("give one of dataset=, model= or run=, not several")
    if not given:
        return None, None
    kind, value = given[0]
    if not value:
        raise BadQuery(f"{kind}= needs a value")
    return kind, value


def _check_focus_exists(client, kind: str | None, value: str | None) -> None:
    """404 early for a model version, alias or run the store does not know."""
    if kind == "run":
        client.get_run(value)  # MlflowException RESOURCE_DOES_NOT_EXIST -> 404
    elif kind == "model":
        if "@" in value:
            name, alias = value.split("@", 1)
            client.get_model_version_by_alias(name, alias)
        elif "/" in value:
            name, version = value.rsplit("/", 1)
            if not version.isdigit():
                raise BadQuery(f"model= wants NAME/VERSION or NAME@ALIAS, got {value!r}")
            client.get_model_version(name, version)
        else:
            client.get_registered_model(value)
    elif kind == "dataset":
        server_store.check_dataset_name(value)


def lineage_graph(args) -> dict:
    """The graph JSON (datacouple.lineage/1) for a request's query."""
    kind, value = focus_from_query(args)
    client = server_store.server_client()
    _check_focus_exists(client, kind, value)
    try:
        graph = build_graph(client, **({kind: value} if kind else {}),
                            repo_root=server_store.repo_root())
    except DatacoupleError as error:  # build_graph's "unknown ..." for names it cannot find
        raise server_store.NotFound(str(error)) from None
    document = graph.to_dict()
    if kind == "dataset" and not any(n.get("kind") == "dataset" and value in (n.get("name"),
                                                                             n.get("digest"))
                                     for n in document.get("nodes", [])):
        raise server_store.NotFound(f"no logged version of dataset {value}")
    return document


# ---- views ----

def _json(payload, status: int = 200) -> Response:
    response = Response(json.dumps(payload, sort_keys=True), status=status,
                        mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


def _failure(error: Exception) -> tuple[int, str]:
    """(HTTP status, one-line message) of an error; unexpected ones are logged, not shown."""
    if isinstance(error, server_store.NotFound):
        return 404, str(error)
    if isinstance(error, DatacoupleError):
        return 400, str(error)
    if isinstance(error, MlflowException):
        status = error.get_http_status_code()
        return (status if status < 500 else 500), " ".join(str(error.message).split())
    _log.exception("datacouple lineage view failed")
    return 500, f"internal error ({type(error).__name__}); see the server log"


def _guarded(view):
    """JSON views answer errors with `{"error": one line}` and a status, never a traceback."""
    @functools.wraps(view)
    def run(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except Exception as error:
            status, message = _failure(error)
            return _json({"error": message}, status)
    return run


@_guarded
def lineage_json():
    return _json(lineage_graph(request.args))


@_guarded
def diff_json():
    missing = [key for key in ("dataset", "old", "new") if not request.args.get(key)]
    if missing:
        raise BadQuery("diff needs dataset=, old= and new= (missing: " + ", ".join(missing) + ")")
    dataset = request.args["dataset"]
    client = server_store.server_client()
    old = server_store.logged_fingerprint(client, dataset, request.args["old"])
    new = server_store.logged_fingerprint(client, dataset, request.args["new"])
    return _json(to_report(diff_fingerprints(old, new)))


def lineage_page():
    prefix = server_store.static_prefix()
    try:
        graph = lineage_graph(request.args)
    except Exception as error:
        status, message = _failure(error)
        return _page_response(_error_page(message, prefix), status)
    body = render_html(graph, diff_url=f"{prefix}/datacouple/api/diff",
                       static_url=f"{prefix}/datacouple/static", ui_root=f"{prefix}/")
    return _page_response(body, 200)


def static_file(name: str):
    if name not in STATIC_FILES:
        return _json({"error": f"no static file {name}"}, 404)
    response = Response(static_asset(name), mimetype=STATIC_FILES[name].split(";")[0])
    response.headers["Content-Type"] = STATIC_FILES[name]
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def _page_response(body: str, status: int) -> Response:
    response = Response(body, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    response.headers.update(SECURITY_HEADERS)
    return response


def _error_page(message: str, prefix: str) -> str:
    css = html.escape(f"{prefix}/datacouple/static/lineage.css", quote=True)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f'<title>Lineage · datacouple</title><link rel="stylesheet" href="{css}"></head>'
            f'<body><header class="dc-header"><div class="dc-brand"><span class="dc-logo">dc'
            f'</span> datacouple</div></header><p class="dc-empty dc-error">'
            f'{html.escape(message)}</p></body></html>')
