"""Would compiled loops make the profilers fast enough? The two largest numeric kernels, as
datacouple computes them with numpy and as one numba loop each doing the same arithmetic.

    pip install numba        # not a datacouple dependency
    python bench/kernels.py

Prints milliseconds per batch (datacouple's batch size), best of several repeats, and checks
that both give identical results. docs/performance.md ("The 1.5x target") quotes it.
"""

from __future__ import annotations

import math
import sys
import time

import numpy as np

from datacouple._allocator import tune_for_streaming
from datacouple.profile.arrow.hashing import hash_numeric
from datacouple.profile.arrow.sources import BATCH_ROWS
from datacouple.profile.sketches import _LOG_GAMMA, HLL_PRECISION, HyperLogLog, _log_keys

REPEATS = 50

try:
    import numba
except ImportError:
    print("bench/kernels.py needs numba: pip install numba (it is not a datacouple dependency)",
          file=sys.stderr)
    sys.exit(2)


@numba.njit(nogil=True, cache=False)
def _hash_and_count(values, registers):  # pragma: no cover - compiled
    """splitmix64 of each value, then the HyperLogLog register update (hashing.py, sketches.py)."""
    golden, mix1, mix2 = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9),
                          np.uint64(0x94D049BB133111EB))
    index_shift = np.uint64(64 - HLL_PRECISION)
    for i in range(values.shape[0]):
        z = np.uint64(values[i]) + golden
        z = (z ^ (z >> np.uint64(30))) * mix1
        z = (z ^ (z >> np.uint64(27))) * mix2
        z = z ^ (z >> np.uint64(31))
        rest = ((z << np.uint64(HLL_PRECISION)) | np.uint64(1 << (HLL_PRECISION - 1))) >> 11
        rank = np.uint8(64 - 11 + 1 - math.frexp(np.float64(np.int64(rest)))[1])
        index = np.int64(z >> index_shift)
        if registers[index] < rank:
            registers[index] = rank


@numba.njit(nogil=True, cache=False)
def _sketch_keys(values, log_gamma, keys):  # pragma: no cover - compiled
    for i in range(values.shape[0]):
        keys[i] = np.int64(math.ceil(math.log(values[i]) / log_gamma))


def _best_ms(run) -> float:
    best = math.inf
    for _ in range(REPEATS):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best * 1000


def main() -> None:
    tune_for_streaming()  # the allocator settings of a real pass (numpy's temporaries reused)
    rng = np.random.default_rng(11)
    ids = np.arange(10**6, 10**6 + BATCH_ROWS, dtype=np.int64)
    amounts = rng.lognormal(3.0, 1.2, BATCH_ROWS)

    numpy_sketch = HyperLogLog()
    compiled = np.zeros(1 << HLL_PRECISION, dtype=np.uint8)
    numpy_sketch.add_hashes(hash_numeric(ids))
    _hash_and_count(ids, compiled)  # compiles
    assert np.array_equal(numpy_sketch.registers, compiled), "the HyperLogLog registers differ"
    keys = np.empty(BATCH_ROWS, dtype=np.int64)
    _sketch_keys(amounts, _LOG_GAMMA, keys)
    assert np.array_equal(_log_keys(amounts.copy()), keys), "the sketch keys differ"

    rows = [
        ("splitmix64 hash + HyperLogLog update",
         _best_ms(lambda: numpy_sketch.add_hashes(hash_numeric(ids))),
         _best_ms(lambda: _hash_and_count(ids, compiled))),
        ("quantile-sketch keys", _best_ms(lambda: _log_keys(amounts.copy())),
         _best_ms(lambda: _sketch_keys(amounts, _LOG_GAMMA, keys))),
    ]
    print(f"ms per {BATCH_ROWS:,}-value batch, best of {REPEATS} (numba {numba.__version__}); "
          "results identical")
    print(f"{'kernel':40} {'numpy':>8} {'numba':>8}")
    for name, numpy_ms, numba_ms in rows:
        print(f"{name:40} {numpy_ms:8.3f} {numba_ms:8.3f}")


if __name__ == "__main__":
    main()
