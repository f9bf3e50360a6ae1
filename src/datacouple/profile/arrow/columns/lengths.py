"""A mergeable histogram of lengths (characters of a string, elements of a list), keyed as
`format.length_bucket` defines.

Lengths up to EXACT_LENGTHS are counted exactly (a truncation to 10 characters, a date written
with 8 instead of 10, are visible); longer ones fall into power-of-two buckets keyed by their
upper bound (64 holds 33..64), so the histogram stays small whatever the data. Counts add, so
partitions merge in any order.
"""

from __future__ import annotations

import numpy as np

from ...format import LENGTH_EXACT as EXACT_LENGTHS


class LengthHistogram:
    def __init__(self) -> None:
        self.counts: dict[int, int] = {}

    def add(self, lengths: np.ndarray, weights: np.ndarray | None = None) -> None:
        """Add non-negative integer lengths (each counted `weights` times, default once)."""
        if len(lengths) == 0:
            return
        lengths = lengths.astype(np.int64, copy=False)
        short = lengths <= EXACT_LENGTHS
        self._add(lengths[short], None if weights is None else weights[short], lambda k: k)
        if not short.all():
            long = ~short
            # ceil(log2(n)) exactly, from the bit length of n - 1 (no float rounding).
            exponents = np.frexp((lengths[long] - 1).astype(np.float64))[1]
            self._add(exponents, None if weights is None else weights[long], lambda e: 1 << e)

    def _add(self, keys: np.ndarray, weights: np.ndarray | None, label) -> None:
        if not len(keys):
            return
        counts = np.bincount(keys, weights=None if weights is None else weights.astype(
            np.float64))
        for key in np.flatnonzero(counts):
            bucket = label(int(key))
            self.counts[bucket] = self.counts.get(bucket, 0) + int(np.rint(counts[key]))

    def merge(self, other: LengthHistogram) -> None:
        for key, count in other.counts.items():
            self.counts[key] = self.counts.get(key, 0) + count

    def to_state(self) -> list[list[int]]:
        return [[key, count] for key, count in sorted(self.counts.items())]

    @classmethod
    def from_state(cls, state: list[list[int]]) -> LengthHistogram:
        histogram = cls()
        histogram.counts = {key: count for key, count in state}
        return histogram

    def finalize(self) -> list[list[int]]:
        """`[[length or bucket, count], ...]` in ascending order: one line in canonical JSON."""
        return self.to_state()
