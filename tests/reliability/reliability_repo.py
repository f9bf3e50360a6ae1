"""The project the reliability tests share: a real git + DVC repository with one dataset (ISLP's
Hitters as a feature table), fingerprinted and committed on `main`, and a branch that turns the
missing salary bands into "" (a breaking change) with its fingerprint committed too."""

from __future__ import annotations

import subprocess
from pathlib import Path

from helpers import GitDvcProject, dvc_command, project_env
from public_data import hitters_features, null_band_as_empty_string


def build_project(base: Path) -> GitDvcProject:
    repo = GitDvcProject(base / "repo", project_env(base))
    repo.root.mkdir(parents=True)
    repo.run("git", "init", "-q", "-b", "main")
    repo.run(*dvc_command(), "init", "-q")
    repo.run(*dvc_command(), "config", "core.check_update", "false")
    (repo.root / "datacouple.toml").write_text(
        '[datasets.features]\npath = "data/features.parquet"\n[check]\nbase = "main"\n')
    repo.save_data("data/features.parquet", hitters_features())
    repo.fingerprint("features")
    repo.commit("features as published")
    repo.run("git", "checkout", "-q", "-b", "feature/migration")
    repo.save_data("data/features.parquet", null_band_as_empty_string(hitters_features()))
    repo.fingerprint("features")
    repo.commit("migrate: missing bands as empty strings")
    return repo


def mount(*args: str) -> bool:
    """Run `mount ARGS`; whether it worked (needs root with CAP_SYS_ADMIN: CI and dev
    containers run as root)."""
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


def unmount(path: Path) -> None:
    if subprocess.run(["umount", str(path)], capture_output=True).returncode != 0:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)
