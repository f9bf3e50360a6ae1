"""Validate streams of batches against a declared schema, counting failing rows per check.

`BatchValidator` runs pandera on one batch at a time, keeps only per-(column, check) failure
counts (and a few failing values to show people, never for `pii` columns), and merges with other
validators, so a partitioned pass gives the same counts as one pass over the whole frame. Data
types are judged once, on the Arrow schema, and their failures counted row by row.
"""

from __future__ import annotations

import copy
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pyarrow as pa
from pandera.api.pandas.components import Column
from pandera.api.pandas.container import DataFrameSchema
from pandera.config import ValidationDepth, config_context
from pandera.errors import ParserError, SchemaDefinitionError, SchemaError, SchemaErrors

from ..errors import DatacoupleError
from . import logical_types as lt
from .declared import DeclaredSchema
from .dtypes import canonical_dtype_of_arrow
from .json_values import json_value
from .pandera_calls import one_line, quiet_warnings

# How many failing values a failure shows (per column and check): enough to recognise the
# problem ("N/A", "1,5"), few enough that a report never becomes a copy of the data.
EXAMPLES = 3

# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


class BatchValidator:
    """Validates a stream of pandas DataFrame batches against a DeclaredSchema and counts
    failures per (column, check).

    Data checks run through pandera on a copy of the schema without dtypes: batches come from
    `pyarrow.RecordBatch.to_pandas()`, where an integer column with nulls is float64 and
    strings are `str`/object, so pandera's dtype checks would misfire. Types are checked once,
    on the Arrow schema, by `check_arrow_types`, and the mismatches it finds are counted here,
    batch by batch, in every row that holds a value (with coerce: the values pandera cannot
    convert).

    Counts are failing rows (a value failing in 5 rows counts 5), so they add up across
    batches; a column stored as another dtype than declared (`type_mismatches`) fails in every
    row that holds a value. Uniqueness (`unique=True`, schema-level `unique=[...]`) is checked
    per batch only: a duplicate split across two batches is not seen. Checks declared
    `raise_warning=True` are advisory in pandera and are not counted.
    """

    def __init__(self, declared: DeclaredSchema,
                 type_mismatches: Iterable[TypeMismatch] = ()):
        self.declared = declared
        self.rows = 0
        self.batches = 0
        self._counts: Counter[tuple[str | None, str]] = Counter()
        self._examples: dict[tuple[str | None, str], list] = {}
        self._schema = _data_checks_only(declared.schema)
        self._mismatches = list(type_mismatches)
        self._pii = declared.pii_columns()

    def validate(self, frame: pd.DataFrame) -> None:
        """Validate one batch and add its failure counts; data failures never raise."""
        self.rows += len(frame)
        self.batches += 1
        self._counts.update(_pandera_failure_counts(self._schema, frame, self.declared.source,
                                                    self._add_examples))
        for mismatch in self._mismatches:
            if mismatch.column in frame.columns:
                failing = mismatch.failing_values(frame[mismatch.column])
                self._counts[(mismatch.column, mismatch.check)] += len(failing)
                # Distinct first (vectorised): a batch may hold 98,304 copies of one value.
                self._add_examples(mismatch.column, mismatch.check,
                                   failing.drop_duplicates().head(EXAMPLES))

    def _add_examples(self, column: str | None, check: str, values: Iterable) -> None:
        """Keep the first few distinct failing values of a column's check (none for `pii`
        columns, nor for table-level checks, whose failures are whole rows)."""
        if column is None or column in self._pii:
            return
        kept = self._examples.setdefault((column, check), [])
        if len(kept) >= EXAMPLES:
            return
        for value in values:
            if len(kept) >= EXAMPLES:
                return
            value = json_value(value)
            if value is not None and value not in kept:
                kept.append(value)

    def add_failures(self, failures: Iterable[Mapping]) -> None:
        """Fold in failures found elsewhere, e.g. by `check_arrow_types`."""
        for failure in failures:
            self._counts[(failure["column"], failure["check"])] += int(failure["count"])

    def merge(self, other: BatchValidator) -> None:
        """Add another validator's counts (same declared schema), e.g. from another partition."""
        _require_same_schema(self.declared, other.declared.hash)
        self.rows += other.rows
        self.batches += other.batches
        self._counts.update(other._counts)
        for (column, check), values in other._examples.items():
            self._add_examples(column, check, values)

    def state(self) -> dict:
        """JSON-serialisable partial state, to ship between processes and rebuild with
        `from_state`."""
        return {
            "schema_hash": self.declared.hash,
            "rows": self.rows,
            "batches": self.batches,
            "failures": self._failures(examples=True),
        }

    @classmethod
    def from_state(cls, declared: DeclaredSchema, state: Mapping) -> BatchValidator:
        _require_same_schema(declared, state.get("schema_hash"))
        validator = cls(declared)
        validator.rows = int(state.get("rows", 0))
        validator.batches = int(state.get("batches", 0))
        failures = state.get("failures", [])
        validator.add_failures(failures)
        for failure in failures:
            validator._add_examples(failure["column"], failure["check"],
                                    failure.get("examples", []))
        return validator

    def result(self, examples: bool = False) -> dict:
        """`{"valid", "failures": [{"column", "check", "count"}]}`, failures sorted by (column,
        check) with frame-level failures (column None) first. With `examples`, a failure also
        lists up to three failing values (`"examples"`) when it has any to show: people read
        them, fingerprints do not store them."""
        failures = self._failures(examples)
        return {"valid": not failures, "failures": failures}

    def _failures(self, examples: bool = False) -> list[dict]:
        keys = sorted(
            (key for key, count in self._counts.items() if count > 0),
            key=lambda key: (key[0] is not None, str(key[0] or ""), key[1]),
        )
        failures = []
        for column, check in keys:
            failure = {"column": column, "check": check, "count": self._counts[(column, check)]}
            if examples and self._examples.get((column, check)):
                failure["examples"] = list(self._examples[(column, check)])
            failures.append(failure)
        return failures


def validate_frame(declared: DeclaredSchema, frame: pd.DataFrame) -> dict:
    """Validate one in-memory frame; returns `BatchValidator.result()`."""
    validator = BatchValidator(declared)
    validator.validate(frame)
    return validator.result()


def _require_same_schema(declared: DeclaredSchema, other_hash: Any) -> None:
    if other_hash != declared.hash:
        raise DatacoupleError(
            f"validation state was computed against schema hash {str(other_hash)[:12]}, not "
            f"{declared.hash[:12]} ({declared.source}): revalidate with the current schema"
        )


def _data_checks_only(schema: DataFrameSchema) -> DataFrameSchema:
    """A copy of `schema` that checks values but not dtypes, and never alters the data."""
    stripped = copy.deepcopy(schema)
    stripped.dtype = None
    stripped.coerce = False
    # These would make pandera fix the frame (drop rows, add columns) instead of reporting.
    stripped.drop_invalid_rows = False
    stripped.add_missing_columns = False
    components = list(stripped.columns.values())
    if stripped.index is not None:
        components += list(getattr(stripped.index, "indexes", None) or [stripped.index])
    for component in components:
        component.dtype = None
        component.coerce = False
        component.drop_invalid_rows = False
    return stripped


def _pandera_failure_counts(
    schema: DataFrameSchema, frame: pd.DataFrame, source: str, examples=None
) -> Counter[tuple[str | None, str]]:
    # The context pins full validation even if PANDERA_VALIDATION_ENABLED / _DEPTH are set in the
    # environment: a silently skipped validation would read as "valid".
    with quiet_warnings(), config_context(
        validation_enabled=True, validation_depth=ValidationDepth.SCHEMA_AND_DATA
    ):
        try:
            schema.validate(frame, lazy=True)
        except SchemaErrors as exc:
            if examples is not None:
                _failing_values(exc.failure_cases, examples)
            return count_failure_cases(exc.failure_cases)
        except SchemaDefinitionError as exc:
            raise DatacoupleError(
                f"schema '{source}' cannot be applied to the data: {one_line(exc)}"
            ) from exc
        except SchemaError as exc:  # lazy mode collects these, but be safe
            failure_cases = getattr(exc, "failure_cases", None)
            if isinstance(failure_cases, pd.DataFrame) and "check" in failure_cases:
                return count_failure_cases(failure_cases)
            return Counter({(None, str(exc.check or "schema")): 1})
    return Counter()


def count_failure_cases(failure_cases: pd.DataFrame) -> Counter[tuple[str | None, str]]:
    """Failing rows per (column, check) from pandera's `failure_cases` table.

    Column and index checks give one row per failing element: counted as they are. A frame-level
    check (or multi-column uniqueness) repeats each failing row once per column it looked at:
    counted once per row, under column None. Structural failures (a missing or unexpected
    column) have no row; pandera names the column in `failure_case`.
    """
    counts: Counter[tuple[str | None, str]] = Counter()
    if failure_cases.empty:
        return counts
    cases = failure_cases.astype({"column": object, "check": object, "index": object})
    frame_level = (cases["schema_context"] == "DataFrameSchema").to_numpy()
    has_row = cases["index"].notna().to_numpy()

    per_element = cases[~frame_level]
    for (column, check), size in per_element.groupby(
        ["column", "check"], dropna=False, sort=False
    ).size().items():
        counts[(_column_label(column), str(check))] += int(size)

    per_row = cases[frame_level & has_row]
    for check, rows in per_row.groupby("check", sort=False)["index"].nunique().items():
        counts[(None, str(check))] += int(rows)

    for case in cases[frame_level & ~has_row].itertuples(index=False):
        column = _column_label(case.column)
        if column is None and pd.isna(case.check_number):
            column = _column_label(case.failure_case)  # e.g. column_in_dataframe: the name
        counts[(column, str(case.check))] += 1
    return counts


def _failing_values(failure_cases: pd.DataFrame, sink) -> None:
    """Hand the first few failing values of each column check to `sink(column, check,
    values)`: per-element failures only (a frame-level or structural failure has no value)."""
    if failure_cases.empty:
        return
    cases = failure_cases.astype({"column": object, "check": object, "index": object})
    per_element = cases[(cases["schema_context"] != "DataFrameSchema").to_numpy()
                        & cases["index"].notna().to_numpy()]
    for (column, check), group in per_element.groupby(["column", "check"], sort=False):
        sink(_column_label(column), str(check), group["failure_case"].head(50).tolist())


def _column_label(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)


def check_columns_present(declared: DeclaredSchema, column_names: list[str]) -> None:
    """Raise when required schema columns are absent from the data, naming all of them."""
    present = [str(name) for name in column_names]
    missing = [
        str(name)
        for name, column in declared.schema.columns.items()
        if column.required and not _column_found(name, column, present)
    ]
    if not missing:
        return
    names = ", ".join(f"'{name}'" for name in missing)
    subject, verb = ("schema column", "is") if len(missing) == 1 else ("schema columns", "are")
    found = ", ".join(present[:20]) + (", ..." if len(present) > 20 else "") or "no columns"
    raise DatacoupleError(
        f"{subject} {names} ({declared.source}) {verb} missing from the data: the data has "
        f"{found}; fix the data or mark the column required: false in the schema"
    )


def _column_found(name: Any, column: Column, present: list[str]) -> bool:
    if column.regex:
        return any(re.match(str(name), candidate) for candidate in present)
    return str(name) in present


@dataclass(frozen=True)
class TypeMismatch:
    """A declared column whose data is stored as another dtype than the declared one."""

    column: str
    declared: str  # canonical dtype names (dtypes.py): "float64", "string", "datetime[UTC]"
    actual: str
    # pandera's dtype to coerce values to when the schema declares `coerce: true`: pandera
    # then converts what it can and only values it cannot convert fail.
    coerce_to: Any = None

    @property
    def check(self) -> str:
        """pandera's own name for the failing check."""
        verb = "dtype" if self.coerce_to is None else "coerce_dtype"
        return f"{verb}('{self.declared}')"

    def failing_values(self, series: pd.Series) -> pd.Series:
        """The values of one batch that fail: every value (a NULL holds no value of any type;
        nullability is a check of its own), or with `coerce`, those pandera cannot convert."""
        present = series[series.notna()]
        if self.coerce_to is None or present.empty:
            return present
        try:
            with quiet_warnings():
                self.coerce_to.try_coerce(present)
        except ParserError as error:
            return error.failure_cases["failure_case"]
        except (TypeError, ValueError):
            return present  # pandera cannot convert this kind of data at all
        return present.iloc[:0]


def check_arrow_types(declared: DeclaredSchema, arrow_schema: pa.Schema) -> list[TypeMismatch]:
    """The declared columns whose data is stored as another dtype than declared.

    The verdict is pandera's own, name for name: the declared dtype and the dtype pandas gives
    the Arrow column must be the same canonical dtype (dtypes.py), so int64 data fails a
    float64 declaration and int32 data an int64 one, exactly as pandera fails them, unless the
    schema coerces. Where the canonical names deliberately merge pandera's spellings, so does
    the verdict: `str`, `object`, `string[python]` and `string[pyarrow]` are one string (a
    schema written under pandas 2 keeps validating under pandas 3), `int64` and `Int64` one
    integer, and datetime units are not compared. An integer column with NULLs is judged as the
    integers it stores, not as the float64 pandas would make of it. An all-null column (Arrow
    type null) satisfies any declared dtype.
    """
    mismatches = []
    schema_coerces = bool(declared.canonical.get("coerce"))
    for column in declared.canonical["columns"]:
        name, declared_name = column["name"], column["dtype"]
        if declared_name is None or column.get("regex") or not isinstance(name, str):
            continue
        index = arrow_schema.get_field_index(name)
        if index < 0:
            continue  # absence is check_columns_present's business
        arrow_type = arrow_schema.field(index).type
        actual = canonical_dtype_of_arrow(arrow_type)
        if actual is None or actual == declared_name:
            continue
        if lt.NESTED == column["logical_type"] == lt.logical_type_of_arrow(arrow_type):
            continue  # nested dtypes have no canonical spelling to compare; their kind agrees
        coerce_to = None
        if column.get("coerce") or schema_coerces:
            coerce_to = _pandera_dtype(declared.schema, name)
        mismatches.append(TypeMismatch(name, declared_name, actual, coerce_to))
    return mismatches


def _pandera_dtype(schema: DataFrameSchema, name: str) -> Any:
    component = schema.columns.get(name)
    return (component.dtype if component is not None else None) or schema.dtype
