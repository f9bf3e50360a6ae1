"""DVC's content hash of a file or a directory, computed exactly as `dvc add` computes it.

A file's hash is the md5 of its raw bytes (DVC 3, `hash: md5`). A directory's hash is the md5 of
the JSON listing `[{"md5": ..., "relpath": ...}, ...]` that `dvc add` builds, plus ".dir".
Computing it here must give exactly what `dvc add` writes, or a dataset would look changed to
one tool and unchanged to the other; so the walk below follows DVC's rules for `.dvcignore`
(dvcignore.py), its default ignores, sub-repositories and symlinks.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import DatacoupleError
from .dvcignore import (
    Rules,
    is_ignored,
    is_ignored_with_parents,
    rules_above,
    with_dvcignore_of,
)
from .paths import (
    DVC_DIR,
    DVCIGNORE,
    existing_directory,
    join_posix,
    relpath_inside,
    resolve_repo_root,
)

_CHUNK_SIZE = 1 << 20


# --------------------------------------------------------------------------- hashing


def hash_file(path: str | os.PathLike) -> str:
    """md5 of the raw bytes, streamed in 1 MiB chunks (DVC 3 `hash: md5`, no dos2unix)."""
    digest = hashlib.md5(usedforsecurity=False)
    buffer = bytearray(_CHUNK_SIZE)
    view = memoryview(buffer)
    try:
        with open(path, "rb", buffering=0) as stream:
            while count := stream.readinto(buffer):
                digest.update(view[:count])
    except FileNotFoundError:
        raise DatacoupleError(f"{path}: no such file or directory") from None
    except IsADirectoryError:
        raise DatacoupleError(f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise DatacoupleError(f"{path}: cannot read ({exc.strerror})") from exc
    return digest.hexdigest()


def hash_directory(
    path: str | os.PathLike, repo_root: str | os.PathLike | None = None
) -> tuple[str, int, int]:
    """(md5 + ".dir", total size, number of files) exactly as `dvc add` records the directory.

    `repo_root` decides which `.dvcignore` rules apply; by default the enclosing DVC repo.
    Outside any DVC repo nothing is ignored, as when dvc-data hashes a directory on its own.
    """
    directory = existing_directory(path)
    return hash_directory_in(directory, resolve_repo_root(directory, repo_root))


def hash_directory_in(directory: Path, repo_root: Path | None) -> tuple[str, int, int]:
    files = list(directory_files(directory, repo_root))
    md5s = {file.relpath: hash_file(file.path) for file in files}
    return directory_digest(md5s), sum(file.size for file in files), len(files)


def directory_digest(md5_by_relpath: Mapping[str, str]) -> str:
    # The byte-exact listing DVC hashes: sorted by relpath string (code points, so "a-b" comes
    # before "a/x"), keys sorted, json's default separators and \uXXXX escapes for non-ASCII.
    listing = [{"md5": md5, "relpath": relpath} for relpath, md5 in sorted(md5_by_relpath.items())]
    payload = json.dumps(listing, sort_keys=True).encode("utf-8")
    return hashlib.md5(payload, usedforsecurity=False).hexdigest() + ".dir"


# --------------------------------------------------------------------------- the walk


@dataclass(frozen=True)
class _DirectoryFile:
    relpath: str  # posix, relative to the hashed directory: the "relpath" DVC records
    path: str  # absolute, native separators
    size: int


def directory_files(directory: Path, repo_root: Path | None) -> Iterator[_DirectoryFile]:
    """Every file DVC would put in the directory's listing, in a deterministic order."""
    top = os.path.abspath(directory)
    top_in_repo = relpath_inside(top, repo_root) if repo_root is not None else None
    # DVC applies ignore rules only inside a repo; elsewhere dvc-data hashes every file.
    rules = None
    if repo_root is not None and top_in_repo is not None:
        rules = rules_above(repo_root, top_in_repo)
        if is_ignored_with_parents(rules, top_in_repo):
            raise DatacoupleError(
                f"{directory}: ignored by a {DVCIGNORE} rule, so DVC cannot track it"
            )
    stack: list[tuple[str, str, Rules | None]] = [(top, "", rules)]
    while stack:
        current, relpath, rules = stack.pop()
        if rules is not None:
            rules = with_dvcignore_of(current, join_posix(top_in_repo or "", relpath), rules)
        subdirectories = []
        for entry in _sorted_entries(current):
            entry_relpath = join_posix(relpath, entry.name)
            in_repo = join_posix(top_in_repo or "", entry_relpath)
            if _is_directory(entry):
                # DVC walks with os.walk(followlinks=False): a symlink to a directory is
                # neither descended into nor hashed, so `dvc add` silently leaves it out.
                if entry.is_symlink():
                    continue
                if rules is not None and (
                    is_ignored(rules, in_repo, is_dir=True) or _is_sub_repo(entry.path)
                ):
                    continue  # pruned: nothing below an ignored directory counts
                subdirectories.append((entry.path, entry_relpath, rules))
                continue
            if rules is not None and is_ignored(rules, in_repo, is_dir=False):
                continue
            if entry.name == DVCIGNORE:
                # `dvc add` refuses such a directory (IgnoreInCollectedDirError).
                raise DatacoupleError(
                    f"{entry.path}: DVC does not allow a {DVCIGNORE} inside a tracked "
                    f"directory; move its rules to a parent directory's {DVCIGNORE}"
                )
            yield _DirectoryFile(entry_relpath, entry.path, _regular_file_size(entry))
        # Reversed so that the stack pops subdirectories in name order.
        stack.extend(reversed(subdirectories))


def _sorted_entries(directory: str) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(directory) as entries:
            return sorted(entries, key=lambda entry: entry.name)
    except OSError as exc:
        raise DatacoupleError(f"{directory}: cannot list directory ({exc.strerror})") from exc


def _is_directory(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()  # follows symlinks, like os.walk's own classification
    except OSError:
        return False


def _regular_file_size(entry: os.DirEntry[str]) -> int:
    # Symlinks to files are followed: DVC hashes (and sizes) the target's content under the
    # link's name. A dangling link makes `dvc add` fail, and so does it here.
    try:
        info = entry.stat(follow_symlinks=True)
    except FileNotFoundError:
        raise DatacoupleError(f"{entry.path}: broken symlink (DVC cannot hash it)") from None
    except OSError as exc:
        raise DatacoupleError(f"{entry.path}: cannot stat ({exc.strerror})") from exc
    if not stat.S_ISREG(info.st_mode):
        raise DatacoupleError(f"{entry.path}: not a regular file (a fifo, socket or device)")
    return info.st_size


def _is_sub_repo(directory: str) -> bool:
    # A nested DVC repo belongs to itself: DVC ignores it in the parent repo.
    return os.path.exists(os.path.join(directory, DVC_DIR))
