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


if "pyarrow" not in sys.modules and "ARROW_DEFAULT_MEMORY_POOL" not in os.environ and (
        _built_with_jemalloc()):
    os.environ["ARROW_DEFAULT_MEMORY_POOL"] = "jemalloc"
