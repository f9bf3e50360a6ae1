"""Lineage queries on a realistic store: DESIGN.md's target is < 2 s on 1,000 runs and 200
registered model versions. Not a test: it prints (and with --write, records) the figures.

    python bench/lineage.py [--runs 1000] [--versions 200] [--write]

A real sqlite MLflow store in a temp dir is filled the way `datacouple.log_dataset` fills it
(the contract's dataset inputs: dvc source, compact profile, the full fingerprint as a run
artifact): 5 datasets with 8 versions each (real fingerprints of generated tables whose
versions differ: NULL -> 0, a unit change, a new category...), each run training on one
version and sometimes validating on another; every fifth run has a logged model (a real
scikit-learn MLmodel with a signature) registered under one of 10 names, some aliased.

Timed, in one process, `--repeat` rounds: `models_for_dataset`, `datasets_for_model` and
`build_graph` for one dataset (with signatures and version diffs), each cold (process caches
emptied, a new signature disk cache: fingerprints and MLmodel files are downloaded) and warm.
The machine is shared, so medians and minima are reported (and the load average).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results-lineage.md"
DATASETS = ["features", "clicks", "sessions", "accounts", "orders"]
VERSIONS_PER_DATASET = 8
MODEL_NAMES = [f"model-{i}" for i in range(10)]


def make_version_frame(seed: int, version: int):
    """A table whose consecutive versions differ the way feature tables do."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed * 100 + version)
    rows = 2_000
    frame = pd.DataFrame({
        "id": np.arange(rows) + version * rows,
        "amount": rng.gamma(2.0, 30.0, rows),
        "count": rng.poisson(4, rows),
        "score": rng.normal(0, 1, rows),
        "segment": rng.choice(["a", "b", "c"] + (["d"] if version >= 4 else []), rows),
        "ratio": rng.uniform(0, 1, rows),
        "age_days": rng.integers(0, 3_000, rows),
        "income": np.where(rng.uniform(0, 1, rows) < 0.1, np.nan, rng.normal(50, 10, rows)),
    })
    if version >= 3:  # NULL -> 0: breaking
        frame["income"] = frame["income"].fillna(0.0)
    if version >= 6:  # grams -> kilograms
        frame["amount"] = frame["amount"] / 1000
    return frame


def populate(root: Path, runs: int, versions: int) -> dict:
    import mlflow
    from mlflow import MlflowClient
    from mlflow.entities import Dataset, DatasetInput, InputTag, LoggedModelStatus
    from mlflow.models import infer_signature
    from sklearn.linear_model import LinearRegression

    import datacouple
    from datacouple.profile.format import canonical_json

    uri = f"sqlite:///{root / 'mlflow.db'}"
    # create_model_version checks a models:/ source through the process-wide tracking URI.
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    experiments = [client.create_experiment(f"team-{i}",
                                            artifact_location=str(root / f"artifacts-{i}"))
                   for i in range(3)]

    # The dataset versions: real fingerprints, written once, logged as each run's artifact.
    fingerprint_dir = root / "fingerprints"
    version_entities = {}
    for seed, name in enumerate(DATASETS):
        for version in range(VERSIONS_PER_DATASET):
            document = datacouple.fingerprint(make_version_frame(seed, version), name=name)
            text = canonical_json(document)
            digest = hashlib.md5(text.encode()).hexdigest()
            local = fingerprint_dir / f"{name}-{version}" / f"{name}.json"
            local.parent.mkdir(parents=True)
            local.write_text(text)
            profile = {"format": "datacouple.profile/1", "rows": document["rows"],
                       "structural_hash": document["structural_hash"],
                       "fingerprint_artifact": f"datacouple/fingerprints/{name}.json",
                       "columns": len(document["columns"]), "missing": {}}
            source = {"repo": "https://example.invalid/features.git", "rev": f"{version:040x}",
                      "path": f"data/{name}.parquet", "hash": digest}
            version_entities[(name, version)] = (Dataset(
                name=name, digest=digest, source_type="dvc", source=json.dumps(source),
                profile=json.dumps(profile)), local)

    # One real scikit-learn model with a signature, saved once; each logged model gets a copy.
    import numpy as np
    x = make_version_frame(0, 0)[["amount", "count", "score", "ratio"]]
    model = LinearRegression().fit(x, np.arange(len(x)))
    model_dir = root / "model"
    mlflow.sklearn.save_model(model, str(model_dir), signature=infer_signature(x))

    rng = random.Random(0)
    registered = 0
    for i in range(runs):
        experiment = experiments[i % len(experiments)]
        name = rng.choice(DATASETS)
        version = min(VERSIONS_PER_DATASET - 1, i * VERSIONS_PER_DATASET // runs)
        run = client.create_run(experiment, run_name=f"train-{i}",
                                start_time=1_764_000_000_000 + i * 60_000)
        run_id = run.info.run_id
        inputs = [DatasetInput(version_entities[(name, version)][0],
                               [InputTag("mlflow.data.context", "training")])]
        client.log_artifact(run_id, str(version_entities[(name, version)][1]),
                            "datacouple/fingerprints")
        if rng.random() < 0.3:
            other = DATASETS[(i + 1) % len(DATASETS)]
            inputs.append(DatasetInput(version_entities[(other, version)][0],
                                       [InputTag("mlflow.data.context", "validation")]))
            client.log_artifact(run_id, str(version_entities[(other, version)][1]),
                                "datacouple/fingerprints")
        client.log_inputs(run_id, datasets=inputs)
        if i % (runs // versions) == 0 and registered < versions:
            logged = client.create_logged_model(experiment, name="model", source_run_id=run_id)
            client.log_model_artifacts(logged.model_id, str(model_dir))
            client.finalize_logged_model(logged.model_id, LoggedModelStatus.READY)
            model_name = MODEL_NAMES[registered % len(MODEL_NAMES)]
            if not client.search_registered_models(f"name = '{model_name}'"):
                client.create_registered_model(model_name)
            mv = client.create_model_version(model_name, f"models:/{logged.model_id}",
                                             run_id=run_id, model_id=logged.model_id)
            if rng.random() < 0.2:
                client.set_registered_model_alias(model_name, rng.choice(["champion", "prod"]),
                                                  mv.version)
            registered += 1
        client.set_terminated(run_id)
    return {"uri": uri, "runs": runs, "versions": registered}


def measure(store: dict, scratch: Path, repeat: int) -> list[tuple[str, list[float]]]:
    """Each query cold then warm, `repeat` times; the process caches are emptied and the
    signature disk cache is new before each cold round."""
    from datacouple.lineage import queries, signatures
    from datacouple.lineage.graph import build_graph, datasets_for_model, models_for_dataset

    client = queries.open_client(store["uri"])
    target = DATASETS[0]
    spec = "{name}/{version}".format(**models_for_dataset(client, target)[0])
    queries_to_time = [
        (f"models_for_dataset({target!r})", lambda _: models_for_dataset(client, target)),
        (f"datasets_for_model({spec!r})", lambda _: datasets_for_model(client, spec)),
        (f"build_graph(dataset={target!r})",
         lambda work: build_graph(client, dataset=target, repo_root=work)),
    ]
    times: dict[str, list[float]] = {}
    for _ in range(repeat):
        queries._FINGERPRINTS.clear()
        signatures._MEMORY.clear()
        work = Path(tempfile.mkdtemp(dir=scratch))
        for state in ("cold", "warm"):
            for label, action in queries_to_time:
                start = time.perf_counter()
                action(work)
                times.setdefault(f"{label} [{state}]", []).append(time.perf_counter() - start)
    for label, values in times.items():
        print(f"{label:<56} median {statistics.median(values):6.3f} s, "
              f"min {min(values):6.3f} s", flush=True)
    document = build_graph(client, dataset=target, repo_root=work).to_dict()
    counts: dict[str, int] = {}
    for node in document["nodes"]:
        counts[node["kind"]] = counts.get(node["kind"], 0) + 1
    print(f"graph of {target}: {counts}, {len(document['edges'])} edges", flush=True)
    return list(times.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1_000)
    parser.add_argument("--versions", type=int, default=200)
    parser.add_argument("--write", action="store_true", help=f"write {RESULTS.name}")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--store", metavar="DIR", help="populate DIR once and reuse it on "
                        "later runs (default: a temp dir, removed afterwards)")
    args = parser.parse_args()
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    with tempfile.TemporaryDirectory(prefix="datacouple-bench-") as tmp:
        root = Path(args.store or tmp)
        manifest = root / "store.json"
        if manifest.is_file():
            store = json.loads(manifest.read_text())
        else:
            root.mkdir(parents=True, exist_ok=True)
            start = time.perf_counter()
            store = populate(root, args.runs, args.versions)
            manifest.write_text(json.dumps(store))
            print(f"populated {store['runs']} runs, {store['versions']} model versions in "
                  f"{time.perf_counter() - start:.0f} s", flush=True)
        results = measure(store, Path(tmp), args.repeat)
    if args.write:
        lines = [
            "# Lineage query benchmark", "",
            f"{dt.date.today().isoformat()}, {platform.python_version()}, "
            f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; sqlite store, "
            f"{args.runs} runs, {store['versions']} model versions, {len(DATASETS)} datasets x "
            f"{VERSIONS_PER_DATASET} versions. Target: < 2 s each.", "",
            f"| query | median s ({args.repeat} rounds) | min s |", "|---|---:|---:|",
            *[f"| `{label}` | {statistics.median(values):.3f} | {min(values):.3f} |"
              for label, values in results], "",
            "cold: process caches emptied and a new signature disk cache (fingerprint "
            "artifacts and MLmodel files downloaded); warm: the same query again.", ""]
        RESULTS.write_text("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
