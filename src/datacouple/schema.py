"""The declared schema: load a Pandera schema, canonicalise and hash it.

A declared schema is what a team *says* its data looks like. It comes from a YAML file in
pandera's `DataFrameSchema.to_yaml()` format or from a `module:attr` naming a `DataFrameModel`
or `DataFrameSchema`. Its identity is the sha256 of a canonical form that ignores everything a
pandas or pandera upgrade may respell (dtype aliases such as `str` / `object` /
`string[pyarrow]`, pandera's version, titles, descriptions), so a hash only changes when the
meaning of the schema changes. Validation lives in `validation.py`, inference in
`schema_inference.py`.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import datetime as dt
import decimal
import enum
import hashlib
import importlib
import json
import math
import re
import sys
import warnings
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from pandera.api.checks import Check
from pandera.api.pandas.components import Column
from pandera.api.pandas.container import DataFrameSchema
from pandera.api.pandas.model import DataFrameModel
from pandera.io.pandas_io import deserialize_schema

from datacouple import logical_types as lt
from datacouple.errors import DatacoupleError

YAML_SUFFIXES = (".yaml", ".yml")

# `pkg.mod:Attr` or `pkg.mod:Outer.attr`; anything else is taken as a file path.
_MODULE_REFERENCE = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")

# Keys pandera's YAML reader understands on a column, plus `metadata`, which pandera drops
# (see `_pop_column_metadata`). Every other key must name a registered check: pandera silently
# ignores unknown keys, so a typo such as `greater_than_or_equal: 0` would vanish unnoticed.
_COLUMN_OPTION_KEYS = frozenset(
    {
        "title",
        "description",
        "dtype",
        "nullable",
        "checks",
        "name",
        "unique",
        "coerce",
        "required",
        "regex",
        "default",
        "report_duplicates",
        "drop_invalid_rows",
        "metadata",
    }
)
_PANDAS_APIS = frozenset({"pandas", "modin", "dask", "pyspark.pandas"})

# Statistics whose order carries no meaning: `isin(["b", "a"])` is `isin(["a", "b"])`.
_UNORDERED_STATISTICS = frozenset({"allowed_values", "forbidden_values", "values"})


# --------------------------------------------------------------------------------------------
# The declared schema
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class DeclaredSchema:
    """A loaded pandera schema with its canonical form and the hash of that form."""

    schema: DataFrameSchema
    canonical: dict
    hash: str
    source: str

    @property
    def columns(self) -> list[str]:
        """Declared column names, in declared order."""
        return [column["name"] for column in self.canonical["columns"]]

    def pii_columns(self) -> set[str]:
        """Columns marked `pii: true` in their metadata: their raw values must never be stored."""
        return {column["name"] for column in self.canonical["columns"] if column["pii"]}

    def logical_types(self) -> dict[str, str | None]:
        """Column -> logical type of its declared dtype (None when the column declares none)."""
        return {column["name"]: column["logical_type"] for column in self.canonical["columns"]}


def declared_from_schema(schema: DataFrameSchema, source: str) -> DeclaredSchema:
    """Wrap an in-memory pandera schema: canonicalise and hash it."""
    canonical = canonical_schema(schema)
    return DeclaredSchema(schema=schema, canonical=canonical, hash=hash_canonical(canonical),
                          source=source)


def declared_from_object(target: Any, source: str | None = None) -> DeclaredSchema:
    """Wrap an in-memory `DataFrameSchema` or `DataFrameModel` subclass (the Python API's
    `schema=` argument). `source` defaults to `module:QualName` for a model, which is also how
    `load_schema` would find it, and to the schema's name otherwise."""
    if source is None:
        if isinstance(target, type):
            source = f"{target.__module__}:{target.__qualname__}"
        else:
            source = getattr(target, "name", None) or type(target).__name__
    return declared_from_schema(_schema_of(source, target), source)


def hash_canonical(canonical: dict) -> str:
    """sha256 of the canonical JSON: sorted keys, no whitespace, UTF-8."""
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def load_schema(spec: str, base_dir: str | Path | None = None) -> DeclaredSchema:
    """Load a declared schema from a YAML path or a `module:attr` reference.

    Relative paths, and modules that live in the repository, are resolved against `base_dir`
    (default: the current directory). `source` records `spec` as given, never an absolute path,
    so fingerprints stay identical across machines.
    """
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    if _is_module_reference(spec):
        schema = _load_python_schema(spec, base)
    else:
        schema = _load_yaml_schema(spec, base)
    return declared_from_schema(schema, source=spec)


def _is_module_reference(spec: str) -> bool:
    return not spec.lower().endswith(YAML_SUFFIXES) and bool(_MODULE_REFERENCE.match(spec))


# ---- YAML ----------------------------------------------------------------------------------


def _load_yaml_schema(spec: str, base: Path) -> DataFrameSchema:
    path = Path(spec) if Path(spec).is_absolute() else base / spec
    document = _read_yaml_document(spec, path)
    _require_pandera_document(spec, document)
    column_specs = _column_specs(spec, document)
    for name, column_spec in column_specs.items():
        _require_known_column_keys(spec, name, column_spec)
    metadata = _pop_column_metadata(spec, column_specs)
    schema = _deserialize(spec, document, column_specs)
    for name, column_metadata in metadata.items():
        schema.columns[name].metadata = column_metadata
    return schema


def _read_yaml_document(spec: str, path: Path) -> Any:
    if not path.is_file():
        where = "is a directory" if path.is_dir() else "not found"
        raise DatacoupleError(
            f"schema file '{spec}' {where} (looked at {path}): check the path, or create it "
            f"with `datacouple infer DATA -o {spec}`"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DatacoupleError(f"schema file '{spec}' cannot be read: {exc}") from exc
    try:
        # safe_load builds plain dicts, lists and scalars only: a `!!python/...` tag is refused
        # before anything is constructed, so loading a schema never runs code.
        return yaml.safe_load(text)
    except yaml.constructor.ConstructorError as exc:
        tag = _yaml_tag(exc)
        raise DatacoupleError(
            f"schema file '{spec}'{_yaml_position(exc)} uses the YAML tag '{tag}', which "
            "datacouple refuses to construct: write plain YAML as DataFrameSchema.to_yaml() "
            "produces it"
        ) from exc
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise DatacoupleError(
            f"schema file '{spec}' is not valid YAML{_yaml_position(exc)}: {problem}; "
            "fix the syntax"
        ) from exc


def _yaml_tag(exc: yaml.constructor.ConstructorError) -> str:
    match = re.search(r"tag '([^']+)'", str(exc.problem or exc))
    tag = match.group(1) if match else "?"
    return tag.replace("tag:yaml.org,2002:", "!!")


def _yaml_position(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    return f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""


def _require_pandera_document(spec: str, document: Any) -> None:
    hint = "expected a mapping with 'columns', as DataFrameSchema.to_yaml() writes it"
    if not isinstance(document, Mapping):
        got = "an empty document" if document is None else type(document).__name__
        raise DatacoupleError(f"schema file '{spec}' is not a pandera schema: {hint}, got {got}")
    if "columns" not in document and "schema_type" not in document:
        keys = ", ".join(map(str, list(document)[:5])) or "nothing"
        raise DatacoupleError(f"schema file '{spec}' is not a pandera schema: {hint}, got {keys}")
    schema_type = document.get("schema_type", "dataframe")
    if schema_type != "dataframe":
        raise DatacoupleError(
            f"schema file '{spec}' holds a pandera '{schema_type}' schema: datacouple needs a "
            "DataFrameSchema (schema_type: dataframe)"
        )
    api = document.get("dataframe_library") or document.get("api") or "pandas"
    if api not in _PANDAS_APIS:
        raise DatacoupleError(
            f"schema file '{spec}' is a pandera '{api}' schema: datacouple reads pandas-API "
            "schemas (api: pandas)"
        )


def _column_specs(spec: str, document: dict) -> dict[Any, dict]:
    """The document's column entries, by name, as mutable dicts (a `name:` with no body is {})."""
    columns = document.get("columns")
    if columns is None:
        return {}
    if isinstance(columns, list):
        # pandera writes non-string column names (tuples) as a list of entries with `name`.
        entries = {}
        for entry in columns:
            if not isinstance(entry, Mapping) or "name" not in entry:
                raise DatacoupleError(
                    f"schema file '{spec}': each entry of the 'columns' list needs a 'name'"
                )
            entries[hashable_name(entry["name"])] = entry
        columns = entries
    if not isinstance(columns, Mapping):
        raise DatacoupleError(
            f"schema file '{spec}': 'columns' must map column names to their options, got "
            f"{type(columns).__name__}"
        )
    specs: dict[Any, dict] = {}
    for name, column_spec in columns.items():
        if column_spec is None:
            column_spec = {}
        if not isinstance(column_spec, Mapping):
            raise DatacoupleError(
                f"schema file '{spec}': column '{name}' must be a mapping of options, got "
                f"{column_spec!r}"
            )
        specs[name] = dict(column_spec)
    return specs


def hashable_name(name: Any) -> Any:
    return tuple(name) if isinstance(name, list) else name


def _require_known_column_keys(spec: str, name: Any, column_spec: dict) -> None:
    for key in column_spec:
        if key in _COLUMN_OPTION_KEYS or callable(getattr(Check, str(key), None)):
            continue
        raise DatacoupleError(
            f"schema file '{spec}': column '{name}' has unknown key '{key}', which is neither "
            "a pandera column option nor a registered check: fix the spelling or remove it"
        )


def _pop_column_metadata(spec: str, column_specs: dict[Any, dict]) -> dict[Any, dict]:
    """Take `metadata` out of the column specs: pandera's YAML reader (and writer) drop it, so
    datacouple carries it itself, which is how `pii: true` survives a YAML round trip."""
    metadata = {}
    for name, column_spec in column_specs.items():
        value = column_spec.pop("metadata", None)
        if value is None:
            continue
        if not isinstance(value, Mapping):
            raise DatacoupleError(
                f"schema file '{spec}': column '{name}' has metadata {value!r}; metadata must be "
                "a mapping, e.g. metadata: {pii: true}"
            )
        metadata[name] = dict(value)
    return metadata


def _deserialize(spec: str, document: dict, column_specs: dict[Any, dict]) -> DataFrameSchema:
    document = dict(document)
    if isinstance(document.get("columns"), list):
        document["columns"] = [{**entry, "name": list(name) if isinstance(name, tuple) else name}
                               for name, entry in column_specs.items()]
    else:
        document["columns"] = column_specs if document.get("columns") is not None else None
    try:
        return _pandera_deserialize(document)
    except Exception as exc:
        raise _explain_deserialize_failure(spec, column_specs, exc) from exc


def _pandera_deserialize(document: dict) -> DataFrameSchema:
    # pandera mutates the dicts it reads (it pops check options), so hand it a private copy.
    with quiet_warnings():
        return deserialize_schema(copy.deepcopy(document))


def _explain_deserialize_failure(
    spec: str, column_specs: dict[Any, dict], exc: Exception
) -> DatacoupleError:
    """Name the column that pandera choked on, and say whether its dtype is the problem."""
    for name, column_spec in column_specs.items():
        if isinstance(name, tuple):
            continue
        try:
            _pandera_deserialize({"columns": {name: column_spec}})
            continue
        except Exception as column_exc:
            without_dtype = {k: v for k, v in column_spec.items() if k != "dtype"}
            try:
                _pandera_deserialize({"columns": {name: without_dtype}})
            except Exception:
                return DatacoupleError(
                    f"schema file '{spec}': column '{name}' is not a valid pandera column "
                    f"({one_line(column_exc)}): fix its options or checks"
                )
            return DatacoupleError(
                f"schema file '{spec}': column '{name}' has unknown dtype "
                f"'{column_spec.get('dtype')}': use a pandas/pandera dtype such as str, int64, "
                "float64, bool, datetime64[ns], date or category"
            )
    return DatacoupleError(
        f"schema file '{spec}' is not a valid pandera schema ({one_line(exc)}): compare it "
        "with the output of DataFrameSchema.to_yaml()"
    )


def one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__


# ---- module:attr ---------------------------------------------------------------------------


def _load_python_schema(spec: str, base: Path) -> DataFrameSchema:
    module_name, _, attribute_path = spec.partition(":")
    module = _import_module(spec, module_name, base)
    target: Any = module
    for part in attribute_path.split("."):
        if not hasattr(target, part):
            raise DatacoupleError(
                f"module '{module_name}' has no attribute '{attribute_path}' (schema "
                f"'{spec}'): check the name after the colon"
            )
        target = getattr(target, part)
    return _schema_of(spec, target)


def _import_module(spec: str, module_name: str, base: Path) -> Any:
    with _prepended_to_sys_path(base):
        # Modules written since the interpreter last looked at the directory (a fresh repo,
        # a test's tmp dir) are invisible to the cached directory listings until invalidated.
        importlib.invalidate_caches()
        try:
            return importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                raise DatacoupleError(
                    f"cannot import module '{module_name}' for schema '{spec}': no such module "
                    f"in {base} or on the Python path; check the name before the colon"
                ) from exc
            raise DatacoupleError(
                f"importing module '{module_name}' for schema '{spec}' failed: "
                f"{one_line(exc)}; install the missing dependency"
            ) from exc
        except Exception as exc:
            raise DatacoupleError(
                f"importing module '{module_name}' for schema '{spec}' failed: "
                f"{one_line(exc)}; fix the module"
            ) from exc


@contextlib.contextmanager
def _prepended_to_sys_path(directory: Path) -> Iterator[None]:
    entry = str(directory.resolve())
    added = entry not in sys.path
    if added:
        sys.path.insert(0, entry)
    try:
        yield
    finally:
        if added:
            with contextlib.suppress(ValueError):
                sys.path.remove(entry)


def _schema_of(spec: str, target: Any) -> DataFrameSchema:
    if isinstance(target, DataFrameSchema):
        return target
    if isinstance(target, type) and issubclass(target, DataFrameModel):
        try:
            with quiet_warnings():
                return target.to_schema()
        except Exception as exc:
            raise DatacoupleError(
                f"DataFrameModel '{spec}' cannot build its schema: {one_line(exc)}"
            ) from exc
    kind = target.__name__ if isinstance(target, type) else type(target).__name__
    raise DatacoupleError(
        f"'{spec}' is of type '{kind}', not a pandas-API pandera DataFrameModel subclass or "
        "DataFrameSchema: point the reference at the schema"
    )


# --------------------------------------------------------------------------------------------
# Canonical form
# --------------------------------------------------------------------------------------------


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


def json_value(value: Any) -> Any:
    """Normalise a check statistic to plain JSON: python scalars, sorted sets, ISO timestamps.

    Floats stay exact (json writes the shortest repr that round-trips); NaN and infinities,
    which JSON lacks, become the strings "NaN", "Infinity", "-Infinity".
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.generic):
        return json_value(value.item())
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return _json_float(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, pd.Timedelta | dt.timedelta):
        return pd.Timedelta(value).isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, re.Pattern):
        return value.pattern
    if isinstance(value, type) and issubclass(value, enum.Enum):
        return sorted_values([json_value(member.value) for member in value])
    if isinstance(value, enum.Enum):
        return json_value(value.value)
    if isinstance(value, Mapping):
        return {str(key): json_value(item) for key, item in value.items()}
    if isinstance(value, set | frozenset | tuple):
        return sorted_values([json_value(item) for item in value])
    if isinstance(value, list | np.ndarray | pd.Index | pd.Series):
        return [json_value(item) for item in list(value)]
    return str(value)


def _json_float(value: float) -> float | str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return float(value)


def sorted_values(values: list) -> list:
    try:
        return sorted(values)
    except TypeError:  # mixed types: any fixed order will do, JSON text gives one
        return sorted(values, key=lambda item: json.dumps(item, sort_keys=True))


# ---- dtype names ---------------------------------------------------------------------------

_STRING_NAMES = frozenset(
    {"str", "string", "object", "string[python]", "string[pyarrow]", "large_string",
     "string_view", "utf8", "large_utf8", "bytes", "unicode"}
)
_ARROW_FLOAT_NAMES = {"halffloat": "float16", "float": "float32", "double": "float64"}
_INTEGER_NAME = re.compile(r"^(u?int)(8|16|32|64)$")
_FLOAT_NAME = re.compile(r"^float(16|32|64)$")
_DATETIME_NAME = re.compile(r"^(?:datetime64|timestamp)\[(\w+)(?:,\s*(?:tz=)?(.+))?\]$")
_DECIMAL_NAME = re.compile(r"^decimal(?:128|256)?\(\s*(\d+)\s*,\s*(-?\d+)\s*\)$")
_PYARROW_SUFFIX = "[pyarrow]"


def canonical_dtype_name(dtype: Any) -> str | None:
    """One spelling per dtype across pandas 2/3, pandera and Arrow (see the module docstring).

    `str`, `object`, `string[python]`, `string[pyarrow]`, `large_string` -> "string";
    `int64`, `Int64`, `int64[pyarrow]` -> "int64"; `float64`, `Float64`, `double` -> "float64";
    `bool`, `boolean` -> "bool"; `datetime64[ns]`, `datetime64[us]` -> "datetime" ("datetime[UTC]"
    with a timezone); dates -> "date"; durations -> "timedelta"; decimals -> "decimal(p,s)".
    Anything else keeps pandera's spelling.
    """
    if dtype is None:
        return None
    text = str(dtype).strip()
    is_arrow = text.endswith(_PYARROW_SUFFIX) and text != "string[pyarrow]"
    if is_arrow:
        text = text[: -len(_PYARROW_SUFFIX)]
    lowered = text.lower()
    if lowered in _STRING_NAMES or lowered.startswith("string"):
        return "string"
    if is_arrow and lowered in _ARROW_FLOAT_NAMES:
        return _ARROW_FLOAT_NAMES[lowered]
    if lowered in {"double", "float"}:
        return "float64"
    if _INTEGER_NAME.match(lowered) or _FLOAT_NAME.match(lowered):
        return lowered
    if lowered in {"bool", "boolean"}:
        return "bool"
    datetime_match = _DATETIME_NAME.match(text)
    if datetime_match:
        timezone = datetime_match.group(2)
        return f"datetime[{timezone.strip()}]" if timezone else "datetime"
    if lowered in {"date", "date32[day]", "date64[ms]"}:
        return "date"
    if lowered.startswith(("timedelta64", "duration")):
        return "timedelta"
    if lowered.startswith(("time32", "time64")):
        return "time"
    decimal_match = _DECIMAL_NAME.match(lowered)
    if decimal_match:
        return f"decimal({decimal_match.group(1)},{decimal_match.group(2)})"
    if lowered in {"binary", "large_binary", "binary_view"}:
        return "binary"
    return text


def logical_type_of_dtype_name(name: str | None) -> str | None:
    """The logical type (datacouple.logical_types) a canonical dtype name stands for."""
    if name is None:
        return None
    if name in {"string", "category"}:
        # An Arrow dictionary column reads back as category; its values are almost always
        # strings, and Arrow's side maps dictionary<string> to "string" too.
        return lt.STRING
    if _INTEGER_NAME.match(name):
        return lt.INTEGER
    if _FLOAT_NAME.match(name):
        return lt.FLOAT
    simple = {"bool": lt.BOOLEAN, "date": lt.DATE, "time": lt.TIME, "timedelta": lt.DURATION,
              "binary": lt.BINARY}
    if name in simple:
        return simple[name]
    if name.startswith("datetime"):
        return lt.DATETIME
    if name.startswith("decimal"):
        return lt.DECIMAL
    return lt.NESTED


@contextlib.contextmanager
def quiet_warnings() -> Iterator[None]:
    # pandera reports `raise_warning` checks and deprecations through `warnings`; datacouple
    # output (JSON on stdout, one-line errors on stderr) must stay clean of them.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield
