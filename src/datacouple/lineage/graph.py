"""The lineage graph: dataset versions, runs, logged models, registered model versions, and the
DVC stages upstream of the datasets, in the contract's JSON shape (`datacouple.lineage/1`).

Everything is read from MLflow's records as LOG writes them (dataset inputs whose digest is the
DVC hash, the full fingerprint as a run artifact) and, when a repository is given, from its
`dvc.lock` and committed fingerprints. Queries go through MLflow's indexed searches
(`queries.py`); no run is scanned in Python.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from urllib.parse import quote as url_quote

import yaml

from ..changes import BREAKING, diff_fingerprints, summarize
from ..config import load_config
from ..errors import DatacoupleError
from ..profile.format import parse_fingerprint
from ..safe_yaml import load_yaml
from . import queries
from .queries import DatasetInput, VersionRef
from .signatures import signatures_for

FORMAT = "datacouple.lineage/1"
EDGE_KINDS = ("input", "output", "registered", "logged", "dep", "out", "version")


@dataclass
class LineageGraph:
    focus: dict
    nodes: dict[str, dict] = field(default_factory=dict)
    edges: dict[tuple[str, str, str], dict] = field(default_factory=dict)

    def add_node(self, node: dict) -> str:
        """Add or complete a node (later facts fill keys an earlier sighting left empty)."""
        existing = self.nodes.setdefault(node["id"], dict(node))
        for key, value in node.items():
            if existing.get(key) is None and value is not None:
                existing[key] = value
        return node["id"]

    def add_edge(self, source: str, target: str, kind: str, **extra) -> dict:
        edge = self.edges.setdefault((source, target, kind),
                                     {"source": source, "target": target, "kind": kind})
        edge.update({key: value for key, value in extra.items() if value is not None})
        return edge

    def nodes_of(self, kind: str) -> list[dict]:
        return [node for node in self.nodes.values() if node["kind"] == kind]

    def to_dict(self) -> dict:
        """The contract's JSON: nodes sorted by id, edges by (source, target, kind)."""
        return {
            "format": FORMAT,
            "focus": dict(self.focus),
            "nodes": [dict(self.nodes[key]) for key in sorted(self.nodes)],
            "edges": [dict(self.edges[key]) for key in sorted(self.edges)],
        }


def dataset_node_id(name: str, digest: str) -> str:
    return f"dataset:{name}@{digest}"


def version_node_id(name: str, version: str) -> str:
    return f"model_version:{name}/{version}"


# --------------------------------------------------------------------------- queries


def datasets_for_model(client, spec: str) -> list[dict]:
    """The datasets that trained a model version (`NAME/VERSION`, `NAME@ALIAS`, or a registered
    model's name: its latest and aliased versions), through the version's run."""
    found = []
    for version in resolve_versions(client, spec):
        if not version.run_id:
            continue
        run = client.get_run(version.run_id)
        for item in queries.dataset_inputs(run):
            found.append({
                "model": version.to_dict(), "run_id": item.run_id, "name": item.name,
                "digest": item.digest, "context": item.context,
                "fingerprint_artifact": item.fingerprint_artifact,
                "path": item.source.get("path"), "rev": item.source.get("rev"),
                "rows": item.profile.get("rows"),
                "structural_hash": item.profile.get("structural_hash"),
            })
    return found


def models_for_dataset(client, name_or_digest: str) -> list[dict]:
    """The registered model versions whose runs used a dataset (a name: any of its versions;
    a DVC hash: that version), with their aliases, the digests they saw, and in which input
    contexts (`training`, `validation`, ...)."""
    return models_for_datasets(client, [name_or_digest])[name_or_digest]


def models_for_datasets(client, names_or_digests: list[str]) -> dict[str, list[dict]]:
    """`models_for_dataset` for many datasets in one run search and one model version search
    per batch (what a check over many datasets needs)."""
    wanted = sorted(set(names_or_digests))
    names = [w for w in wanted if not queries.looks_like_digest(w)]
    digests_wanted = [w for w in wanted if queries.looks_like_digest(w)]
    runs = []
    for key, values in (("name", names), ("digest", digests_wanted)):
        for batch in queries.batched(values):
            runs += queries.search_runs(client, f"dataset.{key} IN {queries.in_list(batch)}")
    # per wanted dataset: run id -> (digests, contexts)
    seen: dict[str, dict[str, tuple[set[str], set[str]]]] = {w: {} for w in wanted}
    for run in runs:
        for item in queries.dataset_inputs(run):
            for key in {item.name, item.digest} & seen.keys():
                digests, contexts = seen[key].setdefault(run.info.run_id, (set(), set()))
                digests.add(item.digest)
                if item.context:
                    contexts.add(item.context)
    run_ids = {run_id for per_run in seen.values() for run_id in per_run}
    versions = queries.model_versions_for_runs(client, run_ids)
    return {key: [{**v.to_dict(), "run_id": v.run_id, "model_id": v.model_id,
                   "digests": sorted(per_run[v.run_id][0]),
                   "contexts": sorted(per_run[v.run_id][1])}
                  for v in versions if v.run_id in per_run]
            for key, per_run in seen.items()}


def resolve_versions(client, spec: str) -> list[VersionRef]:
    """`NAME/VERSION` or `NAME@ALIAS`: that version. A bare registered model name: its latest
    version and every version an alias points at. DatacoupleError when there is none."""
    if "@" in spec or "/" in spec:
        return [queries.resolve_version(client, spec)]
    versions = queries.model_versions_named(client, spec)
    if not versions:
        raise DatacoupleError(f"no registered model named {spec!r}")
    latest = max(versions, key=lambda v: int(v.version))
    return [v for v in versions if v is latest or v.aliases]


# --------------------------------------------------------------------------- the graph


def build_graph(client, dataset: str | None = None, model: str | None = None,
                run: str | None = None, repo_root: str | os.PathLike | None = None, *,
                signatures: bool = True) -> LineageGraph:
    """The lineage around one dataset (name or digest), one model version, one run, or
    everything (no focus). With `repo_root`, DVC stages upstream of the datasets are added, the
    dataset version the committed fingerprint describes is marked `current`, and input edges
    whose dataset version has breaking changes against the current one carry the counts."""
    focused = [(kind, value) for kind, value in
               (("dataset", dataset), ("model", model), ("run", run)) if value]
    if len(focused) > 1:
        raise DatacoupleError("lineage: give at most one of a dataset, a model or a run")
    kind, value = focused[0] if focused else ("all", None)
    graph = LineageGraph(focus={"kind": kind, "value": value})
    versions: list[VersionRef] | None = None
    if kind == "dataset":
        runs = queries.runs_for_dataset(client, value)
        if not runs:
            raise DatacoupleError(f"no MLflow run has a dataset input named or hashed {value!r}")
    elif kind == "model":
        versions = resolve_versions(client, value)
        runs = [client.get_run(v.run_id) for v in versions if v.run_id]
    elif kind == "run":
        runs = [_get_run(client, value)]
    else:
        runs = queries.search_runs(client, "dataset.name LIKE '%'")
    inputs = _add_runs(graph, runs)
    _add_models(graph, client, runs, versions, signatures, repo_root)
    # Version edges join consecutive versions, so only where every logged version is in the
    # graph: a dataset asked for by name, or everything. (A model's or a run's datasets are
    # the versions they used, not a history: an edge between two of them would skip some.)
    if kind == "all":
        _add_versions(graph, client, inputs, {item.name for item, _ in inputs})
    elif kind == "dataset" and not queries.looks_like_digest(value):
        _add_versions(graph, client, inputs, {value})
    if repo_root is not None:
        _add_repository(graph, client, inputs, Path(repo_root))
    return graph


def _get_run(client, run_id: str):
    from mlflow.exceptions import MlflowException

    try:
        return client.get_run(run_id)
    except MlflowException:
        raise DatacoupleError(f"no MLflow run with id {run_id!r}") from None


def _add_runs(graph: LineageGraph, runs: Iterable) -> list[tuple[DatasetInput, object]]:
    inputs = []
    for run in runs:
        info = run.info
        run_node = graph.add_node({
            "id": f"run:{info.run_id}", "kind": "run", "run_id": info.run_id,
            "experiment_id": info.experiment_id, "name": info.run_name, "status": info.status,
            "start_time": info.start_time,
            "url": f"#/experiments/{info.experiment_id}/runs/{info.run_id}",
        })
        for item in queries.dataset_inputs(run):
            node = graph.add_node({
                "id": dataset_node_id(item.name, item.digest), "kind": "dataset",
                "name": item.name, "digest": item.digest, "rows": item.profile.get("rows"),
                "structural_hash": item.profile.get("structural_hash"),
                "path": item.source.get("path"), "rev": item.source.get("rev"),
                "current": False,
            })
            graph.add_edge(node, run_node, "input", context=item.context)
            inputs.append((item, run))
    return inputs


def _add_models(graph: LineageGraph, client, runs: list, versions: list[VersionRef] | None,
                signatures: bool, repo_root) -> None:
    """Logged models and registered versions of the runs, with their signature inputs when
    `signatures` (cached on disk under `repo_root`, when there is one)."""
    run_ids = [run.info.run_id for run in runs]
    logged, locations = {}, {}
    for model in queries.logged_models_for_runs(client, run_ids):
        locations[model.model_id] = model.artifact_location
        logged[model.model_id] = graph.add_node({
            "id": f"logged_model:{model.model_id}", "kind": "logged_model",
            "model_id": model.model_id, "name": model.name,
            "url": f"#/experiments/{model.experiment_id}/models/{model.model_id}",
        })
        graph.add_edge(f"run:{model.source_run_id}", logged[model.model_id], "logged")
    if versions is None:
        versions = queries.model_versions_for_runs(client, run_ids)
    inputs_of = {}
    if signatures:
        inputs_of = signatures_for(
            client, [(v.name, v.version) for v in versions], repo_root,
            locations={(v.name, v.version): locations[v.model_id] for v in versions
                       if v.model_id in locations})
    for version in versions:
        inputs = inputs_of.get((version.name, version.version))
        node = graph.add_node({
            "id": version_node_id(version.name, version.version), "kind": "model_version",
            "name": version.name, "version": version.version, "aliases": list(version.aliases),
            "signature_inputs": inputs,
            "url": f"#/models/{url_quote(version.name, safe='')}/versions/{version.version}",
        })
        if version.model_id in logged:
            graph.add_edge(logged[version.model_id], node, "registered")
        elif version.run_id:
            graph.add_edge(f"run:{version.run_id}", node, "registered")


def _add_versions(graph: LineageGraph, client, inputs: list[tuple[DatasetInput, object]],
                  names: set[str]) -> None:
    """older -version-> newer between consecutive versions of the datasets `names`, ordered by
    the start of the first run that used them, carrying the diff summary of their
    fingerprints."""
    first_seen: dict[str, dict[str, tuple[int, DatasetInput]]] = {}
    for item, run in inputs:
        if item.name not in names:
            continue
        seen = first_seen.setdefault(item.name, {})
        start = run.info.start_time or 0
        if item.digest not in seen or start < seen[item.digest][0]:
            seen[item.digest] = (start, item)
    for name, seen in first_seen.items():
        ordered = [item for _, item in sorted(seen.values(), key=lambda pair: pair[0])]
        for older, newer in pairwise(ordered):
            graph.add_edge(dataset_node_id(name, older.digest),
                           dataset_node_id(name, newer.digest), "version",
                           changes=_change_counts(client, older, newer))


def _change_counts(client, older: DatasetInput, newer: DatasetInput) -> dict | None:
    old_doc = queries.logged_fingerprint(client, older)
    new_doc = queries.logged_fingerprint(client, newer)
    if old_doc is None or new_doc is None:
        return None  # logged without datacouple's fingerprint artifact: nothing to compare
    return summarize(diff_fingerprints(old_doc, new_doc))


# --------------------------------------------------------------------------- the repository


def _add_repository(graph: LineageGraph, client, inputs: list[tuple[DatasetInput, object]],
                    repo_root: Path) -> None:
    config = load_config(repo_root)
    current = _current_fingerprints(config)
    for node in graph.nodes_of("dataset"):
        document = current.get(node["name"])
        if document is not None and (document.get("dvc") or {}).get("hash") == node["digest"]:
            node["current"] = True
    _flag_breaking_inputs(graph, client, inputs, current)
    _add_stages(graph, config)


def _current_fingerprints(config) -> dict[str, dict]:
    """Each configured dataset's committed fingerprint as it is in the work tree."""
    found = {}
    for name, dataset in config.datasets.items():
        if dataset.fingerprint.is_file():
            found[name] = parse_fingerprint(dataset.fingerprint.read_bytes(),
                                            config.relative(dataset.fingerprint))
    return found


def _flag_breaking_inputs(graph: LineageGraph, client, inputs, current: dict[str, dict]) -> None:
    counts: dict[str, dict | None] = {}
    for item, run in inputs:
        document = current.get(item.name)
        if document is None or (document.get("dvc") or {}).get("hash") == item.digest:
            continue
        if item.digest not in counts:
            logged = queries.logged_fingerprint(client, item)
            counts[item.digest] = summarize(diff_fingerprints(logged, document)) if logged else None
        summary = counts[item.digest]
        if summary and summary[BREAKING]:
            graph.add_edge(dataset_node_id(item.name, item.digest), f"run:{run.info.run_id}",
                           "input", changes=summary)


def _add_stages(graph: LineageGraph, config) -> None:
    """file -dep-> stage -out-> dataset from dvc.lock, for the stages upstream of the graph's
    datasets (followed back through their deps)."""
    stages = _read_lock_stages(config.root)
    by_path = {config.relative(d.path): name for name, d in config.datasets.items()}
    dataset_nodes: dict[str, list[dict]] = {}
    for node in graph.nodes_of("dataset"):
        dataset_nodes.setdefault(node["name"], []).append(node)
    wanted = {path for path, name in by_path.items() if name in dataset_nodes}
    added: set[str] = set()
    while True:
        producing = [s for s in stages if s["name"] not in added
                     and any(out["path"] in wanted for out in s["outs"])]
        if not producing:
            return
        for stage in producing:
            added.add(stage["name"])
            stage_id = graph.add_node({"id": f"stage:{stage['name']}", "kind": "stage",
                                       "name": stage["name"], "cmd": stage["cmd"]})
            for dep in stage["deps"]:
                graph.add_edge(_file_node(graph, dep), stage_id, "dep")
                wanted.add(dep["path"])
            for out in stage["outs"]:
                targets = _out_targets(graph, out, by_path.get(out["path"]), dataset_nodes)
                for target in targets:
                    graph.add_edge(stage_id, target, "out")


def _out_targets(graph, out: dict, dataset: str | None, dataset_nodes) -> list[str]:
    """The dataset version the out's hash names; else the dataset's current version; else a
    file node (the out is not a dataset, or that version was never logged)."""
    if dataset is not None:
        nodes = dataset_nodes.get(dataset, [])
        exact = [n["id"] for n in nodes if n["digest"] == out["hash"]]
        if exact:
            return exact
        current = [n["id"] for n in nodes if n.get("current")]
        if current:
            return current
    return [_file_node(graph, out)]


def _file_node(graph: LineageGraph, entry: dict) -> str:
    return graph.add_node({"id": f"file:{entry['path']}", "kind": "file", "path": entry["path"],
                           "hash": entry["hash"]})


def _read_lock_stages(root: Path) -> list[dict]:
    """Stages of the repository's top-level dvc.lock: name, cmd, deps and outs (path, hash)."""
    lock = root / "dvc.lock"
    if not lock.is_file():
        return []
    try:
        document = load_yaml(lock.read_text(encoding="utf-8")) or {}  # no tags, no aliases
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise DatacoupleError(f"{lock}: cannot read ({error})") from None
    stages = document.get("stages") if isinstance(document, dict) else None
    if not isinstance(stages, dict):
        return []
    found = []
    for name, stage in stages.items():
        if not isinstance(stage, dict):
            continue
        cmd = stage.get("cmd")
        found.append({
            "name": str(name), "cmd": " && ".join(cmd) if isinstance(cmd, list) else cmd,
            "deps": _entries(stage.get("deps")), "outs": _entries(stage.get("outs")),
        })
    return found


def _entries(items) -> list[dict]:
    entries = []
    for item in items or []:
        if isinstance(item, dict) and isinstance(item.get("path"), str):
            path = os.path.normpath(item["path"]).replace(os.sep, "/")
            entries.append({"path": path, "hash": item.get("md5")})
    return entries


# --------------------------------------------------------------------------- the CLI's target


def resolve_target(client, target: str | None, config) -> tuple[str, str | None]:
    """What `datacouple lineage TARGET` means: ("dataset", name|digest), ("model", spec) or
    ("all", None). A configured dataset name, or a name or digest MLflow knows as a dataset,
    is a dataset; NAME/VERSION, NAME@ALIAS or a registered model's name is a model."""
    if not target:
        return "all", None
    if target in config.datasets:
        return "dataset", target
    if "/" in target or "@" in target:
        queries.resolve_version(client, target)  # DatacoupleError when there is no such version
        return "model", target
    if queries.runs_for_dataset(client, target):
        return "dataset", target
    if queries.model_versions_named(client, target):
        return "model", target
    raise DatacoupleError(
        f"{target!r} is neither a dataset (configured, or a dataset name or DVC hash logged "
        f"in MLflow at {client.tracking_uri}) nor a registered model (NAME, NAME/VERSION or "
        "NAME@ALIAS)"
    )


def lineage_for(target: str | None, config) -> dict:
    """The graph document `datacouple lineage TARGET` shows, from MLflow's own tracking store;
    MLflow failures become one-line errors."""
    client = queries.open_client()
    with queries.tracking_errors(client):
        kind, value = resolve_target(client, target, config)
        graph = build_graph(client, **({kind: value} if value else {}), repo_root=config.root)
    return graph.to_dict()
