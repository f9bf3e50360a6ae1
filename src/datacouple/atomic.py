"""Write files so that readers never see half of them: temp file in the same dir, then rename.

Two writers of one file at once each write their own temp file (named after the process, with
a random part, created exclusively) and rename it over the target: the last rename wins, and
the file is always one writer's whole content. A write that fails (a full disk, a read-only
directory) removes its temp file and leaves the old file as it was; the error is one line
(`WriteError`, exit code 2 in the CLI). A command interrupted by Ctrl-C, or by SIGTERM (the CLI
turns it into an exit, see `end_cleanly_on_sigterm`), removes its temp file too. Only a process
killed outright (SIGKILL, power loss) between the two steps leaves a `.NAME.PID.XXXXXXXX.tmp`
beside the target.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import signal
import sys
import threading
from pathlib import Path

from .errors import DatacoupleError


class WriteError(DatacoupleError, OSError):
    """A file could not be written; the old one, if any, is unchanged. Still an OSError, so
    callers that treat a cache write as optional keep doing so."""

    def __init__(self, path: Path, error: OSError, existed: bool):
        cause = error.strerror or type(error).__name__
        kept = "; the old file is unchanged" if existed else ""
        super().__init__(f"cannot write {path}: {cause}{kept}")
        self.errno = error.errno
        self.filename = str(path)

    def __str__(self) -> str:  # OSError's own would show "[Errno N] ..." once errno is set
        return self.args[0]


def end_cleanly_on_sigterm() -> None:
    """Make SIGTERM (a CI job's timeout, `kill PID`) end the process through Python's exception
    handling, as Ctrl-C does, so `finally` blocks remove temp files. Python's default for
    SIGTERM ends the process on the spot. Exit code 143 (128 + 15), as a shell reports it."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def write_text_atomic(path: str | os.PathLike, text: str) -> Path:
    """Write `text` (UTF-8) to `path` atomically, creating parent directories."""
    return write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> Path:
    target = Path(path)
    existed = target.exists()
    tmp: Path | None = None
    try:
        _make_parent(target)
        tmp, fd = _create_temp(target)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
        tmp = None
        _sync_directory(target.parent)
    except OSError as error:
        raise WriteError(target, error, existed) from None
    finally:
        if tmp is not None:  # failed or interrupted (KeyboardInterrupt too) before the rename
            with contextlib.suppress(OSError):
                tmp.unlink()
    return target


def _make_parent(target: Path) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # a file where a directory should be: say that, not "File exists"
        blocker = next(p for p in (target.parent, *target.parent.parents) if p.exists())
        raise NotADirectoryError(errno.ENOTDIR, f"{blocker} is not a directory") from None


def _create_temp(target: Path) -> tuple[Path, int]:
    """A new temp file beside `target`, created exclusively (never shared with another
    writer). Mode 0666 less the umask, as a plain `open` would create the file: `mkstemp`'s
    0600 would make a fingerprint unreadable to the rest of a team sharing the checkout."""
    for _ in range(100):
        tmp = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        try:
            return tmp, os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary file name", str(target.parent))


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable (best effort: not every filesystem allows it)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
