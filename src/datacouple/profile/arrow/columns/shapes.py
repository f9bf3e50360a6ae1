"""The shape of strings without their values: character-class patterns, formats, lengths and
padding.

High-cardinality strings (ids, codes, free text, dates kept as text) get no category domain in
the fingerprint, and must not: their values are data. Their shape is evidence enough to see a
changed format (`2013-01-01` -> `01/13/2013`), padding, trimming, truncation or a new case:

- `patterns`: each value with its ASCII letters written `A`/`a`, digits `9`, whitespace ` `,
  other non-ASCII characters `u`, other control characters `^` and ASCII punctuation kept
  (`A99999`, `9999-99-99`). Values longer than PATTERN_WIDTH characters share the pattern "…":
  a pattern that long describes text, not a format. (`format.pattern_key` is the definition.)
- `formats`: the skeleton of the pattern: every run of letters, digits and non-ASCII characters
  becomes one `X`, every run of whitespace one space (`X-X-X`, `X/X/X`, `X X X`, and
  `X-X-X-X-X` for every UUID), cut at FORMAT_WIDTH characters with "…" (`format.format_of`).
  Stable for free text and hex ids, whose patterns differ value by value.
- `lengths` (a LengthHistogram in characters) and the values with leading / trailing
  whitespace (whitespace-only values aside: they are an encoding of missing, counted there).

Nothing here holds a value or a prefix of one: patterns keep only character classes and
punctuation. Counts add, so partitions merge in any order; a level that meets more than
PATTERN_LIMIT distinct patterns gives up for good (like ExactCounts), which depends only on the
set of patterns seen, never on their order.

Everything is vectorised: the class mapping is one table lookup over the batch's UTF-8 buffer,
the patterns are grouped by pyarrow's hash kernels, and lengths, padding and skeletons are read
off the distinct patterns of a batch (one for a column of ids).
"""

from __future__ import annotations

from operator import itemgetter

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ...format import FORMAT_WIDTH, PATTERN_LONG, PATTERN_WIDTH
from ..arrays import string_array, string_buffers, to_numpy
from .lengths import LengthHistogram

PATTERN_LIMIT = 1000  # distinct patterns per level kept in the state before it gives up
TOP_PATTERNS = 10  # patterns per level written to the fingerprint (the rest is "other")
PII_MIN_COUNT = 10  # for pii columns: only formats shared by at least this many values
# Scalars taken from arrays built from buffers: `pa.scalar` would import pandas (~50 MiB).
_LONG = pa.LargeStringArray.from_buffers(
    2, pa.py_buffer(np.array([0, len(PATTERN_LONG.encode()), len(PATTERN_LONG.encode())],
                             dtype=np.int64)), pa.py_buffer(PATTERN_LONG.encode()))[0]
_NOTHING = pa.LargeStringArray.from_buffers(
    2, pa.py_buffer(np.array([0, len(PATTERN_LONG.encode()), len(PATTERN_LONG.encode())],
                             dtype=np.int64)), pa.py_buffer(PATTERN_LONG.encode()))[1]


def _class_table() -> bytes:
    table = bytearray(range(256))
    for lower, upper, mark in ((65, 90, "A"), (97, 122, "a"), (48, 57, "9")):
        table[lower : upper + 1] = mark.encode() * (upper - lower + 1)
    for control in (*range(32), 127):
        table[control] = ord("^")
    for space in b" \t\n\r\x0b\x0c":
        table[space] = ord(" ")
    table[128:] = b"u" * 128  # UTF-8 lead bytes; continuation bytes are dropped
    return bytes(table)


_CLASSES = pa.Array.from_buffers(pa.uint8(), 256, [None, pa.py_buffer(_class_table())])
_CLASS_OF = np.frombuffer(_class_table(), dtype=np.uint8)


def _class_run_ends() -> np.ndarray:
    """For each ASCII byte b, the largest byte e such that b..e all share b's class: classes
    are ranges (A-Z, a-z, 0-9) or single bytes, so a position whose smallest and largest
    bytes are b and at most e holds one class in every value."""
    ends = np.arange(128, dtype=np.uint8)
    for b in range(126, -1, -1):
        if _CLASS_OF[b + 1] == _CLASS_OF[b]:
            ends[b] = ends[b + 1]
    return ends


_CLASS_RUN_END = _class_run_ends()
_SKELETON = np.arange(256, dtype=np.uint8)
_SKELETON[[ord("A"), ord("a"), ord("9"), ord("u")]] = ord("X")
_COLLAPSES = np.zeros(256, dtype=bool)
_COLLAPSES[[ord("X"), ord(" ")]] = True


def class_patterns(values: pa.Array, ascii_only: bool) -> pa.Array:
    """The full-length class pattern of each string (null where the string is null)."""
    offsets, data = string_buffers(values)
    start, end = int(offsets[0]), int(offsets[-1])
    raw = data[start:end]
    # A table lookup through Arrow's `take`: several times faster than numpy's or translate.
    indices = pa.Array.from_buffers(pa.uint8(), len(raw), [None, pa.py_buffer(raw)])
    mapped = pc.take(_CLASSES, indices)
    offsets = offsets - start
    if ascii_only:
        classes = mapped.buffers()[1]
    else:  # one byte per character: keep the lead byte of each UTF-8 sequence
        keep = (raw & 0xC0) != 0x80
        kept = np.zeros(len(raw) + 1, dtype=np.int64)
        np.cumsum(keep, out=kept[1:])
        offsets, classes = kept[offsets], pa.py_buffer(to_numpy(mapped)[keep].tobytes())
    if not values.null_count:
        return pa.LargeStringArray.from_buffers(len(values), pa.py_buffer(offsets), classes)
    # Share the validity bitmap from the byte that holds this slice's first bit; the offsets
    # then start `shift` (< 8) slots early.
    shift = values.offset % 8
    validity = values.buffers()[0].slice(values.offset // 8)
    offsets = np.concatenate([np.zeros(shift, dtype=np.int64), offsets])
    return pa.LargeStringArray.from_buffers(len(values), pa.py_buffer(offsets), classes,
                                            validity, values.null_count, shift)


def _strings(offsets: np.ndarray, data: np.ndarray) -> pa.Array:
    return pa.LargeStringArray.from_buffers(
        len(offsets) - 1, pa.py_buffer(offsets.astype(np.int64)), pa.py_buffer(data.tobytes()))


def _skeletons(patterns: pa.Array) -> pa.Array:
    """Each pattern's skeleton: runs of `X` (letters, digits, non-ASCII) and of whitespace
    collapsed to one, then cut at FORMAT_WIDTH."""
    offsets, data = string_buffers(patterns)
    start = int(offsets[0])
    marks = _SKELETON[data[start : int(offsets[-1])]]
    offsets = offsets - start
    lengths = np.diff(offsets)
    repeat = np.zeros(len(marks), dtype=bool)
    if len(marks) > 1:
        repeat[1:] = (marks[1:] == marks[:-1]) & _COLLAPSES[marks[1:]]
    repeat[offsets[:-1][lengths > 0]] = False  # a string's first character starts a run
    kept = np.zeros(len(marks) + 1, dtype=np.int64)
    np.cumsum(~repeat, out=kept[1:])
    marks, offsets = marks[~repeat], kept[offsets]
    lengths = np.diff(offsets)
    long = lengths > FORMAT_WIDTH
    if not long.any():
        return _strings(offsets, marks)
    position = np.arange(len(marks)) - np.repeat(offsets[:-1], lengths)
    inside = position < FORMAT_WIDTH
    cut = np.zeros(len(marks) + 1, dtype=np.int64)
    np.cumsum(inside, out=cut[1:])
    skeletons = _strings(cut[offsets], marks[inside])
    suffix = pc.if_else(_booleans(long), _LONG, _NOTHING)
    return pc.binary_join_element_wise(skeletons, suffix, _NOTHING)


def _one_pattern_by_position(columns: np.ndarray) -> pa.Array | None:
    """The one pattern of ASCII strings of one length, given by byte position (hashing.
    fixed_width_columns), when every position holds one class in every value; else None. Two
    reductions per position instead of a pattern per value."""
    low, high = columns.min(axis=1), columns.max(axis=1)
    if not (high <= _CLASS_RUN_END[low]).all():
        return None
    return _strings(np.array([0, len(low)]), _CLASS_OF[low])


def _single_pattern(patterns: pa.Array) -> pa.Array | None:
    """The one pattern of a batch (without nulls) whose values all share it, else None:
    equal lengths, and every row of the (values x width) byte matrix equal to the first."""
    offsets, data = string_buffers(patterns)
    width = int(offsets[1] - offsets[0])
    if int(offsets[-1] - offsets[0]) != width * len(patterns):
        return None
    if len(patterns) > 1 and (np.diff(offsets) != width).any():
        return None
    rows = data[int(offsets[0]) : int(offsets[-1])].reshape(len(patterns), width)
    if width and not (rows == rows[0]).all():
        return None
    return patterns.slice(0, 1)


def _int64s(values: np.ndarray) -> pa.Array:
    return pa.Array.from_buffers(pa.int64(), len(values),
                                 [None, pa.py_buffer(values.astype(np.int64))])


def _booleans(mask: np.ndarray) -> pa.Array:
    return pa.Array.from_buffers(pa.bool_(), len(mask),
                                 [None, pa.py_buffer(np.packbits(mask, bitorder="little"))])


class PatternCounts:
    """Exact counts per pattern until more than PATTERN_LIMIT distinct ones; then None."""

    def __init__(self) -> None:
        self.counts: dict[str, int] | None = {}

    def add(self, keys: pa.Array | list[str], counts: np.ndarray) -> None:
        """Add distinct `keys` with their counts."""
        if self.counts is None:
            return
        if len(keys) > PATTERN_LIMIT:
            self.counts = None
            return
        if not isinstance(keys, list):
            keys = keys.to_pylist()
        if not self.counts:  # the first batch (often the only one): no sums to make
            self.counts = dict(zip(keys, counts.tolist(), strict=True))
        else:
            for key, count in zip(keys, counts.tolist(), strict=True):
                self.counts[key] = self.counts.get(key, 0) + count
        if len(self.counts) > PATTERN_LIMIT:
            self.counts = None

    def merge(self, other: PatternCounts) -> None:
        if other.counts is None:
            self.counts = None
        else:
            self.add(list(other.counts), np.array(list(other.counts.values()), dtype=np.int64))

    def finalize(self, min_count: int = 1) -> dict | None:
        """The TOP_PATTERNS most frequent (ties by pattern) as `[pattern, count]` pairs, one
        line in canonical JSON, and the rest as `other`. None when they hold less than half
        of the values: patterns that scattered describe free text, not a format."""
        if self.counts is None:
            return None
        # By count, most first; ties by pattern (a stable sort of the sorted items).
        ranked = sorted(sorted(self.counts.items()), key=itemgetter(1), reverse=True)
        top = [[key, count] for key, count in ranked[:TOP_PATTERNS] if count >= min_count]
        listed, total = sum(count for _, count in top), sum(self.counts.values())
        if 2 * listed < total:
            return None
        return {"top": top, "other": total - listed, "distinct": len(self.counts)}


def grouped_counts(keys: pa.Array, counts: np.ndarray) -> tuple[pa.Array, np.ndarray]:
    """Distinct keys with their summed counts (keys may repeat)."""
    return _grouped(keys, counts.astype(np.float64))


def _grouped(keys: pa.Array, weights: np.ndarray) -> tuple[pa.Array, np.ndarray]:
    """Sum `weights` per distinct key (keys may repeat)."""
    encoded = pc.dictionary_encode(keys)
    if len(encoded.dictionary) == len(keys):  # already distinct
        return keys, np.rint(weights).astype(np.int64)
    sums = np.bincount(to_numpy(encoded.indices), weights=weights,
                       minlength=len(encoded.dictionary))
    return encoded.dictionary, np.rint(sums).astype(np.int64)


class ShapeCounts:
    """The mergeable shape state of one string column."""

    def __init__(self) -> None:
        self.patterns = PatternCounts()
        self.formats = PatternCounts()
        self.lengths = LengthHistogram()
        self.leading = 0
        self.trailing = 0

    @property
    def counting_patterns(self) -> bool:
        return self.patterns.counts is not None or self.formats.counts is not None

    def update(self, values: pa.Array, ascii_only: bool,
               columns: np.ndarray | None = None) -> tuple[pa.Array, np.ndarray] | None:
        """Add a batch of strings (nulls are skipped). Everything is read off the distinct
        patterns with their counts (one pattern for a column of ids); once both pattern levels
        gave up (free text), off the patterns themselves, without grouping them. `columns`,
        for ASCII text whose non-null values share one length, is their byte matrix by
        position (hashing.fixed_width_columns).

        Returns the distinct full-length patterns with their counts where they were counted:
        for ASCII text, case and blankness are properties of the pattern alone."""
        if len(values) == 0:
            return None
        if columns is not None and self.counting_patterns:
            single = _one_pattern_by_position(columns)
            if single is not None:  # ids and codes of one fixed format
                counted = single, np.array([columns.shape[1]], dtype=np.int64)
                self._add(*counted, distinct=True)
                return counted
        patterns = class_patterns(values, ascii_only)
        if not self.counting_patterns:
            self._add(pc.drop_null(patterns) if patterns.null_count else patterns, None)
            return None
        single = None if patterns.null_count else _single_pattern(patterns)
        if single is not None:  # ids and codes of one fixed format: no hashing needed
            counted = single, np.array([len(values)], dtype=np.int64)
        else:
            grouped = pc.value_counts(patterns)
            if grouped.field(0).null_count:
                grouped = grouped.filter(pc.is_valid(grouped.field(0)))
            counted = grouped.field(0), to_numpy(grouped.field(1))
        self._add(*counted, distinct=True)
        return counted

    def add_counted(self, values: pa.Array, counts: np.ndarray, ascii_only: bool) -> None:
        """Add distinct non-null strings with their counts (a batch's value_counts)."""
        if len(values):
            self._add(class_patterns(values, ascii_only), counts.astype(np.int64))

    def add_values(self, values: dict[str, int]) -> None:
        """Add distinct values given with their counts (an exact domain, all at once)."""
        if values:
            patterns = class_patterns(string_array(list(values)),
                                      all(value.isascii() for value in values))
            self._add(patterns, np.array(list(values.values()), dtype=np.int64))

    def _add(self, patterns: pa.Array, counts: np.ndarray | None,
             distinct: bool = False) -> None:
        """Full-length patterns, each standing for `counts` values (`distinct`: no pattern
        repeats, as value_counts gives them)."""
        offsets, data = string_buffers(patterns)
        lengths = np.diff(offsets)  # patterns hold one byte per character
        self.lengths.add(lengths, counts)
        self._count_padding(patterns, offsets, data, lengths, counts)
        if counts is None or not self.counting_patterns:
            return
        weights = counts.astype(np.float64)
        if self.patterns.counts is not None:
            long = lengths > PATTERN_WIDTH
            if long.any():
                self.patterns.add(*_grouped(pc.if_else(_booleans(long), _LONG, patterns),
                                            weights))
            elif distinct:
                self.patterns.add(patterns, counts)
            else:
                self.patterns.add(*_grouped(patterns, weights))
        if self.formats.counts is not None:
            self.formats.add(*_grouped(_skeletons(patterns), weights))

    def _count_padding(self, patterns: pa.Array, offsets: np.ndarray, data: np.ndarray,
                       lengths: np.ndarray, counts: np.ndarray | None) -> None:
        """Values that start or end with whitespace. Whitespace-only values are a spelling of
        missing, not padding: they are left out."""
        filled = lengths > 0
        if not filled.any():
            return
        space = ord(" ")
        first = np.zeros(len(lengths), dtype=bool)
        last = np.zeros(len(lengths), dtype=bool)
        first[filled] = data[offsets[:-1][filled]] == space
        last[filled] = data[offsets[1:][filled] - 1] == space
        padded = np.flatnonzero(first | last)
        if not len(padded):
            return
        trimmed = pc.utf8_trim_whitespace(patterns.take(_int64s(padded)))
        kept = to_numpy(pc.utf8_length(trimmed)) != 0
        weights = np.ones(len(padded), dtype=np.int64) if counts is None else counts[padded]
        self.leading += int(weights[first[padded] & kept].sum())
        self.trailing += int(weights[last[padded] & kept].sum())

    def merge(self, other: ShapeCounts) -> None:
        self.patterns.merge(other.patterns)
        self.formats.merge(other.formats)
        self.lengths.merge(other.lengths)
        self.leading += other.leading
        self.trailing += other.trailing

    def copy(self) -> ShapeCounts:
        return ShapeCounts.from_state(self.to_state())

    def to_state(self) -> dict:
        return {"patterns": self.patterns.counts, "formats": self.formats.counts,
                "lengths": self.lengths.to_state(), "padding": [self.leading, self.trailing]}

    @classmethod
    def from_state(cls, state: dict) -> ShapeCounts:
        shape = cls()
        shape.patterns.counts = None if state["patterns"] is None else dict(state["patterns"])
        shape.formats.counts = None if state["formats"] is None else dict(state["formats"])
        shape.lengths = LengthHistogram.from_state(state["lengths"])
        shape.leading, shape.trailing = state["padding"]
        return shape

    def finalize(self, pii: bool) -> dict:
        """The `string.shape` section. A pii column keeps aggregate counts only: whitespace,
        and the formats at least PII_MIN_COUNT values share (no patterns, no lengths: a rare
        pattern or length can single a person out)."""
        shape = {"leading_whitespace": self.leading, "trailing_whitespace": self.trailing,
                 "formats": self.formats.finalize(PII_MIN_COUNT if pii else 1)}
        if not pii:
            shape["patterns"] = self.patterns.finalize()
            shape["lengths"] = self.lengths.finalize()
        return shape
