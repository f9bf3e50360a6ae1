"""Zero-copy views of Arrow arrays as numpy, without the detours that import pandas.

`Array.to_numpy()` and `pa.array()` import pandas on first use (~50 MiB of resident memory), so
the streaming engine builds its views from the buffers directly.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_NUMPY_TYPES = {
    pa.int8(): np.int8, pa.int16(): np.int16, pa.int32(): np.int32, pa.int64(): np.int64,
    pa.uint8(): np.uint8, pa.uint16(): np.uint16, pa.uint32(): np.uint32,
    pa.uint64(): np.uint64, pa.float16(): np.float16, pa.float32(): np.float32,
    pa.float64(): np.float64,
}


def to_numpy(array: pa.Array) -> np.ndarray:
    """A numpy view of a null-free array of a fixed-width numeric type."""
    if array.null_count:
        raise ValueError("to_numpy needs an array without nulls")
    dtype = _NUMPY_TYPES.get(array.type)
    if dtype is None:
        return array.to_numpy(zero_copy_only=False)
    data = array.buffers()[1]
    if data is None or len(array) == 0:
        return np.empty(0, dtype=dtype)
    return np.frombuffer(data, dtype=dtype)[array.offset : array.offset + len(array)]


def present_numpy(array: pa.Array) -> np.ndarray:
    """The non-null values of a fixed-width numeric array as numpy: a view when there are no
    nulls; else a copy through the validity mask (half the time of `pc.drop_null`)."""
    if not array.null_count:
        return to_numpy(array)
    dtype = _NUMPY_TYPES.get(array.type)
    if dtype is None or array.buffers()[1] is None:
        return to_numpy(pc.drop_null(array))
    values = np.frombuffer(array.buffers()[1], dtype=dtype)
    return values[array.offset : array.offset + len(array)][valid_mask(array)]


def from_numpy(values: np.ndarray, dtype: pa.DataType) -> pa.Array:
    """A null-free Arrow array over a contiguous numpy array's memory (no copy, no pandas)."""
    return pa.Array.from_buffers(dtype, len(values), [None, pa.py_buffer(values)])


def valid_mask(array: pa.Array) -> np.ndarray:
    """Boolean numpy mask of the non-null slots (Arrow's validity bitmap is LSB-first)."""
    bitmap = array.buffers()[0]
    if bitmap is None:
        return np.ones(len(array), dtype=bool)
    bits = np.unpackbits(np.frombuffer(bitmap, dtype=np.uint8), bitorder="little")
    return bits[array.offset : array.offset + len(array)].astype(bool)


def string_buffers(array: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(offsets as int64, data bytes) of a string array without nulls, zero-copy where possible."""
    if pa.types.is_large_string(array.type):
        width = np.int64
    elif pa.types.is_string(array.type):
        width = np.int32
    else:  # string_view and friends: no offsets buffer to read
        array, width = array.cast(pa.large_string()), np.int64
    _, offsets_buf, data_buf = array.buffers()
    first = array.offset
    offsets = np.frombuffer(offsets_buf, dtype=width)[first : first + len(array) + 1]
    offsets = offsets.astype(np.int64)
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.empty(
        0, dtype=np.uint8)
    return offsets, data



def utf8_buffers(values: list[str]) -> tuple[np.ndarray, bytes]:
    """Arrow-style (int64 offsets, UTF-8 data) for Python strings."""
    encoded = [value.encode("utf-8") for value in values]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(item) for item in encoded], out=offsets[1:])
    return offsets, b"".join(encoded)


def string_array(values: list[str]) -> pa.Array:
    """A large_string array built from buffers: `pa.array` would import pandas (~50 MiB)."""
    offsets, data = utf8_buffers(values)
    return pa.LargeStringArray.from_buffers(
        len(values), pa.py_buffer(offsets.tobytes()), pa.py_buffer(data))


def dictionary_rows(array: pa.Array) -> tuple[pa.Array, np.ndarray] | None:
    """A dictionary-encoded string array as (its dictionary, how many rows hold each entry),
    read off the indices: no value is hashed or compared. None for any other array, and for a
    dictionary holding nulls."""
    if not pa.types.is_dictionary(array.type):
        return None
    dictionary = array.dictionary
    if dictionary.null_count or not (pa.types.is_string(dictionary.type)
                                     or pa.types.is_large_string(dictionary.type)):
        return None
    indices = pc.drop_null(array.indices) if array.indices.null_count else array.indices
    return dictionary, np.bincount(to_numpy(indices), minlength=len(dictionary))
