"""Names and repo-relative posix paths shared by the DVC modules."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import DatacoupleError

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


def find_repo_root(start: str | os.PathLike) -> Path | None:
    """The nearest directory at or above `start` holding a `.dvc/` directory, else None."""
    current = Path(os.path.abspath(start))
    if not current.is_dir():
        current = current.parent
    for candidate in (current, *current.parents):
        if (candidate / DVC_DIR).is_dir():
            return candidate
    return None


def existing_data_path(path: str | os.PathLike) -> Path:
    target = Path(path)
    if not os.path.lexists(target):
        raise DatacoupleError(f"{path}: no such file or directory")
    if not target.exists():
        raise DatacoupleError(f"{path}: broken symlink (DVC cannot hash it)")
    if target.is_symlink() and target.is_dir():
        # `dvc add` refuses symlinked directories ("Cannot add files inside symlinked
        # directories"), so there is no DVC hash to agree with.
        raise DatacoupleError(
            f"{path}: is a symlink to a directory, which DVC cannot track; "
            f"use the real path {os.path.realpath(target)}"
        )
    return target


def existing_directory(path: str | os.PathLike) -> Path:
    directory = existing_data_path(path)
    if not directory.is_dir():
        raise DatacoupleError(f"{path}: not a directory")
    return directory


def resolve_repo_root(target: Path, repo_root: str | os.PathLike | None) -> Path | None:
    if repo_root is not None:
        return Path(os.path.abspath(repo_root))
    return find_repo_root(target)
