"""CSV cannot tell NULL from "": the same data as Parquet and as CSV differs exactly there, and
the diff says so instead of presenting the file format as a pipeline change."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.feather as feather
import pytest

import datacouple

from public_data import islp_frame


def hitters_features() -> pd.DataFrame:
    """The bundled example's featurize step on the public Hitters table: `salary_band` is NULL
    for the 59 players without a salary."""
    frame = islp_frame("Hitters")
    bands = pd.cut(frame["Salary"], [0, 250, 750, np.inf], labels=["low", "mid", "high"])
    frame["salary_band"] = bands.astype(object).where(bands.notna(), None)
    return frame


def brain_cancer() -> pd.DataFrame:
    frame = islp_frame("BrainCancer")  # `diagnosis` is missing for one patient
    assert frame["diagnosis"].isna().sum() == 1
    return frame


@pytest.fixture(params=["hitters", "braincancer"])
def table(request) -> tuple[pd.DataFrame, str, int]:
    if request.param == "hitters":
        return hitters_features(), "salary_band", 59
    return brain_cancer(), "diagnosis", 1


def encoding_change(changes, column):
    (change,) = [c for c in changes if c.kind == "missing_encoding_changed" and c.column == column]
    return change


def test_parquet_then_csv_of_the_same_data_names_the_csv_side(tmp_path, table):
    frame, column, nulls = table
    frame.to_parquet(tmp_path / "data.parquet", index=False)
    frame.to_csv(tmp_path / "data.csv", index=False)
    change = encoding_change(datacouple.diff(tmp_path / "data.parquet", tmp_path / "data.csv"),
                             column)
    assert change.severity == "breaking"  # the data as read did change; the reader decides
    assert change.message == (
        f"{column}: {nulls} missing value{'s' if nulls > 1 else ''} changed encoding from NULL "
        'to "" (empty string) (NEW was read from CSV, which cannot tell NULL from "": both are '
        "written as an empty field, so this may be the file format rather than the pipeline; "
        "compare Parquet or Arrow files to know)")
    assert change.evidence["read_from_csv"] == "new"

    back = encoding_change(datacouple.diff(tmp_path / "data.csv", tmp_path / "data.parquet"),
                           column)
    assert back.evidence["read_from_csv"] == "old"
    assert "(OLD was read from CSV, which cannot tell NULL from" in back.message


def test_a_real_migration_between_typed_files_is_not_qualified(tmp_path, table):
    # The quiet counterpart: NULL -> "" between two Parquet files is the pipeline's doing.
    frame, column, _ = table
    frame.to_parquet(tmp_path / "before.parquet", index=False)
    migrated = frame.assign(**{column: frame[column].where(frame[column].notna(), "")})
    feather.write_feather(migrated, tmp_path / "after.arrow")
    change = encoding_change(
        datacouple.diff(tmp_path / "before.parquet", tmp_path / "after.arrow"), column)
    assert change.message.endswith('changed encoding from NULL to "" (empty string)')
    assert "read_from_csv" not in change.evidence


def test_csv_and_parquet_without_string_nulls_raise_nothing_breaking(tmp_path):
    frame = islp_frame("Credit")  # no missing strings: nothing for CSV to lose
    frame.to_parquet(tmp_path / "credit.parquet", index=False)
    frame.to_csv(tmp_path / "credit.csv", index=False)
    changes = datacouple.diff(tmp_path / "credit.parquet", tmp_path / "credit.csv")
    assert not [c for c in changes if c.severity == "breaking"], changes


def test_fingerprints_record_how_the_data_was_read(tmp_path):
    frame = brain_cancer()
    frame.to_parquet(tmp_path / "a.parquet", index=False)
    frame.to_csv(tmp_path / "a.csv.gz", index=False)
    feather.write_feather(frame, tmp_path / "a.feather")
    (tmp_path / "parts").mkdir()
    frame.to_csv(tmp_path / "parts" / "part-0.csv", index=False)
    found = {name: datacouple.fingerprint(tmp_path / name)["source_format"]
             for name in ("a.parquet", "a.csv.gz", "a.feather", "parts")}
    assert found == {"a.parquet": "parquet", "a.csv.gz": "csv", "a.feather": "ipc",
                     "parts": "csv"}
    assert datacouple.fingerprint(frame)["source_format"] is None


def test_older_fingerprints_are_judged_by_their_path_or_not_at_all(tmp_path):
    frame = hitters_features()
    frame.to_parquet(tmp_path / "data.parquet", index=False)
    frame.to_csv(tmp_path / "data.csv", index=False)
    old = datacouple.fingerprint(tmp_path / "data.parquet")
    new = datacouple.fingerprint(tmp_path / "data.csv")
    del old["source_format"], new["source_format"]  # written before the field existed
    change = encoding_change(datacouple.diff(old, new), "salary_band")
    assert change.evidence["read_from_csv"] == "new"  # data.csv says it
    new["path"] = None  # nothing tells how it was read: no claim either way
    change = encoding_change(datacouple.diff(old, new), "salary_band")
    assert "read_from_csv" not in change.evidence and "CSV" not in change.message
