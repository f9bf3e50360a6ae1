"""`datacouple ui`: MLflow's own server with the lineage view (`--app-name datacouple`).

The server is MLflow's (`python -m mlflow server`, same interpreter), so the UI, REST API and
artifact proxy behave exactly as users know them; we only add the app name, wait until it
answers `/health`, print the page's address, and pass Ctrl-C on to it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from ..errors import DatacoupleError

DEFAULT_STORE = "sqlite:///mlflow.db"  # MLflow's own default
STARTUP_TIMEOUT = 180.0  # a cold start (imports, sqlite migrations) takes tens of seconds


@dataclass(frozen=True)
class UiPlan:
    command: list[str]
    url: str          # the lineage page
    store: str        # the backend store the server reads
    remote: str | None  # MLFLOW_TRACKING_URI when it names a running server (http/https)


def plan_ui(host: str = "127.0.0.1", port: int = 5000, backend_store_uri: str | None = None,
            workers: int = 1, environ=None) -> UiPlan:
    """The `mlflow server` command `datacouple ui` runs, without running it."""
    environ = os.environ if environ is None else environ
    tracking = environ.get("MLFLOW_TRACKING_URI", "")
    remote = tracking if tracking.startswith(("http://", "https://")) else None
    store = backend_store_uri or (tracking if tracking and not remote else DEFAULT_STORE)
    if store.startswith(("http://", "https://")):
        raise DatacoupleError(f"--backend-store-uri {store} is a server, not a store: run the "
                              "lineage view on that server's store (see docs/lineage-view.md)")
    command = [sys.executable, "-m", "mlflow", "server", "--app-name", "datacouple",
               "--backend-store-uri", store, "--host", host, "--port", str(port),
               "--workers", str(workers)]
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    url = f"http://{shown_host}:{port}/datacouple/lineage"
    return UiPlan(command, url, store, remote)


def remote_hint(remote: str) -> str:
    return (f"MLFLOW_TRACKING_URI is the server {remote}: datacouple ui starts its own server "
            "on a store. To add the lineage view to that server, restart it with "
            "`mlflow server --app-name datacouple` and its usual options (datacouple installed "
            "next to it), or run `datacouple ui --backend-store-uri <its store URI>` here. "
            "See docs/lineage-view.md.")


def wait_for_health(base_url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise DatacoupleError(f"mlflow server exited with code {process.returncode} before "
                                  "it answered (is the port in use? see its output above)")
        try:
            with urllib.request.urlopen(f"{base_url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise DatacoupleError(f"mlflow server did not answer {base_url}/health within "
                          f"{timeout:.0f}s")


def stop(process: subprocess.Popen, grace: float = 15.0) -> int:
    """Stop the server the way Ctrl-C does (SIGINT to its process group), then harder."""
    if process.poll() is None:
        for sig, wait in ((signal.SIGINT, grace), (signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                break
            try:
                process.wait(wait)
                break
            except subprocess.TimeoutExpired:
                continue
    return process.wait()


def run_ui(host: str = "127.0.0.1", port: int = 5000, backend_store_uri: str | None = None,
           *, repo_root: str | None = None, echo=print) -> int:
    """Run the server until Ctrl-C; returns its exit code (0 after Ctrl-C)."""
    plan = plan_ui(host, port, backend_store_uri)
    if plan.remote and not backend_store_uri:
        echo(remote_hint(plan.remote))
        raise DatacoupleError("MLFLOW_TRACKING_URI is a server: pass --backend-store-uri, or "
                              "run `mlflow server --app-name datacouple` on that server")
    env = dict(os.environ)
    if repo_root:
        env["DATACOUPLE_REPO_ROOT"] = str(repo_root)
    # Its own process group: Ctrl-C reaches it through us once, not twice.
    process = subprocess.Popen(plan.command, env=env, start_new_session=True)
    previous = _stop_on_sigterm()
    try:
        wait_for_health(plan.url.rsplit("/datacouple/", 1)[0], process, STARTUP_TIMEOUT)
        echo(f"Lineage view: {plan.url}  (MLflow UI: {plan.url.rsplit('/datacouple/', 1)[0]}/,"
             f" store: {plan.store}). Ctrl-C stops it.")
        return process.wait()
    except KeyboardInterrupt:
        stop(process)
        return 0
    finally:
        if process.poll() is None:
            stop(process)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _stop_on_sigterm():
    """SIGTERM (docker stop, a CI timeout, kill) stops the server like Ctrl-C does: the
    server runs in its own session, so it would otherwise outlive us. Returns the handler it
    replaced (None off the main thread, where handlers cannot be set)."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, interrupt)
