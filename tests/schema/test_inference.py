"""Inferring a starting Pandera schema from a fingerprint, and writing it as YAML."""

from __future__ import annotations

import math
import operator

import pandas as pd
import pandera.pandas as pa
import pytest

import datacouple
from datacouple.errors import DatacoupleError
from datacouple.profile.infer import infer_from_data
from datacouple.schema import logical_types as lt
from datacouple.schema.inference import infer_schema, write_schema_yaml
from datacouple.schema.loading import load_schema
from datacouple.schema.validation import (
    check_arrow_types,
    validate_frame,
)

from helpers import run_cli
from public_data import grunfeld_table, islp_csv, islp_frame
from schema_helpers import declared

# ---- inference ---------------------------------------------------------------------------


def grunfeld_profiles() -> list[dict]:
    table = grunfeld_table()
    profiles = []
    for field in table.schema:
        values = table.column(field.name)
        profile = {
            "name": field.name,
            "logical_type": lt.logical_type_of_arrow(field.type),
            "physical_type": str(field.type),
            "missing": {"null": values.null_count},
        }
        if field.name == "firm":
            profile["categories"] = dict(pd.Series(values.to_pylist()).value_counts())
        if field.name in ("invest", "year"):
            profile["numeric"] = {"min": min(values.to_pylist()), "max": max(values.to_pylist())}
        profiles.append(profile)
    return profiles


def test_infer_write_load_round_trip(tmp_path):
    profiles = grunfeld_profiles()
    profiles.append({"name": "ceo", "logical_type": lt.STRING, "physical_type": "string",
                     "missing": {"null": 3}, "categories": {"A. Person": 2}, "pii": True})
    profiles.append({"name": "founded", "logical_type": lt.DATETIME,
                     "physical_type": "timestamp[us, tz=UTC]", "missing": {"null": 0}})
    profiles.append({"name": "listed", "logical_type": lt.DATE, "physical_type": "date32[day]",
                     "missing": {"null": 0}})
    inferred = infer_schema(profiles)

    write_schema_yaml(inferred, tmp_path / "schemas" / "grunfeld.yaml")
    loaded = load_schema("schemas/grunfeld.yaml", tmp_path)
    assert loaded.hash == declared(inferred).hash
    assert loaded.columns == ["invest", "value", "capital", "firm", "year", "ceo", "founded",
                              "listed"]
    assert loaded.logical_types() == {
        "invest": lt.FLOAT, "value": lt.FLOAT, "capital": lt.FLOAT, "firm": lt.STRING,
        "year": lt.INTEGER, "ceo": lt.STRING, "founded": lt.DATETIME, "listed": lt.DATE}
    assert loaded.pii_columns() == {"ceo"}

    by_name = {c["name"]: c for c in loaded.canonical["columns"]}
    assert by_name["year"]["checks"] == [
        {"name": "greater_than_or_equal_to", "statistics": {"min_value": 1935}},
        {"name": "less_than_or_equal_to", "statistics": {"max_value": 1954}}]
    assert by_name["firm"]["checks"][0]["name"] == "isin"
    assert by_name["ceo"]["checks"] == []  # PII: no category domain in the schema
    assert by_name["ceo"]["nullable"] is True and by_name["firm"]["nullable"] is False
    assert by_name["founded"]["dtype"] == "datetime[UTC]"

    # and the inferred schema accepts the data it was inferred from
    original = declared(infer_schema(grunfeld_profiles()))
    assert validate_frame(original, grunfeld_table().to_pandas())["valid"] is True
    assert check_arrow_types(original, grunfeld_table().schema) == []


def test_integer_column_read_as_float_infers_float_and_numeric_categories():
    inferred = infer_schema([
        {"name": "n", "logical_type": lt.INTEGER, "physical_type": "double",
         "missing": {"null": 1}},
        {"name": "k", "logical_type": lt.INTEGER, "physical_type": "int64",
         "missing": {"null": 0}, "categories": {"2": 5, "1": 3}},
    ])
    assert str(inferred.columns["n"].dtype) == "float64"
    assert inferred.columns["n"].nullable is True
    assert inferred.columns["k"].checks[0].statistics == {"allowed_values": [1, 2]}


def test_write_schema_yaml_refuses_to_drop_a_custom_check(tmp_path):
    schema = pa.DataFrameSchema({"x": pa.Column(float, pa.Check(lambda s: s > 0))})
    with pytest.raises(DatacoupleError, match="cannot write"):
        write_schema_yaml(schema, tmp_path / "x.yaml")
    assert not (tmp_path / "x.yaml").exists()


def test_inferred_range_accepts_values_the_fingerprint_rounded():
    # 0.1 + 0.2 is 0.30000000000000004; a fingerprint rounding to 10 digits reports 0.3
    frame = pd.DataFrame({"share": [0.1, 0.1 + 0.2, -(0.1 + 0.2)],
                          "count": [12345678901, 3, -12345678901]})
    inferred = declared(infer_schema([
        {"name": "share", "logical_type": lt.FLOAT, "physical_type": "double",
         "missing": {"null": 0}, "numeric": {"min": -0.3, "max": 0.3}},
        {"name": "count", "logical_type": lt.INTEGER, "physical_type": "int64",
         "missing": {"null": 0}, "numeric": {"min": -12345678900.0, "max": 12345678900.0}},
    ]))
    assert validate_frame(inferred, frame) == {"valid": True, "failures": []}
    share, count = (c["checks"] for c in inferred.canonical["columns"])
    assert share == [
        {"name": "greater_than_or_equal_to", "statistics": {"min_value": -0.3000000001}},
        {"name": "less_than_or_equal_to", "statistics": {"max_value": 0.3000000001}}]
    assert count[0]["statistics"]["min_value"] == -12345678910


# ---- inference from data: bounds at the data's own precision, UTF-8 names, widths --------

def decimals_in_text(table: str, column: str) -> int:
    """The most decimals the published CSV's values show, ignoring float noise in the export
    (ISLP's Credit.csv writes 14.890999999999998 for 14.891): for each value, the fewest
    decimals that spell it to within a few units in the last place."""
    def shown(value: float) -> int:
        return next(d for d in range(18)
                    if abs(float(f"{value:.{d}f}") - value) <= 4 * math.ulp(value))
    return max(shown(value) for value in pd.read_csv(islp_csv(table))[column].dropna())


def decimals_of(bound: float) -> int:
    return len(repr(float(bound)).partition(".")[2].rstrip("0"))


@pytest.mark.parametrize(("table", "column"), [
    ("Credit", "Income"), ("Auto", "acceleration"), ("Carseats", "Price"),
    ("Boston", "crim"), ("Boston", "nox"), ("Wage", "logwage"), ("Default", "balance"),
])
def test_bounds_are_written_at_the_data_own_precision(tmp_path, table, column):
    frame = islp_frame(table)  # as pandas reads the CSV: 10.354 may be 10.354000000000001
    path = tmp_path / f"{table}.parquet"
    frame.to_parquet(path, index=False)
    write_schema_yaml(infer_from_data(path), tmp_path / "schema.yaml")
    text = (tmp_path / "schema.yaml").read_text(encoding="utf-8")
    low, high = (c.statistics for c in load_schema(str(tmp_path / "schema.yaml")).schema
                 .columns[column].checks)
    shown = decimals_in_text(table, column)
    unit = 10.0 ** -shown
    for bound, extreme, inside in ((low["min_value"], frame[column].min(), operator.le),
                                   (high["max_value"], frame[column].max(), operator.ge)):
        assert f": {bound!r}\n" in text  # Python's shortest spelling, e.g. 10.354
        assert decimals_of(bound) <= shown, (bound, shown)
        assert inside(bound, extreme) and abs(bound - extreme) <= unit * 1.0001
    # and the schema accepts the data it came from, through pandera itself
    assert datacouple.validate(path, str(tmp_path / "schema.yaml")) == {
        "valid": True, "failures": []}


def test_bounds_widen_only_past_float_noise(tmp_path):
    # Credit's Income spans 10.354 to 186.634, but the published CSV writes the maximum as
    # 186.63400000000001: a double one unit in the last place above 186.634. The upper bound
    # keeps 3 decimals and moves outward to 186.635; 186.634 would reject the row it came from.
    frame = islp_frame("Credit")
    path = tmp_path / "credit.parquet"
    frame.to_parquet(path, index=False)
    low, high = (c.statistics for c in infer_from_data(path).columns["Income"].checks)
    assert (low["min_value"], high["max_value"]) == (10.354, 186.635)
    # The same values without the noise (rounded to their 3 decimals) need no widening.
    frame["Income"] = frame["Income"].round(3)
    frame.to_parquet(path, index=False)
    low, high = (c.statistics for c in infer_from_data(path).columns["Income"].checks)
    assert (low["min_value"], high["max_value"]) == (10.354, 186.634)


def test_full_precision_floats_keep_their_full_precision(tmp_path):
    # The quiet counterpart: data whose values need 17 digits gets exact 17-digit bounds.
    wage = islp_frame("Wage")
    frame = pd.DataFrame({"ratio": wage["wage"] / 3.0, "year": wage["year"]})
    path = tmp_path / "ratio.parquet"
    frame.to_parquet(path, index=False)
    schema = infer_from_data(path)
    low, high = (c.statistics for c in schema.columns["ratio"].checks)
    assert (low["min_value"], high["max_value"]) == (frame["ratio"].min(), frame["ratio"].max())
    year_low, year_high = (c.statistics for c in schema.columns["year"].checks)
    assert (year_low["min_value"], year_high["max_value"]) == (2003, 2009)


def test_narrow_types_keep_their_width_and_pass_their_own_schema(tmp_path):
    credit = islp_frame("Credit")
    frame = pd.DataFrame({
        "income": credit["Income"].astype("float32"),
        "cards": credit["Cards"].astype("int32"),
        "age": credit["Age"].astype("uint8"),
        "ethnicity": credit["Ethnicity"].astype("category"),
    })
    path = tmp_path / "credit.parquet"
    frame.to_parquet(path, index=False)
    write_schema_yaml(infer_from_data(path), tmp_path / "credit.yaml")
    text = (tmp_path / "credit.yaml").read_text(encoding="utf-8")
    for dtype in ("float32", "int32", "uint8", "category"):
        assert f"dtype: {dtype}\n" in text
    low = float(str(frame["income"].min()))  # float32's shortest spelling, e.g. 10.354
    assert f"greater_than_or_equal_to: {low!r}\n" in text
    assert datacouple.validate(path, str(tmp_path / "credit.yaml"))["valid"] is True


def test_unicode_column_names_are_written_as_utf8(tmp_path):
    credit = islp_frame("Credit").rename(columns={"Income": "Einkommen (Tsd. €)",
                                                  "Ethnicity": "民族", "Age": "Âge"})
    path = tmp_path / "credit.parquet"
    credit.to_parquet(path, index=False)
    result = run_cli("infer", str(path), "-o", "schemas/credit.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "schemas" / "credit.yaml").read_text(encoding="utf-8")
    for name in ("Einkommen (Tsd. €):", "民族:", "Âge:"):
        assert f"\n  {name}\n" in text
    assert "\\x" not in text and "\\u" not in text and "\\U" not in text
    loaded = load_schema("schemas/credit.yaml", tmp_path)
    assert loaded.columns == list(credit.columns)
    assert datacouple.validate(path, loaded) == {"valid": True, "failures": []}
