"""The caps that keep hostile or accidental inputs from exhausting time and memory: the number
of columns (checked before the data is decoded) and the size of one value. Both are settings of
`[fingerprint]` in datacouple.toml; going past one is bad input (exit 2) that says how to raise
the cap, never a hang.

Why caps and not "just profile it": a profiler per column costs memory whatever the row count
(a 100,000-column CSV took 70 s and 1.7 GB), and a fingerprint stores a low-cardinality
column's values, so one 100 MB value would be copied into the fingerprint and its diff.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from ...errors import DatacoupleError

DEFAULT_MAX_COLUMNS = 10_000  # the wide-table tests fingerprint 5,000 in bounded memory
DEFAULT_MAX_VALUE_BYTES = 16 << 20
_HEADER_READ_LIMIT = 64 << 20  # a header line longer than this is refused unread
_FLAT_BINARY = (pa.types.is_string, pa.types.is_large_string, pa.types.is_binary,
                pa.types.is_large_binary)


def require_columns_within(where: str | Path, count: int, max_columns: int) -> None:
    if count > max_columns:
        raise DatacoupleError(
            f"{where}: {count:,} columns, more than [fingerprint] max_columns = {max_columns:,};"
            f" if the table really is that wide, raise max_columns in datacouple.toml (memory "
            "grows with the number of columns)"
        )


def csv_header_width(path: Path, delimiter: str) -> int:
    """The number of fields in a CSV file's header line, read without Arrow's type inference
    (which, on 100,000 columns, costs seconds and most of a gigabyte before any check)."""
    line = b""
    try:
        with pa.input_stream(str(path), compression="detect") as stream:
            while b"\n" not in line and len(line) < _HEADER_READ_LIMIT:
                chunk = stream.read(1 << 20)
                if not chunk:
                    break
                line += chunk
    except (OSError, pa.ArrowInvalid) as error:  # e.g. a .csv.gz that is no gzip stream
        raise DatacoupleError(f"{path}: cannot read the CSV ({error}); is the file whole, and "
                              "compressed as its name says?") from None
    header = line.split(b"\n", 1)[0].decode("utf-8", errors="replace")
    return len(next(csv.reader([header], delimiter=delimiter), []))


def require_values_within(batch: pa.RecordBatch, where: str, max_value_bytes: int) -> None:
    """Refuse a batch holding one string or binary value longer than the cap. A column whose
    whole data buffer is smaller than the cap cannot hold such a value, so most batches cost
    one size lookup per column."""
    for name, array in zip(batch.schema.names, batch.columns, strict=True):
        if not any(is_type(array.type) for is_type in _FLAT_BINARY):
            continue
        buffers = array.buffers()
        if buffers[2] is None or buffers[2].size <= max_value_bytes:
            continue
        longest = pc.max(pc.binary_length(array)).as_py() or 0
        if longest > max_value_bytes:
            raise DatacoupleError(
                f"{where}: column {name!r} holds a value of {longest:,} bytes, more than "
                f"[fingerprint] max_value_bytes = {max_value_bytes:,}; if the column is meant "
                "to hold such values, raise max_value_bytes in datacouple.toml"
            )
