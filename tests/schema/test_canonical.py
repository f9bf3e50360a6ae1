"""The canonical form and hash of a declared schema: stable across spellings, pandas and pandera
versions; changed only by meaning."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pandera.pandas as pa
import pytest
import yaml

from datacouple.errors import DatacoupleError
from datacouple.schema import logical_types as lt
from datacouple.schema.declared import declared_from_object
from datacouple.schema.dtypes import canonical_dtype_name
from datacouple.schema.loading import load_schema

from schema_helpers import declared, write

# ---- canonical hash ----------------------------------------------------------------------

STRING_SPELLINGS = [str, object, "str", "object", "string", "string[python]", "string[pyarrow]",
                    pa.String]


def firm_schema(string_dtype) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "firm": pa.Column(string_dtype, pa.Check.isin(["General Motors", "IBM"])),
            "year": pa.Column("int64", pa.Check.ge(1935)),
        }
    )


def test_string_spellings_share_one_hash_in_memory():
    hashes = {declared(firm_schema(spelling)).hash for spelling in STRING_SPELLINGS}
    assert len(hashes) == 1


@pytest.mark.parametrize("spelling", ["str", "object", "string", "string[python]",
                                      "string[pyarrow]"])
def test_string_spellings_share_one_hash_in_yaml(tmp_path, spelling):
    write(tmp_path / "firm.yaml", f"""\
        schema_type: dataframe
        columns:
          firm:
            dtype: {spelling}
            isin: [General Motors, IBM]
          year:
            dtype: int64
            greater_than_or_equal_to: 1935
        """)
    loaded = load_schema("firm.yaml", base_dir=tmp_path)
    assert loaded.hash == declared(firm_schema(str)).hash
    assert loaded.logical_types() == {"firm": lt.STRING, "year": lt.INTEGER}


@pytest.mark.parametrize(
    ("spellings", "canonical"),
    [
        (["int64", "Int64", "int64[pyarrow]", int], "int64"),
        (["uint8", "UInt8", "uint8[pyarrow]"], "uint8"),
        (["float64", "Float64", "double[pyarrow]", float], "float64"),
        (["float32", "Float32", "float[pyarrow]"], "float32"),
        (["bool", "boolean", "bool[pyarrow]", bool], "bool"),
        (["datetime64[ns]", "datetime64[us]", pa.DateTime], "datetime"),
        (["datetime64[ns, UTC]", pd.DatetimeTZDtype("us", "UTC")], "datetime[UTC]"),
        (["category"], "category"),
        (["date", pa.Date, "date32[day][pyarrow]"], "date"),
    ],
)
def test_dtype_aliases_canonicalise(spellings, canonical):
    names = {declared(pa.DataFrameSchema({"x": pa.Column(s)})).canonical["columns"][0]["dtype"]
             for s in spellings}
    assert names == {canonical}


def test_arrow_spellings_canonicalise():
    assert canonical_dtype_name("large_string") == "string"
    assert canonical_dtype_name("large_string[pyarrow]") == "string"
    assert canonical_dtype_name("timestamp[us, tz=UTC]") == "datetime[UTC]"
    assert canonical_dtype_name(None) is None


class Investment(pa.DataFrameModel):
    invest: float = pa.Field(ge=0)
    value: float = pa.Field(in_range={"min_value": 0, "max_value": 1e5})
    firm: str = pa.Field(isin=["General Motors", "US Steel", "General Electric"])
    year: int = pa.Field(ge=1935, le=1954)

    class Config:
        strict = True
        title = "Grunfeld investment"
        description = "Firm-year investment panel"


def test_model_round_trip_through_to_yaml_keeps_the_hash(tmp_path):
    from_model = declared(Investment.to_schema(), "models:Investment")
    (tmp_path / "schemas").mkdir()
    Investment.to_schema().to_yaml(tmp_path / "schemas" / "investment.yaml")
    from_yaml = load_schema("schemas/investment.yaml", base_dir=tmp_path)
    assert from_yaml.hash == from_model.hash
    assert from_yaml.canonical == from_model.canonical
    assert from_yaml.source == "schemas/investment.yaml"
    assert from_yaml.columns == ["invest", "value", "firm", "year"]


def test_canonical_form_is_json_and_hash_is_sha256_of_it():
    loaded = declared(Investment.to_schema())
    text = json.dumps(loaded.canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert hashlib.sha256(text.encode()).hexdigest() == loaded.hash
    firm = loaded.canonical["columns"][2]
    assert firm["checks"] == [{"name": "isin", "statistics": {
        "allowed_values": ["General Electric", "General Motors", "US Steel"]}}]
    assert set(loaded.canonical) == {"columns", "checks", "strict", "ordered", "unique",
                                     "coerce", "index"}


def test_cosmetic_fields_do_not_change_the_hash(tmp_path):
    base = Investment.to_schema()
    cosmetic = Investment.to_schema()
    cosmetic.title, cosmetic.description, cosmetic.name = "other", "other words", "Renamed"
    cosmetic.columns["invest"].title = "Gross investment"
    assert declared(cosmetic).hash == declared(base).hash

    document = yaml.safe_load(base.to_yaml())
    document.update(version="0.1.0", title="Another title", description="Another description")
    document["columns"]["year"]["description"] = "Calendar year"
    write(tmp_path / "a.yaml", yaml.safe_dump(document, sort_keys=False))
    assert load_schema("a.yaml", tmp_path).hash == declared(base).hash


def test_check_order_and_isin_order_do_not_change_the_hash():
    one = pa.DataFrameSchema({"x": pa.Column(int, [pa.Check.ge(0), pa.Check.le(9)]),
                              "s": pa.Column(str, pa.Check.isin(["b", "a"]))})
    two = pa.DataFrameSchema({"x": pa.Column(int, [pa.Check.le(9), pa.Check.ge(0)]),
                              "s": pa.Column(str, pa.Check.isin({"a", "b"}))})
    assert declared(one).hash == declared(two).hash


def test_meaningful_changes_change_the_hash():
    base = declared(Investment.to_schema()).hash
    changed_value = Investment.to_schema().update_column("invest", checks=[pa.Check.ge(1)])
    nullable = Investment.to_schema().update_column("invest", nullable=True)
    wider = Investment.to_schema().update_column("year", dtype="int32")
    columns = Investment.to_schema().columns
    reordered = pa.DataFrameSchema({name: columns[name]
                                    for name in ["year", "invest", "value", "firm"]}, strict=True)
    hashes = {declared(s).hash for s in (changed_value, nullable, wider, reordered)}
    assert base not in hashes and len(hashes) == 4


def test_lambda_check_canonicalises_to_its_name():
    schema = pa.DataFrameSchema({"x": pa.Column(float, pa.Check(lambda s: s > 0))})
    assert declared(schema).canonical["columns"][0]["checks"] == [{"name": "<lambda>"}]


def test_declared_from_object_accepts_models_and_schemas():
    from_model = declared_from_object(Investment)
    assert from_model.source == f"{__name__}:Investment"
    assert from_model.hash == declared(Investment.to_schema()).hash
    assert declared_from_object(Investment.to_schema(), "x").hash == from_model.hash
    with pytest.raises(DatacoupleError, match="not a pandas-API pandera"):
        declared_from_object({"columns": {}})
