"""Vectorised, version-stable 64-bit hashes of Arrow arrays, for distinct-count sketches.

We hash with our own arithmetic (splitmix64, and a polynomial hash over UTF-8 bytes for strings)
instead of a library's hash function, because a fingerprint must be byte-identical on every
machine and across library upgrades: pandas, polars and Arrow do not promise stable hashes.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .arrays import string_buffers, utf8_buffers

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_BYTE_BASE = 0x100000001B3  # FNV prime: odd, so it has an inverse modulo 2**64
_BYTE_BASE_INVERSE = pow(_BYTE_BASE, -1, 1 << 64)


def splitmix64(values: np.ndarray) -> np.ndarray:
    """Finalise 64-bit words into well-mixed hashes (wrapping arithmetic is intended)."""
    return _splitmix64_in_place(values.astype(np.uint64, copy=True))


def _splitmix64_in_place(z: np.ndarray) -> np.ndarray:
    """splitmix64 over a uint64 array it may overwrite: two arrays in all, not one per step."""
    shifted = np.empty_like(z)
    with np.errstate(over="ignore"):
        z += _GOLDEN
        for shift, multiplier in ((30, _MIX1), (27, _MIX2)):
            np.right_shift(z, np.uint64(shift), out=shifted)
            z ^= shifted
            z *= multiplier
        np.right_shift(z, np.uint64(31), out=shifted)
        z ^= shifted
    return z


def hash_numeric(values: np.ndarray) -> np.ndarray:
    """Hash int or float values; -0.0 and 0.0 hash alike, as they compare equal."""
    if values.dtype.kind == "f":
        floats = np.add(values, 0.0, dtype=np.float64)  # a fresh copy; -0.0 becomes 0.0
        return _splitmix64_in_place(floats.view(np.uint64))
    return _splitmix64_in_place(values.astype(np.int64).view(np.uint64))


class _Powers:
    """base**i mod 2**64 for i < n, grown by doubling (each doubling is one vector multiply)."""

    def __init__(self, base: int) -> None:
        self.base = base
        self.table = np.ones(1, dtype=np.uint64)

    def __getitem__(self, count: int) -> np.ndarray:
        # Columns are hashed on several threads at once: grow a local copy, never read the
        # shared table twice (another thread may have replaced it in between), then publish.
        table = self.table
        while len(table) < count:
            step = np.uint64(pow(self.base, len(table), 1 << 64))
            with np.errstate(over="ignore"):
                table = np.concatenate([table, table * step])
        if len(table) > len(self.table):
            self.table = table
        return table[:count]


_POWERS = _Powers(_BYTE_BASE)
_INVERSE_POWERS = _Powers(_BYTE_BASE_INVERSE)


def hash_utf8(offsets: np.ndarray, data: np.ndarray,
              columns: np.ndarray | None = None) -> np.ndarray:
    """Hash strings given as Arrow-style offsets (n + 1) into a byte buffer; `columns`, when
    the caller has it, is `fixed_width_columns(offsets, data)`.

    h(s) = sum(byte_j * B**(j - start)) over the string's bytes, mixed with the length and
    finalised by splitmix64. Strings of one length are summed column by column of their byte
    matrix; others as a sum over absolute positions, shifted back by B**-start (no per-byte
    index arithmetic). Both give the same hashes (tests/profile/test_fast_paths.py).
    """
    lengths = np.diff(offsets)
    if columns is None:
        columns = fixed_width_columns(offsets, data)
    if columns is not None:
        hashes = _fixed_width_sums(columns)
    else:
        hashes = _position_sums(offsets, data, lengths)
    with np.errstate(over="ignore"):
        hashes ^= lengths.astype(np.uint64) * _MIX1
    return _splitmix64_in_place(hashes)


# Ids, codes and keys often share one length: then the byte matrix's columns are summed one
# by one (2.5x faster on 65,536 12-byte ids: no uint64 copy of every byte, no reduceat).
_FIXED_WIDTH_MIN_ROWS = 256
_FIXED_WIDTH_MAX = 64


def fixed_width_columns(offsets: np.ndarray, data: np.ndarray) -> np.ndarray | None:
    """The (width x strings) byte matrix of strings that all have one length (1 to 64 bytes,
    at least 256 of them, packed without gaps), one contiguous row per byte position; None
    for others."""
    lengths = np.diff(offsets)
    start, end = int(offsets[0]), int(offsets[-1])
    width = int(lengths[0]) if len(lengths) else 0
    if not (len(lengths) >= _FIXED_WIDTH_MIN_ROWS and 0 < width <= _FIXED_WIDTH_MAX
            and end - start == width * len(lengths) and (lengths == width).all()):
        return None
    return np.ascontiguousarray(data[start:end].reshape(len(lengths), width).T)


def _fixed_width_sums(columns: np.ndarray) -> np.ndarray:
    """sum(byte_j * B**j) of each string, from its bytes by position (`fixed_width_columns`)."""
    powers = _POWERS[columns.shape[0]]
    sums = columns[0].astype(np.uint64)
    term = np.empty_like(sums)
    with np.errstate(over="ignore"):
        for j in range(1, columns.shape[0]):
            np.multiply(columns[j], powers[j], out=term, dtype=np.uint64)
            sums += term
    return sums


def _position_sums(offsets: np.ndarray, data: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """sum(byte_j * B**j) of each string, for strings of any lengths."""
    start, end = int(offsets[0]), int(offsets[-1])
    hashes = np.zeros(len(lengths), dtype=np.uint64)
    if end > start:
        weighted = data[start:end].astype(np.uint64)
        rel_starts = offsets[:-1] - start
        non_empty = lengths > 0
        with np.errstate(over="ignore"):
            weighted *= _POWERS[end - start]
            sums = np.add.reduceat(weighted, rel_starts[non_empty])
            hashes[non_empty] = sums * _INVERSE_POWERS[end - start][rel_starts[non_empty]]
    return hashes


def hash_strings(array: pa.Array) -> np.ndarray:
    """Hash each non-null string of a (large_)string array from its UTF-8 bytes."""
    array = pc.drop_null(array)
    if len(array) == 0:
        return np.empty(0, dtype=np.uint64)
    return hash_utf8(*string_buffers(array))


def hash_python_strings(values: list[str]) -> np.ndarray:
    """The same hashes as `hash_strings`, for Python strings."""
    offsets, data = utf8_buffers(values)
    return hash_utf8(offsets, np.frombuffer(data, dtype=np.uint8))
