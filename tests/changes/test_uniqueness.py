"""uniqueness_lost on real ids (Credit's customer ID, the Fair survey's respondent identifier,
NYSE's trading dates as text, Default's all-distinct incomes) and generated ones, against the
quiet counterparts: a shuffle, a fresh sample of ids, new rows with new ids, a larger fresh
sample of a measurement that happened to be all distinct."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import datacouple

from public_data import islp_csv, islp_frame, statsmodels_csv


def changes(old, new):
    return datacouple.diff(datacouple.fingerprint(old, name="t", progress=False),
                           datacouple.fingerprint(new, name="t", progress=False))


def lost(found, column):
    return [c for c in found if c.kind == "uniqueness_lost" and c.column == column]


def fan_out(frame: pd.DataFrame, key: str, share: float, seed: int) -> pd.DataFrame:
    """A join with a table that holds two rows for `share` of the keys (a second card, a
    second address): those rows come out twice."""
    rng = np.random.default_rng(seed)
    keys = frame[key].drop_duplicates()
    doubled = rng.choice(keys.to_numpy(), size=round(share * len(keys)), replace=False)
    other = pd.DataFrame({key: np.concatenate([keys.to_numpy(), doubled])})
    return frame.merge(other, on=key)


def nyse() -> pd.DataFrame:
    return pd.read_csv(islp_csv("NYSE"))  # `date` is text: 6,051 distinct trading days


def fair() -> pd.DataFrame:
    return pd.read_csv(statsmodels_csv("fair/fair_pt.csv"))


@pytest.mark.parametrize("load, key, share", [
    (lambda: islp_frame("Credit"), "ID", 0.10),
    (fair, "identifier", 0.05),
    (nyse, "date", 0.05),
    (nyse, "date", 0.10),
])
def test_a_join_that_fans_out_loses_uniqueness(load, key, share):
    frame = load()
    assert frame[key].is_unique
    found = lost(changes(frame, fan_out(frame, key, share, seed=1)), key)
    assert [(c.kind, c.severity) for c in found] == [("uniqueness_lost", "warning")]
    assert "fans out" in found[0].message


def test_exact_evidence_counts_the_repeating_rows():
    credit = islp_frame("Credit")
    (change,) = lost(changes(credit, fan_out(credit, "ID", 0.10, seed=2)), "ID")
    assert change.evidence["exact"] is True
    assert change.evidence["new_repeated"] == 40 and change.evidence["repeating_rows"] == 40


def test_sampled_evidence_estimates_the_repeats():
    """NYSE has more distinct dates than the sample holds: the estimate comes from it."""
    frame = nyse()
    (change,) = lost(changes(frame, fan_out(frame, "date", 0.05, seed=3)), "date")
    assert change.evidence["exact"] is False and change.evidence["new_sampled"] == 512
    assert change.evidence["repeated_estimate"] == pytest.approx(0.05 * len(frame), rel=0.5)


def test_rows_loaded_twice_lose_the_uniqueness_of_a_measurement_too():
    """Default's incomes are all distinct; a batch loaded twice repeats them."""
    default = islp_frame("Default")
    twice = pd.concat([default, default.iloc[:800]], ignore_index=True)
    assert lost(changes(default, twice), "income")


def test_generated_integer_ids_beyond_the_exact_domain():
    rng = np.random.default_rng(4)
    ids = pd.DataFrame({"order_id": rng.permutation(np.arange(50_000, 70_000))})
    assert lost(changes(ids, fan_out(ids, "order_id", 0.05, seed=5)), "order_id")


@pytest.mark.parametrize("load, key", [(lambda: islp_frame("Credit"), "ID"), (fair, "identifier"),
                                       (nyse, "date")])
def test_quiet_shuffles_fresh_samples_and_new_ids(load, key):
    frame = load()
    order = np.random.default_rng(6).permutation(len(frame))
    half = len(frame) // 2
    first, second = frame.iloc[order[:half]], frame.iloc[order[half:]]
    pairs = [(frame, frame.iloc[order]), (first, second), (first, frame),
             (frame.sort_values(key).iloc[:half], frame)]  # new rows bring new ids
    for old, new in pairs:
        assert not [c for c in changes(old, new) if c.kind == "uniqueness_lost"]


def test_a_larger_fresh_sample_of_a_rounded_measurement_brings_chance_ties_quietly():
    """2,000 prices in cents are all distinct; 20,000 more from the same distribution tie by
    chance (a birthday problem), which the rule must expect."""
    rng = np.random.default_rng(8)
    prices = np.round(rng.lognormal(6.0, 0.8, 22_000), 2)
    small = pd.DataFrame({"price": prices[:2000]}).drop_duplicates()
    large = pd.DataFrame({"price": prices[2000:]})
    assert small["price"].is_unique and not large["price"].is_unique
    assert not [c for c in changes(small, large) if c.kind == "uniqueness_lost"]
