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
    by reference to this module, which they must be able to import), not a closure.

    With a declared schema it also validates each batch (pandera on the executor), exactly as
    the arrow engine's pass does, and ships the validator's mergeable state alongside.
    """

    def __init__(self, schema: pa.Schema, max_categories: int, declared=None,
                 type_mismatches: tuple = ()) -> None:
        self.schema = schema
        self.max_categories = max_categories
        self.declared = declared
        self.type_mismatches = type_mismatches

    def __call__(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        profile = TableProfile(self.schema, self.max_categories)
        validator, checked = self._validator()
        for batch in batches:
            if batch.num_rows:
                batch = conform(batch, self.schema)
                profile.update(batch)
                if validator is not None:
                    validator.validate(batch.select(checked).to_pandas())
        state = {"profile": profile.to_state(),
                 "validation": None if validator is None else validator.state()}
        yield pa.RecordBatch.from_arrays([pa.array([encode_state(state)], pa.binary())],
                                         names=[STATE_COLUMN])

    def _validator(self):
        if self.declared is None:
            return None, []
        from ...schema.validation import BatchValidator  # pandera: only when a schema is declared

        checked = [c for c in self.declared.columns if c in self.schema.names]
        return BatchValidator(self.declared, self.type_mismatches), checked


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
