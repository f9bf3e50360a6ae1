"""`.dvcignore` with DVC's own semantics: rules anchored where the file lives, the last
matching rule wins, directory-only rules never re-include files, default ignores first."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pathspec
import pathspec.util

from ..errors import DatacoupleError
from .paths import DVC_DIR, DVCIGNORE, join_posix

try:  # pathspec >= 1.0: the pattern class DVC itself compiles `.dvcignore` lines with
    from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern as _IgnorePattern
except ImportError:  # pathspec < 1.0
    from pathspec.patterns import GitWildMatchPattern as _IgnorePattern

# DVC ignores these in every directory of a repo before reading any `.dvcignore`.
_DEFAULT_IGNORES = (".hg/", ".git/", ".git", f"{DVC_DIR}/")

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


Rules = tuple[_IgnoreRule, ...]


def _compile_rules(lines: Iterable[str]) -> Rules:
    rules = []
    for line in lines:
        regex, ignores = _IgnorePattern.pattern_to_regex(line)
        if regex is not None and ignores is not None:
            rules.append(_IgnoreRule(re.compile(regex), bool(ignores), line.endswith("/")))
    return tuple(rules)


def rules_above(repo_root: Path, repo_relpath: str) -> Rules:
    """The rules in force in the directory holding `repo_relpath`: defaults and ancestors'."""
    rules = _compile_rules(_DEFAULT_IGNORES)
    parts = [] if repo_relpath == "" else repo_relpath.split("/")
    for depth in range(len(parts)):
        ancestor = os.path.join(repo_root, *parts[:depth])
        rules = with_dvcignore_of(ancestor, "/".join(parts[:depth]), rules)
    return rules


def with_dvcignore_of(directory: str, repo_relpath: str, rules: Rules) -> Rules:
    """`rules` plus the directory's `.dvcignore`, unless it has none or it is itself ignored."""
    ignore_file = os.path.join(directory, DVCIGNORE)
    if not os.path.isfile(ignore_file):
        return rules
    if is_ignored(rules, join_posix(repo_relpath, DVCIGNORE), is_dir=False):
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


def is_ignored(rules: Rules, repo_relpath: str, is_dir: bool) -> bool:
    """Whether the last rule matching `repo_relpath` ignores it (directories: with or without
    a trailing slash). Callers handle ignored parents: the walk never enters them."""
    candidates = (repo_relpath, repo_relpath + "/") if is_dir else (repo_relpath,)
    for rule in reversed(rules):
        if rule.directories_only and not is_dir:
            continue
        if any(rule.regex.match(candidate) for candidate in candidates):
            return rule.ignores
    return False


def is_ignored_with_parents(rules: Rules, repo_relpath: str) -> bool:
    parts = [] if repo_relpath == "" else repo_relpath.split("/")
    return any(
        is_ignored(rules, "/".join(parts[:depth]), is_dir=True)
        for depth in range(1, len(parts) + 1)
    )
