"""Infer a starting Pandera schema from a fingerprint, and write schemas as YAML (atomically,
keeping the column metadata that pandera's own writer drops)."""

from __future__ import annotations

import decimal
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


def infer_schema(columns: list[dict],
                 extremes: Mapping[str, Any] | None = None) -> DataFrameSchema:
    """A starting-point schema from a fingerprint's column profiles (docs/fingerprint.md).

    Each column gets its dtype (as stored: int32 stays int32, so the schema passes pandera's
    own dtype check on this data), `nullable` when it holds any null (or NaN: pandera counts
    NaN as null), `isin` for an exact category domain and `ge`/`le` for a numeric range. The
    range is the data's own `extremes` (column -> its exact range and the decimals its values
    show, profile/arrow/extremes.py) when given, written at that precision (`1.9`, not
    `1.899999999`); without them, the profile's 10-digit min/max moved outward. Columns
    profiled as PII get `metadata={"pii": True}` and never an `isin` (it would store values).
    """
    extremes = extremes or {}
    return DataFrameSchema({profile["name"]: _infer_column(profile, extremes.get(profile["name"]))
                            for profile in columns})


def _infer_column(profile: Mapping, extreme: Any = None) -> Column:
    logical_type = profile.get("logical_type")
    physical_type = str(profile.get("physical_type") or "")
    pii = bool(profile.get("pii"))
    dtype = _inferred_dtype(logical_type, physical_type)
    checks = [] if pii else _category_checks(logical_type, physical_type, profile.get("categories"))
    if extreme is not None and not pii:
        checks += _exact_range_checks(logical_type, physical_type, extreme)
    else:
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


_INT_PHYSICAL = re.compile(r"^u?int(8|16|32|64)$")
_FLOAT_WIDTHS = {"halffloat": "float16", "float": "float32", "double": "float64"}


def _inferred_dtype(logical_type: str | None, physical_type: str) -> Any:
    # Widths as stored: pandera fails int32 data declared int64 (and validate agrees with it).
    if logical_type == lt.STRING:
        return "category" if physical_type.startswith("dictionary<") else "str"
    if logical_type == lt.INTEGER:
        if _is_float_physical(physical_type):
            return _FLOAT_WIDTHS.get(physical_type, "float64")
        return physical_type if _INT_PHYSICAL.match(physical_type) else "int64"
    if logical_type == lt.FLOAT:
        return _FLOAT_WIDTHS.get(physical_type, "float64")
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


def _exact_range_checks(logical_type: str | None, physical_type: str, extreme: Any) -> list:
    """`ge`/`le` from the data's own extremes (profile/arrow/extremes.py: `low`, `high`,
    `decimals`), at the data's own precision."""
    if logical_type not in {lt.INTEGER, lt.FLOAT}:
        return []
    return [Check.ge(_at_precision(extreme.low, -1, extreme.decimals, physical_type)),
            Check.le(_at_precision(extreme.high, +1, extreme.decimals, physical_type))]


def _at_precision(value: int | float, direction: int, decimals: int | None,
                  physical_type: str) -> int | float:
    """The value written with at most `decimals` decimals, moved outward by one unit in the
    last of them when the rounding landed inside the data (10.354000000000001 -> 10.354 as a
    lower bound; 186.63400000000001 -> 186.635 as an upper one, since 186.634 would reject the
    row it came from). Compared in the data's own width: a float32 column is checked by pandera
    in float32. Full-precision data (decimals None) keeps its exact value, which Python writes
    as the shortest decimal that reads back as it. Integers stay integers."""
    if isinstance(value, int):
        return value
    width = {"float": np.float32, "halffloat": np.float16}.get(physical_type, np.float64)
    if decimals is None:
        return float(str(width(value))) if width is not np.float64 else float(value)
    rounded = decimal.Decimal(f"{value:.{decimals}f}")
    bound = float(rounded)
    if (width(bound) > width(value)) if direction < 0 else (width(bound) < width(value)):
        bound = float(rounded + direction * decimal.Decimal(1).scaleb(-decimals))
    return bound


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
    writer drops it; `load_schema` reads it back, so `pii: true` survives), as UTF-8: column
    names such as `Größe` or `価格` are written as themselves, not as `"Gr\\xF6\\xDFe"`."""
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
    write_text_atomic(path, _with_column_metadata(text, metadata))


def _with_column_metadata(text: str, metadata: dict[Any, dict]) -> str:
    # pandera dumps with PyYAML's defaults, which escape every non-ASCII character; the
    # document is dumped again (same key order) with allow_unicode, metadata or not.
    document = yaml.safe_load(text)
    if not metadata:
        return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
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

