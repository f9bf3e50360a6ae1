"""Which files of a dataset directory are read as rows, and which files are data at all.

Spark and Hadoop write marker and checksum files beside the parts (`_SUCCESS`, `_committed_*`,
`_started_*`, `.part-*.crc`); pyarrow datasets and Spark skip every name that starts with "_" or
".", and so does the arrow engine. The directories below are laid out file for file as Spark
(and Databricks' commit protocol) lay them out, filled with a real public table.
"""

from __future__ import annotations

import subprocess

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import datacouple
from datacouple.errors import DatacoupleError
from datacouple.profile.format import canonical_json

from helpers import CLI, assert_one_line_error
from public_data import islp_frame
from spark_layout import JOB, spark_parquet_directory


def meaning(document: dict) -> str:
    """The fingerprint without what names the bytes (DVC hash, path, the dataset's name)."""
    return canonical_json({k: v for k, v in document.items()
                           if k not in ("dvc", "path", "dataset", "source_format")})


def test_spark_output_reads_as_the_table_it_holds(tmp_path):
    hitters = islp_frame("Hitters")
    directory = spark_parquet_directory(tmp_path / "hitters", hitters)
    whole = tmp_path / "hitters.parquet"
    hitters.to_parquet(whole, index=False)

    from_spark = datacouple.fingerprint(directory)
    assert from_spark["rows"] == len(hitters)
    assert meaning(from_spark) == meaning(datacouple.fingerprint(whole))
    # The identity is DVC's: every file counts, markers and checksums included.
    assert from_spark["dvc"]["nfiles"] == len([p for p in directory.rglob("*") if p.is_file()])


def test_spark_csv_output_reads_as_the_table_it_holds(tmp_path):
    frame = islp_frame("Credit")
    directory = tmp_path / "credit"
    directory.mkdir()
    half = len(frame) // 2
    for index, part in enumerate((frame.iloc[:half], frame.iloc[half:])):
        name = f"part-{index:05d}-{JOB}-c000.csv"
        part.to_csv(directory / name, index=False)
        (directory / f".{name}.crc").write_bytes(b"crc\x00")
    (directory / "_SUCCESS").write_bytes(b"")
    single = tmp_path / "credit.csv"
    frame.to_csv(single, index=False)
    assert meaning(datacouple.fingerprint(directory)) == meaning(datacouple.fingerprint(single))


def test_a_stray_text_file_is_named_not_called_a_second_format(tmp_path):
    directory = spark_parquet_directory(tmp_path / "hitters", islp_frame("Hitters"))
    (directory / "README.txt").write_text("Hitters, written by the nightly job\n")
    with pytest.raises(DatacoupleError) as error:
        datacouple.fingerprint(directory)
    message = str(error.value)
    assert "README.txt is not a data file" in message
    assert "mixes formats" not in message and "csv" not in message.split("supported")[0]
    # Prefixed as readers expect, the note is skipped like the markers.
    (directory / "README.txt").rename(directory / "_README.txt")
    assert datacouple.fingerprint(directory)["rows"] == len(islp_frame("Hitters"))


def test_a_directory_that_really_mixes_formats_names_the_odd_file(tmp_path):
    directory = spark_parquet_directory(tmp_path / "hitters", islp_frame("Hitters"))
    islp_frame("Hitters").head(10).to_csv(directory / "late-fix.csv", index=False)
    with pytest.raises(DatacoupleError) as error:
        datacouple.fingerprint(directory)
    assert str(error.value) == (
        f"{directory}: mixes formats: 3 parquet file(s), but late-fix.csv is csv; keep one "
        "format per dataset directory")


def test_hive_partition_directories_are_still_read(tmp_path):
    # The quiet counterpart of skipping "_" and "." names: partition directories are data.
    frame = islp_frame("Credit")
    directory = tmp_path / "credit"
    pq.write_to_dataset(pa.Table.from_pandas(frame, preserve_index=False), directory,
                        partition_cols=["Ethnicity"])
    (directory / "_SUCCESS").write_bytes(b"")
    document = datacouple.fingerprint(directory)
    assert document["rows"] == len(frame)
    assert "Ethnicity" in [c["name"] for c in document["columns"]]


def test_a_txt_file_is_not_silently_a_one_column_csv(tmp_path):
    text = tmp_path / "notes.txt"
    islp_frame("Credit").to_csv(text, index=False)  # CSV content, but named .txt
    result = subprocess.run([*CLI, "fingerprint", str(text)], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert_one_line_error(result, "notes.txt", "not read as data", "rename it to .csv",
                          ".parquet", ".arrow/.feather")
    # Named for what it is, the same bytes are a table.
    renamed = text.rename(tmp_path / "notes.csv")
    assert len(datacouple.fingerprint(renamed)["columns"]) == islp_frame("Credit").shape[1]


def test_compressed_csv_is_still_csv(tmp_path):
    frame = islp_frame("Credit")
    path = tmp_path / "credit.csv.gz"
    frame.to_csv(path, index=False, compression="gzip")
    assert datacouple.fingerprint(path)["rows"] == len(frame)
