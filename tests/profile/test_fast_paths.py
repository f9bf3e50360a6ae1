"""The engine's shortcuts give exactly what the plain computation gives.

Each shortcut here exists for speed only (docs/performance.md); a fingerprint must not move by
a bit because of one, so each is checked against the direct computation on edge cases and on
many generated values.
"""

from __future__ import annotations

import random
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from datacouple.profile.arrow.columns.temporal import _iso_format, _multiple
from datacouple.profile.arrow.hashing import (
    _MIX1,
    _position_sums,
    hash_python_strings,
    hash_utf8,
    splitmix64,
)
from datacouple.profile.format import SKETCH_LOG_GAMMA
from datacouple.profile.sketches import HLL_PRECISION, MIN_MAGNITUDE, LogSketch, _rank

from public_data import islp_frame


def _rank_bit_by_bit(word: int) -> int:
    rest = ((word << HLL_PRECISION) & (2**64 - 1)) | (1 << (HLL_PRECISION - 1))
    return 64 - rest.bit_length() + 1


def test_hyperloglog_rank_equals_counting_bits():
    powers = [1 << k for k in range(64)]
    edges = [0, 2**64 - 1, *powers, *(p - 1 for p in powers), *(p + 1 for p in powers[1:])]
    rng = np.random.default_rng(7)
    words = [*edges, *((2 * int(w) + 1) & (2**64 - 1)
                       for w in rng.integers(0, 2**63, 5000, dtype=np.int64))]
    ranks = _rank(np.array(words, dtype=np.uint64))
    assert ranks.tolist() == [_rank_bit_by_bit(w) for w in words]


def _arrow_iso(value: int, dtype: pa.DataType) -> str:
    width = pa.int32() if pa.types.is_date32(dtype) else pa.int64()
    return pa.scalar(value, width).cast(dtype).as_py().isoformat()


def test_iso_text_of_dates_and_timestamps_equals_arrows():
    rng = random.Random(3)
    zones = [None, "UTC", "America/New_York", "Europe/Berlin", "Asia/Kathmandu", "+05:30",
             "-03:00"]
    types = [pa.date32(), pa.date64()] + [pa.timestamp(unit, zone) for unit in
                                          ("s", "ms", "us", "ns") for zone in zones]
    spans = {"s": 10**11, "ms": 10**14, "us": 10**17, "ns": 9 * 10**18}
    checked = 0
    for dtype in types:
        for _ in range(150):
            if pa.types.is_date32(dtype):
                value = rng.randint(-700_000, 2_900_000)
            elif pa.types.is_date64(dtype):
                value = rng.randint(-6 * 10**13, 2 * 10**14) // 86_400_000 * 86_400_000
            else:
                value = rng.randint(-spans[dtype.unit] // 4, spans[dtype.unit])
                if dtype.unit == "ns":
                    value -= value % 1000  # whole microseconds: the standard-library path
            assert _iso_format(value, dtype) == _arrow_iso(value, dtype), (dtype, value)
            checked += 1
    assert checked == 150 * len(types)


def test_fingerprinting_timestamps_does_not_import_pandas(tmp_path):
    """Arrow's conversion of a zoned timestamp imports pandas (0.4 s, 40 MiB of memory)."""
    path = tmp_path / "events.parquet"
    stamps = pa.array([0, 86_400_000_000, 1_700_000_000_000_000], pa.int64())
    pq.write_table(pa.table({
        "at": stamps.cast(pa.timestamp("us", "Europe/Berlin")),
        "naive": stamps.cast(pa.timestamp("us")),
        "day": pa.array([0, 1, 19_000], pa.int32()).cast(pa.date32()),
    }), path)
    probe = ("import sys, datacouple; d = datacouple.fingerprint(sys.argv[1], progress=False); "
             "print(d['columns'][0]['temporal']['max'], 'pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True,
                         text=True, check=True).stdout.split()
    assert out == ["2023-11-14T23:13:20+01:00", "False"]


def test_non_ascii_strings_count_lengths_in_characters():
    """The UTF-8 path (a layout refactor once renamed its kernel to one that does not exist)."""
    table = pa.table({"city": ["Zürich", "São Paulo", None, "東京", "Oslo"]})
    length = datacouple_fingerprint(table)["columns"][0]["string"]["length"]
    assert (length["min"], length["max"], length["mean"]) == (2, 9, 5.25)


def datacouple_fingerprint(table):
    import datacouple

    return datacouple.fingerprint(table, progress=False)


def _mixed_strings(rows: int) -> pa.Table:
    rng = np.random.default_rng(11)
    words = np.array(["alpha", "Beta", "GAMMA", "Delta Epsilon", "  padded", "trail  ", "",
                      "   ", "NA", "null", "N/A", "None", "-", "?", "ünïcode", "Ünï Cöde",
                      "日本語", "Title Case", "MiXeD", "x" * 40], dtype=object)
    codes = np.array([f"code-{i:04d}" for i in range(3000)], dtype=object)
    zipf = np.array([f"w{k}" for k in rng.zipf(1.3, rows) % 20_000], dtype=object)

    def with_nulls(values, share):
        return pa.array(values, mask=rng.random(rows) < share)

    return pa.table({
        "small": with_nulls(words[rng.integers(0, len(words), rows)], 0.1),
        "medium": with_nulls(codes[rng.integers(0, len(codes), rows)], 0.05),
        "zipf": with_nulls(zipf, 0.3),
        "ids": pa.array([f"id-{i}" for i in rng.permutation(rows)]),
    })


def _content(document: dict) -> dict:
    return {key: value for key, value in document.items()
            if key not in ("dvc", "dataset", "path")}


def test_dictionary_encoded_parquet_profiles_like_plain_pages(tmp_path):
    """String columns stored with dictionaries are read as dictionaries (their value counts
    come off the indices); the fingerprint is the one plain pages give, byte for byte."""
    from datacouple.profile.arrow.sources import dictionary_encoded_strings

    tables = {"mixed": _mixed_strings(200_000),
              "hitters": pa.Table.from_pandas(islp_frame("Hitters"), preserve_index=False),
              "college": pa.Table.from_pandas(islp_frame("College"), preserve_index=False)}
    for name, table in tables.items():
        encoded, plain = tmp_path / f"{name}-dict.parquet", tmp_path / f"{name}-plain.parquet"
        pq.write_table(table, encoded, row_group_size=70_000)
        pq.write_table(table, plain, row_group_size=70_000, use_dictionary=False)
        read_as_dictionary = dictionary_encoded_strings(pq.ParquetFile(encoded).metadata,
                                                        table.schema)
        assert read_as_dictionary, name  # the path under test is taken
        assert not dictionary_encoded_strings(pq.ParquetFile(plain).metadata, table.schema)
        assert _content(datacouple_fingerprint(encoded)) == _content(
            datacouple_fingerprint(plain)), name
    assert set(dictionary_encoded_strings(pq.ParquetFile(tmp_path / "mixed-dict.parquet")
                                          .metadata, tables["mixed"].schema)) == {
        "small", "medium", "zipf"}  # not the ids: their pages fell back to plain


def test_ascii_case_and_blankness_are_properties_of_the_class_pattern():
    """The string profiler reads case, whitespace-only values and the missing-value tokens of
    ASCII text off the distinct class patterns (strings.py `_update_rows`)."""
    import pyarrow.compute as pc

    from datacouple.profile.arrow.columns.shapes import class_patterns
    from datacouple.profile.format import SENTINEL_TOKENS

    characters = [chr(code) for code in range(128)]
    strings = characters + [a + b for a in characters for b in characters]
    values = pa.array(strings, pa.large_string())
    patterns = class_patterns(values, True)
    for kernel in (pc.ascii_is_upper, pc.ascii_is_lower, pc.ascii_is_title, pc.ascii_is_space):
        assert kernel(values).to_pylist() == kernel(patterns).to_pylist(), kernel
    assert all(token.isascii() for token in SENTINEL_TOKENS)


def test_columns_profiled_in_parallel_give_the_serial_profile(tmp_path):
    """Columns are profiled on a thread pool, each column's batches in order but several
    batches at once; each profiler must see exactly what it would alone (the shared power
    table of the string hash is grown by several threads at once)."""
    from datacouple.profile.arrow import hashing
    from datacouple.profile.arrow.pipeline import ColumnPipeline
    from datacouple.profile.arrow.table import TableProfile

    rng = np.random.default_rng(5)
    # Strings of many lengths in many columns, so the threads race to grow the power table.
    columns = {f"text{i}": pa.array(["x" * int(n) for n in rng.integers(0, 3000, 5000)])
               for i in range(8)}
    columns["ids"] = pa.array([f"id-{i}" for i in range(5000)])
    table = pa.table(columns)
    serial = TableProfile(table.schema)
    for batch in table.to_batches(max_chunksize=1000):
        serial.update(batch)
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # hand the GIL over between almost every two bytecodes
    try:
        for _ in range(2):  # a race, if any, shows in some rounds only
            hashing._POWERS.table = hashing._POWERS.table[:1]  # the threads grow it again
            parallel = TableProfile(table.schema)
            with ColumnPipeline(parallel, threads=4, ahead=3) as pipeline:
                for batch in table.to_batches(max_chunksize=1000):
                    pipeline.add(batch)
            assert parallel.to_state() == serial.to_state()
    finally:
        sys.setswitchinterval(switch)
    assert parallel.finalize() == serial.finalize()


def test_day_counts_equal_sorting_them():
    from datacouple.profile.arrow.columns.temporal import _day_counts

    rng = np.random.default_rng(2)
    cases = [rng.integers(-400, 400, 5000), rng.integers(19_000, 19_365, 70_000),
             rng.integers(-10**6, 10**6, 300), np.array([7]), np.array([-3, -3, 10**7])]
    for days in cases:
        expected = np.unique(days, return_counts=True)
        got = _day_counts(days)
        assert np.array_equal(got[0], expected[0]) and np.array_equal(got[1], expected[1])


def _log_sketch_by_sign(values: np.ndarray) -> dict:
    """The plain computation: every value's bucket key, counted per sign."""
    magnitude = np.abs(values)
    zeros = magnitude < MIN_MAGNITUDE
    keys = np.ceil(np.log(magnitude[~zeros]) / SKETCH_LOG_GAMMA).astype(np.int64)
    signs = values[~zeros] < 0
    by_sign = {}
    for name, chosen in (("positive", ~signs), ("negative", signs)):
        found, counts = np.unique(keys[chosen], return_counts=True)
        by_sign[name] = [[int(k), int(c)] for k, c in zip(found, counts, strict=True)]
    return {**by_sign, "zeros": int(np.count_nonzero(zeros))}


@pytest.mark.parametrize("draw", ["mixed", "positive", "negative", "zeros", "tiny", "codes",
                                  "just above zero"])
def test_log_sketch_counts_each_values_bucket_per_sign(draw):
    rng = np.random.default_rng(len(draw))
    values = {
        "mixed": rng.normal(0, 1000, 5000),
        "positive": rng.lognormal(0, 3, 5000),
        "negative": -rng.lognormal(0, 3, 5000),
        "zeros": np.where(rng.random(5000) < 0.3, 0.0, rng.normal(size=5000)),
        "tiny": rng.choice([-1e-13, 1e-13, -0.0, 0.0, -1.0, 2.5, 1e300, -1e-300], 5000),
        "codes": rng.integers(-3, 15, 5000).astype(np.float64),
        "just above zero": rng.choice([MIN_MAGNITUDE, 2 * MIN_MAGNITUDE, 1.0, 1e308], 5000),
    }[draw]
    sketch, by_value, given_low = LogSketch(), LogSketch(), LogSketch()
    for batch in np.array_split(values, 7):
        sketch.add(batch)
        distinct, counts = np.unique(batch, return_counts=True)  # a small domain's path
        by_value.add(distinct, counts)
        given_low.add(batch, low=float(batch.min()))  # all positive: no zero or sign tests
    assert sketch.to_state() == _log_sketch_by_sign(values)
    assert by_value.to_state() == sketch.to_state()
    assert given_low.to_state() == sketch.to_state()


@pytest.mark.parametrize("divisor", [60, 3600, 1000, 1_000_000, 1_000_000_000])
def test_whole_multiples_from_the_quotient_equal_the_remainder_test(divisor):
    rng = np.random.default_rng(divisor)
    values = np.concatenate([rng.integers(0, 86_400 * divisor, 20_000),
                             np.arange(0, 50 * divisor, divisor)])  # exact multiples too
    for width in (np.int64, np.int32):
        if values.max() > np.iinfo(width).max:
            continue
        typed = values.astype(width)
        assert np.array_equal(_multiple(typed, typed // divisor, divisor),
                              typed % divisor == 0)


@pytest.mark.parametrize("width", [1, 2, 12, 33, 64, 65])
def test_strings_of_one_length_hash_as_strings_of_any_length(width):
    rng = np.random.default_rng(width)
    rows = 2000
    data = rng.integers(0, 256, rows * width, dtype=np.uint8)  # any bytes, UTF-8 or not
    offsets = np.arange(0, rows * width + 1, width, dtype=np.int64)
    fixed = hash_utf8(offsets, data)
    by_position = _position_sums(offsets, data, np.diff(offsets))
    with np.errstate(over="ignore"):
        by_position ^= np.diff(offsets).astype(np.uint64) * _MIX1
    assert np.array_equal(fixed, splitmix64(by_position))
    # A slice that does not start at the buffer's first byte.
    assert np.array_equal(hash_utf8(offsets[5:], data), fixed[5:])
    # Python ids of one length, hashed together (one matrix) and one by one (by position).
    words = [f"{i:0{width}d}"[-width:] for i in range(300)]
    assert np.array_equal(hash_python_strings(words),
                          np.concatenate([hash_python_strings([w]) for w in words]))


def _fixed_width_batches() -> dict[str, pa.Array]:
    """Strings of one length: one pattern throughout, or one value (or position) off it."""
    rng = np.random.default_rng(11)
    ids = [f"user-{v:07d}" for v in rng.integers(0, 10**7, 1000)]
    codes = ["".join(rng.choice(list("ABCXYZ"))) + f"{v:03d}" for v in rng.integers(0, 999, 600)]
    return {
        "ids": pa.array(ids),
        "ids with nulls": pa.array(ids, mask=rng.random(1000) < 0.2),
        "codes": pa.array(codes),
        "a lowercase letter among capitals": pa.array([*codes[:-1], "a123"]),
        "punctuation that differs": pa.array([*ids[:-1], "user_0000001"]),
        "a digit among letters": pa.array([f"{c}x" for c in "abcdefgh" * 40] + ["9x"]),
        "whitespace and controls": pa.array([f"\t{v:02d} " for v in range(100)] * 3 + [" 00\t"]),
        "every ASCII byte at one position": pa.array([f"{chr(b)}-" for b in range(128)] * 3),
        "below the fixed-width minimum": pa.array(ids[:100]),
    }


@pytest.mark.parametrize("name", list(_fixed_width_batches()))
def test_one_pattern_read_by_position_equals_patterns_by_value(name):
    """A batch of ASCII strings of one length gives the shape state it gives without its byte
    matrix by position (each value's pattern, then grouped)."""
    from datacouple.profile.arrow.arrays import string_buffers
    from datacouple.profile.arrow.columns.shapes import ShapeCounts, _one_pattern_by_position
    from datacouple.profile.arrow.hashing import fixed_width_columns

    values = _fixed_width_batches()[name]
    present = values.drop_null()
    columns = fixed_width_columns(*string_buffers(present))
    assert (columns is None) == (name == "below the fixed-width minimum")
    by_position, by_value = ShapeCounts(), ShapeCounts()
    counted = by_position.update(values, True, columns)
    expected = by_value.update(values, True)
    assert by_position.to_state() == by_value.to_state()
    assert counted[0].to_pylist() == expected[0].to_pylist()
    assert counted[1].tolist() == expected[1].tolist()
    if columns is not None:  # the shortcut is taken where it should be, and only there
        single = _one_pattern_by_position(columns) is not None
        assert single == (name in ("ids", "ids with nulls", "codes")), name


def _fed(profiler, array: pa.Array, batch_rows: int):
    for start in range(0, len(array), batch_rows):
        profiler.update(array.slice(start, batch_rows))
    return profiler


def _assert_same_profile(fast, plain) -> None:
    """The same section of the fingerprint and the same state; a numeric exact domain lists
    its values in the order they came in, which the document never shows."""
    from datacouple.profile.arrow.columns.base import ProfileOptions

    assert fast.finalize(ProfileOptions()) == plain.finalize(ProfileOptions())
    states = [fast.to_state(), plain.to_state()]
    for state in states:
        if isinstance(state.get("exact"), list):
            state["exact"] = sorted(state["exact"])
    assert states[0] == states[1]


def _small_domains() -> dict[str, pa.Array]:
    rng = np.random.default_rng(3)
    n = 6000
    return {
        "int8 end to end": pa.array(rng.integers(-128, 128, n).astype(np.int8)),
        "int32 counts with nulls": pa.array(rng.poisson(3.0, n).astype(np.int32),
                                            mask=rng.random(n) < 0.1),
        "uint64 near 2**64": pa.array(np.uint64(2**64 - 50) + rng.integers(0, 40, n).astype(
            np.uint64)),
        "int64 negative codes": pa.array(rng.choice([-999, -1, 0, 7, 99999], n)),
        "overflows midway": pa.array(np.concatenate([rng.integers(0, 20, n // 2),
                                                     rng.integers(0, 3000, n // 2)])),
        "wide range": pa.array(rng.choice([0, 10**12, -(10**12)], n)),
        "durations": pa.array(rng.integers(0, 60, n).astype("timedelta64[s]")),
    }


@pytest.mark.parametrize("name", list(_small_domains()))
def test_short_range_integers_counted_by_bincount_profile_as_by_value_counts(name):
    from datacouple.profile.arrow.arrays import from_numpy
    from datacouple.profile.arrow.columns.numbers import NumericProfiler
    from datacouple.profile.arrow.hashing import hash_numeric

    class ByValueCounts(NumericProfiler):
        def _count_small_domain(self, values, dtype, low, high):
            return self._count_distinct(from_numpy(values, dtype), lambda: hash_numeric(values))

    array = _small_domains()[name]
    _assert_same_profile(_fed(NumericProfiler("x", array.type), array, 1000),
                         _fed(ByValueCounts("x", array.type), array, 1000))


@pytest.mark.parametrize("head_distinct", [5000, 900, 1001, 1002])
def test_a_first_batch_whose_head_overflows_the_domain_profiles_as_counting_it_all(
        monkeypatch, head_distinct):
    """The probe of a first batch's head (base.ExactCounts.update) against counting every
    value: floats whose first 4,096 rows hold `head_distinct` distinct values (at the limit
    of 1,000 + 1 for -0.0 and 0.0, and either side of it), then more values."""
    from datacouple.profile.arrow.columns import base
    from datacouple.profile.arrow.columns.numbers import NumericProfiler

    rng = np.random.default_rng(head_distinct)
    head = rng.permutation(np.resize(np.arange(head_distinct) * 0.5, 4096))
    head[:2] = [0.0, -0.0]
    values = pa.array(np.concatenate([head, rng.normal(size=6000)]))

    probed = _fed(NumericProfiler("x", pa.float64()), values, 5000)
    monkeypatch.setattr(base, "_PROBE_ROWS", 10**9)
    _assert_same_profile(probed, _fed(NumericProfiler("x", pa.float64()), values, 5000))


def _first_batches() -> dict[str, pa.Array]:
    rng = np.random.default_rng(9)
    ids = [f"id-{v}" for v in rng.permutation(30_000)]
    return {
        "unique ids": pa.array(ids[:20_000], mask=rng.random(20_000) < 0.05),
        # 8,192 distinct values, then 3 repeated: the batch as a whole repeats (share < 0.5).
        "a unique head, then repeats": pa.array(ids[:8192] + ["x", "yy", "x "] * 4000),
        "free text": pa.array([" ".join(rng.choice(["a", "B", "cc", "d-1", "é"], 4))
                               for _ in range(12_000)]),
        "40 values (a domain kept)": pa.array([f"v{v}" for v in rng.integers(0, 40, 12_000)]),
        "150 values": pa.array([f"v{v}" for v in rng.integers(0, 150, 12_000)]),
        "300 values": pa.array([f"v{v}" for v in rng.integers(0, 300, 12_000)]),
    }


@pytest.mark.parametrize("name", list(_first_batches()))
def test_a_first_string_batch_taken_by_its_head_profiles_as_counting_it_all(name):
    from datacouple.profile.arrow.columns.strings import StringProfiler

    class CountingItAll(StringProfiler):
        def _overflows_at_once(self, repeats):
            return False

    array = _first_batches()[name]
    _assert_same_profile(_fed(StringProfiler("s", array.type), array, 20_000),
                         _fed(CountingItAll("s", array.type), array, 20_000))
