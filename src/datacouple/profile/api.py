"""`fingerprint(data, schema=...)`: one streaming pass from data (and a declared schema) to the
fingerprint document. Engines produce a TableProfile; this module only assembles."""

from __future__ import annotations

import contextlib
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyarrow as pa

from .._allocator import tune_for_streaming
from ..atomic import write_text_atomic
from ..errors import DatacoupleError
from ..identity import dataset_identity, find_repo_root
from .arrow.frames import is_table_like, plain_batch, table_batches, to_arrow_table
from .arrow.limits import (
    DEFAULT_MAX_COLUMNS,
    DEFAULT_MAX_VALUE_BYTES,
    csv_header_width,
    require_columns_within,
    require_values_within,
)
from .arrow.pipeline import ColumnPipeline
from .arrow.sources import CsvTypeConflict, csv_delimiter, csv_files, open_source, source_format
from .arrow.table import TableProfile
from .format import FORMAT, Fingerprint, canonical_json, parse_fingerprint, structural_hash
from .progress import row_progress
from .spark.frames import is_spark_frame

DEFAULT_MAX_CATEGORIES = 100
ENGINES = ("arrow", "spark")


def fingerprint(
    data: Any,
    schema: Any = None,
    *,
    name: str | None = None,
    repo_root: str | Path | None = None,
    max_categories: int = DEFAULT_MAX_CATEGORIES,
    progress: bool | None = None,
    max_columns: int = DEFAULT_MAX_COLUMNS,
    max_value_bytes: int = DEFAULT_MAX_VALUE_BYTES,
    engine: str = "arrow",
    spark_master: str | None = None,
) -> Fingerprint:
    """Fingerprint a file/directory path or an in-memory table (pandas, polars, Arrow, or a
    Spark DataFrame, which the spark engine profiles where it lives).

    `schema` is a Pandera schema: a YAML path, `module:attr`, a DataFrameSchema/Model, or a
    loaded `DeclaredSchema`. Without it, types come from the data's own Arrow schema.
    With the arrow engine, data wider than `max_columns` or holding a string longer than
    `max_value_bytes` is refused (DatacoupleError) rather than profiled.
    `engine="spark"` has Spark read a Parquet path (on `spark_master`, default local[*], unless
    a SparkSession is active): the same document as the arrow engine (docs/spark.md).
    """
    if engine not in ENGINES:
        raise DatacoupleError(f"unknown engine {engine!r}: use one of {', '.join(ENGINES)}")
    declared = _declared_schema(schema, repo_root)
    limits = (max_columns, max_value_bytes)
    if is_spark_frame(data) or engine == "spark":
        return _spark_fingerprint(data, declared, name, repo_root, max_categories, spark_master)
    if is_table_like(data):
        profile, validation = _one_pass(data, declared, max_categories, progress, name,
                                        limits=limits)
        location, identity, read_as = None, None, None
    else:
        path = Path(data)
        root = _repo_root(path, repo_root)
        location = _relative_location(path, root)
        # DVC's md5 reads the file once more; hashlib releases the GIL, so it runs alongside.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="datacouple-md5") as pool:
            identity_job = pool.submit(_identity, path, root)
            profile, validation = _one_pass(path, declared, max_categories, progress, name,
                                            limits=limits)
            identity = identity_job.result()
        read_as = source_format(path)
    return assemble(
        profile,
        name=name or (Path(location).name.split(".")[0] if location else "dataframe"),
        location=location,
        identity=identity,
        declared=declared,
        validation=validation,
        source_format=read_as,
    )


def _spark_fingerprint(data, declared, name, repo_root, max_categories, master) -> Fingerprint:
    """The spark engine: a Spark DataFrame, or a path Spark reads; identity as for arrow."""
    from .spark import engine as spark

    if is_spark_frame(data):
        profile, validation = spark.profile_spark_frame(data, max_categories, declared)
        location, identity, read_as = None, None, None
    elif is_table_like(data):
        raise DatacoupleError("the spark engine reads a Spark DataFrame or a Parquet path; "
                              "fingerprint this in-memory table with the arrow engine")
    else:
        path = Path(data)
        if not path.exists():
            raise DatacoupleError(f"{path}: no such file or directory")
        root = _repo_root(path, repo_root)
        location = _relative_location(path, root)
        profile, validation = spark.profile_path(path, max_categories, master, declared)
        identity, read_as = _identity(path, root), source_format(path)
    return assemble(
        profile,
        name=name or (Path(location).name.split(".")[0] if location else "dataframe"),
        location=location, identity=identity, declared=declared, validation=validation,
        source_format=read_as,
    )


def validate(data: Any, schema: Any, *, repo_root: str | Path | None = None,
             progress: bool | None = None, max_columns: int = DEFAULT_MAX_COLUMNS,
             max_value_bytes: int = DEFAULT_MAX_VALUE_BYTES) -> dict:
    """Validate data against a declared schema in one streaming pass, without profiling.

    Returns `{"valid": bool, "failures": [{"column", "check", "count"}]}`; a failure also has
    `"examples"`, up to three failing values, when it has values to show (never for `pii`
    columns or table-level checks).
    """
    declared = _declared_schema(schema, repo_root)
    if declared is None:
        raise DatacoupleError(
            "validate needs a schema: pass --schema or set one in datacouple.toml"
        )
    _, validation = _one_pass(data, declared, DEFAULT_MAX_CATEGORIES, progress, None,
                              profiling=False, limits=(max_columns, max_value_bytes))
    return validation


def assemble(profile: TableProfile, *, name: str, location: str | None, identity: dict | None,
             declared=None, validation: dict | None = None,
             source_format: str | None = None) -> Fingerprint:
    """Build the fingerprint document from a finished (possibly merged) profile."""
    pii = declared.pii_columns() if declared is not None else set()
    columns = profile.finalize(pii)
    return {
        "format": FORMAT,
        "dataset": name,
        "path": location,
        "dvc": identity,
        "schema": None if declared is None else {
            "source": declared.source, "hash": declared.hash, "canonical": declared.canonical,
        },
        "validation": validation,
        "rows": profile.rows,
        "settings": {"max_categories": profile.max_categories},
        "structural_hash": structural_hash(columns),
        "columns": columns,
        # How the data was read (None: an in-memory table): CSV cannot carry NULL vs "".
        "source_format": source_format,
    }


def _one_pass(data, declared, max_categories, progress, name, profiling=True,
              limits=(DEFAULT_MAX_COLUMNS, DEFAULT_MAX_VALUE_BYTES)):
    """Profile (and validate) an in-memory table or a file/directory in one streaming pass.
    `limits` is (max_columns, max_value_bytes): arrow/limits.py."""
    tune_for_streaming()
    if is_table_like(data):
        table = to_arrow_table(data)
        return _profile_stream(table.schema, lambda: table_batches(table), table.num_rows,
                               declared, max_categories, progress, label=name or "dataframe",
                               profiling=profiling, limits=limits)
    path = Path(data)
    for csv_file in csv_files(path)[:1]:  # before Arrow infers types over every column
        require_columns_within(csv_file, csv_header_width(csv_file, csv_delimiter(csv_file)),
                               limits[0])
    string_columns: set[str] = set()
    # Wide Parquet is read one group of columns at a time (arrow/column_groups.py); the
    # validator needs the declared columns in one batch, so they travel together.
    together = list(declared.columns) if declared is not None else []
    while True:  # a CSV column that changes type late is re-read as strings, then we restart
        source = open_source(path, string_columns, dictionary_strings=True, together=together)
        try:
            return _profile_stream(source.schema, source.batches, source.total_rows, declared,
                                   max_categories, progress, label=name or path.name,
                                   profiling=profiling, limits=limits, where=str(path))
        except CsvTypeConflict as conflict:
            if conflict.column in string_columns:
                raise
            string_columns.add(conflict.column)


def _profile_stream(arrow_schema: pa.Schema, batches, total_rows, declared, max_categories,
                    progress, *, label: str, profiling: bool = True,
                    limits=(DEFAULT_MAX_COLUMNS, DEFAULT_MAX_VALUE_BYTES),
                    where: str | None = None):
    max_columns, max_value_bytes = limits
    require_columns_within(where or label, len(arrow_schema), max_columns)
    validator = None
    if declared is not None:
        # pandera is imported only when a schema is declared (here and in _declared_schema):
        # it costs about a second, which a schema-less fingerprint and `--help` do not pay.
        from ..schema.validation import BatchValidator, check_arrow_types, check_columns_present

        check_columns_present(declared, arrow_schema.names)
        validator = BatchValidator(declared, check_arrow_types(declared, arrow_schema))
        checked = [c for c in declared.columns if c in arrow_schema.names]
    profile = TableProfile(arrow_schema, max_categories)
    verb = "fingerprint" if profiling else "validate"
    # Columns are profiled on every core (numpy and Arrow release the GIL in their loops),
    # while the source decodes the next batch on a thread of its own. `validate` profiles
    # nothing, so it starts no pipeline.
    pipeline = ColumnPipeline(profile) if profiling else contextlib.nullcontext()
    with pipeline, row_progress(f"{verb} {label}", total_rows, progress) as bar:
        # A source read in column groups (sources.py) passes over the rows once per group:
        # the bar moves by the share of the table's cells a batch holds.
        width, cells, shown = len(arrow_schema), 0, 0
        for batch in batches():
            require_values_within(batch, where or label, max_value_bytes)
            if profiling:
                pipeline.add(batch)
            # The declared columns travel in the batches that carry the rows (the first group).
            if validator is not None and profile.counts_rows(batch):
                validator.validate(plain_batch(batch.select(checked)).to_pandas())
            cells += batch.num_rows * (batch.num_columns if width else 1)
            rows_done = cells // max(width, 1)
            bar.advance(rows_done - shown)
            shown = rows_done
    # `validate` shows people a few failing values; a fingerprint stores counts only.
    return profile, (validator.result(examples=not profiling) if validator is not None else None)


def _declared_schema(schema: Any, repo_root):
    if schema is None:
        return None
    from ..schema.declared import DeclaredSchema, declared_from_object
    from ..schema.loading import load_schema

    if isinstance(schema, DeclaredSchema):
        return schema
    if isinstance(schema, str | os.PathLike):
        return load_schema(str(schema), base_dir=repo_root)
    return declared_from_object(schema)


def _repo_root(path: Path, repo_root) -> Path | None:
    if repo_root is not None and path.resolve().is_relative_to(Path(repo_root).resolve()):
        return Path(repo_root).resolve()

    return find_repo_root(path.resolve())


def _relative_location(path: Path, root: Path | None) -> str:
    """Never an absolute path: relative to the repo root, else to the working directory."""
    resolved = path.resolve()
    for base in (root, Path.cwd().resolve()):
        if base is not None and resolved.is_relative_to(base):
            return resolved.relative_to(base).as_posix()
    return path.name


def _identity(path: Path, root: Path | None) -> dict:
    identity = dataset_identity(path, root)
    return {"hash": identity.hash, "size": identity.size, "nfiles": identity.nfiles}


def write_fingerprint(document: Fingerprint, path: str | Path) -> Path:
    return write_text_atomic(path, canonical_json(document))


def load_fingerprint(path: str | Path) -> Fingerprint:
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DatacoupleError(f"{path}: no such fingerprint file") from None
    except OSError as error:
        raise DatacoupleError(f"{path}: cannot read ({error.strerror})") from None
    return parse_fingerprint(data, str(path))
