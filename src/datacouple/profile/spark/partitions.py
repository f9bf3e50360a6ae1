"""What runs on the executors: one partition's record batches -> one serialized TableProfile.

The batches Spark hands over are cast to the target Arrow schema first (Spark has no unsigned
integers, reads timestamps in its session time zone, spells list items `element`), so the
arrow engine's profilers see exactly the types the arrow engine sees, and produce the same
state. An empty partition still yields its (empty) state: the merge then needs no special case.
"""

from __future__ import annotations

import base64
import json
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
    """JSON (never pickle: the driver would run whatever a forged state told it to), with the
    few values JSON lacks tagged: bytes (the exact domain of a binary column), dicts whose
    keys are not strings (booleans, numbers, bytes). zlib shrinks the mostly-empty
    HyperLogLog registers of small partitions."""
    text = json.dumps(_tagged(state), separators=(",", ":"), allow_nan=True)
    return zlib.compress(text.encode("utf-8"), 1)


def decode_state(blob: bytes) -> dict:
    return _untagged(json.loads(zlib.decompress(blob).decode("utf-8")))


_BYTES, _PAIRS = "__bytes__", "__pairs__"


def _tagged(value):
    if isinstance(value, bytes):
        return {_BYTES: base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        plain = all(isinstance(key, str) for key in value) and not (
            len(value) == 1 and next(iter(value)) in (_BYTES, _PAIRS))
        if plain:
            return {key: _tagged(item) for key, item in value.items()}
        return {_PAIRS: [[_tagged(key), _tagged(item)] for key, item in value.items()]}
    if isinstance(value, list | tuple):
        return [_tagged(item) for item in value]
    return value


def _untagged(value):
    if isinstance(value, dict):
        if len(value) == 1 and _BYTES in value:
            return base64.b64decode(value[_BYTES])
        if len(value) == 1 and _PAIRS in value:
            return {_hashable(_untagged(key)): _untagged(item) for key, item in value[_PAIRS]}
        return {key: _untagged(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_untagged(item) for item in value]
    return value


def _hashable(key):
    return tuple(key) if isinstance(key, list) else key
