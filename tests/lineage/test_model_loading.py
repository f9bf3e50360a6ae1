"""Only `impact --evaluate` loads models (docs/security.md): a registered model whose loading
leaves a mark on disk (MLflow "models from code": its file runs when the model is loaded) is
consumed by the dataset that changed; every other command that looks at it leaves no mark."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from lineage.graph_scenario import DATA, DATASET, History
from lineage.lineage_servers import mlflow_pointed_at

MARK_ENV = "DATACOUPLE_TEST_MODEL_LOADED"
MODEL_CODE = f"""\
import os

import mlflow
from mlflow.pyfunc import PythonModel

if os.environ.get("{MARK_ENV}"):  # this file runs when, and only when, the model is loaded
    with open(os.environ["{MARK_ENV}"], "a") as mark:
        mark.write("loaded\\n")


class Salary(PythonModel):
    def predict(self, context, model_input, params=None):
        return model_input["Salary"].fillna(-1.0).to_numpy()


mlflow.models.set_model(Salary())
"""


@pytest.fixture(scope="module")
def marked(lineage_history: History, tmp_path_factory):
    """Copies of the history's repository and store, with `marker` v1 @champion (signature:
    Salary, Years) trained on the current data."""
    import mlflow
    from mlflow.models import infer_signature

    import datacouple

    base = tmp_path_factory.mktemp("model-loading")
    root = base / "repo"
    shutil.copytree(lineage_history.repo.root, root, symlinks=True)
    store = f"sqlite:///{base / 'mlflow.db'}"
    shutil.copy(lineage_history.store.uri.removeprefix("sqlite:///"), base / "mlflow.db")
    code = base / "marker_model.py"
    code.write_text(MODEL_CODE)
    with mlflow_pointed_at(store, cwd=root, keep_env=(MARK_ENV,)):
        os.environ.pop(MARK_ENV, None)
        client = mlflow.MlflowClient(store, store)
        experiment = client.create_experiment("marker", artifact_location=str(base / "art"))
        frame = lineage_history.repo.frame()
        with mlflow.start_run(experiment_id=experiment), warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            datacouple.log_dataset(str(root / DATA), context="training")
            info = mlflow.pyfunc.log_model(
                name="model", python_model=str(code), pip_requirements=[],
                signature=infer_signature(frame[["Salary", "Years"]], frame["Salary"]))
        datacouple.register_model(info.model_uri, "marker", alias="champion")
    mark = base / "loaded.txt"
    env = {**lineage_history.repo.env, "MLFLOW_TRACKING_URI": store, MARK_ENV: str(mark)}

    def cli(*args: str, **extra_env: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(Path(sys.executable).with_name("datacouple")), *args],
                              cwd=root, env={**env, **extra_env}, capture_output=True,
                              text=True, timeout=300)

    return cli, mark


def test_only_impact_evaluate_loads_a_model(marked):
    cli, mark = marked
    impact = cli("impact", DATASET, "--base", "HEAD~1", "--format", "json")
    assert impact.returncode == 1, impact.stderr
    affected = {m["name"] for c in json.loads(impact.stdout)["changes"]
                for m in c["affected_models"]}
    assert "marker" in affected  # it consumes the changed column: the commands look at it
    check = cli("check", "--base", "HEAD~1", "--format", "json")
    assert check.returncode == 1, check.stderr
    assert '"name": "marker"' in check.stdout
    lineage = cli("lineage", "marker", "--format", "json")
    assert lineage.returncode == 0, lineage.stderr
    assert "model_version:marker/1" in lineage.stdout
    skew = cli("diff", "--against-model", "marker@champion", DATASET)
    assert skew.returncode == 0, skew.stderr  # trained on the current data: nothing changed
    assert not mark.exists(), "a command other than impact --evaluate loaded the model"

    refused = cli("impact", DATASET, "--base", "HEAD~1", "--evaluate",
                  MLFLOW_ALLOW_PICKLE_DESERIALIZATION="false")
    assert refused.returncode == 2 and "MLFLOW_ALLOW_PICKLE_DESERIALIZATION" in refused.stderr
    assert not mark.exists()
    evaluate = cli("impact", DATASET, "--base", "HEAD~1", "--evaluate")
    assert evaluate.returncode == 1, evaluate.stderr
    assert "marker v1" in evaluate.stdout
    assert mark.read_text().count("loaded") >= 1  # the one command that loads models did
