"""What runs on the executors: one partition's record batches -> one serialized TableProfile.

The batches Spark hands over are cast to the target Arrow schema first (Spark has no unsigned
integers, reads timestamps in its session time zone, spells list items `element`), so the
arrow engine's profilers see exactly the types the arrow engine sees, and produce the same
state. An empty partition still yields its (empty) state: the merge then needs no special case.
"""

from __future__ import annotations

import pickle
import zlib
from collections.abc import Iterator

import pyarrow as pa

from ..arrow.table import TableProfile

STATE_COLUMN = "state"
STATE_SCHEMA = f"{STATE_COLUMN} binary"


class PartitionProfiler:
    """The function given to `DataFrame.mapInArrow`: a picklable object (shipped to executors
    by reference to this module, which they must be able to import), not a closure."""

    def __init__(self, schema: pa.Schema, max_categories: int) -> None:
        self.schema = schema
        self.max_categories = max_categories

    def __call__(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        profile = TableProfile(self.schema, self.max_categories)
        for batch in batches:
            if batch.num_rows:
                profile.update(conform(batch, self.schema))
        yield pa.RecordBatch.from_arrays(
            [pa.array([encode_state(profile.to_state())], pa.binary())], names=[STATE_COLUMN])


def conform(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    """The batch with the target's types, column for column (Spark selected them in order)."""
    arrays = [
        column if column.type == field.type else column.cast(field.type)
        for column, field in zip(batch.columns, schema, strict=True)
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def encode_state(state: dict) -> bytes:
    # pickle keeps the state exactly as to_state() built it (bytes keys of binary columns,
    # ints past 2**63); zlib shrinks the mostly-empty HyperLogLog registers of small partitions.
    return zlib.compress(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL), 1)


def decode_state(blob: bytes) -> dict:
    return pickle.loads(zlib.decompress(blob))
