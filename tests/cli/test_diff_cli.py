"""`datacouple diff` end to end: the real CLI on a real git + DVC history of a public table."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

import datacouple

from helpers import CLI, assert_one_line_error, dvc_command, project_env
from helpers import GitDvcProject as History
from public_data import islp_frame

FORMATS = ("text", "json", "markdown", "github")


def hitters_with_zero_salaries():
    """A pipeline "fix" that fills missing salaries with 0: the classic silent breakage."""
    frame = islp_frame("Hitters")
    frame["Salary"] = frame["Salary"].fillna(0)
    return frame


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> History:
    """Two commits: Hitters as published (59 NULL salaries), then NULL salaries written as 0.

    Built once for the module (each step runs the real dvc and datacouple CLIs); tests that
    change it work on a copy.
    """
    base = tmp_path_factory.mktemp("diff-history")
    repo = History(base / "repo", project_env(base))
    (repo.root / "data").mkdir(parents=True)
    repo.run("git", "init", "-q")
    repo.run(*dvc_command(), "init", "-q")
    (repo.root / "datacouple.toml").write_text(
        '[datasets.hitters]\npath = "data/hitters.parquet"\n'
        '[datasets.unfingerprinted]\npath = "data/other.parquet"\n'
    )
    repo.save_data("data/hitters.parquet", islp_frame("Hitters"))
    repo.fingerprint("hitters")
    repo.commit("hitters as published")
    repo.save_data("data/hitters.parquet", hitters_with_zero_salaries())
    repo.fingerprint("hitters")
    repo.commit("fill missing salaries")
    return repo


@pytest.fixture
def scratch(history: History, tmp_path: Path) -> History:
    return history.copy(tmp_path / "repo")


def salary_encoding(report: dict) -> dict:
    (change,) = [c for c in report["changes"]
                 if c["kind"] == "missing_encoding_changed" and c["column"] == "Salary"]
    return change


# --------------------------------------------------------------------------- git revisions


def test_committed_revisions_report_the_salary_encoding_as_breaking(history: History):
    code, report = history.diff_json("hitters@HEAD~1", "hitters@HEAD")
    assert code == 1
    change = salary_encoding(report)
    assert change["severity"] == "breaking"
    assert change["dataset"] == "hitters"
    assert "59" in change["message"]
    assert change["evidence"]
    assert change["affected_models"] == []
    for entry in report["changes"]:
        assert set(entry) == {"dataset", "kind", "column", "severity", "message", "evidence",
                              "affected_models"}
        assert entry["dataset"] == "hitters"
    counts = {s: sum(c["severity"] == s for c in report["changes"])
              for s in ("breaking", "warning", "info")}
    assert report["summary"] == counts
    assert not [c for c in report["changes"] if c["kind"] == "fingerprint_stale"]


def test_same_revision_twice_exits_0_with_no_changes(history: History):
    assert history.diff_json("hitters@HEAD", "hitters@HEAD") == (
        0, {"changes": [], "summary": {"breaking": 0, "warning": 0, "info": 0}})


def test_a_name_alone_is_the_work_tree_fingerprint(history: History):
    code, report = history.diff_json("hitters@HEAD~1", "hitters")
    assert code == 1
    assert salary_encoding(report)["severity"] == "breaking"
    assert history.diff_json("hitters@HEAD", "hitters")[0] == 0


def test_reading_a_revision_leaves_the_work_tree_alone(history: History):
    before = history.run("git", "status", "--porcelain").stdout
    history.datacouple("diff", "hitters@HEAD~1", "hitters@HEAD")
    assert history.run("git", "status", "--porcelain").stdout == before
    assert history.run("git", "rev-parse", "--abbrev-ref", "HEAD").stdout.strip() != "HEAD"


# --------------------------------------------------------------------------- files and data


def test_fingerprint_file_against_data_path(history: History, tmp_path: Path):
    old = tmp_path / "published.json"
    old.write_text(history.run("git", "show", "HEAD~1:fingerprints/hitters.json").stdout)
    code, report = history.diff_json(str(old), "data/hitters.parquet")
    assert code == 1
    assert salary_encoding(report)["dataset"] == "hitters"  # the configured dataset's name


def test_data_path_against_its_own_committed_fingerprint_is_quiet(history: History):
    assert history.diff_json("hitters@HEAD", "data/hitters.parquet")[0] == 0
    assert history.diff_json("fingerprints/hitters.json", "data/hitters.parquet")[0] == 0


def test_two_data_files_outside_any_configuration(tmp_path: Path):
    islp_frame("Hitters").to_parquet(tmp_path / "before.parquet", index=False)
    hitters_with_zero_salaries().to_csv(tmp_path / "after.csv", index=False)
    result = subprocess.run([*CLI, "diff", "before.parquet", "after.csv", "--format", "json"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=180)
    assert result.returncode == 1, result.stderr
    assert salary_encoding(json.loads(result.stdout))["dataset"] == "after"


def test_fingerprint_recognised_by_content_not_name(history: History, tmp_path: Path):
    renamed = tmp_path / "published.fp"
    renamed.write_text(history.run("git", "show", "HEAD~1:fingerprints/hitters.json").stdout)
    code, report = history.diff_json(str(renamed), "hitters@HEAD")
    assert code == 1 and salary_encoding(report)


def test_shuffled_rows_are_not_breaking(scratch: History):
    shuffled = islp_frame("Hitters").sample(frac=1.0, random_state=7)
    scratch.save_data("data/hitters.parquet", shuffled)
    scratch.fingerprint("hitters")
    scratch.commit("shuffle")
    code, report = scratch.diff_json("hitters@HEAD~2", "hitters@HEAD")
    assert code == 0, report
    assert report["summary"]["breaking"] == 0


# --------------------------------------------------------------------------- staleness


def test_data_changed_without_a_new_fingerprint_is_stale(scratch: History):
    scratch.save_data("data/hitters.parquet", islp_frame("Hitters").head(200))
    scratch.commit("new data, fingerprint forgotten")
    code, report = scratch.diff_json("hitters@HEAD~1", "hitters@HEAD")
    assert code == 1
    (stale,) = [c for c in report["changes"] if c["kind"] == "fingerprint_stale"]
    data_hash = scratch.run("git", "show", "HEAD:data/hitters.parquet.dvc").stdout
    assert stale["severity"] == "breaking"
    assert stale["column"] is None
    assert stale["evidence"]["data_dvc_hash"] in data_hash
    assert stale["message"].startswith("hitters: the committed fingerprint describes data ")
    assert stale["message"].endswith(
        f"but the data's DVC hash at HEAD is {stale['evidence']['data_dvc_hash'][:8]}; "
        "run datacouple fingerprint hitters")
    # The fingerprints themselves are the same file: staleness is the only change.
    assert [c["kind"] for c in report["changes"]] == ["fingerprint_stale"]


def test_work_tree_data_pointer_ahead_of_the_fingerprint_is_stale(scratch: History):
    # `dvc add`, not fingerprinted:
    scratch.save_data("data/hitters.parquet", islp_frame("Hitters").head(200))
    code, report = scratch.diff_json("hitters@HEAD", "hitters")
    assert code == 1
    (stale,) = report["changes"]
    assert "DVC hash in the work tree" in stale["message"]


def replace_data(repo: History, frame) -> Path:
    """Edit the data in the work tree without `dvc add`: a new file in its place (DVC may have
    linked the old one from its cache, so never write through it)."""
    data = repo.root / "data" / "hitters.parquet"
    data.unlink()
    frame.to_parquet(data, index=False)
    return data


def test_data_edited_in_the_work_tree_before_dvc_add_is_stale(scratch: History):
    replace_data(scratch, islp_frame("Hitters").head(200))  # the .dvc still names the old data
    code, report = scratch.diff_json("hitters@HEAD", "hitters")
    assert code == 1
    (stale,) = report["changes"]  # the fingerprint file itself is unchanged
    assert (stale["kind"], stale["severity"], stale["column"]) == (
        "fingerprint_stale", "breaking", None)
    evidence = stale["evidence"]
    dvc_file = scratch.run("git", "show", "HEAD:data/hitters.parquet.dvc").stdout
    assert evidence["recorded_in"] == "the data on disk"
    assert evidence["dvc_entry_hash"] in dvc_file
    assert evidence["fingerprint_dvc_hash"] == evidence["dvc_entry_hash"]
    assert evidence["data_dvc_hash"] not in dvc_file
    assert stale["message"] == (
        f"hitters: the data on disk (data/hitters.parquet, DVC hash "
        f"{evidence['data_dvc_hash'][:8]}) is neither the data the committed fingerprint "
        f"describes ({evidence['fingerprint_dvc_hash'][:8]}) nor the data DVC records "
        f"({evidence['dvc_entry_hash'][:8]}); run dvc add data/hitters.parquet, then "
        "datacouple fingerprint hitters")
    # Following the advice clears it.
    scratch.run(*dvc_command(), "add", "-q", "data/hitters.parquet")
    scratch.fingerprint("hitters")
    code, report = scratch.diff_json("hitters@HEAD", "hitters")
    assert "fingerprint_stale" not in [c["kind"] for c in report["changes"]]
    assert report["changes"], "the real change of the edit is reported instead"


def test_data_rewritten_with_the_same_bytes_is_not_stale(scratch: History):
    # The quiet counterpart: a new file (new inode, new mtime) holding the same bytes. DVC's
    # state misses, the md5 is computed, and it is the fingerprint's.
    data = scratch.root / "data" / "hitters.parquet"
    content = data.read_bytes()
    data.unlink()
    data.write_bytes(content)
    assert scratch.diff_json("hitters@HEAD", "hitters") == (
        0, {"changes": [], "summary": {"breaking": 0, "warning": 0, "info": 0}})


def test_python_api_reports_staleness_like_the_cli(scratch: History, monkeypatch):
    monkeypatch.chdir(scratch.root)  # names are looked up in the repository's datacouple.toml
    for key, value in scratch.env.items():
        monkeypatch.setenv(key, value)
    assert datacouple.diff("hitters@HEAD", "hitters") == []
    replace_data(scratch, hitters_with_zero_salaries().head(200))
    changes = datacouple.diff("hitters@HEAD", "hitters")
    assert [(c.kind, c.severity, c.dataset) for c in changes] == [
        ("fingerprint_stale", "breaking", "hitters")]
    assert "run dvc add data/hitters.parquet" in changes[0].message
    # Committed staleness, read from git objects alone, reaches the API too.
    scratch.run(*dvc_command(), "add", "-q", "data/hitters.parquet")
    scratch.commit("new data, fingerprint forgotten")
    changes = datacouple.diff("hitters@HEAD~1", "hitters@HEAD")
    assert [c.kind for c in changes] == ["fingerprint_stale"]
    assert changes[0].message.endswith("run datacouple fingerprint hitters")


# --------------------------------------------------------------------------- formats


@pytest.fixture(scope="module")
def outputs(history: History) -> dict[str, subprocess.CompletedProcess]:
    return {fmt: history.datacouple("diff", "hitters@HEAD~1", "hitters@HEAD", "--format", fmt)
            for fmt in FORMATS}


def test_every_format_exits_1_on_breaking_changes(outputs):
    for fmt, result in outputs.items():
        assert result.returncode == 1, (fmt, result.stderr)
        assert result.stderr == "", fmt


def test_text_format(outputs):
    text = outputs["text"].stdout
    assert text.splitlines()[0] == "hitters@HEAD~1 → hitters@HEAD"
    assert "missing_encoding_changed" in text and "Salary" in text
    assert text.rstrip().splitlines()[-1].endswith("in 1 dataset")


def test_markdown_format(outputs):
    lines = outputs["markdown"].stdout.splitlines()
    assert lines[0].startswith("❌ **datacouple**: ")
    assert lines[0].endswith(" in 1 dataset (`hitters@HEAD~1` → `hitters@HEAD`)")
    assert "### hitters" in lines
    assert "| severity | kind | column | message |" in lines
    assert any(line.startswith("| **breaking** | `missing_encoding_changed` | `Salary` |")
               for line in lines)
    assert "<details><summary>evidence: missing_encoding_changed (Salary)</summary>" in lines


def test_github_format_matches_the_json_report(outputs):
    report = json.loads(outputs["json"].stdout)
    lines = outputs["github"].stdout.splitlines()
    assert len(lines) == len(report["changes"])
    command = {"breaking": "::error ", "warning": "::warning ", "info": "::notice "}
    for line, change in zip(lines, report["changes"], strict=True):
        assert line.startswith(command[change["severity"]])
    assert ("::error title=datacouple breaking%3A missing_encoding_changed (hitters.Salary)::"
            in outputs["github"].stdout)


def test_output_file(history: History, tmp_path: Path):
    target = tmp_path / "report.md"
    result = history.datacouple("diff", "hitters@HEAD~1", "hitters@HEAD", "--format",
                                "markdown", "-o", str(target))
    assert result.returncode == 1 and result.stdout == ""
    assert target.read_text().startswith("❌ **datacouple**")


def test_text_report_to_a_file_has_no_colour_codes(history: History, tmp_path: Path):
    target = tmp_path / "report.txt"
    history.datacouple("diff", "hitters@HEAD~1", "hitters@HEAD", "-o", str(target))
    assert "\x1b[" not in target.read_text()
    assert "missing_encoding_changed" in target.read_text()


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(("old", "fragments"), [
    ("hitters@", ["'hitters@'", "git revision is missing", "hitters@HEAD"]),
    ("@HEAD", ["dataset name is missing"]),
    ("nosuch@HEAD", ["dataset 'nosuch' is not configured", "datacouple.toml",
                     "known: hitters, unfingerprinted"]),
    ("hitters@no-such-branch", ["unknown git revision 'no-such-branch'"]),
    ("hitters@HEAD~9", ["unknown git revision 'HEAD~9'"]),
    ("unfingerprinted@HEAD", ["fingerprints/unfingerprinted.json does not exist at HEAD; run "
                              "datacouple fingerprint unfingerprinted and commit it"]),
    ("unfingerprinted", ["fingerprints/unfingerprinted.json does not exist"]),
    ("missing.parquet", ["'missing.parquet' is neither a file, a directory, a dataset"]),
    ("data/hitters.parquet.dvc", ["data/hitters.parquet.dvc"]),
])
def test_bad_inputs_exit_2_with_one_line(history: History, old: str, fragments: list[str]):
    assert_one_line_error(history.datacouple("diff", old, "hitters@HEAD"), *fragments)


def test_json_that_is_not_a_fingerprint(history: History, tmp_path: Path):
    other = tmp_path / "other.json"
    other.write_text('{"format": "something else"}')
    assert_one_line_error(history.datacouple("diff", str(other), "hitters@HEAD"),
                          "not a datacouple fingerprint")
    other.write_text("{not json")
    assert_one_line_error(history.datacouple("diff", str(other), "hitters@HEAD"),
                          "invalid JSON")


def test_revision_outside_a_git_repository(tmp_path: Path):
    (tmp_path / "datacouple.toml").write_text('[datasets.x]\npath = "x.parquet"\n')
    result = subprocess.run([*CLI, "diff", "x@HEAD", "x@HEAD"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert_one_line_error(result, "not inside a git repository")


def test_bad_thresholds_and_nothing_half_written(scratch: History, tmp_path: Path):
    with (scratch.root / "datacouple.toml").open("a") as config:
        config.write("[check.thresholds]\npsi_warnin = 0.3\n")
    target = tmp_path / "report.json"
    result = scratch.datacouple("diff", "hitters@HEAD~1", "hitters@HEAD", "-o", str(target))
    assert_one_line_error(result, "psi_warnin")
    assert not target.exists()


def test_unknown_format_is_a_usage_error(history: History):
    result = history.datacouple("diff", "hitters@HEAD", "hitters@HEAD", "--format", "yaml")
    assert result.returncode == 2
    assert "yaml" in result.stderr
