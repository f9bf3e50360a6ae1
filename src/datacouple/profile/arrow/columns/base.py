"""Per-column profilers: mergeable partial state over Arrow arrays, finalised into a profile.

Every profiler follows one protocol, so any engine can drive it partition by partition:
`update(array)` adds a batch, `merge(other)` adds another partition's state, `to_state()` /
`from_state()` carry state across processes (JSON-safe), and `finalize(options)` yields the
column's section of the fingerprint. Counts are integers and sketches hold integer counts, so
the result does not depend on row order or partitioning (means/stds are rounded on output).
"""


from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ....schema import logical_types as lt
from ...sketches import DistinctSample, HyperLogLog, nearest_rank
from ..arrays import to_numpy
from ..hashing import hash_numeric, hash_strings


@dataclass(frozen=True)
class ProfileOptions:
    max_categories: int = 100  # a string column with more distinct values has no domain stored
    pii: bool = False  # never store raw values of this column


_PROBE_ROWS = 4096  # rows of a first batch looked at before counting all of it


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
        if not self.counts and len(array) > _PROBE_ROWS and pc.count_distinct(
                array.slice(0, _PROBE_ROWS)).as_py() > self.limit + 1:
            # A first batch whose first rows alone overflow the domain (ids, measurements):
            # the same verdict as `add_counted` below, without counting the whole batch.
            self.counts = None
            return None
        counted = pc.value_counts(array)
        if counted.field(0).null_count:
            counted = counted.filter(pc.is_valid(counted.field(0)))
        return self.add_counted(counted.field(0), to_numpy(counted.field(1)))

    def add_counted(self, values: pa.Array, counts: np.ndarray) -> dict | None:
        """Add distinct non-null values with their counts in the batch; return those counts as
        a dict, or None once the domain is too large."""
        if self.counts is None or len(values) == 0:
            return None
        # Arrow counts -0.0 and 0.0 apart (it compares bits) where Python keys them as one
        # value: the one pair that can collapse, hence `+ 1`. The test that decides is the one
        # on the merged keys below, whatever the batches.
        if len(values) > self.limit + 1:
            self.counts = None
            return None
        batch: dict = {}
        for value, count in zip(values.to_pylist(), counts.tolist(), strict=True):
            batch[value] = batch.get(value, 0) + count  # add, not assign: -0.0 and 0.0 are one
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


def count_true(mask: pa.Array) -> int:
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
    if math.isinf(rounded):  # rounding up past float64's largest value (1.797...e308)
        return value + 0.0  # keep it exact: still a finite number, and JSON can hold it
    return rounded + 0.0


class ColumnProfiler:
    """Base: counts nulls and rows; subclasses add their own statistics."""

    def __init__(self, name: str, dtype: pa.DataType, limit: int = 100) -> None:
        self.name = name
        self.dtype = dtype
        self.limit = limit
        self.rows = 0
        self.nulls = 0
        self.hll = HyperLogLog()
        self.exact: ExactCounts | None = None  # set by profilers that track small domains
        # Which distinct values repeat (uniqueness), fed wherever the sketch above is fed; None
        # for profilers that never hash their values (no claim is made for them).
        self.sample: DistinctSample | None = DistinctSample()
        self._sample_fed = False

    # -- protocol -------------------------------------------------------------------------
    def update(self, array: pa.Array) -> None:
        self.rows += len(array)
        self.nulls += array.null_count

    def merge(self, other: ColumnProfiler) -> None:
        self.rows += other.rows
        self.nulls += other.nulls
        self._merge_sample(other)
        self._materialize_hll()
        other._materialize_hll()
        self.hll.merge(other.hll)

    def to_state(self) -> dict:
        return {"rows": self.rows, "nulls": self.nulls, "hll": self.hll.to_state(),
                "sample": None if self.sample is None else self.sample.to_state(),
                "sample_fed": self._sample_fed}

    def load_state(self, state: dict) -> None:
        self.rows, self.nulls = state["rows"], state["nulls"]
        self.hll = HyperLogLog.from_state(state["hll"])
        sample = state.get("sample", [])
        self.sample = None if sample is None else DistinctSample.from_state(sample)
        self._sample_fed = state.get("sample_fed", False)

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
    def _count_distinct(self, values: pa.Array, hashes: Callable[[], np.ndarray],
                        counts: np.ndarray | None = None) -> dict | None:
        """Exact counts while the domain is small; HyperLogLog and the distinct sample only
        once it is not. `hashes()` gives one hash per value of `values`: every non-null row,
        or (with `counts`) each distinct value, which then stands for `counts` rows.

        Hashing every value is the costliest part of a profile, and a small domain never needs
        it. When the exact table overflows, the sketch is seeded with the values seen so far:
        HyperLogLog depends only on the set of values, so the result is the same as hashing
        all along, in any order.
        """
        batch_counts = None
        if self.exact is not None and self.exact.counts is not None:
            seen = dict(self.exact.counts)
            batch_counts = (self.exact.update(values) if counts is None
                            else self.exact.add_counted(values, counts))
            if self.exact.counts is not None:
                return batch_counts
            self._seed_sketches(seen)
        hashed = hashes()
        self.hll.add_hashes(hashed)
        if self.sample is not None:
            self._sample_fed = True
            self.sample.add(hashed, counts)
        return batch_counts

    def _count_distinct_counted(self, values: pa.Array, counts: np.ndarray) -> dict | None:
        """`_count_distinct` for a batch given as its distinct non-null values with their
        counts (from a dictionary or value_counts): each distinct value hashed once."""
        return self._count_distinct(values, lambda: self._hash_values(values), counts)

    def _seed_sketches(self, seen: dict) -> None:
        """An exact domain that just overflowed: its values enter HyperLogLog and the distinct
        sample as if they had been hashed all along (both depend only on the set of values)."""
        self.hll.add_hashes(self._hash_keys(list(seen)))
        self._sample_counts(seen)

    def _sample_counts(self, counts: dict) -> None:
        """Values counted exactly so far enter the sample with their counts (once: the exact
        table is dropped right after, or merged into a profile that drops it)."""
        if self.sample is not None and counts:
            self._sample_fed = True
            self.sample.add(self._hash_keys(list(counts)),
                            np.fromiter(counts.values(), dtype=np.int64, count=len(counts)))

    def _hash_values(self, values: pa.Array) -> np.ndarray | None:
        """One hash per non-null value, as the profiler hashes them (strings: their UTF-8)."""
        if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
            return hash_strings(values)
        return None

    def _merge_sample(self, other: ColumnProfiler) -> None:
        """Merge the samples; a side still counting its domain exactly joins with those counts
        when the merged domain is no longer exact (its counts would otherwise be lost)."""
        if self.sample is None or other.sample is None:
            self.sample = None
            return
        self.sample.merge(other.sample)
        self._sample_fed = self._sample_fed or other._sample_fed
        if self.exact is None or other.exact is None:
            return
        mine, theirs = self.exact.counts, other.exact.counts
        if mine is not None and theirs is not None and len(mine.keys() | theirs.keys()) <= (
                self.exact.limit):
            return  # still exact: the merged counts will say everything
        for counts in (mine, theirs):
            if counts is not None:
                self._sample_counts(counts)

    def _materialize_hll(self) -> None:
        if self.exact is not None and self.exact.counts:
            self.hll.add_hashes(self._hash_keys(list(self.exact.counts)))

    def _hash_keys(self, keys: list) -> np.ndarray:
        # Two's complement through a mask, so uint64 values past 2**63 hash like their array.
        words = np.array([int(k) & 0xFFFFFFFFFFFFFFFF for k in keys], dtype=np.uint64)
        return hash_numeric(words.view(np.int64))

    def _distinct(self, exact: ExactCounts | None) -> dict:
        if exact is not None and exact.counts is not None:
            # Exact: `count` minus this is exactly how many values repeat another, and the
            # "sample" is the whole domain.
            return {"count": len(exact.counts), "exact": True,
                    "sample": {"values": len(exact.counts),
                               "repeated": sum(1 for c in exact.counts.values() if c > 1)}}
        # An estimate never claims more distinct values than there are values.
        distinct = {"count": min(self.hll.estimate(), self.rows - self.nulls), "exact": False}
        if self.sample is not None and self._sample_fed and len(self.sample.hashes):
            distinct["sample"] = self.sample.summary()
        return distinct


def min_of(a, b):
    if a is None:
        return b
    return a if b is None else min(a, b)


def max_of(a, b):
    if a is None:
        return b
    return a if b is None else max(a, b)


def exact_quantiles(counts: dict, qs) -> list:
    return nearest_rank(sorted(counts.items()), qs)
