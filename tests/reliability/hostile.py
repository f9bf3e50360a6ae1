"""What every hostile-input test asserts: exit code 2, one line on stderr that names the
culprit, no traceback anywhere, and nothing written (no file added, changed or removed in the
tree, no temp file left)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from helpers import CLI, assert_one_line_error

# Caches the tools keep for themselves: DVC's state db and locks, git's index and objects.
_NOT_OURS = (".git", os.path.join(".dvc", "tmp"))


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """relpath -> (size, mtime_ns) of every file under root, tools' own caches aside."""
    found = {}
    for directory, subdirectories, files in os.walk(root):
        relative = os.path.relpath(directory, root)
        subdirectories[:] = [d for d in subdirectories
                             if os.path.normpath(os.path.join(relative, d)) not in _NOT_OURS]
        for name in files:
            path = os.path.join(directory, name)
            stat = os.lstat(path)
            found[os.path.relpath(path, root)] = (stat.st_size, stat.st_mtime_ns)
    return found


def assert_refused(result: subprocess.CompletedProcess, *fragments: str) -> None:
    """Exit 2 with one `datacouple: error:` line naming every fragment, and no traceback."""
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    assert_one_line_error(result, *fragments)


def assert_nothing_written(before: dict, root: Path) -> None:
    after = snapshot(root)
    assert after == before, sorted(set(after.items()) ^ set(before.items()))
    assert not [name for name in after if name.endswith(".tmp")]


def run_measured(*args: str, cwd: Path, env: dict | None = None,
                 timeout: float = 120) -> tuple[subprocess.CompletedProcess, float, float]:
    """Run the CLI in a fresh child; (result, seconds, the child's peak RSS in MiB)."""
    probe = (
        "import resource, subprocess, sys\n"
        "r = subprocess.run(sys.argv[2:], capture_output=True, text=True)\n"
        "sys.stdout.write(r.stdout); sys.stderr.write(r.stderr)\n"
        "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN)"
        ".ru_maxrss))\n"
        "sys.exit(r.returncode)\n"
    )
    peak_file = cwd.parent / f"peak-{os.getpid()}-{time.monotonic_ns()}"
    start = time.monotonic()
    result = subprocess.run([sys.executable, "-c", probe, str(peak_file), *CLI, *args], cwd=cwd,
                            env=env, capture_output=True, text=True, timeout=timeout)
    seconds = time.monotonic() - start
    peak_mib = int(peak_file.read_text()) / 1024  # ru_maxrss is in KiB on Linux
    peak_file.unlink()
    return result, seconds, peak_mib
