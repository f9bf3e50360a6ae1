"""A fingerprint read from a file is checked before any rule sees it: every section the
changes layer reads directly has its type, counts are non-negative integers that fit 64 bits,
no number is infinite, and the structural hash is the one its columns give.

Why: a fingerprint is a committed file anyone can edit (docs/security.md). Without this, a
truncated section or a string where a count belongs surfaced as a KeyError or TypeError deep in
a rule (a traceback, exit 1), and a structural hash edited by hand was believed. Sections an
engine writes only for some columns (`numeric`, `string`, ...) may be absent, as in older
fingerprints: absent evidence means no claim; present evidence must have its type.
"""

from __future__ import annotations

import math
from typing import Any

from ..errors import DatacoupleError

_MAX_COUNT = 2**63 - 1
_MAX_VALUE = 2**64  # a uint64 column's max is a legitimate value


class _Bad(Exception):
    def __init__(self, where: str, expected: str):
        super().__init__(f"{where} should be {expected}")


def _count(value: Any, where: str) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= _MAX_COUNT:
        raise _Bad(where, "a non-negative integer")


def _number(value: Any, where: str) -> None:
    """A statistic: a finite number, a string (how the engine writes inf and NaN), or null."""
    if value is None:
        return
    if isinstance(value, str):
        try:
            float(value)  # "inf", "-inf", "nan": what JSON cannot write as numbers
        except ValueError:
            raise _Bad(where, "a number") from None
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Bad(where, "a number")
    # Any finite float (a float column may hold 1e300: the engine writes it), but no integer
    # beyond 64 bits (JSON allows any size; no column has one).
    if not math.isfinite(value) if isinstance(value, float) else abs(value) > _MAX_VALUE:
        raise _Bad(where, "a finite number")


def _share(value: Any, where: str) -> None:
    if isinstance(value, str) and value != "nan":
        raise _Bad(where, "a share between 0 and 1")
    _number(value, where)
    if isinstance(value, int | float) and not 0 <= value <= 1:
        raise _Bad(where, "a share between 0 and 1")


def _spread(value: Any, where: str) -> None:
    _number(value, where)
    if isinstance(value, int | float) and value < 0:
        raise _Bad(where, "a non-negative number")


def _text(value: Any, where: str) -> None:
    if not isinstance(value, str):
        raise _Bad(where, "a string")


def _optional_text(value: Any, where: str) -> None:
    if value is not None:
        _text(value, where)


def _flag(value: Any, where: str) -> None:
    if not isinstance(value, bool):
        raise _Bad(where, "true or false")


def _mapping(value: Any, where: str) -> dict:
    if not isinstance(value, dict):
        raise _Bad(where, "an object")
    return value


def _counts_by_name(value: Any, where: str) -> None:
    for key, count in _mapping(value, where).items():
        _count(count, f"{where}.{key}")


def _numbers_by_name(value: Any, where: str) -> None:
    for key, number in _mapping(value, where).items():
        _number(number, f"{where}.{key}")


def _fields(value: Any, where: str, required: dict, optional: dict) -> None:
    document = _mapping(value, where)
    for key, check in required.items():
        if key not in document:
            raise _Bad(f"{where}.{key}", "present")
        check(document[key], f"{where}.{key}")
    for key, check in optional.items():
        if key in document:
            check(document[key], f"{where}.{key}")


def _missing(value: Any, where: str) -> None:
    _fields(value, where, {"null": _count},
            {"nan": _count, "empty": _count, "whitespace": _count,
             "sentinels": _counts_by_name})


def _distinct(value: Any, where: str) -> None:
    _fields(value, where, {"count": _count, "exact": _flag},
            {"sample": lambda v, w: _fields(v, w, {"values": _count, "repeated": _count}, {})})


def _categories(value: Any, where: str) -> None:
    if value is not None:
        _counts_by_name(value, where)


def _sketch(value: Any, where: str) -> None:
    def buckets(encoded: Any, at: str) -> None:
        if isinstance(encoded, str):
            if not all(part.partition("*")[0].lstrip("-").isdigit()
                       and (not part.partition("*")[2] or part.partition("*")[2].isdigit())
                       for part in encoded.split()):
                raise _Bad(at, "sketch buckets (\"KEY STEP*COUNT ...\")")
        elif not isinstance(encoded, list) or not all(
                isinstance(pair, list) and len(pair) == 2
                and all(isinstance(n, int) and not isinstance(n, bool) for n in pair)
                for pair in encoded):
            raise _Bad(at, "sketch buckets")

    _fields(value, where, {"alpha": _number, "positive": buckets, "negative": buckets,
                           "zeros": _count}, {})


def _numeric(value: Any, where: str) -> None:
    _fields(value, where, {}, {
        "finite": _count, "inf": _counts_by_name, "min": _number, "max": _number,
        "mean": _number, "std": _spread, "zeros": _count, "integral_share": _share,
        "sentinels": _counts_by_name, "at_min": _count, "at_max": _count,
        "mode": lambda v, w: _fields(v, w, {"count": _count, "exact": _flag},
                                     {"value": _number}),
        "quantiles": _numbers_by_name, "sketch": _sketch,
    })


def _pairs(value: Any, where: str) -> None:
    """[[key, count], ...]: length histograms."""
    if not isinstance(value, list) or not all(
            isinstance(pair, list) and len(pair) == 2
            and all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in pair)
            for pair in value):
        raise _Bad(where, "a list of [length, count] pairs")


def _patterns(value: Any, where: str) -> None:
    if value is None:
        return
    _fields(value, where, {"other": _count, "distinct": _count}, {})
    top = value.get("top", [])
    if not isinstance(top, list) or not all(
            isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str)
            and isinstance(pair[1], int) and not isinstance(pair[1], bool) and pair[1] >= 0
            for pair in top):
        raise _Bad(f"{where}.top", "a list of [pattern, count] pairs")


def _optional_count(value: Any, where: str) -> None:
    if value is not None:
        _count(value, where)


def _string(value: Any, where: str) -> None:
    _fields(value, where, {}, {
        "case": _counts_by_name,
        # null where the column has no value: empty, or all null
        "length": lambda v, w: _fields(v, w, {}, {"min": _optional_count,
                                                  "max": _optional_count, "mean": _spread}),
        "shape": lambda v, w: _fields(v, w, {}, {
            "patterns": _patterns, "formats": _patterns, "lengths": _pairs,
            "leading_whitespace": _count, "trailing_whitespace": _count}),
    })


def _count_list(value: Any, where: str) -> None:
    if not isinstance(value, list):
        raise _Bad(where, "a list of counts")
    for index, count in enumerate(value):
        _count(count, f"{where}[{index}]")


def _temporal(value: Any, where: str) -> None:
    def texts(v: Any, w: str) -> None:
        for key, item in _mapping(v, w).items():
            _optional_text(item, f"{w}.{key}")

    _fields(value, where, {}, {
        "min": _optional_text, "max": _optional_text, "quantiles": texts,
        "histogram": _counts_by_name, "weekdays": _count_list, "hours": _count_list,
        "granularity": _counts_by_name,
    })
    if (value.get("min") is None) != (value.get("max") is None):
        raise _Bad(f"{where}.min", "null exactly when max is null")


def _nested(value: Any, where: str) -> None:
    def columns(items: Any, at: str) -> None:
        if not isinstance(items, list):
            raise _Bad(at, "a list")
        for index, item in enumerate(items):
            _column(item, f"{at}[{index}]")

    _fields(value, where, {}, {
        "kind": _text, "size": _count, "element": _column, "keys": _column,
        "values": _column, "fields": columns,
        "lengths": lambda v, w: _fields(v, w, {}, {"min": _number, "max": _number,
                                                   "mean": _number, "histogram": _pairs}),
    })


def _column(value: Any, where: str) -> None:
    _fields(value, where, {
        "name": _text, "logical_type": _text, "physical_type": _text, "pii": _flag,
        "count": _count, "missing": _missing, "distinct": _distinct,
    }, {
        "categories": _categories, "numeric": _numeric, "string": _string,
        "temporal": _temporal, "nested": _nested,
    })


def _dvc(value: Any, where: str) -> None:
    if value is not None:
        _fields(value, where, {"hash": _text, "size": _count},
                {"nfiles": lambda v, w: v is None or _count(v, w)})


def _checks(value: Any, where: str) -> None:
    if not isinstance(value, list):
        raise _Bad(where, "a list")
    for index, check in enumerate(value):
        _fields(check, f"{where}[{index}]", {"name": _text}, {"statistics": _mapping})


def _unique(value: Any, where: str) -> None:
    if value is None or isinstance(value, str):
        return
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise _Bad(where, "null, a column name or a list of them")


def _canonical(value: Any, where: str) -> None:
    flags = {flag: _flag for flag in ("nullable", "required", "pii", "coerce")}
    _fields(value, where, {}, {"checks": _checks, "unique": _unique, "columns": lambda v, w: [
        _fields(column, f"{w}[{index}]", {"name": _hashable},
                {"checks": _checks, "unique": _flag, "dtype": _optional_text, **flags})
        for index, column in enumerate(v if isinstance(v, list) else _bad_list(w))]})


def _hashable(value: Any, where: str) -> None:
    if isinstance(value, list):  # a tuple name (pandera's MultiIndex columns) in JSON
        for part in value:
            _hashable(part, where)
    elif not isinstance(value, str | int | float) or isinstance(value, bool):
        raise _Bad(where, "a column name")


def _bad_list(where: str) -> list:
    raise _Bad(where, "a list")


def _schema(value: Any, where: str) -> None:
    if value is not None:
        _fields(value, where, {"source": _text, "hash": _text, "canonical": _canonical}, {})


def _validation(value: Any, where: str) -> None:
    if value is None:
        return
    _fields(value, where, {"valid": _flag}, {})
    failures = value.get("failures", [])
    if not isinstance(failures, list):
        raise _Bad(f"{where}.failures", "a list")
    for index, failure in enumerate(failures):
        _fields(failure, f"{where}.failures[{index}]", {"count": _count},
                {"check": _text, "column": _optional_text})


def _column_list(value: Any, where: str) -> None:
    if not isinstance(value, list):
        raise _Bad(where, "a list")
    for index, column in enumerate(value):
        _column(column, f"{where}[{index}]")


def check_document(document: dict, shown: str, structural_hash) -> None:
    """DatacoupleError naming the first field that is not what `datacouple fingerprint`
    writes; `structural_hash` is format.structural_hash (passed in: format.py imports us)."""
    try:
        _fields(document, "fingerprint", {
            "dataset": _text, "path": _optional_text, "dvc": _dvc, "schema": _schema,
            "validation": _validation, "rows": _count, "settings": _mapping,
            "structural_hash": _text, "columns": _column_list,
        }, {"source_format": _optional_text})
    except _Bad as bad:
        raise DatacoupleError(f"{shown}: not a fingerprint datacouple wrote: {bad}; it was "
                              "edited or damaged: regenerate it with `datacouple fingerprint`"
                              ) from None
    if structural_hash(document["columns"]) != document["structural_hash"]:
        raise DatacoupleError(f"{shown}: its structural_hash does not match its columns (edited "
                              "by hand?); regenerate it with `datacouple fingerprint`")
