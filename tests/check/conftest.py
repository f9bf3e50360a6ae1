"""Fixtures of the check tests."""

from __future__ import annotations

import pytest

from check_repo import hitters_features
from helpers import GitDvcProject, dvc_command, project_env


@pytest.fixture(scope="module")
def main_branch(tmp_path_factory) -> GitDvcProject:
    """`main` with one dataset, fingerprinted and committed, and its data pushed to a local DVC
    remote. Tests work on copies (see `project`)."""
    base = tmp_path_factory.mktemp("check")
    repo = GitDvcProject(base / "repo", project_env(base))
    repo.root.mkdir()
    repo.run("git", "init", "-q", "-b", "main")
    repo.run(*dvc_command(), "init", "-q")
    repo.run(*dvc_command(), "remote", "add", "-q", "-d", "local", str(base / "dvc-remote"))
    (repo.root / "datacouple.toml").write_text(
        '[datasets.features]\npath = "data/features.parquet"\n'
        '[check]\nbase = "main"\n'
    )
    repo.save_data("data/features.parquet", hitters_features())
    repo.fingerprint("features")
    repo.commit("features as published")
    repo.run(*dvc_command(), "push", "-q")
    return repo
