"""`datacouple check`, `ack` and `blame` end to end: the real CLI on a real git + DVC history of
a public table (ISLP's Hitters), branch by branch as a team would make them.

The model-facing half (a model trained through `datacouple.log_dataset`) lives in
tests/lineage/test_check_lineage.py; here no tracking server is reachable, so every breaking
change counts and the report must say why.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from check_repo import hitters_features, migrate, null_band_as_empty_string
from helpers import GitDvcProject, assert_one_line_error, dvc_command

UNREACHABLE_TRACKING = "http://127.0.0.1:9"  # the discard port: nothing listens there


@pytest.fixture
def project(main_branch: GitDvcProject, tmp_path: Path) -> GitDvcProject:
    repo = main_branch.copy(tmp_path / "repo")
    repo.env = {**repo.env, "MLFLOW_TRACKING_URI": UNREACHABLE_TRACKING}
    repo.run("git", "checkout", "-q", "-b", "feature/migration")
    return repo


def check_json(repo: GitDvcProject, *args: str) -> tuple[int, dict]:
    result = repo.datacouple("check", "--format", "json", *args)
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


def kinds(report: dict) -> set[tuple[str, str | None]]:
    return {(change["kind"], change["column"]) for change in report["changes"]}


# --------------------------------------------------------------------------- the verdict


def test_a_branch_without_data_changes_passes(project: GitDvcProject):
    code, report = check_json(project)
    assert code == 0
    assert report["changes"] == [] and report["passed"] is True
    assert report["base"] == "main"


def test_null_to_empty_string_fails_and_says_no_lineage_was_reachable(project: GitDvcProject):
    migrate(project)
    code, report = check_json(project)
    assert code == 1
    assert ("missing_encoding_changed", "salary_band") in kinds(report)
    (change,) = [c for c in report["changes"] if c["kind"] == "missing_encoding_changed"]
    assert change["severity"] == "breaking" and change["blocking"] is True
    assert report["lineage"]["available"] is False
    assert "127.0.0.1:9" in report["lineage"]["reason"]
    assert any("every breaking change counts" in note for note in report["notes"])


def test_the_head_can_be_a_revision_and_the_work_tree_is_untouched(project: GitDvcProject):
    migrate(project)
    before = project.run("git", "status", "--porcelain").stdout
    code, report = check_json(project, "--head", "HEAD")
    assert code == 1 and report["head"] == "HEAD"
    assert project.run("git", "status", "--porcelain").stdout == before
    code, _ = check_json(project, "--head", "HEAD~1")
    assert code == 0  # the branch's first commit is main itself


def test_changes_on_the_base_after_branching_are_not_the_branch_s(project: GitDvcProject):
    """The base is compared at its merge-base with the head."""
    project.run("git", "checkout", "-q", "main")
    migrate(project, "main moves on")
    project.run("git", "checkout", "-q", "feature/migration")
    project.run(*dvc_command(), "checkout", "-q")
    code, report = check_json(project)
    assert code == 0 and report["changes"] == []


# --------------------------------------------------------------------------- staleness


def test_data_added_without_a_fresh_fingerprint_is_stale(project: GitDvcProject):
    project.save_data("data/features.parquet", null_band_as_empty_string(hitters_features()))
    project.commit("new data, fingerprint forgotten")
    code, report = check_json(project)
    assert code == 1
    (stale,) = [c for c in report["changes"] if c["kind"] == "fingerprint_stale"]
    assert stale["blocking"] is True
    code, report = check_json(project, "--head", "HEAD")  # from git objects alone
    assert code == 1 and ("fingerprint_stale", None) in kinds(report)


def test_data_changed_on_disk_before_dvc_add_is_stale_in_the_work_tree(project: GitDvcProject):
    data = project.root / "data" / "features.parquet"
    data.unlink()  # DVC links files from its cache: replace, never write through the link
    null_band_as_empty_string(hitters_features()).to_parquet(data, index=False)
    code, report = check_json(project)
    assert code == 1
    (stale,) = [c for c in report["changes"] if c["kind"] == "fingerprint_stale"]
    assert stale["evidence"]["recorded_in"] == "the data on disk"


# --------------------------------------------------------------------------- acks


def test_an_ack_lets_the_branch_through_and_never_covers_a_later_change(project: GitDvcProject):
    migrate(project)
    result = project.datacouple("ack", "features", "missing_encoding_changed", "salary_band",
                                "--reason", "the model is retrained on the new encoding")
    assert result.returncode == 0, result.stderr
    acks = (project.root / "datacouple.acks.toml").read_text()
    assert 'kind = "missing_encoding_changed"' in acks
    assert "datacouple tests <tests@datacouple.invalid>" in acks
    project.commit("accept the new encoding")

    code, report = check_json(project)
    assert code == 0
    (change,) = [c for c in report["changes"] if c["kind"] == "missing_encoding_changed"]
    assert change["acknowledged"]["reason"] == "the model is retrained on the new encoding"
    assert report["summary"]["acknowledged"] == 1

    # A later, different change in the same column: the ack named other fingerprints.
    later = null_band_as_empty_string(hitters_features())
    later["salary_band"] = later["salary_band"].replace("", "NA")
    project.save_data("data/features.parquet", later)
    project.fingerprint("features")
    project.commit("missing bands as NA")
    code, report = check_json(project)
    assert code == 1
    assert report["summary"]["acknowledged"] == 0


def test_ack_of_a_change_that_is_not_there_is_refused(project: GitDvcProject):
    migrate(project)
    result = project.datacouple("ack", "features", "scale_changed", "Salary", "--reason", "x")
    assert_one_line_error(result, "no scale_changed change in Salary",
                          "missing_encoding_changed salary_band")
    assert not (project.root / "datacouple.acks.toml").exists()


def test_a_hand_edited_acks_file_is_bad_input(project: GitDvcProject):
    migrate(project)
    (project.root / "datacouple.acks.toml").write_text('[[ack]]\ndataset = "features"\n')
    assert_one_line_error(project.datacouple("check"), "datacouple.acks.toml",
                          "datacouple ack")


# --------------------------------------------------------------------------- blame


def test_blame_names_the_commit_that_introduced_the_change(project: GitDvcProject):
    (project.root / "notes.txt").write_text("unrelated\n")
    project.commit("unrelated work")
    migrate(project, "migrate: write missing bands as empty strings")
    (project.root / "notes.txt").write_text("more unrelated\n")
    project.commit("more unrelated work")
    result = project.datacouple("blame", "features", "--column", "salary_band",
                                "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    (change,) = [c for c in report["changes"] if c["kind"] == "missing_encoding_changed"]
    migration = project.run("git", "log", "-1", "--format=%H", "--grep", "migrate:").stdout
    assert change["commit"]["hexsha"] == migration.strip()
    assert change["commit"]["subject"] == "migrate: write missing bands as empty strings"
    assert change["commit"]["author"] == "datacouple tests <tests@datacouple.invalid>"
    text = project.datacouple("blame", "features").stdout
    assert "migrate: write missing bands" in text and migration[:10] in text


# --------------------------------------------------------------------------- formats


def test_markdown_and_github_formats_carry_the_verdict(project: GitDvcProject, tmp_path: Path):
    migrate(project)
    assert project.datacouple("check", "--format", "markdown", "-o",
                              str(tmp_path / "report.md")).returncode == 1
    markdown = (tmp_path / "report.md").read_text()
    assert markdown.startswith("❌ **check failed: 1 unacknowledged breaking change")
    assert "missing_encoding_changed" in markdown
    github = project.datacouple("check", "--format", "github").stdout
    assert "::error title=datacouple check::check failed" in github
    text = project.datacouple("check").stdout
    assert "check failed" in text and "no lineage" in text


# --------------------------------------------------------------------------- bad input and CI


def test_an_unknown_base_is_bad_input(project: GitDvcProject):
    assert_one_line_error(project.datacouple("check", "--base", "no-such-branch"),
                          "no-such-branch")


def test_a_shallow_clone_says_what_to_fetch(project: GitDvcProject, tmp_path: Path):
    migrate(project)
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", "--branch", "feature/migration",
                    f"file://{project.root}", str(clone)], check=True, env=project.env)
    shallow = GitDvcProject(clone, project.env)
    assert_one_line_error(shallow.datacouple("check", "--base", "origin/main"),
                          "shallow clone", "git fetch")


def test_recompute_fingerprints_uncommitted_fingerprints_through_dvc(project: GitDvcProject,
                                                                     tmp_path: Path):
    """A dataset whose fingerprints were never committed: --recompute reads the data at both
    revisions through DVC, here from the local remote of a fresh clone with an empty cache."""
    project.run("git", "rm", "-q", "fingerprints/features.json")
    project.run("git", "commit", "-q", "-m", "stop committing the fingerprint")
    project.run("git", "checkout", "-q", "main")
    project.run("git", "rm", "-q", "fingerprints/features.json")
    project.run("git", "commit", "-q", "-m", "no fingerprint on main either")
    project.run("git", "checkout", "-q", "feature/migration")
    project.save_data("data/features.parquet", null_band_as_empty_string(hitters_features()))
    project.commit("migrate without fingerprints")
    project.run(*dvc_command(), "push", "-q")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--branch", "feature/migration",
                    f"file://{project.root}", str(clone)], check=True, env=project.env)
    fresh = GitDvcProject(clone, project.env)
    fresh.run("git", "branch", "-q", "main", "origin/main")
    code, report = check_json(fresh, "--head", "HEAD")
    assert code == 0 and report["changes"] == []
    assert any("no fingerprint" in note for note in report["notes"])
    code, report = check_json(fresh, "--head", "HEAD", "--recompute")
    assert code == 1
    assert ("missing_encoding_changed", "salary_band") in kinds(report)
