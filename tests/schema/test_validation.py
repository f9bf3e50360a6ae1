"""Streaming validation on real public data (CSV files the statsmodels package ships)."""

from __future__ import annotations

import json

import pandas as pd
import pandera.pandas as pa
import pyarrow as arrow
import pytest

from datacouple.errors import DatacoupleError
from datacouple.schema.declared import DeclaredSchema
from datacouple.schema.validation import (
    BatchValidator,
    check_arrow_types,
    check_columns_present,
    validate_frame,
)

from public_data import grunfeld_table, statecrime_table
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
