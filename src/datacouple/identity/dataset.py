"""A dataset's identity: its DVC hash, reused from `.dvc` / `dvc.lock` when DVC's own state db
says the data is unchanged since DVC hashed it, computed (identically) otherwise."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .content_hash import (
    directory_digest,
    directory_files,
    hash_directory_in,
    hash_file,
)
from .entries import DvcEntry, read_dvc_entry
from .paths import existing_data_path, resolve_repo_root

if TYPE_CHECKING:
    from dvc.repo import Repo


@dataclass(frozen=True)
class DatasetIdentity:
    hash: str  # md5 hex for a file; md5 hex + ".dir" for a directory (36 chars)
    size: int  # total bytes
    nfiles: int | None  # None for a file, number of files for a directory
    source: str  # "computed", or "dvc-state": an entry's hash that DVC's state db says is current


def dataset_identity(
    path: str | os.PathLike, repo_root: str | os.PathLike | None = None
) -> DatasetIdentity:
    """The DVC hash of a file or directory, reused from DVC when it is provably current.

    When `path` is tracked by a `.dvc` file or a `dvc.lock` out and DVC's state db says the
    data is unchanged since DVC hashed it, the recorded hash is returned without reading the
    data (source "dvc-state"). Otherwise the hash is computed (source "computed").
    """
    target = existing_data_path(path)
    root = resolve_repo_root(target, repo_root)
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


def _computed_identity(target: Path, repo_root: Path | None) -> DatasetIdentity:
    if target.is_dir():
        return DatasetIdentity(*hash_directory_in(target, repo_root), source="computed")
    size = target.stat().st_size
    return DatasetIdentity(hash_file(target), size, None, "computed")


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
    files = list(directory_files(target, repo_root))
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
    digest = directory_digest(md5s)
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



