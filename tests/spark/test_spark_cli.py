"""`datacouple fingerprint PATH --engine spark`, end to end, and its one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import datacouple
from datacouple.cli import main
from datacouple.errors import DatacoupleError

from conformance_tables import edge_table
from engine_agreement import assert_same_fingerprint
from helpers import CLI, assert_one_line_error, run_cli
from public_data import islp_frame


@pytest.fixture()
def hitters_parquet(tmp_path):
    path = tmp_path / "hitters.parquet"
    pq.write_table(pa.Table.from_pandas(islp_frame("Hitters"), preserve_index=False), path)
    return path


def test_cli_spark_engine_writes_the_arrow_engines_fingerprint(spark, tmp_path, hitters_parquet,
                                                              monkeypatch):
    """In-process: the active SparkSession (the suite's) is reused, not replaced or stopped."""
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    for engine in ("arrow", "spark"):
        result = runner.invoke(main, ["fingerprint", str(hitters_parquet), "--engine", engine,
                                      "-o", f"{engine}.json"])
        assert result.exit_code == 0, result.output
    arrow = json.loads((tmp_path / "arrow.json").read_text())
    assert_same_fingerprint(arrow, json.loads((tmp_path / "spark.json").read_text()))
    assert spark.sparkContext._jsc is not None  # still running: the user's session is theirs


def test_cli_starts_and_stops_its_own_spark(spark, tmp_path, hitters_parquet):
    """A fresh process with no session: the CLI starts Spark on --spark-master and stops it."""
    arrow = run_cli("fingerprint", str(hitters_parquet), cwd=tmp_path)
    assert arrow.returncode == 0, arrow.stderr
    result = run_cli("fingerprint", str(hitters_parquet), "--engine", "spark",
                     "--spark-master", "local[1]", cwd=tmp_path, timeout=240)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout == arrow.stdout  # byte for byte: canonical JSON of the same document


def test_csv_is_refused_with_the_way_out(tmp_path):
    path = tmp_path / "table.csv"
    pacsv.write_csv(pa.table({"a": [1, 2], "b": ["x", ""]}), path)
    result = run_cli("fingerprint", str(path), "--engine", "spark", cwd=tmp_path)
    assert_one_line_error(result, "table.csv", "Parquet only", "--engine arrow")


def test_missing_pyspark_is_one_line(tmp_path, hitters_parquet):
    """pyspark made unimportable (`sys.modules[name] = None` is how Python spells absent)."""
    code = ("import sys; sys.modules['pyspark'] = None; from datacouple.cli import main; "
            "sys.argv = ['datacouple', *sys.argv[1:]]; main()")
    result = subprocess.run([sys.executable, "-c", code, "fingerprint", str(hitters_parquet),
                             "--engine", "spark"], cwd=tmp_path, capture_output=True, text=True)
    assert_one_line_error(result, "pip install 'datacouple[spark]'")


def test_missing_java_is_one_line(tmp_path, hitters_parquet):
    env = {key: value for key, value in os.environ.items() if key != "JAVA_HOME"}
    env["PATH"] = str(tmp_path / "no-java-here")
    result = subprocess.run([*CLI, "fingerprint", str(hitters_parquet), "--engine", "spark"],
                            cwd=tmp_path, capture_output=True, text=True, env=env)
    assert_one_line_error(result, "Java runtime", "JAVA_HOME")


def test_api_refuses_what_the_spark_engine_cannot_do():
    table = edge_table(20)
    with pytest.raises(DatacoupleError, match="Spark DataFrame or a Parquet path"):
        datacouple.fingerprint(table, engine="spark")
    with pytest.raises(DatacoupleError, match="unknown engine"):
        datacouple.fingerprint(table, engine="duckdb")
