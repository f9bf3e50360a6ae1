"""Mergeable, order-independent sketches: a log-bucket quantile sketch and HyperLogLog.

Both hold only integer counts/registers, so merging partitions in any order (or shuffling the
rows) gives bit-identical state. That is what lets partitions profiled anywhere (by any engine)
merge into exactly the one-pass result.
"""

from __future__ import annotations

import base64
import math

import numpy as np

from .format import (
    DISTINCT_SAMPLE_SIZE,
    SKETCH_ALPHA,
    SKETCH_GAMMA,
    SKETCH_LOG_GAMMA,
    bucket_value,
)

# -- quantiles: a DDSketch-style log-bucket histogram with relative accuracy ALPHA ------------

ALPHA, GAMMA, _LOG_GAMMA = SKETCH_ALPHA, SKETCH_GAMMA, SKETCH_LOG_GAMMA
MIN_MAGNITUDE = 1e-12  # smaller magnitudes count as zero: far below any feature's resolution


class LogSketch:
    """Counts of finite values per log bucket, for negatives, zeros and positives.

    Buckets are held sparse (sorted keys and their counts): a dense array over every possible
    key costs ~600 KiB per column, which a table of thousands of columns cannot afford, while
    a column only ever fills a few hundred buckets.
    """

    def __init__(self) -> None:
        self.positive = _Buckets()
        self.negative = _Buckets()
        self.zeros = 0

    def add(self, values: np.ndarray, counts: np.ndarray | None = None,
            low: float | None = None) -> None:
        """Add finite float64 values, one row each or (distinct values) `counts` rows each.
        `low`, the values' minimum when the caller knows it, lets values that are all positive
        skip the tests for zeros and signs."""
        if counts is None and low is not None and low >= MIN_MAGNITUDE:
            self.positive.add_keys(_log_keys(values))
            return
        magnitude = np.abs(values)
        small = magnitude < MIN_MAGNITUDE
        zeros = int(np.count_nonzero(small) if counts is None else counts[small].sum())
        self.zeros += zeros
        if zeros == (len(values) if counts is None else int(counts.sum())):
            return
        if zeros:
            magnitude[small] = 1.0  # key 0, so the logarithm is finite; not counted below
        keys = _log_keys(magnitude, out=magnitude)
        negative = values < 0
        if counts is None and not zeros and not negative.any():
            self.positive.add_keys(keys)
            return
        # Zeros or negatives: one bincount over [positive keys | negative keys | zeros] rather
        # than a masked copy of the batch per sign (those copies cost 2-3x the logarithm).
        first = int(keys.min())
        span = int(keys.max()) - first + 1
        keys -= first
        keys[negative] += span
        if zeros:
            keys[small] = 2 * span
        # Weights are summed in float64: exact for any batch's row counts.
        tally = np.bincount(keys, weights=counts, minlength=2 * span).astype(np.int64)
        parts = ((self.positive, tally[:span]), (self.negative, tally[span:2 * span]))
        for target, part in parts:
            present = np.flatnonzero(part)
            if len(present):
                target._add(present.astype(np.int64) + first, part[present])

    def merge(self, other: LogSketch) -> None:
        self.positive.merge(other.positive)
        self.negative.merge(other.negative)
        self.zeros += other.zeros

    @property
    def count(self) -> int:
        return self.positive.total() + self.negative.total() + self.zeros

    def buckets(self) -> list[tuple[float, int]]:
        """(representative value, count) in ascending value order."""
        neg = [(-bucket_value(k), c) for k, c in reversed(self.negative.pairs())]
        zero = [(0.0, self.zeros)] if self.zeros else []
        pos = [(bucket_value(k), c) for k, c in self.positive.pairs()]
        return neg + zero + pos

    def quantiles(self, qs: list[float]) -> list[float | None]:
        """Nearest-rank quantiles (the bucket holding the rank), within ALPHA relative error."""
        return nearest_rank(self.buckets(), qs)

    def to_state(self) -> dict:
        return {
            "positive": [list(pair) for pair in self.positive.pairs()],
            "negative": [list(pair) for pair in self.negative.pairs()],
            "zeros": self.zeros,
        }

    @classmethod
    def from_state(cls, state: dict) -> LogSketch:
        sketch = cls()
        sketch.positive = _Buckets.from_pairs(state["positive"])
        sketch.negative = _Buckets.from_pairs(state["negative"])
        sketch.zeros = state["zeros"]
        return sketch


def _log_keys(magnitudes: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Each positive magnitude's bucket key, ceil(log(m) / log(GAMMA)): one logarithm per
    value, written to `out` (the magnitudes themselves, when the caller may overwrite them)."""
    logs = np.log(magnitudes, out=out)
    logs /= _LOG_GAMMA
    return np.ceil(logs, out=logs).astype(np.int64)


class _Buckets:
    """Sparse bucket counts: ascending int64 keys and their (positive) counts."""

    def __init__(self, keys: np.ndarray | None = None, counts: np.ndarray | None = None) -> None:
        self.keys = np.zeros(0, dtype=np.int64) if keys is None else keys
        self.counts = np.zeros(0, dtype=np.int64) if counts is None else counts

    @classmethod
    def from_pairs(cls, pairs) -> _Buckets:
        merged = cls()
        if len(pairs):
            table = np.array(pairs, dtype=np.int64).reshape(-1, 2)
            merged._add(table[:, 0], table[:, 1])
        return merged

    def add_keys(self, keys: np.ndarray) -> None:
        # bincount over the batch's own key range: linear in the batch, no sort.
        low = int(keys.min())
        counts = np.bincount(keys - low)
        present = np.flatnonzero(counts)
        self._add(present.astype(np.int64) + low, counts[present].astype(np.int64))

    def merge(self, other: _Buckets) -> None:
        self._add(other.keys, other.counts)

    def _add(self, keys: np.ndarray, counts: np.ndarray) -> None:
        if not len(self.keys):
            order = np.argsort(keys, kind="stable")
            keys, counts = keys[order], counts[order]
            if len(keys) > 1 and np.any(keys[1:] == keys[:-1]):
                keys, inverse = np.unique(keys, return_inverse=True)
                counts = np.bincount(inverse, weights=counts).astype(np.int64)
            self.keys, self.counts = keys, counts
            return
        both, inverse = np.unique(np.concatenate([self.keys, keys]), return_inverse=True)
        self.counts = np.bincount(inverse, weights=np.concatenate([self.counts, counts]),
                                  minlength=len(both)).astype(np.int64)
        self.keys = both

    def total(self) -> int:
        return int(self.counts.sum())

    def pairs(self) -> list[tuple[int, int]]:
        """(key, count) pairs, keys ascending, in the sketch's own (gamma) scale."""
        return list(zip(self.keys.tolist(), self.counts.tolist(), strict=True))


def nearest_rank(weighted: list[tuple], qs) -> list:
    """Nearest-rank quantiles (numpy's 'inverted_cdf') of ascending (value, count) pairs."""
    total = sum(count for _, count in weighted)
    if not total:
        return [None for _ in qs]
    answers = []
    for q in qs:
        rank = max(1, math.ceil(q * total))
        seen = 0
        for value, count in weighted:
            seen += count
            if seen >= rank:
                answers.append(value)
                break
    return answers


# -- distinct counts: HyperLogLog over 64-bit hashes ------------------------------------------

HLL_PRECISION = 14  # 16384 registers: ~0.8% standard error, 16 KiB of state
_M = 1 << HLL_PRECISION


class HyperLogLog:
    """Registers are allocated on the first hash: most columns of a wide table (small domains
    counted exactly) never need their 16 KiB."""

    def __init__(self) -> None:
        self.registers: np.ndarray | None = None

    def _allocated(self) -> np.ndarray:
        if self.registers is None:
            self.registers = np.zeros(_M, dtype=np.uint8)
        return self.registers

    def add_hashes(self, hashes: np.ndarray) -> None:
        if len(hashes) == 0:
            return
        # A view, not astype: numpy converts uint64 slowly (20x a shift here), and an index
        # below 2**14 reads the same as int64.
        index = (hashes >> np.uint64(64 - HLL_PRECISION)).view(np.int64)
        np.maximum.at(self._allocated(), index, _rank(hashes))

    def merge(self, other: HyperLogLog) -> None:
        if other.registers is not None:
            np.maximum(self._allocated(), other.registers, out=self.registers)

    def estimate(self) -> int:
        if self.registers is None:
            return 0
        registers = self.registers.astype(np.float64)
        alpha = 0.7213 / (1 + 1.079 / _M)
        raw = alpha * _M * _M / float(np.sum(np.exp2(-registers)))
        empty = int(np.count_nonzero(self.registers == 0))
        if raw <= 2.5 * _M and empty:
            return round(_M * math.log(_M / empty))  # linear counting is exact-ish when small
        return round(raw)

    def to_state(self) -> str:
        registers = bytes(_M) if self.registers is None else self.registers.tobytes()
        return base64.b64encode(registers).decode("ascii")

    @classmethod
    def from_state(cls, state: str) -> HyperLogLog:
        sketch = cls()
        sketch.registers = np.frombuffer(base64.b64decode(state), dtype=np.uint8).copy()
        return sketch


_SPARE_BITS = 64 - 53  # float64 holds 53 bits exactly


def _rank(hashes: np.ndarray) -> np.ndarray:
    """1 + the leading zeros of each hash's bits after the register index, bounded by a guard
    bit to 64 - precision + 1.

    The guard bit sits above the lowest _SPARE_BITS bits, so shifting those out keeps every
    bit that can lead and leaves at most 53: float64 holds that exactly, and its exponent
    is its bit length. One conversion instead of a loop over bits.
    """
    rest = hashes << np.uint64(HLL_PRECISION)
    rest |= np.uint64(1 << (HLL_PRECISION - 1))
    rest >>= np.uint64(_SPARE_BITS)
    # Below 2**53, so int64 (converted fast, unlike uint64) to float64 is exact; the biased
    # exponent field of a float64 in [2**(k-1), 2**k) is 1022 + k.
    exponent = rest.view(np.int64).astype(np.float64).view(np.uint64)
    exponent >>= np.uint64(52)
    return (np.uint64(64 - _SPARE_BITS + 1 + 1022) - exponent).astype(np.uint8)


# -- uniqueness: a bottom-k sample of distinct values, with their exact multiplicities ----------

SAMPLE_SIZE = DISTINCT_SAMPLE_SIZE  # every distinct value below it, a uniform sample above


class DistinctSample:
    """The SAMPLE_SIZE distinct values with the smallest hashes, each marked once or repeated.

    Hashes are uniform, so the kept values are a uniform sample of the column's distinct values
    (all of them while there are fewer), and their marks say which of them repeat: a column of
    ids that a join fanned out shows repeated values here, however many rows it has. The kept
    set depends only on the set of values, and every occurrence of a kept value is seen (the
    threshold only falls, so every occurrence of a value kept at the end passed it), hence the
    state is the same in any order or partitioning. Counts stop at 2 ("repeated"): that is all
    the rules read. A batch may come as distinct values with their counts in the batch (a
    dictionary, value counts) or one hash per row: the state is the same.
    """

    def __init__(self, size: int = SAMPLE_SIZE) -> None:
        self.size = size
        self.hashes = np.empty(0, dtype=np.uint64)  # ascending
        self.counts = np.empty(0, dtype=np.int64)  # 1 or 2 (2: the value repeats)

    @property
    def full(self) -> bool:
        return len(self.hashes) >= self.size

    def candidates(self, hashes: np.ndarray) -> np.ndarray:
        """Which of these hashes could enter (or are already in) the sample."""
        if not self.full:
            return np.ones(len(hashes), dtype=bool)
        return hashes <= self.hashes[-1]

    def add(self, hashes: np.ndarray, counts: np.ndarray | None = None) -> None:
        """Add hashes of values, one per row (or with `counts` rows each)."""
        if len(hashes) == 0:
            return
        keep = self.candidates(hashes)
        if not self.full and len(hashes) > 4 * self.size:
            # A large first batch: narrow it to the smallest hashes before sorting it all.
            cut = np.partition(hashes, 4 * self.size)[4 * self.size]
            keep = hashes <= cut
            if len(np.unique(hashes[keep])) + len(self.hashes) < self.size:
                keep = np.ones(len(hashes), dtype=bool)  # heavy repeats: not enough values
        if not keep.all():
            hashes = hashes[keep]
            counts = None if counts is None else counts[keep]
        if len(hashes):
            self._combine(hashes, np.ones(len(hashes), dtype=np.int64) if counts is None
                          else counts.astype(np.int64, copy=False))

    def merge(self, other: DistinctSample) -> None:
        if len(other.hashes):
            self._combine(other.hashes, other.counts)

    def _combine(self, hashes: np.ndarray, counts: np.ndarray) -> None:
        keys, inverse = np.unique(np.concatenate([self.hashes, hashes]), return_inverse=True)
        # bincount sums in float64: exact here, where every count is at most a batch's rows.
        totals = np.bincount(inverse.ravel(), weights=np.concatenate([self.counts, counts]),
                             minlength=len(keys))
        self.hashes = keys[: self.size]
        self.counts = np.minimum(totals[: self.size], 2).astype(np.int64)

    def summary(self) -> dict:
        """What a fingerprint stores: no hashes, only counts."""
        return {"values": len(self.hashes), "repeated": int(np.count_nonzero(self.counts > 1))}

    def to_state(self) -> list[list[int]]:
        return [[int(h), int(c)] for h, c in zip(self.hashes, self.counts, strict=True)]

    @classmethod
    def from_state(cls, state: list[list[int]]) -> DistinctSample:
        sample = cls()
        if state:
            sample.hashes = np.array([h for h, _ in state], dtype=np.uint64)
            sample.counts = np.array([c for _, c in state], dtype=np.int64)
        return sample
