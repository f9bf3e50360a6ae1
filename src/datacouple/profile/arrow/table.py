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

    def update(self, batch: pa.RecordBatch) -> None:
        self.rows += batch.num_rows
        for profiler, array in zip(self.columns, batch.columns, strict=True):
            profiler.update(array)

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
