"""Shared fixtures: real git + DVC repositories in tmp dirs, driven by the real `dvc` CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from helpers import dvc_command, project_env


class DvcRepo:
    """A git + DVC repository in a tmp dir, with the few commands tests need."""

    def __init__(self, root: Path):
        self.root = root

    def run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(command, cwd=self.root, capture_output=True, text=True)
        if check and result.returncode != 0:
            raise AssertionError(
                f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}{result.stderr}"
            )
        return result

    def dvc(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self.run(*dvc_command(), *args, check=check)

    def git(self, *args: str) -> subprocess.CompletedProcess:
        return self.run("git", *args)

    def write(self, relpath: str, content: bytes | str) -> Path:
        path = self.root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode("utf-8")
        path.write_bytes(content)
        return path

    def commit(self, message: str) -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)
        return self.git("rev-parse", "HEAD").stdout.strip()

    def dvc_out(self, dvc_file: str) -> dict:
        """The single `outs` entry of a `.dvc` file that `dvc add` wrote."""
        document = yaml.safe_load((self.root / dvc_file).read_text(encoding="utf-8"))
        (out,) = document["outs"]
        return out


def _site_cache_dir(tmp_path_factory) -> str:
    # The same directory project_env names, so subprocesses and in-process DVC share it.
    return str(tmp_path_factory.getbasetemp() / "dvc-site-cache")


@pytest.fixture
def dvc_env(tmp_path_factory, monkeypatch):
    """Environment for real dvc/git runs: no analytics, no update checks, no global state.

    DVC's state db (its "site cache") goes to a tmp dir instead of /var/tmp/dvc; the same
    variable reaches both the `dvc` subprocesses and DVC's Repo opened inside the test.
    """
    for key, value in project_env(tmp_path_factory.getbasetemp()).items():
        monkeypatch.setenv(key, value)


@pytest.fixture(scope="session")
def _dvc_repo_template(tmp_path_factory) -> Path:
    """`git init` + `dvc init` once per session (~1 s); each test gets a copy."""
    root = tmp_path_factory.mktemp("dvc-template") / "repo"
    root.mkdir()
    env = {
        **os.environ,
        "DVC_NO_ANALYTICS": "1",
        "DVC_SITE_CACHE_DIR": _site_cache_dir(tmp_path_factory),
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    for command in (
        ["git", "init", "-q"],
        [*dvc_command(), "init", "-q"],
        [*dvc_command(), "config", "core.check_update", "false"],
    ):
        subprocess.run(command, cwd=root, env=env, check=True, capture_output=True)
    return root


@pytest.fixture
def dvc_repo(tmp_path, dvc_env, _dvc_repo_template) -> DvcRepo:
    """A fresh git + DVC repository (nothing committed yet) at `tmp_path / "repo"`."""
    root = tmp_path / "repo"
    shutil.copytree(_dvc_repo_template, root, symlinks=True)
    return DvcRepo(root)
