"""datacouple picks Arrow's allocator only when nobody else did (src/datacouple/_allocator.py)."""

from __future__ import annotations

import os
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
