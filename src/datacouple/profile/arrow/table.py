"""A whole table's partial profile: one profiler per column, mergeable across partitions."""

from __future__ import annotations

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
        self._position = {name: i for i, name in enumerate(schema.names)}

    def update(self, batch: pa.RecordBatch) -> None:
        """Add a batch, one column after another (pipeline.py profiles columns in parallel)."""
        for index, array in self.admit(batch):
            self.columns[index].update(array)

    def admit(self, batch: pa.RecordBatch) -> list[tuple[int, pa.Array]]:
        """Count a batch's rows and pair each of its arrays with its profiler's index, for the
        caller to feed them to `columns[index].update`, in batch order per column.

        The batch holds every column, or (a source read in column groups, sources.py) some of
        them, matched by name: then its rows count only if it holds the table's first column,
        so that each row counts once whichever groups it comes in."""
        if self.counts_rows(batch):
            self.rows += batch.num_rows
        if batch.num_columns == len(self.columns):  # every column, in order, as it always was
            return list(enumerate(batch.columns))
        if len(self._position) != len(self.columns):
            raise ValueError("a table with duplicate column names takes whole batches")
        return [(self._position[name], array)
                for name, array in zip(batch.schema.names, batch.columns, strict=True)]

    def counts_rows(self, batch: pa.RecordBatch) -> bool:
        """Whether `admit` counts this batch's rows (see there): a batch of every column, or
        the one holding the table's first column."""
        return (batch.num_columns == len(self.columns)
                or self.schema.names[0] in batch.schema.names)

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
