"""Strings: missing encodings (empty, whitespace-only, sentinel tokens), lengths, case, the
category domain of low-cardinality columns and the shape (shapes.py) of the others."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ...format import SENTINEL_TOKENS
from ..arrays import dictionary_rows, string_array, string_buffers, to_numpy, valid_mask
from ..hashing import fixed_width_columns, hash_python_strings, hash_utf8
from .base import (
    ColumnProfiler,
    ExactCounts,
    ProfileOptions,
    count_true,
    max_of,
    min_of,
    round_float,
)
from .shapes import ShapeCounts, class_patterns, grouped_counts

_SENTINEL_SET = string_array(list(SENTINEL_TOKENS))
_SENTINEL_PATTERNS = class_patterns(_SENTINEL_SET, ascii_only=True)
_REPEAT_PROBE_ROWS = 8192  # rows looked at to tell whether a batch's values repeat

_ASCII_KERNELS = {"upper": pc.ascii_is_upper, "lower": pc.ascii_is_lower,
                  "title": pc.ascii_is_title, "space": pc.ascii_is_space}
_UTF8_KERNELS = {"upper": pc.utf8_is_upper, "lower": pc.utf8_is_lower,
                 "title": pc.utf8_is_title, "space": pc.utf8_is_space}


def _mask(flags: pa.Array) -> np.ndarray:
    """A boolean kernel's result as a numpy mask (null counts as False)."""
    return np.unpackbits(np.frombuffer(flags.buffers()[1], dtype=np.uint8), bitorder="little",
                         count=flags.offset + len(flags))[flags.offset:].astype(bool)


def _weighted(flags: pa.Array, counts: np.ndarray) -> int:
    """Rows behind the distinct values a boolean kernel marked true."""
    return int(counts[_mask(flags) & valid_mask(flags)].sum())


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
        self._batches_hashed = 0
        self._head_distinct = 0  # distinct values in the head `_values_may_repeat` last read
        self._held: tuple[pa.Array, np.ndarray] | None = None  # a dictionary and its rows

    def update(self, array: pa.Array) -> None:
        super().update(array)
        if array.null_count == len(array):
            return
        if self._hold_dictionary_rows(array):
            return
        self._flush_dictionary_rows()
        if pa.types.is_dictionary(array.type):
            array = array.dictionary_decode()
        if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
            array = array.cast(pa.large_string())  # string_view: most kernels lack it
        repeats = self._values_may_repeat(array)
        if self.exact.counts == {} and self._overflows_at_once(repeats):
            self._give_up_exact_domain()
        if self.exact.counts is not None or repeats:
            counted = pc.value_counts(array)
            if counted.field(0).null_count:
                counted = counted.filter(pc.is_valid(counted.field(0)))
            self._unique_share = len(counted) / max(len(array) - array.null_count, 1)
            if self._unique_share < 0.5 or len(counted) <= self.exact.limit:
                self._update_counted(counted.field(0), to_numpy(counted.field(1)))
                return
            # Values barely repeat: row by row is cheaper than by distinct value (no grouping
            # of as many patterns as rows). A domain still counted exactly overflows here.
            self._give_up_exact_domain()
        self._update_rows(array)

    def _hold_dictionary_rows(self, array: pa.Array) -> bool:
        """A dictionary-encoded batch: only count its rows per dictionary entry. A Parquet
        reader hands every batch of a row group the row group's whole dictionary, so the
        counts add up until the dictionary changes, and each entry is profiled once per row
        group (`_flush_dictionary_rows`) instead of once per batch."""
        counted = dictionary_rows(array)
        if counted is None:
            return False
        dictionary, rows = counted
        if self._held is not None:
            held, held_rows = self._held
            if len(held) == len(dictionary) and held.equals(dictionary):
                held_rows += rows
                return True
            self._flush_dictionary_rows()
        self._held = dictionary, rows
        return True

    def _flush_dictionary_rows(self) -> None:
        """Profile the held dictionary's entries with their rows; before anything reads or
        merges the state."""
        if self._held is None:
            return
        dictionary, rows = self._held
        self._held = None
        present = np.flatnonzero(rows)
        if not len(present):
            return
        values = dictionary.take(pa.Array.from_buffers(
            pa.int64(), len(present), [None, pa.py_buffer(present.astype(np.int64))]))
        counts = rows[present].astype(np.int64)
        if len(values) > 1 and pc.count_distinct(values).as_py() != len(values):
            values, counts = grouped_counts(values, counts)  # Arrow allows repeated entries
        self._update_counted(values, counts)

    def _give_up_exact_domain(self) -> None:
        """The values counted exactly so far go where the batch's values would have gone:
        the sketch, the distinct sample and the shape."""
        seen = self.exact.counts
        if seen is None:
            return
        self.exact.counts = None
        if seen:
            self._seed_sketches(seen)
            self.shape.add_values(seen)

    def _overflows_at_once(self, repeats: bool) -> bool:
        """A first batch whose head (looked at by `_values_may_repeat`) alone holds more
        distinct values than the domain keeps, and barely repeats (ids, keys): the domain is
        given up at once, as counting the whole batch (a hash table of every value) would
        conclude, and the batch is taken row by row."""
        return not repeats and self._head_distinct > self.exact.limit + 1

    def _values_may_repeat(self, array: pa.Array) -> bool:
        """Whether to count this batch's distinct values first: where values repeat, every
        statistic is then computed once per distinct value. Looked at on the first batch and,
        while values barely repeat, on every 8th, on its first rows only (a column of ids skips
        the count)."""
        self._batches_hashed += 1
        if self._unique_share >= 0.5 and self._batches_hashed % 8 == 1:
            head = array.slice(0, _REPEAT_PROBE_ROWS)
            present = len(head) - head.null_count
            self._head_distinct = pc.count_distinct(head).as_py()
            self._unique_share = self._head_distinct / max(present, 1)
        return self._unique_share < 0.5

    def _update_counted(self, values: pa.Array, counts: np.ndarray) -> None:
        """A batch given as its distinct non-null values and their counts."""
        offsets, data = string_buffers(values)
        ascii_only = _is_ascii(offsets, data)
        if ascii_only:
            lengths = np.diff(offsets)
        else:
            lengths = to_numpy(pc.utf8_length(values)).astype(np.int64)
        self.length_min = min_of(self.length_min, int(lengths.min()))
        self.length_max = max_of(self.length_max, int(lengths.max()))
        self.length_sum += int(lengths @ counts)
        self.empty += int(counts[lengths == 0].sum())
        # The ASCII kernels are ~10x faster and agree with the UTF-8 ones on ASCII text.
        self._count_case_and_blanks(_ASCII_KERNELS if ascii_only else _UTF8_KERNELS,
                                    values, counts)
        before = dict(self.exact.counts) if self.exact.counts is not None else None
        batch_counts = self._count_distinct_counted(values, counts)
        if self.exact.counts is None:  # a small domain yields its shape from its values later
            if before is not None:  # the domain overflowed in this batch
                self.shape.add_values(before)
            self.shape.add_counted(values, counts, ascii_only)
        if batch_counts is not None:
            found = {token: batch_counts[token] for token in SENTINEL_TOKENS
                     if token in batch_counts}
        else:
            is_sentinel = pc.is_in(values, value_set=_SENTINEL_SET)
            hits = valid_mask(is_sentinel) & _mask(is_sentinel)
            found = dict(zip(values.filter(is_sentinel).to_pylist(), counts[hits].tolist(),
                             strict=True)) if hits.any() else {}
        self._add_sentinels(found)

    def _update_rows(self, array: pa.Array) -> None:
        """A batch of (mostly) distinct values, each row computed once: a large domain, past
        its exact count."""
        offsets, data = string_buffers(array)
        ascii_only = _is_ascii(offsets, data)
        self._count_lengths(array, offsets if ascii_only else None)
        # The non-null values' buffers (the batch's own when it has no nulls); values of one
        # length (ids, codes) as a byte matrix by position, shared by the hash and the shape.
        present = string_buffers(pc.drop_null(array)) if array.null_count else (offsets, data)
        columns = fixed_width_columns(*present)
        hashed = hash_utf8(*present, columns)
        self.hll.add_hashes(hashed)
        if self.sample is not None:
            self._sample_fed = True
            self.sample.add(hashed)
        patterns = self.shape.update(array, ascii_only, columns if ascii_only else None)
        if ascii_only and patterns is not None:
            # An ASCII string's case and blankness are those of its class pattern (the kernels
            # agree on every string of up to two characters, tests/profile/test_fast_paths),
            # and it can equal a missing-value token only if it shares the token's pattern.
            self._count_case_and_blanks(_ASCII_KERNELS, *patterns)
            if not pc.any(pc.is_in(patterns[0], value_set=_SENTINEL_PATTERNS)).as_py():
                return
        else:  # every row once (a null row's flag is null, which counts as false)
            self._count_case_and_blanks(_ASCII_KERNELS if ascii_only else _UTF8_KERNELS,
                                        array, np.ones(len(array), dtype=np.int64))
        is_sentinel = pc.is_in(array, value_set=_SENTINEL_SET)
        if pc.any(is_sentinel).as_py():
            counted = pc.value_counts(pc.filter(array, is_sentinel))
            self._add_sentinels(dict(zip(counted.field(0).to_pylist(),
                                         counted.field(1).to_pylist(), strict=True)))

    def _count_case_and_blanks(self, kernels: dict, values: pa.Array,
                               counts: np.ndarray) -> None:
        """Whitespace-only values and case, from distinct values (or patterns) with counts."""
        self.whitespace += _weighted(kernels["space"](values), counts)
        upper = kernels["upper"](values)
        self.case["upper"] += _weighted(upper, counts)
        self.case["lower"] += _weighted(kernels["lower"](values), counts)
        # "A" is both upper and title case; count it once, as upper.
        self.case["title"] += _weighted(pc.and_not(kernels["title"](values), upper), counts)

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

    def _add_sentinels(self, found: dict[str, int]) -> None:
        for token, count in found.items():
            self.sentinels[token] = self.sentinels.get(token, 0) + count

    def merge(self, other: StringProfiler) -> None:
        self._flush_dictionary_rows()
        other._flush_dictionary_rows()
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
        self._flush_dictionary_rows()
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
        self._flush_dictionary_rows()
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
