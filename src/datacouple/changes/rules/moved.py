"""The catch-all: no statistic of a fingerprint moves beyond what sampling explains without some
change reporting it.

Every statistic two fingerprints share is tested against sampling noise, each with a test that
fits it: a share (a missing encoding, zeros, a category, a case) with Fisher's exact test (the
two-proportion z-test once counts are large),
a mean with Welch's z, a spread with the log ratio of the stds (its error from the sketch's
kurtosis), the whole distribution with a Kolmogorov-Smirnov distance over the sketches'
buckets, an extreme with the chance that a fresh sample of the old data ends short of it (or
that the new values past the old extreme all fell to the new side), and so on. Every test is
put on the scale of `min_z` (a p-value becomes the z of the same two-sided p).

`unexplained_moves` runs after every other rule and reports, for each column that no change
names yet, the statistics that moved beyond `min_z`: a warning named after the fitting kind
(`missing_rate_changed` for a missing encoding, `distribution_drift` for the rest) when the move
is material (effect size at least `effect_warning`: Cohen's h for shares, d for means, the log
ratio for spreads), info when it is real but small, as big tables make tiny moves certain.
`content_changed` asks the same tests whether two fingerprints agree up to sampling.

Not tested: distinct counts as such (they grow with the sample in a way only the unknown tail
of the domain decides; the sampled values that repeat are tested where repeats are rare, and
`precision_changed` and `uniqueness_lost` judge the rest) and string length extremes.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

from ...profile.format import Column, missing_counts
from ..change import INFO, WARNING, Change
from ..context import ColumnPair, DiffContext
from ..sketch import Distribution, ks_distance, value_of
from ..stats import binomial_tail, cohen_h, ks_p, share_z, z_of_p
from .missing import label


@dataclass(frozen=True)
class Move:
    """One statistic compared: how far it moved in standard errors, and how much it matters."""

    statistic: str  # the fingerprint field, e.g. "numeric.mean", "missing.empty"
    kind: str  # the change kind that reports it
    text: str  # "mean 12.3 -> 15.1"
    z: float
    effect: float
    old: object = None
    new: object = None


@dataclass
class Comparison:
    """Every statistic two fingerprints' columns share, tested."""

    moves: dict[str, list[Move]] = field(default_factory=dict)  # column -> tests
    untested: dict[str, list[str]] = field(default_factory=dict)  # column -> fields that differ

    def significant(self, column: str, min_z: float) -> list[Move]:
        return sorted((m for m in self.moves.get(column, []) if m.z >= min_z),
                      key=lambda m: -m.z)

    def largest(self) -> tuple[str, Move] | None:
        every = [(column, move) for column, moves in self.moves.items() for move in moves]
        return max(every, key=lambda item: item[1].z, default=None)


def compare(ctx: DiffContext) -> Comparison:
    """Test every shared statistic of every column both fingerprints hold (same name, same
    logical type, rows on both sides)."""
    comparison = Comparison()
    if not ctx.old_rows or not ctx.new_rows:
        return comparison
    old_columns = {c["name"]: c for c in ctx.old["columns"]}
    for column in ctx.new["columns"]:
        old = old_columns.get(column["name"])
        if old is None or old["logical_type"] != column["logical_type"]:
            continue
        pair = ColumnPair(column["name"], old, column)
        comparison.moves[pair.name] = list(column_moves(ctx, pair))
        untested = _untested_differences(old, column)
        if untested:
            comparison.untested[pair.name] = untested
    for name, moves in _validation_moves(ctx).items():
        comparison.moves.setdefault(name, []).extend(moves)
    return comparison


def unexplained_moves(ctx: DiffContext, found: list[Change]) -> list[Change]:
    named = {change.column for change in found}
    comparison = compare(ctx)
    changes = []
    for column in comparison.moves:
        if column in named:
            continue  # a change already points at this column
        moved = comparison.significant(column, ctx.thresholds.min_z)
        if moved:
            changes.append(_report(ctx, column, moved))
    return changes


def _report(ctx: DiffContext, column: str, moved: list[Move]) -> Change:
    top = moved[0]
    material = [m for m in moved if m.effect >= ctx.thresholds.effect_warning]
    severity = WARNING if material else INFO
    others = [m.statistic for m in moved[1:]]
    message = (f"{column}: {top.text}, beyond sampling (z {_z_text(top.z)})"
               + (f"; also moved: {', '.join(others[:4])}" + (" ..." if len(others) > 4 else "")
                  if others else "")
               + ("" if material else " (a small move)"))
    evidence = {"statistic": top.statistic, "old": top.old, "new": top.new,
                "z": _rounded(top.z), "effect": _rounded(top.effect),
                "moved": [{"statistic": m.statistic, "z": _rounded(m.z),
                           "effect": _rounded(m.effect)} for m in moved]}
    return Change(top.kind, column, severity, message, evidence)


def _z_text(z: float) -> str:
    return "inf" if math.isinf(z) else f"{z:.1f}"


def _rounded(value: float) -> float | str:
    return "inf" if math.isinf(value) else round(value, 4)


# -- the tests, one family per part of a column's profile ------------------------------------


def column_moves(ctx: DiffContext, pair: ColumnPair) -> Iterator[Move]:
    yield from _missing_moves(ctx, pair)
    old_n, new_n = pair.old.get("numeric"), pair.new.get("numeric")
    if old_n and new_n:
        yield from _numeric_moves(old_n, new_n, ctx)
    yield from _category_moves(pair)
    yield from _repeat_moves(pair)
    yield from _string_moves(pair)
    yield from _temporal_moves(pair)


def share_move(statistic: str, kind: str, name: str, old: int, old_total: int, new: int,
               new_total: int) -> Move | None:
    """A count out of a total, compared as a share."""
    if not old_total or not new_total or old * new_total == new * old_total:
        return None
    old_share, new_share = old / old_total, new / new_total
    return Move(statistic, kind, f"{name} {old_share:.2%} -> {new_share:.2%}",
                share_z(old, old_total, new, new_total), cohen_h(old_share, new_share),
                round(old_share, 6), round(new_share, 6))


def _missing_moves(ctx: DiffContext, pair: ColumnPair) -> Iterator[Move]:
    old, new = missing_counts(pair.old), missing_counts(pair.new)
    for encoding in sorted(set(old) | set(new)):
        move = share_move(f"missing.{encoding}", "missing_rate_changed",
                          f"share of {label(encoding)}", old.get(encoding, 0), ctx.old_rows,
                          new.get(encoding, 0), ctx.new_rows)
        if move:
            yield move


def _numeric_moves(old: dict, new: dict, ctx: DiffContext) -> Iterator[Move]:
    old_f, new_f = old.get("finite", 0), new.get("finite", 0)
    shares = [
        ("numeric.inf.positive", "share of +inf", old.get("inf", {}).get("positive", 0),
         ctx.old_rows, new.get("inf", {}).get("positive", 0), ctx.new_rows),
        ("numeric.inf.negative", "share of -inf", old.get("inf", {}).get("negative", 0),
         ctx.old_rows, new.get("inf", {}).get("negative", 0), ctx.new_rows),
        ("numeric.zeros", "share of zeros", old.get("zeros", 0), old_f, new.get("zeros", 0),
         new_f),
    ]
    for value in sorted(set(old.get("sentinels", {})) | set(new.get("sentinels", {}))):
        shares.append((f"numeric.sentinels.{value}", f"share of {value}",
                       old.get("sentinels", {}).get(value, 0), old_f,
                       new.get("sentinels", {}).get(value, 0), new_f))
    if _is_number(old.get("integral_share")) and _is_number(new.get("integral_share")):
        shares.append(("numeric.integral_share", "share of whole numbers",
                       round(old["integral_share"] * old_f), old_f,
                       round(new["integral_share"] * new_f), new_f))
    for end in ("min", "max"):
        # The share of values at an extreme says something only where the extreme held still.
        if f"at_{end}" in old and f"at_{end}" in new and old.get(end) == new.get(end):
            shares.append((f"numeric.at_{end}", f"share of values at the {end}imum",
                           old[f"at_{end}"], old_f, new[f"at_{end}"], new_f))
    shares += _mode_shares(old, new, old_f, new_f)
    for statistic, name, a, a_total, b, b_total in shares:
        move = share_move(statistic, "distribution_drift", name, a, a_total, b, b_total)
        if move:
            yield move
    yield from _moment_moves(old, new, old_f, new_f)
    old_d, new_d = Distribution.of(old), Distribution.of(new)
    if old_d and new_d:
        yield from _distribution_moves(old, new, old_d, new_d)
        yield from _extreme_moves(old, new, old_d, new_d)


def _mode_shares(old: dict, new: dict, old_f: int, new_f: int) -> list[tuple]:
    """The most common value's share, whichever value it is: a fresh sample of continuous data
    has another mode of about the same share, an imputed value towers over it. Compared like
    with like: exact counts, or the sketches' fullest buckets; a new exact mode may also be held
    against an old bucket, which holds at least as many."""
    name = "share of the most common value"
    old_mode, new_mode = old.get("mode") or {}, new.get("mode") or {}
    found = []
    if old_mode.get("exact") and new_mode.get("exact"):
        found.append(("numeric.mode", name, old_mode["count"], old_f, new_mode["count"], new_f))
    old_d, new_d = Distribution.of(old), Distribution.of(new)
    if old_d and new_d:
        found.append(("numeric.mode", name + " (sketch bucket)", old_d.fullest(), old_d.total,
                      new_d.fullest(), new_d.total))
    elif new_mode.get("exact") and old_mode and not old_mode.get("exact"):
        found.append(("numeric.mode", name, old_mode["count"], old_f, new_mode["count"], new_f))
    return found


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(
        value)


def _moment_moves(old: dict, new: dict, old_n: int, new_n: int) -> Iterator[Move]:
    m0, m1, s0, s1 = old.get("mean"), new.get("mean"), old.get("std"), new.get("std")
    if not all(_is_number(v) for v in (m0, m1, s0, s1)) or old_n < 2 or new_n < 2:
        return
    if m0 != m1:
        error = math.sqrt(s0 * s0 / old_n + s1 * s1 / new_n)
        z = abs(m1 - m0) / error if error else math.inf
        effect = abs(m1 - m0) / s0 if s0 else math.inf
        yield Move("numeric.mean", "distribution_drift", f"mean {m0:g} -> {m1:g}", z, effect,
                   m0, m1)
    old_d, new_d = Distribution.of(old), Distribution.of(new)
    if s0 != s1 and old_d and new_d:
        yield _spread_move(s0, s1, old_n, new_n, old_d, new_d)


def _spread_move(s0: float, s1: float, old_n: int, new_n: int, old_d: Distribution,
                 new_d: Distribution) -> Move:
    """Var(log s) ~ (kurtosis - 1) / 4n: heavy tails make a spread noisier, the sketch says how
    heavy they are (floored at a normal's 3, where the buckets cannot resolve them)."""
    text = f"std {s0:g} -> {s1:g}"
    if not s0 or not s1:
        return Move("numeric.std", "distribution_drift", text, math.inf, math.inf, s0, s1)
    kurtosis = max(3.0, old_d.kurtosis() or 3.0, new_d.kurtosis() or 3.0)
    error = math.sqrt((kurtosis - 1) / 4 * (1 / old_n + 1 / new_n))
    ratio = abs(math.log(s1 / s0))
    return Move("numeric.std", "distribution_drift", text, ratio / error, ratio, s0, s1)


def _distribution_moves(old: dict, new: dict, old_d: Distribution,
                        new_d: Distribution) -> Iterator[Move]:
    distance, edge = ks_distance(old_d, new_d)
    if edge is None or not distance:
        return
    value = value_of(edge)
    old_below = old_d.at_or_below(value) / old_d.total
    new_below = new_d.at_or_below(value) / new_d.total
    text = (f"share of values up to ~{value:.4g}: {old_below:.1%} -> {new_below:.1%}"
            + _nearest_quantile(old, new, old_below))
    yield Move("numeric.sketch", "distribution_drift", text,
               z_of_p(ks_p(distance, old_d.total, new_d.total)), cohen_h(old_below, new_below),
               round(old_below, 6), round(new_below, 6))


def _nearest_quantile(old: dict, new: dict, share: float) -> str:
    quantiles = [q for q in (old.get("quantiles") or {}) if q in (new.get("quantiles") or {})]
    if not quantiles:
        return ""
    q = min(quantiles, key=lambda key: abs(float(key) - share))
    a, b = old["quantiles"][q], new["quantiles"][q]
    if not (_is_number(a) and _is_number(b)):
        return ""
    name = "median" if q == "0.5" else f"quantile {q}"
    return f" ({name} {a:g} -> {b:g})"


def _extreme_moves(old: dict, new: dict, old_d: Distribution,
                   new_d: Distribution) -> Iterator[Move]:
    """A fresh sample of n values from the old data stays below x with chance F(x)^n; values
    past the old extreme all land on the new side with chance C(n1, k) / C(n0 + n1, k)."""
    n0, n1 = old_d.total, new_d.total
    for end, sign in (("max", 1), ("min", -1)):
        a, b = old.get(end), new.get(end)
        if not (_is_number(a) and _is_number(b)) or a == b:
            continue
        if (b - a) * sign < 0:  # the extreme moved inwards: is the old mass beyond it gone?
            inside = old_d.at_or_below(b) if sign > 0 else n0 - old_d.below(b)
            lost = 1 - inside / n0
            p = (inside / n0) ** n1
            text = f"{end} {a:g} -> {b:g} ({lost:.1%} of the old values lay beyond it)"
            yield Move(f"numeric.{end}", "distribution_drift", text, z_of_p(p),
                       cohen_h(0.0, lost), a, b)
        else:  # outwards: how many new values lie past the old extreme?
            beyond = new_d.total - new_d.at_or_below(a) if sign > 0 else new_d.below(a)
            p = 1.0
            for i in range(beyond):
                p *= (n1 - i) / (n0 + n1 - i)
            text = f"{end} {a:g} -> {b:g} ({beyond} new values beyond the old {end})"
            yield Move(f"numeric.{end}", "distribution_drift", text, z_of_p(p),
                       cohen_h(0.0, beyond / n1), a, b)


def _category_moves(pair: ColumnPair) -> Iterator[Move]:
    old, new = pair.old.get("categories"), pair.new.get("categories")
    if not old or not new:
        return
    old_total, new_total = sum(old.values()), sum(new.values())
    for value in sorted(set(old) | set(new)):
        move = share_move(f"categories.{value}", "distribution_drift",
                          f'share of "{value}"', old.get(value, 0), old_total,
                          new.get(value, 0), new_total)
        if move:
            yield move


def _repeat_moves(pair: ColumnPair) -> Iterator[Move]:
    """How many sampled distinct values repeat. Where repeats are rare, each sampled value
    repeats with a chance proportional to the rows drawn, so the repeats of both sides split
    as Binomial(d0 + d1, w), w = k1 n1 / (k0 n0 + k1 n1): rounding or duplicated rows raise
    them beyond that, a larger fresh sample does not. Where most values repeat (categories)
    the proportionality fails and nothing is claimed; fewer repeats are not tested."""
    a, b = pair.old["distinct"].get("sample"), pair.new["distinct"].get("sample")
    n0, n1 = pair.old["count"], pair.new["count"]
    if not a or not b or not a["values"] or not b["values"] or not n0 or not n1:
        return
    d0, d1, k0, k1 = a["repeated"], b["repeated"], a["values"], b["values"]
    if d0 > 0.25 * k0 or not d1 or d1 * k0 <= d0 * k1:
        return
    w = k1 * n1 / (k0 * n0 + k1 * n1)
    # One-sided: a larger sample saturates (values that repeat cannot repeat more often), so
    # the model over-predicts the new side's repeats; only an excess is evidence.
    p = binomial_tail(d1, d0 + d1, w)
    yield Move("distinct.sample.repeated", "distribution_drift",
               f"share of sampled distinct values that repeat {d0 / k0:.1%} -> {d1 / k1:.1%} "
               "(values rounded, or rows duplicated?)", z_of_p(p),
               cohen_h(d0 / k0, d1 / k1), round(d0 / k0, 6), round(d1 / k1, 6))


def _string_moves(pair: ColumnPair) -> Iterator[Move]:
    old, new = pair.old.get("string"), pair.new.get("string")
    if not old or not new:
        return
    old_n, new_n = pair.old["count"], pair.new["count"]
    for case in sorted(set(old.get("case", {})) | set(new.get("case", {}))):
        move = share_move(f"string.case.{case}", "distribution_drift", f"share of {case} case",
                          old.get("case", {}).get(case, 0), old_n,
                          new.get("case", {}).get(case, 0), new_n)
        if move:
            yield move
    a, b = old.get("length", {}), new.get("length", {})
    if all(_is_number(a.get(k)) and _is_number(b.get(k)) for k in ("mean", "min", "max")) and (
            a["mean"] != b["mean"]) and old_n and new_n:
        # No std of lengths is stored: half the range bounds it (Popoviciu), so z is a floor.
        s0, s1 = (a["max"] - a["min"]) / 2, (b["max"] - b["min"]) / 2
        error = math.sqrt(s0 * s0 / old_n + s1 * s1 / new_n)
        delta = abs(b["mean"] - a["mean"])
        yield Move("string.length.mean", "distribution_drift",
                   f"mean length {a['mean']:g} -> {b['mean']:g}",
                   delta / error if error else math.inf, delta / s0 if s0 else math.inf,
                   a["mean"], b["mean"])


def _temporal_moves(pair: ColumnPair) -> Iterator[Move]:
    old, new = pair.old.get("temporal"), pair.new.get("temporal")
    if not isinstance(old, dict) or not isinstance(new, dict):
        return
    for part, label_text in (("histogram", "share of"),):
        a, b = old.get(part), new.get(part)
        if not isinstance(a, dict) or not isinstance(b, dict):
            continue
        a_total, b_total = sum(a.values()), sum(b.values())
        for key in sorted(set(a) | set(b)):
            move = share_move(f"temporal.{part}.{key}", "distribution_drift",
                              f"{label_text} {key}", a.get(key, 0), a_total, b.get(key, 0),
                              b_total)
            if move:
                yield move


def _validation_moves(ctx: DiffContext) -> dict[str, list[Move]]:
    """Rows failing each declared check, as a share of rows."""
    def failures(document) -> dict[tuple, int]:
        validation = document.get("validation") or {}
        return {(f.get("column"), f.get("check")): f.get("count", 0)
                for f in validation.get("failures", []) if isinstance(f, dict)}

    old, new = failures(ctx.old), failures(ctx.new)
    moves: dict[str, list[Move]] = {}
    for column, check in sorted(set(old) | set(new), key=str):
        move = share_move(f"validation.{check}", "distribution_drift",
                          f"rows failing {check}", old.get((column, check), 0), ctx.old_rows,
                          new.get((column, check), 0), ctx.new_rows)
        if move:
            moves.setdefault(column, []).append(move)
    return moves


def _untested_differences(old: Column, new: Column) -> list[str]:
    """Fields that differ but no test above covers: said, never called sampling."""
    differing = []
    if old["distinct"].get("count") != new["distinct"].get("count"):
        differing.append("distinct.count")
    a, b = (old.get("string") or {}).get("length", {}), (new.get("string") or {}).get(
        "length", {})
    differing += [f"string.length.{k}" for k in ("min", "max") if a.get(k) != b.get(k)]
    if old["physical_type"] != new["physical_type"]:
        differing.append("physical_type")
    return differing
