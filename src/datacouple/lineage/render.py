"""A lineage graph (its contract dict) as text for a terminal, JSON for scripts, Graphviz DOT.

HTML is APP's (`lineage.page.render_html`). Every renderer takes the dict `to_dict()` gives,
so what the terminal shows and what the page draws come from one document.
"""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from ..changes.render import Discard

FORMATS = ("text", "json", "dot", "html")
_ORDER = {"file": 0, "stage": 1, "dataset": 2, "run": 3, "logged_model": 4, "model_version": 5}


def render(graph: dict, fmt: str) -> str:
    if fmt == "text":
        console = Console(record=True, width=120, color_system=None, force_terminal=False,
                          file=Discard())
        render_text(graph, console)
        return console.export_text()
    if fmt == "json":
        return render_json(graph) + "\n"
    if fmt == "dot":
        return render_dot(graph)
    if fmt == "html":
        from .page import render_html  # the page's assets are read only when asked for

        return render_html(graph)
    raise ValueError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")


# --------------------------------------------------------------------------- json


def render_json(graph: dict) -> str:
    """The graph document, keys sorted (node and edge order is already canonical)."""
    return json.dumps(graph, indent=2, sort_keys=True, ensure_ascii=False)


# --------------------------------------------------------------------------- text


def render_text(graph: dict, console: Console) -> None:
    """A tree from the graph's sources (upstream files and stages, else dataset versions)
    down to model versions; a node reached twice is named again, not expanded again."""
    nodes = {node["id"]: node for node in graph["nodes"]}
    children: dict[str, list[dict]] = {}
    newer: dict[str, dict] = {}
    has_parent: set[str] = set()
    for edge in graph["edges"]:
        if edge["kind"] == "version":
            newer[edge["source"]] = edge
            continue
        if edge["source"] in nodes and edge["target"] in nodes:
            children.setdefault(edge["source"], []).append(edge)
            has_parent.add(edge["target"])
    roots = sorted((n for n in nodes.values() if n["id"] not in has_parent), key=_sort_key)
    focus = graph.get("focus") or {}
    title = f"lineage of {focus.get('kind')} {focus.get('value')}" if focus.get("value") else (
        "lineage")
    tree = Tree(Text(title, style="bold"))
    shown: set[str] = set()

    def grow(branch: Tree, node_id: str, edge: dict | None) -> None:
        label = _label(nodes[node_id], edge)
        if node_id in newer:
            label.append(_version_note(newer[node_id], nodes))
        if node_id in shown:
            branch.add(label.append(" (see above)", style="dim"))
            return
        shown.add(node_id)
        sub = branch.add(label)
        for child in sorted(children.get(node_id, []),
                            key=lambda e: _sort_key(nodes[e["target"]])):
            grow(sub, child["target"], child)

    for root in roots:
        grow(tree, root["id"], None)
    if not nodes:
        tree.add(Text("nothing recorded", style="dim"))
    console.print(tree)


def _sort_key(node: dict):
    return (_ORDER.get(node["kind"], 9), str(node.get("start_time") or ""), node["id"])


def _label(node: dict, edge: dict | None) -> Text:
    kind = node["kind"]
    text = Text()
    if kind == "dataset":
        text.append(f"dataset {node['name']}@{node['digest'][:8]}", style="bold")
        if node.get("rows") is not None:
            text.append(f" {node['rows']} rows")
        if node.get("current"):
            text.append(" [current]", style="green")
    elif kind == "run":
        text.append(f"run {node.get('name') or ''} ({node['run_id'][:8]}, {node.get('status')})")
    elif kind == "logged_model":
        text.append(f"logged model {node.get('name')} ({node['model_id']})")
    elif kind == "model_version":
        text.append(f"model {node['name']} v{node['version']}", style="bold")
        if node.get("aliases"):
            text.append(" " + " ".join("@" + a for a in node["aliases"]), style="cyan")
        inputs = node.get("signature_inputs")
        text.append(f" inputs: {', '.join(inputs)}" if inputs else " (no signature)",
                    style="dim")
    elif kind == "stage":
        text.append(f"stage {node['name']}", style="bold")
        if node.get("cmd"):
            text.append(f": {node['cmd']}", style="dim")
    elif kind == "file":
        text.append(f"file {node['path']}")
        if node.get("hash"):
            text.append(f" ({node['hash'][:8]})", style="dim")
    else:
        text.append(node["id"])
    if edge is not None and edge.get("context"):
        text.append(f" [{edge['context']}]", style="dim")
    if edge is not None and edge["kind"] == "input" and edge.get("changes"):
        text.append(f" ! {_counts(edge['changes'])} vs current", style="bold red")
    return text


def _version_note(edge: dict, nodes: dict) -> Text:
    target = nodes.get(edge["target"], {})
    note = Text(f" -> next version {str(target.get('digest', '?'))[:8]}", style="dim")
    if edge.get("changes"):
        style = "red" if edge["changes"].get("breaking") else "dim"
        note.append(f" ({_counts(edge['changes'])})", style=style)
    return note


def _counts(changes: dict) -> str:
    return ", ".join(f"{changes.get(s, 0)} {s}" for s in ("breaking", "warning", "info"))


# --------------------------------------------------------------------------- dot

_SHAPES = {"dataset": "cylinder", "run": "box", "logged_model": "component",
           "model_version": "box3d", "stage": "cds", "file": "note"}


def render_dot(graph: dict) -> str:
    """Graphviz source (`dot -Tsvg`); every id and label quoted and escaped."""
    lines = ["digraph lineage {", "  rankdir=LR;", '  node [fontname="Helvetica"];']
    for node in graph["nodes"]:
        label = _label(node, None).plain
        style = ', style=bold' if node.get("current") else ""
        lines.append(f"  {_quote(node['id'])} [label={_quote(label)}, "
                     f"shape={_SHAPES.get(node['kind'], 'ellipse')}{style}];")
    for edge in graph["edges"]:
        parts = [edge["kind"]]
        if edge.get("context"):
            parts.append(edge["context"])
        if edge.get("changes"):
            parts.append(_counts(edge["changes"]))
        attributes = f"label={_quote(' '.join(parts[:2]) + ''.join(', ' + p for p in parts[2:]))}"
        if (edge.get("changes") or {}).get("breaking"):
            attributes += ", color=red"
        lines.append(f"  {_quote(edge['source'])} -> {_quote(edge['target'])} [{attributes}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    """A DOT quoted string: backslashes and quotes escaped, line breaks as \\n."""
    escaped = str(text).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n") + '"'


# --------------------------------------------------------------------------- evaluation


def render_evaluation(results: list[dict], console: Console) -> None:
    """`impact --evaluate`: one line per model version scored on old and new data."""
    if not results:
        console.print(Text("no affected model version to evaluate", style="dim"))
        return
    table = Table(title="predictions on old vs new data", title_justify="left",
                  title_style="bold")
    for column in ("model", "compared", "rows", "result"):
        table.add_column(column)
    for result in results:
        label = f"{result['name']} v{result['version']}" + "".join(
            f" @{alias}" for alias in result.get("aliases", ()))
        table.add_row(Text(label), Text("row by row" if result["mode"] == "rows"
                                        else "distributions (row counts differ)"),
                      Text(str(result["rows"])), Text(evaluation_summary(result)))
    console.print(table)


def evaluation_summary(result: dict) -> str:
    if "error" in result:
        return f"could not score: {result['error']}"
    if result["mode"] == "rows":
        line = (f"{result['changed']:,} of {result['rows']:,} predictions changed "
                f"({result['changed_share']:.1%})")
        if result.get("mean_abs_change") is not None:
            line += f", mean absolute change {result['mean_abs_change']:g}"
        return line
    if "total_variation" in result:
        return f"class shares moved by {result['total_variation']:.1%} (total variation)"
    return (f"mean {result['mean_before']:g} -> {result['mean_after']:g}, "
            f"std {result['std_before']:g} -> {result['std_after']:g}")


def render_assumptions(changes, console: Console) -> None:
    """Under the impact table: the versions counted as affected only because they have no
    signature, so nobody mistakes the assumption for evidence."""
    unsigned = sorted({(m["name"], m["version"]) for change in changes
                       for m in change.affected_models
                       if str(m.get("reason", "")).startswith("no signature")})
    for name, version in unsigned:
        console.print(Text(f"{name} v{version}: no signature, so every change to the dataset "
                           "is assumed to affect it (log it with a signature to narrow this)",
                           style="dim"))
