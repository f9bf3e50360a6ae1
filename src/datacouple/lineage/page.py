"""The lineage page: one HTML document that draws a lineage graph (datacouple.lineage/1).

Two forms of the same page:
- served by the MLflow app plugin (`static_url` set): the script and stylesheet are loaded from
  `/datacouple/static/`, so the page runs under a strict Content-Security-Policy with no inline
  script or style;
- standalone (`lineage.html` run artifact): script and stylesheet inlined, so it works offline
  from a file; its own CSP meta tag allows exactly those inline blocks by their SHA-256.
In both, the graph travels as a `<script type="application/json">` data block: browsers never
execute it, and its JSON is encoded so no string inside can close the block.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from importlib import resources

from ..changes import diff_fingerprints as diff
from ..changes import to_report

DATA_ID = "datacouple-graph"
DIFFS_ID = "datacouple-diffs"

# The served page's policy: nothing inline may run, nothing loads from another origin.
SERVED_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
              "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'")


def static_asset(name: str) -> bytes:
    """A file of `lineage/static/` (package data), e.g. `lineage.js`."""
    return resources.files(__package__).joinpath("static", name).read_bytes()


def json_for_html(value) -> str:
    """JSON that is safe inside an HTML `<script>` data block (and in JS string context): `<`,
    `>` and `&` as unicode escapes, so `</script>` or `<!--` in a name cannot end the block;
    U+2028/U+2029 escaped because older JS parsers treat them as line ends."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, allow_nan=False)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


def version_diffs(graph_dict: dict, fingerprint_of) -> dict:
    """Diff reports for a standalone page's `diffs=`: one per `version` edge, keyed
    `"<old digest>..<new digest>"`. `fingerprint_of(dataset, digest)` returns that logged
    version's fingerprint document, or None when it has none (that edge is left out)."""
    nodes = {node["id"]: node for node in graph_dict.get("nodes", [])}
    reports = {}
    for edge in graph_dict.get("edges", []):
        old, new = nodes.get(edge["source"]), nodes.get(edge["target"])
        if edge.get("kind") != "version" or not old or not new:
            continue
        before = fingerprint_of(old["name"], old["digest"])
        after = fingerprint_of(new["name"], new["digest"])
        if before is not None and after is not None:
            reports[f"{old['digest']}..{new['digest']}"] = to_report(diff(before, after))
    return reports


def _sha256_source(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def _title(graph: dict) -> str:
    focus = graph.get("focus") or {}
    value = focus.get("value")
    return f"Lineage of {value}" if value else "Lineage"


def render_html(graph_dict: dict, *, diff_url: str | None = None, static_url: str | None = None,
                diffs: dict | None = None, ui_root: str = "/") -> str:
    """The lineage page of `graph_dict` (the graph JSON of the contract).

    diff_url:   endpoint the page asks for a dataset version's classified diff
                (`?dataset=&old=&new=`); None in a standalone file.
    static_url: where `lineage.js`/`lineage.css` are served (e.g. `/datacouple/static`); None
                inlines them (standalone `lineage.html`).
    diffs:      precomputed diff reports keyed `"<old digest>..<new digest>"` for a standalone
                page (the report shape of `datacouple diff --format json`).
    ui_root:    the MLflow UI root that node `url`s (`#/experiments/...`) are relative to.
    """
    graph_json = json_for_html(graph_dict)
    diffs_json = json_for_html(diffs or {})
    attrs = {"data-ui-root": ui_root, "data-diff-url": diff_url or "",
             "data-mode": "served" if static_url else "standalone"}
    body_attrs = " ".join(f'{name}="{html.escape(value, quote=True)}"'
                          for name, value in attrs.items())
    if static_url:
        base = html.escape(static_url.rstrip("/"), quote=True)
        head_assets = f'<link rel="stylesheet" href="{base}/lineage.css">'
        tail_assets = f'<script src="{base}/lineage.js"></script>'
        csp_meta = ""  # the server sends SERVED_CSP as a header
    else:
        css = static_asset("lineage.css").decode("utf-8")
        script = static_asset("lineage.js").decode("utf-8")
        # Our own assets, but make sure they can never end their element early.
        if "</style" in css.lower() or "</script" in script.lower():
            raise ValueError("lineage assets must not contain closing tags")
        head_assets = f"<style>{css}</style>"
        tail_assets = f"<script>{script}</script>"
        connect = " connect-src 'self';" if diff_url else ""
        policy = (f"default-src 'none'; script-src {_sha256_source(script)}; "
                  f"style-src {_sha256_source(css)}; img-src 'self';{connect} "
                  "base-uri 'none'; form-action 'none'")
        csp_meta = (f'<meta http-equiv="Content-Security-Policy" '
                    f'content="{html.escape(policy, quote=True)}">')
    title = html.escape(_title(graph_dict))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
{csp_meta}
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · datacouple</title>
{head_assets}
</head>
<body {body_attrs}>
<header class="dc-header">
  <div class="dc-brand"><span class="dc-logo">dc</span> datacouple <span class="dc-sep">/</span>
    <span id="dc-title">{title}</span></div>
  <form class="dc-search" id="dc-search" method="get" hidden>
    <select name="kind" id="dc-search-kind" aria-label="Look up">
      <option value="dataset">dataset</option><option value="model">model</option>
      <option value="run">run</option>
    </select>
    <input id="dc-search-value" placeholder="features · salary/3 · salary@champion"
      aria-label="Name">
    <button type="submit">Show lineage</button>
  </form>
</header>
<main class="dc-main">
  <section class="dc-canvas" id="dc-canvas" aria-label="Lineage graph">
    <p class="dc-empty" id="dc-empty" hidden>Nothing logged yet for this view.</p>
  </section>
  <aside class="dc-panel" id="dc-panel" aria-live="polite">
    <div id="dc-panel-body"><p class="dc-hint">Click a node for its details; click a dataset
      version for what changed since the previous one.</p></div>
  </aside>
</main>
<footer class="dc-legend" id="dc-legend"></footer>
<script type="application/json" id="{DATA_ID}">{graph_json}</script>
<script type="application/json" id="{DIFFS_ID}">{diffs_json}</script>
{tail_assets}
</body>
</html>
"""
