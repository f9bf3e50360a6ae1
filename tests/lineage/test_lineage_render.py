"""Text, JSON and DOT renderings of lineage graphs: one built from the real history of
graph_scenario.py, and one whose names try to break the formats.

(Named test_lineage_render.py: tests/test_render.py already holds the basename.)"""

from __future__ import annotations

import copy
import json

import pydot
import pytest

from datacouple.lineage.graph import build_graph
from datacouple.lineage.render import FORMATS, render, render_dot, render_json
from lineage.graph_scenario import DATASET

# pydot (installed with dvc) parses the DOT output; its parser still calls pyparsing's old names.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:pydot.dot_parser")


@pytest.fixture(scope="module")
def graph(lineage_history) -> dict:
    h = lineage_history
    return build_graph(h.store.client, dataset=DATASET, repo_root=h.repo.root).to_dict()


def test_text_is_a_tree_from_the_stage_to_the_model_versions(graph, lineage_history):
    text = render(graph, "text")
    assert text.startswith(f"lineage of dataset {DATASET}")
    for expected in ("stage featurize", "file raw/Hitters.csv",
                     f"dataset {DATASET}@{lineage_history.v2[:8]} 322 rows [current]",
                     f"-> next version {lineage_history.v2[:8]} (1 breaking",
                     "model salary v1 @champion inputs: Salary, Years, CHits",
                     "model unsigned v1 @prod (no signature)", "[training]",
                     "vs current"):
        assert expected in " ".join(text.split()), expected
    # Each node is expanded once; a second path to it is named, not repeated.
    assert text.count("model salary v1 @champion") == 1


def test_json_is_the_graph_with_sorted_keys(graph):
    text = render(graph, "json")
    assert json.loads(text) == graph
    assert text == render_json(json.loads(text)) + "\n"  # stable: same bytes again
    first_node = json.loads(text)["nodes"][0]
    assert list(first_node) == sorted(first_node)


def test_dot_parses_with_every_node_and_edge(graph):
    (parsed,) = pydot.graph_from_dot_data(render(graph, "dot"))
    names = {node.get_name().strip('"') for node in parsed.get_nodes()} - {"node"}
    assert names == {node["id"] for node in graph["nodes"]}
    assert len(parsed.get_edges()) == len(graph["edges"])
    breaking = [e for e in parsed.get_edges() if e.get("color") == "red"]
    assert len(breaking) == 4  # the version edge and the three inputs trained on version 1


def test_hostile_names_stay_inside_their_quotes(graph):
    hostile = copy.deepcopy(graph)
    run = next(n for n in hostile["nodes"] if n["kind"] == "run")
    run["name"] = 'x"; evil -> "y\\" [label=\n"pwned'
    (parsed,) = pydot.graph_from_dot_data(render_dot(hostile))
    assert len(parsed.get_edges()) == len(hostile["edges"])  # no edge smuggled in
    (node,) = [n for n in parsed.get_nodes() if n.get_name().strip('"') == run["id"]]
    assert "evil" in node.get("label")
    text = render(hostile, "text")
    assert 'x"; evil' in text  # shown verbatim, not taken as markup


def test_an_empty_graph_renders():
    empty = {"format": "datacouple.lineage/1", "focus": {"kind": "all", "value": None},
             "nodes": [], "edges": []}
    assert "nothing recorded" in render(empty, "text")
    assert pydot.graph_from_dot_data(render(empty, "dot"))
    with pytest.raises(ValueError, match="unknown format"):
        render(empty, "yaml")
    assert FORMATS == ("text", "json", "dot", "html")


def test_lineage_cli_writes_each_format(lineage_history, tmp_path):
    h = lineage_history
    for fmt in FORMATS:
        target = tmp_path / f"lineage.{fmt}"
        result = h.cli("lineage", "salary@champion", "--format", fmt, "-o", str(target))
        assert result.returncode == 0, result.stderr
        assert "salary" in target.read_text()
    shown = h.cli("lineage", "salary/1")
    assert shown.returncode == 0 and "lineage of model salary/1" in shown.stdout
