"""format_changed: high-cardinality strings (ids, names, dates kept as text) whose shape changed,
on real public data (ISLP's NYSE dates and Auto names, statsmodels' country codes) and
generated ids; and the fresh samples that must stay quiet."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

import datacouple

from public_data import islp_frame, statsmodels_csv


def diff(old, new) -> list:
    return datacouple.diff(datacouple.fingerprint(old, name="t"),
                           datacouple.fingerprint(new, name="t"))


def found(changes, kind="format_changed") -> list:
    return [c for c in changes if c.kind == kind]


def only_format_change(old, new, column: str):
    changes = diff(old, new)
    assert [(c.kind, c.column) for c in changes] == [("format_changed", column)], changes
    return changes[0]


@pytest.fixture(scope="module")
def nyse():
    return islp_frame("NYSE")  # dates as text: "1962-12-03"


@pytest.fixture(scope="module")
def auto():
    return islp_frame("Auto")  # 301 distinct car names for 392 rows


def test_dates_rewritten_in_another_format_are_breaking(nyse):
    us = nyse.assign(date=pd.to_datetime(nyse["date"]).dt.strftime("%m/%d/%Y"))
    change = only_format_change(nyse, us, "date")
    assert change.severity == "breaking"
    assert '"X-X-X" (100%) -> "X/X/X" (100%)' in change.message
    assert change.evidence["formats"] == {"old": {"X-X-X": 6051}, "new": {"X/X/X": 6051}}


def test_day_first_dates_keep_the_skeleton_but_not_the_pattern(nyse):
    european = nyse.assign(date=pd.to_datetime(nyse["date"]).dt.strftime("%d-%m-%Y"))
    change = only_format_change(nyse, european, "date")
    assert change.severity == "breaking"
    assert '"9999-99-99" (100%) -> "99-99-9999" (100%)' in change.message


def test_names_padded_to_a_fixed_width_and_trimmed_back(auto):
    padded = auto.assign(name=auto["name"].str.ljust(40))
    change = only_format_change(auto, padded, "name")
    assert change.severity == "breaking"
    assert "padded: trailing whitespace on 0% -> 100% of values" in change.message
    back = only_format_change(padded, auto, "name")
    assert "trimmed: trailing whitespace on 100% -> 0%" in back.message


def test_names_truncated_by_a_narrower_column(auto):
    change = only_format_change(auto, auto.assign(name=auto["name"].str[:12]), "name")
    assert change.severity == "breaking"
    assert "truncated to 12 characters" in change.message
    assert change.evidence["lengths"]["old_max"] == auto["name"].str.len().max()


def test_names_recased(auto):
    change = only_format_change(auto, auto.assign(name=auto["name"].str.upper()), "name")
    assert change.severity == "breaking"
    assert "case changed: lower 100% -> 0%, upper 0% -> 100%" in change.message


def test_names_given_a_prefix(auto):
    change = only_format_change(auto, auto.assign(name="car: " + auto["name"]), "name")
    assert change.severity == "breaking"
    assert '"X: X X" (48%)' in change.message


def test_country_codes_lower_cased():
    fertility = pd.read_csv(statsmodels_csv("fertility/fertility.csv"))[
        ["Country Name", "Country Code", "1990"]]
    lowered = fertility.assign(**{"Country Code": fertility["Country Code"].str.lower()})
    change = only_format_change(fertility, lowered, "Country Code")
    assert "case changed: upper 100% -> 0%" in change.message


def test_a_few_padded_ids_are_a_warning():
    rng = np.random.default_rng(1)
    ids = pd.Series([f"A{n:05d}" for n in rng.integers(0, 10**5, 5000)])
    padded = ids.copy()
    padded[:150] = " " + padded[:150]  # 3% of the rows come from a fixed-width export
    change = only_format_change(pd.DataFrame({"id": ids}), pd.DataFrame({"id": padded}), "id")
    assert change.severity == "warning"
    assert "leading whitespace on 0% -> 3% of values" in change.message


def test_ids_losing_a_digit_or_gaining_zeros():
    rng = np.random.default_rng(2)
    ids = pd.DataFrame({"id": [f"A{n:05d}" for n in rng.integers(10**4, 10**5, 3000)]})
    cut = only_format_change(ids, ids.assign(id=ids["id"].str[:5]), "id")
    assert "truncated to 5 characters" in cut.message and cut.severity == "breaking"
    numbers = pd.DataFrame({"id": [str(n) for n in rng.integers(100, 999, 3000)]})
    zeros = only_format_change(numbers, numbers.assign(id=numbers["id"].str.zfill(6)), "id")
    assert '"999" (100%) -> "999999" (100%)' in zeros.message


@pytest.mark.parametrize("seed", range(5))
def test_fresh_samples_of_names_and_dates_are_quiet(nyse, auto, seed):
    for frame, name in ((auto, "name"), (nyse, "date")):
        half = frame.sample(frac=0.5, random_state=seed)
        assert not found(diff(half, frame.drop(half.index))), name
    rng = np.random.default_rng(seed)
    ids = [pd.DataFrame({"id": [f"user-{n:07d}" for n in rng.integers(0, 10**7, 2000)]})
           for _ in range(2)]
    assert diff(*ids) == []


def test_later_dates_in_the_same_format_are_quiet(nyse):
    assert not found(diff(nyse.iloc[:3000], nyse.iloc[3000:]))


def test_spellings_of_missing_are_left_to_the_missing_rules(auto):
    with_nulls = auto.copy()
    with_nulls.loc[with_nulls.sample(frac=0.05, random_state=3).index, "name"] = None
    empty = with_nulls.assign(name=with_nulls["name"].fillna(""))
    assert [c.kind for c in diff(with_nulls, empty)] == ["missing_encoding_changed"]
    tokens = with_nulls.assign(name=with_nulls["name"].fillna("N/A"))
    assert [c.kind for c in diff(with_nulls, tokens)] == ["missing_encoding_changed"]


def test_fingerprints_without_shape_evidence_make_no_claim(auto):
    old = datacouple.fingerprint(auto, name="t")
    new = datacouple.fingerprint(auto.assign(name=auto["name"].str.upper()), name="t")
    stripped = copy.deepcopy(old)
    for column in stripped["columns"]:
        column.get("string", {}).pop("shape", None)
    assert not found(datacouple.diff(stripped, new, ))
    assert found(datacouple.diff(old, new))
