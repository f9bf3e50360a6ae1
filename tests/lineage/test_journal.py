"""The journal against a real `mlflow server` that goes away and comes back on the same port:
nothing is lost while it is down, nothing is duplicated by replaying (twice, or concurrently)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import mlflow
import pytest
from click.testing import CliRunner

import datacouple
from datacouple.cli import main
from datacouple.lineage.journal import journal_dir, pending, read_record, write_record
from datacouple.lineage.links import lineage_url
from datacouple.lineage.records import build_record, dataset_version
from lineage.lineage_servers import free_port, mlflow_pointed_at
from lineage.log_fixtures import ServerProcess


@pytest.fixture(scope="module")
def journal_server(tmp_path_factory):
    """One real tracking server per module (sqlite store, served artifacts); tests stop and
    restart it, and leave it running."""
    server = ServerProcess(tmp_path_factory.mktemp("journal-server"), free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def tracking_server(journal_server, git_dvc_repo):
    if journal_server.process is None:
        journal_server.start()
    with mlflow_pointed_at(journal_server.url):
        yield journal_server


def _new_run(name: str) -> str:
    client = mlflow.MlflowClient()
    experiment_id = client.create_experiment(f"{name}-{time.time_ns()}")
    run = client.create_run(experiment_id)
    client.set_tag(run.info.run_id, "mlflow.note.content", "Trained on the nightly features.")
    return run.info.run_id


def _journal_dir() -> Path:
    return Path(os.environ["DATACOUPLE_JOURNAL_DIR"])


def _assert_logged_once(run_id: str, repo) -> None:
    client = mlflow.MlflowClient()
    run = client.get_run(run_id)
    names = sorted(i.dataset.name for i in run.inputs.dataset_inputs)
    assert names == ["features", "parts"]
    digests = {i.dataset.name: i.dataset.digest for i in run.inputs.dataset_inputs}
    assert digests == {"features": repo.dvc_md5("data/features.parquet"),
                       "parts": repo.dvc_md5("data/parts")}
    for name in ("features", "parts"):
        assert len(client.get_metric_history(run_id, f"datacouple.{name}.rows")) == 1
    tags = run.data.tags
    assert tags["datacouple.dataset.features.digest"] == digests["features"]
    assert tags["datacouple.git.dirty"] == "false"
    note = tags["mlflow.note.content"]
    assert note.startswith("Trained on the nightly features.\n\n")
    assert note.count(lineage_url(run=run_id)) == 1
    local = mlflow.artifacts.download_artifacts(
        run_id=run_id, artifact_path="datacouple/fingerprints/features.json")
    assert Path(local).read_bytes() == (repo.root / "fingerprints" / "features.json").read_bytes()


def _journal_directly(name: str, run_id: str, url: str) -> Path:
    """The record `log_dataset` would journal, written while the server is up (saves a slow
    server restart per test; the restart itself is covered by the first test)."""
    version = dataset_version(name)
    record = build_record(version, run_id=run_id, tracking_uri=url, context="training")
    return write_record(record, _journal_dir())


def test_unreachable_server_journals_and_sync_replays_once(tracking_server, git_dvc_repo):
    run_id = _new_run("journal")
    tracking_server.stop()

    started = time.monotonic()
    logged = datacouple.log_dataset("features", run_id=run_id)
    assert time.monotonic() - started < 30  # a short attempt, not MLflow's minutes of retries
    assert logged.journaled is not None and logged.journaled.parent == _journal_dir()
    cli = CliRunner().invoke(main, ["log", "parts", "--run-id", run_id])
    assert cli.exit_code == 0, cli.output  # journaled: the lineage is not lost
    assert "journaled to" in cli.output
    records = pending(_journal_dir())
    assert len(records) == 2
    record = read_record(logged.journaled)
    assert (record.run_id, record.tracking_uri, record.dataset["digest"]) == (
        run_id, tracking_server.url, logged.digest)
    document = json.loads(logged.journaled.read_text())  # plain JSON, replayable as is
    assert document["format"] == "datacouple.lineage-record/1"
    assert json.loads(document["dataset"]["source"])["hash"] == logged.digest
    assert document["artifacts"]["datacouple/fingerprints/features.json"] == (
        git_dvc_repo.root / "fingerprints" / "features.json").read_text()
    saved = {path.name: path.read_bytes() for path in records}

    still_down = CliRunner().invoke(main, ["sync"])
    assert still_down.exit_code == 1 and "still unreachable" in still_down.output
    assert len(pending(_journal_dir())) == 2  # kept

    tracking_server.start()
    synced = CliRunner().invoke(main, ["sync"])
    assert synced.exit_code == 0, synced.output
    assert "2 record(s) sent" in synced.output
    assert pending(_journal_dir()) == []
    _assert_logged_once(run_id, git_dvc_repo)
    history = mlflow.MlflowClient().get_metric_history(run_id, "datacouple.features.rows")
    assert history[0].timestamp == record.metric["timestamp"]  # the time it was logged

    # The same records again (a replay after a crash between applying and deleting): no
    # duplicate input, metric point, note link or artifact.
    for name, content in saved.items():
        (_journal_dir() / name).write_bytes(content)
    again = CliRunner().invoke(main, ["sync"])
    assert again.exit_code == 0 and "2 record(s) sent" in again.output
    _assert_logged_once(run_id, git_dvc_repo)
    nothing = CliRunner().invoke(main, ["sync"])
    assert nothing.exit_code == 0 and "0 record(s) sent" in nothing.output


def test_two_syncs_at_once_send_each_record_once(tracking_server, git_dvc_repo):
    run_id = _new_run("concurrent")
    for name in ("features", "parts"):
        _journal_directly(name, run_id, tracking_server.url)

    command = [str(Path(sys.executable).with_name("datacouple")), "sync"]
    syncs = [subprocess.Popen(command, cwd=git_dvc_repo.root, stderr=subprocess.PIPE,
                              text=True) for _ in range(2)]
    outputs = [process.communicate(timeout=300)[1] for process in syncs]
    assert [process.returncode for process in syncs] == [0, 0], outputs
    sent = sorted(int(line.split()[0]) for output in outputs for line in output.splitlines()
                  if "record(s) sent" in line)
    assert sent == [0, 2], outputs  # one sync sent both; the other waited, then found none
    _assert_logged_once(run_id, git_dvc_repo)


def test_a_record_for_a_deleted_run_is_kept_and_reported(tracking_server, git_dvc_repo):
    run_id = _new_run("deleted")
    path = _journal_directly("features", run_id, tracking_server.url)
    mlflow.MlflowClient().delete_run(run_id)
    result = CliRunner().invoke(main, ["sync"])
    assert result.exit_code == 1
    assert f"{read_record(path).id}: kept, not applied" in result.output
    assert path.exists()


def test_default_journal_lives_in_the_repo_and_stays_out_of_git(git_dvc_repo, monkeypatch):
    monkeypatch.delenv("DATACOUPLE_JOURNAL_DIR")
    directory = journal_dir()
    assert directory == git_dvc_repo.root / ".datacouple" / "journal"
    version = dataset_version("features")
    record = build_record(version, run_id="0" * 32, tracking_uri="http://127.0.0.1:9",
                          context="training")
    path = write_record(record, directory)
    assert read_record(path).to_dict() == record.to_dict()
    assert git_dvc_repo.git("status", "--porcelain") == ""
