"""Dataset directories laid out file for file as Spark (and Databricks' commit protocol) write
them: parts beside `_SUCCESS`, `_committed_*`, `_started_*`, hidden `.crc` checksums and a
leftover `_temporary/` of an aborted attempt."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

JOB = "8a2b3c4d-0000-4000-8000-123456789abc"


def spark_parquet_directory(root: Path, frame, parts: int = 3) -> Path:
    """What `df.write.parquet(root)` leaves on a local or Hadoop file system."""
    root.mkdir(parents=True)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    step = -(-table.num_rows // parts)
    for index in range(parts):
        name = f"part-{index:05d}-{JOB}-c000.snappy.parquet"
        pq.write_table(table.slice(index * step, step), root / name, compression="snappy")
        (root / f".{name}.crc").write_bytes(b"crc\x00\x00\x00\x00\x01" + bytes([index]))
    (root / "_SUCCESS").write_bytes(b"")
    (root / "._SUCCESS.crc").write_bytes(b"crc\x00\x00\x00\x00\x00")
    (root / "_started_5123451234").write_bytes(b"")
    (root / "_committed_5123451234").write_text('{"added":[],"removed":[]}')
    (root / "_temporary" / "0").mkdir(parents=True)
    (root / "_temporary" / "0" / "part-00099.snappy.parquet").write_bytes(b"half written")
    return root
