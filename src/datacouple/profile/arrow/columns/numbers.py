"""Numbers: range, moments, quantiles from a mergeable sketch, zeros, integral share,
numeric sentinels (-1, 999, ...), how many values sit at each extreme (clipping piles them up
there) and the mode (imputation piles them up on one value)."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa

from ...format import NUMERIC_SENTINELS, QUANTILES, encode_buckets
from ...sketches import LogSketch
from ..arrays import from_numpy, present_numpy
from ..hashing import hash_numeric
from .base import (
    ColumnProfiler,
    ExactCounts,
    ProfileOptions,
    exact_quantiles,
    round_float,
)

_NUMERIC_SENTINEL_SET = np.array(NUMERIC_SENTINELS, dtype=np.float64)


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
        self.at_min = 0  # values equal to the minimum
        self.at_max = 0
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
        present = self._as_numbers(array)
        if present.null_count == len(present):
            return
        raw = present_numpy(present)  # in the column's own type, for the exact domain
        numbers, finite_mask = raw, None
        if self.is_float:
            numbers = raw.astype(np.float64, copy=False)
            finite_mask = np.isfinite(numbers)
            if finite_mask.all():  # most batches have no NaN or infinity: one pass then
                finite_mask = None
            else:
                self.nan += int(np.isnan(numbers).sum())
                self.pos_inf += int(np.isposinf(numbers).sum())
                self.neg_inf += int(np.isneginf(numbers).sum())
                numbers = numbers[finite_mask]
            whole = numbers == np.trunc(numbers)
            self.integral += int(np.count_nonzero(whole))
        else:
            self.integral += len(numbers)
        if len(numbers) == 0:
            return
        as_float = numbers.astype(np.float64, copy=False)  # once: moments, sentinels, sketch
        self._add_moments(as_float)
        low, high = numbers.min(), numbers.max()
        cast = float if self.is_float else int
        low, high = cast(low), cast(high)
        # A batch's count at an extreme matters only if it reaches the column's extreme so far,
        # and its zeros only if its range holds 0: most batches need neither pass.
        self._add_extremes(low, self._count_equal(numbers, low, self.minimum, below=True),
                           high, self._count_equal(numbers, high, self.maximum, below=False))
        if low <= 0 <= high:
            self.zeros += int(np.count_nonzero(numbers == 0))
        # Only the sentinels within this batch's range can occur in it (often none or few),
        # and only among its whole numbers (of floats, often few).
        possible = _NUMERIC_SENTINEL_SET[(low <= _NUMERIC_SENTINEL_SET)
                                         & (high >= _NUMERIC_SENTINEL_SET)]
        if len(possible):
            candidates = as_float[whole] if self.is_float else as_float
            hits = np.isin(candidates, possible)
            if hits.any():
                found, counts = np.unique(candidates[hits], return_counts=True)
                for value, count in zip(found.tolist(), counts.tolist(), strict=True):
                    self.sentinels[int(value)] += count
        if self.exact.counts is None:  # past a small domain: hashes only
            batch_counts = self._count_distinct(None, lambda: hash_numeric(numbers))
        else:
            finite = raw if finite_mask is None else raw[finite_mask]  # in the column's type
            batch_counts = self._count_small_domain(finite, present.type, low, high)
        if batch_counts is None:
            self.sketch.add(as_float, low=low)
        else:  # a small domain: one logarithm per distinct value, not per row
            self.sketch.add(np.fromiter(batch_counts, np.float64, len(batch_counts)),
                            np.fromiter(batch_counts.values(), np.int64, len(batch_counts)))

    def _count_small_domain(self, values: np.ndarray, dtype: pa.DataType, low, high
                            ) -> dict | None:
        """`_count_distinct` while the domain is counted exactly: integers over a short range
        by one bincount, others by pc.value_counts (a hash table, ~5x slower)."""
        if self.is_float or high - low >= 2 * len(values) + 1024:
            return self._count_distinct(from_numpy(values, dtype), lambda: hash_numeric(values))
        # In 64 bits: an int8's 127 - (-128) would wrap; uint64 keeps values past 2**63.
        wide = values.astype(np.uint64 if values.dtype == np.uint64 else np.int64, copy=False)
        start = wide.dtype.type(low)
        tally = np.bincount((wide - start).astype(np.intp, copy=False))
        offsets = np.flatnonzero(tally)
        distinct = (offsets.astype(wide.dtype) + start).astype(values.dtype, copy=False)
        return self._count_distinct(from_numpy(distinct, dtype), lambda: hash_numeric(distinct),
                                    tally[offsets].astype(np.int64))

    @staticmethod
    def _count_equal(numbers: np.ndarray, extreme, so_far, below: bool) -> int:
        """How many values equal the batch's `extreme`; 0 (unused) when it falls short of the
        column's extreme so far."""
        if so_far is not None and (extreme > so_far if below else extreme < so_far):
            return 0
        return int(np.count_nonzero(numbers == extreme))

    def _add_extremes(self, low, at_low: int, high, at_high: int) -> None:
        """Extremes with how many values reach them; merged like the extremes themselves."""
        if self.minimum is None or low < self.minimum:
            self.minimum, self.at_min = low, at_low
        elif low == self.minimum:
            self.at_min += at_low
        if self.maximum is None or high > self.maximum:
            self.maximum, self.at_max = high, at_high
        elif high == self.maximum:
            self.at_max += at_high

    def _add_moments(self, as_float: np.ndarray) -> None:
        """Chan et al.'s parallel update: exact in count, stable in floating point."""
        n_b = len(as_float)
        with np.errstate(over="ignore"):  # values near float64's limit: an infinite sum
            mean_b = float(as_float.mean())
            deviations = np.subtract(as_float, mean_b)
            m2_b = float(np.square(deviations, out=deviations).sum())
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
        if other.minimum is not None:
            self._add_extremes(other.minimum, other.at_min, other.maximum, other.at_max)
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
            "bounds": [self.minimum, self.maximum], "at_bounds": [self.at_min, self.at_max],
            "moments": [self.mean, self.m2],
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
        self.at_min, self.at_max = state.get("at_bounds", [0, 0])
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
        mean = self.mean if finite else None
        if finite and self.minimum == self.maximum:
            # One value: its mean and spread are exact. Summing in floating point leaves
            # noise (ten rows of 0.01 gave std 1.8e-18) that depends on the batches.
            mean, std = float(self.minimum), (0.0 if finite > 1 else None)
        if options.pii and self.exact.counts is not None and len(self.exact.counts) <= 2:
            # With one or two distinct values, the mean and std (with at_min/at_max and the
            # count) are enough to solve for the values themselves: a pii column keeps neither.
            mean, std = None, None
        numeric = {
            "finite": finite,
            "inf": {"positive": self.pos_inf, "negative": self.neg_inf},
            "mean": round_float(mean),
            "std": round_float(std),
            "zeros": self.zeros,
            "integral_share": round_float(self.integral / finite) if finite else None,
            "sentinels": {str(k): v for k, v in self.sentinels.items() if v},
        }
        if finite:
            # How many values sit at each extreme, and on the most common value: counts only,
            # so pii columns keep them too (the values themselves follow below, or not).
            numeric.update({"at_min": self.at_min, "at_max": self.at_max})
            numeric["mode"] = self._mode(options.pii)
        if not options.pii:  # min/max, quantiles and buckets are values of individual rows
            numeric.update({
                "min": round_float(self.minimum),
                "max": round_float(self.maximum),
                "quantiles": dict(zip((str(q) for q in QUANTILES), self._quantiles(),
                                      strict=True)),
                "sketch": self._sketch_section(),
            })
        profile["numeric"] = numeric
        return profile

    def _sketch_section(self) -> dict:
        """The sketch as the fingerprint stores it: buckets as compact text, not lists."""
        return {
            "alpha": 0.01,
            "positive": encode_buckets(self.sketch.positive.pairs()),
            "negative": encode_buckets(self.sketch.negative.pairs()),
            "zeros": self.sketch.zeros,
        }

    def _mode(self, pii: bool) -> dict:
        """The most common value and its count: exact while the domain is counted exactly (ties
        go to the smallest value), else the sketch's fullest bucket (values within ALPHA of
        `value`), which is where an imputed mean or median shows as a spike."""
        if self.exact.counts is not None:
            value, count = min(self.exact.counts.items(), key=lambda item: (-item[1], item[0]))
            exact = True
        else:
            value, count = max(self.sketch.buckets(), key=lambda bucket: bucket[1])
            exact = False
        mode = {"count": count, "exact": exact}
        if not pii:
            mode["value"] = round_float(value)
        return mode

    def _quantiles(self) -> list[float | int | None]:
        if self.exact.counts is not None:
            return [round_float(v) for v in exact_quantiles(self.exact.counts, QUANTILES)]
        estimates = self.sketch.quantiles(list(QUANTILES))
        # Clamp to the exact extremes: the sketch's buckets may overshoot them by ALPHA.
        return [
            None if v is None else round_float(min(max(v, self.minimum), self.maximum))
            for v in estimates
        ]
