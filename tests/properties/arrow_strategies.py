"""Hypothesis strategies for Arrow tables: generated schemas and data for the property tests.

A table is 1..8 columns of 0..300 rows (with `large=True`, one in five or so has 1,001-2,500).
Each column draws its type (integers, floats with NaN,
infinities and -0.0, strings with "", whitespace, unicode and sentinel tokens, booleans,
timestamps with and without a zone, dates, decimals, lists, structs), its name (unicode and odd
characters included), how many of its rows are null, and whether its values come from a small
pool (a category-like column, drawn value by value by hypothesis, so it shrinks to readable
examples) or from a wide domain (a high-cardinality column, generated from a seeded numpy
generator: hypothesis would need far more entropy than it allows to draw 300 distinct values).

Everything is derived from what hypothesis draws, so an example replays exactly.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import string

import numpy as np
import pyarrow as pa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from datacouple.profile.format import NUMERIC_SENTINELS, SENTINEL_TOKENS

MAX_ROWS = 300
LARGE_ROWS = (1001, 2500)  # beyond the exact domains (numbers: 1,000 distinct values)
MAX_COLUMNS = 8

# Names: plain identifiers, and the odd ones a feature table can carry.
ODD_NAMES = ("", " ", "a b", "ä", "名前", "😀", "col.with.dots", "a/b", "x\ty", "<script>",
             "'quoted'", '"double"', "-", "NULL", "__index_level_0__", "a\nb")
column_names = st.one_of(
    st.text(alphabet=string.ascii_lowercase + "_", min_size=1, max_size=8),
    st.sampled_from(ODD_NAMES),
    st.text(min_size=1, max_size=6),
)

# -- value pools, one strategy per type -------------------------------------------------------

SPECIAL_FLOATS = (float("nan"), float("inf"), float("-inf"), -0.0, 0.0, 1e-300, -1e-300,
                  5e-324, 1.7976931348623157e308)
floats = st.one_of(
    st.sampled_from(SPECIAL_FLOATS),
    st.sampled_from([float(v) for v in NUMERIC_SENTINELS]),
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.floats(min_value=-1e6, max_value=1e6),
)
# Floats whose sums and squares stay finite over MAX_ROWS rows (|x| <= 1e150): where they
# overflow, a mean or std is inf or not depending on the order of the additions (see
# test_invariance.py). NaN, the infinities, -0.0 and the subnormals stay.
MOMENT_SAFE = 1e150
bounded_floats = st.one_of(
    st.sampled_from([v for v in SPECIAL_FLOATS if abs(v) <= MOMENT_SAFE or not math.isfinite(v)]),
    st.sampled_from([float(v) for v in NUMERIC_SENTINELS]),
    st.floats(min_value=-MOMENT_SAFE, max_value=MOMENT_SAFE),
    st.floats(min_value=-1e6, max_value=1e6),
)
int64s = st.one_of(st.sampled_from(NUMERIC_SENTINELS), st.integers(-(2**63), 2**63 - 1),
                   st.integers(-1000, 1000))
WHITESPACE = (" ", "  ", "\t", "\n", "\u00a0", "\u2003", " x", "x ", " x ")
strings = st.one_of(
    st.just(""),
    st.sampled_from(WHITESPACE),
    st.sampled_from(SENTINEL_TOKENS),
    st.text(max_size=12),
    st.text(alphabet="AZaz09-_ /:.", max_size=12),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=20, max_size=40),
)
UTC = dt.UTC
timestamps = st.datetimes(min_value=dt.datetime(1677, 9, 22), max_value=dt.datetime(2262, 4, 11))
dates = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))
decimals = st.decimals(min_value=decimal.Decimal("-99999999.99"),
                       max_value=decimal.Decimal("99999999.99"), places=2,
                       allow_nan=False, allow_infinity=False)

ZONES = (None, "UTC", "Europe/Paris", "America/New_York", "+05:30")

# kind -> (Arrow type, pool strategy)
KINDS = {
    "int64": (pa.int64(), int64s),
    "int8": (pa.int8(), st.integers(-128, 127)),
    "uint64": (pa.uint64(), st.integers(0, 2**64 - 1)),
    "float64": (pa.float64(), floats),
    "float32": (pa.float32(), st.floats(width=32)),
    "string": (pa.string(), strings),
    "large_string": (pa.large_string(), strings),
    "bool": (pa.bool_(), st.booleans()),
    "date32": (pa.date32(), dates),
    "decimal": (pa.decimal128(10, 2), decimals),
    "list<int64>": (pa.list_(pa.int64()), st.lists(st.one_of(st.none(), st.integers(-5, 5)),
                                                    max_size=4)),
    "list<float64>": (pa.list_(pa.float64()), st.lists(floats, max_size=3)),
    "struct": (pa.struct([("a", pa.int64()), ("b", pa.string())]),
               st.fixed_dictionaries({"a": st.one_of(st.none(), st.integers(-3, 3)),
                                      "b": st.one_of(st.none(), strings)})),
}
for zone in ZONES:
    KINDS[f"timestamp[{zone}]"] = (pa.timestamp("us", tz=zone), timestamps)


def _wide_values(kind: str, dtype: pa.DataType, rng: np.random.Generator, n: int) -> pa.Array:
    """Many distinct values: what a pool cannot give (ids, measurements, free text)."""
    if kind in ("int64", "uint64", "int8"):
        info = np.iinfo(dtype.to_pandas_dtype())
        values = rng.integers(info.min, info.max, size=n, endpoint=True, dtype=info.dtype)
        return pa.array(values, type=dtype)
    if kind in ("float64", "float32"):
        magnitude = rng.choice([1e-3, 1.0, 1e3, 1e9], size=n)
        return pa.array((rng.standard_normal(n) * magnitude).astype(dtype.to_pandas_dtype()),
                        type=dtype)
    if kind in ("string", "large_string"):
        letters = np.array(list(string.ascii_letters + string.digits + "-_ é名"))
        lengths = rng.integers(1, 30, size=n)
        return pa.array(["".join(rng.choice(letters, size=k)) for k in lengths], type=dtype)
    if kind == "decimal":
        cents = rng.integers(-10**9, 10**9, size=n)
        return pa.array([decimal.Decimal(int(c)).scaleb(-2) for c in cents], type=dtype)
    if kind == "date32":
        return pa.array(rng.integers(-700_000, 2_900_000, size=n).astype(np.int32),
                        type=pa.int32()).cast(dtype)
    if kind.startswith("timestamp"):
        micros = rng.integers(-2**62 // 1000, 2**62 // 1000, size=n)
        return pa.array(micros, type=pa.int64()).cast(dtype)
    return None  # bool, lists, structs: a pool is all they have


@st.composite
def arrow_columns(draw, name: str, rows: int, overflowing_floats: bool = True
                  ) -> tuple[pa.Field, pa.Array]:
    kind = draw(st.sampled_from(sorted(KINDS)))
    dtype, pool_strategy = KINDS[kind]
    if not overflowing_floats:
        pool_strategy = {"float64": bounded_floats,
                         "list<float64>": st.lists(bounded_floats, max_size=3)
                         }.get(kind, pool_strategy)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    null_share = draw(st.sampled_from([0.0, 0.0, 0.05, 0.5, 1.0]))
    wide = _wide_values(kind, dtype, rng, rows) if draw(st.booleans()) else None
    if wide is not None:
        values = wide.to_pylist()
    else:
        pool = draw(st.lists(pool_strategy, min_size=1, max_size=12))
        values = [pool[i] for i in rng.integers(0, len(pool), size=rows)]
    if null_share:
        values = [None if null else value
                  for value, null in zip(values, rng.random(rows) < null_share, strict=True)]
    return pa.field(name, dtype), pa.array(values, type=dtype)


@st.composite
def arrow_tables(draw, min_rows: int = 0, max_rows: int = MAX_ROWS,
                 max_columns: int = MAX_COLUMNS, overflowing_floats: bool = True,
                 large: bool = False) -> pa.Table:
    """A table of generated columns with distinct names (a duplicate name is a different
    question: the hostile-input tests ask it). `overflowing_floats=False` keeps float values
    within +-1e150 (MOMENT_SAFE); `large=True` makes some tables LARGE_ROWS long."""
    if large and draw(st.integers(0, 4)) == 0:
        # One table in five or so: past the exact-count limits (1,000 distinct numbers,
        # max_categories strings), where sketches take over, at a different point per part.
        rows = draw(st.integers(LARGE_ROWS[0], LARGE_ROWS[1]))
    else:
        rows = draw(st.integers(min_rows, max_rows))
    names = draw(st.lists(column_names, min_size=1, max_size=max_columns, unique=True))
    fields, arrays = [], []
    for name in names:
        field, array = draw(arrow_columns(name, rows, overflowing_floats))
        fields.append(field)
        arrays.append(array)
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


# Deterministic (the same examples on every run and machine: CI reproduces what a developer
# saw), no example database, no deadline (the shared CI machine is slow and its timing noisy).
# Tables are large by hypothesis's standards, hence the two health checks.
def property_settings(max_examples: int) -> settings:
    return settings(max_examples=max_examples, derandomize=True, database=None, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
                    print_blob=True)
