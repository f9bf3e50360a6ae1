"""Nested columns (`nested`): list lengths and element statistics, struct fields, map keys and
values, a real distinct count, the structural hash over the parts.

No public dataset that ISLP or statsmodels ship has nested columns, so these tables are built
with pyarrow: embeddings as fixed-size float lists, and structs and lists packed from real rows
(Wage's people, Smarket's lagged returns)."""

from __future__ import annotations

import json
import re
from collections import Counter

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import datacouple
from datacouple.profile.api import assemble
from datacouple.profile.arrow.table import TableProfile
from datacouple.profile.format import canonical_json

from public_data import islp_frame


def column(document: dict, name: str) -> dict:
    return next(c for c in document["columns"] if c["name"] == name)


def embeddings(rows: int, dim: int, seed: int) -> pa.Array:
    values = np.random.default_rng(seed).normal(size=rows * dim).astype(np.float32)
    return pa.FixedSizeListArray.from_arrays(pa.array(values), dim)


def people(frame) -> pa.Array:
    """Wage's people as one struct column: age, marital status, education."""
    return pa.StructArray.from_arrays(
        [pa.array(frame["age"]), pa.array(frame["maritl"]), pa.array(frame["education"])],
        names=["age", "maritl", "education"])


def lags() -> pa.Array:
    """Smarket's five lagged returns per day as a variable-length list (nulls dropped)."""
    smarket = islp_frame("Smarket")
    rows = smarket[["Lag1", "Lag2", "Lag3", "Lag4", "Lag5"]].to_numpy()
    return pa.array([[float(v) for v in row[: 1 + i % 5]] for i, row in enumerate(rows)],
                    pa.list_(pa.float64()))


def test_an_embedding_shows_its_dimension_and_pooled_element_statistics():
    emb = embeddings(1000, 8, seed=1)
    document = datacouple.fingerprint(pa.table({"emb": emb}))
    profile = column(document, "emb")
    nested = profile["nested"]
    assert nested["kind"] == "list" and nested["size"] == 8
    assert nested["lengths"] == {"min": 8, "max": 8, "mean": 8.0, "histogram": [[8, 1000]]}
    element = nested["element"]
    flat = emb.flatten().to_numpy()
    assert element["name"] == "emb[]" and element["count"] == 8000
    assert element["numeric"]["mean"] == pytest.approx(flat.astype(np.float64).mean(), rel=1e-6)
    assert profile["distinct"]["count"] == pytest.approx(1000, rel=0.03)  # no more "0"


def test_struct_fields_are_profiled_as_columns_of_real_rows():
    wage = islp_frame("Wage")
    document = datacouple.fingerprint(pa.table({"person": people(wage)}))
    fields = {f["name"]: f for f in column(document, "person")["nested"]["fields"]}
    assert list(fields) == ["person.age", "person.maritl", "person.education"]
    assert fields["person.maritl"]["categories"] == wage["maritl"].value_counts().sort_index(
        ).to_dict()
    assert fields["person.age"]["numeric"]["max"] == wage["age"].max()


def test_null_to_empty_inside_a_struct_changes_the_structural_hash():
    wage = islp_frame("Wage")
    wage.loc[wage.sample(frac=0.05, random_state=1).index, "maritl"] = None
    before = datacouple.fingerprint(pa.table({"person": people(wage)}))
    after = datacouple.fingerprint(pa.table({"person": people(wage.fillna({"maritl": ""}))}))
    assert before["structural_hash"] != after["structural_hash"]
    old = column(before, "person")["nested"]["fields"][1]["missing"]
    new = column(after, "person")["nested"]["fields"][1]["missing"]
    assert (old["null"], old["empty"]) == (150, 0) and (new["null"], new["empty"]) == (0, 150)


def test_the_structural_hash_covers_field_names_types_and_a_fixed_size():
    def hash_of(array):
        return datacouple.fingerprint(pa.table({"c": array}))["structural_hash"]

    base = pa.array([{"x": 1, "y": "a"}, {"x": 2, "y": "b"}] * 50)
    renamed = pa.array([{"x": 1, "z": "a"}, {"x": 2, "z": "b"}] * 50)
    retyped = pa.array([{"x": 1.5, "y": "a"}, {"x": 2.5, "y": "b"}] * 50)
    assert len({hash_of(base), hash_of(renamed), hash_of(retyped)}) == 3
    assert hash_of(embeddings(100, 8, 1)) == hash_of(embeddings(100, 8, 2))  # fresh values
    assert hash_of(embeddings(100, 8, 1)) != hash_of(embeddings(100, 16, 1))
    flat = datacouple.fingerprint(islp_frame("Wage"))  # flat columns: the hash is unchanged
    assert "nested" not in json.dumps(flat["columns"])


def test_maps_profile_keys_and_values_and_lists_their_lengths():
    rows = [[(f"k{i % 3}", float(i))] * (i % 4) for i in range(400)]
    tags = pa.array(rows, pa.map_(pa.string(), pa.float64()))
    document = datacouple.fingerprint(pa.table({"tags": tags, "lags": lags()[:400]}))
    nested = column(document, "tags")["nested"]
    assert nested["kind"] == "map"
    assert nested["lengths"]["histogram"] == [[0, 100], [1, 100], [2, 100], [3, 100]]
    keys = Counter(key for row in rows for key, _ in row)
    assert nested["keys"]["categories"] == dict(sorted(keys.items()))
    assert nested["values"]["count"] == 600
    lag = column(document, "lags")["nested"]
    assert lag["lengths"]["min"] == 1 and lag["lengths"]["max"] == 5 and "size" not in lag


def test_shuffled_and_parquet_round_tripped_rows_give_the_same_profile(tmp_path):
    wage = islp_frame("Wage").iloc[:1250]  # as many rows as Smarket has days
    table = pa.table({"person": people(wage), "emb": embeddings(len(wage), 8, 3),
                      "lags": lags()})
    shuffled = table.take(pa.array(np.random.default_rng(4).permutation(len(wage))))
    pq.write_table(shuffled, tmp_path / "t.parquet", row_group_size=700)
    one = datacouple.fingerprint(table, name="t")
    other = datacouple.fingerprint(tmp_path / "t.parquet", name="t")
    assert one["structural_hash"] == other["structural_hash"]
    # Parquet names a list's child `element` where Arrow says `item`; nothing else differs.
    assert re.sub("<element: ", "<item: ", canonical_json(other["columns"])) == canonical_json(
        one["columns"])
    assert datacouple.diff(one, other) == []


def test_nested_state_merges_like_one_pass():
    wage = islp_frame("Wage")
    table = pa.table({"person": people(wage), "emb": embeddings(len(wage), 4, 5)})
    whole = TableProfile(table.schema)
    for batch in table.to_batches(max_chunksize=500):
        whole.update(batch)
    merged = None
    for start, length in ((2000, 1000), (0, 1300), (1300, 700)):
        part = TableProfile(table.schema)
        for batch in table.slice(start, length).to_batches(max_chunksize=333):
            part.update(batch)
        state = TableProfile.from_state(table.schema, json.loads(json.dumps(part.to_state())))
        if merged is None:
            merged = state
        else:
            merged.merge(state)
    one = assemble(whole, name="t", location=None, identity=None)
    other = assemble(merged, name="t", location=None, identity=None)
    assert canonical_json(one["columns"]) == canonical_json(other["columns"])


def test_unions_and_intervals_profile_without_parts_and_keep_their_hash():
    union = pa.UnionArray.from_sparse(pa.array([0, 1, 0], pa.int8()),
                                      [pa.array([1, 2, 3]), pa.array(["a", "b", "c"])])
    listed = pa.ListArray.from_arrays(pa.array([0, 1, 3, 3], pa.int32()), union)
    interval = pa.array([pa.MonthDayNano([1, 2, 3]), None, pa.MonthDayNano([1, 2, 4])],
                        pa.month_day_nano_interval())
    document = datacouple.fingerprint(pa.table({"u": union, "lu": listed, "iv": interval}))
    assert "nested" not in column(document, "u") and "nested" not in column(document, "iv")
    assert column(document, "iv")["missing"] == {"null": 1}
    assert column(document, "lu")["nested"]["lengths"]["max"] == 2
    assert datacouple.diff(document, document) == []
