"""`.datacouple/` under the repository root: local state (the journal, caches), never committed."""

from __future__ import annotations

from pathlib import Path

from ..atomic import write_text_atomic

STATE_DIR = ".datacouple"


def keep_out_of_git(path: Path) -> None:
    """Before writing `path`: when it lies under a `.datacouple/` directory, make sure that
    directory holds a `.gitignore` of "*", so `git add -A` and `git status` never see it."""
    state = next((parent for parent in path.parents if parent.name == STATE_DIR), None)
    if state is None:
        return
    ignore = state / ".gitignore"
    if not ignore.exists():
        write_text_atomic(ignore, "*\n")
