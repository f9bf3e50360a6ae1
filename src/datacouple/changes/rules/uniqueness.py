"""uniqueness_lost: a column whose values were all distinct (an id) now repeats values, as after
a join that fans out or a batch loaded twice.

The evidence is `distinct.sample`: how many of the sampled distinct values occur on more than
one row. Exact where the fingerprint counted the domain exactly or the column has fewer than
DISTINCT_SAMPLE_SIZE distinct values (the sample is the whole domain); beyond that a uniform
sample of the domain (the values with the smallest hashes). Both sides are compared on that
one measure, repeated values, so an exact side and a sampled side stay comparable.

Chance repeats are not a change: a fresh, larger sample of a measurement that happened to be
all distinct (a price with cents) brings ties. Under one distribution each sampled value repeats
with a probability proportional to the rows drawn, so the repeats seen on both sides split as
Binomial(total, w), w = k1 n1 / (k0 n0 + k1 n1) (k sampled values, n rows); the old side saw
none, so the chance that all `d` fell on the new side is w ** d. Ids fanned out by a join repeat
far more often than that allows; a fresh sample of ids, a shuffle, or new rows with new ids do
not repeat at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...profile.format import DISTINCT_SAMPLE_SIZE, Column
from ..change import WARNING, Change
from ..context import ColumnPair, DiffContext
from ..stats import two_sided_p


@dataclass(frozen=True)
class Repeats:
    sampled: int  # distinct values in the sample (all of them when `whole`)
    repeated: int  # how many of those occur on more than one row
    rows: int  # the column's non-missing values
    whole: bool  # the sample is the whole domain: counts below are exact


def _repeats(column: Column) -> Repeats | None:
    distinct, rows = column["distinct"], column["count"]
    sample = distinct.get("sample")
    if not rows or not sample or not sample["values"]:
        return None  # an older fingerprint, or a type the sample does not cover: no claim
    whole = distinct.get("exact", False) or sample["values"] < DISTINCT_SAMPLE_SIZE
    return Repeats(sample["values"], sample["repeated"], rows, whole)


def _surely_repeats(column: Column) -> bool:
    """Exact counts elsewhere in the profile that prove a repeat the sample may have missed
    (one heavy value such as 0 is rarely among the sampled distinct values)."""
    numeric = column.get("numeric") or {}
    missing = column["missing"]
    counts = [numeric.get("zeros", 0), numeric.get("at_min", 0), numeric.get("at_max", 0),
              missing.get("empty", 0), missing.get("whitespace", 0),
              *numeric.get("sentinels", {}).values(), *missing.get("sentinels", {}).values()]
    mode = numeric.get("mode") or {}
    if mode.get("exact"):
        counts.append(mode["count"])
    return any(count > 1 for count in counts)


def uniqueness_lost(ctx: DiffContext, pair: ColumnPair) -> list[Change]:
    if not pair.same_logical_type:
        return []
    old, new = _repeats(pair.old), _repeats(pair.new)
    if old is None or new is None or old.repeated or not new.repeated or old.rows < 2:
        return []  # it repeated before, or it does not now
    if _surely_repeats(pair.old):
        return []
    w = new.sampled * new.rows / (old.sampled * old.rows + new.sampled * new.rows)
    chance = w ** new.repeated
    if chance >= two_sided_p(ctx.thresholds.min_z):
        return []
    evidence = {"old_rows": old.rows, "new_rows": new.rows, "old_sampled": old.sampled,
                "new_sampled": new.sampled, "new_repeated": new.repeated, "exact": new.whole,
                "chance": float(f"{chance:.3g}")}
    if new.whole:
        extra = new.rows - new.sampled
        evidence["repeating_rows"] = extra
        message = (f"{pair.name}: every value was distinct ({old.rows} rows); now "
                   f"{new.repeated} values occur more than once ({new.rows} rows, "
                   f"{new.sampled} distinct, {extra} rows repeat a value): a join that fans "
                   "out, or rows loaded twice?")
    else:
        estimate = round(new.repeated / new.sampled * pair.new["distinct"]["count"])
        evidence["repeated_estimate"] = estimate
        message = (f"{pair.name}: every sampled value was distinct ({old.sampled} of "
                   f"~{pair.old['distinct']['count']} distinct values sampled); now "
                   f"{new.repeated} of {new.sampled} sampled values occur more than once "
                   f"(~{estimate} values repeat): a join that fans out, or rows loaded twice?")
    return [Change("uniqueness_lost", pair.name, WARNING, message, evidence)]
