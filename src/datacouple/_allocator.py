"""Arrow's allocator, chosen before pyarrow is imported (it reads the choice once, on import).

pyarrow's default pool on Linux is mimalloc, which keeps freed pages for reuse. Streaming a
5M-row file batch by batch, Arrow never holds more than ~58 MiB at once, yet with mimalloc the
process grew to ~300 MiB; with jemalloc, which hands freed pages back, to ~230 MiB
(docs/performance.md). So datacouple asks for jemalloc where this pyarrow was built with it
(its build configuration says so; a pool it lacks would only earn a warning), unless the user
chose a pool with ARROW_DEFAULT_MEMORY_POOL or imported pyarrow first: then theirs stays.
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
# costs page faults, as the next batches take fresh pages: on the 5M-row bench 100 ms peaked at
# ~200 MiB with ~100K faults, 500 ms at ~207 MiB with ~57K (0.2 s of CPU less), 1000 ms at
# ~223 MiB with ~48K.
_DECAY_MS = 500
_decay_set = False


def release_freed_pages_soon() -> None:
    """Before a streaming pass: only for the pool datacouple chose, once per process."""
    global _decay_set
    if CHOSE_JEMALLOC and not _decay_set:
        import pyarrow as pa

        pa.jemalloc_set_decay_ms(_DECAY_MS)
        _decay_set = True
