"""missing_encoding_changed and missing_rate_changed.

An encoding is one way a column spells "missing": NULL, NaN, "", whitespace-only, a token such
as "NA". A change of encoding is found by pairing an encoding that shrank with one that grew by
about as much; the grown side may also be an ordinary value a pipeline writes for missing (0,
-1, 999, or a category such as "Other"), so "NaN became 0" is told as such.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...profile.format import MISSING_ENCODINGS, Column, missing_counts
from ..change import BREAKING, WARNING, Change
from ..context import ColumnPair, DiffContext
from ..stats import chance_of_none, share, z_score
from .csv_reading import csv_ambiguity

_LABELS = {"null": "NULL", "nan": "NaN", "empty": '"" (empty string)',
           "whitespace": "whitespace-only strings"}


def label(encoding: str) -> str:
    if encoding in _LABELS:
        return _LABELS[encoding]
    kind, _, value = encoding.partition(":")
    return value if kind == "value" else f'"{value}"'


def present_missing_counts(column: Column) -> dict[str, int]:
    """Counts per encoding of "missing" (only those that occur)."""
    return {kind: count for kind, count in missing_counts(column).items() if count}


def value_counts(column: Column) -> dict[str, int]:
    """Ordinary values a pipeline may write for "missing": zeros, numeric sentinels, categories."""
    counts: dict[str, int] = {}
    numeric = column.get("numeric", {})
    if numeric.get("zeros"):
        counts["value:0"] = numeric["zeros"]
    for value, count in numeric.get("sentinels", {}).items():
        counts[f"value:{value}"] = count
    for value, count in (column.get("categories") or {}).items():
        counts[f"category:{value}"] = count
    return counts


@dataclass
class Shift:
    encoding: str
    old: int
    new: int
    delta: float  # new count minus the old count scaled to the new row count
    appeared: bool
    vanished: bool


def _shifts(ctx: DiffContext, old: dict[str, int], new: dict[str, int]) -> list[Shift]:
    scale = ctx.new_rows / ctx.old_rows if ctx.old_rows else 1.0
    shifts = []
    for encoding in sorted(set(old) | set(new)):
        o, n = old.get(encoding, 0), new.get(encoding, 0)
        shifts.append(Shift(encoding, o, n, n - o * scale, appeared=o == 0 < n,
                            vanished=n == 0 < o))
    return shifts


def _significant(ctx: DiffContext, shift: Shift) -> bool:
    t = ctx.thresholds
    if shift.vanished:
        return chance_of_none(shift.old, ctx.old_rows, ctx.new_rows) < t.sampling_probability
    if shift.appeared:
        return chance_of_none(shift.new, ctx.new_rows, ctx.old_rows) < t.sampling_probability
    return abs(z_score(shift.old, ctx.old_rows, shift.new, ctx.new_rows)) >= t.min_z


def _matches(shrunk: Shift, grown: Shift) -> bool:
    """The grown side took in about as many values as the shrunk side lost."""
    lost, gained = -shrunk.delta, grown.delta
    return lost > 0 and abs(gained - lost) <= max(0.25 * lost, 2)


def _real_move(ctx: DiffContext, loss: Shift, gain: Shift, gain_is_missing: bool) -> bool:
    """Both sides moved beyond sampling noise; or one encoding of missing vanished exactly as
    another, or a sentinel number (0, -1, 999, ...) never seen before, appeared: a swap no
    sample of the old data produces, however few values it moves."""
    if loss.vanished and gain.appeared and (gain_is_missing or gain.encoding.startswith("value:")):
        return True
    return _significant(ctx, loss) and _significant(ctx, gain)


def missing_encoding_changed(ctx: DiffContext, pair: ColumnPair) -> list[Change]:
    old_missing, new_missing = present_missing_counts(pair.old), present_missing_counts(pair.new)
    missing = _shifts(ctx, old_missing, new_missing)
    values = [s for s in _shifts(ctx, value_counts(pair.old), value_counts(pair.new))
              if s.delta > 0]
    shrunk = [s for s in missing if s.delta < 0]
    grown_missing = [s for s in missing if s.delta > 0]
    changes: list[Change] = []
    used: set[str] = set()
    for loss in sorted(shrunk, key=lambda s: s.delta):
        candidates = [g for g in grown_missing + values
                      if g.encoding not in used and _matches(loss, g)
                      and _real_move(ctx, loss, g, g in grown_missing)]
        if not candidates:
            continue
        gain = min(candidates, key=lambda g: abs(g.delta + loss.delta))
        used.add(gain.encoding)
        moved = round(min(-loss.delta, gain.delta))
        evidence = {"from": loss.encoding, "to": gain.encoding, "moved": moved,
                    "old_counts": old_missing, "new_counts": new_missing}
        # Still breaking with a CSV side (the data as read did change), but said as it is.
        csv_side = csv_ambiguity(ctx, loss.encoding, gain.encoding)
        if csv_side is not None:
            evidence["read_from_csv"] = csv_side[0]
        changes.append(Change(
            "missing_encoding_changed", pair.name, BREAKING,
            f"{pair.name}: {moved} missing value{'s' if moved != 1 else ''} changed encoding "
            f"from {label(loss.encoding)} "
            f"to {label(gain.encoding)}" + (csv_side[1] if csv_side else ""),
            evidence,
        ))
        ctx.explain(pair.name, "distribution_drift")
        if not gain.encoding.startswith(("sentinel:", *MISSING_ENCODINGS)):
            # Missing values now look like ordinary ones: the rate "dropped", the range or
            # categories may move; all one finding.
            ctx.explain(pair.name, "missing_rate_changed", "range_changed", "categories_changed")
    for gain in grown_missing:
        # NULLs appearing where there were none is more missingness, not another spelling of
        # it: missing_rate_changed tells that.
        if gain.encoding in used or not gain.appeared or gain.encoding == "null":
            continue
        plausible = not _significant(ctx, gain)
        changes.append(Change(
            "missing_encoding_changed", pair.name, WARNING if plausible else BREAKING,
            f"{pair.name}: {gain.new} values now spelled {label(gain.encoding)}, a new encoding "
            "of missing" + (" (few enough to be sampling)" if plausible else ""),
            {"to": gain.encoding, "new": gain.new, "old_counts": old_missing,
             "new_counts": new_missing},
        ))
    return changes


def missing_rate_changed(ctx: DiffContext, pair: ColumnPair) -> list[Change]:
    if ctx.is_explained(pair.name, "missing_rate_changed"):
        return []
    old_total = sum(present_missing_counts(pair.old).values())
    new_total = sum(present_missing_counts(pair.new).values())
    old_share, new_share = share(old_total, ctx.old_rows), share(new_total, ctx.new_rows)
    moved = abs(new_share - old_share)
    t = ctx.thresholds
    if moved < t.missing_rate_warning:
        return []
    if abs(z_score(old_total, ctx.old_rows, new_total, ctx.new_rows)) < t.min_z:
        return []
    severity = BREAKING if moved >= t.missing_rate_breaking else WARNING
    return [Change(
        "missing_rate_changed", pair.name, severity,
        f"{pair.name}: missing share {old_share:.1%} -> {new_share:.1%}",
        {"old_share": round(old_share, 6), "new_share": round(new_share, 6),
         "old_missing": old_total, "new_missing": new_total},
    )]
