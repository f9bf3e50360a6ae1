"""The fingerprint document's format: its typed model, the vocabulary that engines and the
changes layer share, canonical JSON and the structural hash.

Engines write this format and the changes layer reads it; neither imports the other, both import
this module. Canonical means: sorted keys, no timestamps or absolute paths, floats already
rounded by the profilers, and a fixed layout (objects indented, short arrays on one line), so
the same data gives byte-identical files on any machine and `git diff` on a fingerprint reads
well. docs/fingerprint.md describes every field.
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any, NotRequired, TypedDict

from ..errors import DatacoupleError

# -- the vocabulary ----------------------------------------------------------------------------

# The plain encodings of "missing" a column's `missing` section counts (sentinel tokens aside).
MISSING_ENCODINGS = ("null", "nan", "empty", "whitespace")

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

# The numeric sketch: DDSketch-style log buckets with relative accuracy ALPHA. Bucket `key`
# holds the positive values in (GAMMA**(key-1), GAMMA**key].
SKETCH_ALPHA = 0.01
SKETCH_GAMMA = (1 + SKETCH_ALPHA) / (1 - SKETCH_ALPHA)
SKETCH_LOG_GAMMA = math.log(SKETCH_GAMMA)


# The uniqueness sample: the distinct values with the smallest hashes, this many at most. A
# sample of fewer values holds every distinct value of the column.
DISTINCT_SAMPLE_SIZE = 512


def bucket_value(key: int) -> float:
    """The representative value of a positive bucket (within ALPHA of every value in it)."""
    return 2 * SKETCH_GAMMA**key / (SKETCH_GAMMA + 1)


def encode_buckets(pairs: list[list[int]] | list[tuple[int, int]]) -> str:
    """Sketch buckets as one compact string: the first key, then each key's step from the
    previous one, with `*count` only where a bucket holds more than one value.

    `[[-159, 1], [-152, 1], [-150, 3]]` -> `"-159 7 2*3"`. A list of pairs costs ~12 bytes a
    bucket in the document; this costs ~3, which keeps a wide table's fingerprint smaller
    than its data. Lossless: `decode_buckets` gives the same pairs back.
    """
    tokens, previous = [], None
    for key, count in pairs:
        step = str(key if previous is None else key - previous)
        tokens.append(step if count == 1 else f"{step}*{count}")
        previous = key
    return " ".join(tokens)


def decode_buckets(encoded: str | list) -> list[tuple[int, int]]:
    """(key, count) pairs, keys ascending, from `encode_buckets` text or from the `[k, count]`
    lists that fingerprints written before it hold."""
    if not isinstance(encoded, str):
        return sorted((int(key), int(count)) for key, count in encoded)
    pairs, key = [], 0
    for index, token in enumerate(encoded.split()):
        step, _, count = token.partition("*")
        key = int(step) if index == 0 else key + int(step)
        pairs.append((key, int(count) if count else 1))
    return pairs


# The shape of a string (`string.shape`): its character-class pattern and that pattern's
# skeleton. Engines compute them vectorised; these plain functions are the definition (tests
# hold the engines to them) and let the changes layer place a known token, such as "N/A".
PATTERN_WIDTH = 24  # longer values all have the pattern PATTERN_LONG
FORMAT_WIDTH = 16  # skeletons are cut here and end in PATTERN_LONG
PATTERN_LONG = "…"
_PATTERN_WHITESPACE = " \t\n\r\x0b\x0c"


def _character_class(char: str) -> str:
    if "A" <= char <= "Z":
        return "A"
    if "a" <= char <= "z":
        return "a"
    if "0" <= char <= "9":
        return "9"
    if char in _PATTERN_WHITESPACE:
        return " "
    if ord(char) >= 128:
        return "u"
    return "^" if ord(char) < 32 or ord(char) == 127 else char


def pattern_of(text: str) -> str:
    """`A99999`, `9999-99-99`: ASCII letters as `A`/`a`, digits `9`, whitespace ` `, other
    non-ASCII characters `u`, control characters `^`, ASCII punctuation kept."""
    return "".join(_character_class(char) for char in text)


def pattern_key(text: str) -> str:
    """The key a value counts under in `shape.patterns`."""
    pattern = pattern_of(text)
    return pattern if len(pattern) <= PATTERN_WIDTH else PATTERN_LONG


def format_of(text: str) -> str:
    """The skeleton (`shape.formats`): every run of letters, digits and non-ASCII characters
    is one `X`, every run of whitespace one space; cut at FORMAT_WIDTH with PATTERN_LONG."""
    marks = []
    for char in pattern_of(text):
        mark = "X" if char in "Aa9u" else char
        if not (marks and mark in "X " and marks[-1] == mark):
            marks.append(mark)
    skeleton = "".join(marks)
    return skeleton if len(skeleton) <= FORMAT_WIDTH else skeleton[:FORMAT_WIDTH] + PATTERN_LONG


# Length histograms (`string.shape.lengths`, `nested.lengths.histogram`): lengths up to
# LENGTH_EXACT are keys of their own, longer ones fall into power-of-two buckets keyed by their
# upper bound (64 holds 33..64).
LENGTH_EXACT = 32


def length_bucket(length: int) -> int:
    return length if length <= LENGTH_EXACT else 1 << (length - 1).bit_length()


def length_bucket_lower(key: int) -> int:
    """The smallest length a histogram key holds."""
    return key if key <= LENGTH_EXACT else key // 2 + 1


# -- the typed model -----------------------------------------------------------------------------
# Sections an engine writes only for some columns are NotRequired (a string column has no
# `numeric`); sections it always writes are required, so readers index them directly.


class Missing(TypedDict):
    null: int
    nan: NotRequired[int]  # float columns
    empty: NotRequired[int]  # string columns, like the two below
    whitespace: NotRequired[int]
    sentinels: NotRequired[dict[str, int]]


class DistinctSample(TypedDict):
    # The DISTINCT_SAMPLE_SIZE distinct values with the smallest hashes (every value when the
    # domain is counted exactly, or has fewer distinct values).
    values: int
    repeated: int  # how many of them occur on more than one row


class Distinct(TypedDict):
    count: int
    exact: bool  # exact: `count` values, so the column's `count` minus it repeat another
    sample: NotRequired[DistinctSample]  # estimated counts only; absent in older fingerprints


class Mode(TypedDict):
    count: int
    exact: bool  # False: the sketch's fullest bucket (values within SKETCH_ALPHA of `value`)
    value: NotRequired[float | int]  # not for pii columns


class Sketch(TypedDict):
    alpha: float
    # encode_buckets text ("-159 7 2*3"); fingerprints before it hold [key, count] pairs
    positive: str | list[list[int]]
    negative: str | list[list[int]]
    zeros: int


class Numeric(TypedDict, total=False):
    finite: int
    inf: dict[str, int]  # {"positive": n, "negative": n}
    min: float | str | None
    max: float | str | None
    mean: float | str | None
    std: float | str | None
    zeros: int
    integral_share: float | str | None
    sentinels: dict[str, int]  # str(number) -> count
    # Values equal to min / max, and the most common value: clipping piles values up at the
    # extremes, imputation on one value. Absent in fingerprints written before they existed.
    at_min: int
    at_max: int
    mode: Mode
    quantiles: dict[str, Any]  # str(q) -> value
    sketch: Sketch


class PatternCounts(TypedDict):
    top: list[list]  # [pattern, count] of the most frequent patterns (at most 10)
    other: int  # values with any other pattern
    distinct: int  # distinct patterns seen (exact)


class StringShape(TypedDict, total=False):
    """High-cardinality (and pii) string columns: their shape, never their values."""
    patterns: PatternCounts | None  # `A99999`, `9999-99-99`; None: too many to count
    formats: PatternCounts | None  # skeletons: `X-X-X`, `X/X/X`, `X X X`
    lengths: list[list[int]]  # [length (or power-of-two bucket above 32), count]
    leading_whitespace: int
    trailing_whitespace: int


class Temporal(TypedDict, total=False):
    min: str | None
    max: str | None
    quantiles: dict[str, str | None]
    histogram: dict[str, int]  # per month (or year)
    weekdays: list[int]  # 7 counts, Monday first
    hours: list[int]  # timestamps: 24 counts, hour of the stored value (UTC when zone-aware)
    granularity: dict[str, int]  # timestamps: day, hour, minute, second, subsecond


class ListLengths(TypedDict):
    min: int | None
    max: int | None
    mean: float | str | None
    histogram: list[list[int]]


class Nested(TypedDict, total=False):
    kind: str  # list, map, struct (unions and the like have no nested section)
    lengths: ListLengths  # lists and maps: elements (entries) per row
    size: int  # fixed_size_list: the declared size
    element: Column  # lists: the elements of every row, pooled, as a column `NAME[]`
    keys: Column  # maps: `NAME.key`
    values: Column  # maps: `NAME.value`
    fields: list[Column]  # structs: each field as a column `NAME.FIELD`


class Column(TypedDict):
    name: str
    logical_type: str
    physical_type: str
    pii: bool
    count: int  # non-null values
    missing: Missing
    distinct: Distinct
    categories: NotRequired[dict[str, int] | None]  # exact domain of low-cardinality columns
    numeric: NotRequired[Numeric]
    string: NotRequired[dict[str, Any]]  # length, case and (no domain) shape: StringShape
    temporal: NotRequired[Temporal]
    nested: NotRequired[Nested]


class DvcRecord(TypedDict):
    hash: str  # DVC's md5 (plus ".dir" for a directory)
    size: int
    nfiles: int | None


class SchemaRecord(TypedDict):
    source: str
    hash: str
    canonical: dict[str, Any]


class Fingerprint(TypedDict):
    format: str
    dataset: str
    path: str | None  # relative to the repo root; None for in-memory tables
    dvc: DvcRecord | None  # None for in-memory tables
    schema: SchemaRecord | None  # None without a declared schema
    validation: dict[str, Any] | None
    rows: int
    settings: dict[str, Any]
    structural_hash: str
    columns: list[Column]
    # How the data was read: "parquet", "csv" or "ipc"; None for in-memory tables. Absent in
    # fingerprints written before it was recorded.
    source_format: NotRequired[str | None]


def dvc_hash(document: Fingerprint) -> str | None:
    """The DVC hash of the data the fingerprint describes (None for in-memory tables)."""
    return document["dvc"]["hash"] if document.get("dvc") else None


_CSV_PATH_SUFFIXES = (".csv", ".tsv")
_COMPRESSED_SUFFIXES = (".gz", ".bz2", ".zst", ".lz4")


def read_from_csv(document: Fingerprint) -> bool:
    """Whether the fingerprint was computed from CSV, which cannot tell NULL from "" (both are
    an empty field). From `source_format`; for older fingerprints without it, from the path's
    suffix (`.csv`, `.tsv`, compressed or not); False when neither tells (no claim)."""
    if "source_format" in document:
        return document["source_format"] == "csv"
    path = (document.get("path") or "").lower()
    for suffix in _COMPRESSED_SUFFIXES:
        path = path.removesuffix(suffix)
    return path.endswith(_CSV_PATH_SUFFIXES)


def declared_canonical(document: Fingerprint) -> dict | None:
    """The declared schema's canonical form, None when the data declared none."""
    return document["schema"]["canonical"] if document.get("schema") else None


# -- reading and writing ---------------------------------------------------------------------------


FORMAT = "datacouple.fingerprint/1"


def parse_fingerprint(data: bytes | str, shown: str) -> Fingerprint:
    """A fingerprint document from its JSON text; `shown` names its origin in errors."""
    from .document_check import check_document  # it needs structural_hash from here

    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        # NaN and Infinity are not JSON (canonical_json never writes them); an integer of
        # thousands of digits is refused by int() itself (a ValueError, not JSONDecodeError).
        document = json.loads(text, parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        reason = str(error).splitlines()[0] if str(error) else "nested too deep"
        raise DatacoupleError(f"{shown}: not a fingerprint (invalid JSON: {reason})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise DatacoupleError(f"{shown}: not a datacouple fingerprint (format is not {FORMAT})")
    check_document(document, shown, structural_hash)
    return document


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def canonical_json(document: Any) -> str:
    """Serialise deterministically; the result ends with a newline."""
    return _encode(document, 0) + "\n"


def _encode(value: Any, depth: int) -> str:
    if isinstance(value, dict):
        if not value:
            return "{}"
        pad = "  " * (depth + 1)
        items = [
            f"{pad}{json.dumps(str(key), ensure_ascii=False)}: {_encode(value[key], depth + 1)}"
            for key in sorted(value, key=str)
        ]
        return "{\n" + ",\n".join(items) + "\n" + "  " * depth + "}"
    if isinstance(value, list | tuple) and any(isinstance(v, dict) for v in value):
        pad = "  " * (depth + 1)
        items = [pad + _encode(item, depth + 1) for item in value]
        return "[\n" + ",\n".join(items) + "\n" + "  " * depth + "]"
    # Scalars and arrays of scalars (or of short arrays) stay on one line.
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(", ", ": "),
                      allow_nan=False)


def missing_counts(column: Column) -> dict[str, int]:
    """Encoding -> count of every way the column writes "missing" (zeros included for the
    plain encodings): `null`, `nan`, `empty`, `whitespace` and `sentinel:<token>`."""
    missing = column["missing"]
    counts = {kind: missing.get(kind, 0) for kind in MISSING_ENCODINGS}
    for token, count in missing.get("sentinels", {}).items():
        counts[f"sentinel:{token}"] = count
    return counts


def missing_encodings(column: Column) -> list[str]:
    """Which encodings of "missing" a column uses: the part of missingness that has meaning."""
    return sorted(kind for kind, count in missing_counts(column).items() if count)


# Reading a fingerprint recomputes its structural hash from its columns and refuses a mismatch
# (document_check.py): a change here must leave the hash of existing documents as it was (as
# nested columns did), or every committed fingerprint becomes unreadable.
def structural_part(columns: list[Column]) -> list[dict]:
    """The exact, non-statistical content of a fingerprint.

    Column names and order, logical types, which missing-value encodings occur and category
    domains (values only, not counts); for nested columns the same of every part (struct
    fields, list elements, map keys and values) and a fixed list size. Fresh rows with the same
    meaning keep it; NULL -> "" changes it, inside a struct too.
    """
    return [_structural_column(column) for column in columns]


def _structural_column(column: Column) -> dict:
    part = {
        "name": column["name"],
        "logical_type": column["logical_type"],
        "missing": missing_encodings(column),
        "categories": sorted(column["categories"]) if column.get("categories") else None,
    }
    if column.get("nested"):  # only then: the hash of a flat column stays what it was
        part["nested"] = _structural_nested(column["nested"])
    return part


def _structural_nested(nested: Nested) -> dict:
    """A nested column's structure: its kind, a fixed list size, and its parts (field names,
    logical types, encodings of missing, domains), recursively."""
    part: dict[str, Any] = {"kind": nested.get("kind")}
    if "size" in nested:
        part["size"] = nested["size"]
    for key in ("element", "keys", "values"):
        if key in nested:
            part[key] = _structural_column(nested[key])
    if "fields" in nested:
        part["fields"] = [_structural_column(field) for field in nested["fields"]]
    return part


def structural_hash(columns: list[Column]) -> str:
    payload = json.dumps(structural_part(columns), sort_keys=True, separators=(",", ":"),
                         ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def document_hash(document: Fingerprint) -> str:
    """sha256 of the document as compact JSON with sorted keys: names one exact fingerprint
    (acknowledgements key on it). Not the canonical layout: json's C encoder is ten times
    faster, and any fixed serialisation names the same content."""
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
