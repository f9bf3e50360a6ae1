"""Strings: missing encodings (empty, whitespace-only, sentinel tokens), lengths, case, the
category domain of low-cardinality columns and the shape (shapes.py) of the others."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ...format import SENTINEL_TOKENS
from ..arrays import string_array, string_buffers, to_numpy, valid_mask
from ..hashing import hash_python_strings, hash_strings
from .base import (
    ColumnProfiler,
    ExactCounts,
    ProfileOptions,
    count_true,
    max_of,
    min_of,
    round_float,
)
from .shapes import ShapeCounts

_SENTINEL_SET = string_array(list(SENTINEL_TOKENS))

_ASCII_KERNELS = {"upper": pc.ascii_is_upper, "lower": pc.ascii_is_lower,
                  "title": pc.ascii_is_title, "space": pc.ascii_is_space}
_UTF8_KERNELS = {"upper": pc.utf8_is_upper, "lower": pc.utf8_is_lower,
                 "title": pc.utf8_is_title, "space": pc.utf8_is_space}


def _is_ascii(offsets: np.ndarray, data: np.ndarray) -> bool:
    """Only the bytes this batch uses: batches share their row group's data buffer. Null slots
    are read too (they are empty in practice; if not, we merely take the slower UTF-8 path)."""
    used = data[int(offsets[0]) : int(offsets[-1])]
    return not len(used) or int(used.max()) < 128


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
        self.shape = ShapeCounts()
        self._unique_share = 1.0  # distinct values per row in the last measured batch
        self._batch_distinct: pa.StructArray | None = None  # this batch's value counts
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
        self.whitespace += count_true(kernels["space"](array))
        before = dict(self.exact.counts) if self.exact.counts is not None else None
        batch_counts = self._count_distinct(array, lambda: self._hash_distinct(array))
        self._count_shape(array, ascii_only, before)
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
            empty = count_true(pc.equal(lengths, 0))
        self.length_min = min_of(self.length_min, low)
        self.length_max = max_of(self.length_max, high)
        self.length_sum += total
        self.empty += empty

    def _count_shape(self, array: pa.Array, ascii_only: bool, before: dict | None) -> None:
        """Only once the column has too many values for an exact domain: a small domain yields
        its shape from its values at the end, at no cost per row. `before` is the exact domain
        as it was before this batch."""
        distinct, self._batch_distinct = self._batch_distinct, None
        if self.exact.counts is not None:
            return
        if before is not None:  # the domain overflowed in this batch
            self.shape.add_values(before)
        if distinct is not None and self._unique_share < 0.5:  # values repeat: use them once
            if distinct.field(0).null_count:
                distinct = distinct.filter(pc.is_valid(distinct.field(0)))
            self.shape.add_counted(distinct.field(0), to_numpy(distinct.field(1)), ascii_only)
        else:
            self.shape.update(array, ascii_only)

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
        self.case["upper"] += count_true(upper)
        self.case["lower"] += count_true(kernels["lower"](array))
        # "A" is both upper and title case; count it once, as upper.
        self.case["title"] += count_true(pc.and_not(kernels["title"](array), upper))

    def _hash_distinct(self, array: pa.Array) -> np.ndarray:
        """Hash each distinct value once where values repeat (the sketch ignores repeats).

        Whether they repeat is measured on every 8th batch and remembered in between.
        """
        self._batches_hashed += 1
        if self._unique_share < 0.5 or self._batches_hashed % 8 == 1:
            # value_counts rather than unique: the same hash pass, and the counts let the
            # shape be read off the distinct values (_count_shape).
            counted = pc.value_counts(array)
            self._unique_share = len(counted) / max(len(array), 1)
            self._batch_distinct = counted
            return hash_strings(counted.field(0))
        return hash_strings(array)

    def merge(self, other: StringProfiler) -> None:
        super().merge(other)
        self.empty += other.empty
        self.whitespace += other.whitespace
        for token, count in other.sentinels.items():
            self.sentinels[token] = self.sentinels.get(token, 0) + count
        self.length_min = min_of(self.length_min, other.length_min)
        self.length_max = max_of(self.length_max, other.length_max)
        self.length_sum += other.length_sum
        for key in self.case:
            self.case[key] += other.case[key]
        mine = dict(self.exact.counts) if self.exact.counts is not None else None
        theirs = other.exact.counts
        self.exact.merge(other.exact)
        if self.exact.counts is None:  # a domain that overflowed now: its patterns count too
            for domain in (mine, theirs):
                if domain is not None:
                    self.shape.add_values(domain)
        self.shape.merge(other.shape)

    def _hash_keys(self, keys: list) -> np.ndarray:
        return hash_python_strings(keys)

    def to_state(self) -> dict:
        return {
            **super().to_state(),
            "empty": self.empty, "whitespace": self.whitespace, "sentinels": self.sentinels,
            "length": [self.length_min, self.length_max, self.length_sum], "case": self.case,
            "exact": self.exact.counts, "shape": self.shape.to_state(),
        }

    def load_state(self, state: dict) -> None:
        super().load_state(state)
        self.empty, self.whitespace = state["empty"], state["whitespace"]
        self.sentinels = dict(state["sentinels"])
        self.length_min, self.length_max, self.length_sum = state["length"]
        self.case = dict(state["case"])
        self.exact.counts = None if state["exact"] is None else dict(state["exact"])
        self.shape = ShapeCounts.from_state(state["shape"])

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
        if profile["categories"] is None:  # no domain to read the values' shape from
            shape = self.shape
            if self.exact.counts is not None:
                shape = shape.copy()
                shape.add_values(self.exact.counts)
            profile["string"]["shape"] = shape.finalize(options.pii)
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
