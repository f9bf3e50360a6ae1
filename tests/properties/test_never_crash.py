"""Random schemas and data never crash: `fingerprint` and `diff` (and every rendering of the
diff) either succeed or raise datacouple's own one-line error, nothing else."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
from hypothesis import event, example, given
from hypothesis import strategies as st

import datacouple
from datacouple import DatacoupleError
from datacouple.changes.render import FORMATS, render
from datacouple.profile.format import canonical_json, parse_fingerprint

from arrow_strategies import arrow_tables, property_settings


def _fingerprint_or_error(table: pa.Table):
    try:
        return datacouple.fingerprint(table)
    except DatacoupleError as error:
        assert "\n" not in str(error) and str(error), repr(error)
        event(f"fingerprint refused: {str(error)[:60]}")
        return None


# Found by this property: values near float64's largest put mass in the sketch's top bucket,
# whose representative value overflowed to inf, and the drift rule crashed on it
# (OverflowError in changes/sketch.py).
NEAR_LARGEST = pa.table({"a": pa.array([-1.7637650858193223e308] * 3 + [-0.0])})
# Values near 1.5e77: the drift rule's kurtosis raised their fourth powers past float64
# (OverflowError in changes/sketch.py).
NEAR_1E77 = pa.table({"_": pa.array([dt.date(2000, 1, day) for day in range(1, 9)]),
                      "__": [1.5324567934494663e77] * 3 + [-1.0] * 5})
# A string column with no value: its length bounds are null, which reading a fingerprint
# refused ("string.length.min should be a non-negative integer").
ALL_NULL_STRINGS = pa.table({"_": pa.array([None], pa.large_string())})


@property_settings(max_examples=150)
@given(arrow_tables(), arrow_tables(), st.booleans())
@example(NEAR_LARGEST, NEAR_LARGEST, True)
@example(NEAR_1E77, NEAR_1E77, True)
@example(ALL_NULL_STRINGS, ALL_NULL_STRINGS, False)
def test_fingerprint_and_diff_never_crash(old: pa.Table, new: pa.Table, related: bool):
    if related:  # the same schema on both sides, so column rules compare statistics too
        new = old.slice(0, max(old.num_rows // 2, 0)) if old.num_rows else old
    documents = [_fingerprint_or_error(table) for table in (old, new)]
    if None in documents:
        return
    for document in documents:
        # A document is always valid canonical JSON (no NaN, no infinities as floats).
        assert parse_fingerprint(canonical_json(document), "generated") == document
    try:
        changes = datacouple.diff(*documents)
    except DatacoupleError as error:
        assert "\n" not in str(error) and str(error), repr(error)
        return
    for fmt in FORMATS:
        report = render(changes, fmt, compared=("old", "new"))
        # GitHub annotations are one line per change: none for no change.
        assert report or (fmt == "github" and not changes)


@property_settings(max_examples=60)
@given(table=arrow_tables(min_rows=1))
@example(table=ALL_NULL_STRINGS)
def test_fingerprinting_files_never_crashes(tmp_path_factory, table: pa.Table):
    """The same tables as Parquet and as CSV files (CSV: the flat columns, which it can hold;
    types are then inferred from the text, and "" and sentinels read back as they may)."""
    base = tmp_path_factory.mktemp("files")
    pq.write_table(table, base / "table.parquet")
    paths = [base / "table.parquet"]
    flat = [name for name, kind in zip(table.column_names, table.schema.types, strict=True)
            if not pa.types.is_nested(kind)]
    if flat:
        pcsv.write_csv(table.select(flat), base / "table.csv")
        paths.append(base / "table.csv")
    for path in paths:
        try:
            document = datacouple.fingerprint(path)
        except DatacoupleError as error:
            assert "\n" not in str(error) and str(error), repr(error)
            event(f"{path.suffix} refused: {str(error)[:60]}")
            continue
        if path.suffix == ".parquet":
            assert document["rows"] == table.num_rows
        else:  # a CSV line of one empty field is an empty line, which CSV readers skip
            assert document["rows"] <= table.num_rows
        assert parse_fingerprint(canonical_json(document), str(path)) == document
