"""A real lineage history for GRAPH's tests: a git + DVC repository whose `featurize` stage turns
ISLP's public Hitters table into `data/hitters.parquet`, a real sqlite MLflow store, and real
scikit-learn models trained on it, logged (one without a signature), registered and aliased.

Version 1 keeps Salary's missing values; version 2 fills them with 0 (NULL -> value, breaking).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import mlflow
import pandas as pd
from mlflow import MlflowClient
from mlflow.models import infer_signature

import datacouple
from datacouple.lineage.recording import log_dataset, register_model
from lineage.lineage_servers import mlflow_pointed_at

from public_data import islp_csv

DATASET = "hitters"
_URI_VARIABLES = ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI")
DATA = "data/hitters.parquet"
FEATURIZE = """\
import sys
import warnings
import pandas as pd
frame = pd.read_csv(sys.argv[1])
frame = frame.drop(columns=[frame.columns[0]]) if frame.columns[0].startswith("Unnamed") else frame
{transform}
frame.to_parquet(sys.argv[2], index=False)
"""
KEEP_MISSING = "pass"
FILL_SALARY = 'frame["Salary"] = frame["Salary"].fillna(0.0)'


def dvc_command() -> list[str]:
    executable = Path(sys.executable).with_name("dvc")
    return [str(executable)] if executable.exists() else [sys.executable, "-m", "dvc"]


def _env(base: Path) -> dict[str, str]:
    # mlflow.set_tracking_uri / set_registry_uri also export MLFLOW_TRACKING_URI /
    # MLFLOW_REGISTRY_URI, so earlier tests of the session may have left theirs behind.
    inherited = {key: value for key, value in os.environ.items()
                 if key not in _URI_VARIABLES}
    return {**inherited, "DVC_NO_ANALYTICS": "1", "DVC_SITE_CACHE_DIR": str(base / "dvc-site"),
            "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "datacouple tests",
            "GIT_AUTHOR_EMAIL": "tests@datacouple.invalid",
            "GIT_COMMITTER_NAME": "datacouple tests",
            "GIT_COMMITTER_EMAIL": "tests@datacouple.invalid"}


@dataclass
class Repo:
    root: Path
    env: dict[str, str]

    def run(self, *command: str) -> str:
        result = subprocess.run(command, cwd=self.root, env=self.env, capture_output=True,
                                text=True, timeout=300)
        if result.returncode != 0:
            raise AssertionError(f"{' '.join(command)}: {result.stdout}{result.stderr}")
        return result.stdout

    def commit(self, message: str) -> str:
        self.run("git", "add", "-A")
        self.run("git", "commit", "-q", "-m", message)
        return self.run("git", "rev-parse", "HEAD").strip()

    def featurize(self, transform: str) -> str:
        """Rewrite the stage's script, `dvc repro`, refresh the fingerprint; the DVC hash."""
        (self.root / "featurize.py").write_text(FEATURIZE.format(transform=transform))
        self.run(*dvc_command(), "repro", "-q")
        document = datacouple.fingerprint(self.root / DATA, name=DATASET, repo_root=self.root)
        datacouple.write_fingerprint(document, self.root / "fingerprints" / f"{DATASET}.json")
        return document["dvc"]["hash"]

    def fingerprint(self) -> dict:
        return json.loads((self.root / "fingerprints" / f"{DATASET}.json").read_text())

    def frame(self) -> pd.DataFrame:
        return pd.read_parquet(self.root / DATA)


def make_repo(base: Path) -> Repo:
    """git + DVC repo: raw/Hitters.csv -featurize-> data/hitters.parquet, version 1 committed."""
    root = base / "repo"
    root.mkdir(parents=True)
    repo = Repo(root, _env(base))
    repo.run("git", "init", "-q")
    repo.run(*dvc_command(), "init", "-q")
    repo.run(*dvc_command(), "config", "core.check_update", "false")
    (root / "raw").mkdir()
    (root / "data").mkdir()
    shutil.copy(islp_csv("Hitters"), root / "raw" / "Hitters.csv")
    (root / "datacouple.toml").write_text(
        f'[datasets.{DATASET}]\npath = "{DATA}"\n\n[check]\naliases = ["champion", "prod"]\n')
    (root / "featurize.py").write_text(FEATURIZE.format(transform=KEEP_MISSING))
    repo.run(*dvc_command(), "stage", "add", "-q", "-n", "featurize", "-d", "raw/Hitters.csv",
             "-d", "featurize.py", "-o", DATA,
             f"{sys.executable} featurize.py raw/Hitters.csv {DATA}")
    return repo


# --------------------------------------------------------------------------- models

SALARY_FEATURES = ["Salary", "Years", "CHits"]  # Salary: missing in version 1
OTHER_FEATURES = ["Years", "AtBat"]
TARGET = "Runs"


@dataclass
class Store:
    uri: str
    experiment_id: str
    client: MlflowClient
    runs: dict[str, str] = field(default_factory=dict)  # label -> run id


def make_store(base: Path) -> Store:
    uri = f"sqlite:///{base / 'mlflow.db'}"
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)  # not the process-wide registry
    experiment = client.create_experiment("lineage", artifact_location=str(base / "artifacts"))
    return Store(uri, experiment, client)


def train(store: Store, repo: Repo, label: str, model_name: str,
          features: list[str] | None, alias: str | None, signature: bool = True) -> str:
    """Fit a tiny real model on the repo's current data, log it like a training step would,
    register it and point `alias` at the new version. The run id."""
    # An imputer in front, so a missing Salary is a mean, not 0.0. MLflow 3.17 saves sklearn
    # models with skops (no pickle) and an allow-list of types.
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import make_pipeline

    frame = repo.frame()
    x, y = frame[features], frame[TARGET].astype(float)
    model = make_pipeline(SimpleImputer(), LinearRegression()).fit(x, y)
    with mlflow_pointed_at(store.uri):
        with mlflow.start_run(experiment_id=store.experiment_id, run_name=label) as run:
            # LOG's log_dataset, as a training script calls it (the data's path: its repo's
            # datacouple.toml names it `hitters`).
            logged = log_dataset(str(repo.root / DATA), context="training")
            assert (logged.name, logged.journaled) == (DATASET, None)
            with warnings.catch_warnings():  # "integer columns cannot hold missing values":
                warnings.simplefilter("ignore", UserWarning)  # known, and not what is tested
                inferred = infer_signature(x, model.predict(x)) if signature else None
            info = mlflow.sklearn.log_model(
                model, name="model", skops_trusted_types=["numpy.dtype"],  # the imputer's
                signature=inferred)
        register_model(info.model_uri, model_name, alias=alias)
    store.runs[label] = run.info.run_id
    return run.info.run_id


# --------------------------------------------------------------------------- the history


@dataclass
class History:
    repo: Repo
    store: Store
    v1: str  # DVC hashes of the two data versions
    v2: str
    rev1: str
    rev2: str

    def cli(self, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
        """The real `datacouple` command in the repo, against the store."""
        command = [str(Path(sys.executable).with_name("datacouple")), *args]
        env = {**self.repo.env, "MLFLOW_TRACKING_URI": self.store.uri, **(env or {})}
        return subprocess.run(command, cwd=self.repo.root, env=env, capture_output=True,
                              text=True, timeout=300)


def build_history(base: Path) -> History:
    """Version 1 trains `salary` (signature: Salary, Years, CHits; @champion), `other`
    (Years, AtBat; @champion) and `unsigned` (no signature; @prod); version 2 (Salary NULL ->
    0.0) trains `salary` v2 (@challenger). Both versions committed; the work tree is at 2."""
    repo = make_repo(base)
    v1 = repo.featurize(KEEP_MISSING)
    rev1 = repo.commit("hitters v1")
    store = make_store(base)
    train(store, repo, "salary-v1", "salary", SALARY_FEATURES, "champion")
    train(store, repo, "other-v1", "other", OTHER_FEATURES, "champion")
    train(store, repo, "unsigned-v1", "unsigned", OTHER_FEATURES, "prod", signature=False)
    v2 = repo.featurize(FILL_SALARY)
    rev2 = repo.commit("hitters v2: Salary NULL -> 0")
    train(store, repo, "salary-v2", "salary", SALARY_FEATURES, "challenger")
    return History(repo, store, v1, v2, rev1, rev2)
