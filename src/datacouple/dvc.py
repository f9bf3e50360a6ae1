"""Dataset identity: DVC's own content hash, read from `.dvc` / `dvc.lock` or computed identically.

A file's identity is the md5 of its raw bytes (DVC 3, `hash: md5`). A directory's identity is
the md5 of the JSON listing `[{"md5": ..., "relpath": ...}, ...]` that `dvc add` builds, plus
".dir". Computing it here must give exactly what `dvc add` writes, or a dataset would look
changed to one tool and unchanged to the other; so the walk below follows DVC's rules for
`.dvcignore`, its default ignores, sub-repositories and symlinks.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import posixpath
import re
import stat
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pathspec
import pathspec.util
import yaml

from datacouple.errors import DatacoupleError

try:  # pathspec >= 1.0: the pattern class DVC itself compiles `.dvcignore` lines with
    from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern as _IgnorePattern
except ImportError:  # pathspec < 1.0
    from pathspec.patterns import GitWildMatchPattern as _IgnorePattern

if TYPE_CHECKING:
    from dvc.repo import Repo

DVC_DIR = ".dvc"
DVCIGNORE = ".dvcignore"
DVC_FILE_SUFFIX = ".dvc"
DVC_LOCK = "dvc.lock"

# DVC ignores these in every directory of a repo before reading any `.dvcignore`.
_DEFAULT_IGNORES = (".hg/", ".git/", ".git", f"{DVC_DIR}/")
_CHUNK_SIZE = 1 << 20


@dataclass(frozen=True)
class DatasetIdentity:
    hash: str  # md5 hex for a file; md5 hex + ".dir" for a directory (36 chars)
    size: int  # total bytes
    nfiles: int | None  # None for a file, number of files for a directory
    source: str  # "computed", or "dvc-state": an entry's hash that DVC's state db says is current


@dataclass(frozen=True)
class DvcEntry:
    path: str  # path of the output relative to the repo root, posix
    hash: str  # md5 (with ".dir" for directories)
    size: int | None
    nfiles: int | None
    origin: str  # e.g. "data/features.parquet.dvc" or "dvc.lock:featurize"


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
    top_in_repo = _relpath_inside(top, repo_root) if repo_root is not None else None
    # DVC applies ignore rules only inside a repo; elsewhere dvc-data hashes every file.
    rules = None
    if repo_root is not None and top_in_repo is not None:
        rules = _rules_above(repo_root, top_in_repo)
        if _is_ignored_with_parents(rules, top_in_repo):
            raise DatacoupleError(
                f"{directory}: ignored by a {DVCIGNORE} rule, so DVC cannot track it"
            )
    stack: list[tuple[str, str, _Rules | None]] = [(top, "", rules)]
    while stack:
        current, relpath, rules = stack.pop()
        if rules is not None:
            rules = _with_dvcignore_of(current, _join_posix(top_in_repo or "", relpath), rules)
        subdirectories = []
        for entry in _sorted_entries(current):
            entry_relpath = _join_posix(relpath, entry.name)
            in_repo = _join_posix(top_in_repo or "", entry_relpath)
            if _is_directory(entry):
                # DVC walks with os.walk(followlinks=False): a symlink to a directory is
                # neither descended into nor hashed, so `dvc add` silently leaves it out.
                if entry.is_symlink():
                    continue
                if rules is not None and (
                    _is_ignored(rules, in_repo, is_dir=True) or _is_sub_repo(entry.path)
                ):
                    continue  # pruned: nothing below an ignored directory counts
                subdirectories.append((entry.path, entry_relpath, rules))
                continue
            if rules is not None and _is_ignored(rules, in_repo, is_dir=False):
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


# --------------------------------------------------------------------------- .dvcignore
#
# DVC's matching differs from git's in ways that change which files are hashed, so it is
# reproduced rather than approximated with a gitignore library's own matcher:
# - every `.dvcignore` below the root is rewritten into rules relative to the repo root
#   (`_rule_from_root`) and appended after its parents' rules; the last matching rule wins;
# - each rule's regex (pathspec's gitignore translation) is applied with `re.match`, not
#   searched, so e.g. `*/` in the root file matches nothing while `*/` in `data/` does;
# - a directory-only rule (`name/`) is never applied to a file, even one its regex matches:
#   with `logs/*` and `!logs/kept/`, the files in logs/kept stay ignored (git re-includes them).


@dataclass(frozen=True)
class _IgnoreRule:
    regex: re.Pattern[str]
    ignores: bool  # False for a "!" rule, which re-includes
    directories_only: bool  # written with a trailing "/"


_Rules = tuple[_IgnoreRule, ...]


def _compile_rules(lines: Iterable[str]) -> _Rules:
    rules = []
    for line in lines:
        regex, ignores = _IgnorePattern.pattern_to_regex(line)
        if regex is not None and ignores is not None:
            rules.append(_IgnoreRule(re.compile(regex), bool(ignores), line.endswith("/")))
    return tuple(rules)


def _rules_above(repo_root: Path, repo_relpath: str) -> _Rules:
    """The rules in force in the directory holding `repo_relpath`: defaults and ancestors'."""
    rules = _compile_rules(_DEFAULT_IGNORES)
    parts = [] if repo_relpath == "" else repo_relpath.split("/")
    for depth in range(len(parts)):
        ancestor = os.path.join(repo_root, *parts[:depth])
        rules = _with_dvcignore_of(ancestor, "/".join(parts[:depth]), rules)
    return rules


def _with_dvcignore_of(directory: str, repo_relpath: str, rules: _Rules) -> _Rules:
    """`rules` plus the directory's `.dvcignore`, unless it has none or it is itself ignored."""
    ignore_file = os.path.join(directory, DVCIGNORE)
    if not os.path.isfile(ignore_file):
        return rules
    if _is_ignored(rules, _join_posix(repo_relpath, DVCIGNORE), is_dir=False):
        return rules  # DVC does not read an ignored .dvcignore
    lines = _read_dvcignore_lines(ignore_file)
    if repo_relpath:
        lines = [_rule_from_root(line, repo_relpath) for line in lines]
    return rules + _compile_rules(lines)


def _read_dvcignore_lines(ignore_file: str) -> list[str]:
    try:
        with open(ignore_file, encoding="utf-8") as handle:
            raw_lines = handle.readlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DatacoupleError(f"{ignore_file}: cannot read ({exc})") from exc
    # DVC strips every line (unlike git, which keeps escaped trailing spaces) and skips comments.
    stripped = (line.strip() for line in raw_lines)
    return [line for line in stripped if line and not line.startswith("#")]


def _rule_from_root(rule: str, directory: str) -> str:
    """A rule of `<directory>/.dvcignore` rewritten, as DVC does, to apply from the repo root."""
    negated = rule.startswith("!")
    body = rule[1:] if negated else rule
    # A slash before the last character anchors a rule to its own directory; without one
    # (or with a leading "**/") it matches at any depth below that directory.
    anchored = "/" in body[:-1] and not body.startswith("**/")
    body = body.removeprefix("/") if anchored else body.removeprefix("**/")
    body = body.removeprefix("\\")  # DVC drops one escaping backslash here
    body = f"/{body}" if anchored else f"/**/{body}"
    rewritten = f"!/{directory}{body}" if negated else f"/{directory}{body}"
    # pathspec's normalisation, which DVC applies too: an unnegated rule loses its leading "/".
    return pathspec.util.normalize_file(rewritten)


def _is_ignored(rules: _Rules, repo_relpath: str, is_dir: bool) -> bool:
    """Whether the last rule matching `repo_relpath` ignores it (directories: with or without
    a trailing slash). Callers handle ignored parents: the walk never enters them."""
    candidates = (repo_relpath, repo_relpath + "/") if is_dir else (repo_relpath,)
    for rule in reversed(rules):
        if rule.directories_only and not is_dir:
            continue
        if any(rule.regex.match(candidate) for candidate in candidates):
            return rule.ignores
    return False


def _is_ignored_with_parents(rules: _Rules, repo_relpath: str) -> bool:
    parts = [] if repo_relpath == "" else repo_relpath.split("/")
    return any(
        _is_ignored(rules, "/".join(parts[:depth]), is_dir=True)
        for depth in range(1, len(parts) + 1)
    )


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


# --------------------------------------------------------------------------- .dvc / dvc.lock


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
        git_path = _join_posix(self._prefix, repo_relpath)
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
    import git  # imported lazily: only revisions need gitpython

    try:
        git_repo = git.Repo(repo_root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise DatacoupleError(
            f"{repo_root}: not inside a git repository, so revision {rev!r} cannot be read"
        ) from None
    with git_repo:
        try:
            commit = git_repo.commit(rev)
        except (git.BadName, git.BadObject, ValueError):
            raise DatacoupleError(
                f"unknown git revision {rev!r} in {git_repo.working_tree_dir}"
            ) from None
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
    relpath = _repo_relpath(root, path)
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
        lock_file = _join_posix(directory, DVC_LOCK)
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
        if not isinstance(out_path, str) or posixpath.isabs(out_path):
            continue  # external outputs are not part of this repo
        if posixpath.normpath(_join_posix(base, out_path)) != relpath:
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
        document = yaml.safe_load(text)
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


# --------------------------------------------------------------------------- paths


def _repo_relpath(repo_root: Path, path: str | os.PathLike) -> str:
    """`path` (absolute, or relative to the repo root) as a posix path relative to the root."""
    candidate = Path(path)
    absolute = candidate if candidate.is_absolute() else repo_root / candidate
    relpath = _relpath_inside(os.path.abspath(absolute), repo_root)
    if relpath is None:
        raise DatacoupleError(f"{path}: outside the DVC repository {repo_root}")
    return relpath


def _relpath_inside(path: str | os.PathLike, root: Path) -> str | None:
    """Posix path of `path` relative to `root` ("" for the root itself), None if outside."""
    relpath = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    if relpath == os.curdir:
        return ""
    if relpath == os.pardir or relpath.startswith(os.pardir + os.sep):
        return None
    return relpath.replace(os.sep, "/")


def _join_posix(base: str, name: str) -> str:
    return f"{base}/{name}" if base else name
