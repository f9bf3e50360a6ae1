"""Generated tables for the conformance suite: every encoding of "missing", every type family
the engines profile, and the sizes that trip mergeable state (empty, one row, a domain past the
exact-count limit). Seeded: the same tables every run."""

from __future__ import annotations

import datetime as dt
import decimal

import numpy as np
import pyarrow as pa

ROWS = 600


def _with_nulls(values: list, rng, share: float = 0.1) -> list:
    return [None if rng.random() < share else v for v in values]


def edge_table(rows: int = ROWS, seed: int = 11) -> pa.Table:
    """Every type family Spark can carry, with nulls, NaN, "", whitespace, sentinels, unicode."""
    rng = np.random.default_rng(seed)
    words = ["Adelie", "adelie", "", "  ", "\t", "NA", "N/A", "null", "-", "Gentoo ", "Zürich",
             "東京", "é", "Chinstrap", "A1234", "2024-01-05"]
    base = dt.datetime(2023, 3, 26, 0, 30)
    moments = [base + dt.timedelta(minutes=int(m)) for m in rng.integers(0, 60 * 24 * 90, rows)]
    floats = rng.normal(50, 20, rows)
    floats[rng.random(rows) < 0.05] = np.nan
    floats[:2] = [np.inf, -np.inf] if rows >= 2 else floats[:2]
    return pa.table({
        "i8": pa.array(_with_nulls(rng.integers(-128, 127, rows).tolist(), rng), pa.int8()),
        "i16": pa.array(rng.integers(-3000, 3000, rows), pa.int16()),
        "i32": pa.array(_with_nulls(rng.integers(0, 5, rows).tolist(), rng), pa.int32()),
        "i64": pa.array(rng.integers(-(2**40), 2**40, rows), pa.int64()),
        "f32": pa.array(rng.normal(0, 1, rows).astype(np.float32)),
        "f64": pa.array(floats.tolist(), pa.float64()),
        "f64_null": pa.array(_with_nulls(rng.normal(1e6, 3, rows).tolist(), rng, 0.3),
                             pa.float64()),
        "zeros a.b `c`": pa.array(np.zeros(rows)),  # a name Spark would parse as a path
        "flag": pa.array(_with_nulls([bool(b) for b in rng.integers(0, 2, rows)], rng)),
        "word": pa.array(_with_nulls([words[i] for i in rng.integers(0, len(words), rows)],
                                     rng)),
        "code": pa.array([f"K{int(i):06d}" for i in rng.integers(0, 10**6, rows)]),
        "amount": pa.array(_with_nulls([decimal.Decimal(int(c)).scaleb(-2)
                                        for c in rng.integers(-10**6, 10**6, rows)], rng),
                           pa.decimal128(12, 2)),
        "day": pa.array(_with_nulls([(base + dt.timedelta(days=int(d))).date()
                                     for d in rng.integers(0, 400, rows)], rng), pa.date32()),
        "at_utc": pa.array(_with_nulls(moments, rng), pa.timestamp("us", tz="UTC")),
        "at_local": pa.array(_with_nulls(moments, rng), pa.timestamp("us")),
        "tags": pa.array(_with_nulls([[words[j] for j in rng.integers(0, 5, int(n))]
                                      for n in rng.integers(0, 4, rows)], rng),
                         pa.list_(pa.string())),
        "embedding": pa.array([rng.normal(0, 1, 4).tolist() for _ in range(rows)],
                              pa.list_(pa.float64())),
        "point": pa.array(_with_nulls([{"x": float(x), "label": words[int(x) % 5]}
                                       for x in rng.integers(0, 9, rows)], rng),
                          pa.struct([("x", pa.float64()), ("label", pa.string())])),
    })


def file_only_table(rows: int = 300, seed: int = 5) -> pa.Table:
    """Types a Parquet file holds but Spark does not: unsigned integers (Spark widens them),
    millisecond timestamps in another zone, nanosecond timestamps, a dictionary-encoded
    column, a map."""
    rng = np.random.default_rng(seed)
    base = dt.datetime(2024, 10, 27, 0, 0)
    return pa.table({
        "u8": pa.array(rng.integers(0, 255, rows), pa.uint8()),
        "u32": pa.array(rng.integers(0, 2**32 - 1, rows), pa.uint32()),
        "u64": pa.array(np.append(rng.integers(0, 2**62, rows - 1, dtype=np.uint64),
                                  np.uint64(2**64 - 1)), pa.uint64()),
        "paris": pa.array([base + dt.timedelta(minutes=7 * int(i)) for i in range(rows)],
                          pa.timestamp("ms", tz="Europe/Paris")),
        # pandas 2 writes nanoseconds by default; Spark reads them only as integers.
        "nanos": pa.array([None if i % 11 == 0 else 1_700_000_000_123_456_789 + 1_001 * i
                           for i in range(rows)], pa.timestamp("ns", tz="UTC")),
        "nanos_naive": pa.array([1_700_000_000_000_000_007 + 3_600 * 10**9 * i
                                 for i in range(rows)], pa.timestamp("ns")),
        "species": pa.array([["Adelie", "Gentoo", "Chinstrap"][i % 3] for i in range(rows)]
                            ).dictionary_encode(),
        "attributes": pa.array([[("k", i), ("j", i % 4)] if i % 5 else None
                                for i in range(rows)], pa.map_(pa.string(), pa.int64())),
    })


def high_cardinality_table(rows: int = 3000, seed: int = 7) -> pa.Table:
    """Domains past the exact-count limits (strings 100, numbers 1000): sketches must merge."""
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, 2500, rows)
    return pa.table({
        "user": pa.array([f"u-{int(i):05d}@example.org" for i in ids]),
        "value": pa.array(rng.lognormal(3, 1, rows)),
        "count": pa.array(rng.integers(0, 5000, rows), pa.int64()),
    })


def empty_table() -> pa.Table:
    return edge_table().slice(0, 0)


def one_row_table() -> pa.Table:
    return edge_table().slice(7, 1)


GENERATED = {
    "edge": edge_table,
    "empty": empty_table,
    "one_row": one_row_table,
    "high_cardinality": high_cardinality_table,
}
