"""Inputs made to exhaust time or memory: a header of 100,000 columns, a single 100 MB value.
Each meets a documented cap of `[fingerprint]` (max_columns, max_value_bytes; and CSV rows up
to the reader's 4 MiB block) and is refused in one line that says how to raise it, in
bounded time and memory, with nothing written. Raising the cap lets the same table through."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hostile import assert_nothing_written, assert_refused, run_measured, snapshot

from datacouple.config import DEFAULT_MAX_COLUMNS, DEFAULT_MAX_VALUE_BYTES
from datacouple.profile.arrow import limits

from helpers import run_cli
from public_data import hitters_features

WIDE = 100_000
HUGE = 100 * 1024 * 1024
# What refusing may cost: the Parquet footer of 100,000 columns is parsed before the count is
# known (~300 MiB); a 100 MB value is decoded once before it is measured.
PEAK_MIB = 600
SECONDS = 60  # generous: the machine running the tests may be busy


def test_the_defaults_are_one_number():
    assert DEFAULT_MAX_COLUMNS == limits.DEFAULT_MAX_COLUMNS > 5_000  # tests/profile: 5,000
    assert DEFAULT_MAX_VALUE_BYTES == limits.DEFAULT_MAX_VALUE_BYTES


def _refused_in_bounds(root: Path, data: str, *fragments: str) -> None:
    before = snapshot(root)
    result, seconds, peak_mib = run_measured("fingerprint", data, "-o", "out.json", cwd=root)
    assert_refused(result, data, *fragments)
    assert_nothing_written(before, root)
    assert seconds < SECONDS and peak_mib < PEAK_MIB, (seconds, peak_mib)


def test_a_csv_header_of_100000_columns(tmp_path: Path):
    (tmp_path / "wide.csv").write_text(",".join(f"c{i}" for i in range(WIDE)) + "\n"
                                       + ",".join(["1"] * WIDE) + "\n")
    _refused_in_bounds(tmp_path, "wide.csv", "100,000 columns", "max_columns = 10,000",
                       "raise max_columns in datacouple.toml")


def test_a_parquet_file_of_100000_columns(tmp_path: Path):
    column = pa.array([1], pa.int8())
    table = pa.table([column] * WIDE, names=[f"c{i}" for i in range(WIDE)])
    pq.write_table(table, tmp_path / "wide.parquet", compression="NONE", write_statistics=False,
                   store_schema=False, use_dictionary=False)
    del table
    _refused_in_bounds(tmp_path, "wide.parquet", "100,000 columns", "max_columns")


def test_a_single_100_mb_value_in_parquet(tmp_path: Path):
    pq.write_table(pa.table({"id": [1, 2], "text": ["x" * HUGE, "short"]}),
                   tmp_path / "huge.parquet", compression="zstd")
    _refused_in_bounds(tmp_path, "huge.parquet", "'text'", "104,857,600 bytes",
                       "max_value_bytes = 16,777,216", "raise max_value_bytes")


def test_a_single_100_mb_value_in_csv(tmp_path: Path):
    with (tmp_path / "huge.csv").open("w") as out:
        out.write("id,text\n1,")
        out.write("x" * HUGE)
        out.write("\n2,short\n")
    _refused_in_bounds(tmp_path, "huge.csv", "longer than 4 MiB", "Parquet")


@pytest.mark.parametrize(("setting", "low", "high", "says"), [
    ("max_columns", 3, 7, "7 columns, more than [fingerprint] max_columns = 3"),
    ("max_value_bytes", 1000, 5000, "a value of 2,000 bytes"),
])
def test_each_cap_is_a_setting_and_raising_it_lets_the_table_through(
        tmp_path: Path, setting: str, low: int, high: int, says: str):
    features = hitters_features()  # 7 columns, of real data
    features.loc[0, "League"] = "L" * 2000
    features.to_parquet(tmp_path / "features.parquet", index=False)
    config = tmp_path / "datacouple.toml"
    config.write_text(f"[fingerprint]\n{setting} = {low}\n")
    before = snapshot(tmp_path)
    refused = run_cli("fingerprint", "features.parquet", "-o", "out.json", cwd=tmp_path)
    assert_refused(refused, says, f"raise {setting}")
    assert_nothing_written(before, tmp_path)
    config.write_text(f"[fingerprint]\n{setting} = {high}\n")
    allowed = run_cli("fingerprint", "features.parquet", "-o", "out.json", cwd=tmp_path)
    assert allowed.returncode == 0, allowed.stderr
    # Under the cap a long value is profiled as any other, and the fingerprint (which keeps
    # this low-cardinality column's domain) stays as small as the cap makes it.
    assert (tmp_path / "out.json").stat().st_size < 200_000


@pytest.mark.parametrize("value", ['"many"', "0", "-5", "true"])
def test_a_cap_that_is_no_positive_integer_is_refused(tmp_path: Path, value: str):
    (tmp_path / "datacouple.toml").write_text(f"[fingerprint]\nmax_columns = {value}\n")
    hitters_features().to_parquet(tmp_path / "features.parquet", index=False)
    before = snapshot(tmp_path)
    result = run_cli("fingerprint", "features.parquet", "-o", "out.json", cwd=tmp_path)
    assert_refused(result, "datacouple.toml", "fingerprint.max_columns must be a positive integer")
    assert_nothing_written(before, tmp_path)
