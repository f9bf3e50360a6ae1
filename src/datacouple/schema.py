"""The declared schema: load a Pandera schema, canonicalise and hash it, validate data against it.

A declared schema is what a team *says* its data looks like. It comes from a YAML file in
pandera's `DataFrameSchema.to_yaml()` format or from a `module:attr` naming a `DataFrameModel`
or `DataFrameSchema`. Its identity is the sha256 of a canonical form that ignores everything a
pandas or pandera upgrade may respell (dtype aliases such as `str` / `object` /
`string[pyarrow]`, pandera's version, titles, descriptions), so a hash only changes when the
meaning of the schema changes.

Validation is built for streams: `BatchValidator` runs pandera on one batch at a time, keeps
only per-(column, check) failure counts, and merges with other validators, so a partitioned
pass gives the same counts as one pass over the whole frame.
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
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import yaml
from pandera.api.checks import Check
from pandera.api.pandas.components import Column
from pandera.api.pandas.container import DataFrameSchema
from pandera.api.pandas.model import DataFrameModel
from pandera.config import ValidationDepth, config_context
from pandera.engines import pandas_engine
from pandera.errors import SchemaDefinitionError, SchemaError, SchemaErrors
from pandera.io.pandas_io import deserialize_schema

from datacouple import logical_types as lt
from datacouple.atomic import write_text_atomic
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
            entries[_hashable(entry["name"])] = entry
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


def _hashable(name: Any) -> Any:
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
    with _quiet_warnings():
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
                    f"({_one_line(column_exc)}): fix its options or checks"
                )
            return DatacoupleError(
                f"schema file '{spec}': column '{name}' has unknown dtype "
                f"'{column_spec.get('dtype')}': use a pandas/pandera dtype such as str, int64, "
                "float64, bool, datetime64[ns], date or category"
            )
    return DatacoupleError(
        f"schema file '{spec}' is not a valid pandera schema ({_one_line(exc)}): compare it "
        "with the output of DataFrameSchema.to_yaml()"
    )


def _one_line(exc: BaseException) -> str:
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
                f"{_one_line(exc)}; install the missing dependency"
            ) from exc
        except Exception as exc:
            raise DatacoupleError(
                f"importing module '{module_name}' for schema '{spec}' failed: "
                f"{_one_line(exc)}; fix the module"
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
            with _quiet_warnings():
                return target.to_schema()
        except Exception as exc:
            raise DatacoupleError(
                f"DataFrameModel '{spec}' cannot build its schema: {_one_line(exc)}"
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
        return _sorted_values(normalised)
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
        return _sorted_values([json_value(member.value) for member in value])
    if isinstance(value, enum.Enum):
        return json_value(value.value)
    if isinstance(value, Mapping):
        return {str(key): json_value(item) for key, item in value.items()}
    if isinstance(value, set | frozenset | tuple):
        return _sorted_values([json_value(item) for item in value])
    if isinstance(value, list | np.ndarray | pd.Index | pd.Series):
        return [json_value(item) for item in list(value)]
    return str(value)


def _json_float(value: float) -> float | str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return float(value)


def _sorted_values(values: list) -> list:
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


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _quiet_warnings() -> Iterator[None]:
    # pandera reports `raise_warning` checks and deprecations through `warnings`; datacouple
    # output (JSON on stdout, one-line errors on stderr) must stay clean of them.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


class BatchValidator:
    """Validates a stream of pandas DataFrame batches against a DeclaredSchema and counts
    failures per (column, check).

    Data checks run through pandera on a copy of the schema without dtypes: batches come from
    `pyarrow.RecordBatch.to_pandas()`, where an integer column with nulls is float64 and
    strings are `str`/object, so pandera's dtype checks would misfire. Types are checked once,
    on the Arrow schema, by `check_arrow_types`, and folded in with `add_failures`.

    Counts are failing rows (a value failing in 5 rows counts 5), so they add up across
    batches. Uniqueness (`unique=True`, schema-level `unique=[...]`) is checked per batch only:
    a duplicate split across two batches is not seen. Checks declared `raise_warning=True` are
    advisory in pandera and are not counted.
    """

    def __init__(self, declared: DeclaredSchema):
        self.declared = declared
        self.rows = 0
        self.batches = 0
        self._counts: Counter[tuple[str | None, str]] = Counter()
        self._schema = _data_checks_only(declared.schema)

    def validate(self, frame: pd.DataFrame) -> None:
        """Validate one batch and add its failure counts; data failures never raise."""
        self.rows += len(frame)
        self.batches += 1
        self._counts.update(_pandera_failure_counts(self._schema, frame, self.declared.source))

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

    def state(self) -> dict:
        """JSON-serialisable partial state, to ship between processes and rebuild with
        `from_state`."""
        return {
            "schema_hash": self.declared.hash,
            "rows": self.rows,
            "batches": self.batches,
            "failures": self._failures(),
        }

    @classmethod
    def from_state(cls, declared: DeclaredSchema, state: Mapping) -> BatchValidator:
        _require_same_schema(declared, state.get("schema_hash"))
        validator = cls(declared)
        validator.rows = int(state.get("rows", 0))
        validator.batches = int(state.get("batches", 0))
        validator.add_failures(state.get("failures", []))
        return validator

    def result(self) -> dict:
        """`{"valid", "failures": [{"column", "check", "count"}]}`, failures sorted by (column,
        check) with frame-level failures (column None) first."""
        failures = self._failures()
        return {"valid": not failures, "failures": failures}

    def _failures(self) -> list[dict]:
        keys = sorted(
            (key for key, count in self._counts.items() if count > 0),
            key=lambda key: (key[0] is not None, str(key[0] or ""), key[1]),
        )
        return [{"column": column, "check": check, "count": self._counts[(column, check)]}
                for column, check in keys]


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
    schema: DataFrameSchema, frame: pd.DataFrame, source: str
) -> Counter[tuple[str | None, str]]:
    # The context pins full validation even if PANDERA_VALIDATION_ENABLED / _DEPTH are set in the
    # environment: a silently skipped validation would read as "valid".
    with _quiet_warnings(), config_context(
        validation_enabled=True, validation_depth=ValidationDepth.SCHEMA_AND_DATA
    ):
        try:
            schema.validate(frame, lazy=True)
        except SchemaErrors as exc:
            return count_failure_cases(exc.failure_cases)
        except SchemaDefinitionError as exc:
            raise DatacoupleError(
                f"schema '{source}' cannot be applied to the data: {_one_line(exc)}"
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


def check_arrow_types(declared: DeclaredSchema, arrow_schema: pa.Schema) -> list[dict]:
    """Compare each declared dtype's logical type with the data's Arrow type.

    Deliberately coarse: logical types, not widths. A declared float accepts integer data
    (lossless); a declared integer rejects float data even when every value is integral, since
    that is how NULLs sneak into integer columns.
    An all-null column (Arrow type null) satisfies any declared type; nullability is a data
    check. One failure per column, named `dtype('<canonical dtype>')`.
    """
    failures = []
    for column in declared.canonical["columns"]:
        name, declared_type = column["name"], column["logical_type"]
        if declared_type is None or column.get("regex") or not isinstance(name, str):
            continue
        index = arrow_schema.get_field_index(name)
        if index < 0:
            continue  # absence is check_columns_present's business
        actual_type = lt.logical_type_of_arrow(arrow_schema.field(index).type)
        if not _logical_types_compatible(declared_type, actual_type):
            failures.append({"column": name, "check": f"dtype('{column['dtype']}')", "count": 1})
    return failures


def _logical_types_compatible(declared: str, actual: str) -> bool:
    if declared == actual or actual == lt.NULL:
        return True
    return declared == lt.FLOAT and actual == lt.INTEGER


# --------------------------------------------------------------------------------------------
# Inference and writing
# --------------------------------------------------------------------------------------------

_TIMEZONE = re.compile(r"tz=([^,\]]+)")
_DECIMAL_PHYSICAL = re.compile(r"decimal(?:32|64|128|256)?\(\s*(\d+)\s*,\s*(-?\d+)\s*\)")


def infer_schema(columns: list[dict]) -> DataFrameSchema:
    """A starting-point schema from a fingerprint's column profiles (see DESIGN "Fingerprint").

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
    missing = profile.get("missing") or {}
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
    return [Check.isin(_sorted_values(values))] if values else []


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
            f"cannot write '{path}': {_one_line(Exception(skipped[0]))}; register the check "
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
        {_hashable(entry.get("name")): entry for entry in columns}
        if isinstance(columns, list)
        else columns
    )
    for name, column_metadata in metadata.items():
        if entries.get(name) is None:
            entries[name] = {}
        entries[name]["metadata"] = json_value(column_metadata)
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
