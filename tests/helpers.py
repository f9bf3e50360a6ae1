"""Helpers the test modules share: the real CLI runner and the one-line-error assertion."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
CLI = [str(Path(sys.executable).with_name("datacouple"))]


def run_cli(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    """The installed `datacouple` console script, run as a user would."""
    return subprocess.run([*CLI, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


def assert_one_line_error(result: subprocess.CompletedProcess, *fragments: str) -> None:
    """Exit code 2 and exactly one line on stderr, naming every fragment."""
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("datacouple: error: ")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def dvc_command() -> list[str]:
    """The `dvc` executable installed next to this interpreter, else `python -m dvc`."""
    executable = Path(sys.executable).with_name("dvc")
    return [str(executable)] if executable.exists() else [sys.executable, "-m", "dvc"]


def project_env(base: Path) -> dict[str, str]:
    """Environment for real git/dvc/datacouple runs: no analytics, no global git config, a
    private DVC site cache, a fixed author."""
    env = {**os.environ, "DVC_NO_ANALYTICS": "1", "GIT_CONFIG_NOSYSTEM": "1",
           "DVC_SITE_CACHE_DIR": str(base / "dvc-site-cache")}
    for role in ("AUTHOR", "COMMITTER"):
        env[f"GIT_{role}_NAME"] = "datacouple tests"
        env[f"GIT_{role}_EMAIL"] = "tests@datacouple.invalid"
    return env


class GitDvcProject:
    """A git + DVC repository in a tmp dir, driven commit by commit through the real `git`,
    `dvc` and `datacouple` command lines (the same environment for each)."""

    def __init__(self, root: Path, env: dict[str, str]):
        self.root = root
        self.env = env

    def run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(command, cwd=self.root, env=self.env, capture_output=True,
                                text=True, timeout=180)
        if check and result.returncode != 0:
            raise AssertionError(f"{' '.join(command)}: {result.stdout}{result.stderr}")
        return result

    def datacouple(self, *args: str) -> subprocess.CompletedProcess:
        return self.run(*CLI, *args, check=False)

    def diff_json(self, *args: str) -> tuple[int, dict]:
        result = self.datacouple("diff", *args, "--format", "json")
        assert result.returncode in (0, 1), result.stderr
        return result.returncode, json.loads(result.stdout)

    def save_data(self, relpath: str, frame) -> None:
        """Write a table as Parquet and `dvc add` it."""
        path = self.root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.to_parquet(path, index=False)
        self.run(*dvc_command(), "add", "-q", relpath)

    def fingerprint(self, name: str) -> None:
        self.run(*CLI, "fingerprint", name)

    def commit(self, message: str) -> None:
        self.run("git", "add", "-A")
        self.run("git", "commit", "-q", "-m", message)

    def copy(self, destination: Path) -> GitDvcProject:
        shutil.copytree(self.root, destination, symlinks=True)
        return GitDvcProject(destination, self.env)
