"""The local journal: lineage records kept while the tracking server is unreachable.

A record is one JSON file, `<repo root>/.datacouple/journal/<uuid>.json` (or under
`$DATACOUPLE_JOURNAL_DIR`), written atomically (temp file + rename), so a crash never leaves
half a record. `datacouple sync` replays every record against the tracking URI it was meant
for and deletes a record only after all of it was applied. Applying is idempotent
(tracking.py), so a record that half-applied before a failure is simply applied again.

Two `sync` at once: an exclusive `fcntl` lock on the journal directory makes the second wait,
then find the records already gone, so each record is replayed once.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..atomic import write_text_atomic
from ..config import load_config
from ..errors import DatacoupleError
from .local_state import keep_out_of_git
from .records import LineageRecord

JOURNAL_ENV = "DATACOUPLE_JOURNAL_DIR"
_LOCK_FILE = ".lock"


def journal_dir(repo_root: str | os.PathLike | None = None) -> Path:
    """`$DATACOUPLE_JOURNAL_DIR`, else `<repo root>/.datacouple/journal`."""
    override = os.environ.get(JOURNAL_ENV)
    if override:
        return Path(override)
    if repo_root is None:
        repo_root = load_config().root
    return Path(repo_root) / ".datacouple" / "journal"


def write_record(record: LineageRecord, directory: Path) -> Path:
    """Keep `record` in the journal; returns its file."""
    _ignore_in_git(directory)
    return write_text_atomic(directory / f"{record.id}.json",
                             json.dumps(record.to_dict(), sort_keys=True, indent=1) + "\n")


def pending(directory: Path) -> list[Path]:
    """The journal's records, oldest first (replay keeps the order they were logged in)."""
    if not directory.is_dir():
        return []
    records = [path for path in directory.glob("*.json") if not path.name.startswith(".")]
    return sorted(records, key=lambda path: (path.stat().st_mtime_ns, path.name))


def read_record(path: Path) -> LineageRecord:
    try:
        return LineageRecord.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, TypeError) as error:
        raise DatacoupleError(f"{path}: unreadable journal record ({error})") from None


@dataclass
class SyncResult:
    applied: list[str] = field(default_factory=list)  # record ids
    unreachable: list[str] = field(default_factory=list)  # kept: the server is still down
    failed: dict[str, str] = field(default_factory=dict)  # kept: record id -> error

    @property
    def complete(self) -> bool:
        return not self.unreachable and not self.failed

    def messages(self, directory: Path) -> list[str]:
        """What `datacouple sync` tells the user, a line each."""
        lines = [f"{len(self.applied)} record(s) sent from {directory}"]
        if self.unreachable:
            lines.append(f"{len(self.unreachable)} record(s) kept: tracking server still "
                         "unreachable")
        lines += [f"{record_id}: kept, not applied: {error}"
                  for record_id, error in self.failed.items()]
        return lines


def sync(directory: Path | None = None) -> SyncResult:
    """Replay every journaled record; remove each once applied. Holds the journal's lock."""
    from .tracking import apply_record, is_unreachable, short_retries

    directory = directory or journal_dir()
    result = SyncResult()
    if not directory.is_dir():
        return result
    down: set[str] = set()  # tracking URIs found unreachable in this sync: skip their records
    with _locked(directory), short_retries():
        for path in pending(directory):
            if not path.exists():
                continue
            try:
                record = read_record(path)
            except DatacoupleError as error:
                result.failed[path.stem] = str(error)
                continue
            if record.tracking_uri in down:
                result.unreachable.append(record.id)
                continue
            try:
                apply_record(record)
            except Exception as error:
                if is_unreachable(error):
                    down.add(record.tracking_uri)
                    result.unreachable.append(record.id)
                else:
                    result.failed[record.id] = " ".join(str(error).split())[:300]
                continue
            path.unlink()
            result.applied.append(record.id)
    return result


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    with open(directory / _LOCK_FILE, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _ignore_in_git(directory: Path) -> None:
    # The journal is local state kept out of git; a directory chosen with
    # $DATACOUPLE_JOURNAL_DIR is left as is.
    if directory.name == "journal":
        keep_out_of_git(directory / "record.json")
