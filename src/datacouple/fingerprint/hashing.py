"""Vectorised, version-stable 64-bit hashes of Arrow arrays, for distinct-count sketches.

We hash with our own arithmetic (splitmix64, and a polynomial hash over UTF-8 bytes for strings)
instead of a library's hash function, because a fingerprint must be byte-identical on every
machine and across library upgrades: pandas, polars and Arrow do not promise stable hashes.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_BYTE_BASE = np.uint64(0x100000001B3)  # FNV prime: odd, so powers never collapse to zero
_powers = np.ones(1, dtype=np.uint64)


def splitmix64(values: np.ndarray) -> np.ndarray:
    """Finalise 64-bit words into well-mixed hashes (wrapping arithmetic is intended)."""
    z = values.astype(np.uint64, copy=True)
    with np.errstate(over="ignore"):
        z += _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * _MIX1
        z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


def hash_numeric(values: np.ndarray) -> np.ndarray:
    """Hash int or float values; -0.0 and 0.0 hash alike, as they compare equal."""
    if values.dtype.kind == "f":
        floats = values.astype(np.float64) + 0.0  # turns -0.0 into 0.0
        return splitmix64(floats.view(np.uint64))
    return splitmix64(values.astype(np.int64).view(np.uint64))


def _byte_powers(length: int) -> np.ndarray:
    global _powers
    if len(_powers) < length:
        grown = np.empty(max(length, 2 * len(_powers)), dtype=np.uint64)
        grown[0] = 1
        with np.errstate(over="ignore"):
            for i in range(1, len(grown)):  # grows rarely: only for the longest string seen
                grown[i] = grown[i - 1] * _BYTE_BASE
        _powers = grown
    return _powers[:length]


def hash_strings(array: pa.Array) -> np.ndarray:
    """Hash each non-null string of a (large_)string array from its UTF-8 bytes."""
    array = pc.drop_null(array)
    if len(array) == 0:
        return np.empty(0, dtype=np.uint64)
    if not pa.types.is_large_string(array.type):
        array = array.cast(pa.large_string())
    _, offsets_buf, data_buf = array.buffers()
    first = array.offset
    offsets = np.frombuffer(offsets_buf, dtype=np.int64)[first : first + len(array) + 1]
    lengths = np.diff(offsets)
    start, end = int(offsets[0]), int(offsets[-1])
    hashes = np.zeros(len(array), dtype=np.uint64)
    if end > start:
        data = np.frombuffer(data_buf, dtype=np.uint8)[start:end].astype(np.uint64)
        rel_starts = offsets[:-1] - start
        position = np.arange(end - start, dtype=np.int64) - np.repeat(rel_starts, lengths)
        with np.errstate(over="ignore"):
            weighted = data * _byte_powers(int(lengths.max()))[position]
        non_empty = lengths > 0
        hashes[non_empty] = np.add.reduceat(weighted, rel_starts[non_empty])
    with np.errstate(over="ignore"):
        hashes ^= lengths.astype(np.uint64) * _MIX1
    return splitmix64(hashes)
