"""`datacouple blame`: which commit introduced each change a dataset shows since a base.

The fingerprint's own git history is the record: walking the commits that touched the
fingerprint file, oldest first, each change between the base and now is attributed to the last
commit from which on it has been present. Only git objects are read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..changes import Change, Thresholds, diff_fingerprints
from ..config import Config
from ..errors import DatacoupleError
from ..identity import git_commit, path_in_git
from ..identity.git import require_revision_syntax
from ..profile.format import Fingerprint, parse_fingerprint
from .revisions import default_base, merge_base


@dataclass(frozen=True)
class Commit:
    hexsha: str
    author: str
    date: str  # ISO 8601, the author's date
    subject: str


@dataclass(frozen=True)
class Introduction:
    change: Change
    commit: Commit | None  # None: the change is in the work tree, not committed yet


@dataclass(frozen=True)
class BlameResult:
    dataset: str
    since: str  # the revision compared with, as given or chosen
    since_commit: str
    introductions: list[Introduction]


def blame(config: Config, name: str, *, column: str | None = None,
          since: str | None = None) -> BlameResult:
    if name not in config.datasets:
        known = ", ".join(sorted(config.datasets)) or "none configured"
        raise DatacoupleError(f"unknown dataset {name!r} (known: {known})")
    dataset = config.datasets[name]
    thresholds = Thresholds.from_config(config.raw.get("check"))
    with git_commit(config.root, "HEAD") as (repo, head):
        path = path_in_git(repo, dataset.fingerprint)
        history = list(repo.iter_commits("HEAD", paths=path, reverse=True))
        if not history:
            raise DatacoupleError(f"{path} was never committed: nothing to blame")
        since, since_commit = _since(config, repo, since, history[0].hexsha)
        old = _fingerprint_at(repo.commit(since_commit), path)
        if old is None:
            raise DatacoupleError(f"{path} does not exist at {since}: pass --since REV")
        now = _work_tree_fingerprint(dataset.fingerprint) or _fingerprint_at(head, path)
        targets = [change for change in diff_fingerprints(old, now, thresholds)
                   if column is None or change.column == column]
        introduced_by: dict[tuple, object] = {_key(change): None for change in targets}
        for commit in repo.iter_commits(f"{since_commit}..HEAD", paths=path, reverse=True):
            document = _fingerprint_at(commit, path)
            present = ({_key(c) for c in diff_fingerprints(old, document, thresholds)}
                       if document is not None else set())
            for key in introduced_by:
                if key not in present:
                    introduced_by[key] = None  # gone again (reverted): a later commit brings it
                elif introduced_by[key] is None:
                    introduced_by[key] = _commit(commit)
    return BlameResult(name, since, since_commit, [
        Introduction(change, introduced_by[_key(change)]) for change in targets])


def _since(config: Config, repo, since: str | None, first: str) -> tuple[str, str]:
    """The revision to compare with: --since, else where this branch left the base; on the
    base branch itself (nothing to compare), the fingerprint's first commit."""
    if since is not None:
        require_revision_syntax(since)
        try:
            return since, repo.commit(since).hexsha
        except Exception:
            raise DatacoupleError(f"unknown git revision {since!r}") from None
    try:
        base = default_base(config.root, (config.raw.get("check") or {}).get("base"))
        point = merge_base(config.root, base, "HEAD")
    except DatacoupleError:
        return "the first fingerprint", first
    if point == repo.head.commit.hexsha:
        return "the first fingerprint", first
    return base, point


def _key(change: Change) -> tuple:
    return (change.kind, change.column)


def _commit(commit) -> Commit:
    date = dt.datetime.fromtimestamp(commit.authored_date,
                                     dt.timezone(dt.timedelta(seconds=-commit.author_tz_offset)))
    return Commit(hexsha=commit.hexsha, author=f"{commit.author.name} <{commit.author.email}>",
                  date=date.isoformat(), subject=commit.summary)


def _fingerprint_at(commit, path: str) -> Fingerprint | None:
    try:
        blob = commit.tree / path
    except KeyError:
        return None
    return parse_fingerprint(blob.data_stream.read(), f"{path} at {commit.hexsha[:8]}")


def _work_tree_fingerprint(path: Path) -> Fingerprint | None:
    if not path.is_file():
        return None
    return parse_fingerprint(path.read_bytes(), str(path))
