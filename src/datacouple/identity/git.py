"""Git revisions: the one place a revision is resolved, so every command words a bad one alike."""

from __future__ import annotations

import contextlib
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
