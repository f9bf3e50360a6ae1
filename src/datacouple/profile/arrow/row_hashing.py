"""One stable 64-bit hash per row of any Arrow array, nested ones included, for the distinct
count of list, struct and map columns.

Scalars hash as in hashing.py; a list hashes its elements' hashes mixed with their positions (so
[1, 2] and [2, 1] differ), a struct its fields' hashes mixed with their order, a map its entries
as a list of (key, value) structs. Nulls hash to one fixed word. Like hashing.py, this is our own
arithmetic, so the hashes are the same on every machine and library version.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .arrays import string_buffers, to_numpy, valid_mask
from .hashing import _MIX1, _MIX2, hash_numeric, hash_utf8, splitmix64

_NULL = np.uint64(0x6A09E667F3BCC908)  # any fixed word: the hash of a null


def map_as_list(array: pa.Array) -> pa.Array:
    """A map array as the list<struct<key, value>> it is (slices kept right, unlike `.keys`)."""
    entries = pa.struct([array.type.key_field, array.type.item_field])
    return array.cast(pa.list_(entries))


def hash_rows(array: pa.Array) -> np.ndarray:
    """A uint64 hash per slot of the array (nulls included, as _NULL)."""
    kind = array.type
    if pa.types.is_dictionary(kind):
        return hash_rows(array.dictionary_decode())
    if pa.types.is_null(kind) or len(array) == 0:
        return np.full(len(array), _NULL, dtype=np.uint64)
    if pa.types.is_map(kind):
        return hash_rows(map_as_list(array))
    if _is_list(kind):
        hashes = _hash_lists(array)
    elif pa.types.is_struct(kind):
        hashes = _hash_structs(array)
    elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
        hashes = hash_utf8(*string_buffers(array))
    elif pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
        hashes = hash_utf8(*_binary_buffers(array.cast(pa.large_binary())))
    elif pa.types.is_boolean(kind):
        hashes = hash_numeric(_raw_bits(array).astype(np.int64))
    elif pa.types.is_integer(kind) or pa.types.is_floating(kind):
        hashes = hash_numeric(_raw_values(array))
    elif pa.types.is_temporal(kind) and kind.bit_width in (32, 64):
        hashes = hash_numeric(_raw_values(array.view(
            pa.int32() if kind.bit_width == 32 else pa.int64())))
    elif pa.types.is_decimal(kind):
        hashes = hash_numeric(_raw_values(array.cast(pa.float64())))
    else:  # string views, intervals, ...: through their text, when Arrow can write it
        try:
            hashes = hash_utf8(*string_buffers(array.cast(pa.large_string())))
        except (pa.ArrowNotImplementedError, pa.ArrowInvalid):  # unions: all alike
            hashes = np.full(len(array), _NULL, dtype=np.uint64)
    if array.null_count:
        hashes = np.where(valid_mask(array), hashes, _NULL)
    return hashes


def _is_list(kind: pa.DataType) -> bool:
    return (pa.types.is_list(kind) or pa.types.is_large_list(kind)
            or pa.types.is_fixed_size_list(kind) or _is_list_view(kind))


def _is_list_view(kind: pa.DataType) -> bool:
    check = getattr(pa.types, "is_list_view", None)
    large = getattr(pa.types, "is_large_list_view", None)
    return bool((check and check(kind)) or (large and large(kind)))


def _binary_buffers(array: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    _, offsets, data = array.buffers()
    offsets = np.frombuffer(offsets, dtype=np.int64)[array.offset : array.offset + len(array) + 1]
    data = np.frombuffer(data, dtype=np.uint8) if data is not None else np.empty(0, np.uint8)
    return offsets, data


def _raw_values(array: pa.Array) -> np.ndarray:
    """The values buffer as numpy, null slots included (their hashes are replaced after)."""
    if not array.null_count:
        return to_numpy(array)
    kind = "f" if pa.types.is_floating(array.type) else (
        "u" if pa.types.is_unsigned_integer(array.type) else "i")
    data = np.frombuffer(array.buffers()[1], dtype=np.dtype(f"{kind}{array.type.bit_width // 8}"))
    return data[array.offset : array.offset + len(array)]


def _raw_bits(array: pa.Array) -> np.ndarray:
    bits = np.unpackbits(np.frombuffer(array.buffers()[1], dtype=np.uint8), bitorder="little")
    return bits[array.offset : array.offset + len(array)]


def list_lengths(array: pa.Array) -> np.ndarray:
    """Elements per slot, 0 for a null list."""
    lengths = pc.list_value_length(array)
    values = _raw_values(lengths).astype(np.int64)
    return np.where(valid_mask(lengths), values, 0) if lengths.null_count else values


def _hash_lists(array: pa.Array) -> np.ndarray:
    lengths = list_lengths(array)
    elements = hash_rows(pc.list_flatten(array))  # null lists emit no elements
    hashes = np.zeros(len(lengths), dtype=np.uint64)
    filled = lengths > 0
    if filled.any():
        starts = np.zeros(len(lengths), dtype=np.int64)
        np.cumsum(lengths[:-1], out=starts[1:])
        position = np.arange(len(elements)) - np.repeat(starts, lengths)
        with np.errstate(over="ignore"):
            mixed = splitmix64(elements ^ (position.astype(np.uint64) * _MIX2))
            hashes[filled] = np.add.reduceat(mixed, starts[filled])
    with np.errstate(over="ignore"):
        hashes ^= lengths.astype(np.uint64) * _MIX1
    return splitmix64(hashes)


def _hash_structs(array: pa.Array) -> np.ndarray:
    combined = np.zeros(len(array), dtype=np.uint64)
    for index in range(array.type.num_fields):
        field = hash_rows(pc.struct_field(array, [index]))
        with np.errstate(over="ignore"):
            combined = splitmix64(combined * _MIX1 + field)
    return combined
