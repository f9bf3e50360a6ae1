"""The layers of docs/architecture.md, enforced: each imports only what sits below it.

Imports are read from the source (every `import` statement, including those inside functions),
so a layer cannot reach upwards by hiding an import in a function body.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import datacouple

PACKAGE = Path(datacouple.__file__).parent
CLI_MODULE = PACKAGE / "cli.py"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str) -> bool:
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _imports(path: Path) -> set[str]:
    """Absolute names of everything `path` imports."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.add(target)
            # `from . import x` / `from .pkg import module` may name modules, not attributes.
            if target.startswith("datacouple"):
                found.update(f"{target}.{alias.name}" for alias in node.names
                             if _is_module(f"{target}.{alias.name}"))
    return found


def _modules_under(subpackage: str) -> list[Path]:
    root = PACKAGE / subpackage
    return sorted(root.rglob("*.py")) if root.is_dir() else [root.with_suffix(".py")]


def _violations(subpackage: str, allowed) -> list[str]:
    return [
        f"{_module_name(path)} imports {name}"
        for path in _modules_under(subpackage)
        for name in sorted(_imports(path))
        if not allowed(name)
    ]


def _internal(name: str, *layers: str) -> bool:
    return any(name == f"datacouple.{layer}" or name.startswith(f"datacouple.{layer}.")
               for layer in layers)


def _third_party(name: str, *roots: str) -> bool:
    return name.split(".")[0] in roots


STDLIB = sys.stdlib_module_names | {"__future__"}


def _stdlib(name: str) -> bool:
    return name.split(".")[0] in STDLIB


def test_changes_see_only_fingerprints():
    """The changes layer reads the fingerprint's format: no engine, no data, no git, no MLflow."""
    def allowed(name: str) -> bool:
        return (_stdlib(name) or _third_party(name, "rich")
                or _internal(name, "changes", "errors")
                or name in ("datacouple.profile", "datacouple.profile.format"))

    assert _violations("changes", allowed) == []


def test_engines_know_nothing_above_them():
    def allowed(name: str) -> bool:
        return (_stdlib(name) or _third_party(name, "pyarrow", "numpy", "pandas", "polars", "rich",
                                              "pyspark")
                or _internal(name, "profile", "schema", "identity", "errors", "atomic",
                          "_allocator"))

    assert _violations("profile", allowed) == []


def _importers_outside(package: str, library: str) -> list[str]:
    """Modules outside `package` (a dotted prefix) that import `library`."""
    return [
        f"{_module_name(path)} imports {name}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if not _module_name(path).startswith(package)
        for name in _imports(path)
        if _third_party(name, library)
    ]


def test_only_the_spark_engine_imports_pyspark():
    """pyspark is an optional extra: only profile/spark/ may import it (inside functions)."""
    assert _importers_outside("datacouple.profile.spark", "pyspark") == []


def test_schema_and_identity_are_the_bottom():
    def schema_allowed(name: str) -> bool:
        return (_stdlib(name) or _third_party(name, "pandera", "pandas", "numpy", "pyarrow",
                                              "yaml", "rich")
                or _internal(name, "schema", "errors", "atomic", "safe_yaml"))

    def identity_allowed(name: str) -> bool:
        return (_stdlib(name) or _third_party(name, "dvc", "dvc_data", "git", "yaml", "pathspec")
                or _internal(name, "identity", "errors", "atomic", "safe_yaml"))

    assert _violations("schema", schema_allowed) == []
    assert _violations("identity", identity_allowed) == []


def test_only_lineage_imports_mlflow():
    assert _importers_outside("datacouple.lineage", "mlflow") == []


def test_importing_datacouple_does_not_import_mlflow_or_pandera():
    code = "import sys, datacouple; print(sorted({m.split('.')[0] for m in sys.modules}))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout
    assert "'mlflow'" not in loaded
    assert "'pandera'" not in loaded
    assert "'pyspark'" not in loaded


@pytest.mark.parametrize("name", sorted(
    info.name for info in pkgutil.iter_modules(datacouple.__path__)))
def test_no_public_name_shadows_a_subpackage(name):
    module = importlib.import_module(f"datacouple.{name}")
    assert getattr(datacouple, name) is module


def test_the_cli_holds_no_logic():
    """cli.py parses arguments and prints: it imports no data library, and no function in it
    grows beyond a thin call into the library."""
    def allowed(name: str) -> bool:
        return (_stdlib(name) or _third_party(name, "click", "rich")
                or name.startswith("datacouple"))

    assert _violations("cli", allowed) == []
    tree = ast.parse(CLI_MODULE.read_text(encoding="utf-8"))
    for function in (node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)):
        statements = sum(isinstance(node, ast.stmt) for node in ast.walk(function)) - 1
        loops = [node for node in ast.walk(function) if isinstance(node, ast.For | ast.While)]
        assert statements <= 20, f"cli.{function.name} has {statements} statements: move logic"
        assert not loops, f"cli.{function.name} loops: move that logic into the library"
