"""A whole table's partial profile: one profiler per column, mergeable across partitions."""

from __future__ import annotations

import time
from concurrent.futures import Executor

import pyarrow as pa

from .columns import ColumnProfiler, ProfileOptions, profiler_for


class TableProfile:
    def __init__(self, schema: pa.Schema, max_categories: int = 100) -> None:
        self.schema = schema
        self.max_categories = max_categories
        self.rows = 0
        self.columns: list[ColumnProfiler] = [
            profiler_for(f.name, f.type, max_categories) for f in schema
        ]
        self._cost = [0.0] * len(self.columns)  # CPU seconds each column took so far
        self._position = {name: i for i, name in enumerate(schema.names)}

    def update(self, batch: pa.RecordBatch, workers: Executor | None = None) -> None:
        """Add a batch; with `workers`, columns are profiled in parallel (each profiler still
        sees its batches in order: this returns when all of them are done).

        The batch holds every column, or (a source read in column groups, sources.py) some of
        them, matched by name: then its rows count only if it holds the table's first column,
        so that each row counts once whichever groups it comes in."""
        if self.counts_rows(batch):
            self.rows += batch.num_rows
        if batch.num_columns == len(self.columns):  # every column, in order, as it always was
            pairs = [(i, i) for i in range(batch.num_columns)]
        elif len(self._position) != len(self.columns):
            raise ValueError("a table with duplicate column names takes whole batches")
        else:
            pairs = [(self._position[name], j) for j, name in enumerate(batch.schema.names)]
        if workers is None or len(pairs) < 2:
            for index, j in pairs:
                self.columns[index].update(batch.column(j))
            return
        # Costliest first (as measured so far), so that no worker is left with a long column
        # at the end of the batch while the others wait.
        pairs.sort(key=lambda pair: self._cost[pair[0]], reverse=True)
        for index, seconds in workers.map(lambda p: self._timed_update(p[0], batch.column(p[1])),
                                          pairs):
            self._cost[index] += seconds

    def counts_rows(self, batch: pa.RecordBatch) -> bool:
        """Whether `update` counts this batch's rows (see there): a batch of every column, or
        the one holding the table's first column."""
        return (batch.num_columns == len(self.columns)
                or self.schema.names[0] in batch.schema.names)

    def _timed_update(self, index: int, array: pa.Array) -> tuple[int, float]:
        started = time.thread_time()
        self.columns[index].update(array)
        return index, time.thread_time() - started

    def merge(self, other: TableProfile) -> None:
        if other.schema.names != self.schema.names:
            raise ValueError("cannot merge profiles of tables with different columns")
        self.rows += other.rows
        for mine, theirs in zip(self.columns, other.columns, strict=True):
            mine.merge(theirs)

    def to_state(self) -> dict:
        return {"rows": self.rows, "columns": [c.to_state() for c in self.columns]}

    @classmethod
    def from_state(cls, schema: pa.Schema, state: dict, max_categories: int = 100) -> TableProfile:
        profile = cls(schema, max_categories)
        profile.rows = state["rows"]
        for profiler, column_state in zip(profile.columns, state["columns"], strict=True):
            profiler.load_state(column_state)
        return profile

    def finalize(self, pii_columns: set[str] = frozenset()) -> list[dict]:
        return [
            profiler.finalize(ProfileOptions(
                max_categories=self.max_categories,
                pii=profiler.name in pii_columns,
            ))
            for profiler in self.columns
        ]
