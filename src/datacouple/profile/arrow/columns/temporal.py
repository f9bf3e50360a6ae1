"""Dates and timestamps: range, quantiles and a calendar histogram."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ...format import QUANTILES
from ..arrays import to_numpy
from ..hashing import hash_numeric
from .base import (
    ColumnProfiler,
    ProfileOptions,
    exact_quantiles,
    max_of,
    min_of,
)


class TemporalProfiler(ColumnProfiler):
    """Timestamps and dates: exact extremes, and counts per day for quantiles and histograms."""

    kind = "temporal"

    def __init__(self, name: str, dtype: pa.DataType, limit: int = 100) -> None:
        super().__init__(name, dtype, limit)
        self.minimum: int | None = None
        self.maximum: int | None = None
        self.days: dict[int, int] = {}
        if pa.types.is_timestamp(dtype):
            self.per_day = {"s": 86_400, "ms": 86_400_000, "us": 86_400_000_000,
                            "ns": 86_400_000_000_000}[dtype.unit]
        elif pa.types.is_date64(dtype):
            self.per_day = 86_400_000
        else:
            self.per_day = 1

    def update(self, array: pa.Array) -> None:
        super().update(array)
        values = pc.drop_null(array)
        if len(values) == 0:
            return
        width = pa.int32() if pa.types.is_date32(values.type) else pa.int64()
        ints = to_numpy(values.view(width)).astype(np.int64)
        self.minimum = min_of(self.minimum, int(ints.min()))
        self.maximum = max_of(self.maximum, int(ints.max()))
        days, counts = np.unique(np.floor_divide(ints, self.per_day), return_counts=True)
        for day, count in zip(days.tolist(), counts.tolist(), strict=True):
            self.days[day] = self.days.get(day, 0) + count
        self.hll.add_hashes(hash_numeric(ints))

    def merge(self, other: TemporalProfiler) -> None:
        super().merge(other)
        self.minimum = min_of(self.minimum, other.minimum)
        self.maximum = max_of(self.maximum, other.maximum)
        for day, count in other.days.items():
            self.days[day] = self.days.get(day, 0) + count

    def to_state(self) -> dict:
        return {**super().to_state(), "bounds": [self.minimum, self.maximum],
                "days": [[d, c] for d, c in self.days.items()]}

    def load_state(self, state: dict) -> None:
        super().load_state(state)
        self.minimum, self.maximum = state["bounds"]
        self.days = {d: c for d, c in state["days"]}

    def _iso(self, value: int | None) -> str | None:
        if value is None:
            return None
        width = pa.int32() if pa.types.is_date32(self.dtype) else pa.int64()
        return pa.scalar(value, width).cast(self.dtype).as_py().isoformat()

    def finalize(self, options: ProfileOptions) -> dict:
        profile = super().finalize(options)
        if options.pii:
            profile["temporal"] = {}
            return profile
        epoch = dt.date(1970, 1, 1)
        quantiles = exact_quantiles(self.days, QUANTILES) if self.days else [None] * 7
        profile["temporal"] = {
            "min": self._iso(self.minimum),
            "max": self._iso(self.maximum),
            "quantiles": {
                str(q): None if d is None else (epoch + dt.timedelta(days=d)).isoformat()
                for q, d in zip(QUANTILES, quantiles, strict=True)
            },
            "histogram": _calendar_histogram(self.days, epoch),
        }
        return profile


def _calendar_histogram(days: dict[int, int], epoch: dt.date) -> dict[str, int]:
    """Counts per month, or per year when that would exceed 120 bins: readable in a git diff."""
    if not days:
        return {}
    first, last = min(days), max(days)
    by_year = (last - first) > 3650
    bins: dict[str, int] = {}
    for day, count in days.items():
        date = epoch + dt.timedelta(days=day)
        key = f"{date.year:04d}" if by_year else f"{date.year:04d}-{date.month:02d}"
        bins[key] = bins.get(key, 0) + count
    return dict(sorted(bins.items()))
