"""scale_changed, range_changed and distribution_drift for numbers (and category shares)."""

from __future__ import annotations

import math
from statistics import median

from ...profile.format import Column, Numeric, bucket_value, decode_buckets
from ..change import BREAKING, INFO, WARNING, Change
from ..context import ColumnPair, DiffContext
from ..stats import poisson_tail, psi, psi_noise
from .categories import category_domain

_SCALE_QUANTILES = ("0.05", "0.25", "0.5", "0.75", "0.95")
# Conversions people actually make, to name a factor: (factor, description of old -> new).
_KNOWN_FACTORS = (
    (1000.0, "x1000: kilo -> unit (e.g. kilograms -> grams, seconds -> milliseconds)"),
    (0.001, "/1000: unit -> kilo (e.g. grams -> kilograms, milliseconds -> seconds)"),
    (100.0, "x100: fraction -> percent (or metres -> centimetres)"),
    (0.01, "/100: percent -> fraction (or centimetres -> metres)"),
    (0.45359237, "pounds -> kilograms"),
    (2.20462262, "kilograms -> pounds"),
    (2.54, "inches -> centimetres"),
    (1 / 2.54, "centimetres -> inches"),
    (1.609344, "miles -> kilometres"),
    (1 / 1.609344, "kilometres -> miles"),
    (0.3048, "feet -> metres"),
    (1 / 0.3048, "metres -> feet"),
    (60.0, "minutes -> seconds (or hours -> minutes)"),
    (1 / 60.0, "seconds -> minutes (or minutes -> hours)"),
    (3600.0, "hours -> seconds"),
    (1 / 3600.0, "seconds -> hours"),
    (1e6, "x1,000,000 (e.g. millions -> units)"),
    (1e-6, "/1,000,000 (e.g. units -> millions)"),
    (10.0, "x10"),
    (0.1, "/10"),
)


def _numeric(column: Column) -> Numeric | None:
    numeric = column.get("numeric")
    return numeric if numeric and "quantiles" in numeric else None


def _both_numeric(pair: ColumnPair) -> tuple[dict, dict] | None:
    old, new = _numeric(pair.old), _numeric(pair.new)
    if old is None or new is None or not old["finite"] or not new["finite"]:
        return None
    return old, new


def scale_changed(ctx: DiffContext, pair: ColumnPair) -> list[Change]:
    both = _both_numeric(pair)
    if both is None:
        return []
    old, new = both
    ratios = {}
    for q in _SCALE_QUANTILES:
        a, b = old["quantiles"].get(q), new["quantiles"].get(q)
        if isinstance(a, int | float) and isinstance(b, int | float) and a * b > 0:
            ratios[q] = b / a
    if isinstance(old["mean"], int | float) and isinstance(new["mean"], int | float) and (
            old["mean"] * new["mean"] > 0):
        ratios["mean"] = new["mean"] / old["mean"]
    if len(ratios) < 3:
        return []
    factor = median(ratios.values())
    t = ctx.thresholds
    spread = max(abs(r / factor - 1) for r in ratios.values())
    if spread > t.scale_agreement or abs(math.log(factor)) < math.log(t.scale_min_factor):
        return []
    if not _extremes_follow(old, new, factor, t.scale_agreement):
        return []  # ids 1..400 -> 1..600: new rows, not a new unit
    ctx.explain(pair.name, "range_changed", "distribution_drift")
    name = _name_factor(factor)
    return [Change(
        "scale_changed", pair.name, BREAKING,
        f"{pair.name}: every quantile scaled by {factor:.4g}" + (f" ({name})" if name else ""),
        {"factor": float(f"{factor:.6g}"), "unit_guess": name,
         "ratios": {k: float(f"{v:.6g}") for k, v in ratios.items()}},
    )]


def _extremes_follow(old: dict, new: dict, factor: float, agreement: float) -> bool:
    """A unit change moves the extremes by the factor too; where an extreme held still (an
    id's minimum of 1, with new ids appended) the quantiles moved for another reason. Extremes
    that are zero, of mixed sign or absent (pii) say nothing either way."""
    for end in ("min", "max"):
        a, b = old.get(end), new.get(end)
        if isinstance(a, int | float) and isinstance(b, int | float) and a * b > 0 and (
                abs(b / a / factor - 1) > max(agreement, 0.25)) and abs(b / a - 1) < 0.01:
            return False
    return True


def _name_factor(factor: float) -> str | None:
    best = min(_KNOWN_FACTORS, key=lambda known: abs(math.log(factor / known[0])))
    return best[1] if abs(math.log(factor / best[0])) < 0.03 else None


def range_changed(ctx: DiffContext, pair: ColumnPair) -> list[Change]:
    if ctx.is_explained(pair.name, "range_changed"):
        return []
    if pair.old["logical_type"] in ("datetime", "date") and pair.same_logical_type:
        return _temporal_range(pair)
    both = _both_numeric(pair)
    if both is None:
        return []
    old, new = both
    low, high = old["min"], old["max"]
    if not all(isinstance(v, int | float) for v in (low, high, new["min"], new["max"])):
        return []
    width = (high - low) or abs(high) or 1.0
    margin = ctx.thresholds.range_tolerance * width
    if new["min"] >= low - margin and new["max"] <= high + margin:
        return []
    # One new extreme is what any fresh sample of a heavy-tailed column brings (a sample of n
    # exceeds the max of another sample of m about n/(m+1) times); several is a change.
    outside = _count_outside(new, low - margin, high + margin)
    expected = new["finite"] / (old["finite"] + 1)  # per side
    several = outside is None or any(poisson_tail(k, expected) < 0.05 for k in outside)
    if not several and not _far_beyond_the_tails(old, new):
        return []
    beyond = None if outside is None else sum(outside)
    return [Change(
        "range_changed", pair.name, WARNING,
        f"{pair.name}: values outside the old range [{low:g}, {high:g}]: now "
        f"[{new['min']:g}, {new['max']:g}]"
        + (f" ({beyond} values beyond it)" if beyond is not None else ""),
        {"old_min": low, "old_max": high, "new_min": new["min"], "new_max": new["max"],
         "values_outside": beyond},
    )]


def _far_beyond_the_tails(old: dict, new: dict) -> bool:
    """A single new value is a change when it lies farther past the old extreme than three
    times the old tail's own length (extreme minus the 5% / 95% quantile): heavy tails have
    long tails and tolerate far extremes, light tails do not."""
    q05, q95 = old["quantiles"].get("0.05"), old["quantiles"].get("0.95")
    if not isinstance(q05, int | float) or not isinstance(q95, int | float):
        return False
    upper_tail, lower_tail = old["max"] - q95, q05 - old["min"]
    return (new["max"] > old["max"] + 3 * upper_tail and upper_tail >= 0) or (
        new["min"] < old["min"] - 3 * lower_tail and lower_tail >= 0)


def _count_outside(numeric: dict, low: float, high: float) -> tuple[int, int] | None:
    """Values (below `low`, above `high`), from the sketch (to its 1% bucket accuracy)."""
    if "sketch" not in numeric:
        return None
    below = above = 0
    for sign, key, count in _sketch_buckets(numeric):
        value = 0.0 if sign == 0 else sign * bucket_value(abs(key))
        below += count if value < low else 0
        above += count if value > high else 0
    return below, above


def _temporal_range(pair: ColumnPair) -> list[Change]:
    old, new = pair.old.get("temporal", {}), pair.new.get("temporal", {})
    if not old.get("min") or not new.get("min"):
        return []
    if new["min"] >= old["min"] and new["max"] <= old["max"]:
        return []
    # New data usually carries new dates: worth recording, not worth a warning.
    return [Change("range_changed", pair.name, INFO,
                   f"{pair.name}: time span {old['min']} .. {old['max']} -> "
                   f"{new['min']} .. {new['max']}",
                   {"old_min": old["min"], "old_max": old["max"], "new_min": new["min"],
                    "new_max": new["max"]})]


def distribution_drift(ctx: DiffContext, pair: ColumnPair) -> list[Change]:
    if ctx.is_explained(pair.name, "distribution_drift") or not pair.same_logical_type:
        return []
    bins = _numeric_bins(pair) or _category_bins(pair)
    if bins is None:
        return []
    old_shares, new_shares, old_n, new_n = bins
    value = psi(old_shares, new_shares)
    noise = psi_noise(len(old_shares), old_n, new_n)
    threshold = ctx.thresholds.psi_warning + 2 * noise
    if value < threshold:
        return []
    return [Change(
        "distribution_drift", pair.name, WARNING,
        f"{pair.name}: distribution drifted (PSI {value:.2f}, threshold {threshold:.2f})",
        {"psi": round(value, 4), "threshold": round(threshold, 4), "bins": len(old_shares),
         "old_shares": [round(s, 4) for s in old_shares],
         "new_shares": [round(s, 4) for s in new_shares]},
    )]


def _sketch_buckets(numeric: dict) -> list[tuple[int, int, int]]:
    """(sign, key, count) in ascending value order; sign -1, 0 (zeros) or 1."""
    sketch = numeric["sketch"]
    buckets = [(-1, -k, c) for k, c in decode_buckets(sketch["negative"])]
    buckets.sort(key=lambda b: b[1])  # most negative first
    if sketch["zeros"]:
        buckets.append((0, 0, sketch["zeros"]))
    buckets += [(1, k, c) for k, c in decode_buckets(sketch["positive"])]
    return buckets


def _numeric_bins(pair: ColumnPair, target_bins: int = 10):
    """Bins of ~equal old mass over the sketch's buckets; both sides share bucket keys."""
    both = _both_numeric(pair)
    if both is None or "sketch" not in both[0] or "sketch" not in both[1]:
        return None
    old_buckets, new_buckets = _sketch_buckets(both[0]), _sketch_buckets(both[1])
    old_total = sum(c for *_, c in old_buckets)
    new_total = sum(c for *_, c in new_buckets)
    if not old_total or not new_total:
        return None
    edges, running = [], 0  # upper bound (sign, key) of each bin, by old mass
    for sign, key, count in old_buckets:
        running += count
        if running >= old_total * (len(edges) + 1) / target_bins:
            edges.append((sign, key))
    if not edges or edges[-1] != (old_buckets[-1][0], old_buckets[-1][1]):
        edges.append((old_buckets[-1][0], old_buckets[-1][1]))

    def shares(buckets, total):
        mass = [0] * len(edges)
        for sign, key, count in buckets:
            index = next((i for i, edge in enumerate(edges) if (sign, key) <= edge),
                         len(edges) - 1)
            mass[index] += count
        return [m / total for m in mass]

    return shares(old_buckets, old_total), shares(new_buckets, new_total), old_total, new_total


def _category_bins(pair: ColumnPair):
    # Shares of real categories only: moves between spellings of missing are not drift.
    old, new = category_domain(pair.old), category_domain(pair.new)
    if not old or not new:
        return None
    values = sorted(set(old) | set(new))
    old_total, new_total = sum(old.values()), sum(new.values())
    if not old_total or not new_total or len(values) < 2:
        return None
    return ([old.get(v, 0) / old_total for v in values],
            [new.get(v, 0) / new_total for v in values], old_total, new_total)
