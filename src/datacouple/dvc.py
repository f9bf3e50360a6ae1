"""Dataset identity: DVC's own content hash, read from `.dvc` / `dvc.lock` or computed identically.

A file's identity is the md5 of its raw bytes (DVC 3, `hash: md5`). A directory's identity is
the md5 of the JSON listing `[{"md5": ..., "relpath": ...}, ...]` that `dvc add` builds, plus
".dir". Computing it here must give exactly what `dvc add` writes, or a dataset would look
changed to one tool and unchanged to the other; so the walk below follows DVC's rules for
`.dvcignore` (dvcignore.py), its default ignores, sub-repositories and symlinks. Recorded
entries are read by dvc_files.py (`read_dvc_entry`, also importable from here).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from datacouple.dvc_files import DvcEntry, read_dvc_entry
from datacouple.dvc_paths import DVC_DIR, DVCIGNORE, join_posix, relpath_inside
from datacouple.dvcignore import (
    Rules,
    is_ignored,
    is_ignored_with_parents,
    rules_above,
    with_dvcignore_of,
)
from datacouple.errors import DatacoupleError

if TYPE_CHECKING:
    from dvc.repo import Repo

_CHUNK_SIZE = 1 << 20


@dataclass(frozen=True)
class DatasetIdentity:
    hash: str  # md5 hex for a file; md5 hex + ".dir" for a directory (36 chars)
    size: int  # total bytes
    nfiles: int | None  # None for a file, number of files for a directory
    source: str  # "computed", or "dvc-state": an entry's hash that DVC's state db says is current


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
    directory = _existing_directory(path)
    return _hash_directory_in(directory, _resolve_repo_root(directory, repo_root))


def _hash_directory_in(directory: Path, repo_root: Path | None) -> tuple[str, int, int]:
    files = list(_directory_files(directory, repo_root))
    md5s = {file.relpath: hash_file(file.path) for file in files}
    return _directory_digest(md5s), sum(file.size for file in files), len(files)


def _directory_digest(md5_by_relpath: Mapping[str, str]) -> str:
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


def _directory_files(directory: Path, repo_root: Path | None) -> Iterator[_DirectoryFile]:
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


# --------------------------------------------------------------------------- identity


def dataset_identity(
    path: str | os.PathLike, repo_root: str | os.PathLike | None = None
) -> DatasetIdentity:
    """The DVC hash of a file or directory, reused from DVC when it is provably current.

    When `path` is tracked by a `.dvc` file or a `dvc.lock` out and DVC's state db says the
    data is unchanged since DVC hashed it, the recorded hash is returned without reading the
    data (source "dvc-state"). Otherwise the hash is computed (source "computed").
    """
    target = _existing_data_path(path)
    root = _resolve_repo_root(target, repo_root)
    entry = read_dvc_entry(root, target) if root is not None else None
    if entry is None:
        return _computed_identity(target, root)
    repo = _open_dvc_repo(root)
    if repo is None:
        return _computed_identity(target, root)
    with repo:
        if target.is_dir():
            return _directory_identity_via_state(repo, target, root, entry)
        return _file_identity_via_state(repo, target, entry)


def find_repo_root(start: str | os.PathLike) -> Path | None:
    """The nearest directory at or above `start` holding a `.dvc/` directory, else None."""
    current = Path(os.path.abspath(start))
    if not current.is_dir():
        current = current.parent
    for candidate in (current, *current.parents):
        if (candidate / DVC_DIR).is_dir():
            return candidate
    return None


def _computed_identity(target: Path, repo_root: Path | None) -> DatasetIdentity:
    if target.is_dir():
        return DatasetIdentity(*_hash_directory_in(target, repo_root), source="computed")
    size = target.stat().st_size
    return DatasetIdentity(hash_file(target), size, None, "computed")


def _existing_data_path(path: str | os.PathLike) -> Path:
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


def _existing_directory(path: str | os.PathLike) -> Path:
    directory = _existing_data_path(path)
    if not directory.is_dir():
        raise DatacoupleError(f"{path}: not a directory")
    return directory


def _resolve_repo_root(target: Path, repo_root: str | os.PathLike | None) -> Path | None:
    if repo_root is not None:
        return Path(os.path.abspath(repo_root))
    return find_repo_root(target)


# --------------------------------------------------------------------------- DVC's state db


def _open_dvc_repo(repo_root: Path) -> Repo | None:
    """DVC's Repo, for its state db; None when DVC cannot open it (then we just compute)."""
    from dvc.exceptions import DvcException  # imported lazily: dvc.repo costs ~0.3 s
    from dvc.repo import Repo

    try:
        return Repo(os.fspath(repo_root))
    except (DvcException, OSError):
        return None


def _state_path(repo: Repo, target: Path) -> str:
    # The state db is keyed by the absolute path DVC itself used: its root_dir joined with
    # the repo-relative path, native separators.
    relpath = os.path.relpath(os.path.abspath(target), repo.root_dir)
    return os.path.normpath(os.path.join(repo.root_dir, relpath))


def _file_identity_via_state(repo: Repo, target: Path, entry: DvcEntry) -> DatasetIdentity:
    state_path = _state_path(repo, target)
    meta, hash_info = repo.state.get(state_path, repo.fs)
    if meta is not None and _is_plain_md5(hash_info, entry.hash):
        return DatasetIdentity(entry.hash, meta.size, None, "dvc-state")
    # Stat before reading: if the file changes while we hash it, the saved entry's
    # (inode, mtime, size) no longer matches and DVC will not trust it.
    info = repo.fs.info(state_path)
    md5 = hash_file(target)
    _save_to_state(repo, [(state_path, md5, info)])
    return DatasetIdentity(md5, info["size"], None, "computed")


def _directory_identity_via_state(
    repo: Repo, target: Path, repo_root: Path, entry: DvcEntry
) -> DatasetIdentity:
    """Rebuild the directory hash from DVC's per-file state entries, hashing only the misses.

    DVC 3 keeps no state entry for a directory itself (dvc-data saves file hashes only;
    `state.get(directory)` always misses), so a directory is current when every file's
    (inode, mtime, size) still matches DVC's record and the listing they make equals the entry.
    """
    files = list(_directory_files(target, repo_root))
    directory_state_path = _state_path(repo, target)
    state_paths = {
        file.relpath: os.path.join(directory_state_path, *file.relpath.split("/")) for file in files
    }
    md5s = _hashes_from_state(repo, state_paths)
    misses = [file for file in files if file.relpath not in md5s]
    fresh = []
    for file in misses:
        info = repo.fs.info(state_paths[file.relpath])
        md5s[file.relpath] = hash_file(file.path)
        fresh.append((state_paths[file.relpath], md5s[file.relpath], info))
    _save_to_state(repo, fresh)
    digest = _directory_digest(md5s)
    size = sum(file.size for file in files)
    # Even when every file hit the state, a listing that differs from the entry is new
    # content (e.g. after `dvc status` refreshed the state): it is not the entry's version.
    source = "dvc-state" if not misses and digest == entry.hash else "computed"
    return DatasetIdentity(digest, size, len(files), source)


def _hashes_from_state(repo: Repo, state_paths: Mapping[str, str]) -> dict[str, str]:
    """relpath -> md5 for the files DVC's state db knows to be unchanged."""
    relpath_by_state_path = {path: relpath for relpath, path in state_paths.items()}
    found = {}
    for path, meta, hash_info in repo.state.get_many(list(relpath_by_state_path), repo.fs, {}):
        if meta is not None and hash_info is not None and hash_info.name == "md5":
            found[relpath_by_state_path[path]] = hash_info.value
    return found


def _is_plain_md5(hash_info: Any, expected: str) -> bool:
    # "md5-dos2unix" values (DVC 2 entries) are not our identity even when they match.
    return hash_info is not None and hash_info.name == "md5" and hash_info.value == expected


def _save_to_state(repo: Repo, hashed: list[tuple[str, str, dict]]) -> None:
    # Record what we computed, as DVC does after hashing, so that DVC (and we, for the files
    # of a directory) need not read these bytes again while they stay unchanged.
    from dvc_data.hashfile.hash_info import HashInfo

    if hashed:
        items = [(path, HashInfo("md5", md5), info) for path, md5, info in hashed]
        repo.state.save_many(items, repo.fs)



