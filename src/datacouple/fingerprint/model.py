"""The fingerprint document: canonical JSON and the structural hash.

Canonical means: sorted keys, no timestamps or absolute paths, floats already rounded by the
profilers, and a fixed layout (objects indented, short arrays on one line), so the same data
gives byte-identical files on any machine and `git diff` on a fingerprint reads well.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

FORMAT = "datacouple.fingerprint/1"


def parse_fingerprint(data: bytes | str, shown: str) -> dict:
    """A fingerprint document from its JSON text; `shown` names its origin in errors."""
    from ..errors import DatacoupleError

    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        document = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DatacoupleError(f"{shown}: not a fingerprint (invalid JSON: {error})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise DatacoupleError(f"{shown}: not a datacouple fingerprint (format is not {FORMAT})")
    return document


def canonical_json(document: Any) -> str:
    """Serialise deterministically; the result ends with a newline."""
    return _encode(document, 0) + "\n"


def _encode(value: Any, depth: int) -> str:
    if isinstance(value, dict):
        if not value:
            return "{}"
        pad = "  " * (depth + 1)
        items = [
            f"{pad}{json.dumps(str(key), ensure_ascii=False)}: {_encode(value[key], depth + 1)}"
            for key in sorted(value, key=str)
        ]
        return "{\n" + ",\n".join(items) + "\n" + "  " * depth + "}"
    if isinstance(value, list | tuple) and any(isinstance(v, dict) for v in value):
        pad = "  " * (depth + 1)
        items = [pad + _encode(item, depth + 1) for item in value]
        return "[\n" + ",\n".join(items) + "\n" + "  " * depth + "]"
    # Scalars and arrays of scalars (or of short arrays) stay on one line.
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(", ", ": "),
                      allow_nan=False)


def missing_encodings(column: dict) -> list[str]:
    """Which encodings of "missing" a column uses: the part of missingness that has meaning."""
    missing = column.get("missing", {})
    present = [kind for kind in ("null", "nan", "empty", "whitespace") if missing.get(kind)]
    present += [f"sentinel:{token}" for token, count in missing.get("sentinels", {}).items()
                if count]
    return sorted(present)


def structural_part(columns: list[dict]) -> list[dict]:
    """The exact, non-statistical content of a fingerprint.

    Column names and order, logical types, which missing-value encodings occur and category
    domains (values only, not counts). Fresh rows with the same meaning keep it; NULL -> ""
    changes it.
    """
    return [
        {
            "name": column["name"],
            "logical_type": column["logical_type"],
            "missing": missing_encodings(column),
            "categories": sorted(column["categories"]) if column.get("categories") else None,
        }
        for column in columns
    ]


def structural_hash(columns: list[dict]) -> str:
    payload = json.dumps(structural_part(columns), sort_keys=True, separators=(",", ":"),
                         ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
