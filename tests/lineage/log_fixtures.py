"""LOG's test helpers: a real git + DVC repository with public data, and a real `mlflow server`
subprocess that a test can stop and start again on the same port (the journal tests)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

import datacouple
from datacouple.config import load_config
from datacouple.errors import DatacoupleError
from datacouple.lineage.server import stop, wait_for_health

from public_data import islp_frame

BIN = Path(sys.executable).parent
CONFIG = """\
[datasets.features]
path = "data/features.parquet"
fingerprint = "fingerprints/features.json"

[datasets.parts]
path = "data/parts"
fingerprint = "fingerprints/parts.json"
"""


def repo_env(site_cache: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DVC_NO_ANALYTICS": "1",
        "DVC_SITE_CACHE_DIR": str(site_cache),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "datacouple tests", "GIT_AUTHOR_EMAIL": "tests@datacouple.invalid",
        "GIT_COMMITTER_NAME": "datacouple tests",
        "GIT_COMMITTER_EMAIL": "tests@datacouple.invalid",
    }


class GitDvcRepo:
    """A git + DVC repository: `features` (Hitters, one Parquet file) and `parts` (Credit, a
    directory of two Parquet files), both `dvc add`ed and pushed to a local directory remote,
    with their fingerprints committed."""

    def __init__(self, root: Path, env: dict[str, str]):
        self.root = root
        self.env = env

    def run(self, *command: str) -> str:
        result = subprocess.run(command, cwd=self.root, env=self.env, capture_output=True,
                                text=True)
        if result.returncode != 0:
            raise AssertionError(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")
        return result.stdout

    def dvc(self, *args: str) -> str:
        return self.run(str(BIN / "dvc"), *args)

    def git(self, *args: str) -> str:
        return self.run("git", *args)

    def commit(self, message: str) -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)
        return self.git("rev-parse", "HEAD").strip()

    def dvc_md5(self, relpath: str) -> str:
        document = yaml.safe_load((self.root / f"{relpath}.dvc").read_text())
        return document["outs"][0]["md5"]

    def write_features(self, frame: pd.DataFrame) -> None:
        frame.to_parquet(self.root / "data" / "features.parquet", index=False)

    def write_parts(self, frame: pd.DataFrame) -> None:
        parts = self.root / "data" / "parts"
        shutil.rmtree(parts, ignore_errors=True)
        parts.mkdir(parents=True)
        half = len(frame) // 2
        frame.iloc[:half].to_parquet(parts / "part-0.parquet", index=False)
        frame.iloc[half:].to_parquet(parts / "part-1.parquet", index=False)

    def fingerprint(self, name: str) -> None:
        """Write the dataset's fingerprint file, as `datacouple fingerprint NAME` does."""
        config = load_config(self.root)
        dataset = config.datasets[name]
        document = datacouple.fingerprint(dataset.path, name=name, repo_root=self.root)
        datacouple.write_fingerprint(document, dataset.fingerprint)


def build_repo(root: Path, site_cache: Path) -> GitDvcRepo:
    root.mkdir(parents=True)
    repo = GitDvcRepo(root, repo_env(site_cache))
    repo.git("init", "-q")
    repo.dvc("init", "-q")
    repo.dvc("config", "core.check_update", "false")
    repo.dvc("remote", "add", "-d", "local", str(root.parent / "dvc-remote"))
    (root / "datacouple.toml").write_text(CONFIG)
    (root / "data").mkdir()
    repo.write_features(islp_frame("Hitters"))
    repo.write_parts(islp_frame("Credit"))
    repo.dvc("add", "-q", "data/features.parquet", "data/parts")
    repo.fingerprint("features")
    repo.fingerprint("parts")
    repo.dvc("push", "-q")
    repo.commit("data v1 with fingerprints")
    return repo


def copy_repo(template: GitDvcRepo, root: Path) -> GitDvcRepo:
    """A copy of the template (its DVC remote is shared: content-addressed, so harmless)."""
    shutil.copytree(template.root, root, symlinks=True)
    return GitDvcRepo(root, template.env)


# --------------------------------------------------------------------------- mlflow server


@dataclass
class ServerProcess:
    root: Path
    port: int
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90) -> None:
        log = open(self.root / "server.log", "ab")  # noqa: SIM115  (the process owns it)
        self.process = subprocess.Popen(
            [str(BIN / "mlflow"), "server",
             "--backend-store-uri", f"sqlite:///{self.root / 'mlflow.db'}",
             "--artifacts-destination", str(self.root / "artifacts"),
             "--host", "127.0.0.1", "--port", str(self.port), "--workers", "1"],
            cwd=self.root, stdout=log, stderr=subprocess.STDOUT,
            # Its own process group: `mlflow server` runs uvicorn as a child process, and
            # stopping must stop both (the group of the process started here, nothing else).
            start_new_session=True,
        )
        try:
            wait_for_health(self.url, self.process, timeout)
        except DatacoupleError:
            self.stop()
            raise AssertionError("mlflow server did not become healthy:\n"
                                 + (self.root / "server.log").read_text()[-3000:]) from None

    def stop(self) -> None:
        if self.process is None:
            return
        stop(self.process, grace=20)
        self.process = None
        # Down means refused: wait until nothing listens on the port any more.
        for _ in range(50):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) != 0:
                    return
            time.sleep(0.1)
