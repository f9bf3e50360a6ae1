"""Inferring a starting Pandera schema from a fingerprint, and writing it as YAML."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
import pytest

from datacouple.errors import DatacoupleError
from datacouple.schema import logical_types as lt
from datacouple.schema.inference import infer_schema, write_schema_yaml
from datacouple.schema.loading import load_schema
from datacouple.schema.validation import (
    check_arrow_types,
    validate_frame,
)

from public_data import grunfeld_table
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
