"""The spark engine gives the arrow engine's fingerprint: whole documents compared field by
field (documents.py), over generated edge-case tables and real public tables, at several
partitionings, for Spark DataFrames and for Parquet files and directories that Spark reads."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import datacouple

from conformance_tables import GENERATED, edge_table, file_only_table
from engine_agreement import assert_same_fingerprint, differences
from public_data import grunfeld_table, islp_frame, statecrime_table

PARTITIONINGS = (1, 3, 7)


def _frame(spark, table: pa.Table, partitions: int):
    frame = spark.createDataFrame(table)
    return frame.coalesce(1) if partitions == 1 else frame.repartition(partitions)


@pytest.fixture(scope="module")
def generated_references(spark):
    """Per table: its DataFrame and the arrow engine's fingerprint of that DataFrame's rows
    (`toArrow()`: the same rows with the types Spark gives them)."""
    references = {}
    for name, build in GENERATED.items():
        frame = spark.createDataFrame(build())
        references[name] = (build(), datacouple.fingerprint(frame.toArrow()))
    return references


@pytest.mark.parametrize("partitions", PARTITIONINGS)
@pytest.mark.parametrize("name", sorted(GENERATED))
def test_dataframe_matches_the_arrow_engine(spark, generated_references, name, partitions):
    table, expected = generated_references[name]
    frame = _frame(spark, table, partitions)
    assert frame.rdd.getNumPartitions() == partitions
    assert_same_fingerprint(expected, datacouple.fingerprint(frame))


def _write_parts(table: pa.Table, directory, parts: int):
    """A directory as Spark writes it: part files, `_SUCCESS`, a hidden file."""
    directory.mkdir()
    step = max(1, -(-table.num_rows // parts))
    for index in range(parts):
        name = f"part-{index:05d}-c000.snappy.parquet"
        pq.write_table(table.slice(index * step, step), directory / name)
        # (no fake `.crc` files: Hadoop verifies a real one against its data file)
    (directory / "_SUCCESS").write_bytes(b"")
    (directory / ".DS_Store").write_bytes(b"\x00\x01")
    return directory


@pytest.mark.parametrize("name", [*sorted(GENERATED), "file_only"])
def test_parquet_paths_match_the_arrow_engine(spark, tmp_path, name):
    """A single file and a directory of part files: the files' own Arrow schema (unsigned
    integers, millisecond and zoned timestamps, dictionaries, maps that Spark reads
    otherwise), the same DVC identity, the same location."""
    table = file_only_table() if name == "file_only" else GENERATED[name]()
    single = tmp_path / f"{name}.parquet"
    pq.write_table(table, single)
    parts = _write_parts(table, tmp_path / f"{name}_parts", 3)
    for path in (single, parts):
        expected = datacouple.fingerprint(path, repo_root=tmp_path)
        actual = datacouple.fingerprint(path, engine="spark", repo_root=tmp_path)
        assert actual["dvc"] is not None and actual["source_format"] == "parquet"
        assert_same_fingerprint(expected, actual)
    # The settings the job needed (nanoseconds as integers) are the session's own again.
    assert spark.conf.get("spark.sql.legacy.parquet.nanosAsLong", None) is None
    assert spark.conf.get("spark.sql.execution.arrow.maxRecordsPerBatch") == "64"


def test_hive_partitioned_directory_matches(spark, tmp_path):
    table = edge_table(200).select(["i16", "f64", "word"]).append_column(
        "region", pa.array(["north", "south", "east", "west"] * 50))
    pq.write_to_dataset(table, tmp_path / "hive", partition_cols=["region"])
    expected = datacouple.fingerprint(tmp_path / "hive", repo_root=tmp_path)
    assert [c["name"] for c in expected["columns"]][-1] == "region"
    assert_same_fingerprint(
        expected, datacouple.fingerprint(tmp_path / "hive", engine="spark", repo_root=tmp_path))


PUBLIC = {
    "Hitters": lambda: pa.Table.from_pandas(islp_frame("Hitters"), preserve_index=False),
    "Credit": lambda: pa.Table.from_pandas(islp_frame("Credit"), preserve_index=False),
    "Wage": lambda: pa.Table.from_pandas(islp_frame("Wage"), preserve_index=False),
    "Default": lambda: pa.Table.from_pandas(islp_frame("Default"), preserve_index=False),
    "grunfeld": grunfeld_table,
    "statecrime": statecrime_table,
}


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_public_tables_match(spark, tmp_path, name):
    table = PUBLIC[name]()
    parts = _write_parts(table, tmp_path / name, 3)
    assert_same_fingerprint(datacouple.fingerprint(parts, repo_root=tmp_path),
                            datacouple.fingerprint(parts, engine="spark", repo_root=tmp_path))
    frame = spark.read.parquet(str(parts)).repartition(3)
    assert_same_fingerprint(datacouple.fingerprint(frame.toArrow()), datacouple.fingerprint(frame))


def test_the_comparison_fails_on_any_disagreement():
    """The helper the suite relies on is not blind: one count, one category, one bucket, a
    moment beyond tolerance each make a difference; a moment within tolerance does not."""
    document = datacouple.fingerprint(edge_table(100))
    column = {c["name"]: c for c in document["columns"]}
    for mutate in (
        lambda d: d["columns"][0]["missing"].__setitem__("null", 99),
        lambda d: d["columns"][9]["categories"].__setitem__("extra", 1),
        lambda d: d["columns"][5]["numeric"]["sketch"].__setitem__("zeros", 3),
        lambda d: d["columns"][5]["numeric"].__setitem__(
            "mean", column["f64"]["numeric"]["mean"] * (1 + 1e-7)),
        lambda d: d.__setitem__("structural_hash", "0" * 64),
    ):
        changed = json.loads(json.dumps(document))
        mutate(changed)
        assert differences(document, changed)
    nudged = json.loads(json.dumps(document))
    nudged["columns"][5]["numeric"]["mean"] = column["f64"]["numeric"]["mean"] * (1 + 1e-12)
    assert differences(document, nudged) == []


def test_declared_schema_validates_in_the_same_pass(spark, tmp_path):
    """With a Pandera schema, executors validate each batch too: the same failure counts and
    schema section as the arrow engine (value checks, a domain check, a declared dtype the data
    does not have), over three part files and a DataFrame in three partitions."""
    import pandera.pandas as pandera

    table = grunfeld_table()
    invest = table.column("invest").to_pylist()
    for row in (0, 99, 100, 101, 219):
        invest[row] = -3.5
    table = table.set_column(table.schema.get_field_index("invest"), "invest",
                             pa.array(invest, pa.float64()))
    schema = pandera.DataFrameSchema({
        "invest": pandera.Column(float, pandera.Check.ge(0)),
        "firm": pandera.Column(str, pandera.Check.isin(["General Motors", "US Steel"])),
        "year": pandera.Column(float, pandera.Check.in_range(1935, 1950)),
    })
    parts = _write_parts(table, tmp_path / "grunfeld", 3)
    expected = datacouple.fingerprint(parts, schema=schema, repo_root=tmp_path)
    assert not expected["validation"]["valid"]
    assert_same_fingerprint(expected, datacouple.fingerprint(parts, schema=schema,
                                                             engine="spark", repo_root=tmp_path))
    frame = spark.read.parquet(str(parts)).repartition(3)
    assert_same_fingerprint(datacouple.fingerprint(frame.toArrow(), schema=schema),
                            datacouple.fingerprint(frame, schema=schema))


def test_a_dataframe_without_partitions_is_a_zero_row_fingerprint(spark):
    """No partition, so no state at all reaches the driver: still the zero-row document."""
    frame = spark.sparkContext.emptyRDD().toDF("flag boolean, word string, at timestamp")
    assert frame.rdd.getNumPartitions() == 0
    document = datacouple.fingerprint(frame)
    assert document["rows"] == 0 and [c["count"] for c in document["columns"]] == [0, 0, 0]
    assert_same_fingerprint(datacouple.fingerprint(frame.toArrow()), document)
