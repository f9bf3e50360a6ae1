"""The declared schema: a loaded Pandera schema with its canonical form and hash.

A declared schema is what a team *says* its data looks like. Its identity is the sha256 of a
canonical form (canonical.py) that ignores everything a pandas or pandera upgrade may respell,
so a hash only changes when the meaning of the schema changes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

from pandera.api.pandas.container import DataFrameSchema
from pandera.api.pandas.model import DataFrameModel

from ..errors import DatacoupleError
from .canonical import canonical_schema
from .pandera_calls import one_line, quiet_warnings


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
    return declared_from_schema(schema_of(source, target), source)


def hash_canonical(canonical: dict) -> str:
    """sha256 of the canonical JSON: sorted keys, no whitespace, UTF-8."""
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def schema_of(spec: str, target: Any) -> DataFrameSchema:
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
