"""Git revisions: the one place a revision is resolved, so every command words a bad one alike."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import DatacoupleError


@contextlib.contextmanager
def git_commit(repo_root: Path, rev: str) -> Iterator[tuple[Any, Any]]:
    """(git repo, commit) for `rev` in the git repository holding `repo_root`, closed after use.

    The one place revisions are resolved, so every command words a bad revision alike.
    """
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
        except (git.BadName, git.BadObject, ValueError, IndexError):
            raise DatacoupleError(
                f"unknown git revision {rev!r} in {git_repo.working_tree_dir}"
            ) from None
        yield git_repo, commit


def path_in_git(repo, path: Path) -> str:
    """`path` relative to the repository's work tree, as git objects name it."""
    work_tree = Path(os.path.realpath(repo.working_tree_dir))
    try:
        return Path(os.path.realpath(path)).relative_to(work_tree).as_posix()
    except ValueError:
        raise DatacoupleError(f"{path} is outside the git repository {work_tree}") from None
