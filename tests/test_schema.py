"""The declared schema: loading (YAML and module:attr), canonical hash, batch validation, inference.

Real pandera, real YAML files, real public data (CSV files the statsmodels package ships).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import textwrap
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import pyarrow as arrow
import pyarrow.csv as arrow_csv
import pytest
import yaml

from datacouple import logical_types as lt
from datacouple.errors import DatacoupleError
from datacouple.schema import (
    DeclaredSchema,
    canonical_dtype_name,
    declared_from_object,
    declared_from_schema,
    load_schema,
)
from datacouple.schema_inference import infer_schema, write_schema_yaml
from datacouple.validation import (
    BatchValidator,
    check_arrow_types,
    check_columns_present,
    validate_frame,
)

# ---- public data -------------------------------------------------------------------------


def statsmodels_csv(relative: str) -> Path:
    spec = importlib.util.find_spec("statsmodels")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail("statsmodels (public datasets) is missing: pip install statsmodels")
    return Path(spec.submodule_search_locations[0]) / "datasets" / relative


def grunfeld_table() -> arrow.Table:
    return arrow_csv.read_csv(statsmodels_csv("grunfeld/grunfeld.csv"))


def statecrime_table() -> arrow.Table:
    return arrow_csv.read_csv(statsmodels_csv("statecrime/statecrime.csv"))


def batches_as_pandas(table: arrow.Table, rows: int) -> list[pd.DataFrame]:
    """What an engine hands the validator: record batches converted with to_pandas()."""
    return [batch.to_pandas() for batch in table.to_batches(max_chunksize=rows)]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def declared(schema: pa.DataFrameSchema, source: str = "test") -> DeclaredSchema:
    return declared_from_schema(schema, source)


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


# ---- loading errors ----------------------------------------------------------------------


def test_python_tags_in_yaml_are_refused_and_never_run(tmp_path):
    marker = tmp_path / "executed"
    write(tmp_path / "evil.yaml", f"""\
        columns:
          x: !!python/object/apply:os.system ["touch {marker}"]
        """)
    with pytest.raises(DatacoupleError) as error:
        load_schema("evil.yaml", tmp_path)
    assert "evil.yaml" in str(error.value) and "!!python/object/apply:os.system" in str(error.value)
    assert not marker.exists()


def test_malformed_yaml_names_file_and_line(tmp_path):
    write(tmp_path / "broken.yaml", "columns:\n  x:\n    dtype: [int64\n")
    with pytest.raises(DatacoupleError, match=r"'broken.yaml' is not valid YAML \(line \d+"):
        load_schema("broken.yaml", tmp_path)


def test_missing_file(tmp_path):
    with pytest.raises(DatacoupleError, match=r"schema file 'schemas/nope\.yaml' not found"):
        load_schema("schemas/nope.yaml", tmp_path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- a\n- b\n", "is not a pandera schema"),
        ("", "got an empty document"),
        ("hello: world\n", "is not a pandera schema"),
        ("schema_type: series\ncolumns: {}\n", "'series' schema"),
        ("columns:\n  x:\n    dtype: int64\n    greater_than_or_equal: 0\n",
         "column 'x' has unknown key 'greater_than_or_equal'"),
        ("columns:\n  x:\n    dtype: integer64\n", "column 'x' has unknown dtype 'integer64'"),
        ("columns:\n  x:\n    dtype: int64\n    in_range: {low: 1}\n",
         "column 'x' is not a valid pandera column"),
        ("columns: 3\n", "'columns' must map column names"),
        ("columns:\n  x:\n    metadata: true\n", "metadata must be a mapping"),
    ],
)
def test_documents_that_are_not_pandera_schemas(tmp_path, text, message):
    write(tmp_path / "bad.yaml", text)
    with pytest.raises(DatacoupleError, match=message) as error:
        load_schema("bad.yaml", tmp_path)
    assert "bad.yaml" in str(error.value)
    assert "\n" not in str(error.value)


def test_module_attr_loads_a_model_and_a_schema_object(tmp_path):
    write(tmp_path / "dc_schemas_ok.py", """\
        import pandera.pandas as pa

        class Crime(pa.DataFrameModel):
            state: str
            murder: float = pa.Field(ge=0)

        crime_schema = pa.DataFrameSchema({
            "state": pa.Column(str),
            "murder": pa.Column(float, pa.Check.ge(0)),
        })
        not_a_schema = 42
        """)
    model = load_schema("dc_schemas_ok:Crime", base_dir=tmp_path)
    instance = load_schema("dc_schemas_ok:crime_schema", base_dir=tmp_path)
    assert model.source == "dc_schemas_ok:Crime"
    assert model.columns == ["state", "murder"]
    assert model.hash == instance.hash
    with pytest.raises(DatacoupleError, match="is of type 'int', not a pandas-API pandera"):
        load_schema("dc_schemas_ok:not_a_schema", base_dir=tmp_path)
    with pytest.raises(DatacoupleError, match="has no attribute 'Missing'"):
        load_schema("dc_schemas_ok:Missing", base_dir=tmp_path)


def test_module_attr_errors(tmp_path):
    with pytest.raises(DatacoupleError, match="cannot import module 'dc_no_such_module'"):
        load_schema("dc_no_such_module:Model", base_dir=tmp_path)
    write(tmp_path / "dc_schemas_broken.py", "raise RuntimeError('half-written module')\n")
    with pytest.raises(DatacoupleError, match=r"module 'dc_schemas_broken' .*RuntimeError"):
        load_schema("dc_schemas_broken:Model", base_dir=tmp_path)


# ---- PII ---------------------------------------------------------------------------------


def test_pii_metadata_from_a_model_and_from_yaml(tmp_path):
    class People(pa.DataFrameModel):
        name: str = pa.Field(metadata={"pii": True})
        email: str = pa.Field(metadata={"datacouple": {"pii": True}})
        age: int = pa.Field(ge=0, metadata={"unit": "years"})

    in_memory = declared(People.to_schema())
    assert in_memory.pii_columns() == {"name", "email"}

    write_schema_yaml(People.to_schema(), tmp_path / "people.yaml")
    assert "pii: true" in (tmp_path / "people.yaml").read_text()
    reloaded = load_schema("people.yaml", tmp_path)
    assert reloaded.pii_columns() == {"name", "email"}
    assert reloaded.hash == in_memory.hash
    assert reloaded.schema.columns["age"].metadata == {"unit": "years"}


def test_marking_a_column_pii_changes_the_hash():
    plain = pa.DataFrameSchema({"state": pa.Column(str)})
    pii = pa.DataFrameSchema({"state": pa.Column(str, metadata={"pii": True})})
    assert declared(plain).hash != declared(pii).hash


# ---- validation on real data -------------------------------------------------------------


def grunfeld_declared() -> DeclaredSchema:
    return declared(pa.DataFrameSchema({
        "invest": pa.Column(float, pa.Check.ge(0)),
        "value": pa.Column(float, pa.Check.ge(0)),
        "capital": pa.Column(float, pa.Check.ge(0)),
        "firm": pa.Column(str, pa.Check.isin(sorted(set(
            grunfeld_table().column("firm").to_pylist())))),
        "year": pa.Column(int, pa.Check.in_range(1935, 1954)),
    }), "schemas/grunfeld.yaml")


def test_clean_public_data_is_valid():
    assert validate_frame(grunfeld_declared(), grunfeld_table().to_pandas()) == {
        "valid": True, "failures": []}


def test_counts_failing_rows_per_column_and_check():
    frame = grunfeld_table().to_pandas()
    frame.loc[[3, 40, 41, 100, 219], "invest"] = -1.0  # the same value in 5 rows counts 5
    frame.loc[[7, 8], "firm"] = "Unknown Corp"
    frame.loc[[10], "value"] = None  # not nullable
    result = validate_frame(grunfeld_declared(), frame)
    assert result == {"valid": False, "failures": [
        {"column": "firm", "check": "isin(['American Steel', 'Atlantic Refining', 'Chrysler', "
                                    "'Diamond Match', 'General Electric', 'General Motors', "
                                    "'Goodyear', 'IBM', 'US Steel', 'Union Oil', "
                                    "'Westinghouse'])", "count": 2},
        {"column": "invest", "check": "greater_than_or_equal_to(0)", "count": 5},
        {"column": "value", "check": "not_nullable", "count": 1},
    ]}


def test_batches_merged_through_state_equal_one_frame():
    frame = grunfeld_table().to_pandas()
    frame.loc[[0, 99, 100, 101, 219], "invest"] = -3.5
    table = arrow.Table.from_pandas(frame, preserve_index=False)
    schema = grunfeld_declared()

    whole = BatchValidator(schema)
    whole.validate(frame)

    first, second = BatchValidator(schema), BatchValidator(schema)
    batches = batches_as_pandas(table, rows=100)
    assert len(batches) == 3
    first.validate(batches[0])
    for batch in batches[1:]:
        second.validate(batch)
    shipped = json.loads(json.dumps(second.state()))  # crosses a process boundary as JSON
    first.merge(BatchValidator.from_state(schema, shipped))

    assert first.result() == whole.result()
    assert first.result()["failures"] == [
        {"column": "invest", "check": "greater_than_or_equal_to(0)", "count": 5}]
    assert first.state()["rows"] == 220 and first.state()["batches"] == 3


def test_state_from_another_schema_is_refused():
    other = declared(pa.DataFrameSchema({"invest": pa.Column(float)}))
    with pytest.raises(DatacoupleError, match="schema hash"):
        BatchValidator.from_state(grunfeld_declared(), BatchValidator(other).state())


def test_integers_with_nulls_read_as_float_are_not_dtype_failures():
    # statecrime's `white` has integral values; with a null, to_pandas() makes the column float.
    table = statecrime_table()
    schema = declared(pa.DataFrameSchema({
        "state": pa.Column(str, unique=True),
        "murder": pa.Column(int, nullable=True, coerce=True),
        "urban": pa.Column(float, pa.Check.le(100)),
    }))
    frame = table.to_pandas()
    frame.loc[0, "murder"] = None
    assert validate_frame(schema, frame) == {"valid": True, "failures": []}


def test_frame_level_and_structural_failures():
    frame = statecrime_table().to_pandas()
    schema = declared(pa.DataFrameSchema(
        {"state": pa.Column(str), "violent": pa.Column(float), "arson": pa.Column(float)},
        checks=[pa.Check(lambda df: df["murder"] < 10, name="murder_below_10")],
        strict=False,
    ))
    failures = validate_frame(schema, frame)["failures"]
    high_murder = int((frame["murder"] >= 10).sum())
    assert high_murder > 0
    assert failures == [
        {"column": None, "check": "murder_below_10", "count": high_murder},
        {"column": "arson", "check": "column_in_dataframe", "count": 1},
    ]


def test_unique_within_a_batch_only():
    frame = pd.DataFrame({"state": ["Ohio", "Iowa", "Ohio", "Utah"]})
    schema = declared(pa.DataFrameSchema({"state": pa.Column(str, unique=True)}))
    assert validate_frame(schema, frame)["failures"] == [
        {"column": "state", "check": "field_uniqueness", "count": 2}]
    split = BatchValidator(schema)
    split.validate(frame.iloc[:2])
    split.validate(frame.iloc[2:])
    assert split.result()["valid"] is True  # documented: duplicates across batches are unseen


def test_pandera_warnings_never_reach_the_output(capfd):
    frame = grunfeld_table().to_pandas()
    frame.loc[0, "invest"] = -1.0
    schema = declared(pa.DataFrameSchema(
        {"invest": pa.Column(float, pa.Check.ge(0, raise_warning=True))}))
    assert validate_frame(schema, frame)["valid"] is True
    captured = capfd.readouterr()
    assert captured.out == "" and captured.err == ""


def test_check_columns_present_names_every_missing_required_column():
    schema = declared(pa.DataFrameSchema({
        "state": pa.Column(str),
        "murder": pa.Column(float),
        "arson": pa.Column(float),
        "notes": pa.Column(str, required=False),
    }), "schemas/statecrime.yaml")
    names = statecrime_table().column_names
    with pytest.raises(DatacoupleError) as error:
        check_columns_present(schema, names)
    assert str(error.value).startswith(
        "schema column 'arson' (schemas/statecrime.yaml) is missing from the data: ")
    check_columns_present(schema, [*names, "arson"])
    with pytest.raises(DatacoupleError, match=r"schema columns 'state', 'arson' .* are missing"):
        check_columns_present(schema, ["murder"])


def test_check_arrow_types_on_public_data():
    arrow_schema = grunfeld_table().schema  # invest..capital double, firm string, year int64
    schema = declared(pa.DataFrameSchema({
        "invest": pa.Column("Int64"),  # integer declared, float data: the NULL-sneak case
        "value": pa.Column(float),
        "capital": pa.Column("float32"),  # widths are not compared
        "firm": pa.Column("int32"),
        "year": pa.Column(float),  # integer data in a float column: lossless, accepted
        "absent": pa.Column(str),
    }))
    failures = check_arrow_types(schema, arrow_schema)
    assert failures == [
        {"column": "invest", "check": "dtype('int64')", "count": 1},
        {"column": "firm", "check": "dtype('int32')", "count": 1},
    ]
    validator = BatchValidator(schema)
    validator.add_failures(failures)
    assert validator.result()["failures"] == sorted(failures, key=lambda f: f["column"])


def test_all_null_arrow_column_satisfies_any_declared_type():
    schema = declared(pa.DataFrameSchema({"x": pa.Column(int, nullable=True)}))
    assert check_arrow_types(schema, arrow.schema([("x", arrow.null())])) == []


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


def test_declared_from_object_accepts_models_and_schemas():
    from_model = declared_from_object(Investment)
    assert from_model.source == f"{__name__}:Investment"
    assert from_model.hash == declared(Investment.to_schema()).hash
    assert declared_from_object(Investment.to_schema(), "x").hash == from_model.hash
    with pytest.raises(DatacoupleError, match="not a pandas-API pandera"):
        declared_from_object({"columns": {}})


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
