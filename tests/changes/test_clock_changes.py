"""clock_shifted and the other clock changes, on timestamps built from real rows (ISLP's NYSE
trading days closing at 16:00, Bikeshare's hourly rows); and the new periods of data, fresh
samples and uniform clocks that must stay quiet."""

from __future__ import annotations

import copy

import pandas as pd
import pytest

import datacouple

from public_data import islp_frame


def diff(old, new) -> list:
    return datacouple.diff(datacouple.fingerprint(old, name="t"),
                           datacouple.fingerprint(new, name="t"))


def kinds(changes) -> list[tuple[str, str | None, str]]:
    return [(c.kind, c.column, c.severity) for c in changes]


@pytest.fixture(scope="module")
def closes() -> pd.DataFrame:
    """NYSE's trading days with their 16:00 close (naive New York time) and the day's return."""
    nyse = islp_frame("NYSE")
    days = pd.to_datetime(nyse["date"])
    return pd.DataFrame({"close": days + pd.Timedelta(hours=16), "day": days.dt.date,
                         "DJ_return": nyse["DJ_return"]})


@pytest.fixture(scope="module")
def rides() -> pd.DataFrame:
    """Bikeshare's hourly rows of 2011 as timestamps, with the riders of each hour."""
    bike = islp_frame("Bikeshare")
    at = (pd.Timestamp("2011-01-01") + pd.to_timedelta(bike["day"] - 1, unit="D")
          + pd.to_timedelta(bike["hr"].astype(int), unit="h"))
    return pd.DataFrame({"at": at, "bikers": bike["bikers"]})


def test_a_clock_moved_by_five_hours_is_breaking(closes):
    shifted = closes.assign(close=closes["close"] + pd.Timedelta(hours=5))
    changes = diff(closes, shifted)
    assert kinds(changes) == [("clock_shifted", "close", "breaking")]  # no "time span" note
    assert changes[0].evidence["shift_hours"] == 5
    assert "clock shifted by +5 hours" in changes[0].message


def test_a_time_zone_applied_with_daylight_saving_is_a_shift_of_four_or_five_hours(closes):
    as_utc = closes["close"].dt.tz_localize("America/New_York").dt.tz_convert("UTC")
    changes = diff(closes, closes.assign(close=as_utc.dt.tz_localize(None)))
    assert kinds(changes) == [("clock_shifted", "close", "breaking")]
    assert changes[0].evidence["shift_hours"] in (4, 5)
    assert "daylight saving" in changes[0].message


def test_busy_hours_shifted_back_by_a_dropped_zone(rides):
    busy = rides[rides["bikers"] > rides["bikers"].quantile(0.75)]
    changes = diff(busy, busy.assign(at=busy["at"] - pd.Timedelta(hours=6)))
    assert ("clock_shifted", "at", "breaking") in kinds(changes)
    assert changes[0].evidence["shift_hours"] == -6


def test_dates_taken_after_a_zone_conversion_move_a_day(closes):
    earlier = closes.assign(day=(pd.to_datetime(closes["day"]) - pd.Timedelta(hours=5)).dt.date)
    changes = diff(closes, earlier)
    assert kinds(changes) == [("clock_shifted", "day", "breaking")]
    assert changes[0].evidence["shift_days"] == -1


def test_times_cut_to_the_day_lose_precision_not_clock(closes):
    changes = diff(closes, closes.assign(close=closes["close"].dt.floor("D")))
    assert ("precision_changed", "close", "warning") in kinds(changes)
    assert not [c for c in changes if c.kind == "clock_shifted"]


def test_new_periods_of_data_keep_their_clock(closes, rides):
    assert not [c for c in diff(closes.iloc[:3000], closes.iloc[3000:])
                if c.column in ("close", "day") and c.severity != "info"]
    first, second = rides[rides["at"].dt.month <= 6], rides[rides["at"].dt.month > 6]
    assert not [c for c in diff(first, second) if c.column == "at" and c.severity != "info"]
    january, february = (rides[rides["at"].dt.month == m] for m in (1, 2))
    assert not [c for c in diff(january, february) if c.column == "at" and c.severity != "info"]


@pytest.mark.parametrize("seed", range(3))
def test_fresh_samples_are_quiet(closes, rides, seed):
    for frame, column in ((closes, "close"), (closes, "day"), (rides, "at")):
        half = frame.sample(frac=0.5, random_state=seed)
        assert not [c for c in diff(half, frame.drop(half.index))
                    if c.column == column and c.severity != "info"], column


def test_a_uniform_clock_shows_no_shift_and_claims_none(rides):
    """Every hour of every day has a row: shifted by five hours the profile is the same,
    so nothing can be claimed from it (the time span note remains)."""
    changes = diff(rides, rides.assign(at=rides["at"] + pd.Timedelta(hours=5)))
    assert kinds(changes) == [("range_changed", "at", "info")]


def test_fingerprints_without_clock_evidence_make_no_claim(closes):
    old = datacouple.fingerprint(closes, name="t")
    new = datacouple.fingerprint(closes.assign(close=closes["close"] + pd.Timedelta(hours=5)),
                                 name="t")
    stripped = copy.deepcopy(old)
    for column in stripped["columns"]:
        for key in ("hours", "weekdays", "granularity"):
            column.get("temporal", {}).pop(key, None)
    assert kinds(datacouple.diff(stripped, new)) == [("range_changed", "close", "info")]


def test_snapshot_dates_and_run_times_move_without_a_claim(closes):
    """A feature table stamped with its snapshot date and the time of the run that built it:
    the next month's version has another day of the week and another hour, and means the same."""
    january = closes.iloc[:500].assign(snapshot=pd.Timestamp("2024-01-31").date(),
                                       built=pd.Timestamp("2024-01-31 02:10"))
    february = closes.iloc[500:1000].assign(snapshot=pd.Timestamp("2024-02-29").date(),
                                            built=pd.Timestamp("2024-02-29 00:00"))
    assert not [c for c in diff(january, february)
                if c.column in ("snapshot", "built") and c.severity != "info"]
