"""The fingerprint's properties on real public data (ISLP tables) and generated edge cases."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.feather as feather
import pyarrow.parquet as pq
import pytest

import datacouple
from datacouple.profile.api import assemble
from datacouple.profile.arrow.sources import open_source
from datacouple.profile.arrow.table import TableProfile
from datacouple.profile.format import canonical_json

from public_data import islp_csv, islp_frame


def column(document: dict, name: str) -> dict:
    return next(c for c in document["columns"] if c["name"] == name)


def without_identity(document: dict) -> dict:
    return {k: v for k, v in document.items() if k not in ("dvc", "path")}


def write_parquet(frame: pd.DataFrame, path, **options):
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path, **options)
    return path


def test_repeated_runs_are_byte_identical(tmp_path):
    path = write_parquet(islp_frame("Credit"), tmp_path / "credit.parquet")
    first = canonical_json(datacouple.fingerprint(path))
    second = canonical_json(datacouple.fingerprint(path))
    assert first == second
    assert str(tmp_path) not in first, "no absolute paths in a fingerprint"


def test_row_order_changes_nothing_but_the_dvc_hash(tmp_path):
    frame = islp_frame("Hitters")
    original = datacouple.fingerprint(write_parquet(frame, tmp_path / "a.parquet"), name="h")
    shuffled_frame = frame.sample(frac=1.0, random_state=7).reset_index(drop=True)
    shuffled = datacouple.fingerprint(write_parquet(shuffled_frame, tmp_path / "b.parquet"),
                                      name="h")
    assert original["dvc"]["hash"] != shuffled["dvc"]["hash"]
    assert canonical_json(without_identity(original)) == canonical_json(without_identity(shuffled))


def test_null_to_empty_string_changes_the_structural_hash_and_counts_say_why(tmp_path):
    frame = islp_frame("BrainCancer")  # `diagnosis` has a missing value in the public data
    nulls = int(frame["diagnosis"].isna().sum())
    assert nulls > 0
    before = datacouple.fingerprint(write_parquet(frame, tmp_path / "before.parquet"))
    mutated = frame.copy()
    mutated["diagnosis"] = mutated["diagnosis"].fillna("")
    after = datacouple.fingerprint(write_parquet(mutated, tmp_path / "after.parquet"))

    assert before["structural_hash"] != after["structural_hash"]
    old, new = column(before, "diagnosis")["missing"], column(after, "diagnosis")["missing"]
    assert (old["null"], old["empty"]) == (nulls, 0)
    assert (new["null"], new["empty"]) == (0, nulls)
    # Nothing else moved: every other column's profile is identical.
    for name in frame.columns.drop("diagnosis"):
        assert column(before, name) == column(after, name)


def test_fresh_rows_with_the_same_meaning_keep_the_structural_hash(tmp_path):
    frame = islp_frame("Wage")
    half = datacouple.fingerprint(write_parquet(frame.iloc[:1500], tmp_path / "half.parquet"))
    full = datacouple.fingerprint(write_parquet(frame, tmp_path / "full.parquet"))
    assert half["rows"] == 1500 and full["rows"] == len(frame)
    assert half["structural_hash"] == full["structural_hash"]


def test_partitions_merge_into_the_same_fingerprint_as_one_pass(tmp_path):
    table = pa.Table.from_pandas(islp_frame("Hitters"), preserve_index=False)
    whole = TableProfile(table.schema)
    for batch in table.to_batches(max_chunksize=50):
        whole.update(batch)

    parts = []
    for start in (0, 100, 230):  # uneven partitions, merged out of order via JSON state
        part = TableProfile(table.schema)
        for batch in table.slice(start, {0: 100, 100: 130, 230: 1000}[start]).to_batches():
            part.update(batch)
        parts.append(json.loads(json.dumps(part.to_state())))
    merged = TableProfile.from_state(table.schema, parts[2])
    for state in (parts[0], parts[1]):
        merged.merge(TableProfile.from_state(table.schema, state))

    one = assemble(whole, name="hitters", location=None, identity=None)
    other = assemble(merged, name="hitters", location=None, identity=None)
    assert canonical_json(one) == canonical_json(other)


def test_distinct_sketch_is_the_same_however_the_domain_overflows():
    """Each part stays under the exact limit, their union does not: the merged estimate must
    equal one pass over everything (the sketch is seeded from the exact values lazily)."""
    rng = np.random.default_rng(3)
    table = pa.table({"code": rng.integers(0, 3000, 9000), "tag": [f"t{i % 2500}"
                                                                  for i in range(9000)]})
    whole = TableProfile(table.schema)
    whole.update(table.combine_chunks().to_batches()[0])
    merged = None
    for part in range(9):
        profile = TableProfile(table.schema)
        chunk = table.slice(part * 1000, 1000).to_batches()[0]
        profile.update(chunk.filter(pc.less(chunk["code"], 800 + 100 * part)))
        profile.update(chunk.filter(pc.greater_equal(chunk["code"], 800 + 100 * part)))
        if merged is None:
            merged = profile
        else:
            merged.merge(TableProfile.from_state(table.schema, profile.to_state()))
    one = assemble(whole, name="t", location=None, identity=None)
    other = assemble(merged, name="t", location=None, identity=None)
    assert column(one, "code")["distinct"] == column(other, "code")["distinct"]
    assert column(one, "tag")["distinct"] == column(other, "tag")["distinct"]
    assert column(one, "code")["distinct"]["count"] == pytest.approx(
        len(set(table["code"].to_pylist())), rel=0.03)


def test_missing_value_encodings_are_counted_separately():
    frame = pd.DataFrame({
        "code": ["a", None, "", "  ", "NA", "N/A", "null", "?", "b", "a"],
        "score": [1.0, np.nan, 2.0, None, 3.0, -999.0, 0.0, 4.0, 5.0, 6.0],
    })
    table = pa.Table.from_pandas(frame, preserve_index=False)
    # pandas' NaN means "missing" and becomes null; a real IEEE NaN is kept distinct.
    score = pa.array([1.0, None, 2.0, float("nan"), 3.0, -999.0, 0.0, 4.0, 5.0, 6.0])
    table = table.set_column(1, "score", score)
    document = datacouple.fingerprint(table)
    code = column(document, "code")["missing"]
    assert code == {"null": 1, "empty": 1, "whitespace": 1,
                    "sentinels": {"N/A": 1, "NA": 1, "null": 1, "?": 1}}
    numbers = column(document, "score")
    assert numbers["missing"] == {"null": 1, "nan": 1}
    assert numbers["numeric"]["zeros"] == 1
    assert numbers["numeric"]["sentinels"] == {"-999": 1}


def test_numeric_statistics_match_numpy():
    salary = islp_frame("Hitters")["Salary"].dropna().to_numpy()
    document = datacouple.fingerprint(islp_frame("Hitters"))
    numeric = column(document, "Salary")["numeric"]
    assert numeric["min"] == pytest.approx(salary.min())
    assert numeric["max"] == pytest.approx(salary.max())
    assert numeric["mean"] == pytest.approx(salary.mean(), rel=1e-9)
    assert numeric["std"] == pytest.approx(salary.std(ddof=1), rel=1e-9)
    for q, value in numeric["quantiles"].items():
        exact = np.quantile(salary, float(q), method="inverted_cdf")
        assert value == pytest.approx(exact, rel=0.021), q  # the sketch's stated accuracy
    assert column(document, "Salary")["missing"]["null"] == 59


def test_categories_for_low_cardinality_columns_only():
    document = datacouple.fingerprint(islp_frame("Auto"))
    assert column(document, "name")["categories"] is None  # 301 distinct names: never stored
    assert column(document, "name")["distinct"]["count"] > 250
    wage = datacouple.fingerprint(islp_frame("Wage"))
    race = column(wage, "race")
    assert race["categories"] == dict(sorted(islp_frame("Wage")["race"].value_counts()
                                             .to_dict().items()))
    assert race["distinct"] == {"count": 4, "exact": True,
                                "sample": {"values": 4, "repeated": 4}}


def test_distinct_estimate_is_close_for_high_cardinality():
    values = pa.array([f"user-{i:07d}" for i in range(200_000)] * 2)
    document = datacouple.fingerprint(pa.table({"id": values}))
    distinct = column(document, "id")["distinct"]
    assert distinct["exact"] is False
    assert distinct["count"] == pytest.approx(200_000, rel=0.03)


def test_pii_columns_store_no_raw_values(tmp_path):
    schema = tmp_path / "credit.yaml"
    schema.write_text(
        "schema_type: dataframe\n"
        "columns:\n"
        "  Ethnicity: {dtype: str, nullable: false, metadata: {pii: true}}\n"
        "  Income: {dtype: float64, nullable: false, metadata: {pii: true}}\n"
    )
    document = datacouple.fingerprint(islp_frame("Credit"), schema=str(schema))
    ethnicity, income = column(document, "Ethnicity"), column(document, "Income")
    assert ethnicity["pii"] is True and ethnicity["categories"] is None
    assert "min" not in income["numeric"] and "quantiles" not in income["numeric"]
    text = canonical_json(document)
    for raw in ("Caucasian", "Asian", "African American"):
        assert raw not in text
    assert column(document, "Gender")["categories"] is not None  # not marked: kept


def test_formats_agree(tmp_path):
    frame = islp_frame("Credit").drop(columns=["ID"])
    table = pa.Table.from_pandas(frame, preserve_index=False)
    parquet = write_parquet(frame, tmp_path / "credit.parquet", row_group_size=64)
    csv = tmp_path / "credit.csv"
    frame.to_csv(csv, index=False)
    ipc = tmp_path / "credit.arrow"
    feather.write_feather(table, ipc)
    hashes = {str(p.suffix): datacouple.fingerprint(p)["structural_hash"]
              for p in (parquet, csv, ipc)}
    assert len(set(hashes.values())) == 1, hashes


def test_hive_partitioned_directory(tmp_path):
    frame = islp_frame("Credit")
    directory = tmp_path / "credit"
    pq.write_to_dataset(pa.Table.from_pandas(frame, preserve_index=False), directory,
                        partition_cols=["Ethnicity"])
    document = datacouple.fingerprint(directory)
    assert document["rows"] == len(frame)
    assert document["dvc"]["nfiles"] == 3
    region = column(document, "Ethnicity")
    assert set(region["categories"]) == set(frame["Ethnicity"])
    assert column(document, "Balance")["numeric"]["mean"] == pytest.approx(frame["Balance"].mean())


def test_raw_csv_keeps_na_strings_as_sentinels():
    # The public CSV spells a missing diagnosis "NA"; read raw, that is a sentinel token.
    document = datacouple.fingerprint(islp_csv("BrainCancer"))
    assert column(document, "diagnosis")["missing"]["sentinels"] == {"NA": 1}


def test_temporal_columns(tmp_path):
    stamps = pd.date_range("2024-01-30", periods=1000, freq="h", tz="UTC")
    frame = pd.DataFrame({"at": stamps, "day": stamps.date})
    document = datacouple.fingerprint(frame)
    at = column(document, "at")
    assert at["logical_type"] == "datetime"
    assert at["temporal"]["min"].startswith("2024-01-30T00:00:00")
    assert sum(at["temporal"]["histogram"].values()) == 1000
    assert column(document, "day")["logical_type"] == "date"


def test_polars_and_pandas_agree_with_the_file(tmp_path):
    polars = pytest.importorskip("polars")
    frame = islp_frame("Wage")
    from_file = datacouple.fingerprint(write_parquet(frame, tmp_path / "wage.parquet"))
    from_pandas = datacouple.fingerprint(frame)
    from_polars = datacouple.fingerprint(polars.from_pandas(frame))
    assert from_file["structural_hash"] == from_pandas["structural_hash"]
    assert from_pandas["structural_hash"] == from_polars["structural_hash"]


def test_csv_column_that_changes_type_late_is_read_as_string(tmp_path):
    path = tmp_path / "late.csv"
    rows = [f"{i},{i}" for i in range(300_000)] + ["x,1"]
    path.write_text("a,b\n" + "\n".join(rows) + "\n")
    document = datacouple.fingerprint(path)
    assert column(document, "a")["logical_type"] == "string"
    assert column(document, "b")["logical_type"] == "integer"
    assert document["rows"] == 300_001


def test_infinities_do_not_break_statistics():
    document = datacouple.fingerprint(pa.table({"x": [1.0, math.inf, -math.inf, 2.0]}))
    numeric = column(document, "x")["numeric"]
    assert numeric["inf"] == {"positive": 1, "negative": 1}
    assert numeric["mean"] == 1.5


def test_open_source_reports_total_rows_for_parquet(tmp_path):
    path = write_parquet(islp_frame("Wage"), tmp_path / "w.parquet")
    assert open_source(path).total_rows == 3000
