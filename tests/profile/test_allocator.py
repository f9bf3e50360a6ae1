"""datacouple picks Arrow's allocator only when nobody else did (src/datacouple/_allocator.py)."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

from datacouple._allocator import _built_with_jemalloc


def _backend(code: str, **env: str) -> str:
    environment = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    return subprocess.run([sys.executable, "-c", code + "; print(pa.default_memory_pool()"
                           ".backend_name)"], env={**environment, **env}, capture_output=True,
                          text=True, check=True).stdout.strip()


@pytest.mark.skipif(not _built_with_jemalloc(), reason="this pyarrow has no jemalloc")
def test_importing_datacouple_first_streams_with_jemalloc():
    assert _backend("import datacouple, pyarrow as pa") == "jemalloc"


def test_a_pool_chosen_before_is_kept():
    default = _backend("import pyarrow as pa")
    assert _backend("import pyarrow as pa, datacouple") == default
    assert _backend("import datacouple, pyarrow as pa",
                    ARROW_DEFAULT_MEMORY_POOL="system") == "system"


_FAULTS = """
import resource, sys
import numpy as np
from datacouple._allocator import keep_freed_heap
if sys.argv[1] == "kept":
    assert keep_freed_heap()
for _ in range(3):
    [np.ones(1 << 19) for _ in range(3)]
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(50):
    batch = [np.ones(1 << 19) for _ in range(3)]  # three 4 MiB temporaries, freed together
    del batch
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's malloc only")
def test_freed_heap_is_reused_instead_of_faulted_in_again():
    def faults(mode: str) -> int:
        return int(subprocess.run([sys.executable, "-c", _FAULTS, mode], capture_output=True,
                                  text=True, check=True).stdout)

    # glibc's defaults trim the freed heap after every round: at least one 4 MiB array's 1,024
    # pages are faulted in again each time (~50,000 here).
    assert faults("default") > 50 * 1024 // 2
    assert faults("kept") < 1000
