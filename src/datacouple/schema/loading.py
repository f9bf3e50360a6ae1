"""Load a declared Pandera schema from a YAML file (pandera's `DataFrameSchema.to_yaml()`
format, read with `yaml.safe_load`: a `!!python` tag is refused) or from a `module:attr`
reference to a `DataFrameModel` or `DataFrameSchema`."""

from __future__ import annotations

import contextlib
import copy
import importlib
import re
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml
from pandera.api.checks import Check
from pandera.api.pandas.container import DataFrameSchema
from pandera.io.pandas_io import deserialize_schema

from ..errors import DatacoupleError
from ..safe_yaml import load_yaml
from .declared import DeclaredSchema, declared_from_schema, schema_of
from .json_values import hashable_name
from .pandera_calls import one_line, quiet_warnings

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



# --------------------------------------------------------------------------------------------
# The declared schema
# --------------------------------------------------------------------------------------------


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
        return load_yaml(text)  # no aliases either: see safe_yaml.py
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
    return schema_of(spec, target)


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


