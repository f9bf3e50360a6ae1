"""Wide tables: memory stays bounded in the number of columns, and the fingerprint stays small
per column (the bounds docs/fingerprint.md states), whatever the column's type."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

import datacouple
from datacouple.profile.format import canonical_json, decode_buckets, encode_buckets

from public_data import islp_frame

COLUMNS, ROWS = 5000, 200
# docs/fingerprint.md, "Size per column" (canonical layout, 200 rows): the measured sizes are
# ~1.2 KB (floats), ~1.1 KB (integers), ~0.8 KB (high-cardinality strings), ~0.5 KB (small
# domains); these bounds leave room for longer names and values, not for per-bucket lists.
MAX_BYTES = {"float": 1600, "integer": 1600, "string": 1200}
MAX_RSS_MIB = 512

# Runs the fingerprint as its own child, so the peak is that process's alone (not the peak of
# whatever else the test session spawned before).
_MEASURE = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def wide_table(columns: int, rows: int) -> pa.Table:
    """A quarter each: floats, integers 0..1000, low-cardinality strings with nulls, codes."""
    rng = np.random.default_rng(0)
    return _quarters(columns, [
        lambda: rng.normal(size=rows),
        lambda: rng.integers(0, 1000, rows),
        lambda: rng.choice(np.array(["a", "b", "c", None]), rows),
        lambda: [f"X{v:06d}" for v in rng.integers(0, 10**6, rows)],
    ])


def _quarters(columns: int, kinds) -> pa.Table:
    """Columns c0, c1, ... made by `kinds` in turn (column i by kinds[i % 4])."""
    arrays = [pa.array(kinds[i % len(kinds)]()) for i in range(columns)]
    return pa.table(arrays, names=[f"c{i}" for i in range(columns)])


def fingerprint_peak_mib(source: Path, target: Path) -> float:
    """`datacouple fingerprint source -o target` in a child of its own; its peak RSS."""
    command = [str(Path(sys.executable).with_name("datacouple")), "fingerprint", str(source),
               "-o", str(target)]
    measured = subprocess.run([sys.executable, "-c", _MEASURE, *command], check=True,
                              capture_output=True, text=True)
    return int(measured.stdout.split()[-1]) / 1024  # ru_maxrss is in KiB on Linux


def test_five_thousand_columns_fit_in_bounded_memory_and_a_small_fingerprint(tmp_path: Path):
    source, target = tmp_path / "wide.parquet", tmp_path / "wide.json"
    pq.write_table(wide_table(COLUMNS, ROWS), source)
    peak_mib = fingerprint_peak_mib(source, target)
    assert peak_mib < MAX_RSS_MIB, f"peak RSS {peak_mib:.0f} MiB"

    document = json.loads(target.read_text())
    assert len(document["columns"]) == COLUMNS
    for column in document["columns"]:
        size = len(canonical_json(column))
        assert size <= MAX_BYTES[column["logical_type"]], (column["name"], size)
        # An estimate never claims more distinct values than the column holds.
        assert column["distinct"]["count"] <= column["count"], column["name"]
    assert target.stat().st_size < source.stat().st_size  # smaller than the data itself


# Long as well as wide: Parquet read one group of columns at a time (column_groups.py).
LONG_COLUMNS, LONG_ROWS = 2_000, 10_000


def test_two_thousand_columns_of_ten_thousand_rows_stay_in_bounded_memory(tmp_path):
    """Read whole (the code before column groups, measured 2026-11-26 with /usr/bin/time), this
    table (116 MB of Parquet) peaked at 834 MiB: Arrow's reader state for 2,000 columns at once
    plus the decoded 10,000-row batch. In groups: 303 MiB, the same fingerprint. The bound is
    DESIGN.md's 512 MiB for 5,000 columns."""
    rng = np.random.default_rng(2)
    words = np.array([f"w{i}" for i in range(300)], dtype=object)
    source, target = tmp_path / "wide.parquet", tmp_path / "wide.json"
    pq.write_table(_quarters(LONG_COLUMNS, [
        lambda: rng.normal(size=LONG_ROWS),
        lambda: rng.integers(0, 1000, LONG_ROWS),
        lambda: rng.choice(words, LONG_ROWS),
        lambda: rng.integers(0, 10**9, LONG_ROWS).astype(str),
    ]), source)
    peak_mib = fingerprint_peak_mib(source, target)
    assert peak_mib < MAX_RSS_MIB, f"peak RSS {peak_mib:.0f} MiB"
    document = json.loads(target.read_text())
    assert document["rows"] == LONG_ROWS and len(document["columns"]) == LONG_COLUMNS


def test_distinct_estimate_of_all_distinct_values_never_exceeds_the_count():
    codes = [f"X{i:06d}" for i in range(0, 200 * 7919, 7919)]  # 200 distinct, past the limit
    document = datacouple.fingerprint(pa.table({"code": codes}))
    distinct = document["columns"][0]["distinct"]
    assert distinct["exact"] is False
    assert distinct["count"] <= 200


def test_bucket_text_gives_back_the_same_buckets():
    rng = np.random.default_rng(5)
    keys = np.unique(rng.integers(-3000, 3000, 500))
    pairs = [(int(k), int(c)) for k, c in zip(keys, rng.integers(1, 50, len(keys)), strict=True)]
    assert decode_buckets(encode_buckets(pairs)) == pairs
    assert decode_buckets(encode_buckets([])) == []
    assert encode_buckets([(-159, 1), (-152, 1), (-150, 3)]) == "-159 7 2*3"


def test_old_fingerprints_with_bucket_lists_diff_as_before():
    """Fingerprints written before the compact text hold [key, count] lists: the same
    changes are found whichever way either side stores its buckets."""
    table = islp_frame("College")
    shifted = table.assign(Expend=table["Expend"] * 1.3, Outstate=table["Outstate"] + 9000)
    old, new = datacouple.fingerprint(table, name="t"), datacouple.fingerprint(shifted, name="t")
    expected = [(c.kind, c.column, c.severity) for c in datacouple.diff(old, new)]
    # Both sketch rules speak here: the drift rule and the range rule read the buckets.
    assert ("distribution_drift", "Outstate", "warning") in expected
    assert ("range_changed", "Outstate", "warning") in expected

    def as_lists(document):
        copy = json.loads(json.dumps(document))
        for column in copy["columns"]:
            sketch = column.get("numeric", {}).get("sketch")
            if sketch:
                for side in ("positive", "negative"):
                    sketch[side] = [list(pair) for pair in decode_buckets(sketch[side])]
        return copy

    for pair in ((as_lists(old), new), (old, as_lists(new)), (as_lists(old), as_lists(new))):
        assert [(c.kind, c.column, c.severity) for c in datacouple.diff(*pair)] == expected
