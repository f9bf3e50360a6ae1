"""A lineage graph dict in the contract's exact shape (datacouple.lineage/1), for page tests that
must not depend on a tracking store: three versions of a feature table, the runs they trained,
their logged models and registered versions, and the DVC stage that produced the table."""

from __future__ import annotations

import copy

V1 = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
V2 = "1a2b3c4d5e6f708192a3b4c5d6e7f809"
V3 = "9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a49.dir"
RUNS = ["5d1f0c3e9a7b4e2f8c6d1a0b3e5f7a91", "6e2a1d4f0b8c5f3a9d7e2b1c4f6a8b02",
        "7f3b2e5a1c9d6a4b0e8f3c2d5a7b9c13"]
MODELS = ["m-11aa", "m-22bb", "m-33cc"]


def _dataset(digest: str, rows: int, structural: str, rev: str, current: bool) -> dict:
    return {"id": f"dataset:features@{digest}", "kind": "dataset", "name": "features",
            "digest": digest, "rows": rows, "structural_hash": structural,
            "path": "data/features.parquet", "rev": rev, "current": current}


def sample_graph() -> dict:
    nodes = [
        {"id": "file:data/raw/Hitters.csv", "kind": "file", "path": "data/raw/Hitters.csv",
         "hash": "4f3a0c2d8e9b1a7c6d5e4f3a2b1c0d9e"},
        {"id": "stage:featurize", "kind": "stage", "name": "featurize",
         "cmd": "python pipelines/featurize.py data/raw/Hitters.csv data/features.parquet"},
        _dataset(V1, 263, "sh-aaaa", "a1b2c3d", False),
        _dataset(V2, 322, "sh-aaaa", "b2c3d4e", False),
        _dataset(V3, 322, "sh-bbbb", "c3d4e5f", True),
        {"id": "dataset:holdout@2b3c4d5e6f708192a3b4c5d6e7f8091a", "kind": "dataset",
         "name": "holdout", "digest": "2b3c4d5e6f708192a3b4c5d6e7f8091a", "rows": 59,
         "structural_hash": "sh-cccc", "path": "data/holdout.parquet", "rev": "c3d4e5f",
         "current": True},
    ]
    edges = [
        {"source": "file:data/raw/Hitters.csv", "target": "stage:featurize", "kind": "dep"},
        {"source": "stage:featurize", "target": f"dataset:features@{V3}", "kind": "out"},
        {"source": f"dataset:features@{V1}", "target": f"dataset:features@{V2}",
         "kind": "version", "changes": {"breaking": 0, "warning": 1, "info": 1}},
        {"source": f"dataset:features@{V2}", "target": f"dataset:features@{V3}",
         "kind": "version", "changes": {"breaking": 2, "warning": 0, "info": 1}},
    ]
    for i, (run_id, model_id, digest) in enumerate(zip(RUNS, MODELS, (V1, V2, V3), strict=True)):
        version = str(i + 1)
        nodes += [
            {"id": f"run:{run_id}", "kind": "run", "run_id": run_id, "experiment_id": "1",
             "name": f"train-salary-{version}", "status": "FINISHED",
             "start_time": 1_764_000_000_000 + i * 86_400_000,
             "url": f"#/experiments/1/runs/{run_id}"},
            {"id": f"logged_model:{model_id}", "kind": "logged_model", "model_id": model_id,
             "name": "salary-model", "url": f"#/experiments/1/models/{model_id}"},
            {"id": f"model_version:salary/{version}", "kind": "model_version", "name": "salary",
             "version": version, "aliases": {"2": ["champion"], "3": ["challenger"]}.get(
                 version, []), "signature_inputs": ["Years", "Hits", "League"],
             "url": f"#/models/salary/versions/{version}"},
        ]
        edge = {"source": f"dataset:features@{digest}", "target": f"run:{run_id}",
                "kind": "input", "context": "training"}
        if digest != V3:  # trained on a version with breaking changes against the current one
            edge["changes"] = {"breaking": 2, "warning": 0, "info": 0}
        edges += [
            edge,
            {"source": f"run:{run_id}", "target": f"logged_model:{model_id}", "kind": "logged"},
            {"source": f"logged_model:{model_id}", "target": f"model_version:salary/{version}",
             "kind": "registered"},
        ]
    edges.append({"source": "dataset:holdout@2b3c4d5e6f708192a3b4c5d6e7f8091a",
                  "target": f"run:{RUNS[2]}", "kind": "input", "context": "validation"})
    return {"format": "datacouple.lineage/1", "focus": {"kind": "all", "value": None},
            "nodes": nodes, "edges": edges}


def hostile_graph() -> dict:
    """The sample with names that try to break out of the page: script tags, quotes, entities."""
    graph = copy.deepcopy(sample_graph())
    for node in graph["nodes"]:
        if node["kind"] == "run":
            node["name"] = "</script><script>alert(1)</script>"
        if node["kind"] == "model_version":
            node["aliases"] = ["<img src=x onerror=alert(2)>", "a\u2028b"]
    return graph
