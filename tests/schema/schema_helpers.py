"""Helpers the schema tests share."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import pyarrow as arrow

from datacouple.schema.declared import DeclaredSchema, declared_from_schema


def batches_as_pandas(table: arrow.Table, rows: int) -> list[pd.DataFrame]:
    """What an engine hands the validator: record batches converted with to_pandas()."""
    return [batch.to_pandas() for batch in table.to_batches(max_chunksize=rows)]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def declared(schema: pa.DataFrameSchema, source: str = "test") -> DeclaredSchema:
    return declared_from_schema(schema, source)
