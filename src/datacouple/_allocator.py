"""The allocators a streaming pass runs on: Arrow's, chosen before pyarrow is imported (it reads
the choice once, on import), and glibc's malloc (numpy's temporaries), tuned before a pass.

pyarrow's default pool on Linux is mimalloc, which keeps freed pages for reuse. Streaming a
5M-row file batch by batch, Arrow never holds more than ~58 MiB at once, yet with mimalloc the
process grew to ~300 MiB; with jemalloc, which hands freed pages back, to ~230 MiB
(docs/performance.md). So datacouple asks for jemalloc where this pyarrow was built with it
(its build configuration says so; a pool it lacks would only earn a warning), unless the user
chose a pool with ARROW_DEFAULT_MEMORY_POOL or imported pyarrow first: then theirs stays.
Both are process-wide settings: in a pipeline's own process they hold for the rest of it.
"""

import importlib.util
import os
import sys
from pathlib import Path


def _built_with_jemalloc() -> bool:
    spec = importlib.util.find_spec("pyarrow")
    if spec is None or not spec.submodule_search_locations:
        return False
    config = Path(spec.submodule_search_locations[0]) / "include/arrow/util/config.h"
    try:
        return "#define ARROW_JEMALLOC\n" in config.read_text(encoding="utf-8")
    except OSError:
        return False


CHOSE_JEMALLOC = "pyarrow" not in sys.modules and (
    "ARROW_DEFAULT_MEMORY_POOL" not in os.environ) and _built_with_jemalloc()
if CHOSE_JEMALLOC:
    os.environ["ARROW_DEFAULT_MEMORY_POOL"] = "jemalloc"

# How long jemalloc keeps freed pages before handing them back. Arrow's own setting (about a
# second) outlives a streaming pass's batches, so freed pages piled up. Shorter is leaner but
# costs page faults, as the next batches take fresh pages: on the 5M-row bench (128Ki-row
# batches, glibc tuned as below) 100 ms peaked at 226-237 MiB with ~88K faults, 200 ms at
# 227-237 MiB with ~74K, 300 ms at 233-247 MiB with ~65K, 500 ms at 254-261 MiB with ~57K
# (without the bench's DVC imports).
_DECAY_MS = 200

# numpy's temporaries come from glibc's malloc. A batch's arrays are 0.5-6 MiB: glibc maps and
# unmaps them one by one, or trims them off the heap once freed, so every batch touched fresh
# pages, and the kernel's faults and zeroing cost more than some of the arithmetic (the 5M-row
# bench took ~100K page faults, 0.65 s of system time). Arrays up to 32 MiB (glibc's own
# upper bound for this threshold) now come from the heap, and up to 64 MiB of freed heap stays
# for the next batch: ~45K faults, 0.35 s.
_MMAP_THRESHOLD = 32 << 20
_TRIM_THRESHOLD = 64 << 20
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt's parameters (glibc's malloc.h)

_tuned = False


def tune_for_streaming() -> None:
    """Before a streaming pass, once per process: Arrow's freed batches go back to the system
    soon (jemalloc, only for the pool datacouple chose), numpy's stay for reuse (glibc)."""
    global _tuned
    if _tuned:
        return
    _tuned = True
    if CHOSE_JEMALLOC:
        import pyarrow as pa

        pa.jemalloc_set_decay_ms(_DECAY_MS)
    keep_freed_heap()


def keep_freed_heap() -> bool:
    """glibc only (musl, macOS and Windows keep their defaults); True if the setting took."""
    import ctypes
    import platform

    if platform.libc_ver()[0] != "glibc":
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)
                and mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD))
