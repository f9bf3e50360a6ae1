"""Faults of the machine, made for real: a read-only working tree (a read-only bind mount, as a
CI job mounts a checkout) and a full disk (a small tmpfs, filled up) while a fingerprint is
written. Reading commands keep working; writing ones fail in one line, exit 2, and leave the
old file as it was."""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from pathlib import Path

import mlflow
import pytest

from helpers import GitDvcProject, assert_one_line_error
from public_data import hitters_features, null_band_as_empty_string
from reliability_repo import build_project, mount, unmount

NO_MOUNT = ("`mount` is refused here (it needs root with CAP_SYS_ADMIN, as in CI's container)")


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> GitDvcProject:
    """The project, and a sqlite MLflow store outside it with the dataset logged to a run."""
    base = tmp_path_factory.mktemp("faults")
    repo = build_project(base)
    store = f"sqlite:///{base / 'mlflow.db'}"
    client = mlflow.MlflowClient(tracking_uri=store)
    experiment = client.create_experiment("faults", artifact_location=str(base / "artifacts"))
    run_id = client.create_run(experiment).info.run_id
    repo.env = {**repo.env, "MLFLOW_TRACKING_URI": store}
    logged = repo.datacouple("log", "features", "--run-id", run_id)
    assert logged.returncode == 0, logged.stderr
    repo.run_id = run_id
    return repo


@contextlib.contextmanager
def read_only(root: Path) -> Iterator[None]:
    """`root` (the work tree with its .git and .dvc) mounted read-only over itself."""
    if not mount("--bind", str(root), str(root)):
        pytest.skip(NO_MOUNT)
    try:
        assert mount("-o", "remount,bind,ro", str(root)), "remount read-only failed"
        with pytest.raises(OSError) as denied:
            (root / "probe").write_text("x")
        assert denied.value.errno == errno.EROFS
        yield
    finally:
        unmount(root)


READING = (("check", "--format", "json"), ("lineage", "features", "--format", "json"),
           ("diff", "features@main", "features"))


def test_reading_commands_answer_the_same_in_a_read_only_tree(project: GitDvcProject):
    writable = {args: project.datacouple(*args) for args in READING}
    check = writable[READING[0]]
    assert check.returncode == 0 and '"missing_encoding_changed"' in check.stdout  # found,
    assert f"run:{project.run_id}" in writable[READING[1]].stdout  # not blocking: no model
    before = _tree_listing(project.root)
    with read_only(project.root):
        for args, expected in writable.items():
            result = project.datacouple(*args)
            assert (result.returncode, result.stdout) == (expected.returncode, expected.stdout), \
                (args, result.stderr)
            assert "Traceback" not in result.stderr
    assert _tree_listing(project.root) == before


def test_fingerprint_into_a_read_only_tree_fails_in_one_line(project: GitDvcProject,
                                                             tmp_path: Path):
    target = project.root / "fingerprints" / "features.json"
    old = target.read_bytes()
    with read_only(project.root):
        result = project.datacouple("fingerprint", "features")
        assert_one_line_error(result, "cannot write", "fingerprints/features.json",
                              "Read-only file system", "the old file is unchanged")
        assert target.read_bytes() == old
        # Reading the data is fine: the same fingerprint goes anywhere writable.
        elsewhere = project.datacouple("fingerprint", "features", "-o",
                                       str(tmp_path / "f.json"))
        assert elsewhere.returncode == 0, elsewhere.stderr
        assert (tmp_path / "f.json").read_bytes() == old


def _tree_listing(root: Path) -> list[tuple[str, int]]:
    return sorted((str(p.relative_to(root)), p.stat().st_mtime_ns)
                  for p in root.rglob("*") if p.is_file())


# --------------------------------------------------------------------------- a full disk


def _fill(directory: Path) -> None:
    """Write to a file in `directory` until the filesystem says it is full."""
    with open(directory / "filler", "wb", buffering=0) as handle:  # nothing left to flush
        try:
            while True:
                handle.write(b"\0" * 4096)
        except OSError as error:
            assert error.errno == errno.ENOSPC, error


def test_a_full_disk_while_writing_a_fingerprint_keeps_the_old_file(project: GitDvcProject,
                                                                     tmp_path: Path):
    repo = project.copy(tmp_path / "repo")
    fingerprints = repo.root / "fingerprints"
    old = (fingerprints / "features.json").read_bytes()
    saved = tmp_path / "features.json"
    saved.write_bytes(old)
    # The fingerprints directory on a tmpfs just big enough for the old file.
    if not mount("-t", "tmpfs", "-o", f"size={len(old) + 64 * 1024}", "tmpfs",
                 str(fingerprints)):
        pytest.skip(NO_MOUNT)
    try:
        (fingerprints / "features.json").write_bytes(old)
        _fill(fingerprints)
        smaller = null_band_as_empty_string(hitters_features()).head(200)
        repo.save_data("data/features.parquet", smaller)
        result = repo.datacouple("fingerprint", "features")
        assert_one_line_error(result, "cannot write", "fingerprints/features.json",
                              "No space left on device", "the old file is unchanged")
        assert (fingerprints / "features.json").read_bytes() == old
        assert sorted(os.listdir(fingerprints)) == ["features.json", "filler"]  # no temp file
        (fingerprints / "filler").unlink()  # space again: the same command now succeeds
        again = repo.datacouple("fingerprint", "features")
        assert again.returncode == 0, again.stderr
        assert (fingerprints / "features.json").read_bytes() != old
    finally:
        unmount(fingerprints)
