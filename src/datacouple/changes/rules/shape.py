"""format_changed: the shape of a high-cardinality string column changed (ids, codes, free text,
dates kept as text), read from `string.shape` without any value.

Told as what it is, each with the share of values it touches:
- values padded with whitespace, or trimmed (leading / trailing whitespace counts);
- values truncated (the longest length fell, and the old mass beyond it piles up at the cut);
- case changed (the case profile: lower, upper, title, other);
- format changed (the skeletons: `X-X-X` -> `X/X/X`, an id that gained a prefix `X` -> `X-X`),
  or, where the skeleton held, the pattern changed (`9999-99-99` -> `99-99-9999`,
  `A99999` -> `A9999`).
Each cause is measured on what the others leave alone: patterns are compared with their ends
stripped (padding) and their case folded (case), and a truncation explains the patterns it cut.
Spellings of missing ("", whitespace-only, "NA", ...) are set aside: the missing rules own them.

Breaking when a cause touches at least `format_breaking_share` of the values, or replaces the
dominant pattern; a warning below that, from `format_warning_share` up and beyond sampling
noise (|z| >= min_z on every share that counts). A fresh sample of the same kind of ids moves
no share that far.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...profile.format import Column, format_of, length_bucket, length_bucket_lower, pattern_key
from ..change import BREAKING, WARNING, Change
from ..context import ColumnPair, DiffContext
from ..stats import z_score


@dataclass
class Levels:
    """One side's pattern counts, missing spellings set aside, keys normalised."""

    counts: dict[str, int]
    other: int  # values under patterns the fingerprint does not list
    total: int

    def share(self, key: str) -> float:
        return self.counts.get(key, 0) / self.total

    def upper(self, key: str) -> int:
        """The most values this side can hold under `key`: an unlisted pattern may hide in
        `other` (all of it, when normalising merged several)."""
        return self.counts.get(key, self.other)


@dataclass
class Cause:
    text: str
    share: float  # of the values it touches
    dominant: bool = False  # replaced the dominant pattern
    tag: str = ""


def shape_of(column: Column) -> dict | None:
    return (column.get("string") or {}).get("shape")


def format_changed(ctx: DiffContext, pair: ColumnPair) -> list[Change]:
    if not pair.same_logical_type or pair.old["logical_type"] != "string":
        return []
    old, new = shape_of(pair.old), shape_of(pair.new)
    if old is None or new is None:  # a small domain (categories_changed tells) or no evidence
        return []
    old_n, new_n = _filled(pair.old), _filled(pair.new)
    if old_n <= 0 or new_n <= 0:
        return []
    t = ctx.thresholds
    evidence: dict = {}
    causes = _padding(t, old, new, old_n, new_n, evidence)
    truncation = _truncation(t, pair, old, new, old_n, new_n, evidence)
    if truncation:  # a cut mid-text leaves some values ending in a blank: part of the cut
        causes = [c for c in causes if c.tag != "padded trailing"]
        evidence.pop("trailing_whitespace", None)
    causes += truncation
    causes += _case(t, pair, old_n, new_n, evidence)
    if not truncation:
        causes += _format(t, pair, old, new, evidence)
    if not causes:
        return []
    ctx.explain(pair.name, "distribution_drift")
    breaking = any(c.share >= t.format_breaking_share or c.dominant for c in causes)
    return [Change(
        "format_changed", pair.name, BREAKING if breaking else WARNING,
        f"{pair.name}: " + "; ".join(c.text for c in causes),
        {**evidence, "shares": [round(c.share, 4) for c in causes]},
    )]


def _filled(column: Column) -> int:
    """Non-null values that are not a spelling of missing."""
    missing = column["missing"]
    spelled = missing.get("empty", 0) + missing.get("whitespace", 0) + sum(
        missing.get("sentinels", {}).values())
    return column["count"] - spelled


def _significant(t, old_count: float, old_n: int, new_count: float, new_n: int) -> bool:
    moved = abs(new_count / new_n - old_count / old_n)
    return moved >= t.format_warning_share and abs(
        z_score(round(old_count), old_n, round(new_count), new_n)) >= t.min_z


# -- padding and trimming ---------------------------------------------------------------------


def _padding(t, old: dict, new: dict, old_n: int, new_n: int, evidence: dict) -> list[Cause]:
    causes = []
    for side in ("leading", "trailing"):
        key = f"{side}_whitespace"
        if key not in old or key not in new:
            continue
        before, after = old[key], new[key]
        if not _significant(t, before, old_n, after, new_n):
            continue
        evidence[key] = {"old": before, "new": after}
        verb = "padded" if after / new_n > before / old_n else "trimmed"
        causes.append(Cause(
            f"{verb}: {side} whitespace on {before / old_n:.0%} -> {after / new_n:.0%} of values",
            abs(after / new_n - before / old_n), tag=f"{verb} {side}"))
    return causes


# -- truncation -------------------------------------------------------------------------------


def _truncation(t, pair: ColumnPair, old: dict, new: dict, old_n: int, new_n: int,
                evidence: dict) -> list[Cause]:
    old_max = pair.old["string"]["length"].get("max")
    cut = pair.new["string"]["length"].get("max")
    if "lengths" not in old or "lengths" not in new or old_max is None or cut is None:
        return []
    if cut >= old_max:
        return []
    beyond = sum(count for key, count in old["lengths"] if length_bucket_lower(key) > cut)
    if not _significant(t, beyond, old_n, 0, new_n):
        return []
    # Cut values pile up at the new maximum: it holds at least half of what lay at or beyond.
    at_cut = sum(count for key, count in new["lengths"] if key == length_bucket(cut))
    at_or_beyond = sum(count for key, count in old["lengths"] if key >= length_bucket(cut))
    if at_cut / new_n < 0.5 * at_or_beyond / old_n:
        return []
    evidence["lengths"] = {"old_max": old_max, "new_max": cut, "old_longer": beyond}
    return [Cause(f"truncated to {cut} characters ({beyond / old_n:.0%} of values were longer, "
                  f"up to {old_max})", beyond / old_n)]


# -- case -------------------------------------------------------------------------------------


def _case_of(text: str) -> str:
    """The case class the profile gives a value ("A" is upper, not title)."""
    if text.isupper():
        return "upper"
    if text.islower():
        return "lower"
    return "title" if text.istitle() else "other"


def _cases(column: Column) -> dict[str, int] | None:
    """The case profile without the spellings of missing (blank values count as "other",
    a token such as "NA" as its own case)."""
    case = column["string"].get("case")
    if not case:
        return None
    case = dict(case)
    missing = column["missing"]
    case["other"] = case.get("other", 0) - missing.get("empty", 0) - missing.get("whitespace", 0)
    for token, count in missing.get("sentinels", {}).items():
        case[_case_of(token)] = case.get(_case_of(token), 0) - count
    return {key: max(0, count) for key, count in case.items()}


def _case(t, pair: ColumnPair, old_n: int, new_n: int, evidence: dict) -> list[Cause]:
    old, new = _cases(pair.old), _cases(pair.new)
    if not old or not new:
        return []
    old_total, new_total = sum(old.values()), sum(new.values())
    if not old_total or not new_total:
        return []
    moves = {key: new.get(key, 0) / new_total - old.get(key, 0) / old_total for key in old}
    lost = min(moves, key=moves.get)
    gained = max(moves, key=moves.get)
    if not (_significant(t, old.get(lost, 0), old_total, new.get(lost, 0), new_total)
            and _significant(t, old.get(gained, 0), old_total, new.get(gained, 0), new_total)):
        return []
    evidence["case"] = {"old": old, "new": new}
    return [Cause(f"case changed: {lost} {old[lost] / old_total:.0%} -> "
                  f"{new[lost] / new_total:.0%}, {gained} {old[gained] / old_total:.0%} -> "
                  f"{new[gained] / new_total:.0%}", moves[gained])]


# -- format and pattern -----------------------------------------------------------------------


def _format(t, pair: ColumnPair, old: dict, new: dict, evidence: dict) -> list[Cause]:
    for level, name in (("formats", "format"), ("patterns", "pattern")):
        if not old.get(level) or not new.get(level):
            continue
        fold = level == "patterns"
        before = _levels(pair.old, old[level], level, fold)
        after = _levels(pair.new, new[level], level, fold)
        if not before.total or not after.total:
            continue
        cause = _moved(t, name, before, after)
        if cause is not None:
            evidence[level] = {"old": dict(old[level]["top"]), "new": dict(new[level]["top"])}
            return [cause]
    return []


def _levels(column: Column, counted: dict, level: str, fold_case: bool) -> Levels:
    """Shares per pattern without the spellings of missing, with ends stripped (padding is
    told apart) and, for patterns, case folded (case is told apart)."""
    key_of = format_of if level == "formats" else pattern_key
    counts = dict(counted["top"])  # [pattern, count] pairs
    other = counted["other"]
    missing = column["missing"]
    spelled = {"": missing.get("empty", 0)}
    for token, count in missing.get("sentinels", {}).items():
        spelled[key_of(token)] = spelled.get(key_of(token), 0) + count
    for key, count in spelled.items():
        if key in counts:
            counts[key] = max(0, counts[key] - count)
        else:
            other = max(0, other - count)
    blank = missing.get("whitespace", 0) - sum(c for k, c in counts.items() if k and not k.strip())
    other = max(0, other - max(0, blank))
    merged: dict[str, int] = {}
    for key, count in counts.items():
        if not key.strip():
            continue
        normal = key.strip(" ")
        if fold_case:
            normal = normal.replace("A", "a")
        merged[normal] = merged.get(normal, 0) + count
    merged = {k: v for k, v in merged.items() if v}
    return Levels(merged, other, sum(merged.values()) + other)


def _moved(t, name: str, before: Levels, after: Levels) -> Cause | None:
    """The share of values whose pattern provably changed: patterns that lost mass beyond
    noise (the other side may hide a pattern in its `other` count: the bound is used)."""
    vanished = _lost(t, before, after)
    appeared = _lost(t, after, before)
    moved = max(sum(vanished.values()), sum(appeared.values()))
    if not vanished or not appeared or moved < t.format_warning_share:
        return None
    top_old = max(before.counts, key=before.counts.get)
    dominant = (before.share(top_old) >= 0.5 and top_old in vanished
                and vanished[top_old] >= 0.5 * before.share(top_old))

    def listed(side: Levels, keys: dict) -> str:
        ranked = sorted(keys, key=lambda k: (-side.counts[k], k))[:3]
        return ", ".join(f'"{k}" ({side.share(k):.0%})' for k in ranked)

    return Cause(f"{name} changed: {listed(before, vanished)} -> {listed(after, appeared)}",
                 moved, dominant)


def _lost(t, side: Levels, other: Levels) -> dict[str, float]:
    """Patterns whose share on `side` exceeds the most `other` can hold, beyond noise."""
    lost = {}
    for key, count in side.counts.items():
        bound = other.upper(key)
        gap = count / side.total - bound / other.total
        if gap > 0 and _significant(t, count, side.total, bound, other.total):
            lost[key] = gap
    return lost
