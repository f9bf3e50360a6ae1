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
    positive: list[list[int]]  # [bucket key, count] pairs
    negative: list[list[int]]
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
    string: NotRequired[dict[str, Any]]
    temporal: NotRequired[dict[str, Any]]
    nested: NotRequired[dict[str, Any]]


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


def dvc_hash(document: Fingerprint) -> str | None:
    """The DVC hash of the data the fingerprint describes (None for in-memory tables)."""
    return document["dvc"]["hash"] if document.get("dvc") else None


def declared_canonical(document: Fingerprint) -> dict | None:
    """The declared schema's canonical form, None when the data declared none."""
    return document["schema"]["canonical"] if document.get("schema") else None


# -- reading and writing ---------------------------------------------------------------------------


FORMAT = "datacouple.fingerprint/1"


def parse_fingerprint(data: bytes | str, shown: str) -> Fingerprint:
    """A fingerprint document from its JSON text; `shown` names its origin in errors."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        document = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DatacoupleError(f"{shown}: not a fingerprint (invalid JSON: {error})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise DatacoupleError(f"{shown}: not a datacouple fingerprint (format is not {FORMAT})")
    return document


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


def structural_part(columns: list[Column]) -> list[dict]:
    """The exact, non-statistical content of a fingerprint.

    Column names and order, logical types, which missing-value encodings occur and category
    domains (values only, not counts). Fresh rows with the same meaning keep it; NULL -> ""
    changes it.
    """
    return [
        {
            "name": column["name"],
            "logical_type": column["logical_type"],
            "missing": missing_encodings(column),
            "categories": sorted(column["categories"]) if column.get("categories") else None,
        }
        for column in columns
    ]


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
