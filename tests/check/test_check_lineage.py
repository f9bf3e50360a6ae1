"""The check against real lineage: a model trained through `datacouple.log_dataset` and
registered with an alias in a real sqlite MLflow store, then branches that change its data.

Training runs as a pipeline step would: a separate Python process, so MLflow's process-wide
state never leaks into the tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from check_repo import hitters_features, migrate
from helpers import GitDvcProject

TRAIN = textwrap.dedent("""
    import sys

    import mlflow
    import pandas as pd
    from mlflow.models import infer_signature
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    import datacouple

    features = ["AtBat", "Hits", "salary_band"]
    frame = pd.read_parquet("data/features.parquet")
    X, y = frame[features], frame["Years"] >= 6
    model = Pipeline([
        ("prepare", ColumnTransformer([
            ("numbers", "passthrough", ["AtBat", "Hits"]),
            ("band", Pipeline([
                ("missing", SimpleImputer(strategy="constant", fill_value="unknown")),
                ("onehot", OneHotEncoder(handle_unknown="ignore")),
            ]), ["salary_band"]),
        ])),
        ("classify", LogisticRegression(max_iter=1000)),
    ]).fit(X, y)
    mlflow.set_experiment("veterans")
    with mlflow.start_run(run_name="train-veteran"):
        datacouple.log_dataset("features", context="training")
        info = mlflow.sklearn.log_model(model, name="model",
                                        signature=infer_signature(X, model.predict(X)),
                                        skops_trusted_types=["numpy.dtype"])
        datacouple.register_model(info.model_uri, "veteran", alias="champion")
""")


@pytest.fixture(scope="module")
def trained(main_branch: GitDvcProject, tmp_path_factory) -> GitDvcProject:
    """`main` plus a registered model (`veteran@champion`) trained on its features, reading
    AtBat, Hits and salary_band (not Division)."""
    repo = main_branch.copy(tmp_path_factory.mktemp("trained") / "repo")
    store = repo.root.parent / "mlflow.db"
    repo.env = {**repo.env, "MLFLOW_TRACKING_URI": f"sqlite:///{store}"}
    result = subprocess.run([sys.executable, "-c", TRAIN], cwd=repo.root, env=repo.env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return repo


@pytest.fixture
def branch(trained: GitDvcProject, tmp_path: Path) -> GitDvcProject:
    repo = trained.copy(tmp_path / "repo")
    repo.run("git", "checkout", "-q", "-b", "feature/change")
    return repo


def check_json(repo: GitDvcProject) -> tuple[int, dict]:
    result = repo.datacouple("check", "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


def test_null_to_empty_in_a_column_the_model_reads_fails_naming_the_model(branch):
    migrate(branch)
    code, report = check_json(branch)
    assert code == 1
    assert report["lineage"]["available"] is True
    (change,) = [c for c in report["changes"] if c["kind"] == "missing_encoding_changed"]
    assert change["column"] == "salary_band" and change["blocking"] is True
    (model,) = change["affected_models"]
    assert (model["name"], model["version"], model["aliases"]) == ("veteran", "1", ["champion"])
    text = branch.datacouple("check").stdout
    assert "veteran v1 (@champion)" in text


def test_a_breaking_change_no_model_reads_is_reported_and_passes(branch):
    renamed = hitters_features()
    renamed["Division"] = renamed["Division"].map({"E": "East", "W": "West"})
    branch.save_data("data/features.parquet", renamed)
    branch.fingerprint("features")
    branch.commit("spell divisions out")
    code, report = check_json(branch)
    assert code == 0
    (change,) = [c for c in report["changes"] if c["kind"] == "categories_changed"]
    assert change["column"] == "Division" and change["severity"] == "breaking"
    assert change["affected_models"] == [] and change["blocking"] is False


def test_only_configured_models_count(branch):
    """`[check] models` names the registered models that count: the veteran model is not
    among them, so its broken input does not fail the check."""
    config = branch.root / "datacouple.toml"
    config.write_text(config.read_text() + 'models = ["some-other-model"]\n')
    migrate(branch)
    code, report = check_json(branch)
    assert code == 0
    (change,) = [c for c in report["changes"] if c["kind"] == "missing_encoding_changed"]
    assert change["affected_models"] == []


def test_impact_evaluate_measures_changed_predictions(branch):
    migrate(branch)
    result = branch.datacouple("impact", "features", "--base", "main", "--evaluate",
                               "--format", "json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    (evaluation,) = report["evaluation"]
    assert evaluation["name"] == "veteran"
    assert evaluation.get("changed_share", 0) > 0, evaluation
