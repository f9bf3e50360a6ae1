"""Reports over a list of Changes: for a terminal, for scripts, for a PR comment, for CI.

Every renderer orders changes the same way (`sort_changes`: most severe first), so the text, the
markdown and the annotations list them in the order the JSON report does.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable

from rich.console import Console, Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from .change import BREAKING, INFO, SEVERITIES, WARNING, Change, sort_changes, summarize, to_report

FORMATS = ("text", "json", "markdown", "github")

SEVERITY_STYLE = {BREAKING: "bold red", WARNING: "yellow", INFO: "dim"}
NARROW_BELOW = 100  # console columns under which changes are blocks, not a table
_TABLE_LEVEL = "—"  # the "column" of a change that concerns the whole table

# GitHub refuses comments longer than 65536 characters; evidence is what can be left out.
_MARKDOWN_LIMIT = 60_000


def render(changes: list[Change], fmt: str, *, compared: tuple[str, str] | None = None) -> str:
    """The report as a string (text without colours), e.g. to write it to a file."""
    if fmt == "text":
        console = Console(record=True, width=120, color_system=None, force_terminal=False,
                          file=Discard())
        render_text(changes, console, compared=compared)
        return console.export_text()
    if fmt == "json":
        return render_json(changes) + "\n"
    if fmt == "markdown":
        return render_markdown(changes, compared=compared)
    if fmt == "github":
        return render_github(changes)
    raise ValueError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")


def summary_line(changes: list[Change]) -> str:
    """`2 breaking, 1 warning, 3 info changes in 2 datasets`, or `no changes`."""
    if not changes:
        return "no changes"
    counts = summarize(changes)
    datasets = len({change.dataset for change in changes})
    parts = ", ".join(f"{counts[severity]} {severity}" for severity in SEVERITIES)
    noun = "change" if len(changes) == 1 else "changes"
    return f"{parts} {noun} in {datasets} dataset{'' if datasets == 1 else 's'}"


# --------------------------------------------------------------------------- text


def render_text(changes: list[Change], console: Console, *,
                compared: tuple[str, str] | None = None) -> None:
    """A rich table per dataset, severities coloured, then the summary line."""
    if compared:
        console.print(Text(f"{compared[0]} → {compared[1]}", style="bold"))
    if not changes:
        console.print(Text("no changes", style="green"))
        return
    # A five-column table is unreadable below about 100 columns (cells wrap a word per line
    # and model names are cut): narrow terminals get a block per change instead.
    layout = _text_table if console.width >= NARROW_BELOW else _text_blocks
    for dataset, group in _by_dataset(changes):
        console.print(layout(dataset, group))
    console.print(_text_summary(changes))


def _text_table(dataset: str, changes: list[Change]) -> Table:
    with_models = any(change.affected_models for change in changes)
    table = Table(title=_dataset_title(dataset), title_justify="left", title_style="bold")
    table.add_column("severity", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("column")
    table.add_column("message", ratio=1)
    if with_models:
        table.add_column("affected models")
    for change in changes:
        # Text cells, not markup strings: messages quote data such as "[x]" verbatim.
        row = [
            Text(change.severity, style=SEVERITY_STYLE[change.severity]),
            Text(change.kind),
            Text(change.column if change.column is not None else _TABLE_LEVEL),
            Text(change.message),
        ]
        if with_models:
            row.append(Text(", ".join(model_label(m) for m in change.affected_models)))
        table.add_row(*row)
    return table


def _text_blocks(dataset: str, changes: list[Change]) -> Group:
    lines = [Text(_dataset_title(dataset), style="bold")]
    for change in changes:
        head = Text("  ")
        head.append(change.severity, style=SEVERITY_STYLE[change.severity])
        column = change.column if change.column is not None else _TABLE_LEVEL
        head.append(f"  {change.kind}  {column}")
        lines += [head, _indented(Text(change.message))]
        if change.affected_models:
            models = ", ".join(model_label(m) for m in change.affected_models)
            lines.append(_indented(Text(f"affects {models}")))
    return Group(*lines)


def _indented(text: Text) -> Padding:
    """Wrapped lines keep the indent of the first."""
    return Padding(text, (0, 0, 0, 4))


def _text_summary(changes: list[Change]) -> Text:
    counts = summarize(changes)
    style = SEVERITY_STYLE[BREAKING] if counts[BREAKING] else (
        SEVERITY_STYLE[WARNING] if counts[WARNING] else "green")
    return Text(summary_line(changes), style=style)


# --------------------------------------------------------------------------- json


def render_json(changes: list[Change]) -> str:
    """The JSON report of docs/diff.md: `{"changes": [...], "summary": {...}}`."""
    return json.dumps(to_report(changes), indent=2, sort_keys=True)


# --------------------------------------------------------------------------- markdown


def render_markdown(changes: list[Change], *, compared: tuple[str, str] | None = None) -> str:
    """A pull-request comment: summary line, a table per dataset, evidence folded away."""
    text = _markdown(changes, compared, with_evidence=True)
    if len(text) > _MARKDOWN_LIMIT:
        text = _markdown(changes, compared, with_evidence=False)
    return text


def _markdown(changes: list[Change], compared, *, with_evidence: bool) -> str:
    blocks = [_markdown_summary(changes, compared)]
    for dataset, group in _by_dataset(changes):
        blocks.append(f"### {escape_inline(_dataset_title(dataset))}")
        blocks.append(_markdown_table(group))
        if with_evidence:
            blocks.extend(_evidence_block(change) for change in group if change.evidence)
    if not with_evidence and changes:
        blocks.append("_Evidence left out to fit a comment; `datacouple diff --format json` "
                      "has it._")
    return "\n\n".join(blocks) + "\n"


def _markdown_summary(changes: list[Change], compared) -> str:
    counts = summarize(changes)
    marker = "❌" if counts[BREAKING] else "⚠️" if counts[WARNING] else "✅"
    line = f"{marker} **datacouple**: {summary_line(changes)}"
    if compared:
        line += f" ({code_span(compared[0])} → {code_span(compared[1])})"
    return line


def _markdown_table(changes: list[Change]) -> str:
    with_models = any(change.affected_models for change in changes)
    header = ["severity", "kind", "column", "message"] + (["affected models"] if with_models
                                                          else [])
    lines = [_row(header), _row(["---"] * len(header))]
    for change in changes:
        severity = f"**{change.severity}**" if change.severity == BREAKING else change.severity
        cells = [
            severity,
            code_span(change.kind),
            code_span(change.column) if change.column is not None else _TABLE_LEVEL,
            escape_inline(change.message),
        ]
        if with_models:
            # Code spans: an alias such as "@champion" must not mention a GitHub user.
            cells.append("<br>".join(code_span(model_label(m)) for m in change.affected_models))
        lines.append(_row(cells))
    return "\n".join(lines)


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(_escape_cell(cell) for cell in cells) + " |"


def _evidence_block(change: Change) -> str:
    about = change.kind if change.column is None else f"{change.kind} ({change.column})"
    payload = json.dumps(change.evidence, indent=2, sort_keys=True, ensure_ascii=False)
    fence = "`" * max(3, _longest_backtick_run(payload) + 1)
    return (
        f"<details><summary>evidence: {html.escape(about)}</summary>\n\n"
        f"{fence}json\n{payload}\n{fence}\n\n</details>"
    )


def code_span(text: str) -> str:
    """An inline code span that holds any text, backticks included (CommonMark's rule)."""
    text = " ".join(text.splitlines())
    ticks = "`" * (_longest_backtick_run(text) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]~])")
_ENTITY = re.compile(r"&(?=#?\w+;)")


def escape_inline(text: str) -> str:
    """Plain text that GitHub shows as written: no emphasis, links or HTML (a sentinel such as
    `<NA>` would otherwise vanish as an unknown tag). ">" and a lone "&" stay readable."""
    text = _ENTITY.sub("&amp;", text).replace("<", "&lt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _escape_cell(cell: str) -> str:
    # GFM splits cells at every unescaped "|", even inside code spans; a newline ends the row.
    return cell.replace("|", "\\|").replace("\r\n", "<br>").replace("\n", "<br>").replace(
        "\r", "<br>")


def _longest_backtick_run(text: str) -> int:
    return max((len(run) for run in re.findall(r"`+", text)), default=0)


# --------------------------------------------------------------------------- github


_ANNOTATION_COMMAND = {BREAKING: "error", WARNING: "warning", INFO: "notice"}


def render_github(changes: list[Change]) -> str:
    """GitHub Actions workflow commands: one annotation per change."""
    return "".join(_annotation(change) + "\n" for change in sort_changes(changes))


def _annotation(change: Change) -> str:
    where = change.dataset if change.column is None else f"{change.dataset}.{change.column}"
    title = f"datacouple {change.severity}: {change.kind} ({where})"
    command = _ANNOTATION_COMMAND[change.severity]
    return f"::{command} title={_escape_property(title)}::{escape_data(change.message)}"


def escape_data(text: str) -> str:
    # The runner's own escaping (actions/toolkit `escapeData`): "%" first, then line breaks.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    # Properties also end at ":" (the message separator) and "," (the next property).
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


# --------------------------------------------------------------------------- shared


def _by_dataset(changes: list[Change]) -> Iterable[tuple[str, list[Change]]]:
    """Groups in report order: datasets with the most severe changes first, then by name."""
    groups: dict[str, list[Change]] = {}
    for change in sort_changes(changes):
        groups.setdefault(change.dataset, []).append(change)
    rank = {severity: i for i, severity in enumerate(SEVERITIES)}
    return sorted(groups.items(), key=lambda item: (rank[item[1][0].severity], item[0]))


def _dataset_title(dataset: str) -> str:
    return dataset or "(unnamed dataset)"


def model_label(model: dict) -> str:
    """`churn v3 (@champion, @prod)`."""
    label = f"{model.get('name')} v{model.get('version')}"
    aliases = model.get("aliases") or []
    return f"{label} ({', '.join('@' + alias for alias in aliases)})" if aliases else label


class Discard:
    """A file that drops what it is given: `render` reads the recorded console instead."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass
