"""`impact --evaluate` reads the base revision's data through DVC: when neither the DVC cache
nor a DVC remote has it, one line says which remote and what to do (exit 2), no traceback.
(Every kind of remote failure is told apart in tests/check/test_remote_faults.py, through
`check --recompute`, which reads data the same way.)"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from lineage.graph_scenario import DATASET, History, dvc_command

from helpers import assert_one_line_error


@pytest.fixture
def history_without_cache(lineage_history: History, tmp_path: Path) -> History:
    """A copy of the history's repository whose DVC cache is gone (a fresh CI checkout)."""
    root = tmp_path / "repo"
    shutil.copytree(lineage_history.repo.root, root, symlinks=True)
    shutil.rmtree(root / ".dvc" / "cache")
    repo = type(lineage_history.repo)(root, lineage_history.repo.env)
    return History(repo, lineage_history.store, lineage_history.v1, lineage_history.v2,
                   lineage_history.rev1, lineage_history.rev2)


def _evaluate(history: History) -> subprocess.CompletedProcess:
    return history.cli("impact", DATASET, "--base", "HEAD~1", "--evaluate")


def test_evaluate_with_a_missing_remote(history_without_cache: History, tmp_path: Path):
    gone = tmp_path / "unmounted" / "dvc-store"
    history_without_cache.repo.run(*dvc_command(), "remote", "add", "--local", "-d", "shared",
                                   str(gone))
    result = _evaluate(history_without_cache)
    assert_one_line_error(result, "data/hitters.parquet", "not in the DVC cache",
                          f"the DVC remote 'shared' ({gone}) does not exist",
                          "dvc remote modify shared url")
    assert "Traceback" not in result.stderr


def test_evaluate_scores_once_the_remote_has_the_data(history_without_cache: History,
                                                      lineage_history: History,
                                                      tmp_path: Path):
    """The control: with a remote that holds the data (DVC 3's cache and a local remote share
    one layout, files/md5/XX/...), the same cache-less copy evaluates."""
    store = tmp_path / "dvc-store"
    shutil.copytree(lineage_history.repo.root / ".dvc" / "cache", store)
    history_without_cache.repo.run(*dvc_command(), "remote", "add", "--local", "-d", "shared",
                                   str(store))
    result = _evaluate(history_without_cache)
    assert result.returncode == 1, result.stderr
    assert "59 of 322" in " ".join(result.stdout.split())
