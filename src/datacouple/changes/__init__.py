"""The changes layer: two fingerprints in, classified changes out (one rule per kind in rules/,
renderers in render.py). It reads the fingerprint's format and nothing else: no data files, no
engine, no git, no MLflow."""

from __future__ import annotations

from dataclasses import replace

from ..profile.format import Fingerprint
from .change import BREAKING, INFO, KINDS, WARNING, Change, sort_changes, summarize, to_report
from .context import ColumnPair, DiffContext
from .rules import COLUMN_RULES, FINAL_RULES, STRUCTURAL_COLUMN_RULES, TABLE_RULES
from .thresholds import Thresholds


def diff_fingerprints(old: Fingerprint, new: Fingerprint,
                      thresholds: Thresholds | None = None) -> list[Change]:
    """Every classified change from fingerprint `old` to fingerprint `new`, most severe first."""
    ctx = DiffContext(old, new, thresholds or Thresholds())
    found: list[Change] = []
    for rule in TABLE_RULES:
        found += rule(ctx)
    # Statistics need rows on both sides: against an empty table only structure is compared
    # (and no rule gets to call anything "sampling" where there is no sample).
    sampled = ctx.old_rows > 0 and ctx.new_rows > 0
    old_columns = {c["name"]: c for c in old["columns"]}
    for column in new["columns"]:
        if column["name"] in old_columns:
            pair = ColumnPair(column["name"], old_columns[column["name"]], column)
            if not sampled and "null" in (pair.old["logical_type"], pair.new["logical_type"]):
                continue  # an empty CSV has no types to compare, only names
            for rule in COLUMN_RULES if sampled else STRUCTURAL_COLUMN_RULES:
                found += rule(ctx, pair)
    for rule in FINAL_RULES:
        found += rule(ctx, found)
    dataset = new["dataset"] or old["dataset"] or ""
    return sort_changes([replace(c, dataset=c.dataset or dataset) for c in found])


__all__ = ["BREAKING", "INFO", "KINDS", "WARNING", "Change", "Thresholds", "diff_fingerprints",
           "sort_changes", "summarize", "to_report"]
