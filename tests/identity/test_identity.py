"""Dataset identity agrees with what real `dvc add` / `dvc repro` write, byte for byte.

Every expected hash here comes from DVC itself (the `.dvc` file or `dvc.lock` it wrote), never
from a re-implementation in the test.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pytest

from datacouple.errors import DatacoupleError
from datacouple.identity import (
    DatasetIdentity,
    DvcEntry,
    dataset_identity,
    find_repo_root,
    hash_directory,
    hash_file,
    read_dvc_entry,
)


def assert_matches_dvc(identity: DatasetIdentity, out: dict) -> None:
    assert identity.hash == out["md5"]
    assert identity.size == out["size"]
    assert identity.nfiles == out.get("nfiles")


def test_single_file_matches_dvc_add(dvc_repo):
    # Larger than the 1 MiB read chunk and not a multiple of it.
    content = os.urandom(2 * 1024 * 1024 + 12345)
    path = dvc_repo.write("data/features.bin", content)
    computed = dataset_identity(path)  # before dvc add: no entry, computed

    dvc_repo.dvc("add", "data/features.bin")
    out = dvc_repo.dvc_out("data/features.bin.dvc")

    assert computed == DatasetIdentity(out["md5"], out["size"], None, "computed")
    assert hash_file(path) == out["md5"] == hashlib.md5(content).hexdigest()
    assert out["hash"] == "md5"


def test_empty_file_matches_dvc_add(dvc_repo):
    path = dvc_repo.write("empty.csv", b"")
    computed = dataset_identity(path)

    dvc_repo.dvc("add", "empty.csv")

    assert_matches_dvc(computed, dvc_repo.dvc_out("empty.csv.dvc"))
    assert computed.size == 0


def test_nested_directory_matches_dvc_add(dvc_repo):
    # Names chosen so that sorting path strings ("a-b" < "a/x") differs from sorting parts.
    files = {
        "ds/a/x.csv": "1,2\n",
        "ds/a-b.csv": "3,4\r\n",  # CRLF: DVC 3 hashes raw bytes, no dos2unix
        "ds/a/deeper/y.parquet": os.urandom(4096),
        "ds/a/deeper/empty": b"",
        "ds/z.txt": "z\n",
    }
    for relpath, content in files.items():
        dvc_repo.write(relpath, content)
    (dvc_repo.root / "ds" / "no-files-here").mkdir()  # empty dirs are not listed
    computed = dataset_identity(dvc_repo.root / "ds")

    dvc_repo.dvc("add", "ds")
    out = dvc_repo.dvc_out("ds.dvc")

    assert_matches_dvc(computed, out)
    assert computed.nfiles == 5
    assert hash_directory(dvc_repo.root / "ds") == (out["md5"], out["size"], out["nfiles"])


def test_empty_directory_matches_dvc_add(dvc_repo):
    (dvc_repo.root / "nothing").mkdir()
    computed = dataset_identity(dvc_repo.root / "nothing")

    dvc_repo.dvc("add", "nothing")

    assert_matches_dvc(computed, dvc_repo.dvc_out("nothing.dvc"))


def test_unicode_names_match_dvc_add(dvc_repo):
    dvc_repo.write("données/été.csv", "saison,température\nété,31\n")
    dvc_repo.write("données/日本/東京.txt", "東京\n")
    dvc_repo.write("日本.txt", "日本語\n")
    computed_dir = dataset_identity(dvc_repo.root / "données")
    computed_file = dataset_identity(dvc_repo.root / "日本.txt")

    dvc_repo.dvc("add", "données", "日本.txt")

    assert_matches_dvc(computed_dir, dvc_repo.dvc_out("données.dvc"))
    assert_matches_dvc(computed_file, dvc_repo.dvc_out("日本.txt.dvc"))


def test_dvcignore_rules_match_dvc_add(dvc_repo):
    # Root rules, a parent directory's rules (more specific, evaluated later), a negation
    # that re-includes, a directory-only rule, an anchored rule and DVC's default ignores.
    # `*/` in the root file matches nothing in DVC (git would ignore every directory).
    dvc_repo.write(".dvcignore", "# scratch files\n*.tmp\n!keep.tmp\nbuild/\n/data/ds/z.csv\n*/\n")
    dvc_repo.write("data/.dvcignore", "ds/**/*.log\nds/logs/*\n!ds/logs/kept/\n")
    for relpath in (
        "a.csv",
        "b.tmp",
        "keep.tmp",
        "z.csv",
        "sub/z.csv",
        "sub/c.tmp",
        "sub/deep/d.csv",
        "sub/deep/e.log",
        "build/f.csv",
        "logs/dropped/g.csv",
        "logs/kept/h.csv",
        ".git/HEAD",
        "sub/.git",
        ".hg/store",
        "nested-repo/.dvc/config",
        "nested-repo/n.csv",
    ):
        dvc_repo.write(f"data/ds/{relpath}", f"{relpath}\n")
    computed = dataset_identity(dvc_repo.root / "data" / "ds")

    dvc_repo.dvc("add", "data/ds")
    out = dvc_repo.dvc_out("data/ds.dvc")

    assert_matches_dvc(computed, out)
    # a.csv, keep.tmp, sub/z.csv, sub/deep/d.csv. Not logs/kept/h.csv: unlike git, DVC does
    # not let the directory rule `!ds/logs/kept/` re-include files that `ds/logs/*` matched.
    assert computed.nfiles == 4


def test_dvcignore_inside_the_directory_is_refused_like_dvc(dvc_repo):
    dvc_repo.write("ds/a.csv", "a\n")
    dvc_repo.write("ds/.dvcignore", "*.tmp\n")

    refused = dvc_repo.dvc("add", "ds", check=False)

    assert refused.returncode != 0
    assert ".dvcignore file should not be in collected dir" in refused.stderr + refused.stdout
    with pytest.raises(DatacoupleError, match=r"\.dvcignore inside a tracked directory"):
        dataset_identity(dvc_repo.root / "ds")


def test_ignored_directory_is_refused_like_dvc(dvc_repo):
    # `*/` in a subdirectory's .dvcignore does match (DVC re-roots it to `data/**/*/`).
    dvc_repo.write("data/ds/a.csv", "a\n")
    dvc_repo.write("data/.dvcignore", "*/\n")

    refused = dvc_repo.dvc("add", "data/ds", check=False)

    assert refused.returncode != 0
    assert "is ignored by" in refused.stderr + refused.stdout
    with pytest.raises(DatacoupleError, match=r"ignored by a \.dvcignore rule"):
        dataset_identity(dvc_repo.root / "data" / "ds")


def test_symlinks_follow_dvc(dvc_repo):
    # DVC hashes a symlinked file's content under the link's name and skips symlinked
    # directories (os.walk without followlinks). `dvc add` then replaces the links with
    # copies, so our identity is taken before it runs.
    dvc_repo.write("elsewhere/target.csv", "linked\n")
    dvc_repo.write("elsewhere/dir/inner.csv", "never seen\n")
    dvc_repo.write("ds/real.csv", "real\n")
    os.symlink("../elsewhere/target.csv", dvc_repo.root / "ds" / "link.csv")
    os.symlink("../elsewhere/dir", dvc_repo.root / "ds" / "linkdir")
    os.symlink("ds", dvc_repo.root / "ds-alias")
    computed = dataset_identity(dvc_repo.root / "ds")

    dvc_repo.dvc("add", "ds")

    assert_matches_dvc(computed, dvc_repo.dvc_out("ds.dvc"))
    assert computed.nfiles == 2
    with pytest.raises(DatacoupleError, match="symlink to a directory"):
        dataset_identity(dvc_repo.root / "ds-alias")
    os.symlink("missing.csv", dvc_repo.root / "ds" / "dangling.csv")
    with pytest.raises(DatacoupleError, match="broken symlink"):
        dataset_identity(dvc_repo.root / "ds")


def test_file_identity_reused_from_dvc_state_until_modified(dvc_repo):
    path = dvc_repo.write("features.csv", "id,value\n1,10\n")
    dvc_repo.dvc("add", "features.csv")
    out = dvc_repo.dvc_out("features.csv.dvc")

    reused = dataset_identity(path)
    assert reused == DatasetIdentity(out["md5"], out["size"], None, "dvc-state")

    # Same size, new bytes: DVC's state no longer vouches for the recorded hash.
    new_content = b"id,value\n1,99\n"
    assert len(new_content) == out["size"]
    path.write_bytes(new_content)
    changed = dataset_identity(path)

    assert changed == DatasetIdentity(
        hashlib.md5(new_content).hexdigest(), out["size"], None, "computed"
    )
    assert changed.hash != out["md5"]


def test_directory_identity_reused_from_dvc_state_until_modified(dvc_repo):
    dvc_repo.write("ds/a.csv", "a,1\n")
    dvc_repo.write("ds/sub/b.csv", "b,2\n")
    dvc_repo.dvc("add", "ds")
    out = dvc_repo.dvc_out("ds.dvc")

    reused = dataset_identity(dvc_repo.root / "ds")
    assert reused == DatasetIdentity(out["md5"], out["size"], out["nfiles"], "dvc-state")

    (dvc_repo.root / "ds" / "sub" / "b.csv").write_text("b,3\n")
    changed = dataset_identity(dvc_repo.root / "ds")
    assert changed.source == "computed"
    assert changed.hash != out["md5"]

    dvc_repo.dvc("add", "ds")
    assert_matches_dvc(changed, dvc_repo.dvc_out("ds.dvc"))
    assert dataset_identity(dvc_repo.root / "ds").source == "dvc-state"


def test_read_dvc_entry_in_work_tree_and_at_older_revision(dvc_repo):
    dvc_repo.write("data/features.csv", "v1\n")
    dvc_repo.dvc("add", "data/features.csv")
    first = dvc_repo.dvc_out("data/features.csv.dvc")
    first_commit = dvc_repo.commit("features v1")

    dvc_repo.write("data/features.csv", "version 2\n")
    dvc_repo.dvc("add", "data/features.csv")
    second = dvc_repo.dvc_out("data/features.csv.dvc")
    dvc_repo.commit("features v2")

    expected_now = DvcEntry(
        "data/features.csv", second["md5"], second["size"], None, "data/features.csv.dvc"
    )
    assert read_dvc_entry(dvc_repo.root, "data/features.csv") == expected_now
    assert read_dvc_entry(dvc_repo.root, dvc_repo.root / "data/features.csv") == expected_now
    assert read_dvc_entry(dvc_repo.root, "data/features.csv", rev="HEAD") == expected_now

    for rev in ("HEAD~1", first_commit, first_commit[:10]):
        old = read_dvc_entry(dvc_repo.root, "data/features.csv", rev=rev)
        assert old == DvcEntry(
            "data/features.csv", first["md5"], first["size"], None, "data/features.csv.dvc"
        )
    assert first["md5"] != second["md5"]
    # Reading a revision checks nothing out: the work tree still holds version 2.
    assert (dvc_repo.root / "data/features.csv").read_text() == "version 2\n"
    assert read_dvc_entry(dvc_repo.root, "data/untracked.csv") is None
    assert read_dvc_entry(dvc_repo.root, "data/untracked.csv", rev="HEAD~1") is None


def test_read_dvc_entry_at_revision_when_dvc_root_is_below_git_root(dvc_repo):
    # `dvc init --subdir`: a DVC project inside a larger git repository (a monorepo).
    project = type(dvc_repo)(dvc_repo.root / "project")
    project.root.mkdir()
    project.dvc("init", "--subdir", "-q")
    project.write("data.csv", "one\n")
    project.dvc("add", "data.csv")
    first = project.dvc_out("data.csv.dvc")
    dvc_repo.commit("project v1")
    project.write("data.csv", "two!\n")
    project.dvc("add", "data.csv")
    dvc_repo.commit("project v2")

    old = read_dvc_entry(project.root, "data.csv", rev="HEAD~1")

    assert old == DvcEntry("data.csv", first["md5"], first["size"], None, "data.csv.dvc")
    assert find_repo_root(project.root / "data.csv") == project.root
    assert dataset_identity(project.root / "data.csv").source == "dvc-state"


def test_dvc_lock_entry_from_a_real_pipeline(dvc_repo):
    dvc_repo.write("raw/penguins.csv", "species,mass\nAdelie,3750\n")
    dvc_repo.write("raw/extra/more.csv", "x\n")
    copy = (
        "import shutil; "
        "shutil.copyfile('raw/penguins.csv', 'features.csv'); "
        "shutil.copytree('raw/extra', 'featdir')"
    )
    dvc_repo.dvc(
        "stage", "add", "-n", "featurize",
        "-d", "raw/penguins.csv", "-d", "raw/extra",
        "-o", "features.csv", "-o", "featdir",
        f'"{sys.executable}" -c "{copy}"',
    )  # fmt: skip
    dvc_repo.dvc("repro")
    dvc_repo.commit("pipeline")

    for out_path in ("features.csv", "featdir"):
        entry = read_dvc_entry(dvc_repo.root, out_path)
        assert entry is not None and entry.origin == "dvc.lock:featurize"
        assert read_dvc_entry(dvc_repo.root, out_path, rev="HEAD") == entry
        identity = dataset_identity(dvc_repo.root / out_path)
        assert (identity.hash, identity.size, identity.nfiles) == (
            entry.hash,
            entry.size,
            entry.nfiles,
        )
        assert identity.source == "dvc-state"
    assert read_dvc_entry(dvc_repo.root, "featdir").nfiles == 1
    # A stage's dependency is not an output: no entry.
    assert read_dvc_entry(dvc_repo.root, "raw/penguins.csv") is None


def test_missing_path_is_a_one_line_error(dvc_repo):
    missing = dvc_repo.root / "nope.csv"
    for call in (dataset_identity, hash_file, hash_directory):
        with pytest.raises(DatacoupleError, match="no such file or directory") as error:
            call(missing)
        assert str(error.value) == f"{missing}: no such file or directory"


def test_unknown_revision_is_an_error(dvc_repo):
    dvc_repo.write("a.csv", "a\n")
    dvc_repo.dvc("add", "a.csv")
    with pytest.raises(DatacoupleError, match="unknown git revision"):
        read_dvc_entry(dvc_repo.root, "a.csv", rev="HEAD")  # no commit yet
    dvc_repo.commit("a")
    for rev in ("no-such-branch", "HEAD~5", "0123456789abcdef0123456789abcdef01234567"):
        with pytest.raises(DatacoupleError, match="unknown git revision"):
            read_dvc_entry(dvc_repo.root, "a.csv", rev=rev)


def test_corrupt_dvc_file_names_the_file(dvc_repo):
    dvc_repo.write("a.csv", "a\n")
    dvc_repo.write("a.csv.dvc", "outs:\n- md5: [unclosed\n  path: a.csv\n")
    with pytest.raises(DatacoupleError, match=r"^a\.csv\.dvc: not valid YAML"):
        read_dvc_entry(dvc_repo.root, "a.csv")
    with pytest.raises(DatacoupleError, match=r"a\.csv\.dvc"):
        dataset_identity(dvc_repo.root / "a.csv")

    dvc_repo.write("a.csv.dvc", "- just a list\n")
    with pytest.raises(DatacoupleError, match=r"a\.csv\.dvc: expected a YAML mapping"):
        read_dvc_entry(dvc_repo.root, "a.csv")

    # At a revision, the message says which one.
    dvc_repo.commit("corrupt")
    with pytest.raises(DatacoupleError, match=r"a\.csv\.dvc \(at git revision HEAD\)"):
        read_dvc_entry(dvc_repo.root, "a.csv", rev="HEAD")

    # Tags that would construct Python objects are refused (safe_load only).
    dvc_repo.write("a.csv.dvc", "outs: !!python/object/apply:os.getcwd []\n")
    with pytest.raises(DatacoupleError, match="not valid YAML"):
        read_dvc_entry(dvc_repo.root, "a.csv")


def test_corrupt_dvc_lock_names_the_file(dvc_repo):
    dvc_repo.write("out.csv", "x\n")
    dvc_repo.write("dvc.lock", "schema: '2.0'\nstages:\n  s: [unclosed\n")
    with pytest.raises(DatacoupleError, match=r"^dvc\.lock: not valid YAML"):
        read_dvc_entry(dvc_repo.root, "out.csv")


def test_find_repo_root(dvc_repo, tmp_path):
    nested = dvc_repo.write("a/b/c.csv", "c\n")
    assert find_repo_root(nested) == dvc_repo.root
    assert find_repo_root(nested.parent) == dvc_repo.root
    assert find_repo_root(dvc_repo.root) == dvc_repo.root
    outside = tmp_path / "outside"
    outside.mkdir()
    assert find_repo_root(outside) is None


def test_outside_a_dvc_repo_everything_is_hashed(tmp_path):
    directory = tmp_path / "plain"
    (directory / "sub").mkdir(parents=True)
    (directory / "a.csv").write_text("a\n")
    (directory / "sub" / "b.tmp").write_text("b\n")

    identity = dataset_identity(directory)

    assert identity.source == "computed"
    assert identity.nfiles == 2
    assert identity.hash.endswith(".dir") and len(identity.hash) == 36


def test_identity_without_an_entry_does_not_import_dvc(dvc_repo):
    # Opening DVC's Repo costs ~0.3 s of imports; untracked data must not pay for it.
    dvc_repo.write("untracked.csv", "x\n")
    script = (
        "import sys; from datacouple.identity import dataset_identity; "
        "dataset_identity(sys.argv[1]); print('dvc.repo' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(dvc_repo.root / "untracked.csv")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "False"
