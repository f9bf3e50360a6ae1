"""Table-level rules: which columns exist, in what order, how many rows, same bytes or not."""

from __future__ import annotations

from ...profile.format import Fingerprint, dvc_hash
from ..change import BREAKING, INFO, WARNING, Change
from ..context import DiffContext


def _names(document: Fingerprint) -> list[str]:
    return [column["name"] for column in document["columns"]]


def column_removed(ctx: DiffContext) -> list[Change]:
    new_names = set(_names(ctx.new))
    return [
        Change("column_removed", column["name"], BREAKING,
               f"{column['name']}: column removed ({column['logical_type']})",
               {"logical_type": column["logical_type"]})
        for column in ctx.old["columns"] if column["name"] not in new_names
    ]


def column_added(ctx: DiffContext) -> list[Change]:
    old_names = set(_names(ctx.old))
    return [
        Change("column_added", column["name"], INFO,
               f"{column['name']}: new column ({column['logical_type']})",
               {"logical_type": column["logical_type"]})
        for column in ctx.new["columns"] if column["name"] not in old_names
    ]


def column_order_changed(ctx: DiffContext) -> list[Change]:
    old_names, new_names = _names(ctx.old), _names(ctx.new)
    common = set(old_names) & set(new_names)
    old_order = [n for n in old_names if n in common]
    new_order = [n for n in new_names if n in common]
    if old_order == new_order:
        return []
    return [Change("column_order_changed", None, INFO,
                   "columns are in a different order",
                   {"old": old_order, "new": new_order})]


def row_count_changed(ctx: DiffContext) -> list[Change]:
    old, new = ctx.old_rows, ctx.new_rows
    if old == new:
        return []
    ratio = new / old if old else float("inf")
    t = ctx.thresholds
    severity = WARNING if not (t.row_ratio_low <= ratio <= t.row_ratio_high) else INFO
    return [Change("row_count_changed", None, severity,
                   f"row count {old} -> {new} (x{ratio:.3g})",
                   {"old": old, "new": new, "ratio": round(ratio, 6)})]


def content_changed(ctx: DiffContext, found: list[Change]) -> list[Change]:
    """The bytes differ but the meaning does not: shuffled rows, another compression."""
    old_hash = dvc_hash(ctx.old)
    new_hash = dvc_hash(ctx.new)
    if found or not old_hash or not new_hash or old_hash == new_hash:
        return []
    return [Change("content_changed", None, INFO,
                   f"data bytes changed (DVC {old_hash[:8]} -> {new_hash[:8]}) but the "
                   "fingerprint is identical: re-encoded or reordered",
                   {"old_hash": old_hash, "new_hash": new_hash})]
