"""Git revisions: the one place a revision is resolved, so every command words a bad one alike.

Repositories stay open for the life of the process: each gitpython `Repo` keeps `git cat-file`
processes running, and starting them anew for every read made a 50-dataset check spend most of
its time spawning processes. They are closed at exit.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import DatacoupleError

_OPEN: dict[str, Any] = {}  # realpath of the directory asked about -> its git.Repo
# (directory, full sha) -> commit: a commit never changes, and reusing the object reuses the
# trees gitpython already parsed. Names such as HEAD or main are resolved afresh every time.
_COMMITS: dict[tuple[str, str], Any] = {}
_FULL_SHA = re.compile(r"^[0-9a-f]{40}$")


@contextlib.contextmanager
def git_commit(repo_root: Path, rev: str) -> Iterator[tuple[Any, Any]]:
    """(git repo, commit) for `rev` in the git repository holding `repo_root`.

    The one place revisions are resolved, so every command words a bad revision alike.
    """
    import git  # imported lazily: only revisions need gitpython

    require_revision_syntax(rev)
    git_repo = _open_repo(repo_root, rev)
    key = (os.path.realpath(repo_root), rev)
    commit = _COMMITS.get(key)
    if commit is None:
        try:
            commit = git_repo.commit(rev)
        except (git.BadName, git.BadObject, ValueError, IndexError):
            raise DatacoupleError(
                f"unknown git revision {rev!r} in {git_repo.working_tree_dir}"
            ) from None
        if _FULL_SHA.match(rev):
            _COMMITS[key] = commit
    yield git_repo, commit


def require_revision_syntax(rev: str) -> None:
    """Refuse what is no revision before git sees it: a leading "-" would be read by git as an
    option (`--upload-pack=...`, `--output=...`), and control characters as other arguments."""
    if not rev or rev.startswith("-") or any(ord(char) < 32 or ord(char) == 127
                                             for char in rev):
        raise DatacoupleError(
            f"{rev!r} is not a git revision (a revision does not start with '-' or hold "
            "control characters): give a branch, tag or commit, e.g. main or HEAD~1"
        )


def resolve_commit(repo_root: Path, rev: str) -> str:
    """The full sha `rev` names now."""
    with git_commit(repo_root, rev) as (_, commit):
        return commit.hexsha


def _open_repo(repo_root: Path, rev: str):
    import git

    key = os.path.realpath(repo_root)
    if key not in _OPEN:
        try:
            _OPEN[key] = git.Repo(key, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise DatacoupleError(
                f"{repo_root}: not inside a git repository, so revision {rev!r} cannot be read"
            ) from None
    return _OPEN[key]


@atexit.register
def _close_repositories() -> None:
    for repo in _OPEN.values():
        repo.close()
    _OPEN.clear()
    _COMMITS.clear()


def path_in_git(repo, path: Path) -> str:
    """`path` relative to the repository's work tree, as git objects name it."""
    work_tree = Path(os.path.realpath(repo.working_tree_dir))
    try:
        return Path(os.path.realpath(path)).relative_to(work_tree).as_posix()
    except ValueError:
        raise DatacoupleError(f"{path} is outside the git repository {work_tree}") from None
