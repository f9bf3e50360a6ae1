"""The canonical form of a Pandera schema: its meaning as JSON-ready data.

Dtype aliases (`str` / `object` / `string[pyarrow]`), pandera's version, titles and
descriptions are dropped or normalised, keys are sorted: upgrading pandas or pandera must not
change a declared schema's hash.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from pandera.api.checks import Check
from pandera.api.pandas.components import Column
from pandera.api.pandas.container import DataFrameSchema

from .dtypes import canonical_dtype_name, logical_type_of_dtype_name
from .json_values import json_value, sorted_values

# Statistics whose order carries no meaning: `isin(["b", "a"])` is `isin(["a", "b"])`.
_UNORDERED_STATISTICS = frozenset({"allowed_values", "forbidden_values", "values"})



def canonical_schema(schema: DataFrameSchema) -> dict:
    """The meaning of a schema as JSON-ready data: what a pandas/pandera upgrade cannot respell.

    Dropped as cosmetic: pandera's version, schema name, titles, descriptions, report and
    row-dropping options. Column order is kept (it is declared); checks are sorted (pandera
    runs them all, order carries no meaning).
    """
    schema_dtype = schema.dtype
    return {
        "columns": [
            _canonical_column(name, column, schema_dtype)
            for name, column in schema.columns.items()
        ],
        "checks": _canonical_checks(schema.checks),
        "strict": schema.strict,
        "ordered": bool(schema.ordered),
        "unique": sorted(schema.unique) if schema.unique else None,
        "coerce": bool(schema.coerce),
        "index": _canonical_index(schema.index),
    }


def _canonical_column(name: Any, column: Column, schema_dtype: Any) -> dict:
    # A schema-wide dtype applies to every column that declares none: fold it in, so the two
    # spellings of the same constraint hash alike.
    dtype_name = canonical_dtype_name(column.dtype if column.dtype is not None else schema_dtype)
    canonical = {
        "name": list(name) if isinstance(name, tuple) else name,
        "dtype": dtype_name,
        "logical_type": logical_type_of_dtype_name(dtype_name),
        "nullable": bool(column.nullable),
        "unique": bool(column.unique),
        "required": bool(column.required),
        "coerce": bool(column.coerce),
        "checks": _canonical_checks(column.checks),
        "pii": is_pii(column.metadata),
    }
    if column.regex:
        canonical["regex"] = True
    return canonical


def _canonical_index(index: Any) -> list[dict] | None:
    if index is None:
        return None
    levels = getattr(index, "indexes", None) or [index]
    return [
        {
            "name": level.name,
            "dtype": canonical_dtype_name(level.dtype),
            "nullable": bool(level.nullable),
            "unique": bool(level.unique),
            "coerce": bool(level.coerce),
            "checks": _canonical_checks(level.checks),
        }
        for level in levels
    ]


def is_pii(metadata: Mapping | None) -> bool:
    """`metadata={"pii": True}`, or the namespaced `{"datacouple": {"pii": True}}`."""
    if not isinstance(metadata, Mapping):
        return False
    namespaced = metadata.get("datacouple")
    return metadata.get("pii") is True or (
        isinstance(namespaced, Mapping) and namespaced.get("pii") is True
    )


def _canonical_checks(checks: Iterable[Any] | None) -> list[dict]:
    canonical = [canonical_check(check) for check in checks or []]
    return sorted(canonical, key=lambda item: json.dumps(item, sort_keys=True))


def canonical_check(check: Check) -> dict:
    """`{"name", "statistics"}` for a registered check, `{"name"}` for a bare function.

    The name is the registered one, so `Check.ge(0, name="positive")` is still
    `greater_than_or_equal_to`. Options that change what passes (ignore_na, raise_warning,
    groupby) appear under "options" only when they differ from pandera's defaults, so the
    common case keeps the documented two-key shape.
    """
    name = getattr(check, "registry_name", None) or check.name
    canonical: dict[str, Any] = {"name": name}
    statistics = {k: v for k, v in (check.statistics or {}).items() if k != "options"}
    if statistics:
        canonical["statistics"] = {
            str(key): _json_statistic(str(key), value) for key, value in statistics.items()
        }
    options = _non_default_check_options(check)
    if options:
        canonical["options"] = options
    return canonical


def _non_default_check_options(check: Check) -> dict:
    options: dict[str, Any] = {}
    if getattr(check, "ignore_na", True) is False:
        options["ignore_na"] = False
    if getattr(check, "raise_warning", False) is True:
        options["raise_warning"] = True
    groupby = getattr(check, "groupby", None)
    if groupby is not None:
        options["groupby"] = json_value(groupby) if not callable(groupby) else "<callable>"
    groups = getattr(check, "groups", None)
    if groups is not None:
        options["groups"] = json_value(groups)
    return options


def _json_statistic(key: str, value: Any) -> Any:
    normalised = json_value(value)
    if key in _UNORDERED_STATISTICS and isinstance(normalised, list):
        return sorted_values(normalised)
    return normalised
