"""Synthetic benchmark data: a 10-column Parquet file and a matching pandera YAML schema.

Everything is built with numpy and pyarrow.compute, one chunk of rows at a time, so generating
20M rows needs no per-row Python and stays well under 2 GiB. Each chunk has its own seed, so a
file of N rows is the same whatever machine or chunk order produced it.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

DATA_DIR = Path(__file__).resolve().parent / "data"
CHUNK_ROWS = 1 << 20  # also pyarrow's default row-group size, so the file looks like a default one
SEED = 20240101

COUNTRIES = ["US", "GB", "DE", "FR", "IN", "BR", "JP", "CN", "CA", "AU",
             "ES", "IT", "NL", "SE", "PL", "MX", "KR", "ZA", "NG", "AR"]
# "" and "NA" are real values here: the profile should count them as empty and sentinel.
SEGMENTS = ["retail", "wholesale", "online", "", "NA"]
SEGMENT_WEIGHTS = [0.45, 0.25, 0.2, 0.06, 0.04]
COMMENT_VOCABULARY = 50_000  # medium cardinality: far above 100 categories, far below rows
YEAR_START_US = 1_704_067_200_000_000  # 2024-01-01T00:00:00Z
YEAR_US = 366 * 86_400_000_000


def parquet_path(rows: int) -> Path:
    return DATA_DIR / f"synthetic-{rows}.parquet"


def ensure_parquet(rows: int) -> Path:
    """The cached file for `rows`, generated on first use (atomically: a crash leaves none)."""
    path = parquet_path(rows)
    if path.exists():
        return path
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".parquet.partial")
    with pq.ParquetWriter(partial, _schema()) as writer:  # pyarrow defaults: snappy, v2.6
        for index, start in enumerate(range(0, rows, CHUNK_ROWS)):
            writer.write_table(_chunk(index, start, min(CHUNK_ROWS, rows - start)))
    os.replace(partial, path)
    return path


def _schema() -> pa.Schema:
    return pa.schema([
        ("id", pa.int64()),
        ("user", pa.string()),
        ("country", pa.string()),
        ("segment", pa.string()),
        ("amount", pa.float64()),
        ("quantity", pa.int32()),
        ("score", pa.float32()),
        ("event_time", pa.timestamp("us", tz="UTC")),
        ("active", pa.bool_()),
        ("comment", pa.string()),
    ])


def _chunk(index: int, start: int, n: int) -> pa.Table:
    rng = np.random.default_rng([SEED, index])

    def nulls(share: float) -> np.ndarray:
        return rng.random(n) < share

    digits = pa.array(rng.integers(0, 10_000_000, n)).cast(pa.string())
    user = pc.binary_join_element_wise("user-", pc.utf8_lpad(digits, 7, "0"), "")
    # take() with a null index yields a null value: that is how the nulls get in.
    country = pa.array(COUNTRIES).take(pa.array(rng.integers(0, len(COUNTRIES), n),
                                                mask=nulls(0.01)))
    segment = pa.array(SEGMENTS).take(pa.array(rng.choice(len(SEGMENTS), n, p=SEGMENT_WEIGHTS)))
    amount = rng.lognormal(3.0, 1.2, n)
    amount[rng.random(n) < 1e-4] = np.nan  # a few NaN, distinct from the nulls
    words = pc.binary_join_element_wise(
        "note", pa.array(np.arange(COMMENT_VOCABULARY)).cast(pa.string()),
        pa.array(np.array(["ok", "late delivery", "refund requested", "gift"])
                 [np.arange(COMMENT_VOCABULARY) % 4]), " ")
    # Zipf-like draw: a few comments are common, most are rare, as in real free text.
    comment_index = np.minimum(rng.zipf(1.3, n) - 1, COMMENT_VOCABULARY - 1)
    event_us = YEAR_START_US + rng.integers(0, YEAR_US, n)
    return pa.table({
        "id": pa.array(np.arange(start, start + n, dtype=np.int64)),
        "user": user,
        "country": country,
        "segment": segment,
        "amount": pa.array(amount, mask=nulls(0.02)),
        "quantity": pa.array(rng.poisson(3.0, n).astype(np.int32)),
        "score": pa.array(rng.normal(0.5, 0.15, n).astype(np.float32)),
        "event_time": pa.array(event_us, pa.timestamp("us", tz="UTC")),
        "active": pa.array(rng.random(n) < 0.7, mask=nulls(0.05)),
        "comment": words.take(pa.array(comment_index, mask=nulls(0.3))),
    }, schema=_schema())


def ensure_schema() -> Path:
    """A pandera YAML schema (DataFrameSchema.to_yaml()) matching the generated data."""
    path = DATA_DIR / "schema.yaml"
    if path.exists():
        return path
    import pandas as pd
    import pandera.pandas as pa_schema

    def col(dtype, *checks, nullable=False):
        return pa_schema.Column(dtype, list(checks), nullable=nullable)

    schema = pa_schema.DataFrameSchema({
        "id": col("int64"),
        "user": col("str"),
        "country": col("str", pa_schema.Check.isin(COUNTRIES), nullable=True),
        "segment": col("str"),
        "amount": col("float64", pa_schema.Check.ge(0), nullable=True),
        "quantity": col("int32"),
        "score": col("float32"),
        "event_time": col(pd.DatetimeTZDtype("us", "UTC")),
        "active": col("boolean", nullable=True),
        "comment": col("str", nullable=True),
    })
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path.write_text(schema.to_yaml(), encoding="utf-8")
    return path


WIDE_ROWS = 20_000  # rows of the wide tables: 5,000 columns of them are 100M cells


def wide_path(columns: int, rows: int = WIDE_ROWS) -> Path:
    return DATA_DIR / f"wide-{columns}x{rows}.parquet"


def ensure_wide_parquet(columns: int, rows: int = WIDE_ROWS) -> Path:
    """`columns` columns: the ten of the narrow table, over and over (each group of ten drawn
    afresh), so that every width has the same mix of types."""
    path = wide_path(columns, rows)
    if path.exists():
        return path
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    arrays, names = [], []
    for group in range((columns + 9) // 10):
        chunk = _chunk(group, 0, rows)
        for name, array in zip(chunk.column_names, chunk.columns, strict=True):
            if len(arrays) < columns:
                arrays.append(array)
                names.append(f"{name}_{group}")
    partial = path.with_suffix(".parquet.partial")
    pq.write_table(pa.table(arrays, names=names), partial)
    os.replace(partial, path)
    return path
