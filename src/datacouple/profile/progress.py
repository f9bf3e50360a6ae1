"""A progress bar on a terminal (rich), silence everywhere else (CI logs, pipes)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager


class _Silent:
    def advance(self, rows: int) -> None:
        pass


class _Bar:
    def __init__(self, progress, task) -> None:
        self._progress, self._task = progress, task

    def advance(self, rows: int) -> None:
        self._progress.advance(self._task, rows)


@contextmanager
def row_progress(label: str, total_rows: int | None, enabled: bool | None = None) -> Iterator:
    """Yield an object with `.advance(rows)`; draws only when stderr is a terminal."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        yield _Silent()
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("rows"), TimeElapsedColumn()]
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        yield _Bar(progress, progress.add_task(label, total=total_rows))
