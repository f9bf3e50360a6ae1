"""Real servers and a real browser for the lineage tests: `mlflow server --app-name datacouple`
subprocesses on 127.0.0.1 and a free port, and headless Debian chromium."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class MlflowServer:
    url: str              # http://127.0.0.1:PORT
    store: str            # sqlite:///.../mlflow.db
    root: Path            # its working directory (./mlartifacts lives here)
    process: subprocess.Popen

    def get(self, path: str, accept: str = "*/*") -> tuple[int, Message, bytes]:
        request = urllib.request.Request(self.url + path, headers={"Accept": accept})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()


def start_mlflow_server(root: Path, *extra: str, env: dict | None = None) -> MlflowServer:
    from datacouple.lineage.server import wait_for_health

    root.mkdir(parents=True, exist_ok=True)
    port = free_port()
    store = f"sqlite:///{root / 'mlflow.db'}"
    command = [sys.executable, "-m", "mlflow", "server", "--app-name", "datacouple",
               "--backend-store-uri", store, "--host", "127.0.0.1", "--port", str(port),
               "--workers", "1", *extra]
    log = open(root / "server.log", "wb")  # noqa: SIM115  (closed with the process)
    process = subprocess.Popen(command, cwd=root, stdout=log, stderr=subprocess.STDOUT,
                               env={**os.environ, **(env or {})}, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(url, process, timeout=180)
    except Exception:
        stop_mlflow_server(process)
        raise AssertionError("mlflow server did not start:\n" +
                             (root / "server.log").read_text(errors="replace")[-3000:]) from None
    return MlflowServer(url, store, root, process)


def stop_mlflow_server(process: subprocess.Popen) -> None:
    from datacouple.lineage.server import stop

    stop(process, grace=3)  # a test server: no need to wait for idle keep-alive connections


class Chromium:
    def __init__(self, binary: str, profile: Path):
        self.binary = binary
        self.profile = profile

    def _run(self, url: str, *args: str) -> subprocess.CompletedProcess:
        command = [self.binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                   "--no-first-run", "--disable-background-networking",
                   "--disable-component-update", "--disable-sync",
                   f"--user-data-dir={self.profile}", "--virtual-time-budget=5000", *args, url]
        return subprocess.run(command, capture_output=True, text=True, timeout=120)

    def dump_dom(self, url: str) -> str:
        """The DOM after the page's scripts ran."""
        result = self._run(url, "--dump-dom")
        assert result.returncode == 0, result.stderr[-2000:]
        return result.stdout

    def dump_dom_and_console(self, url: str) -> tuple[str, list[str]]:
        """The DOM, and what the page logged to its console (Chromium reports a script the
        Content-Security-Policy blocked there: "... violates the following Content Security
        Policy directive ...")."""
        result = self._run(url, "--dump-dom", "--enable-logging=stderr", "--v=0")
        assert result.returncode == 0, result.stderr[-2000:]
        return result.stdout, [line for line in result.stderr.splitlines() if ":CONSOLE" in line]

    def screenshot(self, url: str, path: Path, size: tuple[int, int] = (1600, 900)) -> Path:
        result = self._run(url, f"--screenshot={path}", f"--window-size={size[0]},{size[1]}",
                           "--hide-scrollbars")
        assert result.returncode == 0 and path.exists(), result.stderr[-2000:]
        return path


@contextlib.contextmanager
def mlflow_pointed_at(uri: str, cwd: Path | None = None, keep_env: tuple[str, ...] = ()):
    """This process's MLflow client on `uri` (tracking and registry), optionally from `cwd`;
    afterwards everything is put back: the directory, both URIs, and the environment variables
    MLflow's setters export (plus `keep_env`, which the body may change)."""
    import mlflow

    previous = (os.getcwd(), mlflow.get_tracking_uri(), mlflow.get_registry_uri())
    saved_env = {name: os.environ.get(name)
                 for name in ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI", *keep_env)}
    if cwd is not None:
        os.chdir(cwd)
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    try:
        yield
    finally:
        os.chdir(previous[0])
        mlflow.set_tracking_uri(previous[1])
        mlflow.set_registry_uri(previous[2])
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
