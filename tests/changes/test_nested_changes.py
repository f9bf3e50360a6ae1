"""Changes inside nested columns: an embedding's dimension, NULL -> "" in a struct field, fields
removed or added, drifting elements; and the shuffles, fresh samples and partitioned files that
must stay quiet. No public dataset of ISLP or statsmodels has nested columns: the tables are
built with pyarrow from real rows (Wage's people, Smarket's lagged returns) and generated
embeddings."""

from __future__ import annotations

import copy

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import datacouple

from public_data import islp_frame


def diff(old, new) -> list:
    return datacouple.diff(datacouple.fingerprint(old, name="t"),
                           datacouple.fingerprint(new, name="t"))


def kinds(changes) -> list[tuple[str, str | None, str]]:
    return [(c.kind, c.column, c.severity) for c in changes]


def embeddings(rows: int, dim: int, seed: int, fixed: bool = True, loc: float = 0.0):
    values = np.random.default_rng(seed).normal(loc, 1.0, rows * dim).astype(np.float32)
    if fixed:
        return pa.FixedSizeListArray.from_arrays(pa.array(values), dim)
    offsets = pa.array(np.arange(0, rows * dim + 1, dim, dtype=np.int32))
    return pa.ListArray.from_arrays(offsets, pa.array(values))


def with_embeddings(rows: int, dim: int, seed: int, **options) -> pa.Table:
    return pa.table({"id": pa.array(np.arange(rows)),
                     "emb": embeddings(rows, dim, seed, **options)})


def people(frame) -> pa.Table:
    return pa.table({"logwage": pa.array(frame["logwage"]), "person": pa.StructArray.from_arrays(
        [pa.array(frame["age"]), pa.array(frame["maritl"]), pa.array(frame["education"])],
        names=["age", "maritl", "education"])})


@pytest.fixture(scope="module")
def wage():
    frame = islp_frame("Wage")
    frame.loc[frame.sample(frac=0.05, random_state=1).index, "maritl"] = None
    return frame


@pytest.mark.parametrize("fixed", [True, False])
def test_an_embedding_whose_dimension_changed_is_breaking(fixed):
    changes = diff(with_embeddings(3000, 8, 1, fixed=fixed),
                   with_embeddings(3000, 16, 2, fixed=fixed))
    assert kinds(changes) == [("type_changed", "emb", "breaking")]
    assert (changes[0].evidence["old_size"], changes[0].evidence["new_size"]) == (8, 16)
    assert "every row held 8 elements, now 16" in changes[0].message


def test_a_fresh_sample_shuffled_and_partitioned_is_quiet(tmp_path):
    old = with_embeddings(3000, 8, 1)
    assert diff(old, with_embeddings(3000, 8, 2)) == []  # same distribution, other draws
    shuffled = old.take(pa.array(np.random.default_rng(3).permutation(3000)))
    assert diff(old, shuffled) == []
    parts = tmp_path / "emb"
    pq.write_to_dataset(old.append_column("part", pa.array(np.arange(3000) % 3)), parts,
                        partition_cols=["part"])
    partitioned = datacouple.fingerprint(parts, name="t")
    whole = datacouple.fingerprint(old.append_column(
        "part", pa.array((np.arange(3000) % 3).astype(np.int32))), name="t")
    assert [c for c in datacouple.diff(whole, partitioned) if c.severity != "info"] == []


def test_elements_that_drift_are_a_warning_on_the_element():
    changes = diff(with_embeddings(3000, 8, 1), with_embeddings(3000, 8, 2, loc=0.5))
    assert kinds(changes) == [("distribution_drift", "emb", "warning")]
    assert changes[0].evidence["field"] == "emb[]"


def test_null_to_empty_inside_a_struct_is_a_missing_encoding_change_of_the_field(wage):
    changes = diff(people(wage), people(wage.fillna({"maritl": ""})))
    assert kinds(changes) == [("missing_encoding_changed", "person", "breaking")]
    assert changes[0].evidence["field"] == "person.maritl"
    assert changes[0].message.startswith("person.maritl: 150 missing values changed encoding "
                                         'from NULL to "" (empty string)')


def test_field_changes_are_told_per_field(wage):
    table = people(wage)
    person = table["person"].combine_chunks()
    narrower = pa.StructArray.from_arrays([person.field("age"), person.field("maritl")],
                                          names=["age", "maritl"])
    changes = diff(table, table.set_column(1, "person", narrower))
    assert kinds(changes) == [("column_removed", "person", "breaking")]
    assert changes[0].evidence["field"] == "person.education"
    wider = pa.StructArray.from_arrays([*person.flatten(), pa.array(wage["race"])],
                                       names=["age", "maritl", "education", "race"])
    assert kinds(diff(table, table.set_column(1, "person", wider))) == [
        ("column_added", "person", "info")]
    in_months = wage.assign(age=wage["age"] * 12)
    changes = diff(table, people(in_months))
    assert kinds(changes) == [("scale_changed", "person", "breaking")]
    assert changes[0].evidence["field"] == "person.age"


@pytest.mark.parametrize("seed", range(3))
def test_fresh_halves_of_real_structs_and_lists_are_quiet(wage, seed):
    half = wage.sample(frac=0.5, random_state=10 + seed)  # not the seed of the nulls
    assert [c for c in diff(people(half), people(wage.drop(half.index)))
            if c.severity == "breaking"] == []
    smarket = islp_frame("Smarket")
    lags = smarket[["Lag1", "Lag2", "Lag3", "Lag4", "Lag5"]].to_numpy()
    lists = pa.table({"lags": pa.array([list(row) for row in lags], pa.list_(pa.float64()))})
    order = np.random.default_rng(seed).permutation(len(smarket))
    first, second = lists.take(pa.array(order[:625])), lists.take(pa.array(order[625:]))
    assert [c for c in diff(first, second) if c.severity != "info"] == []


def test_lists_that_grew_longer_are_drift():
    smarket = islp_frame("Smarket")
    lags = smarket[["Lag1", "Lag2", "Lag3", "Lag4", "Lag5"]].to_numpy()
    short = pa.table({"lags": pa.array([list(row[:2]) if i % 2 else list(row)
                                        for i, row in enumerate(lags)])})
    full = pa.table({"lags": pa.array([list(row) for row in lags])})
    changes = diff(short, full)
    assert ("distribution_drift", "lags", "warning") in kinds(changes)
    assert all(c.severity != "breaking" for c in changes)


def test_fingerprints_without_nested_evidence_still_diff():
    old = datacouple.fingerprint(with_embeddings(500, 8, 1), name="t")
    new = datacouple.fingerprint(with_embeddings(500, 16, 1), name="t")
    stripped = copy.deepcopy(old)
    for column in stripped["columns"]:
        column.pop("nested", None)
    # What an old fingerprint allows: the storage change its physical types show.
    assert kinds(datacouple.diff(stripped, new)) == [("type_changed", "emb", "warning")]
