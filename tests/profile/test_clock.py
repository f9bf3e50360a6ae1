"""The clock of dates and timestamps (`temporal.weekdays`, `hours`, `granularity`), on timestamps
built from real rows (ISLP's NYSE trading days, Bikeshare's hourly counts) and edge cases."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import datacouple
from datacouple.profile.api import assemble
from datacouple.profile.arrow.table import TableProfile

from public_data import islp_frame


def temporal(document: dict, name: str) -> dict:
    return next(c for c in document["columns"] if c["name"] == name)["temporal"]


def nyse_closes() -> pd.DataFrame:
    """Each trading day's close, 16:00 New York wall-clock time (naive)."""
    days = pd.to_datetime(islp_frame("NYSE")["date"])
    return pd.DataFrame({"close": days + pd.Timedelta(hours=16), "day": days.dt.date})


def test_trading_days_fall_on_weekdays_and_closes_at_four():
    frame = nyse_closes()
    document = datacouple.fingerprint(frame)
    close, day = temporal(document, "close"), temporal(document, "day")
    expected = np.bincount(frame["close"].dt.day_of_week, minlength=7).tolist()
    assert close["weekdays"] == day["weekdays"] == expected
    assert close["weekdays"][5:] == [0, 0]  # no trading on weekends
    assert close["hours"] == [0] * 16 + [len(frame)] + [0] * 7
    assert close["granularity"] == {"day": 0, "hour": len(frame), "minute": 0, "second": 0,
                                    "subsecond": 0}
    assert "hours" not in day and "granularity" not in day  # dates have no time of day


def test_hourly_rows_have_an_hour_profile_of_their_own():
    bike = islp_frame("Bikeshare")  # 2011, one row per hour with riders
    stamps = (pd.Timestamp("2011-01-01") + pd.to_timedelta(bike["day"] - 1, unit="D")
              + pd.to_timedelta(bike["hr"].astype(int), unit="h"))
    at = temporal(datacouple.fingerprint(pd.DataFrame({"at": stamps})), "at")
    assert at["hours"] == np.bincount(bike["hr"].astype(int), minlength=24).tolist()
    # Bikeshare numbers weekdays from Sunday = 0; ISO 8601 (and the profile) from Monday.
    sunday_first = np.bincount(bike["weekday"], minlength=7).tolist()
    assert at["weekdays"] == sunday_first[1:] + sunday_first[:1]


def test_granularity_names_the_coarsest_unit_each_value_is_a_multiple_of():
    values = pd.to_datetime(["2024-01-01", "2024-01-01 05:00", "2024-01-02 05:30",
                             "2024-01-03 05:30:01", "2024-01-04 05:30:01.5",
                             "1969-12-31 23:00"], format="ISO8601")
    for unit in ("s", "ms", "us", "ns"):
        stamps = pa.array(values.as_unit("ns").to_numpy()).cast(pa.timestamp(unit),
                                                                 safe=False)
        if unit == "s":
            stamps = pa.array(values[:4].as_unit("s").to_numpy())
        at = temporal(datacouple.fingerprint(pa.table({"at": stamps})), "at")
        expected = {"day": 1, "hour": 2, "minute": 1, "second": 1, "subsecond": 1}
        if unit == "s":
            expected = {"day": 1, "hour": 1, "minute": 1, "second": 1, "subsecond": 0}
        assert at["granularity"] == expected, unit
    zoned = pa.array(values.tz_localize("UTC").as_unit("us").to_numpy()).cast(
        pa.timestamp("us", tz="Europe/Paris"))
    # Zone-aware values are profiled as stored: UTC hours (23:00 UTC on 1969-12-31).
    at = temporal(datacouple.fingerprint(pa.table({"at": zoned})), "at")
    assert at["hours"][23] == 1 and at["hours"][5] == 4


@pytest.mark.parametrize("unit", ["ms", "us", "ns"])
def test_a_batch_finer_than_seconds_throughout_is_all_subsecond(unit):
    """The shortcut when no value falls on a whole second (a measured clock)."""
    start = pd.Timestamp("2024-03-01 12:00:00.25").as_unit("ns").value
    stamps = pa.array(np.arange(start, start + 3000 * 10**9, 1_500_000_000)).cast(
        pa.timestamp("ns")).cast(pa.timestamp(unit), safe=False)
    at = temporal(datacouple.fingerprint(pa.table({"at": stamps})), "at")
    assert at["granularity"] == {"day": 0, "hour": 0, "minute": 0, "second": 0,
                                 "subsecond": len(stamps)}


def test_pii_timestamps_keep_only_their_granularity(tmp_path):
    schema = tmp_path / "s.yaml"
    schema.write_text("schema_type: dataframe\ncolumns:\n  close: {dtype: 'datetime64[us]', "
                      "nullable: false, metadata: {pii: true}}\n")
    document = datacouple.fingerprint(nyse_closes()[["close"]], schema=str(schema))
    assert temporal(document, "close") == {
        "granularity": {"day": 0, "hour": 6051, "minute": 0, "second": 0, "subsecond": 0}}


def test_clock_state_merges_like_one_pass():
    frame = nyse_closes()
    frame["close"] += pd.to_timedelta(np.arange(len(frame)) % 7, unit="min")
    table = pa.Table.from_pandas(frame, preserve_index=False)
    whole = TableProfile(table.schema)
    for batch in table.to_batches(max_chunksize=1000):
        whole.update(batch)
    merged = None
    for start in (4000, 0, 2500):
        part = TableProfile(table.schema)
        for batch in table.slice(start, {4000: 3000, 0: 2500, 2500: 1500}[start]).to_batches():
            part.update(batch)
        state = TableProfile.from_state(table.schema, json.loads(json.dumps(part.to_state())))
        if merged is None:
            merged = state
        else:
            merged.merge(state)
    one = assemble(whole, name="t", location=None, identity=None)
    other = assemble(merged, name="t", location=None, identity=None)
    assert temporal(one, "close") == temporal(other, "close")
    assert temporal(one, "day") == temporal(other, "day")
