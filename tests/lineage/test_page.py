"""The lineage page: graph JSON embedded so no string in it can end its block or run; the
served form has no inline script or style (strict CSP); the standalone form allows exactly its
inline assets; in a real browser the graph is drawn, hostile names stay text, and ~50 nodes
do not overlap."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser

import pytest

from datacouple.lineage.page import DATA_ID, SERVED_CSP, json_for_html, render_html
from lineage.graph_fixture import V2, V3, hostile_graph, sample_graph


class Scripts(HTMLParser):
    """Every <script> element: its attributes and text, as the browser's tokenizer sees it."""

    def __init__(self):
        super().__init__()
        self.scripts: list[tuple[dict, str]] = []
        self._open: dict | None = None
        self.styles: list[str] = []
        self._style = False
        self.style_attributes = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "style" in attributes:
            self.style_attributes += 1
        if tag == "script":
            self._open = attributes
            self.scripts.append((attributes, ""))
        self._style = tag == "style"

    def handle_endtag(self, tag):
        if tag == "script":
            self._open = None
        self._style = False

    def handle_data(self, data):
        if self._open is not None:
            attributes, text = self.scripts[-1]
            self.scripts[-1] = (attributes, text + data)
        elif self._style:
            self.styles.append(data)


def parse(page: str) -> Scripts:
    parser = Scripts()
    parser.feed(page)
    parser.close()
    return parser


def embedded_graph(page: str) -> dict:
    (attributes, text), = [s for s in parse(page).scripts if s[0].get("id") == DATA_ID]
    assert attributes["type"] == "application/json"
    return json.loads(text)


def test_json_for_html_escapes_what_could_end_a_script_block():
    text = json_for_html({"name": "</script><!-- & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"name": "</script><!-- & \u2028"}


@pytest.mark.parametrize("static_url", [None, "/datacouple/static"])
def test_hostile_names_cannot_close_the_data_block(static_url):
    graph = hostile_graph()
    page = render_html(graph, static_url=static_url)
    assert "<script>alert" not in page and "<img src=x" not in page
    scripts = parse(page).scripts
    # The two JSON data blocks plus our own script: nothing a node name smuggled in.
    assert len(scripts) == 3
    assert [s[0].get("type") for s in scripts[:2]] == ["application/json"] * 2
    assert embedded_graph(page) == graph  # the data survives the escaping exactly


def test_served_page_has_no_inline_script_or_style():
    page = render_html(sample_graph(), diff_url="/datacouple/api/diff",
                       static_url="/datacouple/static")
    parsed = parse(page)
    executable = [s for s in parsed.scripts if s[0].get("type") != "application/json"]
    assert executable == [({"src": "/datacouple/static/lineage.js"}, "")]
    assert parsed.styles == [] and parsed.style_attributes == 0
    assert '<link rel="stylesheet" href="/datacouple/static/lineage.css">' in page
    assert 'data-diff-url="/datacouple/api/diff"' in page
    assert "script-src 'self'" in SERVED_CSP and "'unsafe-inline'" not in SERVED_CSP


def test_standalone_page_inlines_assets_allowed_by_their_hashes():
    page = render_html(sample_graph())
    parsed = parse(page)
    (script_attributes, script), = [s for s in parsed.scripts if "type" not in s[0]]
    assert script_attributes == {} and "function layout" in script
    (style,) = parsed.styles
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    policy = policy.replace("&#x27;", "'")

    def sha(text):
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    assert f"script-src {sha(script)};" in policy
    assert f"style-src {sha(style)};" in policy
    assert "default-src 'none'" in policy and "connect-src" not in policy
    assert "/datacouple/static" not in page  # nothing to fetch: works from a file, offline


def test_version_diffs_for_a_standalone_page(chromium, tmp_path):
    import datacouple
    from datacouple.lineage.page import version_diffs

    from public_data import islp_frame

    frame = islp_frame("Hitters")
    changed = frame.copy()
    changed.loc[:10, "League"] = ""
    documents = {V2: datacouple.fingerprint(frame, name="features"),
                 V3: datacouple.fingerprint(changed, name="features")}
    diffs = version_diffs(sample_graph(), lambda name, digest: documents.get(digest))
    assert list(diffs) == [f"{V2}..{V3}"]  # V1 has no fingerprint: its edge is left out
    (change,) = diffs[f"{V2}..{V3}"]["changes"]
    assert (change["kind"], change["column"]) == ("missing_encoding_changed", "League")
    page = tmp_path / "lineage.html"
    page.write_text(render_html(sample_graph(), diffs=diffs), encoding="utf-8")
    # Selected through the address (#node=<id>), the version shows its embedded diff.
    dom = chromium.dump_dom(page.as_uri() + f"#node=dataset:features@{V3}")
    assert '<code>missing_encoding_changed</code>' in dom
    assert '<span class="dc-col">League</span>' in dom


def test_title_names_the_focus():
    graph = sample_graph()
    graph["focus"] = {"kind": "model", "value": "salary/<b>3"}
    page = render_html(graph)
    assert "<title>Lineage of salary/&lt;b&gt;3 · datacouple</title>" in page


# ---- in a real browser ----

def _rendered(dom: str) -> int:
    found = re.search(r'data-rendered="(\d+)"', dom)
    assert found, "the page's script did not finish drawing:\n" + dom[:2000]
    return int(found.group(1))


def test_browser_draws_every_node_and_keeps_hostile_names_as_text(chromium, tmp_path):
    graph = hostile_graph()
    page = tmp_path / "lineage.html"
    page.write_text(render_html(graph), encoding="utf-8")
    dom = chromium.dump_dom(page.as_uri())
    assert _rendered(dom) == len(graph["nodes"])
    assert dom.count('class="dc-node ') == len(graph["nodes"])
    # The hostile run name is drawn as text (serialised escaped), never as elements.
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"[:40] in dom
    assert "<img" not in dom
    assert len(re.findall(r"<script\b", dom)) == 3
    # The breaking version edge is red and labelled.
    assert 'class="dc-edge dc-edge-version dc-edge-breaking"' in dom
    assert ">2 breaking</text>" in dom
    # Model versions carry their aliases as badges; runs link into MLflow's own pages.
    assert ">salary v3</text>" in dom
    assert 'href="/#/experiments/1/runs/7f3b2e5a1c9d6a4b0e8f3c2d5a7b9c13"' in dom


def test_fifty_nodes_do_not_overlap(chromium, tmp_path):
    graph = sample_graph()
    for i in range(45):  # 60 nodes: many runs on one dataset version, each with a model
        run_id = f"{i:032x}"
        graph["nodes"].append({"id": f"run:{run_id}", "kind": "run", "run_id": run_id,
                               "experiment_id": "2", "name": f"sweep-{i}", "status": "FINISHED",
                               "start_time": i, "url": f"#/experiments/2/runs/{run_id}"})
        graph["edges"].append({"source": graph["nodes"][4]["id"], "target": f"run:{run_id}",
                               "kind": "input", "context": "training"})
    page = tmp_path / "lineage.html"
    page.write_text(render_html(graph), encoding="utf-8")
    dom = chromium.dump_dom(page.as_uri())
    assert _rendered(dom) == len(graph["nodes"]) == 60
    boxes = [(float(x), float(y)) for x, y in
             re.findall(r'class="dc-node [^"]*" transform="translate\(([\d.]+),([\d.]+)\)"', dom)]
    assert len(boxes) == 60
    width, height = 204, 64  # lineage.js NODE_W, NODE_H
    for i, (x1, y1) in enumerate(boxes):
        for x2, y2 in boxes[i + 1:]:
            assert abs(x1 - x2) >= width or abs(y1 - y2) >= height, (x1, y1, x2, y2)


def test_page_and_cli_import_without_mlflow():
    import subprocess
    import sys

    code = ("import sys, datacouple, datacouple.cli, datacouple.lineage.page, "
            "datacouple.lineage.server; assert 'mlflow' not in sys.modules, 'mlflow imported'")
    subprocess.run([sys.executable, "-c", code], check=True)
