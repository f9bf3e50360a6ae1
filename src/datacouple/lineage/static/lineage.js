/* datacouple lineage view: draws a datacouple.lineage/1 graph as layered SVG.
 * No dependencies, no network beyond the page's own diff endpoint, and no innerHTML: every
 * string from the graph reaches the DOM through textContent or setAttribute. */
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  var NODE_W = 204, NODE_H = 64, COL_GAP = 96, ROW_GAP = 16, GROUP_GAP = 18;
  var MARGIN_X = 36, MARGIN_TOP = 40, MARGIN_BOTTOM = 30;
  // Left to right: where data comes from, what it became, what trained on it, what shipped.
  var LAYERS = ["file", "stage", "dataset", "run", "logged_model", "model_version"];
  var LAYER_TITLES = {
    file: "Pipeline files", stage: "DVC stages", dataset: "Dataset versions", run: "Runs",
    logged_model: "Logged models", model_version: "Model versions"
  };
  var KIND_TITLES = {
    file: "file", stage: "DVC stage", dataset: "dataset version", run: "run",
    logged_model: "logged model", model_version: "model version"
  };

  function readJson(id) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  function el(name, attrs, text) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function html(name, className, text) {
    var node = document.createElement(name);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function shorten(text, max) {
    text = String(text === undefined || text === null ? "" : text);
    return text.length > max ? text.slice(0, max - 1) + "\u2026" : text;
  }

  function shortDigest(digest) {
    if (!digest) { return "no digest"; }
    return String(digest).slice(0, 8) + (/\.dir$/.test(digest) ? " (dir)" : "");
  }

  function formatCount(n) {
    if (n === undefined || n === null) { return "? rows"; }
    return Number(n).toLocaleString("en-US") + " rows";
  }

  // Only links into the MLflow UI: a hash route or a same-origin path. Anything else
  // (javascript:, other hosts) is not turned into a link.
  function mlflowHref(url) {
    var root = document.body.getAttribute("data-ui-root") || "/";
    if (typeof url !== "string" || !/^(#|\/(?!\/))/.test(url)) { return null; }
    if (!/^(\/|https?:\/\/)/.test(root)) { return null; }
    return root.replace(/\/+$/, "") + "/" + url.replace(/^\/+/, "");
  }

  function label(node) {
    switch (node.kind) {
      case "dataset":
        return { title: node.name, sub: shortDigest(node.digest) +
                 (node.rows === null || node.rows === undefined ? "" : " \u00b7 " + formatCount(node.rows)),
                 badges: node.current ? [{ text: "current", cls: "dc-badge-current" }] : [] };
      case "run":
        return { title: node.name || node.run_id, sub: "run \u00b7 " + (node.status || "").toLowerCase(),
                 badges: [] };
      case "logged_model":
        return { title: node.name || node.model_id,
                 sub: "logged model \u00b7 " + shorten(node.model_id || "", 12),
                 badges: [] };
      case "model_version":
        return { title: node.name + " v" + node.version, sub: "registered model version",
                 badges: (node.aliases || []).map(function (a) {
                   return { text: "@" + a, cls: "dc-badge-alias" };
                 }) };
      case "stage":
        return { title: node.name, sub: node.cmd || "DVC stage", badges: [] };
      case "file":
        var parts = String(node.path || "").split("/");
        return { title: parts[parts.length - 1], sub: node.path + (node.hash ? " \u00b7 " +
                 String(node.hash).slice(0, 8) : ""), badges: [] };
      default:
        return { title: node.id, sub: node.kind, badges: [] };
    }
  }

  // ---- layout: one column per kind; rows aligned with neighbours, never overlapping ----

  function layout(graph) {
    var byId = {}, columns = {}, left = {}, right = {};
    graph.nodes.forEach(function (n) { byId[n.id] = n; left[n.id] = []; right[n.id] = []; });
    var used = LAYERS.filter(function (kind) {
      return graph.nodes.some(function (n) { return n.kind === kind; });
    });
    var col = {};
    used.forEach(function (kind, i) { col[kind] = i; columns[i] = []; });
    graph.nodes.forEach(function (n) { if (col[n.kind] !== undefined) { columns[col[n.kind]].push(n); } });
    graph.edges.forEach(function (e) {
      var s = byId[e.source], t = byId[e.target];
      if (!s || !t || col[s.kind] === col[t.kind]) { return; }
      var a = col[s.kind] < col[t.kind] ? s : t, b = a === s ? t : s;
      right[a.id].push(b.id); left[b.id].push(a.id);
    });
    // Version chains: how deep a dataset version is along older -> newer edges.
    var depth = {};
    function versionDepth(id, seen) {
      if (depth[id] !== undefined) { return depth[id]; }
      if (seen[id]) { return 0; }
      seen[id] = true;
      var d = 0;
      graph.edges.forEach(function (e) {
        if (e.kind === "version" && e.target === id && byId[e.source]) {
          d = Math.max(d, versionDepth(e.source, seen) + 1);
        }
      });
      depth[id] = d;
      return d;
    }
    function initialKey(n) {
      if (n.kind === "dataset") { return [n.name, versionDepth(n.id, {}), n.digest]; }
      if (n.kind === "run") { return [n.start_time || 0, n.name || ""]; }
      if (n.kind === "model_version") { return [n.name, Number(n.version) || 0]; }
      return [n.name || n.path || n.id, n.id];
    }
    function compare(ka, kb) {
      for (var i = 0; i < ka.length; i++) {
        if (ka[i] < kb[i]) { return -1; }
        if (ka[i] > kb[i]) { return 1; }
      }
      return 0;
    }
    Object.keys(columns).forEach(function (i) {
      columns[i].sort(function (a, b) { return compare(initialKey(a), initialKey(b)); });
    });

    var pos = {};
    var anchor = col.dataset !== undefined ? col.dataset : 0;
    function stack(nodes, wanted) {
      // Greedy top-down placement at the wanted heights, pushed down to keep the gap.
      var y = MARGIN_TOP, prev = null;
      nodes.forEach(function (n) {
        var gap = prev && n.kind === "dataset" && prev.name !== n.name ? GROUP_GAP : 0;
        var target = wanted && wanted[n.id] !== undefined ? wanted[n.id] : y;
        y = Math.max(target, prev ? pos[prev.id].y + NODE_H + ROW_GAP + gap : MARGIN_TOP);
        pos[n.id] = { x: 0, y: y };
        prev = n;
      });
    }
    function align(i, neighbours) {
      var nodes = columns[i], wanted = {}, order = {};
      nodes.forEach(function (n, k) {
        order[n.id] = k;
        var ys = neighbours[n.id].filter(function (id) { return pos[id]; })
          .map(function (id) { return pos[id].y; });
        if (ys.length) {
          wanted[n.id] = ys.reduce(function (a, b) { return a + b; }, 0) / ys.length;
        }
      });
      nodes.sort(function (a, b) {
        var wa = wanted[a.id] === undefined ? Infinity : wanted[a.id];
        var wb = wanted[b.id] === undefined ? Infinity : wanted[b.id];
        return wa === wb ? order[a.id] - order[b.id] : wa - wb;
      });
      stack(nodes, wanted);
    }
    stack(columns[anchor]);
    for (var r = anchor + 1; r < used.length; r++) { align(r, left); }
    for (var l = anchor - 1; l >= 0; l--) { align(l, right); }

    var hasVersions = graph.edges.some(function (e) { return e.kind === "version"; });
    var marginLeft = MARGIN_X + (hasVersions && anchor === 0 ? 70 : 0);
    var height = MARGIN_TOP;
    used.forEach(function (kind, i) {
      columns[i].forEach(function (n) {
        pos[n.id].x = marginLeft + i * (NODE_W + COL_GAP);
        height = Math.max(height, pos[n.id].y + NODE_H);
      });
    });
    return {
      pos: pos, byId: byId, used: used, marginLeft: marginLeft,
      width: marginLeft + used.length * NODE_W + Math.max(0, used.length - 1) * COL_GAP + MARGIN_X,
      height: height + MARGIN_BOTTOM
    };
  }

  // ---- drawing ----

  function severityClass(changes) {
    if (!changes) { return ""; }
    if (changes.breaking > 0) { return "dc-edge-breaking"; }
    if (changes.warning > 0) { return "dc-edge-warning"; }
    return "";
  }

  function changeText(changes) {
    if (changes.breaking > 0) { return changes.breaking + " breaking"; }
    if (changes.warning > 0) { return changes.warning + " warning" + (changes.warning > 1 ? "s" : ""); }
    return null;
  }

  function drawEdge(layer, labels, edge, L) {
    var s = L.pos[edge.source], t = L.pos[edge.target];
    if (!s || !t) { return null; }
    var d, mx, my;
    if (s.x === t.x) {
      // Same column (older -> newer dataset version): an arc on the left side.
      var x = s.x, y1 = s.y + NODE_H / 2, y2 = t.y + NODE_H / 2;
      var bulge = Math.min(70, 26 + Math.abs(y2 - y1) / 6);
      d = "M" + x + "," + y1 + " C" + (x - bulge) + "," + y1 + " " + (x - bulge) + "," + y2 +
          " " + x + "," + y2;
      mx = x - bulge * 0.75; my = (y1 + y2) / 2;
    } else {
      var a = s.x < t.x ? s : t, b = a === s ? t : s;
      var x1 = a.x + NODE_W, ya = a.y + NODE_H / 2, x2 = b.x, yb = b.y + NODE_H / 2;
      var dx = Math.max(40, (x2 - x1) / 2);
      d = "M" + x1 + "," + ya + " C" + (x1 + dx) + "," + ya + " " + (x2 - dx) + "," + yb + " " +
          x2 + "," + yb;
      mx = (x1 + x2) / 2; my = (ya + yb) / 2;
    }
    var cls = "dc-edge dc-edge-" + edge.kind + " " + severityClass(edge.changes);
    var path = el("path", { d: d, "class": cls, "marker-end": "url(#dc-arrow" +
      (edge.changes && edge.changes.breaking > 0 ? "-breaking" : "") + ")" });
    var tip = edge.kind + (edge.context ? " (" + edge.context + ")" : "");
    if (edge.changes) {
      tip += ": " + edge.changes.breaking + " breaking, " + edge.changes.warning + " warning, " +
             edge.changes.info + " info";
    }
    path.appendChild(el("title", {}, tip));
    layer.appendChild(path);
    var text = edge.changes ? changeText(edge.changes) : null;
    if (text) {
      var g = el("g", { "class": "dc-edge-label " + severityClass(edge.changes) });
      var w = text.length * 6.6 + 14;
      g.appendChild(el("rect", { x: mx - w / 2, y: my - 10, width: w, height: 20, rx: 10 }));
      g.appendChild(el("text", { x: mx, y: my + 4, "text-anchor": "middle" }, text));
      labels.appendChild(g);
    }
    return path;
  }

  function drawNode(layer, node, p, onSelect) {
    var info = label(node);
    var g = el("g", {
      "class": "dc-node dc-kind-" + node.kind, transform: "translate(" + p.x + "," + p.y + ")",
      tabindex: "0", role: "button", "data-id": node.id
    });
    g.appendChild(el("rect", { "class": "dc-node-box", width: NODE_W, height: NODE_H, rx: 9 }));
    g.appendChild(el("rect", { "class": "dc-node-stripe", width: 6, height: NODE_H, rx: 3 }));
    g.appendChild(el("text", { "class": "dc-node-title", x: 16, y: 22 }, shorten(info.title, 23)));
    g.appendChild(el("text", { "class": "dc-node-sub", x: 16, y: 39 }, shorten(info.sub, 29)));
    var bx = 16;
    info.badges.slice(0, 3).forEach(function (badge) {
      var text = shorten(badge.text, 16), w = text.length * 6.2 + 12;
      if (bx + w > NODE_W - 8) { return; }
      var b = el("g", { "class": "dc-badge " + badge.cls });
      b.appendChild(el("rect", { x: bx, y: 46, width: w, height: 13, rx: 6.5 }));
      b.appendChild(el("text", { x: bx + w / 2, y: 56, "text-anchor": "middle" }, text));
      g.appendChild(b);
      bx += w + 4;
    });
    var href = mlflowHref(node.url);
    if (href) {
      var a = el("a", { href: href, target: "_top", "class": "dc-node-link" });
      a.appendChild(el("title", {}, "Open in MLflow"));
      a.appendChild(el("rect", { x: NODE_W - 30, y: 6, width: 24, height: 22, rx: 5 }));
      a.appendChild(el("text", { x: NODE_W - 18, y: 22, "text-anchor": "middle" }, "\u2197"));
      a.addEventListener("click", function (ev) { ev.stopPropagation(); });
      g.appendChild(a);
    }
    g.appendChild(el("title", {}, KIND_TITLES[node.kind] + ": " + info.title));
    g.addEventListener("click", function () { onSelect(node); });
    g.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); onSelect(node); }
    });
    layer.appendChild(g);
    return g;
  }

  function defs(svg) {
    var d = el("defs");
    [["dc-arrow", "dc-arrow"], ["dc-arrow-breaking", "dc-arrow dc-arrow-breaking"]]
      .forEach(function (m) {
        var marker = el("marker", { id: m[0], viewBox: "0 0 10 10", refX: 9, refY: 5,
          markerWidth: 9, markerHeight: 9, markerUnits: "userSpaceOnUse",
          orient: "auto-start-reverse" });
        marker.appendChild(el("path", { d: "M0,0 L10,5 L0,10 z", "class": m[1] }));
        d.appendChild(marker);
      });
    svg.appendChild(d);
  }

  function isFocus(node, focus) {
    if (!focus || !focus.value) { return false; }
    if (focus.kind === "dataset") {
      return node.kind === "dataset" && (node.name === focus.value || node.digest === focus.value);
    }
    if (focus.kind === "run") { return node.kind === "run" && node.run_id === focus.value; }
    if (focus.kind === "model") {
      return node.kind === "model_version" && (node.name === focus.value ||
        node.name + "/" + node.version === focus.value ||
        (node.aliases || []).some(function (a) { return node.name + "@" + a === focus.value; }));
    }
    return false;
  }

  // ---- side panel ----

  function definitionList(rows) {
    var dl = html("dl", "dc-facts");
    rows.forEach(function (row) {
      if (row[1] === undefined || row[1] === null || row[1] === "") { return; }
      dl.appendChild(html("dt", null, row[0]));
      var dd = html("dd", row[2] || null, row[1]);
      dl.appendChild(dd);
    });
    return dl;
  }

  function renderReport(box, report) {
    box.textContent = "";
    var summary = report.summary || {};
    var chips = html("div", "dc-chips");
    ["breaking", "warning", "info"].forEach(function (sev) {
      chips.appendChild(html("span", "dc-chip dc-sev-" + sev, (summary[sev] || 0) + " " + sev));
    });
    box.appendChild(chips);
    var changes = report.changes;
    if (!changes) {  // only the edge's counts are known here (a standalone file)
      box.appendChild(html("p", "dc-hint", "The changes themselves are listed by the live " +
        "view (datacouple ui) and by datacouple diff."));
      return;
    }
    if (!changes.length) {
      box.appendChild(html("p", "dc-hint", "No classified changes: same meaning, new bytes."));
      return;
    }
    var list = html("ul", "dc-changes");
    changes.forEach(function (c) {
      var li = html("li", "dc-change dc-sev-" + c.severity);
      var head = html("div", "dc-change-head");
      head.appendChild(html("span", "dc-pill dc-sev-" + c.severity, c.severity));
      head.appendChild(html("code", null, c.kind));
      if (c.column) { head.appendChild(html("span", "dc-col", c.column)); }
      li.appendChild(head);
      li.appendChild(html("p", null, c.message));
      list.appendChild(li);
    });
    box.appendChild(list);
  }

  function showDiff(panel, graph, node) {
    var prev = graph.edges.filter(function (e) {
      return e.kind === "version" && e.target === node.id;
    })[0];
    var section = html("section", "dc-diff");
    section.appendChild(html("h3", null, "Changes since the previous version"));
    panel.appendChild(section);
    if (!prev) {
      section.appendChild(html("p", "dc-hint", "The first logged version of " + node.name + "."));
      return;
    }
    var old = graph.nodes.filter(function (n) { return n.id === prev.source; })[0];
    if (!old) { return; }
    section.appendChild(html("p", "dc-hint", shortDigest(old.digest) + " \u2192 " +
      shortDigest(node.digest)));
    var box = html("div", "dc-diff-body");
    section.appendChild(box);
    var embedded = (readJson("datacouple-diffs") || {})[old.digest + ".." + node.digest];
    if (embedded) { renderReport(box, embedded); return; }
    var url = document.body.getAttribute("data-diff-url");
    if (!url) {
      if (prev.changes) { renderReport(box, { summary: prev.changes, changes: null }); }
      else { box.appendChild(html("p", "dc-hint", "No diff stored in this file.")); }
      return;
    }
    box.appendChild(html("p", "dc-hint", "Loading the diff\u2026"));
    var query = "?dataset=" + encodeURIComponent(node.name) + "&old=" +
      encodeURIComponent(old.digest) + "&new=" + encodeURIComponent(node.digest);
    fetch(url + query, { headers: { Accept: "application/json" } })
      .then(function (r) {
        return r.json().then(function (body) { return { ok: r.ok, body: body }; });
      })
      .then(function (res) {
        if (!res.ok) { throw new Error(res.body && res.body.error || "the diff failed"); }
        renderReport(box, res.body);
      })
      .catch(function (err) {
        box.textContent = "";
        box.appendChild(html("p", "dc-error", String(err.message || err)));
      });
  }

  function showNode(graph, node) {
    var panel = document.getElementById("dc-panel-body");
    panel.textContent = "";
    var info = label(node);
    panel.appendChild(html("p", "dc-panel-kind dc-kind-" + node.kind, KIND_TITLES[node.kind]));
    panel.appendChild(html("h2", null, info.title));
    var rows;
    if (node.kind === "dataset") {
      rows = [["digest", node.digest, "dc-mono"], ["rows", node.rows === null ||
        node.rows === undefined ? null : formatCount(node.rows)], ["path", node.path, "dc-mono"],
        ["git revision", node.rev, "dc-mono"], ["structural hash", node.structural_hash, "dc-mono"],
        ["current", node.current === undefined || node.current === null ? null :
          (node.current ? "yes: matches the committed fingerprint" : "no")]];
    } else if (node.kind === "run") {
      rows = [["run id", node.run_id, "dc-mono"], ["experiment", node.experiment_id],
        ["status", node.status],
        ["started", node.start_time ? new Date(node.start_time).toISOString()
          .replace("T", " ").slice(0, 16) + " UTC" : null]];
    } else if (node.kind === "model_version") {
      rows = [["model", node.name], ["version", node.version],
        ["aliases", (node.aliases || []).map(function (a) { return "@" + a; }).join(" ")],
        ["signature inputs", node.signature_inputs ? node.signature_inputs.join(", ") :
          "no signature: every column counts"]];
    } else if (node.kind === "logged_model") {
      rows = [["model id", node.model_id, "dc-mono"], ["name", node.name]];
    } else if (node.kind === "stage") {
      rows = [["command", node.cmd, "dc-mono"]];
    } else {
      rows = [["path", node.path, "dc-mono"], ["hash", node.hash, "dc-mono"]];
    }
    panel.appendChild(definitionList(rows));
    var href = mlflowHref(node.url);
    if (href) {
      var a = html("a", "dc-button", "Open in MLflow \u2197");
      a.setAttribute("href", href);
      a.setAttribute("target", "_top");
      panel.appendChild(a);
    }
    if (node.kind === "dataset") { showDiff(panel, graph, node); }
  }

  // ---- page ----

  function legend(used) {
    var box = document.getElementById("dc-legend");
    if (!box) { return; }
    box.textContent = "";
    used.forEach(function (kind) {
      var item = html("span", "dc-legend-item");
      item.appendChild(html("span", "dc-swatch dc-kind-" + kind));
      item.appendChild(document.createTextNode(KIND_TITLES[kind]));
      box.appendChild(item);
    });
    [["dc-line-breaking", "breaking changes"], ["dc-line-warning", "warnings"],
     ["dc-line-version", "older \u2192 newer version"]].forEach(function (l) {
      var item = html("span", "dc-legend-item");
      item.appendChild(html("span", "dc-line " + l[0]));
      item.appendChild(document.createTextNode(l[1]));
      box.appendChild(item);
    });
  }

  function searchForm(graph) {
    var form = document.getElementById("dc-search");
    if (!form || document.body.getAttribute("data-mode") !== "served") { return; }
    form.hidden = false;
    var kind = document.getElementById("dc-search-kind");
    var value = document.getElementById("dc-search-value");
    var focus = graph.focus || {};
    if (focus.value && ["dataset", "model", "run"].indexOf(focus.kind) >= 0) {
      kind.value = focus.kind;
      value.value = focus.value;
    }
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var v = value.value.trim();
      window.location.search = v ? "?" + kind.value + "=" + encodeURIComponent(v) : "";
    });
  }

  // What the panel shows on load: the node named in the URL fragment (#node=<id>), else the
  // focused model version, run, or the newest version of the focused dataset.
  function initialSelection(graph) {
    var wanted = decodeURIComponent((window.location.hash.match(/^#node=(.+)$/) || [])[1] || "");
    var focused = graph.nodes.filter(function (n) { return isFocus(n, graph.focus); });
    var pick = graph.nodes.filter(function (n) { return n.id === wanted; })[0];
    if (pick) { return pick; }
    var current = focused.filter(function (n) { return n.current; });
    return current[current.length - 1] || focused[focused.length - 1] || null;
  }

  function render(graph) {
    var canvas = document.getElementById("dc-canvas");
    searchForm(graph);
    if (!graph || !graph.nodes || !graph.nodes.length) {
      document.getElementById("dc-empty").hidden = false;
      return;
    }
    var L = layout(graph);
    var svg = el("svg", { id: "dc-graph", width: L.width, height: L.height,
      viewBox: "0 0 " + L.width + " " + L.height, role: "img", "aria-label": "Lineage graph" });
    defs(svg);
    var heads = el("g", { "class": "dc-col-heads" });
    L.used.forEach(function (kind, i) {
      heads.appendChild(el("text", { x: L.marginLeft + i * (NODE_W + COL_GAP), y: 22 },
        LAYER_TITLES[kind]));
    });
    svg.appendChild(heads);
    var edgeLayer = el("g", { "class": "dc-edges" });
    var nodeLayer = el("g", { "class": "dc-nodes" });
    var labelLayer = el("g", { "class": "dc-labels" });
    svg.appendChild(edgeLayer);
    svg.appendChild(nodeLayer);
    svg.appendChild(labelLayer);
    var paths = [];
    graph.edges.forEach(function (e) {
      var p = drawEdge(edgeLayer, labelLayer, e, L);
      if (p) { paths.push({ edge: e, path: p }); }
    });
    var groups = {};
    function select(node) {
      Object.keys(groups).forEach(function (id) {
        groups[id].classList.toggle("dc-selected", id === node.id);
      });
      paths.forEach(function (p) {
        p.path.classList.toggle("dc-edge-active",
          p.edge.source === node.id || p.edge.target === node.id);
      });
      showNode(graph, node);
    }
    graph.nodes.forEach(function (n) {
      if (!L.pos[n.id]) { return; }
      groups[n.id] = drawNode(nodeLayer, n, L.pos[n.id], select);
      if (isFocus(n, graph.focus)) { groups[n.id].classList.add("dc-focus"); }
    });
    canvas.appendChild(svg);
    legend(L.used);
    var first = initialSelection(graph);
    if (first) { select(first); }
    document.body.setAttribute("data-rendered", String(graph.nodes.length));
  }

  function start() {
    var graph = readJson("datacouple-graph");
    if (!graph) {
      var empty = document.getElementById("dc-empty");
      empty.textContent = "This page holds no readable lineage graph.";
      empty.hidden = false;
      return;
    }
    render(graph);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
