"""Parallel pipelines against one real `mlflow server`: eight training processes logging lineage
at once, and two `datacouple sync` replaying one journal at once, lose and duplicate nothing."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import mlflow
import pytest

from datacouple.lineage.journal import pending, write_record
from datacouple.lineage.links import lineage_url
from datacouple.lineage.records import build_record, dataset_version
from lineage.lineage_servers import mlflow_pointed_at
from lineage.log_fixtures import copy_repo

WORKERS = 8
WORKER = Path(__file__).with_name("lineage_worker.py")
DATASETS = ("features", "parts")


@pytest.fixture
def tracking(mlflow_server):
    """MLflow's client pointed at the real server, put back afterwards (the URI setters also
    export MLFLOW_TRACKING_URI / MLFLOW_REGISTRY_URI)."""
    with mlflow_pointed_at(mlflow_server.url):
        yield mlflow.MlflowClient(mlflow_server.url, mlflow_server.url)


def _digests(repo) -> dict[str, str]:
    return {"features": repo.dvc_md5("data/features.parquet"),
            "parts": repo.dvc_md5("data/parts")}


def test_eight_training_processes_at_once_lose_and_duplicate_nothing(
        mlflow_server, tracking, _git_dvc_repo_template, tmp_path):
    client = tracking
    repo = copy_repo(_git_dvc_repo_template, tmp_path / "repo")  # one repo, eight jobs in it
    experiment_id = client.create_experiment(f"parallel-{time.time_ns()}")
    model_name = f"parallel-{time.time_ns()}"
    go = tmp_path / "go"
    env = {**repo.env, "DATACOUPLE_JOURNAL_DIR": str(tmp_path / "journal"),
           "PYTHONWARNINGS": "ignore"}
    logs = [tmp_path / f"worker{i}.log" for i in range(WORKERS)]
    workers = []
    for i, log in enumerate(logs):
        with open(log, "wb") as errors:
            workers.append(subprocess.Popen(
                [sys.executable, str(WORKER), mlflow_server.url, experiment_id, model_name,
                 f"worker{i}", str(go)], cwd=repo.root, env=env, stdout=subprocess.PIPE,
                stderr=errors, text=True))
    deadline = time.monotonic() + 300
    while len(list(tmp_path.glob("go.*.ready"))) < WORKERS:  # all imported: now all at once
        assert all(w.poll() is None for w in workers), [log.read_text() for log in logs]
        assert time.monotonic() < deadline, "the workers did not get ready"
        time.sleep(0.05)
    go.touch()
    outputs = [worker.communicate(timeout=600)[0] for worker in workers]
    failed = [log.read_text(errors="replace")[-4000:]
              for worker, log in zip(workers, logs, strict=True) if worker.returncode != 0]
    assert failed == [], "\n".join(failed)
    run_ids = [out.strip().splitlines()[-1] for out in outputs]
    assert len(set(run_ids)) == WORKERS

    # Nothing went to the journal: the server answered every one of them.
    assert pending(tmp_path / "journal") == []

    runs = client.search_runs([experiment_id], max_results=100)
    assert sorted(r.info.run_id for r in runs) == sorted(run_ids)
    digests = _digests(repo)
    committed = {name: (repo.root / "fingerprints" / f"{name}.json").read_bytes()
                 for name in DATASETS}
    for run in runs:
        run_id = run.info.run_id
        assert run.info.status == "FINISHED"
        inputs = sorted((i.dataset.name, i.dataset.digest) for i in run.inputs.dataset_inputs)
        assert inputs == sorted(digests.items())  # each dataset exactly once
        assert run.data.tags["mlflow.note.content"].count(lineage_url(run=run_id)) == 1
        for name in DATASETS:
            assert run.data.tags[f"datacouple.dataset.{name}.digest"] == digests[name]
            history = client.get_metric_history(run_id, f"datacouple.{name}.rows")
            # log_dataset's point, and the one that links the dataset to the logged model a
            # millisecond later (recording.link_logged_model): two, never more.
            assert len(history) == 2, history
            assert len({m.timestamp for m in history}) == 2
            artifact = mlflow.artifacts.download_artifacts(
                run_id=run_id, artifact_path=f"datacouple/fingerprints/{name}.json",
                dst_path=str(tmp_path / "artifacts" / run_id))
            assert Path(artifact).read_bytes() == committed[name]

    versions = client.search_model_versions(f"name='{model_name}'")
    assert sorted(int(v.version) for v in versions) == list(range(1, WORKERS + 1))
    assert sorted(v.run_id for v in versions) == sorted(run_ids)
    registered = client.get_registered_model(model_name)
    by_run = {v.run_id: v.version for v in versions}
    aliases = registered.aliases
    assert aliases == {f"worker{i}": by_run[run_ids[i]] for i in range(WORKERS)}
    for version in versions:
        assert version.description.count(f"model={model_name}/{version.version}") == 1
        model_id = version.source.removeprefix("models:/").split("/")[0]
        used = {(m.dataset_name, m.dataset_digest)
                for m in client.get_logged_model(model_id).metrics or [] if m.dataset_name}
        assert used == set(digests.items())

    # The lineage view (same server) draws one node per dataset version, run and model version.
    status, _, body = mlflow_server.get(f"/datacouple/api/lineage?model={model_name}")
    assert status == 200, body
    graph = json.loads(body)
    kinds = {}
    for node in graph["nodes"]:
        kinds.setdefault(node["kind"], set()).add(node["id"])
    assert kinds["run"] == {f"run:{run_id}" for run_id in run_ids}
    assert len(kinds["model_version"]) == WORKERS
    assert kinds["dataset"] == {f"dataset:{name}@{digest}" for name, digest in digests.items()}


SYNC_RUNS = 6  # two records each: 12 journaled records


def test_two_syncs_at_once_replay_each_of_many_records_once(
        mlflow_server, tracking, _git_dvc_repo_template, tmp_path, monkeypatch):
    """The journal's lock (journal.py) against a real server: two `datacouple sync` started
    together send every record exactly once between them, and the store holds each once."""
    client = tracking
    repo = copy_repo(_git_dvc_repo_template, tmp_path / "repo")
    monkeypatch.chdir(repo.root)
    journal = tmp_path / "journal"
    experiment_id = client.create_experiment(f"sync-{time.time_ns()}")
    run_ids = [client.create_run(experiment_id).info.run_id for _ in range(SYNC_RUNS)]
    versions = {name: dataset_version(name) for name in DATASETS}
    for run_id in run_ids:  # what log_dataset journals while the server is unreachable
        for name in DATASETS:
            write_record(build_record(versions[name], run_id=run_id,
                                      tracking_uri=mlflow_server.url, context="training"),
                         journal)
    assert len(pending(journal)) == 2 * SYNC_RUNS

    env = {**repo.env, "DATACOUPLE_JOURNAL_DIR": str(journal)}
    command = [str(Path(sys.executable).with_name("datacouple")), "sync"]
    syncs = [subprocess.Popen(command, cwd=repo.root, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [process.communicate(timeout=600)[1] for process in syncs]
    assert [process.returncode for process in syncs] == [0, 0], outputs
    sent = sorted(int(line.split()[0]) for output in outputs for line in output.splitlines()
                  if "record(s) sent" in line)
    # One sync held the lock and sent all; the other waited, then found none left. Without
    # the lock both would send (MLflow would hide it: replays are idempotent), so count.
    assert sent == [0, 2 * SYNC_RUNS], outputs
    assert pending(journal) == []

    digests = _digests(repo)
    for run_id in run_ids:
        run = client.get_run(run_id)
        inputs = sorted((i.dataset.name, i.dataset.digest) for i in run.inputs.dataset_inputs)
        assert inputs == sorted(digests.items())
        assert run.data.tags["mlflow.note.content"].count(lineage_url(run=run_id)) == 1
        for name in DATASETS:
            assert len(client.get_metric_history(run_id, f"datacouple.{name}.rows")) == 1
