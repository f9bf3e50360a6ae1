"""docs/security.md's promises about the code itself, checked on the source (its syntax tree):
nothing deserializes code from data or configuration, and only `impact --evaluate` loads
models."""

from __future__ import annotations

import ast
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "src" / "datacouple"
# Modules that turn bytes into objects that run code: none belongs in datacouple.
UNSAFE_MODULES = {"pickle", "cPickle", "_pickle", "cloudpickle", "dill", "marshal", "shelve",
                  "joblib"}
UNSAFE_BUILTINS = {"eval", "exec", "compile", "__import__"}
UNSAFE_YAML = {"unsafe_load", "full_load", "load_all", "unsafe_load_all", "full_load_all",
               "FullLoader", "UnsafeLoader", "Loader"}
MODEL_LOADER = "lineage/evaluate.py"  # the one module that loads models (impact --evaluate)


def _modules() -> list[tuple[str, ast.Module, str]]:
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        found.append((path.relative_to(SOURCE).as_posix(), ast.parse(text), text))
    assert len(found) > 50  # the scan sees the whole package
    return found


MODULES = _modules()


def test_no_module_deserializes_code():
    found = []
    for name, tree, text in MODULES:
        for node in ast.walk(tree):
            where = f"{name}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Import):
                found += [f"{where}: import {a.name}" for a in node.names
                          if a.name.split(".")[0] in UNSAFE_MODULES]
            elif isinstance(node, ast.ImportFrom):
                if (node.module or "").split(".")[0] in UNSAFE_MODULES:
                    found.append(f"{where}: from {node.module} import")
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                if node.func.id in UNSAFE_BUILTINS:
                    found.append(f"{where}: {node.func.id}()")
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                    and node.value.id == "yaml":
                if node.attr in UNSAFE_YAML:
                    found.append(f"{where}: yaml.{node.attr}")
                elif node.attr == "load":  # only with a safe loader, named where it is called
                    scope = _enclosing_function(tree, node)
                    code = text if scope is tree else ast.get_source_segment(text, scope)
                    if "SafeLoader" not in code:
                        found.append(f"{where}: yaml.load without a safe loader")
    assert found == []


def test_no_subprocess_runs_through_a_shell():
    found = [f"{name}:{node.lineno}" for name, tree, _ in MODULES for node in ast.walk(tree)
             if isinstance(node, ast.Call) and any(
                 k.arg == "shell" and not (isinstance(k.value, ast.Constant) and not k.value.value)
                 for k in node.keywords)]
    assert found == []


def test_only_impact_evaluate_loads_models():
    loaders, importers = set(), set()
    for name, tree, _ in MODULES:
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "load_model":
                loaders.add(name)
            if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("evaluate"):
                importers.add(name)
    assert loaders == {MODEL_LOADER}
    # ...and that module is reached only through `impact --evaluate` (impact.py imports it
    # inside the function that runs when --evaluate is given).
    assert importers == {"lineage/impact.py"}


def _enclosing_function(tree: ast.Module, target: ast.AST) -> ast.AST:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(
                child is target for child in ast.walk(node)):
            return node
    return tree
