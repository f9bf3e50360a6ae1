"""type_changed and precision_changed: what a column is stored as, and how finely."""

from __future__ import annotations

import re

from ...profile.format import Column
from ..change import BREAKING, INFO, WARNING, Change
from ..context import ColumnPair, DiffContext

_INT = re.compile(r"^(u?)int(\d+)$")
_FLOAT = re.compile(r"^(?:float|halffloat|double)(\d*)$")
_FLOAT_BITS = {"halffloat": 16, "float": 32, "double": 64}


def _int_width(physical: str) -> tuple[bool, int] | None:
    match = _INT.match(physical)
    return (match.group(1) == "u", int(match.group(2))) if match else None


def _float_bits(physical: str) -> int | None:
    if physical in _FLOAT_BITS:
        return _FLOAT_BITS[physical]
    match = _FLOAT.match(physical)
    return int(match.group(1)) if match and match.group(1) else None


def _timestamp_parts(physical: str) -> tuple[str, str | None] | None:
    match = re.match(r"^timestamp\[(\w+)(?:, tz=(.+))?\]$", physical)
    return (match.group(1), match.group(2)) if match else None


def _has_nan(column: Column) -> bool:
    return bool(column["missing"].get("nan"))


def type_changed(ctx: DiffContext, pair: ColumnPair) -> list[Change]:
    old, new = pair.old, pair.new
    if not pair.same_logical_type:
        return [_logical_change(pair)]
    return _physical_change(pair, old["physical_type"], new["physical_type"])


def _logical_change(pair: ColumnPair) -> Change:
    old_type, new_type = pair.old["logical_type"], pair.new["logical_type"]
    evidence = {"old": old_type, "new": new_type, "old_physical": pair.old["physical_type"],
                "new_physical": pair.new["physical_type"]}
    lossless = (
        (old_type == "integer" and new_type == "float" and not _has_nan(pair.new))
        or (old_type == "float" and new_type == "integer"
            and pair.old.get("numeric", {}).get("integral_share") == 1.0)
        or (old_type == "date" and new_type == "datetime")
        or old_type == "null"
    )
    if lossless:
        return Change("type_changed", pair.name, WARNING,
                      f"{pair.name}: type {old_type} -> {new_type} (lossless: every value is "
                      "representable in the new type)", evidence)
    return Change("type_changed", pair.name, BREAKING,
                  f"{pair.name}: type {old_type} -> {new_type}", evidence)


def _physical_change(pair: ColumnPair, old: str, new: str) -> list[Change]:
    if old == new or pair.old["logical_type"] == "string":
        return []  # string, large_string and dictionary<string> are one thing to a model
    if pair.old.get("nested") and pair.new.get("nested"):
        return []  # nested_changed compares the parts and tells what a storage change means
    evidence = {"old_physical": old, "new_physical": new}
    old_int, new_int = _int_width(old), _int_width(new)
    if old_int and new_int:
        direction = "widened" if new_int[1] >= old_int[1] else "narrowed"
        return [Change("type_changed", pair.name, WARNING,
                       f"{pair.name}: integer storage {direction}, {old} -> {new}", evidence)]
    old_bits, new_bits = _float_bits(old), _float_bits(new)
    if old_bits and new_bits:
        if new_bits < old_bits:
            return []  # precision_changed reports it
        return [Change("type_changed", pair.name, WARNING,
                       f"{pair.name}: float storage widened, {old} -> {new}", evidence)]
    old_ts, new_ts = _timestamp_parts(old), _timestamp_parts(new)
    if old_ts and new_ts:
        if old_ts[1] != new_ts[1]:
            return [Change("type_changed", pair.name, BREAKING,
                           f"{pair.name}: time zone {old_ts[1] or 'naive'} -> "
                           f"{new_ts[1] or 'naive'}", evidence)]
        return [Change("type_changed", pair.name, INFO,
                       f"{pair.name}: timestamp resolution {old_ts[0]} -> {new_ts[0]}",
                       evidence)]
    return [Change("type_changed", pair.name, WARNING, f"{pair.name}: storage {old} -> {new}",
                   evidence)]


def precision_changed(ctx: DiffContext, pair: ColumnPair) -> list[Change]:
    old, new = pair.old, pair.new
    old_bits, new_bits = _float_bits(old["physical_type"]), _float_bits(new["physical_type"])
    if old_bits and new_bits and new_bits < old_bits:
        return [Change("precision_changed", pair.name, WARNING,
                       f"{pair.name}: float precision reduced, {old['physical_type']} -> "
                       f"{new['physical_type']}",
                       {"old_physical": old["physical_type"],
                        "new_physical": new["physical_type"]})]
    if old["logical_type"] != "float" or new["logical_type"] != "float":
        return []
    old_share = old.get("numeric", {}).get("integral_share")
    new_share = new.get("numeric", {}).get("integral_share")
    if old_share is not None and new_share is not None and old_share < 0.5 <= 0.99 <= new_share:
        return [Change("precision_changed", pair.name, WARNING,
                       f"{pair.name}: values now rounded to whole numbers (integral share "
                       f"{old_share:.0%} -> {new_share:.0%})",
                       {"old_integral_share": old_share, "new_integral_share": new_share})]
    return _fewer_distinct(pair)


def _fewer_distinct(pair: ColumnPair) -> list[Change]:
    """Rounding to fewer decimals: far fewer distinct values per row than before."""
    old_d, new_d = pair.old["distinct"]["count"], pair.new["distinct"]["count"]
    old_n, new_n = pair.old["count"], pair.new["count"]
    if old_d < 50 or not old_n or not new_n:
        return []
    if (new_d / new_n) < 0.2 * (old_d / old_n) and new_d < 0.2 * old_d:
        return [Change("precision_changed", pair.name, WARNING,
                       f"{pair.name}: far fewer distinct values ({old_d} -> {new_d}): values "
                       "look rounded", {"old_distinct": old_d, "new_distinct": new_d})]
    return []
