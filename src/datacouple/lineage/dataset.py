"""`DvcDataset`: the MLflow Dataset a `log_dataset` call records, built from a fingerprint.

Everything here is read off the fingerprint document, never off the data: the digest is the
DVC hash, the schema is MLflow's colspec form (the run page's dataset drawer draws a table only
for `{"mlflow_colspec": [...]}`), the profile a compact summary. So logging costs the same for
344 rows or 5 billion (MLflow's own `from_pandas` would hash and profile the whole frame).
"""

from __future__ import annotations

import json
import re
from typing import Any

from mlflow.data.dataset import Dataset
from mlflow.entities import Dataset as DatasetEntity

from .. import logical_types as lt
from .source import DvcDatasetSource

PROFILE_FORMAT = "datacouple.profile/1"
_MISSING_KINDS = ("null", "nan", "empty", "whitespace")

# Arrow's spelling of primitive types -> MLflow's DataType names.
_PHYSICAL = {
    "bool": "boolean",
    "int8": "integer", "int16": "integer", "int32": "integer",
    "uint8": "integer", "uint16": "integer",
    "int64": "long", "uint32": "long", "uint64": "long",
    "halffloat": "float", "float": "float", "double": "double",
    "string": "string", "large_string": "string", "string_view": "string",
    "binary": "binary", "large_binary": "binary", "binary_view": "binary",
}
_LIST = re.compile(r"^(?:large_)?list(?:_view)?<[^:]+: (.+)>$"
                   r"|^fixed_size_list<[^:]+: (.+)>\[\d+\]$")


def fingerprint_artifact_path(name: str) -> str:
    """Where the full fingerprint goes in the run's artifacts."""
    return f"datacouple/fingerprints/{name}.json"


class DvcDataset(Dataset):
    """A dataset version as MLflow records it: DVC hash, dvc source, colspec schema, profile."""

    def __init__(self, source: DvcDatasetSource, name: str, digest: str, schema: dict,
                 profile: dict):
        self._schema = schema
        self._profile = profile
        super().__init__(source=source, name=name, digest=digest)

    def _compute_digest(self) -> str:
        # The digest is always given (the DVC hash); computing one would read the data.
        raise ValueError("a DvcDataset's digest is its DVC hash and must be given")

    @property
    def schema(self) -> dict:
        return self._schema

    @property
    def profile(self) -> dict:
        return self._profile

    def to_dict(self) -> dict[str, str]:
        config = super().to_dict()
        config["schema"] = json.dumps(self._schema, sort_keys=True)
        config["profile"] = json.dumps(self._profile, sort_keys=True)
        return config

    def to_entity(self) -> DatasetEntity:
        return self._to_mlflow_entity()


def colspec_schema(document: dict) -> dict:
    """`{"mlflow_colspec": [{"name", "type", "required"}]}` from the fingerprint's columns.

    `required` means "no nulls in this version". Types MLflow cannot express (times of day,
    structs, lists of structs, all-null columns) are `any`, never a guess.
    """
    return {"mlflow_colspec": [
        {"name": column["name"], **mlflow_type(column),
         "required": not (column.get("missing") or {}).get("null")}
        for column in document.get("columns", [])
    ]}


def mlflow_type(column: dict) -> dict[str, Any]:
    """`{"type": ...}` (plus `items` for arrays) for one fingerprint column."""
    logical, physical = column.get("logical_type"), str(column.get("physical_type") or "")
    physical = _dictionary_values(physical)
    if logical == lt.INTEGER:
        return {"type": _PHYSICAL.get(physical, "long")}
    if logical == lt.FLOAT:
        return {"type": _PHYSICAL.get(physical, "double")}
    simple = {lt.BOOLEAN: "boolean", lt.STRING: "string", lt.BINARY: "binary",
              lt.DATETIME: "datetime", lt.DATE: "datetime", lt.DECIMAL: "double",
              lt.DURATION: "long"}
    if logical in simple:
        return {"type": simple[logical]}
    if logical == lt.NESTED:
        items = _list_items(physical)
        if items is not None:
            return {"type": "array", "items": {"type": items}}
    return {"type": "any"}


def compact_profile(document: dict, name: str) -> dict:
    """The summary MLflow stores with the dataset; the full fingerprint is a run artifact."""
    missing = {}
    for column in document.get("columns", []):
        counts = column.get("missing") or {}
        present = {kind: counts[kind] for kind in _MISSING_KINDS if counts.get(kind)}
        present.update({f"sentinel:{token}": count
                        for token, count in (counts.get("sentinels") or {}).items() if count})
        if present:
            missing[column["name"]] = present
    return {
        "format": PROFILE_FORMAT,
        "rows": document.get("rows"),
        "structural_hash": document.get("structural_hash"),
        "fingerprint_artifact": fingerprint_artifact_path(name),
        "columns": len(document.get("columns", [])),
        "missing": missing,
    }


def _dictionary_values(physical: str) -> str:
    match = re.match(r"^dictionary<values=([^,]+),", physical)
    return match.group(1) if match else physical


def _list_items(physical: str) -> str | None:
    match = _LIST.match(physical)
    if match is None:
        return None
    inner = (match.group(1) or match.group(2)).removesuffix(" not null")
    if inner.startswith(("timestamp[", "date32", "date64")):
        return "datetime"
    return _PHYSICAL.get(inner)
