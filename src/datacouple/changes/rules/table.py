"""Table-level rules: which columns exist, in what order, how many rows, same bytes or not."""

from __future__ import annotations

from ...profile.format import Fingerprint, dvc_hash
from ..change import BREAKING, INFO, WARNING, Change
from ..context import DiffContext
from .moved import compare


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
    evidence = {"old": old, "new": new, "ratio": round(ratio, 6)}
    if new == 0:
        # No rows, no sample: the columns' statistics cannot be compared (diff_fingerprints
        # runs only the structural rules), and an empty output is a broken pipeline.
        return [Change("row_count_changed", None, BREAKING,
                       f"the new data has no rows (was {old}): an empty output; no column "
                       "statistic can be compared", evidence)]
    if old == 0:
        return [Change("row_count_changed", None, WARNING,
                       f"the old data had no rows, the new has {new}: no column statistic can "
                       "be compared", evidence)]
    if ratio < t.row_ratio_breaking:
        return [Change("row_count_changed", None, BREAKING,
                       f"row count collapsed {old} -> {new} (x{ratio:.3g}, below "
                       f"row_ratio_breaking {t.row_ratio_breaking:g})", evidence)]
    severity = WARNING if not (t.row_ratio_low <= ratio <= t.row_ratio_high) else INFO
    return [Change("row_count_changed", None, severity,
                   f"row count {old} -> {new} (x{ratio:.3g})", evidence)]


def content_changed(ctx: DiffContext, found: list[Change]) -> list[Change]:
    """The bytes differ and nothing the fingerprint holds moved beyond sampling: shuffled rows,
    another compression. Says "identical" only when every column profile is equal."""
    old_hash = dvc_hash(ctx.old)
    new_hash = dvc_hash(ctx.new)
    if found or not old_hash or not new_hash or old_hash == new_hash:
        return []
    evidence = {"old_hash": old_hash, "new_hash": new_hash}
    prefix = f"data bytes changed (DVC {old_hash[:8]} -> {new_hash[:8]})"
    storage = _storage_differences(ctx)
    if _profiles(ctx.old, ignore_storage=True) == _profiles(ctx.new, ignore_storage=True):
        if storage:
            evidence["storage"] = storage
            return [Change("content_changed", None, INFO,
                           f"{prefix}; every statistic of the fingerprint is identical, only the "
                           f"storage type differs ({_storage_text(storage)}): re-encoded",
                           evidence)]
        return [Change("content_changed", None, INFO,
                       f"{prefix} but the fingerprint is identical: re-encoded or reordered",
                       evidence)]
    if not ctx.old_rows or not ctx.new_rows:  # no sample: nothing can be said of sampling
        return [Change("content_changed", None, INFO,
                       f"{prefix}; both versions have no rows, their fingerprints differ "
                       "only in what no rule compares", {**evidence, "identical": False})]
    comparison = compare(ctx)  # nothing in it reached min_z, or a change would have been found
    largest = comparison.largest()
    evidence["identical"] = False
    message = f"{prefix}; the fingerprint agrees up to sampling"
    if largest is not None:
        column, move = largest
        evidence["largest_move"] = {"column": column, "statistic": move.statistic,
                                    "z": round(move.z, 3)}
        message += (f" (largest move: {column} {move.statistic}, z {move.z:.1f} < min_z "
                    f"{ctx.thresholds.min_z:g})")
    untested = {column: fields for column, fields in comparison.untested.items()
                if fields != ["physical_type"]}
    if untested:
        evidence["untested"] = untested
        message += "; also differ, not tested against sampling: " + ", ".join(
            f"{column} {'/'.join(fields)}" for column, fields in sorted(untested.items()))
    if storage:
        evidence["storage"] = storage
    return [Change("content_changed", None, INFO, message, evidence)]


def _profiles(document: Fingerprint, ignore_storage: bool) -> list[dict]:
    return [
        {k: v for k, v in column.items() if not (ignore_storage and k == "physical_type")}
        for column in document["columns"]
    ] + [document["rows"], document.get("validation")]


def _storage_differences(ctx: DiffContext) -> dict[str, list[str]]:
    old = {c["name"]: c["physical_type"] for c in ctx.old["columns"]}
    return {c["name"]: [old[c["name"]], c["physical_type"]] for c in ctx.new["columns"]
            if c["name"] in old and old[c["name"]] != c["physical_type"]}


def _storage_text(storage: dict[str, list[str]]) -> str:
    shown = [f"{name} {a} -> {b}" for name, (a, b) in sorted(storage.items())[:3]]
    return ", ".join(shown) + (" ..." if len(storage) > 3 else "")
