"""Conveniences of the top-level API that combine packages (diff itself only sees fingerprints).

`datacouple.diff` is the function below, not the `datacouple.diff` package: the package is
imported first in `__init__`, then the name is rebound, and `from datacouple.diff import ...`
still reaches the package through sys.modules.
"""

from __future__ import annotations

import os
from typing import Any


def as_fingerprint(value: Any) -> dict:
    """A fingerprint document from: a document; a string as `datacouple diff` reads it (a
    fingerprint file, a data path, `NAME`, `NAME@GITREV`); or an in-memory table."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str | os.PathLike):
        from .config import load_config
        from .sides import resolve_side

        return resolve_side(os.fspath(value), load_config()).fingerprint
    from .fingerprint import fingerprint

    return fingerprint(value)


def diff(old: Any, new: Any, thresholds=None) -> list:
    """Classified changes from `old` to `new`, most severe first. Each side is a fingerprint,
    a fingerprint file, a data path, `NAME` / `NAME@GITREV`, or a pandas/polars/Arrow table."""
    from .diff import diff as diff_fingerprints

    return diff_fingerprints(as_fingerprint(old), as_fingerprint(new), thresholds)
