"""Shared lineage fixtures. APP's: `mlflow_server` (a real `mlflow server --app-name datacouple`
subprocess on 127.0.0.1 and a free port, sqlite store in tmp) and `chromium` (headless Debian
chromium, skipped only when the binary is absent)."""

from __future__ import annotations

import shutil

import pytest
from lineage_servers import CHROMIUM_NAMES, Chromium, start_mlflow_server, stop_mlflow_server


@pytest.fixture(scope="module")
def mlflow_server(tmp_path_factory):
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
