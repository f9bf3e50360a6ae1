"""clock_shifted and the other changes of a timestamp's clock, read from `temporal.hours`,
`temporal.weekdays` and `temporal.granularity`.

A clock shifted by hours (a time zone dropped, or applied twice) keeps the calendar and moves
the daily rhythm: the hour-of-day histogram turns by k hours. We compare the old histogram with
the new one turned back by every k: when no turn is needed the profiles agree (a new month of
data: no change); when one turn makes them agree and none is worse than noise without it, the
clock moved by k hours (breaking). Dates move the same way by whole days, on the day-of-week
histogram (a midnight timestamp converted to an earlier zone, then cut to its date). A profile
that changed in another way is drift (warning). Timestamps that lost their time of day (all
whole days now) or their seconds are `precision_changed` (warning).

Agreement is a population stability index below `psi_warning` plus twice the PSI two samples
of these sizes show by chance: uniform profiles (every hour alike) never claim a shift. Both
sides must span a week (hours) or four weeks (days of the week): a snapshot date or the time of
one processing run moves with every run and claims nothing. A shift
is claimed when at least half of the values line up with the old profile only after one turn.
"""

from __future__ import annotations

import datetime as dt

from ...profile.format import Column
from ..change import BREAKING, WARNING, Change
from ..context import ColumnPair, DiffContext
from ..stats import psi, psi_noise, z_score

_TEMPORAL = ("datetime", "date")
# The time a side must span before its hour-of-day (a week) or day-of-week (four weeks)
# profile is a rhythm rather than the few moments it happens to hold.
_RHYTHM_DAYS = {"hour": 7, "day": 28}
_FEW_VALUES = 10  # fewer distinct times say nothing of how finely times are written
_UNITS = ("day", "hour", "minute", "second")  # whole multiples, coarsest first
_PLURAL = {"day": "days", "hour": "hours", "minute": "minutes", "second": "seconds"}


def clock_shifted(ctx: DiffContext, pair: ColumnPair) -> list[Change]:
    if not pair.same_logical_type or pair.old["logical_type"] not in _TEMPORAL:
        return []
    old, new = _temporal(pair.old), _temporal(pair.new)
    changes = []
    if min(pair.old["distinct"]["count"], pair.new["distinct"]["count"]) >= _FEW_VALUES:
        changes += _coarser(ctx, pair, old.get("granularity"), new.get("granularity"))
    span = min(_span_days(old), _span_days(new))
    # A profile shows a rhythm only over enough time: a snapshot date, or a processing time
    # from one run, moves to other hours or days with every new run, and means nothing.
    if span >= _RHYTHM_DAYS["hour"] and not any(
            c.evidence.get("unit") == "day" for c in changes):  # else no time of day left
        changes += _turned(ctx, pair, old.get("hours"), new.get("hours"), 24, "hour")
    if span >= _RHYTHM_DAYS["day"] and not any(
            c.kind in ("clock_shifted", "distribution_drift") for c in changes):
        # (a shift by hours also moves some rows to the next day: told above)
        changes += _turned(ctx, pair, old.get("weekdays"), new.get("weekdays"), 7, "day")
    if any(c.kind == "clock_shifted" for c in changes):
        # The span moved with the clock: one finding, not a "time span" note as well.
        ctx.explain(pair.name, "range_changed")
    return changes


def _temporal(column: Column) -> dict:
    return column.get("temporal") or {}


def _span_days(temporal: dict) -> float:
    """Days between the first and the last value (0 when unknown, as for pii columns)."""
    try:
        first = dt.datetime.fromisoformat(temporal["min"])
        last = dt.datetime.fromisoformat(temporal["max"])
    except (KeyError, TypeError, ValueError):
        return 0.0
    return (last - first).total_seconds() / 86_400


def _overlap(old: list[float], new: list[float], turn: int) -> float:
    """Shared mass of the new profile and the old one turned by `turn` bins."""
    period = len(old)
    return sum(min(old[(i - turn) % period], new[i]) for i in range(period))


def _turned(ctx: DiffContext, pair: ColumnPair, old: list | None, new: list | None,
            period: int, unit: str) -> list[Change]:
    """Compare two cyclic profiles (24 hours, 7 days): equal up to noise, turned by k bins
    (equal after the turn, or at least half the values line up only after it: a neighbouring
    turn may hold the rest, as daylight saving time splits a shift into k and k + 1 hours), or
    changed."""
    if not old or not new or len(old) != period or len(new) != period:
        return []
    old_n, new_n = sum(old), sum(new)
    if not old_n or not new_n:
        return []
    old_shares = [count / old_n for count in old]
    new_shares = [count / new_n for count in new]
    occupied = sum(1 for a, b in zip(old, new, strict=True) if a or b)
    threshold = ctx.thresholds.psi_warning + 2 * psi_noise(max(occupied, 2), old_n, new_n)
    unshifted = psi(old_shares, new_shares)
    if unshifted < threshold:
        return []
    overlaps = {k: _overlap(old_shares, new_shares, k) for k in range(period)}
    best = max(range(1, period), key=lambda k: (overlaps[k], -min(k, period - k)))
    turned = psi(old_shares[-best:] + old_shares[:-best], new_shares)
    name = "hour of day" if unit == "hour" else "day of week"
    evidence = {"old": old, "new": new, "psi": round(unshifted, 4),
                "threshold": round(threshold, 4), "aligned_unshifted": round(overlaps[0], 4)}
    # Shifted: the turned profile agrees (business days turned by one overlap in four days of
    # five already), or half of the values line up only after the turn (daylight saving).
    agrees = turned < threshold and turned < unshifted / 4
    if not agrees and overlaps[best] - overlaps[0] < 0.5:
        return [Change(
            "distribution_drift", pair.name, WARNING,
            f"{pair.name}: {name} profile changed (PSI {unshifted:.2f}, threshold "
            f"{threshold:.2f}), not by a shift of the clock", {**evidence, "profile": name},
        )]
    shift = _signed(best, period)
    text = _amount(shift, unit)
    neighbours = [k for k in ((best - 1) % period, (best + 1) % period)
                  if k and overlaps[best] < 0.9 and overlaps[k] - overlaps[0] >= 0.1]
    if neighbours:
        other = _signed(neighbours[0], period)
        text += f" (and {other:+d} for {overlaps[neighbours[0]]:.0%} of values: daylight saving?)"
    guess = (" (a time zone dropped or applied twice?)" if unit == "hour" else
             " (a time zone conversion before the date was taken?)")
    return [Change(
        "clock_shifted", pair.name, BREAKING,
        f"{pair.name}: clock shifted by {text}: the old {name} profile, turned, matches "
        f"{overlaps[best]:.0%} of the new values ({overlaps[0]:.0%} unturned)" + guess,
        {**evidence, f"shift_{unit}s": shift, "aligned_shifted": round(overlaps[best], 4)},
    )]


def _signed(turn: int, period: int) -> int:
    return turn if turn <= period // 2 else turn - period


def _amount(shift: int, unit: str) -> str:
    return f"{shift:+d} {unit}{'' if abs(shift) == 1 else 's'}"


def _coarser(ctx: DiffContext, pair: ColumnPair, old: dict | None,
             new: dict | None) -> list[Change]:
    """Times that became whole days (or hours, minutes, seconds): most were not before."""
    if not old or not new:
        return []
    old_n, new_n = sum(old.values()), sum(new.values())
    if not old_n or not new_n:
        return []
    whole_old = whole_new = 0
    for unit in _UNITS:
        whole_old += old.get(unit, 0)
        whole_new += new.get(unit, 0)
        if whole_old / old_n < 0.5 and whole_new / new_n >= 0.99 and abs(
                z_score(whole_old, old_n, whole_new, new_n)) >= ctx.thresholds.min_z:
            return [Change(
                "precision_changed", pair.name, WARNING,
                f"{pair.name}: times now rounded to whole {_PLURAL[unit]} (whole "
                f"{_PLURAL[unit]} {whole_old / old_n:.0%} -> {whole_new / new_n:.0%})",
                {"unit": unit, "old_granularity": old, "new_granularity": new},
            )]
    return []
