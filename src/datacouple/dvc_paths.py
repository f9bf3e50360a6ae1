"""Names and repo-relative posix paths shared by the DVC modules."""

from __future__ import annotations

import os
from pathlib import Path

from datacouple.errors import DatacoupleError

DVC_DIR = ".dvc"
DVCIGNORE = ".dvcignore"
DVC_FILE_SUFFIX = ".dvc"
DVC_LOCK = "dvc.lock"


def repo_relpath(repo_root: Path, path: str | os.PathLike) -> str:
    """`path` (absolute, or relative to the repo root) as a posix path relative to the root."""
    candidate = Path(path)
    absolute = candidate if candidate.is_absolute() else repo_root / candidate
    relpath = relpath_inside(os.path.abspath(absolute), repo_root)
    if relpath is None:
        raise DatacoupleError(f"{path}: outside the DVC repository {repo_root}")
    return relpath


def relpath_inside(path: str | os.PathLike, root: Path) -> str | None:
    """Posix path of `path` relative to `root` ("" for the root itself), None if outside."""
    relpath = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    if relpath == os.curdir:
        return ""
    if relpath == os.pardir or relpath.startswith(os.pardir + os.sep):
        return None
    return relpath.replace(os.sep, "/")


def join_posix(base: str, name: str) -> str:
    return f"{base}/{name}" if base else name
