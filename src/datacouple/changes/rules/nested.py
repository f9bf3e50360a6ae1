"""Changes inside nested columns (lists, structs, maps), from their `nested` sections.

- an embedding (a list of one length) whose dimension changed, 8 -> 16: `type_changed`,
  breaking (a model's input layer expects the old size); other moves of the elements per row:
  `distribution_drift`;
- a struct field removed (breaking) or added (info), a list turned struct: as for columns;
- every part (struct field `NAME.FIELD`, list elements `NAME[]`, map keys and values) is
  compared with the same column rules as a top-level column, on its own row count: NULL -> ""
  inside a struct field is `missing_encoding_changed` on that field.

A change found inside a column is reported on the top-level column (impact, acks and blame
are column-level), and names the part in its message and as `evidence.field`.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ...profile.format import Column
from ..change import BREAKING, INFO, WARNING, Change
from ..context import ColumnPair, DiffContext
from ..stats import psi, psi_noise

_PARTS = (("element", "element"), ("keys", "key"), ("values", "value"))


def nested_changed(ctx: DiffContext, pair: ColumnPair) -> list[Change]:
    old, new = pair.old.get("nested"), pair.new.get("nested")
    if not old or not new or not pair.same_logical_type:
        return []
    if old.get("kind") != new.get("kind"):
        return [Change("type_changed", pair.name, BREAKING,
                       f"{pair.name}: {old.get('kind')} -> {new.get('kind')} "
                       f"({pair.old['physical_type']} -> {pair.new['physical_type']})",
                       {"old_physical": pair.old["physical_type"],
                        "new_physical": pair.new["physical_type"]})]
    changes = _lengths(ctx, pair, old, new) if old.get("kind") in ("list", "map") else []
    for key, _ in _PARTS:
        if key in old and key in new:
            changes += _compare_part(ctx, pair, old[key], new[key])
    if "fields" in old and "fields" in new:
        changes += _fields(ctx, pair, old["fields"], new["fields"])
    structural = {"type_changed", "column_added", "column_removed"}
    if _storage(pair.old) != _storage(pair.new) and not any(
            c.kind in structural for c in changes):
        changes.append(Change("type_changed", pair.name, WARNING,
                              f"{pair.name}: storage {pair.old['physical_type']} -> "
                              f"{pair.new['physical_type']}",
                              {"old_physical": pair.old["physical_type"],
                               "new_physical": pair.new["physical_type"]}))
    return changes


def _storage(column: Column) -> str:
    """The physical type without the list child's name: Parquet writes `element` where Arrow
    says `item`, and the same data must not read as a storage change."""
    return re.sub(r"<(item|element): ", "<", column["physical_type"])


def _lengths(ctx: DiffContext, pair: ColumnPair, old: dict, new: dict) -> list[Change]:
    before, after = old.get("lengths") or {}, new.get("lengths") or {}
    if before.get("min") is None or after.get("min") is None:
        return []
    evidence = {"old_lengths": before, "new_lengths": after}
    fixed_old = before["min"] == before["max"]
    fixed_new = after["min"] == after["max"]
    if (fixed_old and fixed_new and before["min"] != after["min"]) or (
            "size" in old and "size" in new and old["size"] != new["size"]):
        was = old.get("size", before["min"])
        now = new.get("size", after["min"])
        return [Change("type_changed", pair.name, BREAKING,
                       f"{pair.name}: every row held {was} elements, now {now} (an embedding's "
                       "dimension changed?)", {**evidence, "old_size": was, "new_size": now})]
    keys = sorted({k for k, _ in before.get("histogram", [])} | {k for k, _ in
                                                                after.get("histogram", [])})
    old_counts, new_counts = dict(before.get("histogram", [])), dict(after.get("histogram", []))
    old_n, new_n = sum(old_counts.values()), sum(new_counts.values())
    if len(keys) < 2 or not old_n or not new_n:
        return []
    value = psi([old_counts.get(k, 0) / old_n for k in keys],
                [new_counts.get(k, 0) / new_n for k in keys])
    threshold = ctx.thresholds.psi_warning + 2 * psi_noise(len(keys), old_n, new_n)
    if value < threshold:
        return []
    return [Change("distribution_drift", pair.name, WARNING,
                   f"{pair.name}: elements per row changed (mean {before.get('mean')} -> "
                   f"{after.get('mean')}, PSI {value:.2f})",
                   {**evidence, "psi": round(value, 4), "threshold": round(threshold, 4)})]


def _fields(ctx: DiffContext, pair: ColumnPair, old: list[Column],
            new: list[Column]) -> list[Change]:
    old_by, new_by = {f["name"]: f for f in old}, {f["name"]: f for f in new}
    changes = [Change("column_removed", pair.name, BREAKING,
                      f"{name}: field removed from {pair.name} ({field['logical_type']})",
                      {"field": name, "logical_type": field["logical_type"]})
               for name, field in old_by.items() if name not in new_by]
    changes += [Change("column_added", pair.name, INFO,
                       f"{name}: new field of {pair.name} ({field['logical_type']})",
                       {"field": name, "logical_type": field["logical_type"]})
                for name, field in new_by.items() if name not in old_by]
    for name, field in new_by.items():
        if name in old_by:
            changes += _compare_part(ctx, pair, old_by[name], field)
    return changes


def _compare_part(ctx: DiffContext, pair: ColumnPair, old: Column, new: Column) -> list[Change]:
    """The column rules on one part, counted over its own rows; findings re-homed on the
    top-level column."""
    from . import COLUMN_RULES  # the registry imports this module: resolve it at call time

    part_ctx = DiffContext(_as_document(ctx.old, old), _as_document(ctx.new, new),
                           ctx.thresholds, ctx.explained)
    part = ColumnPair(new["name"], old, new)
    found = []
    for rule in COLUMN_RULES:
        found += rule(part_ctx, part)
    return [replace(change, column=pair.name,
                    evidence={"field": change.column, **change.evidence})
            for change in found]


def _as_document(document: dict, part: Column) -> dict:
    """A one-column document for a part: its rows are the part's own (non-null structs for a
    field, elements for a list)."""
    return {**document, "rows": part["count"] + part["missing"].get("null", 0),
            "columns": [part], "dvc": None}
