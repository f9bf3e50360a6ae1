"""categories_changed: a category renamed, re-cased, re-spaced, vanished or new."""

from __future__ import annotations

from ...profile.format import SENTINEL_TOKENS, Column
from ..change import BREAKING, WARNING, Change
from ..context import ColumnPair, DiffContext
from ..stats import chance_of_none

_MISSING_SPELLINGS = set(SENTINEL_TOKENS)


def category_domain(column: Column) -> dict[str, int]:
    """Category counts without the spellings of missing: missing rules own those."""
    return {
        value: count for value, count in (column.get("categories") or {}).items()
        if value.strip() and value not in _MISSING_SPELLINGS
    }


def categories_changed(ctx: DiffContext, pair: ColumnPair) -> list[Change]:
    if not pair.same_logical_type or ctx.is_explained(pair.name, "categories_changed"):
        return []
    old_has = pair.old.get("categories") is not None
    new_has = pair.new.get("categories") is not None
    if old_has != new_has:
        return _cardinality_change(pair, old_has)
    if not old_has:
        return []
    old, new = category_domain(pair.old), category_domain(pair.new)
    vanished = sorted(set(old) - set(new))
    appeared = sorted(set(new) - set(old))
    if not vanished and not appeared:
        return []
    recased, respaced, renamed = _pair_up(vanished, appeared, old, new, ctx)
    paired_old = {*recased, *respaced, *renamed}
    if paired_old:  # the shares moved with the names; drift would only repeat this finding
        ctx.explain(pair.name, "distribution_drift")
    paired_new = {*recased.values(), *respaced.values(), *renamed.values()}
    gone = [v for v in vanished if v not in paired_old]
    new_values = [v for v in appeared if v not in paired_new]
    sampling = _plausibly_sampling(ctx, gone, new_values, old, new)
    severity = WARNING if sampling and not paired_old else BREAKING
    evidence = {"recased": recased, "respaced": respaced, "renamed": renamed,
                "vanished": {v: old[v] for v in gone}, "appeared": {v: new[v] for v in new_values},
                "old_categories": len(old), "new_categories": len(new)}
    message = f"{pair.name}: " + "; ".join(_describe(recased, respaced, renamed, gone, new_values,
                                                      old, new))
    if severity == WARNING:
        message += " (rare enough to be sampling)"
    return [Change("categories_changed", pair.name, severity, message,
                   {k: v for k, v in evidence.items() if v or k.endswith("categories")})]


def _pair_up(vanished, appeared, old, new, ctx):
    """Match vanished to appeared values: same letters other case, same text other spacing,
    else the same share of rows (a rename)."""
    recased, respaced, renamed = {}, {}, {}
    free = list(appeared)
    for value in vanished:
        for candidate in free:
            if candidate.lower() == value.lower():
                recased[value] = candidate
                break
            if candidate.strip() == value.strip() or " ".join(candidate.split()) == " ".join(
                    value.split()):
                respaced[value] = candidate
                break
        else:
            continue
        free.remove(recased.get(value) or respaced[value])
    scale = ctx.new_rows / ctx.old_rows if ctx.old_rows else 1.0
    for value in [v for v in vanished if v not in recased and v not in respaced]:
        expected = old[value] * scale
        close = [c for c in free if abs(new[c] - expected) <= max(0.1 * expected, 2)]
        if len(close) == 1:
            renamed[value] = close[0]
            free.remove(close[0])
    return recased, respaced, renamed


def _plausibly_sampling(ctx, gone, new_values, old, new) -> bool:
    """Could a fresh sample of the old data miss these categories or show these new ones?

    The draws are the values each side holds (rows with a category, not missing ones); a side
    with none is no sample at all, so nothing about it is called sampling."""
    old_drawn, new_drawn = sum(old.values()), sum(new.values())
    if not old_drawn or not new_drawn:
        return False
    p = ctx.thresholds.sampling_probability
    return all(chance_of_none(old[v], old_drawn, new_drawn) >= p for v in gone) and all(
        chance_of_none(new[v], new_drawn, old_drawn) >= p for v in new_values)


def _describe(recased, respaced, renamed, gone, new_values, old, new) -> list[str]:
    def quoted(values):
        return ", ".join(f'"{v}"' for v in values)

    parts = []
    if recased:
        parts.append("case changed " + ", ".join(f'"{a}" -> "{b}"' for a, b in recased.items()))
    if respaced:
        parts.append("spacing changed " + ", ".join(f'"{a}" -> "{b}"' for a, b in
                                                     respaced.items()))
    for a, b in renamed.items():
        parts.append(f'category "{a}" renamed to "{b}" ({new[b]} rows)')
    if gone:
        parts.append(f"categor{'y' if len(gone) == 1 else 'ies'} {quoted(gone)} vanished "
                     f"({sum(old[v] for v in gone)} rows before)")
    if new_values:
        parts.append(f"new categor{'y' if len(new_values) == 1 else 'ies'} {quoted(new_values)} "
                     f"({sum(new[v] for v in new_values)} rows)")
    return parts


def _cardinality_change(pair: ColumnPair, had_domain: bool) -> list[Change]:
    old_d, new_d = pair.old["distinct"]["count"], pair.new["distinct"]["count"]
    if had_domain:
        message = (f"{pair.name}: no longer a small category domain ({old_d} -> ~{new_d} "
                   "distinct values)")
    else:
        message = (f"{pair.name}: became a small category domain (~{old_d} -> {new_d} "
                   "distinct values)")
    return [Change("categories_changed", pair.name, WARNING, message,
                   {"old_distinct": old_d, "new_distinct": new_d})]
