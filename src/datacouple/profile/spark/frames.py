"""Recognise a Spark DataFrame without importing pyspark (it is an optional extra)."""

from __future__ import annotations

from typing import Any


def is_spark_frame(data: Any) -> bool:
    """A `pyspark.sql.DataFrame`: classic (`pyspark.sql.classic.dataframe`, or
    `pyspark.sql.dataframe` before Spark 4) or Spark Connect (`pyspark.sql.connect...`)."""
    kind = type(data)
    return kind.__module__.startswith("pyspark.sql") and kind.__name__ == "DataFrame"
