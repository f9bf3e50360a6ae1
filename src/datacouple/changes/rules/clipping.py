"""Clipping and winsorising: values capped at new bounds. The range shrinks beyond what a fresh
sample explains and the values that lay beyond the new bound pile up on it.

Reported as `range_changed`, breaking: the tail a model learnt from is gone, every value past
the bound now reads as the bound. Both signs are needed, so a filter (the range shrinks, nothing
piles up) and a fresh sample of discrete data (the new maximum is a common value that already
held that share) are not called clipping; the catch-all still reports a filter's shrunken
range.
"""

from __future__ import annotations

from ..change import BREAKING, Change
from ..context import ColumnPair, DiffContext
from ..sketch import Distribution
from ..stats import share_z, two_sided_p


def clipped(ctx: DiffContext, pair: ColumnPair) -> list[Change]:
    if not pair.same_logical_type:
        return []
    old, new = pair.old.get("numeric"), pair.new.get("numeric")
    old_d, new_d = Distribution.of(old), Distribution.of(new)
    if old_d is None or new_d is None:
        return []  # pii columns keep no extremes, old fingerprints may keep no sketch
    capped = [c for end, sign in (("min", -1), ("max", 1))
              if (c := _capped(ctx, old, new, old_d, new_d, end, sign))]
    if not capped:
        return []
    ctx.explain(pair.name, "range_changed", "distribution_drift")
    ends = " and ".join(f"{e['end']}imum {e['old']:g} -> {e['new']:g}" for e in capped)
    piles = "; ".join(f"{e['new_share']:.1%} of the values sit at the new {e['end']}imum "
                      f"(at most {e['old_share_at_most']:.1%} did before)" for e in capped)
    return [Change("range_changed", pair.name, BREAKING,
                   f"{pair.name}: values clipped ({ends}); {piles}: capped or winsorised",
                   {"clipped": capped})]


def _capped(ctx: DiffContext, old: dict, new: dict, old_d: Distribution, new_d: Distribution,
            end: str, sign: int) -> dict | None:
    a, b = old.get(end), new.get(end)
    if not isinstance(a, int | float) or not isinstance(b, int | float) or (b - a) * sign >= 0:
        return None  # the extreme did not move inwards
    p_threshold = two_sided_p(ctx.thresholds.min_z)
    n0, n1 = old_d.total, new_d.total
    # Inwards beyond sampling: a fresh sample of n1 old values ends short of b this rarely.
    inside = old_d.at_or_below(b) if sign > 0 else n0 - old_d.below(b)
    if (inside / n0) ** n1 >= p_threshold:
        return None
    # Piled up: the new count at b against the most the old data can have held at b (its
    # bucket's count), so only a real pile counts.
    at_bound = new.get(f"at_{end}")
    if at_bound is None:  # older fingerprints: b's bucket on the new side too
        at_bound = new_d.count_in_bucket_of(b)
    before = old_d.count_in_bucket_of(b)
    old_mode = old.get("mode") or {}
    if old_mode.get("exact"):  # no value held more than the mode did: a tighter bound where
        before = min(before, old_mode["count"])  # buckets are wide against the spread
    if at_bound < 3 or at_bound * n0 <= before * n1 or share_z(before, n0, at_bound, n1) < (
            ctx.thresholds.min_z):
        return None
    # And more than the old data piled at its own extreme: a shift moves a pile (22 readings
    # of 0 become 22 of 0.02), clipping makes one.
    old_at = old.get(f"at_{end}")
    if old_at is not None and (at_bound * n0 <= old_at * n1 or share_z(
            old_at, n0, at_bound, n1) < ctx.thresholds.min_z):
        return None
    # old_at_most is an upper bound: the bucket's count, or the old mode's if smaller.
    return {"end": end, "old": a, "new": b, "old_at_most": before, "new_at_value": at_bound,
            "old_share_at_most": round(before / n0, 6), "new_share": round(at_bound / n1, 6),
            "old_share_beyond": round(1 - inside / n0, 6)}
