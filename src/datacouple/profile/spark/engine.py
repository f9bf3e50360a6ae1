"""The spark engine's driver side: one Spark action (`mapInArrow` + `collect`) profiles every
partition; the driver merges the partition states in partition order into one TableProfile,
which profile/api.py assembles exactly as it does for the arrow engine."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa

from ...errors import DatacoupleError
from ..arrow.sources import BATCH_ROWS, _data_files, open_source, source_format
from ..arrow.table import TableProfile
from .partitions import STATE_COLUMN, STATE_SCHEMA, PartitionProfiler, decode_state
from .session import first_line, require_pyspark, spark_session


def frame_arrow_schema(frame: Any) -> pa.Schema:
    """The Arrow schema of a Spark DataFrame exactly as `DataFrame.toArrow()` gives it, so the
    fingerprint equals the arrow engine's over `frame.toArrow()`.

    TimestampType (an instant: Spark keeps no zone per column) is zoned UTC, not the session
    time zone, which is a display setting: the same data fingerprints the same on clusters
    configured with other zones. TimestampNTZType stays naive.
    """
    from pyspark.sql.pandas.types import to_arrow_schema

    large = frame.sparkSession.conf.get("spark.sql.execution.arrow.useLargeVarTypes", "false")
    try:
        return to_arrow_schema(frame.schema, timezone="UTC",
                               prefers_large_types=str(large).lower() == "true")
    except Exception as error:  # a Spark type Arrow cannot carry (intervals, variants, ...)
        raise DatacoupleError(
            f"cannot profile this DataFrame: {first_line(error)}; cast or drop that column"
        ) from None


def profile_frame(frame: Any, schema: pa.Schema, max_categories: int, declared=None
                  ) -> tuple[TableProfile, dict | None]:
    """Profile (and, with a declared schema, validate) a Spark DataFrame in one pass; `schema`
    is the Arrow schema the profilers see. Returns the merged profile and the validation."""
    require_pyspark()
    mismatches: tuple = ()
    if declared is not None:
        from ...schema.validation import check_arrow_types, check_columns_present

        check_columns_present(declared, schema.names)
        mismatches = tuple(check_arrow_types(declared, schema))
    ordered = _in_order(frame, schema.names)
    job = PartitionProfiler(schema, max_categories, declared, mismatches)
    session = frame.sparkSession
    # Spark's default Arrow batch (10,000 rows) costs the profilers 3-4x their time in
    # per-batch overhead; the arrow engine's batch size, unless the user chose one.
    batch = {_BATCH_ROWS: str(BATCH_ROWS)} if session.conf.get(_BATCH_ROWS, None) is None else {}
    try:
        with session_settings(session, batch):
            rows = ordered.mapInArrow(job, STATE_SCHEMA).collect()
    except DatacoupleError:
        raise
    except Exception as error:
        raise DatacoupleError(f"the Spark job failed: {_spark_cause(error)}") from None
    profile = TableProfile(schema, max_categories)
    validator = None
    if declared is not None:
        from ...schema.validation import BatchValidator

        validator = BatchValidator(declared)
    for row in rows:  # in partition order: the merge is deterministic for a given layout
        state = decode_state(row[STATE_COLUMN])
        profile.merge(TableProfile.from_state(schema, state["profile"], max_categories))
        if validator is not None:
            validator.merge(BatchValidator.from_state(declared, state["validation"]))
    return profile, (None if validator is None else validator.result(examples=False))


def _in_order(frame: Any, names: list[str]) -> Any:
    """The frame's columns in the target schema's order, renamed to plain placeholders.

    By position, never by parsing names: a name may hold dots, spaces or backticks that Spark
    reads as a path or a quote (pyspark's own `mapInArrow` looks every column up by name and
    fails on a backtick). The batches' names do not matter: `conform` takes the target's.
    """
    missing = sorted(set(names) - set(frame.columns))
    if missing:
        raise DatacoupleError(f"Spark read no column(s) {missing}; use --engine arrow")
    placeholders = [f"_datacouple_{i}" for i in range(len(frame.columns))]
    by_name = dict(zip(frame.columns, placeholders, strict=True))
    return frame.toDF(*placeholders).select(*[by_name[name] for name in names])


def profile_path(path: Path, max_categories: int, master: str | None, declared=None
                 ) -> tuple[TableProfile, dict | None]:
    """Spark reads a Parquet file or directory (the files the arrow engine reads, nothing else)
    and the profilers see the files' own Arrow schema, as with the arrow engine."""
    fmt = source_format(path)
    if fmt != "parquet":
        raise DatacoupleError(
            f"{path}: the spark engine reads Parquet only (this is {fmt}; Spark's CSV reader "
            "cannot keep NULL and \"\" apart as the arrow engine does); use --engine arrow"
        )
    schema = open_source(path).schema
    with spark_session(master) as spark:
        reader = spark.read
        if path.is_dir():
            files = [str(f) for f in _data_files(path)]
            reader = reader.option("basePath", str(path))  # hive partitions stay columns
        else:
            files = [str(path)]
        with _nanoseconds_as_integers(spark, schema):
            try:
                frame = reader.parquet(*files)
            except Exception as error:
                raise DatacoupleError(f"{path}: Spark cannot read it: {_spark_cause(error)}; "
                                      "use --engine arrow") from None
            return profile_frame(frame, schema, max_categories, declared)


_NANOS_AS_LONG = "spark.sql.legacy.parquet.nanosAsLong"
_BATCH_ROWS = "spark.sql.execution.arrow.maxRecordsPerBatch"


def _nanoseconds_as_integers(spark, schema: pa.Schema):
    """Spark refuses nanosecond Parquet timestamps (what pandas 2 writes by default) unless
    told to read them as their int64 nanoseconds; the cast to the files' own type
    (partitions.conform) makes them timestamps again, to the nanosecond."""
    wanted = any(_has_nanoseconds(field.type) for field in schema)
    return session_settings(spark, {_NANOS_AS_LONG: "true"} if wanted else {})


@contextmanager
def session_settings(spark, settings: dict[str, str]):
    """SQL settings for the engine's job only: the session's own values are put back
    afterwards (it may be the user's session)."""
    before = {key: spark.conf.get(key, None) for key in settings}
    for key, value in settings.items():
        spark.conf.set(key, value)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                spark.conf.unset(key)
            else:
                spark.conf.set(key, value)


def _has_nanoseconds(dtype: pa.DataType) -> bool:
    if pa.types.is_timestamp(dtype):
        return dtype.unit == "ns"
    return any(_has_nanoseconds(dtype.field(i).type) for i in range(dtype.num_fields))


def profile_spark_frame(frame: Any, max_categories: int, declared=None
                        ) -> tuple[TableProfile, dict | None]:
    return profile_frame(frame, frame_arrow_schema(frame), max_categories, declared)


def _spark_cause(error: BaseException) -> str:
    """The first informative line of a Spark/Py4J error (they run to pages of JVM frames)."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    for line in reversed(lines):  # a Python worker's traceback ends with the real cause
        if line.startswith(("DatacoupleError", "pyarrow.lib.", "ArrowInvalid")) or (
                "Error: " in line and not line.startswith("at ")):
            return line
    return lines[0] if lines else type(error).__name__
