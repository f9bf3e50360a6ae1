"""Two writers of one fingerprint file at once (two processes in a tight loop, and two
`datacouple fingerprint` runs): the file is always one writer's whole content, and no temp
file is left behind."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from datacouple.atomic import WriteError, write_bytes_atomic, write_text_atomic
from datacouple.errors import DatacoupleError

from helpers import CLI, GitDvcProject
from reliability_repo import build_project

WRITES = 150
WRITER = """
import json, sys
from datacouple.atomic import write_text_atomic
path, mark, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
# ~400 KB each, so a write takes long enough for the other writer and the reader to overlap it
document = {"writer": mark, "rows": [[mark, i, "x" * 40] for i in range(8000)]}
for i in range(count):
    document["n"] = i
    write_text_atomic(path, json.dumps(document))
"""


def _leftovers(directory: Path, keep: set[str]) -> list[str]:
    return sorted(name for name in os.listdir(directory) if name not in keep)


def test_two_processes_writing_one_file_in_a_tight_loop(tmp_path: Path):
    target = tmp_path / "fingerprints" / "features.json"
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(target), mark, str(WRITES)])
               for mark in ("a", "b")]
    seen = {"a": 0, "b": 0}
    reads = 0
    while any(w.poll() is None for w in writers):
        try:
            text = target.read_text()
        except FileNotFoundError:  # before the first rename
            continue
        document = json.loads(text)  # never half a file
        assert len(document["rows"]) == 8000 and document["rows"][-1][0] == document["writer"]
        seen[document["writer"]] += 1
        reads += 1
    assert [w.returncode for w in writers] == [0, 0]
    assert reads > 20 and seen["a"] and seen["b"]  # the reader did see both writers' files
    final = json.loads(target.read_text())
    assert final["n"] == WRITES - 1 and final["writer"] in ("a", "b")
    assert _leftovers(target.parent, {"features.json"}) == []  # no temp file behind


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> GitDvcProject:
    return build_project(tmp_path_factory.mktemp("atomic"))


def test_two_fingerprint_commands_at_once_leave_one_intact_file(project: GitDvcProject):
    target = project.root / "fingerprints" / "features.json"
    committed = target.read_bytes()
    target.unlink()  # both runs write it anew
    for _ in range(2):
        runs = [subprocess.Popen([*CLI, "fingerprint", "features"], cwd=project.root,
                                 env=project.env, stderr=subprocess.PIPE, text=True)
                for _ in range(2)]
        errors = [run.communicate(timeout=300)[1] for run in runs]
        assert [run.returncode for run in runs] == [0, 0], errors
        assert target.read_bytes() == committed  # whole, and the same as one run alone
        assert _leftovers(target.parent, {"features.json"}) == []


def test_a_written_file_gets_the_usual_permissions(tmp_path: Path):
    """0666 less the umask, as `open` would create it (mkstemp's 0600 would hide a
    fingerprint from the rest of a team sharing the checkout)."""
    previous = os.umask(0o022)
    try:
        path = write_text_atomic(tmp_path / "features.json", "{}\n")
    finally:
        os.umask(previous)
    assert path.stat().st_mode & 0o777 == 0o644


def test_a_failed_write_is_one_line_and_keeps_the_old_file(tmp_path: Path):
    target = tmp_path / "features.json"
    target.write_text("old\n")
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where a directory should be\n")
    with pytest.raises(WriteError) as raised:
        write_bytes_atomic(blocker / "x.json", b"new")
    assert isinstance(raised.value, DatacoupleError) and isinstance(raised.value, OSError)
    assert str(raised.value) == f"cannot write {blocker / 'x.json'}: {blocker} is not a directory"
    directory = tmp_path / "dir-in-the-way"
    (directory / "inside").mkdir(parents=True)
    with pytest.raises(WriteError, match="Is a directory"):
        write_text_atomic(directory, "new")  # the rename fails after the temp file was written
    assert _leftovers(tmp_path, {"features.json", "not-a-dir", "dir-in-the-way"}) == []
    assert target.read_text() == "old\n"


SLOW_WRITER = """
import sys
from datacouple.atomic import end_cleanly_on_sigterm, write_bytes_atomic
end_cleanly_on_sigterm()  # what the `datacouple` command does first
write_bytes_atomic(sys.argv[1], b"x" * (96 * 1024 * 1024))  # long enough to be caught mid-way
"""


def test_sigterm_while_writing_leaves_no_temp_file(tmp_path: Path):
    target = tmp_path / "features.json"
    target.write_text("old\n")
    writer = subprocess.Popen([sys.executable, "-c", SLOW_WRITER, str(target)])
    while not [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]:  # the write has begun
        assert writer.poll() is None, "the write ended before it was seen"
    writer.terminate()  # SIGTERM, as a CI timeout sends it
    assert writer.wait(60) == 143
    assert sorted(os.listdir(tmp_path)) == ["features.json"]
    assert target.read_text() == "old\n"


def test_the_command_line_ends_cleanly_on_sigterm():
    """`datacouple` itself installs the handler (a command killed while writing cleans up)."""
    code = ("import signal, sys\n"
            "from datacouple.cli import main\n"
            "try:\n    main(['sync', '--help'])\nexcept SystemExit:\n    pass\n"
            "print(signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.stdout.strip().splitlines()[-1] == "True", result.stderr
