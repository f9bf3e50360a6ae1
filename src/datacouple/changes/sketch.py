"""Reading a fingerprint's numeric sketch (log buckets of relative width ~2 * SKETCH_ALPHA):
cumulative mass at any value, and moments, for the rules that test whole distributions.

A value is placed in its bucket exactly as the profiler places it; mass inside the bucket that
holds a value cannot be ordered against it, so `below` leaves that bucket out and `at_or_below`
takes it in: every test built on the two is conservative about the bucket's width.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass

from ..profile.format import SKETCH_LOG_GAMMA, bucket_value, decode_buckets

_MIN_MAGNITUDE = 1e-12  # as the profiler: smaller magnitudes are counted as zeros

Ordinal = tuple[int, int]  # (sign, sign * key): sorts buckets in value order


# One past the bucket of float64's largest value: where an infinite magnitude sorts.
_BEYOND_KEY = math.ceil(math.log(sys.float_info.max) / SKETCH_LOG_GAMMA) + 1


def ordinal_of(value: float) -> Ordinal:
    if abs(value) < _MIN_MAGNITUDE:
        return (0, 0)
    sign = 1 if value > 0 else -1
    if math.isinf(value):
        return (sign, sign * _BEYOND_KEY)
    return (sign, sign * math.ceil(math.log(abs(value)) / SKETCH_LOG_GAMMA))


def value_of(ordinal: Ordinal) -> float:
    """A bucket's representative value. The top buckets' would pass float64's largest value
    (values near 1.8e308 live there): they are capped at it, not inf."""
    sign, signed_key = ordinal
    if sign == 0:
        return 0.0
    try:
        magnitude = min(bucket_value(sign * signed_key), sys.float_info.max)
    except OverflowError:
        magnitude = sys.float_info.max
    return sign * magnitude


@dataclass(frozen=True)
class Distribution:
    """Bucket counts in ascending value order."""

    buckets: tuple[tuple[Ordinal, int], ...]
    total: int

    @classmethod
    def of(cls, numeric: dict | None) -> Distribution | None:
        sketch = (numeric or {}).get("sketch")
        if not sketch:
            return None
        buckets = [((1, key), count) for key, count in decode_buckets(sketch["positive"])]
        buckets += [((-1, -key), count) for key, count in decode_buckets(sketch["negative"])]
        if sketch["zeros"]:
            buckets.append(((0, 0), sketch["zeros"]))
        buckets.sort()
        total = sum(count for _, count in buckets)
        return cls(tuple(buckets), total) if total else None

    def below(self, value: float) -> int:
        """Values certainly below `value` (its own bucket left out)."""
        mark = ordinal_of(value)
        return sum(count for ordinal, count in self.buckets if ordinal < mark)

    def at_or_below(self, value: float) -> int:
        """Values that may be at or below `value` (its own bucket taken in)."""
        mark = ordinal_of(value)
        return sum(count for ordinal, count in self.buckets if ordinal <= mark)

    def count_in_bucket_of(self, value: float) -> int:
        mark = ordinal_of(value)
        return next((count for ordinal, count in self.buckets if ordinal == mark), 0)

    def fullest(self) -> int:
        return max(count for _, count in self.buckets)

    def cumulative(self) -> dict[Ordinal, int]:
        """Mass at or below each bucket's upper edge."""
        running, out = 0, {}
        for ordinal, count in self.buckets:
            running += count
            out[ordinal] = running
        return out

    def kurtosis(self) -> float | None:
        """From bucket representatives: good where the buckets resolve the spread (tails
        above all), too low where they do not; callers floor it at the normal's 3."""
        n = self.total
        # Kurtosis does not depend on the scale: divide by the largest magnitude first, so
        # values near 1e77 and beyond do not overflow their fourth powers (OverflowError).
        scale = max(abs(value_of(o)) for o, _ in self.buckets) or 1.0
        values = [(value_of(o) / scale, c) for o, c in self.buckets]
        mean = sum(v * c for v, c in values) / n
        m2 = sum(c * (v - mean) ** 2 for v, c in values) / n
        m4 = sum(c * (v - mean) ** 4 for v, c in values) / n
        return m4 / (m2 * m2) if m2 > 0 else None


def ks_distance(old: Distribution, new: Distribution) -> tuple[float, Ordinal | None]:
    """Largest gap between the two cumulative shares, over every bucket edge of either."""
    old_cum, new_cum = old.cumulative(), new.cumulative()
    edges = sorted(set(old_cum) | set(new_cum))
    best, where = 0.0, None
    old_run = new_run = 0
    for edge in edges:
        old_run = old_cum.get(edge, old_run)
        new_run = new_cum.get(edge, new_run)
        gap = abs(old_run / old.total - new_run / new.total)
        if gap > best:
            best, where = gap, edge
    return best, where
