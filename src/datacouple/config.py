"""`datacouple.toml` (or `[tool.datacouple]` in pyproject.toml) at the repo root.

    [datasets.features]
    path = "data/features.parquet"
    schema = "schemas/features.yaml"        # optional; or "package.module:Model"
    fingerprint = "fingerprints/features.json"   # optional; this is the default

    [fingerprint]
    max_categories = 100
    max_columns = 10000          # wider data is refused (exit 2) before it is read
    max_value_bytes = 16777216   # a longer single value is refused (exit 2)

Every path here is relative to the repository and must stay inside it, also through symlinks
(identity/confine.py): a committed line of configuration cannot make datacouple read or write
a file elsewhere.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DatacoupleError
from .identity.confine import confined_path

CONFIG_FILE = "datacouple.toml"
DEFAULT_MAX_COLUMNS = 10_000
DEFAULT_MAX_VALUE_BYTES = 16 << 20
# `pkg.mod:Attr`: a schema given as Python, not a path (as schema/loading.py tells them apart).
_MODULE_REFERENCE = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")


@dataclass(frozen=True)
class DatasetConfig:
    name: str
    path: Path  # absolute
    schema: str | None
    fingerprint: Path  # absolute


@dataclass(frozen=True)
class Config:
    root: Path
    source: Path | None  # the file the settings came from, None for defaults
    datasets: dict[str, DatasetConfig] = field(default_factory=dict)
    max_categories: int = 100
    max_columns: int = DEFAULT_MAX_COLUMNS
    max_value_bytes: int = DEFAULT_MAX_VALUE_BYTES
    raw: dict = field(default_factory=dict)  # the whole table, for sections later features read

    @property
    def fingerprint_settings(self) -> dict[str, int]:
        """The [fingerprint] settings as keywords of `fingerprint(...)`."""
        return {"max_categories": self.max_categories, "max_columns": self.max_columns,
                "max_value_bytes": self.max_value_bytes}

    def relative(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)


def find_config_file(start: Path) -> tuple[Path, dict] | None:
    """The nearest datacouple.toml, or pyproject.toml with [tool.datacouple], upwards."""
    for directory in [start, *start.parents]:
        candidate = directory / CONFIG_FILE
        if candidate.is_file():
            return candidate, _read_toml(candidate)
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            section = _read_toml(pyproject).get("tool", {}).get("datacouple")
            if section is not None:
                return pyproject, section
        if (directory / ".git").exists():
            break  # the config lives at the repo root; do not wander out of the repo
    return None


def load_config(start: str | Path | None = None) -> Config:
    start = Path(start or Path.cwd()).resolve()
    found = find_config_file(start)
    if found is None:
        return Config(root=_git_root(start) or start, source=None)
    source, table = found
    root = source.parent
    datasets = {
        name: _dataset(root, source, name, entry)
        for name, entry in (table.get("datasets") or {}).items()
    }
    settings = table.get("fingerprint", {})
    if not isinstance(settings, dict):
        raise DatacoupleError(f"{source}: [fingerprint] must be a table")
    limits = {key: _positive_int(source, settings, key, default) for key, default in (
        ("max_categories", 100), ("max_columns", DEFAULT_MAX_COLUMNS),
        ("max_value_bytes", DEFAULT_MAX_VALUE_BYTES))}
    return Config(root=root, source=source, datasets=datasets, raw=table, **limits)


def _positive_int(source: Path, settings: dict, key: str, default: int) -> int:
    value = settings.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise DatacoupleError(f"{source}: fingerprint.{key} must be a positive integer")
    return value


def resolve_dataset(config: Config, name_or_path: str) -> DatasetConfig:
    """A configured dataset by name, or an ad-hoc one for an existing path."""
    if name_or_path in config.datasets:
        return config.datasets[name_or_path]
    path = Path(name_or_path)
    if path.exists():
        stem = path.name.split(".")[0] or "dataset"
        for dataset in config.datasets.values():  # a configured path given as a path
            if dataset.path == path.resolve():
                return dataset
        return DatasetConfig(stem, path.resolve(), None, config.root / "fingerprints" /
                             f"{stem}.json")
    known = ", ".join(sorted(config.datasets)) or "none configured"
    where = config.source or f"{config.root / CONFIG_FILE} (missing)"
    raise DatacoupleError(
        f"unknown dataset {name_or_path!r}: not a dataset in {where} (known: {known}) and no "
        "such file or directory"
    )


def _dataset(root: Path, source: Path, name: str, entry) -> DatasetConfig:
    if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
        raise DatacoupleError(f"{source}: [datasets.{name}] needs a string `path`")
    schema = entry.get("schema")
    if schema is not None and not isinstance(schema, str):
        raise DatacoupleError(f"{source}: [datasets.{name}] `schema` must be a string")
    fingerprint = entry.get("fingerprint", f"fingerprints/{name}.json")
    if not isinstance(fingerprint, str):
        raise DatacoupleError(f"{source}: [datasets.{name}] `fingerprint` must be a string")

    def confined(setting: str, written: str) -> Path:
        return confined_path(written, root, named_in=source.name,
                             setting=f"[datasets.{name}] {setting}")

    if schema is not None and not _is_module_reference(schema):
        confined("schema", schema)  # a YAML file: it must be the repository's own
    return DatasetConfig(
        name=name,
        path=confined("path", entry["path"]),
        schema=schema,
        fingerprint=confined("fingerprint", fingerprint),
    )


def _is_module_reference(schema: str) -> bool:
    return not schema.lower().endswith((".yaml", ".yml")) and bool(
        _MODULE_REFERENCE.match(schema))


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise DatacoupleError(f"{path}: invalid TOML ({error})") from None


def _git_root(start: Path) -> Path | None:
    for directory in [start, *start.parents]:
        if (directory / ".git").exists():
            return directory
    return None
