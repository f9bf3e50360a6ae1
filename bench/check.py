"""The pre-merge check at scale: 50 datasets and 500 registered model versions, target < 2 s
without touching data. Not a test: it prints (and with --write, records) the figures.

    python bench/check.py [--datasets 50] [--versions 500] [--repeat 5] [--write]

A real git + DVC repository in a temp dir holds `--datasets` generated feature tables, each
`dvc add`ed with its fingerprint committed on `main`; a branch then migrates a tenth of them
(NULL -> "" in a string column, a column the models read). A real sqlite MLflow store holds
`--versions` registered model versions (a tenth of them aliased `champion`), each trained on
one dataset version: dataset inputs as `datacouple.log_dataset` records them (digest = the DVC
md5, the dvc source, the compact profile) and a real scikit-learn MLmodel with a signature.

Timed: `datacouple check --head HEAD` as a user runs it (a fresh process, imports included),
and `run_check` in one process (cold: signature cache emptied; warm).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results-check.md"
BIN = Path(sys.executable).parent


def feature_table(seed: int, migrated: bool = False):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    rows = 500
    band = rng.choice(["low", "mid", "high"], rows).astype(object)
    band[rng.uniform(0, 1, rows) < 0.15] = "" if migrated else None
    return pd.DataFrame({
        "amount": rng.gamma(2.0, 30.0, rows), "count": rng.poisson(4, rows),
        "score": rng.normal(0, 1, rows), "segment": rng.choice(["a", "b", "c"], rows),
        "band": band,
    })


def run(command: list[str], cwd: Path, env: dict) -> str:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def build_repo(root: Path, datasets: int, env: dict) -> list[str]:
    import datacouple

    names = [f"features_{i:02d}" for i in range(datasets)]
    root.mkdir(parents=True)
    run(["git", "init", "-q", "-b", "main"], root, env)
    run([str(BIN / "dvc"), "init", "-q"], root, env)
    config = "".join(f'[datasets.{n}]\npath = "data/{n}.parquet"\n' for n in names)
    (root / "datacouple.toml").write_text(config + '[check]\nbase = "main"\n')
    (root / "data").mkdir()

    def write_all(migrated: set[str]) -> None:
        for seed, name in enumerate(names):
            path = root / "data" / f"{name}.parquet"
            path.unlink(missing_ok=True)  # DVC links from its cache: replace, never write through
            feature_table(seed, name in migrated).to_parquet(path, index=False)
        run([str(BIN / "dvc"), "add", "-q", *[f"data/{n}.parquet" for n in names]], root, env)
        for name in names:
            document = datacouple.fingerprint(root / "data" / f"{name}.parquet", name=name,
                                              repo_root=root)
            datacouple.write_fingerprint(document, root / "fingerprints" / f"{name}.json")
        run(["git", "add", "-A"], root, env)
        run(["git", "commit", "-q", "-m", "migrate" if migrated else "features"], root, env)

    write_all(set())
    run(["git", "checkout", "-q", "-b", "feature/migration"], root, env)
    write_all(set(names[:: max(1, datasets // 5)][:max(1, datasets // 10)]))
    return names


def populate_store(root: Path, repo: Path, names: list[str], versions: int) -> str:
    import mlflow
    import yaml
    from mlflow import MlflowClient
    from mlflow.entities import Dataset, DatasetInput, InputTag, LoggedModelStatus
    from mlflow.models import infer_signature
    from sklearn.linear_model import LinearRegression

    uri = f"sqlite:///{root / 'mlflow.db'}"
    mlflow.set_tracking_uri(uri)  # create_model_version checks models:/ sources through it
    mlflow.set_registry_uri(uri)
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    experiment = client.create_experiment("bench", artifact_location=str(root / "artifacts"))
    x = feature_table(0)[["amount", "count", "score", "band"]]
    model_dir = root / "model"
    mlflow.sklearn.save_model(LinearRegression().fit(x[["amount"]], x["score"]), str(model_dir),
                              signature=infer_signature(x))
    entities = {}
    for name in names:
        out = yaml.safe_load((repo / "data" / f"{name}.parquet.dvc").read_text())["outs"][0]
        source = {"repo": str(repo), "rev": None, "path": f"data/{name}.parquet",
                  "hash": out["md5"]}
        entities[name] = Dataset(name=name, digest=out["md5"], source_type="dvc",
                                 source=json.dumps(source),
                                 profile=json.dumps({"format": "datacouple.profile/1"}))
    for i in range(versions):
        name = names[i % len(names)]
        run_id = client.create_run(experiment, run_name=f"train-{i}").info.run_id
        client.log_inputs(run_id, datasets=[DatasetInput(
            entities[name], [InputTag("mlflow.data.context", "training")])])
        logged = client.create_logged_model(experiment, name="model", source_run_id=run_id)
        client.log_model_artifacts(logged.model_id, str(model_dir))
        client.finalize_logged_model(logged.model_id, LoggedModelStatus.READY)
        model_name = f"model-{i % (versions // 5 or 1)}"
        if not client.search_registered_models(f"name = '{model_name}'"):
            client.create_registered_model(model_name)
        version = client.create_model_version(model_name, f"models:/{logged.model_id}",
                                              run_id=run_id, model_id=logged.model_id)
        if i % 10 == 0:
            client.set_registered_model_alias(model_name, "champion", version.version)
        client.set_terminated(run_id)
    return uri


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=50)
    parser.add_argument("--versions", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--write", action="store_true", help=f"record the figures in {RESULTS}")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="datacouple-bench-check-"))
    env = {**os.environ, "DVC_NO_ANALYTICS": "1", "GIT_AUTHOR_NAME": "bench",
           "GIT_AUTHOR_EMAIL": "bench@datacouple.invalid", "GIT_COMMITTER_NAME": "bench",
           "GIT_COMMITTER_EMAIL": "bench@datacouple.invalid",
           "DVC_SITE_CACHE_DIR": str(scratch / "dvc-site-cache")}
    try:
        repo = scratch / "repo"
        started = time.perf_counter()
        names = build_repo(repo, args.datasets, env)
        uri = populate_store(scratch, repo, names, args.versions)
        print(f"built {args.datasets} datasets and {args.versions} model versions in "
              f"{time.perf_counter() - started:.0f} s", file=sys.stderr)
        env["MLFLOW_TRACKING_URI"] = uri
        os.environ["MLFLOW_TRACKING_URI"] = uri
        cli, cold, warm = [], [], []
        for _ in range(args.repeat):
            shutil.rmtree(repo / ".datacouple", ignore_errors=True)
            began = time.perf_counter()
            result = subprocess.run([str(BIN / "datacouple"), "check", "--head", "HEAD",
                                     "--format", "json"], cwd=repo, env=env,
                                    capture_output=True, text=True)
            cli.append(time.perf_counter() - began)
            assert result.returncode == 1, result.stderr
            report = json.loads(result.stdout)
        cold, warm = measure_in_process(repo, args.repeat)
        blocking = report["summary"]["blocking"]
        affected = {(m["name"], m["version"]) for c in report["changes"]
                    for m in c["affected_models"]}
        rows = [("`datacouple check --head HEAD` (new process, imports included)", cli),
                ("`run_check`, cold (signature cache emptied)", cold),
                ("`run_check`, warm", warm)]
        table = ["| measurement | median s | min s |", "|---|---|---|"] + [
            f"| {label} | {statistics.median(times):.2f} | {min(times):.2f} |"
            for label, times in rows]
        text = "\n".join([
            f"# Check bench, {dt.date.today()}", "",
            f"{args.datasets} datasets ({len(report['changes'])} changes on the branch, "
            f"{blocking} blocking), {args.versions} registered model versions "
            f"({len(affected)} affected), real sqlite store; {args.repeat} rounds; "
            f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}.",
            "", *table, "", "Reproduce: `python bench/check.py --write`.", ""])
        print(text)
        if args.write:
            RESULTS.write_text(text)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def measure_in_process(repo: Path, repeat: int) -> tuple[list[float], list[float]]:
    from datacouple.check.run import run_check
    from datacouple.config import load_config
    from datacouple.lineage import signatures

    cold, warm = [], []
    for _ in range(repeat):
        shutil.rmtree(repo / ".datacouple", ignore_errors=True)
        signatures._MEMORY.clear()  # cold: nothing remembered from the previous round
        config = load_config(repo)
        for times in (cold, warm):
            began = time.perf_counter()
            run_check(config, head="HEAD")
            times.append(time.perf_counter() - began)
    return cold, warm


if __name__ == "__main__":
    main()
