"""Helpers the test modules share: the real CLI runner and the one-line-error assertion."""

from __future__ import annotations

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
