"""Infer a starting Pandera schema from a fingerprint, and write schemas as YAML (atomically,
keeping the column metadata that pandera's own writer drops)."""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from pandera.api.checks import Check
from pandera.api.pandas.components import Column
from pandera.api.pandas.container import DataFrameSchema
from pandera.engines import pandas_engine

from ..atomic import write_text_atomic
from ..errors import DatacoupleError
from . import logical_types as lt
from .json_values import hashable_name, json_value, sorted_values
from .pandera_calls import one_line

# --------------------------------------------------------------------------------------------
# Inference and writing
# --------------------------------------------------------------------------------------------

_TIMEZONE = re.compile(r"tz=([^,\]]+)")
_DECIMAL_PHYSICAL = re.compile(r"decimal(?:32|64|128|256)?\(\s*(\d+)\s*,\s*(-?\d+)\s*\)")


def infer_schema(columns: list[dict]) -> DataFrameSchema:
    """A starting-point schema from a fingerprint's column profiles (docs/fingerprint.md).

    Each column gets its dtype, `nullable` when it holds any null (or NaN: pandera counts NaN as
    null), `isin` for an exact category domain and `ge`/`le` for a numeric range. Columns
    profiled as PII get `metadata={"pii": True}` and never an `isin` (it would store values).
    """
    return DataFrameSchema({profile["name"]: _infer_column(profile) for profile in columns})


def _infer_column(profile: Mapping) -> Column:
    logical_type = profile.get("logical_type")
    physical_type = str(profile.get("physical_type") or "")
    pii = bool(profile.get("pii"))
    dtype = _inferred_dtype(logical_type, physical_type)
    checks = [] if pii else _category_checks(logical_type, physical_type, profile.get("categories"))
    checks += _range_checks(logical_type, physical_type, profile.get("numeric"))
    return Column(
        dtype,
        checks=checks or None,
        nullable=_missing_count(profile) > 0,
        metadata={"pii": True} if pii else None,
    )


def _missing_count(profile: Mapping) -> int:
    missing = profile["missing"]
    return int(missing.get("null") or 0) + int(missing.get("nan") or 0)


def _is_float_physical(physical_type: str) -> bool:
    return physical_type in {"halffloat", "float", "double"} or physical_type.startswith("float")


def _inferred_dtype(logical_type: str | None, physical_type: str) -> Any:
    if logical_type == lt.STRING:
        return "str"
    if logical_type == lt.INTEGER:
        return "float64" if _is_float_physical(physical_type) else "int64"
    if logical_type == lt.FLOAT:
        return "float64"
    if logical_type == lt.BOOLEAN:
        return "bool"
    if logical_type == lt.DATETIME:
        timezone = _TIMEZONE.search(physical_type)
        if timezone:
            return pd.DatetimeTZDtype("ns", timezone.group(1).strip())
        return "datetime64[ns]"
    if logical_type == lt.DATE:
        return "date"
    if logical_type == lt.DURATION:
        return "timedelta64[ns]"
    if logical_type == lt.DECIMAL:
        match = _DECIMAL_PHYSICAL.search(physical_type)
        if match:
            return pandas_engine.Decimal(precision=int(match.group(1)), scale=int(match.group(2)))
    # time, binary, nested, null: pandas has no portable dtype for them; declare none.
    return None


def _category_checks(logical_type: str | None, physical_type: str, categories: Any) -> list:
    if not categories or logical_type not in {lt.STRING, lt.INTEGER}:
        return []
    values = list(categories.keys()) if isinstance(categories, Mapping) else list(categories)
    if logical_type == lt.INTEGER:
        # Fingerprint JSON keys are strings; the check must compare numbers.
        try:
            parse = float if _is_float_physical(physical_type) else int
            values = [parse(value) for value in values if value is not None]
        except (TypeError, ValueError):
            return []
    else:
        values = [value for value in values if value is not None]
    return [Check.isin(sorted_values(values))] if values else []


def _range_checks(logical_type: str | None, physical_type: str, numeric: Any) -> list:
    if not isinstance(numeric, Mapping) or logical_type not in {lt.INTEGER, lt.FLOAT}:
        return []
    integral = logical_type == lt.INTEGER
    checks = []
    for key, make_check, direction in (("min", Check.ge, -1), ("max", Check.le, +1)):
        value = _finite_number(numeric.get(key))
        if value is not None:
            checks.append(make_check(_bound_outside(value, direction, integral)))
    return checks


def _finite_number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


# Fingerprints round floats to 10 significant digits for stable output, so a profiled max of
# 186.634 may stand for 186.63400000000001: a bound taken as-is would reject the very row it
# came from. Bounds move outward by one unit in that 10th digit (integers: to the next integer).
_PROFILE_SIGNIFICANT_DIGITS = 10


def _bound_outside(value: float, direction: int, integral: bool) -> int | float:
    if value == 0:  # rounding never turns a non-zero value into zero
        return 0 if integral else 0.0
    exponent = math.floor(math.log10(abs(value)))
    unit = 10.0 ** (exponent - (_PROFILE_SIGNIFICANT_DIGITS - 1))
    if integral:
        if unit <= 1 and value.is_integer():
            return int(value)  # an integer with at most 10 digits survives the rounding
        return math.floor(value - unit) if direction < 0 else math.ceil(value + unit)
    widened = value + direction * unit
    return float(f"{widened:.{_PROFILE_SIGNIFICANT_DIGITS + 1}g}")


def write_schema_yaml(schema: DataFrameSchema, path: str | Path) -> None:
    """Write pandera's `to_yaml()` text atomically, plus each column's `metadata` (pandera's
    writer drops it; `load_schema` reads it back, so `pii: true` survives)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        text = schema.to_yaml()
    skipped = [str(warning.message) for warning in caught if "skipped" in str(warning.message)]
    if skipped:
        # pandera leaves out checks it cannot serialise; a written schema that silently checks
        # less than the one in memory is worse than no file.
        raise DatacoupleError(
            f"cannot write '{path}': {one_line(Exception(skipped[0]))}; register the check "
            "with pandera.extensions or keep the schema in Python (module:attr)"
        )
    metadata = {name: column.metadata for name, column in schema.columns.items()
                if column.metadata}
    if metadata:
        text = _with_column_metadata(text, metadata)
    write_text_atomic(path, text)


def _with_column_metadata(text: str, metadata: dict[Any, dict]) -> str:
    document = yaml.safe_load(text)
    columns = document.get("columns")
    entries = (
        {hashable_name(entry.get("name")): entry for entry in columns}
        if isinstance(columns, list)
        else columns
    )
    for name, column_metadata in metadata.items():
        if entries.get(name) is None:
            entries[name] = {}
        entries[name]["metadata"] = json_value(column_metadata)
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)

