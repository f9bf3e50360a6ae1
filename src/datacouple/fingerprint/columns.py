"""Per-column profilers: mergeable partial state over Arrow arrays, finalised into a profile.

Every profiler follows one protocol, so any engine can drive it partition by partition:
`update(array)` adds a batch, `merge(other)` adds another partition's state, `to_state()` /
`from_state()` carry state across processes (JSON-safe), and `finalize(options)` yields the
column's section of the fingerprint. Counts are integers and sketches hold integer counts, so
the result does not depend on row order or partitioning (means/stds are rounded on output).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import logical_types as lt
from .arrays import string_array, string_buffers, to_numpy, valid_mask
from .hashing import hash_numeric, hash_python_strings, hash_strings
from .sketches import HyperLogLog, LogSketch, nearest_rank

# Strings that people and tools write for "missing". Matched exactly (case-sensitive).
SENTINEL_TOKENS = (
    "NA", "N/A", "n/a", "na", "NaN", "nan", "NAN", "null", "NULL", "Null", "None", "none",
    "NONE", "nil", "NIL", "-", "--", "?", ".", "#N/A", "#NA", "<NA>", "NaT", "n.a.", "N.A.",
    "missing", "Missing", "MISSING", "unknown", "Unknown", "UNKNOWN", "undefined",
)
# Numbers that pipelines write for "missing" into numeric columns; counted so a diff can tell
# "nulls became -1" from a genuine shift.
NUMERIC_SENTINELS = (-1, -9, -99, -999, -9999, 99, 999, 9999, 99999)
QUANTILES = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)
_SENTINEL_SET = string_array(list(SENTINEL_TOKENS))
_NUMERIC_SENTINEL_SET = np.array(NUMERIC_SENTINELS, dtype=np.float64)


@dataclass(frozen=True)
class ProfileOptions:
    max_categories: int = 100  # a string column with more distinct values has no domain stored
    pii: bool = False  # never store raw values of this column


class ExactCounts:
    """Exact value counts that give up (become None) once more than `limit` values are seen.

    Giving up depends only on the number of distinct values overall, so the outcome is the
    same in any order or partitioning.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.counts: dict | None = {}

    def update(self, array: pa.Array) -> dict | None:
        """Add a batch; return the batch's own value counts when they were computed."""
        if self.counts is None or len(array) == 0:
            return None
        counted = pc.value_counts(array)
        if len(counted) > self.limit:
            self.counts = None
            return None
        batch = {
            value: count
            for value, count in zip(counted.field(0).to_pylist(), counted.field(1).to_pylist(),
                                    strict=True)
            if value is not None
        }
        for value, count in batch.items():
            self.counts[value] = self.counts.get(value, 0) + count
        if len(self.counts) > self.limit:
            self.counts = None
        return batch

    def merge(self, other: ExactCounts) -> None:
        if self.counts is None or other.counts is None:
            self.counts = None
            return
        for value, count in other.counts.items():
            self.counts[value] = self.counts.get(value, 0) + count
        if len(self.counts) > self.limit:
            self.counts = None


_ASCII_KERNELS = {"upper": pc.ascii_is_upper, "lower": pc.ascii_is_lower,
                  "title": pc.ascii_is_title, "space": pc.ascii_is_space}
_UTF8_KERNELS = {"upper": pc.utf8_is_upper, "lower": pc.utf8_is_lower,
                 "title": pc.utf8_is_title, "space": pc.utf8_is_space}


def _is_ascii(offsets: np.ndarray, data: np.ndarray) -> bool:
    """Only the bytes this batch uses: batches share their row group's data buffer. Null slots
    are read too (they are empty in practice; if not, we merely take the slower UTF-8 path)."""
    used = data[int(offsets[0]) : int(offsets[-1])]
    return not len(used) or int(used.max()) < 128


def _count_true(mask: pa.Array) -> int:
    return int(pc.sum(mask).as_py() or 0)


def round_float(value: float | None, digits: int = 10) -> float | str | None:
    """Stable float formatting: 10 significant digits, -0 as 0, infinities as strings."""
    if value is None:
        return None
    if isinstance(value, int):
        return value
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    rounded = float(f"{value:.{digits}g}")
    return rounded + 0.0


class ColumnProfiler:
    """Base: counts nulls and rows; subclasses add their own statistics."""

    kind: ClassVar[str] = "other"

    def __init__(self, name: str, dtype: pa.DataType, limit: int = 100) -> None:
        self.name = name
        self.dtype = dtype
        self.limit = limit
        self.rows = 0
        self.nulls = 0
        self.hll = HyperLogLog()
        self.exact: ExactCounts | None = None  # set by profilers that track small domains

    # -- protocol -------------------------------------------------------------------------
    def update(self, array: pa.Array) -> None:
        self.rows += len(array)
        self.nulls += array.null_count

    def merge(self, other: ColumnProfiler) -> None:
        self.rows += other.rows
        self.nulls += other.nulls
        self._materialize_hll()
        other._materialize_hll()
        self.hll.merge(other.hll)

    def to_state(self) -> dict:
        return {"rows": self.rows, "nulls": self.nulls, "hll": self.hll.to_state()}

    def load_state(self, state: dict) -> None:
        self.rows, self.nulls = state["rows"], state["nulls"]
        self.hll = HyperLogLog.from_state(state["hll"])

    def finalize(self, options: ProfileOptions) -> dict:
        return {
            "name": self.name,
            "logical_type": lt.logical_type_of_arrow(self.dtype),
            "physical_type": lt.physical_type_name(self.dtype),
            "pii": options.pii,
            "count": self.rows - self.nulls,
            "missing": {"null": self.nulls},
            "distinct": self._distinct(None),
        }

    # -- helpers --------------------------------------------------------------------------
    def _count_distinct(self, values: pa.Array, hashes: Callable[[], np.ndarray]) -> dict | None:
        """Exact counts while the domain is small; HyperLogLog only once it is not.

        Hashing every value is the costliest part of a profile, and a small domain never needs
        it. When the exact table overflows, the sketch is seeded with the values seen so far:
        HyperLogLog depends only on the set of values, so the result is the same as hashing
        all along, in any order.
        """
        batch_counts = None
        if self.exact is not None and self.exact.counts is not None:
            seen = list(self.exact.counts)
            batch_counts = self.exact.update(values)
            if self.exact.counts is not None:
                return batch_counts
            self.hll.add_hashes(self._hash_keys(seen))
        self.hll.add_hashes(hashes())
        return batch_counts

    def _materialize_hll(self) -> None:
        if self.exact is not None and self.exact.counts:
            self.hll.add_hashes(self._hash_keys(list(self.exact.counts)))

    def _hash_keys(self, keys: list) -> np.ndarray:
        # Two's complement through a mask, so uint64 values past 2**63 hash like their array.
        words = np.array([int(k) & 0xFFFFFFFFFFFFFFFF for k in keys], dtype=np.uint64)
        return hash_numeric(words.view(np.int64))

    def _distinct(self, exact: ExactCounts | None) -> dict:
        if exact is not None and exact.counts is not None:
            return {"count": len(exact.counts), "exact": True}
        return {"count": self.hll.estimate(), "exact": False}


class StringProfiler(ColumnProfiler):
    kind = "string"

    def __init__(self, name: str, dtype: pa.DataType, limit: int = 100) -> None:
        super().__init__(name, dtype, limit)
        self.empty = 0
        self.whitespace = 0
        self.sentinels: dict[str, int] = {}
        self.length_min: int | None = None
        self.length_max: int | None = None
        self.length_sum = 0
        self.case = {"lower": 0, "upper": 0, "title": 0}
        self.exact = ExactCounts(limit)
        self._unique_share = 1.0  # distinct values per row in the last measured batch
        self._batches_hashed = 0

    def update(self, array: pa.Array) -> None:
        super().update(array)
        if pa.types.is_dictionary(array.type):
            array = array.dictionary_decode()
        if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
            array = array.cast(pa.large_string())  # string_view: most kernels lack it
        if array.null_count == len(array):
            return
        offsets, data = string_buffers(array)
        ascii_only = _is_ascii(offsets, data)
        self._count_lengths(array, offsets if ascii_only else None)
        # The ASCII kernels are ~10x faster and agree with the UTF-8 ones on ASCII text.
        kernels = _ASCII_KERNELS if ascii_only else _UTF8_KERNELS
        self.whitespace += _count_true(kernels["space"](array))
        batch_counts = self._count_distinct(array, lambda: self._hash_distinct(array))
        self._count_sentinels(array, batch_counts)
        self._count_case(array, kernels)

    def _count_lengths(self, array: pa.Array, ascii_offsets: np.ndarray | None) -> None:
        """Lengths in characters; for ASCII text (offsets given) that is the byte length, read
        off the offsets."""
        if ascii_offsets is not None:
            lengths = np.diff(ascii_offsets)
            if array.null_count:
                lengths = lengths[valid_mask(array)]
            low, high = int(lengths.min()), int(lengths.max())
            total, empty = int(lengths.sum()), int(np.count_nonzero(lengths == 0))
        else:
            lengths = pc.utf8_length(array)
            bounds = pc.min_max(lengths).as_py()
            low, high = bounds["min"], bounds["max"]
            total = int(pc.sum(lengths).as_py() or 0)
            empty = _count_true(pc.equal(lengths, 0))
        self.length_min = _min(self.length_min, low)
        self.length_max = _max(self.length_max, high)
        self.length_sum += total
        self.empty += empty

    def _count_sentinels(self, array: pa.Array, batch_counts: dict | None) -> None:
        """Exact matches of the missing-value tokens; from the batch's value counts when the
        column is small enough to have them, else by a set lookup over the batch."""
        if batch_counts is not None:
            found = {token: batch_counts[token] for token in SENTINEL_TOKENS
                     if token in batch_counts}
        else:
            is_sentinel = pc.is_in(array, value_set=_SENTINEL_SET)
            if not pc.any(is_sentinel).as_py():
                return
            counted = pc.value_counts(pc.filter(array, is_sentinel))
            found = dict(zip(counted.field(0).to_pylist(), counted.field(1).to_pylist(),
                             strict=True))
        for token, count in found.items():
            self.sentinels[token] = self.sentinels.get(token, 0) + count

    def _count_case(self, array: pa.Array, kernels: dict) -> None:
        upper = kernels["upper"](array)
        self.case["upper"] += _count_true(upper)
        self.case["lower"] += _count_true(kernels["lower"](array))
        # "A" is both upper and title case; count it once, as upper.
        self.case["title"] += _count_true(pc.and_not(kernels["title"](array), upper))

    def _hash_distinct(self, array: pa.Array) -> np.ndarray:
        """Hash each distinct value once where values repeat (the sketch ignores repeats).

        Whether they repeat is measured on every 8th batch and remembered in between.
        """
        self._batches_hashed += 1
        if self._unique_share < 0.5 or self._batches_hashed % 8 == 1:
            unique = pc.unique(array)
            self._unique_share = len(unique) / max(len(array), 1)
            return hash_strings(unique)
        return hash_strings(array)

    def merge(self, other: StringProfiler) -> None:
        super().merge(other)
        self.empty += other.empty
        self.whitespace += other.whitespace
        for token, count in other.sentinels.items():
            self.sentinels[token] = self.sentinels.get(token, 0) + count
        self.length_min = _min(self.length_min, other.length_min)
        self.length_max = _max(self.length_max, other.length_max)
        self.length_sum += other.length_sum
        for key in self.case:
            self.case[key] += other.case[key]
        self.exact.merge(other.exact)

    def _hash_keys(self, keys: list) -> np.ndarray:
        return hash_python_strings(keys)

    def to_state(self) -> dict:
        return {
            **super().to_state(),
            "empty": self.empty, "whitespace": self.whitespace, "sentinels": self.sentinels,
            "length": [self.length_min, self.length_max, self.length_sum], "case": self.case,
            "exact": self.exact.counts,
        }

    def load_state(self, state: dict) -> None:
        super().load_state(state)
        self.empty, self.whitespace = state["empty"], state["whitespace"]
        self.sentinels = dict(state["sentinels"])
        self.length_min, self.length_max, self.length_sum = state["length"]
        self.case = dict(state["case"])
        self.exact.counts = None if state["exact"] is None else dict(state["exact"])

    def finalize(self, options: ProfileOptions) -> dict:
        profile = super().finalize(options)
        count = profile["count"]
        profile["missing"].update({
            "empty": self.empty,
            "whitespace": self.whitespace,
            "sentinels": dict(sorted(self.sentinels.items())),
        })
        profile["distinct"] = self._distinct(self.exact)
        profile["categories"] = _categories(self.exact, count, options)
        profile["string"] = {
            "length": {
                "min": self.length_min,
                "max": self.length_max,
                "mean": round_float(self.length_sum / count) if count else None,
            },
            "case": {**self.case, "other": count - sum(self.case.values())},
        }
        return profile


def _categories(exact: ExactCounts, non_null: int, options: ProfileOptions) -> dict | None:
    """The exact domain with counts, only for low-cardinality, non-PII columns.

    "Low" is absolute (at most max_categories) and relative (values repeat: at most half as
    many distinct values as non-null rows), so a small table of unique names is never stored.
    """
    if options.pii or exact.counts is None:
        return None
    distinct = len(exact.counts)
    if distinct > options.max_categories or (distinct > 2 and 2 * distinct > non_null):
        return None
    return {str(value): count for value, count in sorted(exact.counts.items(),
                                                          key=lambda item: str(item[0]))}


class BooleanProfiler(ColumnProfiler):
    kind = "boolean"

    def __init__(self, name: str, dtype: pa.DataType, limit: int = 100) -> None:
        super().__init__(name, dtype, limit)
        self.true = 0

    def update(self, array: pa.Array) -> None:
        super().update(array)
        self.true += _count_true(array)

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


class NumericProfiler(ColumnProfiler):
    """Integers, floats, decimals (as float64), durations and times (as their integer unit)."""

    kind = "numeric"

    def __init__(self, name: str, dtype: pa.DataType, limit: int = 100) -> None:
        super().__init__(name, dtype, limit)
        self.is_float = pa.types.is_floating(dtype) or pa.types.is_decimal(dtype)
        self.nan = 0
        self.pos_inf = 0
        self.neg_inf = 0
        self.finite = 0
        self.minimum: float | int | None = None
        self.maximum: float | int | None = None
        self.mean = 0.0
        self.m2 = 0.0
        self.zeros = 0
        self.integral = 0
        self.sentinels = dict.fromkeys(NUMERIC_SENTINELS, 0)
        self.sketch = LogSketch()
        self.exact = ExactCounts(1000)  # exact quantiles for small domains (codes, counts)

    def _hash_keys(self, keys: list) -> np.ndarray:
        if self.is_float:
            return hash_numeric(np.array(keys, dtype=np.float64))
        return super()._hash_keys(keys)

    def _as_numbers(self, array: pa.Array) -> pa.Array:
        if pa.types.is_decimal(array.type) or pa.types.is_float16(array.type):
            return array.cast(pa.float64())
        if pa.types.is_duration(array.type) or pa.types.is_time(array.type):
            return array.cast(pa.int64())
        return array

    def update(self, array: pa.Array) -> None:
        super().update(array)
        values = pc.drop_null(self._as_numbers(array))
        if len(values) == 0:
            return
        numbers = to_numpy(values)
        if self.is_float:
            numbers = numbers.astype(np.float64, copy=False)
            nan = np.isnan(numbers)
            self.nan += int(nan.sum())
            self.pos_inf += int(np.isposinf(numbers).sum())
            self.neg_inf += int(np.isneginf(numbers).sum())
            finite_mask = np.isfinite(numbers)
            numbers = numbers[finite_mask]
            if not finite_mask.all():
                values = pc.filter(values, pc.is_finite(values))
            self.integral += int(np.count_nonzero(numbers == np.trunc(numbers)))
        else:
            self.integral += len(numbers)
        if len(numbers) == 0:
            return
        self._add_moments(numbers)
        low, high = numbers.min(), numbers.max()
        cast = float if self.is_float else int
        self.minimum = _min(self.minimum, cast(low))
        self.maximum = _max(self.maximum, cast(high))
        self.zeros += int(np.count_nonzero(numbers == 0))
        as_float = numbers.astype(np.float64, copy=False)
        hits = np.isin(as_float, _NUMERIC_SENTINEL_SET)
        if hits.any():
            found, counts = np.unique(as_float[hits], return_counts=True)
            for value, count in zip(found.tolist(), counts.tolist(), strict=True):
                self.sentinels[int(value)] += count
        self.sketch.add(as_float)
        self._count_distinct(values, lambda: hash_numeric(numbers))

    def _add_moments(self, numbers: np.ndarray) -> None:
        """Chan et al.'s parallel update: exact in count, stable in floating point."""
        as_float = numbers.astype(np.float64, copy=False)
        n_b = len(as_float)
        mean_b = float(as_float.mean())
        m2_b = float(np.square(as_float - mean_b).sum())
        self._combine_moments(n_b, mean_b, m2_b)

    def _combine_moments(self, n_b: int, mean_b: float, m2_b: float) -> None:
        n_a = self.finite
        total = n_a + n_b
        if total == 0:
            return
        delta = mean_b - self.mean
        self.mean += delta * n_b / total
        self.m2 += m2_b + delta * delta * n_a * n_b / total
        self.finite = total

    def merge(self, other: NumericProfiler) -> None:
        super().merge(other)
        self.nan += other.nan
        self.pos_inf += other.pos_inf
        self.neg_inf += other.neg_inf
        self._combine_moments(other.finite, other.mean, other.m2)
        self.minimum = _min(self.minimum, other.minimum)
        self.maximum = _max(self.maximum, other.maximum)
        self.zeros += other.zeros
        self.integral += other.integral
        for key, count in other.sentinels.items():
            self.sentinels[key] += count
        self.sketch.merge(other.sketch)
        self.exact.merge(other.exact)

    def to_state(self) -> dict:
        exact = self.exact.counts
        return {
            **super().to_state(),
            "nan": self.nan, "inf": [self.pos_inf, self.neg_inf], "finite": self.finite,
            "bounds": [self.minimum, self.maximum], "moments": [self.mean, self.m2],
            "zeros": self.zeros, "integral": self.integral,
            "sentinels": [[k, v] for k, v in self.sentinels.items()],
            "sketch": self.sketch.to_state(),
            "exact": None if exact is None else [[k, v] for k, v in exact.items()],
        }

    def load_state(self, state: dict) -> None:
        super().load_state(state)
        self.nan = state["nan"]
        self.pos_inf, self.neg_inf = state["inf"]
        self.finite = state["finite"]
        self.minimum, self.maximum = state["bounds"]
        self.mean, self.m2 = state["moments"]
        self.zeros, self.integral = state["zeros"], state["integral"]
        self.sentinels = {k: v for k, v in state["sentinels"]}
        self.sketch = LogSketch.from_state(state["sketch"])
        self.exact.counts = None if state["exact"] is None else {k: v for k, v in state["exact"]}

    def finalize(self, options: ProfileOptions) -> dict:
        profile = super().finalize(options)
        profile["missing"]["nan"] = self.nan
        profile["distinct"] = self._distinct(self.exact)
        finite = self.finite
        std = math.sqrt(self.m2 / (finite - 1)) if finite > 1 else None
        numeric = {
            "finite": finite,
            "inf": {"positive": self.pos_inf, "negative": self.neg_inf},
            "mean": round_float(self.mean) if finite else None,
            "std": round_float(std),
            "zeros": self.zeros,
            "integral_share": round_float(self.integral / finite) if finite else None,
            "sentinels": {str(k): v for k, v in self.sentinels.items() if v},
        }
        if not options.pii:  # min/max, quantiles and buckets are values of individual rows
            numeric.update({
                "min": round_float(self.minimum),
                "max": round_float(self.maximum),
                "quantiles": dict(zip((str(q) for q in QUANTILES), self._quantiles(),
                                      strict=True)),
                "sketch": {"alpha": 0.01, **self.sketch.to_state()},
            })
        profile["numeric"] = numeric
        return profile

    def _quantiles(self) -> list[float | int | None]:
        if self.exact.counts is not None:
            return [round_float(v) for v in _exact_quantiles(self.exact.counts, QUANTILES)]
        estimates = self.sketch.quantiles(list(QUANTILES))
        # Clamp to the exact extremes: the sketch's buckets may overshoot them by ALPHA.
        return [
            None if v is None else round_float(min(max(v, self.minimum), self.maximum))
            for v in estimates
        ]


def _exact_quantiles(counts: dict, qs) -> list:
    return nearest_rank(sorted(counts.items()), qs)


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
        self.minimum = _min(self.minimum, int(ints.min()))
        self.maximum = _max(self.maximum, int(ints.max()))
        days, counts = np.unique(np.floor_divide(ints, self.per_day), return_counts=True)
        for day, count in zip(days.tolist(), counts.tolist(), strict=True):
            self.days[day] = self.days.get(day, 0) + count
        self.hll.add_hashes(hash_numeric(ints))

    def merge(self, other: TemporalProfiler) -> None:
        super().merge(other)
        self.minimum = _min(self.minimum, other.minimum)
        self.maximum = _max(self.maximum, other.maximum)
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
        quantiles = _exact_quantiles(self.days, QUANTILES) if self.days else [None] * 7
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


def _min(a, b):
    if a is None:
        return b
    return a if b is None else min(a, b)


def _max(a, b):
    if a is None:
        return b
    return a if b is None else max(a, b)


def profiler_for(name: str, dtype: pa.DataType, max_categories: int) -> ColumnProfiler:
    """Pick the profiler for a column from its Arrow type."""
    logical = lt.logical_type_of_arrow(dtype)
    if logical == lt.STRING:
        return StringProfiler(name, dtype, max_categories)
    if logical == lt.BOOLEAN:
        return BooleanProfiler(name, dtype, max_categories)
    if logical in lt.NUMERIC:
        return NumericProfiler(name, dtype, max_categories)
    if logical in lt.TEMPORAL:
        return TemporalProfiler(name, dtype, max_categories)
    return ColumnProfiler(name, dtype, max_categories)
