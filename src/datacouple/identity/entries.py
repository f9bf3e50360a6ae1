"""`.dvc` files and `dvc.lock` entries, read from the work tree or from any git revision
(git objects through gitpython; no checkout)."""

from __future__ import annotations

import contextlib
import os
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import yaml

from ..errors import DatacoupleError
from ..safe_yaml import load_yaml
from .confine import require_inside
from .git import git_commit
from .paths import DVC_FILE_SUFFIX, DVC_LOCK, join_posix, repo_relpath


@dataclass(frozen=True)
class DvcEntry:
    path: str  # path of the output relative to the repo root, posix
    hash: str  # md5 (with ".dir" for directories)
    size: int | None
    nfiles: int | None
    origin: str  # e.g. "data/features.parquet.dvc" or "dvc.lock:featurize"



class _RepoFiles(Protocol):
    def read_text(self, repo_relpath: str) -> str | None: ...

    def describe(self, repo_relpath: str) -> str: ...  # how error messages name the file


class _WorkTreeFiles:
    def __init__(self, repo_root: Path):
        self._root = repo_root

    def read_text(self, repo_relpath: str) -> str | None:
        path = self._root.joinpath(*repo_relpath.split("/"))
        if not path.is_file():
            return None
        if path.is_symlink():  # a .dvc file or dvc.lock linked to a file elsewhere
            require_inside(Path(os.path.realpath(path)), self._root, named_in=repo_relpath,
                           setting="the symlink")
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise DatacoupleError(f"{path}: cannot read ({exc})") from exc

    def describe(self, repo_relpath: str) -> str:
        return repo_relpath


class _GitRevisionFiles:
    """Files of one commit, read from git's object store: no checkout, work tree untouched."""

    def __init__(self, tree: Any, prefix: str, rev: str):
        self._tree = tree
        self._prefix = prefix  # the DVC root's path inside the git work tree ("" if equal)
        self._rev = rev

    def read_text(self, repo_relpath: str) -> str | None:
        git_path = join_posix(self._prefix, repo_relpath)
        try:
            item = self._tree / git_path
        except KeyError:
            return None
        if item.type != "blob":
            return None
        try:
            return item.data_stream.read().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DatacoupleError(f"{self.describe(repo_relpath)}: not UTF-8 ({exc})") from exc

    def describe(self, repo_relpath: str) -> str:
        return f"{repo_relpath} (at git revision {self._rev})"


@contextlib.contextmanager
def _git_revision_files(repo_root: Path, rev: str) -> Iterator[_GitRevisionFiles]:
    with git_commit(repo_root, rev) as (git_repo, commit):
        work_tree = os.path.realpath(git_repo.working_tree_dir or repo_root)
        prefix = os.path.relpath(os.path.realpath(repo_root), work_tree)
        prefix = "" if prefix == os.curdir else prefix.replace(os.sep, "/")
        yield _GitRevisionFiles(commit.tree, prefix, rev)


def read_dvc_entry(
    repo_root: str | os.PathLike, path: str | os.PathLike, rev: str | None = None
) -> DvcEntry | None:
    """The `.dvc` or `dvc.lock` record of `path` in the work tree, or at git revision `rev`.

    `path` is absolute or relative to `repo_root`. None when nothing records it (or the
    record holds no md5). `<path>.dvc` wins; then `dvc.lock` files from the path's directory
    up to the repo root. A revision is read from git objects, without a checkout.
    """
    root = Path(os.path.abspath(repo_root))
    relpath = repo_relpath(root, path)
    if relpath == "":
        return None
    if rev is None:
        return _find_entry(_WorkTreeFiles(root), relpath)
    with _git_revision_files(root, rev) as files:
        return _find_entry(files, relpath)


def _find_entry(files: _RepoFiles, relpath: str) -> DvcEntry | None:
    return _entry_from_dvc_file(files, relpath) or _entry_from_dvc_locks(files, relpath)


def _entry_from_dvc_file(files: _RepoFiles, relpath: str) -> DvcEntry | None:
    dvc_file = relpath + DVC_FILE_SUFFIX
    text = files.read_text(dvc_file)
    if text is None:
        return None
    name = files.describe(dvc_file)
    outs = _list_of_mappings(_load_yaml_mapping(text, name).get("outs", []), name, "outs")
    return _matching_out(outs, posixpath.dirname(dvc_file), relpath, origin=dvc_file)


def _entry_from_dvc_locks(files: _RepoFiles, relpath: str) -> DvcEntry | None:
    # Nearest first: a pipeline in a subdirectory keeps its dvc.lock next to its dvc.yaml.
    directory = posixpath.dirname(relpath)
    while True:
        lock_file = join_posix(directory, DVC_LOCK)
        text = files.read_text(lock_file)
        if text is not None:
            entry = _entry_from_dvc_lock(text, lock_file, files.describe(lock_file), relpath)
            if entry is not None:
                return entry
        if directory == "":
            return None
        directory = posixpath.dirname(directory)


def _entry_from_dvc_lock(
    text: str, lock_file: str, described: str, relpath: str
) -> DvcEntry | None:
    """The out of any stage in one dvc.lock (schema 2.0: `stages: {name: {outs: [...]}}`)."""
    document = _load_yaml_mapping(text, described)
    stages = document.get("stages") or {}
    if not isinstance(stages, dict):
        raise DatacoupleError(f"{described}: 'stages' is not a mapping; is it a dvc.lock file?")
    base = posixpath.dirname(lock_file)
    for stage_name, stage in stages.items():
        if not isinstance(stage, dict):
            raise DatacoupleError(f"{described}: stage {stage_name!r} is not a mapping")
        outs = _list_of_mappings(stage.get("outs") or [], described, f"stages.{stage_name}.outs")
        entry = _matching_out(outs, base, relpath, origin=f"{lock_file}:{stage_name}")
        if entry is not None:
            return entry
    return None


def _matching_out(outs: list[dict], base: str, relpath: str, origin: str) -> DvcEntry | None:
    for out in outs:
        out_path = out.get("path")
        if not isinstance(out_path, str):
            continue
        joined = posixpath.normpath(join_posix(base, out_path))
        if posixpath.isabs(out_path) or joined == ".." or joined.startswith("../"):
            # DVC 3 has no external outputs: such a path was written by hand, and is never
            # followed (path confinement, docs/security.md).
            raise DatacoupleError(
                f"{origin}: outs path {out_path!r} leads outside the repository; a DVC output "
                "must be inside it (fix or remove the entry)"
            )
        if joined != relpath:
            continue
        md5 = out.get("md5")
        if not isinstance(md5, str) or not md5:
            return None  # tracked but never hashed (e.g. an import without download)
        return DvcEntry(
            relpath, md5, _optional_int(out.get("size")), _optional_int(out.get("nfiles")), origin
        )
    return None


def _load_yaml_mapping(text: str, name: str) -> dict:
    try:
        # libyaml's safe loader when PyYAML has it: a check reads two DVC files per dataset.
        document = load_yaml(text, fast=True)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise DatacoupleError(f"{name}: not valid YAML ({problem}{where})") from None
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise DatacoupleError(f"{name}: expected a YAML mapping, found {type(document).__name__}")
    return document


def _list_of_mappings(value: object, name: str, key: str) -> list[dict]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise DatacoupleError(f"{name}: '{key}' must be a list of mappings")
    return value


def _optional_int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
