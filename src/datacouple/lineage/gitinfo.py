"""The git facts a lineage record carries: where the repository lives, the commit, dirtiness."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


@dataclass(frozen=True)
class GitInfo:
    root: Path  # the git work tree (the directory a DVC source's `path` is relative to)
    repo: str  # a remote's URL (origin first), credentials removed; else the absolute root
    commit: str | None  # HEAD's sha; None before the first commit
    dirty: bool  # tracked files modified (untracked files, e.g. a journal, do not count)


def git_info(start: str | os.PathLike) -> GitInfo | None:
    """Facts of the git repository holding `start`; None outside any git repository."""
    import git

    try:
        repo = git.Repo(start, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None
    with repo:
        root = Path(os.path.realpath(repo.working_tree_dir))
        try:
            commit = repo.head.commit.hexsha
        except ValueError:  # an unborn HEAD: no commit yet
            commit = None
        dirty = commit is not None and repo.is_dirty(untracked_files=False)
        return GitInfo(root=root, repo=_remote_url(repo) or os.fspath(root), commit=commit,
                       dirty=dirty)


def _remote_url(repo) -> str | None:
    remotes = sorted(repo.remotes, key=lambda remote: remote.name != "origin")
    for remote in remotes:
        for url in remote.urls:
            return without_credentials(url)
    return None


def without_credentials(url: str) -> str:
    """`https://user:token@host/x.git` -> `https://host/x.git`: tokens must not reach MLflow.

    ssh and scp-like addresses (`git@host:x.git`) carry a user name, not a secret: unchanged.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
