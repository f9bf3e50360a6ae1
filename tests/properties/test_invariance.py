"""Row order and partitioning never change a fingerprint, and merging partition profiles equals
profiling the whole.

Strict: the documents are compared byte for byte as canonical JSON. The exceptions, each
named:
- fields that say *where the data is*, never what it holds (the Parquet test alone): `path`
  and `dvc` (a directory of part files has another DVC hash than one file with the same rows,
  by design: it is a different set of bytes), `dataset` (named after the path) and
  `source_format`. Nothing in a fingerprint depends on the time or the machine;
- numeric `mean` and `std`: floating-point sums, equal within 1e-9 of the column's magnitude
  but not always to the last of their 10 digits (moments.py says why);
- float values beyond +-1e150 are not generated here (they are in test_never_crash.py): their
  sums or squares overflow, and whether a mean is inf then depends on the order of additions.
"""

from __future__ import annotations

import decimal
import itertools
import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import example, given
from hypothesis import strategies as st

import datacouple
from datacouple.profile.arrow.table import TableProfile

from arrow_strategies import MAX_ROWS, arrow_tables, property_settings
from moments import assert_same_profile

LOCATION_FIELDS = ("path", "dvc", "dataset", "source_format")  # where, not what

# Where to cut a table into parts: up to four cut points (clipped to the row count; repeated
# points give empty parts, which a partitioned dataset can have).
cut_points = st.lists(st.integers(0, MAX_ROWS), max_size=4)
tables = arrow_tables(overflowing_floats=False, large=True)

# Found by these properties (see the fixes in src/, named in the commit messages):
# a float column of -0.0 and 0.0: Arrow counts them apart, Python's dict as one value, and the
# batch's counts overwrote each other (3 x -0.0 and 1 x 0.0 counted as one row).
SIGNED_ZEROS = pa.table({"_": pa.array([-0.0, -0.0, -0.0, 0.0], pa.float32())})
# float64's largest value: rounding it to 10 digits overflowed to inf, which JSON cannot hold.
LARGEST_FLOAT = pa.table({"_": pa.array([[1.7976931348623157e308]], pa.list_(pa.float64()))})
# one value repeated: std was 1.8e-18 for ten rows of 0.01, and 0.0 in other batches; exact now
TEN_CENTS = pa.table({"_": pa.array([decimal.Decimal("0.01")] * 10, pa.decimal128(10, 2))})
# non-ASCII text: the string profiler called a compute function that does not exist.
NON_ASCII = pa.table({"_": pa.array(["QIsucfbl2R9HOéWQKL-s2SaA5"], pa.large_string())})


def _content(document: dict) -> dict:
    return {k: v for k, v in document.items() if k not in LOCATION_FIELDS}


def _parts(table: pa.Table, cuts: list[int]) -> list[pa.Table]:
    bounds = [0, *sorted(min(cut, table.num_rows) for cut in cuts), table.num_rows]
    return [table.slice(a, b - a) for a, b in itertools.pairwise(bounds)]


@property_settings(max_examples=80)
@given(tables, st.integers(0, 2**32 - 1))
@example(NON_ASCII, 0)
@example(LARGEST_FLOAT, 0)
@example(SIGNED_ZEROS, 1)
def test_row_order_never_changes_a_fingerprint(table: pa.Table, seed: int):
    order = np.random.default_rng(seed).permutation(table.num_rows)
    shuffled = table.take(pa.array(order, type=pa.int64()))
    assert_same_profile(datacouple.fingerprint(shuffled), datacouple.fingerprint(table), table)


@property_settings(max_examples=80)
@given(tables, cut_points)
@example(SIGNED_ZEROS, [1])
def test_record_batch_sizes_never_change_a_fingerprint(table: pa.Table, cuts: list[int]):
    batches = [batch for part in _parts(table, cuts) for batch in part.to_batches()]
    rebatched = pa.Table.from_batches(batches, schema=table.schema)
    assert_same_profile(datacouple.fingerprint(rebatched), datacouple.fingerprint(table), table)


@property_settings(max_examples=40)
@given(table=arrow_tables(min_rows=1, overflowing_floats=False, large=True), cuts=cut_points)
@example(table=SIGNED_ZEROS, cuts=[1])
def test_parquet_part_files_give_the_fingerprint_of_one_file(tmp_path_factory, table, cuts):
    base = tmp_path_factory.mktemp("parts")
    pq.write_table(table, base / "whole.parquet")
    (base / "parts").mkdir()
    for index, part in enumerate(_parts(table, cuts)):
        pq.write_table(part, base / "parts" / f"part-{index:03d}.parquet")
    whole = datacouple.fingerprint(base / "whole.parquet")
    parted = datacouple.fingerprint(base / "parts")
    assert_same_profile(_content(parted), _content(whole), table)


@property_settings(max_examples=80)
@given(tables, cut_points, st.sets(st.integers(0, 7)))
@example(SIGNED_ZEROS, [1], set())
@example(TEN_CENTS, [1], set())
def test_merged_partition_profiles_equal_the_whole(table: pa.Table, cuts: list[int],
                                                   pii_positions: set[int]):
    pii = {name for i, name in enumerate(table.column_names) if i in pii_positions}
    whole = TableProfile(table.schema)
    for batch in table.to_batches():
        whole.update(batch)

    merged = None
    for part in _parts(table, cuts):
        profile = TableProfile(table.schema)
        for batch in part.to_batches():
            profile.update(batch)
        # As across processes: the state travels as JSON.
        state = json.loads(json.dumps(profile.to_state()))
        profile = TableProfile.from_state(table.schema, state)
        if merged is None:
            merged = profile
        else:
            merged.merge(profile)

    assert merged.rows == whole.rows == table.num_rows
    assert_same_profile(merged.finalize(pii), whole.finalize(pii), table)



def test_a_constant_column_has_exact_moments():
    """No tolerance here: one value repeated has an exact mean and a std of 0."""
    for cuts in ([], [1], [3, 7]):
        batches = [b for part in _parts(TEN_CENTS, cuts) for b in part.to_batches()]
        numeric = datacouple.fingerprint(pa.Table.from_batches(batches))["columns"][0]["numeric"]
        assert (numeric["mean"], numeric["std"]) == (0.01, 0.0)
