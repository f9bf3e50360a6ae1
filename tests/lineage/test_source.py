"""DvcDatasetSource: JSON round trip, MLflow's registry (entry point), and `load()` of the exact
version at a git revision, after the data changed in a later commit."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import mlflow
import pytest
from mlflow.data.dataset_source_registry import (
    get_dataset_source_from_json,
    get_registered_sources,
    resolve_dataset_source,
)

import datacouple
from datacouple.dvc import hash_directory
from datacouple.errors import DatacoupleError
from datacouple.lineage.source import DvcDatasetSource

from public_data import islp_frame

SOURCE = {"repo": "https://example.invalid/team/features.git", "rev": "0" * 40,
          "path": "data/features.parquet", "hash": "0555546c53279304c3cab62ce230d656"}


def test_json_round_trip_and_registry():
    source = DvcDatasetSource.from_dict(SOURCE)
    assert source._get_source_type() == "dvc"
    assert json.loads(source.to_json()) == SOURCE
    # Registered through the `mlflow.dataset_source` entry point: MLflow parses it back.
    assert DvcDatasetSource in get_registered_sources()
    assert get_dataset_source_from_json(source.to_json(), "dvc") == source
    assert resolve_dataset_source(dict(SOURCE)) == source


@pytest.mark.parametrize("raw", [
    "s3://bucket/data.parquet", {"repo": "x", "path": "y"}, {**SOURCE, "extra": 1},
    {**SOURCE, "repo": None}, None, ["repo", "rev", "path", "hash"],
])
def test_only_unmistakable_sources_are_claimed(raw):
    assert DvcDatasetSource._can_resolve(raw) is False
    if isinstance(raw, dict):
        with pytest.raises(DatacoupleError, match="not a dvc dataset source"):
            DvcDatasetSource.from_dict(raw)


def _md5(path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def test_load_returns_the_logged_version_after_the_data_changed(git_dvc_repo,
                                                                 mlflow_sqlite_uri, tmp_path):
    repo = git_dvc_repo
    with mlflow.start_run() as run:
        datacouple.log_dataset("features")
        datacouple.log_dataset("parts")
    v1 = {name: repo.dvc_md5(path) for name, path in
          (("features", "data/features.parquet"), ("parts", "data/parts"))}

    # A later commit changes both datasets.
    hitters = islp_frame("Hitters")
    repo.write_features(hitters.iloc[::-1])
    credit = islp_frame("Credit")
    credit["Income"] = credit["Income"] * 1000
    repo.write_parts(credit)
    repo.dvc("add", "-q", "data/features.parquet", "data/parts")
    repo.commit("data v2")
    assert repo.dvc_md5("data/features.parquet") != v1["features"]

    inputs = {i.dataset.name: i for i in
              mlflow.MlflowClient().get_run(run.info.run_id).inputs.dataset_inputs}
    features = mlflow.data.get_source(inputs["features"])
    loaded = features.load(tmp_path / "features-v1")
    assert _md5(tmp_path / "features-v1" / "features.parquet") == v1["features"]
    assert loaded == str(tmp_path / "features-v1" / "features.parquet")

    parts = mlflow.data.get_source(inputs["parts"])
    loaded_dir = parts.load(tmp_path / "parts-v1")
    assert hash_directory(loaded_dir)[0] == v1["parts"]
    assert sorted(p.name for p in (tmp_path / "parts-v1" / "parts").iterdir()) == [
        "part-0.parquet", "part-1.parquet"]


def test_load_fetches_from_the_dvc_remote_when_the_cache_is_gone(git_dvc_repo,
                                                                  mlflow_sqlite_uri):
    repo = git_dvc_repo
    with mlflow.start_run() as run:
        logged = datacouple.log_dataset("features")
    shutil.rmtree(repo.root / ".dvc" / "cache")
    (repo.root / "data" / "features.parquet").unlink()
    (dataset_input,) = mlflow.MlflowClient().get_run(run.info.run_id).inputs.dataset_inputs
    path = mlflow.data.get_source(dataset_input).load()  # a fresh temporary directory
    assert _md5(Path(path)) == logged.digest


def test_load_refuses_a_hash_the_revision_does_not_record(git_dvc_repo):
    repo = git_dvc_repo
    head = repo.git("rev-parse", "HEAD").strip()
    source = DvcDatasetSource(str(repo.root), head, "data/features.parquet", "f" * 32)
    with pytest.raises(DatacoupleError, match="not the logged ffff"):
        source.load()
    missing = DvcDatasetSource(str(repo.root), head, "data/nothing.parquet", "f" * 32)
    with pytest.raises(DatacoupleError, match="does not exist"):
        missing.load()
    nowhere = DvcDatasetSource(str(repo.root.parent / "nowhere"), None, "x.parquet", "f" * 32)
    with pytest.raises(DatacoupleError, match="nowhere"):
        nowhere.load()
