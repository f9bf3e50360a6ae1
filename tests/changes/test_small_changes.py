"""Changes that move only a handful of values on a small table (a few hundred rows) still
count, while a fresh sample of a heavy-tailed column raises no alarm."""

from __future__ import annotations

import numpy as np

import datacouple

from public_data import islp_frame


def kinds(old, new) -> list[tuple[str, str, str]]:
    changes = datacouple.diff(datacouple.fingerprint(old, name="t"),
                              datacouple.fingerprint(new, name="t"))
    return [(c.kind, c.column, c.severity) for c in changes]


def small_table():
    table = islp_frame("College").iloc[:344].copy()
    table.loc[[5, 77], "Grad.Rate"] = np.nan  # two missing values, as in many real tables
    return table


def test_two_missing_values_becoming_zero_is_an_encoding_change():
    table = small_table()
    assert kinds(table, table.assign(**{"Grad.Rate": table["Grad.Rate"].fillna(0)})) == [
        ("missing_encoding_changed", "Grad.Rate", "breaking")]


def test_two_missing_values_becoming_minus_one_is_an_encoding_change():
    table = small_table()
    assert kinds(table, table.assign(**{"Grad.Rate": table["Grad.Rate"].fillna(-1)})) == [
        ("missing_encoding_changed", "Grad.Rate", "breaking")]


def test_one_value_far_past_a_light_tail_is_a_range_change():
    table = small_table()
    mutated = table.copy()
    mutated.loc[mutated.index[0], "Top25perc"] = 250  # a percentage: at most 100
    assert ("range_changed", "Top25perc", "warning") in kinds(table, mutated)


def test_heavy_tailed_halves_raise_no_alarm():
    """Career statistics have long tails: one half holds players far beyond the other's
    maximum. At most a single range warning, never a breaking change."""
    hitters = islp_frame("Hitters")
    for seed in range(3):
        half = hitters.sample(frac=0.5, random_state=seed)
        found = kinds(half, hitters.drop(half.index))
        assert all(kind == "range_changed" for kind, _, _ in found), found
        assert len(found) <= 1, found


def test_z_of_p_takes_every_probability_even_subnormal_ones():
    import math

    from datacouple.changes.stats import z_of_p

    assert z_of_p(1.0) == 0.0 and z_of_p(0.0) == math.inf
    assert z_of_p(5e-324) == math.inf  # halving it underflows to zero
    assert 1.9 < z_of_p(0.05) < 2.0
