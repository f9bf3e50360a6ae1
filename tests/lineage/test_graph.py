"""The lineage graph and its queries on a real sqlite MLflow store, a real git + DVC repo and
real models trained on ISLP's Hitters table (see graph_scenario.py)."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from datacouple.config import load_config
from datacouple.errors import DatacoupleError
from datacouple.lineage import queries
from datacouple.lineage.graph import (
    build_graph,
    datasets_for_model,
    models_for_dataset,
    models_for_datasets,
    resolve_target,
)
from lineage.graph_scenario import DATA, DATASET, SALARY_FEATURES

NODE_KEYS = {
    "dataset": {"id", "kind", "name", "digest", "rows", "structural_hash", "path", "rev",
                "current"},
    "run": {"id", "kind", "run_id", "experiment_id", "name", "status", "start_time", "url"},
    "logged_model": {"id", "kind", "model_id", "name", "url"},
    "model_version": {"id", "kind", "name", "version", "aliases", "signature_inputs", "url"},
    "stage": {"id", "kind", "name", "cmd"},
    "file": {"id", "kind", "path", "hash"},
}


def _by_id(graph: dict) -> dict:
    return {node["id"]: node for node in graph["nodes"]}


def _edges(graph: dict, kind: str) -> list[dict]:
    return [edge for edge in graph["edges"] if edge["kind"] == kind]


def test_dataset_graph_has_the_contract_shape(lineage_history):
    h = lineage_history
    graph = build_graph(h.store.client, dataset=DATASET, repo_root=h.repo.root).to_dict()
    assert graph["format"] == "datacouple.lineage/1"
    assert graph["focus"] == {"kind": "dataset", "value": DATASET}
    for node in graph["nodes"]:
        assert set(node) == NODE_KEYS[node["kind"]], node
    ids = {node["id"] for node in graph["nodes"]}
    for edge in graph["edges"]:
        assert edge["source"] in ids and edge["target"] in ids, edge
        assert edge["kind"] in {"input", "output", "registered", "logged", "dep", "out",
                                "version"}
    assert json.loads(json.dumps(graph)) == graph  # JSON-able as it is


def test_dataset_graph_links_versions_runs_and_model_versions(lineage_history):
    h = lineage_history
    graph = build_graph(h.store.client, dataset=DATASET, repo_root=h.repo.root).to_dict()
    nodes = _by_id(graph)
    v1, v2 = f"dataset:{DATASET}@{h.v1}", f"dataset:{DATASET}@{h.v2}"
    assert nodes[v1]["rows"] == nodes[v2]["rows"] == 322
    assert nodes[v1]["path"] == DATA and nodes[v1]["rev"] == h.rev1
    assert (nodes[v1]["current"], nodes[v2]["current"]) == (False, True)
    assert len([n for n in nodes.values() if n["kind"] == "run"]) == 4
    assert len([n for n in nodes.values() if n["kind"] == "logged_model"]) == 4

    (version_edge,) = _edges(graph, "version")
    assert (version_edge["source"], version_edge["target"]) == (v1, v2)
    assert version_edge["changes"]["breaking"] >= 1  # Salary: NULL -> 0.0

    salary1, salary2 = nodes["model_version:salary/1"], nodes["model_version:salary/2"]
    assert salary1["aliases"] == ["champion"] and salary2["aliases"] == ["challenger"]
    assert salary1["signature_inputs"] == SALARY_FEATURES
    assert nodes["model_version:unsigned/1"]["signature_inputs"] is None
    assert salary1["url"] == "#/models/salary/versions/1"

    # dataset -input-> run -logged-> logged_model -registered-> model_version
    run_salary1 = f"run:{h.store.runs['salary-v1']}"
    inputs = {(e["source"], e["target"]): e for e in _edges(graph, "input")}
    assert inputs[(v1, run_salary1)]["context"] == "training"
    (logged,) = [e["target"] for e in _edges(graph, "logged") if e["source"] == run_salary1]
    assert (logged, "model_version:salary/1", "registered") in {
        (e["source"], e["target"], e["kind"]) for e in graph["edges"]}


def test_inputs_with_breaking_changes_against_the_current_version_are_flagged(lineage_history):
    h = lineage_history
    graph = build_graph(h.store.client, dataset=DATASET, repo_root=h.repo.root).to_dict()
    flagged = {e["target"] for e in _edges(graph, "input") if e.get("changes")}
    old_runs = {f"run:{h.store.runs[label]}" for label in ("salary-v1", "other-v1",
                                                           "unsigned-v1")}
    assert flagged == old_runs
    assert all(e["changes"]["breaking"] >= 1 for e in _edges(graph, "input") if e.get("changes"))


def test_dvc_stage_edges_from_dvc_lock(lineage_history):
    h = lineage_history
    graph = build_graph(h.store.client, dataset=DATASET, repo_root=h.repo.root).to_dict()
    nodes = _by_id(graph)
    assert "featurize.py" in nodes["stage:featurize"]["cmd"]
    edges = {(e["source"], e["target"], e["kind"]) for e in graph["edges"]}
    assert ("file:raw/Hitters.csv", "stage:featurize", "dep") in edges
    assert ("file:featurize.py", "stage:featurize", "dep") in edges
    # The out's hash is version 2's: the stage produced the current version.
    assert ("stage:featurize", f"dataset:{DATASET}@{h.v2}", "out") in edges
    assert len(nodes["file:raw/Hitters.csv"]["hash"]) == 32


def test_without_a_repository_nothing_is_current_and_no_stage_is_read(lineage_history):
    h = lineage_history
    graph = build_graph(h.store.client, dataset=DATASET, signatures=False).to_dict()
    assert not any(n.get("current") for n in graph["nodes"])
    assert not [n for n in graph["nodes"] if n["kind"] in ("stage", "file")]
    assert all(n["signature_inputs"] is None for n in graph["nodes"]
               if n["kind"] == "model_version")


def test_a_digest_focuses_on_one_version(lineage_history):
    h = lineage_history
    graph = build_graph(h.store.client, dataset=h.v2).to_dict()
    datasets = [n["digest"] for n in graph["nodes"] if n["kind"] == "dataset"]
    assert datasets == [h.v2]
    assert {n["id"] for n in graph["nodes"] if n["kind"] == "model_version"} == {
        "model_version:salary/2"}


def test_model_focus_reaches_the_training_data(lineage_history):
    h = lineage_history
    graph = build_graph(h.store.client, model="salary@champion", repo_root=h.repo.root)
    document = graph.to_dict()
    assert document["focus"] == {"kind": "model", "value": "salary@champion"}
    nodes = _by_id(document)
    assert set(nodes) >= {f"dataset:{DATASET}@{h.v1}", f"run:{h.store.runs['salary-v1']}",
                          "model_version:salary/1"}
    assert "model_version:salary/2" not in nodes
    # A registered model's name: its latest version and every aliased one.
    by_name = build_graph(h.store.client, model="salary", signatures=False).to_dict()
    assert {n["version"] for n in by_name["nodes"] if n["kind"] == "model_version"} == {"1", "2"}


def test_run_focus(lineage_history):
    h = lineage_history
    run_id = h.store.runs["other-v1"]
    graph = build_graph(h.store.client, run=run_id, signatures=False).to_dict()
    assert graph["focus"] == {"kind": "run", "value": run_id}
    assert {n["id"] for n in graph["nodes"] if n["kind"] == "model_version"} == {
        "model_version:other/1"}
    with pytest.raises(DatacoupleError, match="no MLflow run"):
        build_graph(h.store.client, run="0" * 32)


def test_datasets_for_model(lineage_history):
    h = lineage_history
    for spec in ("salary@champion", "salary/1"):
        (found,) = datasets_for_model(h.store.client, spec)
        assert (found["name"], found["digest"], found["context"]) == (DATASET, h.v1, "training")
        assert found["fingerprint_artifact"] == f"datacouple/fingerprints/{DATASET}.json"
        assert found["run_id"] == h.store.runs["salary-v1"]
        assert found["model"] == {"name": "salary", "version": "1", "aliases": ["champion"]}
    (newer,) = datasets_for_model(h.store.client, "salary@challenger")
    assert newer["digest"] == h.v2


def test_models_for_dataset_by_name_and_by_digest(lineage_history):
    h = lineage_history
    by_name = models_for_dataset(h.store.client, DATASET)
    assert [(m["name"], m["version"], m["aliases"]) for m in by_name] == [
        ("other", "1", ["champion"]), ("salary", "1", ["champion"]),
        ("salary", "2", ["challenger"]), ("unsigned", "1", ["prod"])]
    assert by_name[2]["digests"] == [h.v2] and by_name[2]["contexts"] == ["training"]
    by_digest = models_for_dataset(h.store.client, h.v1)
    assert {(m["name"], m["version"]) for m in by_digest} == {
        ("other", "1"), ("salary", "1"), ("unsigned", "1")}
    assert models_for_dataset(h.store.client, "no-such-dataset") == []


def test_the_search_filters_mlflow_answers(lineage_history):
    """The dataset filters are MLflow's own (dataset.name / dataset.digest), across
    experiments, including ones created after the first."""
    h = lineage_history
    assert queries.dataset_filter(DATASET) == f"dataset.name = '{DATASET}'"
    assert queries.dataset_filter(h.v1) == f"dataset.digest = '{h.v1}'"
    assert queries.dataset_filter("it's") == "dataset.name = 'it''s'"
    assert len(queries.runs_for_dataset(h.store.client, h.v2)) == 1
    assert queries.runs_for_dataset(h.store.client, "it's") == []


def test_resolve_target_disambiguates(lineage_history):
    h = lineage_history
    config = load_config(h.repo.root)
    client = h.store.client
    assert resolve_target(client, None, config) == ("all", None)
    assert resolve_target(client, DATASET, config) == ("dataset", DATASET)
    assert resolve_target(client, h.v1, config) == ("dataset", h.v1)
    assert resolve_target(client, "salary@champion", config) == ("model", "salary@champion")
    assert resolve_target(client, "salary/2", config) == ("model", "salary/2")
    assert resolve_target(client, "unsigned", config) == ("model", "unsigned")
    with pytest.raises(DatacoupleError, match="neither a dataset"):
        resolve_target(client, "nothing-like-this", config)
    with pytest.raises(DatacoupleError, match="no registered model version"):
        resolve_target(client, "salary@nobody", config)


def test_signature_cache_is_kept_on_disk(lineage_history):
    h = lineage_history
    build_graph(h.store.client, dataset=DATASET, repo_root=h.repo.root)
    cache = json.loads((h.repo.root / ".datacouple" / "cache" / "signatures.json").read_text())
    entries = cache[h.store.uri]
    assert entries["salary/1"] == SALARY_FEATURES
    assert entries["unsigned/1"] is None
    # Local state: `git add -A` must not commit it.
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"],
                            cwd=h.repo.root, capture_output=True, text=True, check=True)
    assert ".datacouple" not in status.stdout


def test_lineage_cli_json_and_unknown_target(lineage_history):
    h = lineage_history
    result = h.cli("lineage", DATASET, "--format", "json")
    assert result.returncode == 0, result.stderr
    graph = json.loads(result.stdout)
    assert graph["focus"] == {"kind": "dataset", "value": DATASET}
    assert any(n.get("current") for n in graph["nodes"])
    missing = h.cli("lineage", "nothing-like-this")
    assert missing.returncode == 2
    assert "nothing-like-this" in missing.stderr and "neither a dataset" in missing.stderr


def test_an_unusable_store_is_a_one_line_error(tmp_path):
    """Not a traceback: exit 2 and the store's URI."""
    import subprocess
    import sys
    from pathlib import Path

    (tmp_path / "bad.db").write_text("not a database")
    env = {**os.environ, "MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path / 'bad.db'}"}
    result = subprocess.run([str(Path(sys.executable).with_name("datacouple")), "lineage"],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert "cannot open the MLflow tracking store" in line and "bad.db" in line


def test_models_for_many_datasets_in_one_search(lineage_history):
    h = lineage_history
    client = h.store.client
    found = models_for_datasets(client, [DATASET, h.v2, "no-such-dataset"])
    assert found[DATASET] == models_for_dataset(client, DATASET)
    assert [(m["name"], m["version"]) for m in found[h.v2]] == [("salary", "2")]
    assert found["no-such-dataset"] == []
