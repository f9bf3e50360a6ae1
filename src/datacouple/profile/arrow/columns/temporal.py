"""Dates and timestamps: range, quantiles, a calendar histogram, and the clock: days of the
week, hours of the day and granularity (whole days, hours, minutes, seconds or finer), so a
clock shifted by hours (a time zone dropped or applied twice) shows while a new month of data
with the same daily rhythm does not.

Hours and granularity are read off the stored value: UTC for zone-aware timestamps, the wall
clock for naive ones (a zone change of the type itself is `type_changed`)."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

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

GRANULARITIES = ("day", "hour", "minute", "second", "subsecond")  # coarsest unit that divides
WEEKDAYS = 7  # Monday first, as ISO 8601
_EPOCH_WEEKDAY = 3  # 1970-01-01 was a Thursday


class TemporalProfiler(ColumnProfiler):
    """Timestamps and dates: exact extremes, counts per day (quantiles, histograms, days of
    the week) and, for timestamps, counts per hour of the day and per granularity."""

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
        self.clock = pa.types.is_timestamp(dtype)  # dates have no time of day
        self.hours = np.zeros(24, dtype=np.int64)
        self.granularity = dict.fromkeys(GRANULARITIES, 0)

    def update(self, array: pa.Array) -> None:
        super().update(array)
        values = pc.drop_null(array)
        if len(values) == 0:
            return
        width = pa.int32() if pa.types.is_date32(values.type) else pa.int64()
        ints = to_numpy(values.view(width)).astype(np.int64, copy=False)
        self.minimum = min_of(self.minimum, int(ints.min()))
        self.maximum = max_of(self.maximum, int(ints.max()))
        day_of = np.floor_divide(ints, self.per_day)
        days, counts = _day_counts(day_of)
        for day, count in zip(days.tolist(), counts.tolist(), strict=True):
            self.days[day] = self.days.get(day, 0) + count
        if self.clock:
            self._count_clock(ints - day_of * self.per_day)
        self.hll.add_hashes(hash_numeric(ints))

    def _count_clock(self, since_midnight: np.ndarray) -> None:
        """Hours of the day and granularity from the time since midnight (in the unit)."""
        per_second = self.per_day // 86_400
        seconds = since_midnight // per_second
        whole_second = _multiple(since_midnight, seconds, per_second) if per_second > 1 else None
        seconds = seconds.astype(np.int32)
        hours = seconds // 3600
        self.hours += np.bincount(hours, minlength=24)[:24]
        # Whole minutes and hours are looked for among the whole seconds only: with a clock
        # finer than seconds, few values (often none) are.
        in_seconds = len(seconds) if whole_second is None else int(np.count_nonzero(whole_second))
        if in_seconds < len(seconds):
            seconds, hours = seconds[whole_second], hours[whole_second]
        whole_minute = _multiple(seconds, seconds // 60, 60)
        whole_hour = whole_minute & _multiple(seconds, hours, 3600)
        counts = [int(np.count_nonzero(whole_hour & (seconds == 0))),
                  int(np.count_nonzero(whole_hour)), int(np.count_nonzero(whole_minute)),
                  in_seconds, len(since_midnight)]
        # Each value counts once, under the coarsest unit it is a whole multiple of.
        for index, name in enumerate(GRANULARITIES):
            self.granularity[name] += counts[index] - (counts[index - 1] if index else 0)

    def merge(self, other: TemporalProfiler) -> None:
        super().merge(other)
        self.minimum = min_of(self.minimum, other.minimum)
        self.maximum = max_of(self.maximum, other.maximum)
        for day, count in other.days.items():
            self.days[day] = self.days.get(day, 0) + count
        self.hours += other.hours
        for name, count in other.granularity.items():
            self.granularity[name] += count

    def to_state(self) -> dict:
        return {**super().to_state(), "bounds": [self.minimum, self.maximum],
                "days": [[d, c] for d, c in self.days.items()],
                "hours": self.hours.tolist(), "granularity": dict(self.granularity)}

    def load_state(self, state: dict) -> None:
        super().load_state(state)
        self.minimum, self.maximum = state["bounds"]
        self.days = {d: c for d, c in state["days"]}
        self.hours = np.array(state["hours"], dtype=np.int64)
        self.granularity = dict(state["granularity"])

    def _iso(self, value: int | None) -> str | None:
        if value is None:
            return None
        try:
            return _iso_format(value, self.dtype)
        except (ValueError, OverflowError, KeyError):
            # Nanoseconds, years outside 1..9999, zones Python does not know: Arrow's own
            # conversion (which imports pandas, 0.4 s and 40 MiB: hence not the first choice).
            width = pa.int32() if pa.types.is_date32(self.dtype) else pa.int64()
            return pa.scalar(value, width).cast(self.dtype).as_py().isoformat()

    def finalize(self, options: ProfileOptions) -> dict:
        profile = super().finalize(options)
        if options.pii:
            # Only how finely times are written: days, hours and dates place individual rows.
            profile["temporal"] = {"granularity": dict(self.granularity)} if self.clock else {}
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
            "weekdays": _weekdays(self.days),
        }
        if self.clock:
            profile["temporal"]["hours"] = self.hours.tolist()
            profile["temporal"]["granularity"] = dict(self.granularity)
        return profile


_EPOCH = dt.datetime(1970, 1, 1)
_MICROSECONDS = {"s": 1_000_000, "ms": 1_000, "us": 1}


def _iso_format(value: int, dtype: pa.DataType) -> str:
    """The ISO text Arrow's `as_py().isoformat()` gives, computed with the standard library."""
    if pa.types.is_date32(dtype):
        return (_EPOCH.date() + dt.timedelta(days=value)).isoformat()
    if pa.types.is_date64(dtype):
        return (_EPOCH + dt.timedelta(milliseconds=value)).date().isoformat()
    if dtype.unit == "ns":
        if value % 1000:
            raise ValueError("nanoseconds: datetime stops at microseconds")
        micros = value // 1000
    else:
        micros = value * _MICROSECONDS[dtype.unit]
    moment = _EPOCH + dt.timedelta(microseconds=micros)
    if dtype.tz is None:
        return moment.isoformat()
    return moment.replace(tzinfo=dt.UTC).astimezone(_zone(dtype.tz)).isoformat()


def _zone(name: str) -> dt.tzinfo:
    if name.upper() in ("UTC", "Z"):
        return dt.UTC
    offset = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", name)
    if offset:
        sign = -1 if offset.group(1) == "-" else 1
        return dt.timezone(sign * dt.timedelta(hours=int(offset.group(2)),
                                                minutes=int(offset.group(3))))
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise KeyError(name) from error


def _multiple(values: np.ndarray, quotients: np.ndarray, divisor: int) -> np.ndarray:
    """values % divisor == 0, given values // divisor: numpy divides by a constant fast
    (libdivide) but computes % with a hardware division per value, 3-8x slower."""
    return values == quotients * divisor


def _day_counts(day_of: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The days present and their counts: by bincount over the batch's span of days (a batch
    spans days, not millennia, as a rule), else by sorting."""
    first = int(day_of.min())
    span = int(day_of.max()) - first + 1
    if span > 4 * len(day_of) + 1024:
        return np.unique(day_of, return_counts=True)
    counts = np.bincount(day_of - first, minlength=span)
    present = np.flatnonzero(counts)
    return present + first, counts[present]


def _weekdays(days: dict[int, int]) -> list[int]:
    """Counts per day of the week, Monday first."""
    counts = [0] * WEEKDAYS
    for day, count in days.items():
        counts[(day + _EPOCH_WEEKDAY) % WEEKDAYS] += count
    return counts


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
