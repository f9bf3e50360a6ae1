"""Streaming validation on real public data (CSV files the statsmodels package ships)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import pyarrow as arrow
import pyarrow.compute as pc
import pyarrow.csv as arrow_csv
import pytest

import datacouple
from datacouple.errors import DatacoupleError
from datacouple.schema.declared import DeclaredSchema
from datacouple.schema.validation import (
    BatchValidator,
    check_arrow_types,
    check_columns_present,
    validate_frame,
)

from public_data import grunfeld_table, islp_csv, islp_frame, statecrime_table
from schema_helpers import batches_as_pandas, declared

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
        "capital": pa.Column("float32"),  # float64 data: pandera fails the width too
        "firm": pa.Column("int32"),
        "year": pa.Column(float),  # int64 data: pandera fails it, and diff calls it breaking
        "absent": pa.Column(str),
    }))
    assert [(m.column, m.check, m.actual) for m in check_arrow_types(schema, arrow_schema)] == [
        ("invest", "dtype('int64')", "float64"),
        ("capital", "dtype('float32')", "float64"),
        ("firm", "dtype('int32')", "string"),
        ("year", "dtype('float64')", "int64"),
    ]


def test_all_null_arrow_column_satisfies_any_declared_type():
    schema = declared(pa.DataFrameSchema({"x": pa.Column(int, nullable=True)}))
    assert check_arrow_types(schema, arrow.schema([("x", arrow.null())])) == []


# ---- dtypes: pandera's own verdict, counted per row --------------------------------------

def auto_with_question_marks(tmp_path) -> Path:
    """ISLP's Auto as published in Auto.data: horsepower is "?" in 5 of 397 rows, so the
    column arrives as strings, as it does from many a CSV export."""
    raw = Path(islp_csv("Auto")).with_suffix(".data")
    frame = pd.read_csv(raw, sep=r"\s+", dtype=str, keep_default_na=False)
    assert int((frame["horsepower"] == "?").sum()) == 5
    path = tmp_path / "auto.csv"
    frame.to_csv(path, index=False)
    return path


def test_strings_declared_float_fail_in_every_row_with_the_values_shown(tmp_path):
    path = auto_with_question_marks(tmp_path)
    schema = pa.DataFrameSchema({"horsepower": pa.Column(float), "mpg": pa.Column(float)})
    result = datacouple.validate(path, schema)
    assert result == {"valid": False, "failures": [
        {"column": "horsepower", "check": "dtype('float64')", "count": 397,
         "examples": ["130.0", "165.0", "150.0"]},
    ]}


def test_with_coerce_only_the_values_pandera_cannot_convert_fail(tmp_path):
    path = auto_with_question_marks(tmp_path)
    schema = pa.DataFrameSchema({"horsepower": pa.Column(float, coerce=True)})
    assert datacouple.validate(path, schema)["failures"] == [
        {"column": "horsepower", "check": "coerce_dtype('float64')", "count": 5,
         "examples": ["?"]}]
    # A schema-wide coerce means the same.
    schema = pa.DataFrameSchema({"horsepower": pa.Column(float)}, coerce=True)
    assert datacouple.validate(path, schema)["failures"][0]["count"] == 5


def test_int64_data_fails_a_float64_schema_in_every_row(tmp_path):
    hitters = islp_frame("Hitters")
    path = tmp_path / "hitters.parquet"
    hitters.to_parquet(path, index=False)
    schema = pa.DataFrameSchema({"Hits": pa.Column("float64"), "Salary": pa.Column(
        "float64", nullable=True)})
    (failure,) = datacouple.validate(path, schema)["failures"]
    assert failure["column"] == "Hits" and failure["check"] == "dtype('float64')"
    assert failure["count"] == len(hitters)
    assert failure["examples"] == [int(v) for v in hitters["Hits"].drop_duplicates()[:3]]
    # The quiet counterpart: declared as stored, the same data passes.
    schema = pa.DataFrameSchema({"Hits": pa.Column("int64"), "Salary": pa.Column(
        "float64", nullable=True)})
    assert datacouple.validate(path, schema) == {"valid": True, "failures": []}


def test_integers_with_nulls_are_judged_by_what_they_store(tmp_path):
    # pandas turns an int64 column with NULLs into float64; the data is still integers.
    hitters = islp_frame("Hitters")
    hitters["HmRun"] = hitters["HmRun"].astype("Int64").mask(hitters["Salary"].isna())
    path = tmp_path / "hitters.parquet"
    hitters.to_parquet(path, index=False)
    for spelling in ("int64", "Int64"):
        schema = pa.DataFrameSchema({"HmRun": pa.Column(spelling, nullable=True)})
        assert datacouple.validate(path, schema)["valid"] is True, spelling
    (failure,) = datacouple.validate(path, pa.DataFrameSchema(
        {"HmRun": pa.Column(float, nullable=True)}))["failures"]
    assert failure["count"] == int(hitters["HmRun"].notna().sum())  # NULL rows hold no value


def pandera_accepts(frame: pd.DataFrame, column: str, dtype: str) -> bool:
    """pandera's own verdict on a column's dtype (nothing else declared)."""
    schema = pa.DataFrameSchema({column: pa.Column(dtype, nullable=True)})
    try:
        schema.validate(frame[[column]], lazy=True)
    except pa.errors.SchemaErrors:
        return False
    return True


DTYPES = ("int64", "Int64", "int32", "float64", "float32", "str", "string",
          "string[pyarrow]", "category", "bool", "datetime64[ns]", "date")


def public_columns() -> arrow.Table:
    """Columns of every kind from real public tables, without NULLs (pandas would change
    their dtype to hold them)."""
    grunfeld = grunfeld_table()
    credit = arrow_csv.read_csv(islp_csv("Credit"))
    n = grunfeld.num_rows
    year = grunfeld.column("year")
    return arrow.table({
        "int64": year,
        "int32": year.cast(arrow.int32()),
        "float64": grunfeld.column("invest"),
        "float32": grunfeld.column("invest").cast(arrow.float32()),
        "string": grunfeld.column("firm"),
        "dictionary": grunfeld.column("firm").dictionary_encode(),
        "bool": arrow.array([v == "Yes" for v in credit.column("Student").to_pylist()[:n]]),
        "timestamp": pc.strptime(pc.cast(year, arrow.string()),
                             format="%Y", unit="us"),
    })


@pytest.mark.parametrize("dtype", DTYPES)
def test_dtype_verdicts_agree_with_pandera_itself(dtype):
    table = public_columns()
    frame = table.to_pandas()
    for column in table.column_names:
        if column == "timestamp" and dtype == "date":
            continue  # pandera's `date` inspects values; a timestamp is not a date to us
        ours = not check_arrow_types(
            declared(pa.DataFrameSchema({column: pa.Column(dtype, nullable=True)})),
            table.schema)
        assert ours == pandera_accepts(frame, column, dtype), (column, dtype)


def test_string_spellings_of_pandas_2_stay_one_string():
    # The documented exception: `object` and `string[python]` are strings in a schema written
    # under pandas 2; pandera under pandas 3 rejects them for `str` data, datacouple does not
    # (the declared schema's canonical form treats every string spelling alike).
    table = public_columns()
    for dtype in ("object", "string[python]"):
        schema = declared(pa.DataFrameSchema({"string": pa.Column(dtype)}))
        assert check_arrow_types(schema, table.schema) == []
        schema = declared(pa.DataFrameSchema({"int64": pa.Column(dtype)}))
        assert len(check_arrow_types(schema, table.schema)) == 1  # numbers are no strings


def test_pii_columns_show_no_failing_values(tmp_path):
    path = auto_with_question_marks(tmp_path)
    schema = pa.DataFrameSchema({
        "name": pa.Column(int, metadata={"pii": True}),
        "horsepower": pa.Column(float, metadata={"pii": True}),
        "origin": pa.Column(int, pa.Check.isin([1, 2])),
    })
    failures = datacouple.validate(path, schema)["failures"]
    assert [(f["column"], f["count"], f.get("examples")) for f in failures] == [
        ("horsepower", 397, None),
        ("name", 397, None),
        ("origin", int((pd.read_csv(path)["origin"] == 3).sum()), [3]),
    ]


def test_examples_survive_a_merge_and_stay_out_of_the_fingerprint(tmp_path):
    path = auto_with_question_marks(tmp_path)
    schema = declared(pa.DataFrameSchema({"horsepower": pa.Column(float, coerce=True)}))
    table = arrow_csv.read_csv(path)
    mismatches = check_arrow_types(schema, table.schema)
    first, second = BatchValidator(schema, mismatches), BatchValidator(schema, mismatches)
    batches = batches_as_pandas(table, rows=150)
    first.validate(batches[0])
    for batch in batches[1:]:
        second.validate(batch)
    first.merge(BatchValidator.from_state(schema, json.loads(json.dumps(second.state()))))
    assert first.result(examples=True)["failures"] == [
        {"column": "horsepower", "check": "coerce_dtype('float64')", "count": 5,
         "examples": ["?"]}]
    document = datacouple.fingerprint(path, schema)
    assert document["validation"]["failures"] == [
        {"column": "horsepower", "check": "coerce_dtype('float64')", "count": 5}]
    assert '"?"' not in json.dumps(document["validation"])
