"""The diff reports: JSON shape, markdown that survives GitHub's renderer, escaped annotations."""

from __future__ import annotations

import io
import json
import re

import pytest
from markdown_it import MarkdownIt
from rich.console import Console

from datacouple.changes import Change, to_report
from datacouple.changes.render import (
    render,
    render_github,
    render_json,
    render_markdown,
    render_text,
    summary_line,
)

CHAMPION = {"name": "salary-model", "version": 3, "aliases": ["champion"]}


def changes() -> list[Change]:
    """A report over two datasets, with the characters that break naive renderers."""
    return [
        Change("row_count_changed", None, "info", "hitters: 263 -> 322 rows",
               {"old": 263, "new": 322}, "hitters"),
        Change("missing_encoding_changed", "Salary", "breaking",
               "Salary: 59 missing values changed encoding from NULL to 0",
               {"old": {"null": 59}, "new": {"zero": 59}}, "hitters", (CHAMPION,)),
        Change("categories_changed", "Div|ision", "breaking",
               'Div|ision: "<NA>" became "E"\nand *W* became `w`',
               {"renamed": {"W": "w"}, "note": "```"}, "hitters"),
        Change("range_changed", "Price", "warning", "Price: 3 values beyond the old max 175",
               {"old_max": 175, "new_max": 191}, "carseats"),
    ]


def markdown_html(text: str) -> str:
    """As GitHub renders a comment: CommonMark with GFM tables and raw HTML blocks."""
    return MarkdownIt("commonmark").enable("table").render(text)


# --------------------------------------------------------------------------- json


def test_json_is_the_design_report_shape():
    text = render_json(changes())
    assert text == json.dumps(to_report(changes()), indent=2, sort_keys=True)
    report = json.loads(text)
    assert report["summary"] == {"breaking": 2, "warning": 1, "info": 1}
    first = report["changes"][0]
    assert set(first) == {"dataset", "kind", "column", "severity", "message", "evidence",
                          "affected_models"}
    assert [c["severity"] for c in report["changes"]] == ["breaking", "breaking", "warning",
                                                          "info"]
    salary = next(c for c in report["changes"] if c["column"] == "Salary")
    assert salary["affected_models"] == [CHAMPION]
    table_level = next(c for c in report["changes"] if c["kind"] == "row_count_changed")
    assert table_level["column"] is None


def test_json_of_nothing():
    assert json.loads(render_json([])) == {
        "changes": [], "summary": {"breaking": 0, "warning": 0, "info": 0}}


# --------------------------------------------------------------------------- markdown


def test_markdown_starts_with_one_summary_line():
    text = render_markdown(changes(), compared=("hitters@main", "hitters@HEAD"))
    first, blank = text.splitlines()[:2]
    assert first == ("❌ **datacouple**: 2 breaking, 1 warning, 1 info changes in 2 datasets "
                     "(`hitters@main` → `hitters@HEAD`)")
    assert blank == ""


def test_markdown_has_a_heading_and_a_table_per_dataset_most_severe_first():
    html = markdown_html(render_markdown(changes()))
    assert re.findall(r"<h3>(.*?)</h3>", html) == ["hitters", "carseats"]
    assert html.count("<table>") == 2


def test_markdown_table_cells_survive_pipes_newlines_and_html():
    html = markdown_html(render_markdown(changes()))
    hitters_table = html.split("<table>")[1]
    rows = re.findall(r"<tr>(.*?)</tr>", hitters_table, re.S)
    cells = [re.findall(r"<t[hd]>(.*?)</t[hd]>", row, re.S) for row in rows]
    assert cells[0] == ["severity", "kind", "column", "message", "affected models"]
    assert all(len(row) == 5 for row in cells), cells  # no cell split at a "|"
    category = next(row for row in cells if "categories_changed" in row[1])
    assert category[0] == "<strong>breaking</strong>"
    assert category[2] == "<code>Div|ision</code>"
    # The sentinel is shown, not swallowed as an HTML tag; the newline stays inside the cell;
    # asterisks and backticks are shown as typed.
    assert category[3] == ('Div|ision: &quot;&lt;NA&gt;&quot; became &quot;E&quot;<br>'
                           'and *W* became `w`')


def test_markdown_models_column_only_where_a_change_has_models():
    html = markdown_html(render_markdown(changes()))
    hitters_table, carseats_table = html.split("<table>")[1:]
    assert "affected models" in hitters_table
    assert "affected models" not in carseats_table
    # In a code span, so that "@champion" does not mention a GitHub user.
    assert "<code>salary-model v3 (@champion)</code>" in hitters_table


def test_markdown_folds_each_evidence_as_json():
    text = render_markdown(changes())
    blocks = re.findall(r"<details><summary>evidence: (.*?)</summary>\n\n(`{3,})json\n(.*?)\n\2\n"
                        r"\n</details>", text, re.S)
    by_summary = {summary: json.loads(payload) for summary, _, payload in blocks}
    assert by_summary["missing_encoding_changed (Salary)"] == {"old": {"null": 59},
                                                              "new": {"zero": 59}}
    # Evidence holding a fence of its own gets a longer one.
    assert by_summary["categories_changed (Div|ision)"]["note"] == "```"
    assert len(blocks) == len(changes())


def test_markdown_leaves_evidence_out_rather_than_exceed_a_comment():
    huge = Change("distribution_drift", "x", "warning", "x: drifted",
                  {"bins": list(range(20_000))}, "big")
    text = render_markdown([huge])
    assert len(text) < 65_536
    assert "<details>" not in text
    assert "--format json" in text


def test_markdown_without_changes():
    assert render_markdown([]) == "✅ **datacouple**: no changes\n"


def test_markdown_marker_follows_the_worst_severity():
    warning = [c for c in changes() if c.severity != "breaking"]
    assert render_markdown(warning).startswith("⚠️ **datacouple**: 0 breaking, 1 warning")
    info = [c for c in changes() if c.severity == "info"]
    assert render_markdown(info).startswith("✅ **datacouple**: 0 breaking, 0 warning, 1 info "
                                            "change in 1 dataset")


# --------------------------------------------------------------------------- github


def parse_workflow_command(line: str) -> tuple[str, dict[str, str], str]:
    """Split and unescape one workflow command the way the Actions runner does."""
    match = re.fullmatch(r"::(\w+) (.*?)::(.*)", line)
    assert match, line
    command, properties, data = match.groups()
    parsed = {}
    for item in properties.split(","):
        key, value = item.split("=", 1)
        parsed[key] = _unescape(value, property_value=True)
    return command, parsed, _unescape(data, property_value=False)


def _unescape(text: str, *, property_value: bool) -> str:
    pairs = [("%0D", "\r"), ("%0A", "\n")]
    if property_value:
        pairs += [("%3A", ":"), ("%2C", ",")]
    for escaped, plain in [*pairs, ("%25", "%")]:
        text = text.replace(escaped, plain)
    return text


def test_github_one_annotation_per_change_in_report_order():
    lines = render_github(changes()).splitlines()
    assert [parse_workflow_command(line)[0] for line in lines] == [
        "error", "error", "warning", "notice"]
    assert lines[-1] == ("::notice title=datacouple info%3A row_count_changed (hitters)::"
                         "hitters: 263 -> 322 rows")


def test_github_escapes_data_and_properties():
    tricky = Change("categories_changed", "a:b,c", "breaking", "100% of\r\nrows: a,b",
                    {}, "sales")
    (line,) = render_github([tricky]).splitlines()
    assert line == ("::error title=datacouple breaking%3A categories_changed (sales.a%3Ab%2Cc)::"
                    "100%25 of%0D%0Arows: a,b")
    command, properties, message = parse_workflow_command(line)
    assert command == "error"
    assert properties == {"title": "datacouple breaking: categories_changed (sales.a:b,c)"}
    assert message == tricky.message


def test_github_without_changes_prints_nothing():
    assert render_github([]) == ""


# --------------------------------------------------------------------------- text


def colour_console() -> Console:
    return Console(file=io.StringIO(), force_terminal=True, color_system="standard", width=160)


def test_text_is_a_table_per_dataset_with_a_summary():
    text = render(changes(), "text", compared=("a.json", "b.json"))
    lines = text.splitlines()
    assert lines[0] == "a.json → b.json"
    assert lines[1].strip() == "hitters"
    assert "carseats" in text
    assert "missing_encoding_changed" in text and "salary-model v3 (@champion)" in text
    assert lines[-1] == "2 breaking, 1 warning, 1 info changes in 2 datasets"
    assert "\x1b[" not in text  # a file gets no colour codes


def test_text_colours_severities():
    console = colour_console()
    render_text(changes(), console)
    output = console.file.getvalue()
    assert "\x1b[1;31mbreaking" in output  # bold red
    assert "\x1b[33mwarning" in output  # yellow
    assert "\x1b[2minfo" in output  # dim


def test_text_keeps_brackets_literal():
    # Rich markup must not eat "[W]" from a message.
    change = Change("categories_changed", "Division", "breaking", "Division: [W] became [w]",
                    {}, "hitters")
    assert "[W] became [w]" in render([change], "text")


def test_text_without_changes():
    assert render([], "text") == "no changes\n"


def test_summary_line():
    assert summary_line([]) == "no changes"
    assert summary_line(changes()[:1]) == "0 breaking, 0 warning, 1 info change in 1 dataset"


def test_unknown_format():
    with pytest.raises(ValueError, match="unknown format"):
        render([], "yaml")


def test_narrow_terminal_gets_a_block_per_change_with_nothing_cut():
    console = Console(record=True, width=80, color_system=None, file=io.StringIO())
    render_text(changes(), console)
    text = console.export_text()
    assert "┃" not in text  # no table
    assert "  breaking  missing_encoding_changed  " in text
    assert "    affects salary-model v3 (@champion)" in text  # the model named in full
    assert max(len(line) for line in text.splitlines()) <= 80
