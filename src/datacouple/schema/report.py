"""Human-readable terminal output (rich tables). Machines read JSON instead."""

from __future__ import annotations

import json

from rich.console import Console
from rich.markup import escape
from rich.table import Table


def validation_table(name: str, result: dict, console: Console | None = None) -> None:
    console = console or Console()
    if result["valid"]:
        console.print(f"[green]{name}: valid[/green]")
        return
    failures = result["failures"]
    with_examples = any(failure.get("examples") for failure in failures)
    table = Table(title=f"{name}: validation failed")
    table.add_column("column")
    table.add_column("check")
    table.add_column("failing rows", justify="right")
    if with_examples:
        table.add_column("failing values (first seen)")
    for failure in failures:
        row = [escape(failure["column"] or "<table>"), escape(failure["check"]),
               str(failure["count"])]
        if with_examples:
            row.append(escape(examples_text(failure.get("examples") or [])))
        table.add_row(*row)
    console.print(table)


def examples_text(examples: list) -> str:
    """Values as literals, so that "1" (a string) and 1 (a number) and " x" read apart."""
    return ", ".join(json.dumps(value, ensure_ascii=False) for value in examples)
