"""`log_dataset` / `register_model` against a real sqlite MLflow store and a real git + DVC repo
holding public data (ISLP's Hitters and Credit tables)."""

from __future__ import annotations

import hashlib
import json

import mlflow
import pytest
from click.testing import CliRunner
from mlflow.types import Schema
from sklearn.linear_model import LinearRegression

import datacouple
from datacouple.cli import main
from datacouple.errors import DatacoupleError
from datacouple.lineage.dataset import colspec_schema, mlflow_type
from datacouple.lineage.links import lineage_url
from datacouple.lineage.records import dataset_version
from datacouple.lineage.source import DvcDatasetSource

from public_data import islp_frame


def _only_input(run_id: str):
    run = mlflow.MlflowClient().get_run(run_id)
    (dataset_input,) = run.inputs.dataset_inputs
    return run, dataset_input


def _artifact_text(run_id: str, path: str) -> bytes:
    local = mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path=path)
    with open(local, "rb") as handle:
        return handle.read()


def test_named_dataset_is_logged_with_dvc_identity_source_schema_profile_and_tags(
        git_dvc_repo, mlflow_sqlite_uri):
    repo = git_dvc_repo
    head = repo.git("rev-parse", "HEAD").strip()
    with mlflow.start_run() as run:
        logged = datacouple.log_dataset("features")
    run_id = run.info.run_id
    dvc_md5 = repo.dvc_md5("data/features.parquet")
    assert (logged.digest, logged.name, logged.fingerprint_reused) == (dvc_md5, "features", True)

    run, dataset_input = _only_input(run_id)
    dataset = dataset_input.dataset
    assert (dataset.name, dataset.digest, dataset.source_type) == ("features", dvc_md5, "dvc")
    assert {tag.key: tag.value for tag in dataset_input.tags}["mlflow.data.context"] == "training"

    source = mlflow.data.get_source(dataset_input)
    assert isinstance(source, DvcDatasetSource)
    assert source.to_dict() == {"repo": str(repo.root.resolve()), "rev": head,
                                "path": "data/features.parquet", "hash": dvc_md5}

    committed = (repo.root / "fingerprints" / "features.json").read_bytes()
    fingerprint = json.loads(committed)
    schema = json.loads(dataset.schema)
    parsed = Schema.from_json(json.dumps(schema["mlflow_colspec"]))
    assert parsed.input_names() == [column["name"] for column in fingerprint["columns"]]
    types = {spec["name"]: spec["type"] for spec in schema["mlflow_colspec"]}
    assert types["AtBat"] == "long" and types["League"] == "string"
    required = {spec["name"]: spec["required"] for spec in schema["mlflow_colspec"]}
    assert required["Salary"] is False and required["AtBat"] is True  # 59 salaries are NA

    profile = json.loads(dataset.profile)
    assert profile == {
        "format": "datacouple.profile/1", "rows": 322, "columns": 20,
        "structural_hash": fingerprint["structural_hash"],
        "fingerprint_artifact": "datacouple/fingerprints/features.json",
        "missing": {"Salary": {"null": 59}},
    }
    # Reused, not recomputed: the artifact is the committed file, byte for byte.
    assert _artifact_text(run_id, "datacouple/fingerprints/features.json") == committed
    page = _artifact_text(run_id, "datacouple/lineage.html").decode()
    # The self-contained lineage page of this run: its graph embedded, the dataset on it.
    assert 'type="application/json"' in page and f"dataset:features@{dvc_md5}" in page

    tags = run.data.tags
    assert tags["datacouple.dataset.features.digest"] == dvc_md5
    assert tags["datacouple.dataset.features.structural_hash"] == fingerprint["structural_hash"]
    assert (tags["datacouple.git.commit"], tags["datacouple.git.dirty"]) == (head, "false")
    assert tags["mlflow.note.content"].count(lineage_url(run=run_id)) == 1
    assert run.data.metrics["datacouple.features.rows"] == 322


def test_a_current_fingerprint_is_read_not_recomputed(git_dvc_repo, mlflow_sqlite_uri):
    """A committed fingerprint with a row count the data does not have (321, not 322): only
    reading the file, never the data, can put 321 into MLflow."""
    path = git_dvc_repo.root / "fingerprints" / "features.json"
    marked = json.loads(path.read_bytes())
    marked["rows"] = 321
    datacouple.write_fingerprint(marked, path)
    with mlflow.start_run() as run:
        logged = datacouple.log_dataset("features")
    assert logged.fingerprint_reused
    _, dataset_input = _only_input(run.info.run_id)
    assert json.loads(dataset_input.dataset.profile)["rows"] == 321
    assert _artifact_text(run.info.run_id, "datacouple/fingerprints/features.json") == \
        path.read_bytes()
    assert mlflow.MlflowClient().get_run(run.info.run_id).data.metrics[
        "datacouple.features.rows"] == 321


def test_directory_dataset_digest_is_the_dir_hash(git_dvc_repo, mlflow_sqlite_uri):
    with mlflow.start_run() as run:
        logged = datacouple.log_dataset("data/parts", context="validation")
    _, dataset_input = _only_input(run.info.run_id)
    expected = git_dvc_repo.dvc_md5("data/parts")
    assert expected.endswith(".dir") and len(expected) == 36
    assert (logged.name, dataset_input.dataset.digest) == ("parts", expected)
    assert {tag.key: tag.value for tag in dataset_input.tags}["mlflow.data.context"] == \
        "validation"
    assert json.loads(dataset_input.dataset.profile)["rows"] == 400


def test_stale_fingerprint_is_recomputed_and_the_repo_file_left_alone(git_dvc_repo,
                                                                        mlflow_sqlite_uri):
    repo = git_dvc_repo
    frame = islp_frame("Hitters")
    frame["Salary"] = frame["Salary"] / 1000  # thousands -> millions: a new data version
    repo.write_features(frame)
    repo.dvc("add", "-q", "data/features.parquet")
    committed = (repo.root / "fingerprints" / "features.json").read_bytes()
    with mlflow.start_run() as run:
        logged = datacouple.log_dataset("features")
    new_md5 = repo.dvc_md5("data/features.parquet")
    assert (logged.digest, logged.fingerprint_reused) == (new_md5, False)
    artifact = json.loads(_artifact_text(run.info.run_id,
                                         "datacouple/fingerprints/features.json"))
    assert artifact["dvc"]["hash"] == new_md5 != json.loads(committed)["dvc"]["hash"]
    assert (repo.root / "fingerprints" / "features.json").read_bytes() == committed
    tags = mlflow.MlflowClient().get_run(run.info.run_id).data.tags
    assert tags["datacouple.git.dirty"] == "true"  # data.parquet.dvc changed, not committed


def test_note_is_appended_to_a_user_note(git_dvc_repo, mlflow_sqlite_uri):
    with mlflow.start_run() as run:
        mlflow.set_tag("mlflow.note.content", "Baseline with the **old** features.")
        datacouple.log_dataset("features")
        datacouple.log_dataset("parts")
    note = mlflow.MlflowClient().get_run(run.info.run_id).data.tags["mlflow.note.content"]
    assert note.startswith("Baseline with the **old** features.\n\n")
    assert note.count(f"({lineage_url(run=run.info.run_id)})") == 1


def _train(frame):
    features = frame[["AtBat", "Hits", "Runs"]].astype("float64")
    return LinearRegression().fit(features, frame["Hits"].astype("float64")), features


def test_datasets_used_by_a_model_logged_after_the_dataset(git_dvc_repo, mlflow_sqlite_uri):
    client = mlflow.MlflowClient()
    model, features = _train(islp_frame("Hitters"))
    with mlflow.start_run() as run:
        logged = datacouple.log_dataset("features")  # before the model exists
        info = mlflow.sklearn.log_model(model, name="model", input_example=features.head(2))
    # Not yet linked: log_model copied the run's metric to the model, without its dataset.
    assert _datasets_used(client, info.model_id) == set()

    version = datacouple.register_model(info.model_uri, "hitters", alias="candidate")
    assert version.description.endswith(f"({lineage_url(model=f'hitters/{version.version}')})")
    assert client.get_model_version_by_alias("hitters", "candidate").version == version.version
    assert _datasets_used(client, info.model_id) == {("features", logged.digest)}
    history = client.get_metric_history(run.info.run_id, "datacouple.features.rows")
    assert [point.value for point in history] == [322, 322]  # the link, 1 ms later

    datacouple.register_model(info.model_uri, "hitters")  # again: nothing new
    assert len(client.get_logged_model(info.model_id).metrics) == 2
    assert len(client.get_metric_history(run.info.run_id, "datacouple.features.rows")) == 2


def _datasets_used(client, model_id: str) -> set:
    """What the logged-model page lists under "Datasets used": its metrics' datasets."""
    return {(m.dataset_name, m.dataset_digest) for m in client.get_logged_model(model_id).metrics
            if m.dataset_name and m.dataset_digest}


def test_datasets_used_by_a_model_logged_before_the_dataset(git_dvc_repo, mlflow_sqlite_uri):
    client = mlflow.MlflowClient()
    model, _ = _train(islp_frame("Hitters"))
    with mlflow.start_run():
        info = mlflow.sklearn.log_model(model, name="model")
        logged = datacouple.log_dataset("features")
    (metric,) = client.get_logged_model(info.model_id).metrics
    assert (metric.key, metric.dataset_name, metric.dataset_digest, metric.value) == (
        "datacouple.features.rows", "features", logged.digest, 322)
    version = datacouple.register_model(info.model_uri, "hitters_after")
    assert str(version.version) == "1"
    assert len(client.get_logged_model(info.model_id).metrics) == 1  # nothing to backfill
    assert len(client.get_metric_history(mlflow.last_active_run().info.run_id,
                                         "datacouple.features.rows")) == 1


def test_dataframe_digest_is_the_fingerprint_md5(git_dvc_repo, mlflow_sqlite_uri):
    frame = islp_frame("Credit")
    with mlflow.start_run() as run:
        logged = datacouple.log_dataset(frame, name="credit_frame")
    artifact = _artifact_text(run.info.run_id, "datacouple/fingerprints/credit_frame.json")
    assert logged.digest == hashlib.md5(artifact).hexdigest()
    _, dataset_input = _only_input(run.info.run_id)
    source = mlflow.data.get_source(dataset_input)
    assert (source.hash, source.path) == (None, None)
    with pytest.raises(DatacoupleError, match="in-memory"):
        source.load()


def test_log_without_a_run_is_a_one_line_error(git_dvc_repo, mlflow_sqlite_uri, monkeypatch):
    monkeypatch.delenv("MLFLOW_RUN_ID", raising=False)
    with pytest.raises(DatacoupleError, match="no active MLflow run"):
        datacouple.log_dataset("features")
    result = CliRunner().invoke(main, ["log", "features"])
    assert result.exit_code == 2
    assert "no active MLflow run" in result.output


def test_cli_log_to_an_existing_run(git_dvc_repo, mlflow_sqlite_uri):
    run = mlflow.MlflowClient().create_run(mlflow.get_experiment_by_name(
        "test_cli_log_to_an_existing_run").experiment_id)
    result = CliRunner().invoke(main, ["log", "data/parts", "--run-id", run.info.run_id,
                                       "--context", "evaluation"])
    assert result.exit_code == 0, result.output
    assert git_dvc_repo.dvc_md5("data/parts") in result.output
    _, dataset_input = _only_input(run.info.run_id)
    assert {tag.key: tag.value for tag in dataset_input.tags}["mlflow.data.context"] == \
        "evaluation"
    unknown = CliRunner().invoke(main, ["log", "nope", "--run-id", run.info.run_id])
    assert unknown.exit_code == 2 and "unknown dataset 'nope'" in unknown.output
    no_run = CliRunner().invoke(main, ["log", "features", "--run-id", "0" * 32])
    assert no_run.exit_code == 2, no_run.output
    assert f"cannot log to run {'0' * 32}" in no_run.output


@pytest.mark.parametrize(("logical", "physical", "expected"), [
    ("integer", "int32", {"type": "integer"}),
    ("integer", "uint64", {"type": "long"}),
    ("float", "float", {"type": "float"}),
    ("float", "double", {"type": "double"}),
    ("string", "dictionary<values=string, indices=int32, ordered=0>", {"type": "string"}),
    ("datetime", "timestamp[us, tz=UTC]", {"type": "datetime"}),
    ("date", "date32[day]", {"type": "datetime"}),
    ("decimal", "decimal128(10, 2)", {"type": "double"}),
    ("nested", "list<item: double>", {"type": "array", "items": {"type": "double"}}),
    ("nested", "fixed_size_list<item: float not null>[4]",
     {"type": "array", "items": {"type": "float"}}),
    ("nested", "struct<a: int64, b: string>", {"type": "any"}),
    ("time", "time64[us]", {"type": "any"}),
    ("null", "null", {"type": "any"}),
])
def test_colspec_types_come_from_logical_and_physical_types(logical, physical, expected):
    column = {"name": "c", "logical_type": logical, "physical_type": physical,
              "missing": {"null": 1}}
    assert mlflow_type(column) == expected
    (spec,) = colspec_schema({"columns": [column]})["mlflow_colspec"]
    assert spec["required"] is False
    Schema.from_json(json.dumps([spec]))  # MLflow accepts every spelling we produce


def test_a_remote_url_is_the_source_repo_without_credentials(git_dvc_repo):
    git_dvc_repo.git("remote", "add", "upstream", "https://example.invalid/u.git")
    git_dvc_repo.git("remote", "add", "origin", "https://bot:s3cret@example.invalid/team/f.git")
    source = dataset_version("features").dataset.source
    assert source.repo == "https://example.invalid/team/f.git"
