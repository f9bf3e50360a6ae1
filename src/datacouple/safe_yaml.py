"""YAML as datacouple reads it (Pandera schemas, `.dvc` files, `dvc.lock`): PyYAML's safe loader,
which constructs plain dicts, lists and scalars only (a `!!python/...` tag is refused before
anything is built), and in addition no aliases and no runaway nesting.

Why no aliases: `&a [x, x]` / `[*a, *a]` nested ten deep ("billion laughs") loads in
microseconds as shared references, and then explodes in whatever walks it (the schema's
canonical form and its hash serialise it in full). Neither pandera's `to_yaml` nor DVC writes
anchors, so a document with one was written by hand and is refused rather than expanded.
"""

from __future__ import annotations

from typing import Any

import yaml


class RefusedYaml(yaml.YAMLError):
    """Well-formed YAML that datacouple will not load; `problem` says why, in a few words."""

    def __init__(self, problem: str):
        super().__init__(problem)
        self.problem = problem
        self.problem_mark = None


def load_yaml(text: str, *, fast: bool = False) -> Any:
    """The document in `text`, as plain data. `fast` uses libyaml's safe loader when PyYAML
    has it. Raises yaml.YAMLError (a ConstructorError for a `!!python` tag, RefusedYaml for an
    alias or a nesting too deep), so callers word every refusal as invalid YAML."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader) if fast else yaml.SafeLoader
    try:
        document = yaml.load(text, Loader=loader)  # a SafeLoader: plain data only
    except RecursionError:
        raise RefusedYaml("nesting too deep") from None
    if _shares_a_node(document):
        raise RefusedYaml("an alias (*name) repeats a list or mapping; datacouple refuses "
                          "YAML aliases (they can expand exponentially): write the value out")
    return document


def _shares_a_node(document: Any) -> bool:
    """Whether one list or dict is reachable twice: what an alias of a collection builds."""
    seen: set[int] = set()
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict | list):
            if id(node) in seen:
                return True
            seen.add(id(node))
            stack.extend(node.values() if isinstance(node, dict) else node)
    return False
