"""Hostile files in the repository itself, where a committer (not the user at the keyboard)
chose the content: YAML that would expand or run code, paths that lead out of the repository,
corrupt fingerprints, hand-edited acks, and revisions that are none (or are git options).
Each is exit 2 in one line without a traceback, and nothing is written; the YAML and the
revision that name a command prove it did not run (its marker file never appears)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hostile import assert_nothing_written, assert_refused, snapshot

from helpers import GitDvcProject, dvc_command
from reliability_repo import build_project

DATASET = "features"
FINGERPRINT = "fingerprints/features.json"
DVC_FILE = "data/features.parquet.dvc"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> GitDvcProject:
    return build_project(tmp_path_factory.mktemp("hostile-repo"))


@pytest.fixture()
def repo(built: GitDvcProject, tmp_path: Path) -> GitDvcProject:
    """A private copy of the project (on the migration branch), with an outside world."""
    (tmp_path / "outside").mkdir()
    return built.copy(tmp_path / "repo")


def _outside(repo: GitDvcProject) -> Path:
    return repo.root.parent / "outside"


def _refused(repo: GitDvcProject, *args: str, says: tuple[str, ...]) -> None:
    before = snapshot(repo.root.parent)  # the repository and the world around it
    result = repo.datacouple(*args)
    assert_refused(result, *says)
    assert_nothing_written(before, repo.root.parent)


# --------------------------------------------------------------------------- YAML

BOMB = "".join(
    [f"lol0: &lol0 [{', '.join(['lol'] * 9)}]\n"]
    + [f"lol{i}: &lol{i} [{', '.join([f'*lol{i - 1}'] * 9)}]\n" for i in range(1, 10)]
)


def _schema_bomb() -> str:
    """A pandera schema whose isin check holds a billion strings, once expanded."""
    return ("schema_type: dataframe\ncolumns:\n  league:\n    dtype: str\n    checks:\n"
            "      isin: *lol9\n" + BOMB)


def _python_tag(marker: Path) -> str:
    return f"!!python/object/apply:os.system ['touch {marker}']\n"


def _use_schema(repo: GitDvcProject, text: str) -> None:
    (repo.root / "schemas").mkdir(exist_ok=True)
    (repo.root / "schemas" / "features.yaml").write_text(text)
    (repo.root / "datacouple.toml").write_text(
        '[datasets.features]\npath = "data/features.parquet"\nschema = "schemas/features.yaml"\n'
        '[check]\nbase = "main"\n')


def test_a_schema_with_an_alias_bomb_is_refused_unexpanded(repo: GitDvcProject):
    _use_schema(repo, _schema_bomb())
    for args in (("validate", DATASET),
                 ("fingerprint", "data/features.parquet", "--schema", "schemas/features.yaml")):
        _refused(repo, *args, says=("schemas/features.yaml", "alias"))


def test_a_schema_with_a_python_tag_runs_nothing(repo: GitDvcProject):
    marker = _outside(repo) / "schema-ran"
    _use_schema(repo, "schema_type: dataframe\ncolumns:\n  league:\n    dtype: "
                + _python_tag(marker))
    for args in (("validate", DATASET), ("fingerprint", DATASET, "-o", "out.json")):
        _refused(repo, *args, says=("schemas/features.yaml", "!!python/object/apply:os.system"))
    assert not marker.exists()


def _dvc_file_with(repo: GitDvcProject, extra: str) -> None:
    path = repo.root / DVC_FILE
    path.write_text(path.read_text() + extra)


def _lock_instead_of_dvc_file(repo: GitDvcProject, extra: str) -> None:
    """The dataset recorded by a pipeline's dvc.lock (no .dvc file), with `extra` in it."""
    out = (repo.root / DVC_FILE).read_text().split("outs:\n", 1)[1]
    (repo.root / DVC_FILE).unlink()
    (repo.root / "dvc.lock").write_text(
        "schema: '2.0'\nstages:\n  featurize:\n    cmd: python featurize.py\n    outs:\n"
        + "".join(f"    {line}\n" for line in out.splitlines()) + extra)


@pytest.mark.parametrize("where", [_dvc_file_with, _lock_instead_of_dvc_file],
                         ids=["dvc-file", "dvc-lock"])
def test_dvc_records_with_an_alias_bomb_or_a_python_tag(repo: GitDvcProject, where):
    marker = _outside(repo) / "dvc-ran"
    named = DVC_FILE if where is _dvc_file_with else "dvc.lock"
    # Both readers (diff's work-tree side and the check) go through one loader: each payload
    # takes one of them, in turn.
    commands = [("diff", f"{DATASET}@main", DATASET), ("check",)]
    if where is _lock_instead_of_dvc_file:
        commands.reverse()
    for (extra, says), args in zip(((BOMB, "alias"),
                                    ("meta: " + _python_tag(marker), "python/object")),
                                   commands, strict=True):
        where(repo, extra)
        _refused(repo, *args, says=(named, says))
        repo.run("git", "checkout", "-q", "--", ".")  # the next payload into a clean file
        if (repo.root / "dvc.lock").exists():
            (repo.root / "dvc.lock").unlink()
    assert not marker.exists()


# --------------------------------------------------------------------------- path confinement


def _configure(repo: GitDvcProject, **settings: str) -> None:
    lines = "".join(f'{key} = "{value}"\n' for key, value in settings.items())
    (repo.root / "datacouple.toml").write_text(
        f"[datasets.features]\n{lines}[check]\nbase = \"main\"\n")


# Every command loads the configuration first, so each escape is tried with one command, the
# commands taking turns.
@pytest.mark.parametrize(("settings", "command"), [
    ({"path": "../../../../../../etc/passwd"}, ("fingerprint", DATASET)),
    ({"path": "/etc/passwd"}, ("check",)),
    ({"path": "~/.ssh/id_rsa"}, ("diff", f"{DATASET}@main", DATASET)),
    ({"path": "data/features.parquet", "schema": "../outside/features.yaml"},
     ("validate", DATASET)),
    ({"path": "data/features.parquet", "fingerprint": "../outside/stolen.json"},
     ("fingerprint", DATASET)),
], ids=["dotdot", "absolute", "home", "schema", "fingerprint"])
def test_configured_paths_that_leave_the_repository(repo: GitDvcProject, settings, command):
    outside = _outside(repo)
    (outside / "features.yaml").write_text("schema_type: dataframe\ncolumns: {}\n")
    _configure(repo, **settings)
    setting = next(key for key, value in settings.items() if value != "data/features.parquet")
    _refused(repo, *command, says=("datacouple.toml", f"[datasets.features] {setting}"))
    assert not (outside / "stolen.json").exists()


def test_a_symlink_out_of_the_repository_is_not_followed(repo: GitDvcProject):
    """data/link.parquet -> a real Parquet file outside: readable, so only the refusal stops
    it; the same file given on the command line is the user's choice and is read."""
    target = _outside(repo) / "elsewhere.parquet"
    shutil.copy(repo.root / "data" / "features.parquet", target)
    os.symlink(target, repo.root / "data" / "link.parquet")
    _configure(repo, path="data/link.parquet")
    for args in (("fingerprint", DATASET), ("validate", DATASET, "--schema", "x.yaml")):
        _refused(repo, *args, says=("[datasets.features] path", "leads outside the repository"))
    _configure(repo, path="data/features.parquet")
    direct = repo.datacouple("fingerprint", str(target))
    assert direct.returncode == 0, direct.stderr
    assert json.loads(direct.stdout)["rows"] == pq.read_metadata(target).num_rows


def test_dvc_records_that_lead_out_of_the_repository(repo: GitDvcProject):
    path = repo.root / DVC_FILE
    recorded = path.read_text()
    for escape, args in (("../../../../etc/passwd", ("diff", f"{DATASET}@main", DATASET)),
                         ("/etc/passwd", ("check",))):
        path.write_text(recorded.replace("path: features.parquet", f"path: {escape}"))
        _refused(repo, *args, says=(DVC_FILE, "leads outside the repository"))
    # The .dvc file itself a symlink to a file elsewhere.
    elsewhere = _outside(repo) / "features.parquet.dvc"
    elsewhere.write_text(recorded)
    path.unlink()
    os.symlink(elsewhere, path)
    _refused(repo, "check", says=(DVC_FILE, "leads outside the repository"))


def test_an_acks_file_linked_out_of_the_repository(repo: GitDvcProject):
    elsewhere = _outside(repo) / "acks.toml"
    elsewhere.write_text("")
    os.symlink(elsewhere, repo.root / "datacouple.acks.toml")
    _refused(repo, "check", says=("datacouple.acks.toml", "leads outside the repository"))


def test_a_dvc_cache_outside_the_repository_linked_by_symlinks_is_followed(repo: GitDvcProject):
    """The quiet counterpart: DVC's own shared-cache setup (cache.dir outside, cache.type
    symlink) makes the data a symlink out of the repository, into the cache DVC names."""
    cache = _outside(repo) / "dvc-cache"
    repo.run(*dvc_command(), "cache", "dir", str(cache))
    repo.run(*dvc_command(), "config", "cache.type", "symlink")
    repo.run(*dvc_command(), "add", "-q", "data/features.parquet")
    data = repo.root / "data" / "features.parquet"
    assert data.is_symlink() and Path(os.path.realpath(data)).is_relative_to(cache)
    result = repo.datacouple("fingerprint", DATASET, "-o", "-")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["rows"] == 322


# --------------------------------------------------------------------------- fingerprints


def _columns_without_missing(document: dict) -> None:
    del document["columns"][0]["missing"]


def _rows(value):
    def edit(document: dict) -> None:
        document["rows"] = value
    return edit


def _structural_hash(document: dict) -> None:
    document["structural_hash"] = "0" * 64


CORRUPTIONS = {
    "truncated": (lambda text: text[: len(text) // 2], "invalid JSON"),
    "wrong-type": (_rows("many"), "fingerprint.rows should be a non-negative integer"),
    "missing-field": (_columns_without_missing, "columns[0].missing should be present"),
    "structural-hash": (_structural_hash, "structural_hash does not match its columns"),
    "huge-integer": (lambda text: text.replace('"rows": 322', '"rows": ' + "9" * 5000, 1),
                     "invalid JSON"),
    "infinite": (lambda text: text.replace('"rows": 322', '"rows": 1e999', 1),
                 "fingerprint.rows should be a non-negative integer"),
    "nan": (lambda text: text.replace('"mean": ', '"mean": NaN, "_": ', 1), "NaN"),
}


def _corrupt(repo: GitDvcProject, name: str) -> None:
    edit, _ = CORRUPTIONS[name]
    path = repo.root / FINGERPRINT
    text = path.read_text()
    try:
        document = json.loads(text)
        edit(document)
        path.write_text(json.dumps(document, indent=2))
    except (TypeError, AttributeError):  # an edit of the text itself
        path.write_text(edit(text))


@pytest.mark.parametrize("name", CORRUPTIONS)
def test_a_corrupt_fingerprint_file(repo: GitDvcProject, name: str):
    _corrupt(repo, name)
    says = CORRUPTIONS[name][1]
    _refused(repo, "diff", f"{DATASET}@main", DATASET, "-o", "report.json",
             says=(FINGERPRINT, says))
    # The same reader serves a fingerprint given as a file, and the check.
    if name == "wrong-type":
        _refused(repo, "diff", FINGERPRINT, f"{DATASET}@main", says=(FINGERPRINT, says))
    if name in ("truncated", "structural-hash"):
        _refused(repo, "check", "--format", "json", "-o", "report.json",
                 says=(FINGERPRINT, says))


# --------------------------------------------------------------------------- acks

ACK = {"dataset": "features", "kind": "missing_encoding_changed", "column": "salary_band",
       "reason": "retrained", "by": "A <a@example.com>", "at": "2026-11-26T09:00:00Z",
       "old_fingerprint": "0" * 64, "new_fingerprint": "1" * 64}


def _ack_text(**changes) -> str:
    ack = {**ACK, **changes}
    return "[[ack]]\n" + "".join(
        f"{key} = {json.dumps(value)}\n" for key, value in ack.items() if value is not None)


ACKS = {
    "syntax": ("[[ack]\ndataset = 'features'\n", "invalid TOML"),
    "wrong-type": (_ack_text(reason=5), "missing or non-string reason"),
    "missing-reason": (_ack_text(reason=None), "missing or non-string reason"),
    "empty-reason": (_ack_text(reason="  "), "empty reason"),
    "unknown-kind": (_ack_text(kind="missing_encodng_changed"), "unknown kind"),
    "unknown-dataset": (_ack_text(dataset="featurez"), "dataset 'featurez'"),
    "unknown-key": (_ack_text() + "approved = true\n", "unknown key(s) approved"),
}


@pytest.mark.parametrize("name", ACKS)
def test_a_hand_edited_acks_file(repo: GitDvcProject, name: str):
    text, says = ACKS[name]
    (repo.root / "datacouple.acks.toml").write_text(text)
    _refused(repo, "check", says=("datacouple.acks.toml", says))
    if name in ("syntax", "unknown-kind"):  # `ack` reads the file before it rewrites it
        _refused(repo, "ack", DATASET, "missing_encoding_changed", "salary_band",
                 "--reason", "retrained", says=("datacouple.acks.toml", says))


# --------------------------------------------------------------------------- revisions


def test_a_revision_that_does_not_exist(repo: GitDvcProject):
    _refused(repo, "diff", f"{DATASET}@nope", DATASET, says=("unknown git revision 'nope'",))
    _refused(repo, "check", "--base", "nope", says=("unknown base revision 'nope'",))
    _refused(repo, "check", "--base", "main", "--head", "nope",
             says=("unknown git revision 'nope'",))
    _refused(repo, "blame", DATASET, "--since", "nope", says=("unknown git revision 'nope'",))


def test_a_revision_that_is_a_git_option_never_reaches_git(repo: GitDvcProject):
    marker = _outside(repo) / "git-ran"
    upload, output = f"--upload-pack=touch {marker}", f"--output={marker}"
    for args in (("diff", f"{DATASET}@{output}", DATASET), ("check", f"--base={upload}"),
                 ("check", "--base=main", f"--head={output}"),
                 ("ack", DATASET, "missing_encoding_changed", "salary_band", "--reason", "x",
                  f"--base={upload}"),
                 ("blame", DATASET, "--since=--exec=sh")):
        _refused(repo, *args, says=("is not a git revision",))
    assert not marker.exists()
    _refused(repo, "check", "--base=main\nHEAD", says=("is not a git revision",))
