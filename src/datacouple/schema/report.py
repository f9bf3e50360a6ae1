"""Human-readable terminal output (rich tables). Machines read JSON instead."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table


def validation_table(name: str, result: dict, console: Console | None = None) -> None:
    console = console or Console()
    if result["valid"]:
        console.print(f"[green]{name}: valid[/green]")
        return
    table = Table(title=f"{name}: validation failed")
    table.add_column("column")
    table.add_column("check")
    table.add_column("failing rows", justify="right")
    for failure in result["failures"]:
        table.add_row(failure["column"] or "<table>", failure["check"], str(failure["count"]))
    console.print(table)
