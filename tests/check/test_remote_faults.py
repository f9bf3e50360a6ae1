"""`check --recompute` when the data of a revision is in no DVC cache here and the DVC remote is
missing, unreachable or not configured: one line naming the remote and what to do, exit 2."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest

from check_repo import hitters_features, null_band_as_empty_string
from helpers import GitDvcProject, assert_one_line_error, dvc_command


@pytest.fixture(scope="module")
def fresh_clone(main_branch: GitDvcProject, tmp_path_factory) -> GitDvcProject:
    """A branch whose fingerprints were never committed (so --recompute must read the data at
    both revisions through DVC), cloned afresh: its DVC cache is empty."""
    base = tmp_path_factory.mktemp("remote-faults")
    origin = main_branch.copy(base / "origin")
    origin.run("git", "checkout", "-q", "-b", "feature/migration")
    for branch in ("main", "feature/migration"):
        origin.run("git", "checkout", "-q", branch)
        origin.run("git", "rm", "-q", "fingerprints/features.json")
        origin.run("git", "commit", "-q", "-m", "stop committing the fingerprint")
    origin.save_data("data/features.parquet", null_band_as_empty_string(hitters_features()))
    origin.commit("migrate without fingerprints")
    origin.run(*dvc_command(), "push", "-q")
    clone = base / "clone"
    subprocess.run(["git", "clone", "-q", "--branch", "feature/migration",
                    f"file://{origin.root}", str(clone)], check=True, env=origin.env)
    # No tracking server: every breaking change counts (see test_check.py).
    repo = GitDvcProject(clone, {**origin.env, "MLFLOW_TRACKING_URI": "http://127.0.0.1:9"})
    repo.run("git", "branch", "-q", "main", "origin/main")
    return repo


def _closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def clone(fresh_clone: GitDvcProject, tmp_path: Path) -> GitDvcProject:
    return fresh_clone.copy(tmp_path / "clone")


def _check(clone: GitDvcProject) -> subprocess.CompletedProcess:
    return clone.datacouple("check", "--head", "HEAD", "--recompute")


def _no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stdout + result.stderr


def test_a_missing_remote_directory(clone: GitDvcProject, tmp_path: Path):
    gone = tmp_path / "moved-away"
    clone.run(*dvc_command(), "remote", "modify", "--local", "local", "url", str(gone))
    result = _check(clone)
    assert_one_line_error(result, "data/features.parquet", "not in the DVC cache",
                          f"the DVC remote 'local' ({gone}) does not exist",
                          "dvc remote modify local url")
    _no_traceback(result)


def test_an_unreachable_remote(clone: GitDvcProject):
    url = f"http://127.0.0.1:{_closed_port()}/dvc-store"
    clone.run(*dvc_command(), "remote", "modify", "--local", "local", "url", url)
    result = _check(clone)
    assert_one_line_error(result, f"the DVC remote 'local' ({url}) cannot be reached",
                          "Connection refused")
    _no_traceback(result)


def test_a_remote_url_is_shown_without_its_credentials(clone: GitDvcProject):
    port = _closed_port()
    url = f"https://ci-bot:s3cret-token@127.0.0.1:{port}/dvc-store"
    clone.run(*dvc_command(), "remote", "modify", "--local", "local", "url", url)
    result = _check(clone)
    assert_one_line_error(result, f"(https://127.0.0.1:{port}/dvc-store) cannot be reached")
    assert "s3cret" not in result.stderr and "ci-bot" not in result.stderr


def test_a_remote_without_the_data(clone: GitDvcProject, tmp_path: Path):
    empty = tmp_path / "empty-remote"
    empty.mkdir()
    clone.run(*dvc_command(), "remote", "modify", "--local", "local", "url", str(empty))
    result = _check(clone)
    assert_one_line_error(result, f"the DVC remote 'local' ({empty}) does not hold it",
                          "dvc push")


def test_no_remote_configured(clone: GitDvcProject):
    clone.run(*dvc_command(), "remote", "default", "--unset")
    result = _check(clone)
    assert_one_line_error(result, "not in the DVC cache", "no DVC remote is configured at ",
                          "dvc remote add --local -d")
    _no_traceback(result)


def test_the_remote_back_in_place_recomputes(clone: GitDvcProject):
    """The control: the same clone with its remote as committed reads the data and finds the
    breaking change (so the failures above are the remote's, not the setup's)."""
    result = _check(clone)
    assert result.returncode == 1, result.stderr
    assert "salary_band" in result.stdout
