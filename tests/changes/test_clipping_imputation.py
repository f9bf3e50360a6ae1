"""Clipping (values capped at new bounds) and imputation (missing values replaced by the mean,
median or mode) on real public tables, each against its quiet counterpart: a fresh sample whose
range happens to be narrower, a filter that drops the tail without piling anything up, a
discrete column whose most common value is common anyway."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import datacouple

from public_data import grunfeld_table, islp_frame


def changes(old, new, schema=None):
    return datacouple.diff(datacouple.fingerprint(old, name="t", schema=schema, progress=False),
                           datacouple.fingerprint(new, name="t", schema=schema, progress=False))


def on(found, column):
    return [c for c in found if c.column == column]


# -- clipping ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name, column, upper", [
    ("Wage", "wage", 0.95),
    ("Default", "balance", 0.99),
    ("Bikeshare", "bikers", 0.90),
    ("College", "Apps", 0.95),
])
def test_values_capped_at_a_quantile_are_breaking(name, column, upper):
    frame = islp_frame(name)
    values = frame[column]
    bound = values.quantile(upper)
    bound = round(bound) if values.dtype.kind in "iu" else bound
    capped = frame.assign(**{column: values.clip(upper=bound).astype(values.dtype)})
    (change,) = on(changes(frame, capped), column)
    assert (change.kind, change.severity) == ("range_changed", "breaking")
    (end,) = change.evidence["clipped"]
    assert end["end"] == "max" and end["new"] == pytest.approx(bound, rel=1e-6)
    assert end["new_at_value"] == int((capped[column] == capped[column].max()).sum())
    assert "clipped" in change.message and "winsorised" in change.message


def test_winsorising_both_ends_names_both_bounds():
    wage = islp_frame("Wage")
    low, high = wage["age"].quantile([0.05, 0.95])
    winsorised = wage.assign(age=wage["age"].clip(low, high).astype(int))
    (change,) = on(changes(wage, winsorised), "age")
    assert (change.kind, change.severity) == ("range_changed", "breaking")
    assert {e["end"] for e in change.evidence["clipped"]} == {"min", "max"}
    assert "minimum 18 -> 24" in change.message and "maximum 80 -> 61" in change.message


def test_percentages_capped_at_100_on_generated_data():
    """A share written in percent above 100 by a join, then "fixed" with a cap at 100."""
    rng = np.random.default_rng(7)
    before = pd.DataFrame({"share_pct": np.round(rng.gamma(9.0, 9.0, 5000), 1)})
    assert (before["share_pct"] > 100).mean() > 0.2
    after = before.assign(share_pct=before["share_pct"].clip(upper=100.0))
    (change,) = on(changes(before, after), "share_pct")
    assert change.kind == "range_changed" and change.severity == "breaking"
    assert change.evidence["clipped"][0]["new_share"] > 0.2


def test_a_filtered_tail_is_not_called_clipping():
    """Rows beyond the 90th percentile dropped: the range shrinks, nothing piles up. Reported
    (the catch-all), but never as clipping."""
    wage = islp_frame("Wage")
    filtered = wage[wage["wage"] <= wage["wage"].quantile(0.9)]
    found = on(changes(wage, filtered), "wage")
    assert found and all("clipped" not in c.evidence for c in found)
    assert all(c.severity != "breaking" for c in found)


def test_a_shift_moves_a_pile_without_clipping():
    """Bikeshare's humidity has 22 readings of 0; a calibration offset of +0.02 moves them
    (and the minimum) to 0.02: a pile at a new minimum, but no more than before."""
    bikeshare = islp_frame("Bikeshare")
    found = changes(bikeshare, bikeshare.assign(hum=bikeshare["hum"] + 0.02))
    assert not [c for c in found if "clipped" in c.evidence], found


@pytest.mark.parametrize("name", ["Wage", "Bikeshare", "Default", "College", "Carseats"])
def test_fresh_samples_with_a_narrower_range_are_not_clipping(name):
    frame = islp_frame(name)
    for seed in range(4):
        order = np.random.default_rng(seed).permutation(len(frame))
        half = len(frame) // 2
        found = changes(frame.iloc[order[:half]], frame.iloc[order[half:]])
        assert not [c for c in found if "clipped" in c.evidence], found


def test_a_fresh_sample_of_discrete_data_ending_on_a_common_value_is_not_clipping():
    """Grunfeld's years run 1935-1954 (ten firms a year): drop the last year and the maximum
    falls to a value that held 5% of the rows all along."""
    table = grunfeld_table().to_pandas()
    earlier = table[table["year"] < 1954]
    assert not [c for c in changes(table, earlier) if "clipped" in c.evidence]


# -- imputation --------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["mean", "median"])
def test_missing_salaries_imputed_are_breaking_and_named(how):
    hitters = islp_frame("Hitters")  # 59 salaries missing in the public data
    fill = getattr(hitters["Salary"], how)()
    (change,) = on(changes(hitters, hitters.assign(Salary=hitters["Salary"].fillna(fill))),
                   "Salary")
    assert (change.kind, change.severity) == ("missing_encoding_changed", "breaking")
    assert change.evidence["to"] == "imputed" and change.evidence["moved"] == 59
    assert f"(the old {how})" in change.message
    assert change.evidence["value"] == pytest.approx(fill, rel=1e-9)


def test_a_sentinel_replaced_by_the_median_is_imputation():
    default = islp_frame("Default")
    rows = np.random.default_rng(3).random(len(default)) < 0.06
    old = default.assign(income=default["income"].mask(rows, -999.0))
    new = old.assign(income=old["income"].replace(-999.0, default["income"].median()))
    (change,) = on(changes(old, new), "income")
    assert (change.kind, change.severity) == ("missing_encoding_changed", "breaking")
    assert change.evidence["from"] == ["-999"]


def test_mode_imputation_of_a_category_is_an_encoding_change():
    wage = islp_frame("Wage")
    rows = np.random.default_rng(4).random(len(wage)) < 0.05
    old = wage.assign(maritl=wage["maritl"].mask(rows))
    new = old.assign(maritl=old["maritl"].fillna(old["maritl"].mode()[0]))
    (change,) = on(changes(old, new), "maritl")
    assert (change.kind, change.severity) == ("missing_encoding_changed", "breaking")
    assert "2. Married" in change.message


def test_imputation_of_a_pii_column_never_shows_the_value(tmp_path):
    schema = tmp_path / "hitters.yaml"
    schema.write_text("schema_type: dataframe\ncolumns:\n"
                      "  Salary: {dtype: float64, nullable: true, metadata: {pii: true}}\n")
    hitters = islp_frame("Hitters")[["Salary"]]
    fill = hitters["Salary"].mean()
    (change,) = on(changes(hitters, hitters.fillna(fill), schema=str(schema)), "Salary")
    assert (change.kind, change.severity) == ("missing_encoding_changed", "breaking")
    assert "not shown: pii" in change.message
    assert f"{fill:g}" not in change.message and change.evidence["value"] is None


def test_a_spike_without_missing_values_is_a_warning_that_names_it():
    """A tenth of the balances overwritten with the mean (no value was missing before): a
    default written into the column, not an encoding of missing."""
    default = islp_frame("Default")
    rows = np.random.default_rng(5).random(len(default)) < 0.1
    new = default.assign(balance=default["balance"].mask(rows, default["balance"].mean()))
    (change,) = on(changes(default, new), "balance")
    assert (change.kind, change.severity) == ("distribution_drift", "warning")
    assert "(the old mean)" in change.message and "imputed or a default" in change.message


@pytest.mark.parametrize("name", ["OJ", "Carseats", "Credit", "Wage", "Smarket"])
def test_fresh_samples_of_discrete_columns_raise_no_imputation(name):
    """OJ's prices take a handful of values (one holds 35% of rows): a fresh sample's mode
    share moves, but within sampling."""
    frame = islp_frame(name)
    for seed in range(4):
        order = np.random.default_rng(seed).permutation(len(frame))
        half = len(frame) // 2
        found = changes(frame.iloc[order[:half]], frame.iloc[order[half:]])
        assert not [c for c in found if "missing_lost" in c.evidence], found
