"""Which revisions a check compares: the base (given, configured, or the branch a pull request
targets) at its merge-base with the head, so that a branch is judged on its own changes only."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from ..errors import DatacoupleError
from ..identity import git_commit
from ..identity.git import require_revision_syntax

# Tried in order when neither --base nor [check] base names one.
_DEFAULT_BASES = ("origin/HEAD", "origin/main", "origin/master", "main", "master")


def default_base(repo_root: Path, configured: str | None = None) -> str:
    """The base revision: `[check] base`, else the pull request's target branch on GitHub
    Actions (`GITHUB_BASE_REF`), else the remote's default branch, else main or master."""
    if configured:
        return configured
    pull_request_base = os.environ.get("GITHUB_BASE_REF")
    if pull_request_base:
        return f"origin/{pull_request_base}"
    for candidate in _DEFAULT_BASES:
        if _resolves(repo_root, candidate):
            return candidate
    raise DatacoupleError(
        "no base revision to compare with (no origin/HEAD, main or master): pass --base REV "
        "or set base in [check] of datacouple.toml"
    )


def merge_base(repo_root: Path, base: str, head: str | None) -> str:
    """The commit where the head's branch left `base` (the head itself when it is on `base`).

    `head` None is the work tree, whose branch point is HEAD's. A shallow clone that lacks the
    base gets an instruction instead of a wrong answer."""
    tip = head or "HEAD"
    require_revision_syntax(base)
    with git_commit(repo_root, tip) as (repo, head_commit):
        try:
            base_commit = repo.commit(base)
        except Exception:
            raise DatacoupleError(_missing_base_message(repo_root, base)) from None
        found = repo.merge_base(base_commit, head_commit)
        if not found:
            if _is_shallow(repo_root):
                raise DatacoupleError(_shallow_message(base))
            raise DatacoupleError(f"{base} and {tip} share no history: pass --base REV")
        return found[0].hexsha


def _missing_base_message(repo_root: Path, base: str) -> str:
    if _is_shallow(repo_root):
        return _shallow_message(base)
    return (f"unknown base revision {base!r}: fetch it (git fetch origin) or pass --base REV")


def _shallow_message(base: str) -> str:
    branch = base.removeprefix("origin/")
    return (f"this is a shallow clone without the history of {base}: run `git fetch "
            f"--no-tags --unshallow origin {branch}` (or use fetch-depth: 0 in "
            "actions/checkout), then check again")


def _is_shallow(repo_root: Path) -> bool:
    result = subprocess.run(["git", "rev-parse", "--is-shallow-repository"], cwd=repo_root,
                            capture_output=True, text=True)
    return result.stdout.strip() == "true"


def _resolves(repo_root: Path, rev: str) -> bool:
    result = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
                            cwd=repo_root, capture_output=True, text=True)
    return result.returncode == 0
