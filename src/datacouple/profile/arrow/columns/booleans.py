"""Booleans: an exact two-value domain."""

from __future__ import annotations

import pyarrow as pa

from .base import (
    ColumnProfiler,
    ProfileOptions,
    count_true,
)


class BooleanProfiler(ColumnProfiler):
    kind = "boolean"

    def __init__(self, name: str, dtype: pa.DataType, limit: int = 100) -> None:
        super().__init__(name, dtype, limit)
        self.true = 0

    def update(self, array: pa.Array) -> None:
        super().update(array)
        self.true += count_true(array)

    def merge(self, other: BooleanProfiler) -> None:
        super().merge(other)
        self.true += other.true

    def to_state(self) -> dict:
        return {**super().to_state(), "true": self.true}

    def load_state(self, state: dict) -> None:
        super().load_state(state)
        self.true = state["true"]

    def finalize(self, options: ProfileOptions) -> dict:
        profile = super().finalize(options)
        false = profile["count"] - self.true
        domain = {"false": false, "true": self.true}
        profile["distinct"] = {"count": sum(1 for c in domain.values() if c), "exact": True}
        profile["categories"] = (
            None if options.pii else {key: count for key, count in domain.items() if count}
        )
        return profile
