"""Reports of a check (and of blame): the diff's renderers, plus what only a check knows:
which changes block the merge, which were acknowledged, and why lineage may be missing."""

from __future__ import annotations

import json

from rich.console import Console, Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ..changes import sort_changes, summarize, to_report
from ..changes.render import (
    FORMATS,
    NARROW_BELOW,
    Discard,
    code_span,
    escape_data,
    escape_inline,
    model_label,
    render_github,
    render_markdown,
    render_text,
)
from ..changes.render import (
    SEVERITY_STYLE as _SEVERITY_STYLE,
)
from .blame import BlameResult
from .run import CheckResult


def verdict(result: CheckResult) -> str:
    """One line: what the check decided and why."""
    if result.passed:
        acknowledged = f", {len(result.acknowledged)} acknowledged" if result.acknowledged else ""
        return f"check passed: no unacknowledged breaking change affects a model{acknowledged}"
    models = sorted({model_label(m) for change in result.blocking
                     for m in change.affected_models})
    reason = f" affecting {', '.join(models)}" if models else ""
    noun = "change" if len(result.blocking) == 1 else "changes"
    return (f"check failed: {len(result.blocking)} unacknowledged breaking {noun}{reason}; fix "
            "the data, or accept with `datacouple ack NAME KIND COLUMN --reason ...`")


def render_check(result: CheckResult, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(check_report(result), indent=2, sort_keys=True) + "\n"
    if fmt == "markdown":
        return _markdown(result)
    if fmt == "github":
        return _github(result)
    if fmt == "text":
        console = Console(record=True, width=120, color_system=None, force_terminal=False,
                          file=Discard())
        print_check(result, console)
        return console.export_text()
    raise ValueError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")


def check_report(result: CheckResult) -> dict:
    """The diff report's shape (`changes`, `summary`) plus the check's own fields."""
    report = to_report(result.changes)
    acks = {id(change): ack for change, ack in result.acknowledged}
    blocking = {id(change) for change in result.blocking}
    for entry, change in zip(report["changes"], sort_changes(result.changes), strict=True):
        ack = acks.get(id(change))
        entry["acknowledged"] = None if ack is None else {
            "reason": ack.reason, "by": ack.by, "at": ack.at}
        entry["blocking"] = id(change) in blocking
    report["summary"]["blocking"] = len(result.blocking)
    report["summary"]["acknowledged"] = len(result.acknowledged)
    report.update({
        "passed": result.passed, "verdict": verdict(result), "base": result.base,
        "base_commit": result.base_commit, "head": result.head, "notes": result.notes,
        "lineage": {"available": result.lineage_unavailable is None,
                    "reason": result.lineage_unavailable},
    })
    return report


def print_check(result: CheckResult, console: Console) -> None:
    render_text(result.changes, console, compared=(f"{result.base} ({result.base_commit[:8]})",
                                                   result.head))
    if result.acknowledged:
        console.print(_acknowledged(result, narrow=console.width < NARROW_BELOW))
    for note in result.notes:
        console.print(Text(f"note: {note}", style="dim"))
    console.print(Text(verdict(result), style="green" if result.passed else "bold red"))


def _acknowledged(result: CheckResult, *, narrow: bool):
    if narrow:
        lines = [Text("acknowledged", style="bold")]
        for change, ack in result.acknowledged:
            lines += [Text(f"  {change.dataset}  {change.kind}  {change.column or '—'}"),
                      Padding(Text(f"by {ack.by}: {ack.reason}"), (0, 0, 0, 4))]
        return Group(*lines)
    table = Table(title="acknowledged", title_justify="left", title_style="bold")
    for heading in ("dataset", "kind", "column", "reason", "by"):
        table.add_column(heading)
    for change, ack in result.acknowledged:
        table.add_row(*(Text(cell) for cell in (
            change.dataset, change.kind, change.column or "—", ack.reason, ack.by)))
    return table


def _markdown(result: CheckResult) -> str:
    marker = "✅" if result.passed else "❌"
    blocks = [f"{marker} **{escape_inline(verdict(result))}**",
              render_markdown(result.changes, compared=(result.base, result.head)).rstrip()]
    if result.acknowledged:
        rows = ["| dataset | kind | column | reason | by |", "| --- | --- | --- | --- | --- |"]
        rows += [f"| {escape_inline(c.dataset)} | {code_span(c.kind)} | "
                 f"{code_span(c.column) if c.column else '—'} | {escape_inline(a.reason)} | "
                 f"{escape_inline(a.by)} |".replace("\n", " ")
                 for c, a in result.acknowledged]
        blocks.append("### Acknowledged\n\n" + "\n".join(rows))
    if result.notes:
        blocks.append("\n".join(f"- _{escape_inline(note)}_" for note in result.notes))
    return "\n\n".join(blocks) + "\n"


def _github(result: CheckResult) -> str:
    command = "notice" if result.passed else "error"
    return (render_github(result.changes)
            + f"::{command} title=datacouple check::{escape_data(verdict(result))}\n")


# --------------------------------------------------------------------------- blame


def blame_report(result: BlameResult) -> dict:
    return {
        "dataset": result.dataset, "since": result.since, "since_commit": result.since_commit,
        "changes": [{
            **introduction.change.to_dict(),
            "commit": None if introduction.commit is None else vars(introduction.commit),
        } for introduction in result.introductions],
    }


def print_blame(result: BlameResult, console: Console) -> None:
    """A block per change (a table would wrap commit subjects into unreadable columns)."""
    if not result.introductions:
        console.print(Text(f"{result.dataset}: no changes since {result.since}", style="green"))
        return
    console.print(Text(f"{result.dataset}: changes since {result.since} "
                       f"({result.since_commit[:8]}) and the commits that introduced them",
                       style="bold"))
    for introduction in result.introductions:
        change, commit = introduction.change, introduction.commit
        console.print(Text.assemble(
            (f"{change.severity} ", _SEVERITY_STYLE.get(change.severity, "")),
            f"{change.kind} in {change.column or 'the table'}: ", change.message))
        if commit is None:
            console.print(Text("    not committed yet (in the work tree)", style="dim"))
        else:
            console.print(Text(f"    {commit.hexsha[:10]}  {commit.date[:16].replace('T', ' ')}"
                               f"  {commit.author}", style="cyan"))
            console.print(Text(f"    {commit.subject}"))
    counts = summarize([i.change for i in result.introductions])
    console.print(Text(", ".join(f"{n} {severity}" for severity, n in counts.items())))
