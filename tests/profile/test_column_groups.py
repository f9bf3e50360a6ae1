"""Wide Parquet read one group of columns at a time (profile/arrow/column_groups.py): the same
fingerprint, byte for byte, as reading every column at once; memory bounded by the group."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pandera.pandas as pandera
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import datacouple
from datacouple.profile.arrow import column_groups
from datacouple.profile.arrow.sources import open_source
from datacouple.profile.format import canonical_json

ROWS = 3_000


def every_type_table(rows: int = ROWS, seed: int = 0) -> pa.Table:
    """Columns of every kind the profilers tell apart, each with nulls, repeated three times
    so that groups can cut anywhere."""
    rng = np.random.default_rng(seed)
    nulls = rng.random(rows) < 0.1
    codes = np.array(["a", "b", "", "NA", "ü"], dtype=object)
    columns: dict[str, pa.Array] = {}
    for k in range(3):
        floats = rng.normal(size=rows)
        floats[rng.random(rows) < 0.02] = np.nan
        columns |= {
            f"i64_{k}": pa.array(rng.integers(-500, 500, rows), mask=nulls),
            f"f64_{k}": pa.array(floats, mask=rng.random(rows) < 0.05),
            f"i32_{k}": pa.array(rng.integers(0, 9, rows).astype(np.int32)),
            f"f32_{k}": pa.array(rng.normal(size=rows).astype(np.float32)),
            f"ts_{k}": pa.array(rng.integers(1.6e15, 1.7e15, rows).astype("datetime64[us]"),
                                pa.timestamp("us", tz="UTC")),
            f"naive_{k}": pa.array(rng.integers(1.6e15, 1.7e15, rows).astype("datetime64[us]")),
            f"flag_{k}": pa.array(rng.random(rows) < 0.3, mask=rng.random(rows) < 0.05),
            f"code_{k}": pa.array(rng.choice(codes, rows), mask=nulls),  # dictionary pages
            f"id_{k}": pa.array([f"user-{v:07d}" for v in rng.integers(0, 10**7, rows)]),
            f"dec_{k}": pa.array([None if n else Decimal(int(v)).scaleb(-2) for n, v in
                                  zip(nulls, rng.integers(-10**5, 10**5, rows), strict=True)],
                                 pa.decimal128(9, 2)),
            f"tags_{k}": pa.array([None if n else ["x"] * int(v) for n, v in
                                   zip(nulls, rng.integers(0, 4, rows), strict=True)]),
            f"point_{k}": pa.array([{"x": float(v), "label": str(v % 7)}
                                    for v in rng.integers(0, 100, rows)]),
        }
    return pa.table(columns)


def fingerprint_with_budget(monkeypatch, path: Path, budget: int, **options) -> dict:
    monkeypatch.setattr(column_groups, "GROUP_BUDGET_BYTES", budget)
    return datacouple.fingerprint(path, name="t", **options)


def groups_with_budget(monkeypatch, path: Path, budget: int, together=()) -> list[list[str]]:
    monkeypatch.setattr(column_groups, "GROUP_BUDGET_BYTES", budget)
    return open_source(path, together=list(together)).groups


@pytest.fixture
def wide_file(tmp_path: Path) -> Path:
    path = tmp_path / "wide.parquet"
    pq.write_table(every_type_table(), path, row_group_size=1_000)  # three row groups
    return path


def test_grouped_fingerprint_is_byte_identical_to_reading_every_column_at_once(
        wide_file, monkeypatch):
    whole = fingerprint_with_budget(monkeypatch, wide_file, 1 << 40)
    assert len(groups_with_budget(monkeypatch, wide_file, 1 << 40)) == 1
    for budget in (1, 200_000):  # a column a group; a few columns a group
        groups = groups_with_budget(monkeypatch, wide_file, budget)
        assert len(groups) > 1, budget
        assert [n for g in groups for n in g] == every_type_table(10).column_names
        grouped = fingerprint_with_budget(monkeypatch, wide_file, budget)
        assert canonical_json(grouped) == canonical_json(whole), budget
    assert whole["rows"] == ROWS


def test_declared_columns_travel_in_the_first_group_and_validate_the_same(
        wide_file, monkeypatch):
    schema = pandera.DataFrameSchema({
        "f64_2": pandera.Column(float, pandera.Check.ge(0), nullable=True),
        "code_1": pandera.Column(str, pandera.Check.isin(["a", "b"]), nullable=False),
        "i64_0": pandera.Column(int, pandera.Check.le(400), nullable=True, coerce=True),
    })
    groups = groups_with_budget(monkeypatch, wide_file, 1, together=["code_1", "f64_2", "i64_0"])
    assert groups[0] == ["i64_0", "code_1", "f64_2"]  # the first column, the declared ones
    assert len(groups) == len(every_type_table(10).column_names) - 2

    whole = fingerprint_with_budget(monkeypatch, wide_file, 1 << 40, schema=schema)
    grouped = fingerprint_with_budget(monkeypatch, wide_file, 1, schema=schema)
    assert whole["validation"]["valid"] is False  # the checks do fail, in all three columns
    assert {f["column"] for f in whole["validation"]["failures"]} >= {"f64_2", "code_1", "i64_0"}
    assert canonical_json(grouped) == canonical_json(whole)

    monkeypatch.setattr(column_groups, "GROUP_BUDGET_BYTES", 1 << 40)
    validated_whole = datacouple.validate(wide_file, schema)
    monkeypatch.setattr(column_groups, "GROUP_BUDGET_BYTES", 1)
    assert datacouple.validate(wide_file, schema) == validated_whole
    assert validated_whole["failures"][0].get("examples")


def test_directory_of_files_with_a_partition_key_groups_the_same(tmp_path, monkeypatch):
    table = every_type_table(2_400, seed=3)
    for part, (start, stop) in {"a": (0, 1000), "b": (1000, 1700), "c": (1700, 2400)}.items():
        (tmp_path / "data" / f"part={part}").mkdir(parents=True)
        pq.write_table(table.slice(start, stop - start),
                       tmp_path / "data" / f"part={part}" / "0.parquet", row_group_size=400)
    directory = tmp_path / "data"
    assert len(groups_with_budget(monkeypatch, directory, 1 << 40)) == 1
    groups = groups_with_budget(monkeypatch, directory, 100_000, together=["part"])
    assert len(groups) > 1 and "part" in groups[0]
    whole = fingerprint_with_budget(monkeypatch, directory, 1 << 40)
    grouped = fingerprint_with_budget(monkeypatch, directory, 100_000)
    assert canonical_json(grouped) == canonical_json(whole)
    assert grouped["rows"] == 2_400


def test_zero_rows_and_zero_columns(tmp_path, monkeypatch):
    empty = tmp_path / "empty.parquet"
    pq.write_table(every_type_table(0), empty)
    no_columns = tmp_path / "no-columns.parquet"
    pq.write_table(pa.table({"x": range(7)}).drop_columns(["x"]), no_columns)
    # pyarrow writes a zero-column table as a file of no rows; in memory it keeps them.
    for path, rows in ((empty, 0), (no_columns, 0)):
        whole = fingerprint_with_budget(monkeypatch, path, 1 << 40)
        grouped = fingerprint_with_budget(monkeypatch, path, 1)
        assert canonical_json(grouped) == canonical_json(whole)
        assert grouped["rows"] == rows
    assert datacouple.fingerprint(pa.table({"x": range(7)}).drop_columns(["x"]))["rows"] == 7


def test_a_narrow_table_in_large_row_groups_is_one_group(tmp_path):
    """The bench's narrow shape (10 columns, 1Mi-row row groups, ~20 MiB of estimate) is read
    exactly as before: one group of every column, with the default budget."""
    rows = 1_000_000
    rng = np.random.default_rng(1)
    table = pa.table({
        "id": np.arange(rows), "user": pa.array(rng.integers(0, 10**7, rows)).cast(pa.string()),
        "country": pa.array(rng.integers(0, 20, rows)).cast(pa.string()),
        "segment": pa.array(rng.integers(0, 5, rows)).cast(pa.string()),
        "amount": rng.lognormal(size=rows), "quantity": rng.poisson(3, rows).astype(np.int32),
        "score": rng.random(rows).astype(np.float32),
        "event_time": pa.array(np.arange(rows).astype("datetime64[s]")),
        "active": rng.random(rows) < 0.5,
        "comment": pa.array(rng.integers(0, 50_000, rows)).cast(pa.string()),
    })
    path = tmp_path / "narrow.parquet"
    pq.write_table(table, path)
    assert open_source(path, together=[]).groups == [table.column_names]


def test_groups_only_when_asked_and_when_names_are_unique(wide_file, tmp_path, monkeypatch):
    monkeypatch.setattr(column_groups, "GROUP_BUDGET_BYTES", 1)
    assert len(open_source(wide_file).groups) == 1  # other callers get whole batches
    names = ["a", "b", "a"]  # a batch's columns are matched by name: read whole
    duplicated = tmp_path / "duplicated.parquet"
    pq.write_table(pa.table([pa.array(range(5))] * 3, names=names), duplicated)
    assert open_source(duplicated, together=[]).groups == [names]


def dotted_table(rows: int = 500) -> pa.Table:
    """Dotted names (what pandas' json_normalize writes), one of them the path of a struct's
    child: pyarrow resolves `s.x` by name to both, so a group is selected by leaf index."""
    rng = np.random.default_rng(7)
    return pa.table({
        "a": pa.array(rng.integers(0, 9, rows)),
        "a.b": pa.array(rng.normal(size=rows)),
        "s": pa.array([{"x": int(v), "y": f"y{v % 3}"} for v in rng.integers(0, 50, rows)]),
        "s.x": pa.array([f"id-{v}" for v in rng.integers(0, 10**6, rows)]),
        "s.y.z": pa.array(rng.random(rows) < 0.5),
        "t": pa.array(rng.integers(-5, 5, rows).astype(np.int32)),
    })


@pytest.mark.parametrize("layout", ["file", "directory"])
def test_dotted_names_are_grouped_and_read_the_same(tmp_path, monkeypatch, layout):
    table = dotted_table()
    if layout == "file":
        path = tmp_path / "dotted.parquet"
        pq.write_table(table, path, row_group_size=200)
    else:
        path = tmp_path / "dotted"
        path.mkdir()
        pq.write_table(table.slice(0, 300), path / "part-0.parquet", row_group_size=200)
        pq.write_table(table.slice(300), path / "part-1.parquet", row_group_size=200)
    groups = groups_with_budget(monkeypatch, path, 1)
    assert groups == [[name] for name in table.column_names]
    read = [b.schema.names for b in open_source(path, together=[]).batches()]
    assert [names for k, names in enumerate(read) if k == 0 or names != read[k - 1]] == groups
    whole = fingerprint_with_budget(monkeypatch, path, 1 << 40)
    assert canonical_json(fingerprint_with_budget(monkeypatch, path, 1)) == canonical_json(whole)
    assert [c["name"] for c in whole["columns"]] == table.column_names


@pytest.mark.parametrize("budget", [1 << 40, 200_000, 1])  # one group, a few, one a column
def test_progress_counts_every_row_once_however_the_columns_are_grouped(
        wide_file, monkeypatch, budget):
    """A grouped read passes over the rows once per group: the bar moves by the share of the
    table's cells each batch holds, so it ends on the row count, never past it."""
    from contextlib import contextmanager

    from datacouple.profile import api

    advances: list[int] = []

    class Recorder:
        def advance(self, rows: int) -> None:
            advances.append(rows)

    @contextmanager
    def recording(label, total_rows, enabled=None):
        assert total_rows == ROWS
        yield Recorder()

    monkeypatch.setattr(api, "row_progress", recording)
    fingerprint_with_budget(monkeypatch, wide_file, budget)
    groups = groups_with_budget(monkeypatch, wide_file, budget)
    assert sum(advances) == ROWS
    assert min(advances) >= 0
    assert len(advances) >= len(groups)  # batches of every group moved it
