"""`datacouple infer`: a starting Pandera schema from the data, in two streaming passes: the
fingerprint (types, nullability, category domains) and the exact numeric extremes (so that
bounds are the data's own values, not the fingerprint's rounded ones)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..schema import logical_types as lt
from ..schema.inference import infer_schema
from .api import DEFAULT_MAX_CATEGORIES, fingerprint
from .arrow.extremes import exact_extremes


def infer_from_data(path: str | Path, *, name: str | None = None,
                    repo_root: str | Path | None = None,
                    max_categories: int = DEFAULT_MAX_CATEGORIES,
                    progress: bool | None = None, **limits: int) -> Any:
    """A pandera DataFrameSchema for the data at `path` (the schema layer builds it: the
    profile layer itself does not import pandera). `limits`: max_columns, max_value_bytes."""
    document = fingerprint(path, None, name=name, repo_root=repo_root,
                           max_categories=max_categories, progress=progress, **limits)
    columns = document["columns"]
    numeric = [c["name"] for c in columns if c["logical_type"] in (lt.INTEGER, lt.FLOAT)]
    # The fingerprint's pass re-read a CSV column as strings when its type changed late in
    # the file; read it the same way here, or the CSV reader stops at the same place.
    strings = {c["name"] for c in columns if c["logical_type"] == lt.STRING}
    extremes = exact_extremes(path, numeric, strings) if numeric else {}
    return infer_schema(columns, extremes)
