"""Imputation: missing values (or a numeric sentinel) replaced by the mean, median or mode. One
value suddenly holds a large share of the rows, about as many as the missing encodings lost.

Found on the sketch: the bucket (about 2% wide) whose share of rows grew the most, beyond
sampling, and by most of all the mass that moved (one value, not a shift). Named exactly when
the new mode is counted exactly and lies in that bucket. With a matching loss of missing values
it is `missing_encoding_changed`, breaking: a model that learnt what "missing" meant now reads
the column's average. A spike with no such loss is `distribution_drift`, a warning that names
the value (a default written into the column, or imputation of values we cannot see missing).

Zeros and the numeric sentinels (-1, 999, ...) are left to `missing_encoding_changed`, which
already reads them as spellings of missing. pii columns keep no sketch: their mode's share
is compared instead, and the value is never named.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...profile.format import NUMERIC_SENTINELS, SKETCH_ALPHA
from ..change import BREAKING, WARNING, Change
from ..context import ColumnPair, DiffContext
from ..sketch import Distribution, ordinal_of, value_of
from ..stats import share_z


@dataclass(frozen=True)
class Spike:
    value: float | None  # None: not to be shown (pii)
    exact: bool  # value is the exact value (else within SKETCH_ALPHA of it)
    old: int  # rows in the value's bucket (or at the old mode) before: an upper bound
    new: int
    gained: float  # rows gained beyond the old share scaled to the new rows


def imputed(ctx: DiffContext, pair: ColumnPair) -> list[Change]:
    if not pair.same_logical_type or not pair.old.get("numeric") or not pair.new.get("numeric"):
        return []
    spike = _spike(ctx, pair)
    if spike is None or (spike.value is not None and _is_missing_spelling(spike.value)):
        return []
    if ctx.is_explained(pair.name, "range_changed") and _at_an_extreme(spike, pair.new):
        return []  # clipping piled these values up on its bound
    lost, sources = _missing_lost(ctx, pair)
    ctx.explain(pair.name, "distribution_drift", "range_changed")
    shown = _show(spike, pair.old["numeric"])
    share_old, share_new = spike.old / ctx.old_rows, spike.new / ctx.new_rows
    evidence = {"value": spike.value, "exact": spike.exact, "old_rows_at_most": spike.old,
                "new_rows_at_value": spike.new, "old_share_at_most": round(share_old, 6),
                "new_share": round(share_new, 6), "missing_lost": round(lost),
                "from": sources}
    if lost >= 2 and abs(spike.gained - lost) <= max(0.25 * lost, 2):
        ctx.explain(pair.name, "missing_rate_changed")
        moved = round(min(lost, spike.gained))
        return [Change(
            "missing_encoding_changed", pair.name, BREAKING,
            f"{pair.name}: {moved} missing values ({', '.join(sources)}) imputed with {shown}: "
            f"that value now holds {share_new:.1%} of the rows ({_before(spike, share_old)})",
            {**evidence, "to": "imputed", "moved": moved})]
    return [Change(
        "distribution_drift", pair.name, WARNING,
        f"{pair.name}: one value, {shown}, now holds {share_new:.1%} of the rows "
        f"({_before(spike, share_old)}): imputed or a default written into the column?",
        evidence)]


def _spike(ctx: DiffContext, pair: ColumnPair) -> Spike | None:
    old, new = pair.old["numeric"], pair.new["numeric"]
    old_d, new_d = Distribution.of(old), Distribution.of(new)
    if old_d and new_d:
        return _bucket_spike(ctx, new, old_d, new_d)
    old_mode, new_mode = old.get("mode"), new.get("mode")
    if not old_mode or not new_mode or (old_mode["exact"] and not new_mode["exact"]):
        return None
    # No sketches (pii): the mode's share, against the old mode's (the most any value held).
    if share_z(old_mode["count"], ctx.old_rows, new_mode["count"], ctx.new_rows) < (
            ctx.thresholds.min_z):
        return None
    gained = new_mode["count"] - old_mode["count"] * ctx.new_rows / ctx.old_rows
    if gained <= 0:
        return None
    return Spike(new_mode.get("value"), new_mode["exact"], old_mode["count"], new_mode["count"],
                 gained)


def _bucket_spike(ctx: DiffContext, new: dict, old_d: Distribution,
                  new_d: Distribution) -> Spike | None:
    scale = ctx.new_rows / ctx.old_rows
    old_counts = dict(old_d.buckets)
    gains = {o: c - old_counts.get(o, 0) * scale for o, c in new_d.buckets}
    ordinal, gain = max(gains.items(), key=lambda item: item[1])
    total_gain = sum(g for g in gains.values() if g > 0)
    before, after = old_counts.get(ordinal, 0), dict(new_d.buckets)[ordinal]
    if gain <= 0 or gain < 0.5 * total_gain or share_z(before, ctx.old_rows, after,
                                                       ctx.new_rows) < ctx.thresholds.min_z:
        return None
    mode = new.get("mode") or {}
    if mode.get("exact") and "value" in mode and ordinal_of(mode["value"]) == ordinal:
        return Spike(mode["value"], True, before, after, gain)
    return Spike(value_of(ordinal), False, before, after, gain)


def _missing_lost(ctx: DiffContext, pair: ColumnPair) -> tuple[float, list[str]]:
    """Rows that left the spellings of missing (NULL, NaN, numeric sentinels), scaled."""
    scale = ctx.new_rows / ctx.old_rows
    old, new = pair.old, pair.new
    pairs = {"NULL": (old["missing"]["null"], new["missing"]["null"]),
             "NaN": (old["missing"].get("nan", 0), new["missing"].get("nan", 0))}
    old_s, new_s = old["numeric"].get("sentinels", {}), new["numeric"].get("sentinels", {})
    for value in set(old_s) | set(new_s):
        pairs[value] = (old_s.get(value, 0), new_s.get(value, 0))
    lost, sources = 0.0, []
    for name, (a, b) in sorted(pairs.items()):
        if a * scale - b > 0.5:
            lost += a * scale - b
            sources.append(name)
    return lost, sources


def _before(spike: Spike, share: float) -> str:
    # The old side is a bucket's count (or the old mode's): at most that many held the value.
    return f"at most {share:.1%} before" if share else "none before"


def _at_an_extreme(spike: Spike, new: dict) -> bool:
    numeric = new["numeric"]
    return spike.value is None or any(
        isinstance(numeric.get(end), int | float)
        and ordinal_of(numeric[end]) == ordinal_of(spike.value) for end in ("min", "max"))


def _is_missing_spelling(value: float) -> bool:
    return value == 0 or any(abs(value - s) <= SKETCH_ALPHA * abs(s) for s in NUMERIC_SENTINELS)


def _show(spike: Spike, old: dict) -> str:
    """The value, and which statistic of the old data it is (what imputers write)."""
    if spike.value is None:
        return "one value (not shown: pii)"
    text = f"{spike.value:g}" if spike.exact else f"~{float(f'{spike.value:.4g}'):g}"
    tolerance = 2 * SKETCH_ALPHA * abs(spike.value) if not spike.exact else 1e-6 * max(
        1.0, abs(spike.value))
    for name, reference in (("mean", old.get("mean")),
                            ("median", (old.get("quantiles") or {}).get("0.5")),
                            ("mode", (old.get("mode") or {}).get("value"))):
        if isinstance(reference, int | float) and abs(reference - spike.value) <= max(
                tolerance, 1e-6 * abs(reference)):
            return f"{text} (the old {name})"
    return text
