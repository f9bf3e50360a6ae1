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
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import mlflow
import pandas as pd
from mlflow import MlflowClient
from mlflow.data.dataset_source import DatasetSource
from mlflow.data.meta_dataset import MetaDataset
from mlflow.models import infer_signature
from mlflow.types import ColSpec, Schema

import datacouple
from datacouple.fingerprint.model import canonical_json

from public_data import islp_csv

DATASET = "hitters"
DATA = "data/hitters.parquet"
FEATURIZE = """\
import sys
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
    return {**os.environ, "DVC_NO_ANALYTICS": "1", "DVC_SITE_CACHE_DIR": str(base / "dvc-site"),
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


# --------------------------------------------------------------------------- MLflow records


class _DvcLikeSource(DatasetSource):
    """A source whose type and JSON are the contract's `dvc` source (tests only)."""

    def __init__(self, spec: dict):
        self._spec = spec

    @staticmethod
    def _get_source_type() -> str:
        return "dvc"

    def load(self, **kwargs):
        raise NotImplementedError

    @staticmethod
    def _can_resolve(raw_source) -> bool:
        return False

    @classmethod
    def _resolve(cls, raw_source):
        raise NotImplementedError

    def to_dict(self) -> dict:
        return dict(self._spec)

    @classmethod
    def from_dict(cls, source_dict: dict):
        return cls(source_dict)


class _ContractDataset(MetaDataset):
    def __init__(self, source, name, digest, schema, profile: dict):
        super().__init__(source=source, name=name, digest=digest, schema=schema)
        self._contract_profile = profile

    @property
    def profile(self):
        return self._contract_profile

    def to_dict(self) -> dict:
        config = super().to_dict()
        config["profile"] = json.dumps(self._contract_profile, sort_keys=True)
        return config


_TYPES = {"integer": "long", "float": "double", "string": "string", "boolean": "boolean"}


def _log_like_contract(document: dict, repo_root: Path, rev: str | None,
                       context: str = "training") -> None:
    """What `datacouple.log_dataset` records per the lineage contract, with plain mlflow calls,
    until LOG's implementation is merged (then replace this with it)."""
    name, digest = document["dataset"], document["dvc"]["hash"]
    artifact = f"datacouple/fingerprints/{name}.json"
    schema = Schema([ColSpec(_TYPES.get(c["logical_type"], "string"), c["name"],
                             required=not c["missing"].get("null"))
                     for c in document["columns"]])
    missing = {c["name"]: {k: v for k, v in c["missing"].items()
                           if isinstance(v, int) and v} for c in document["columns"]}
    profile = {"format": "datacouple.profile/1", "rows": document["rows"],
               "structural_hash": document["structural_hash"], "fingerprint_artifact": artifact,
               "columns": len(document["columns"]),
               "missing": {k: v for k, v in missing.items() if v}}
    source = _DvcLikeSource({"repo": str(repo_root), "rev": rev, "path": document["path"],
                             "hash": digest})
    mlflow.log_input(_ContractDataset(source, name, digest, schema, profile), context=context)
    with tempfile.TemporaryDirectory() as scratch:
        local = Path(scratch) / f"{name}.json"
        local.write_text(canonical_json(document))
        mlflow.log_artifact(str(local), "datacouple/fingerprints")
    mlflow.set_tags({f"datacouple.dataset.{name}.digest": digest,
                     f"datacouple.dataset.{name}.structural_hash": document["structural_hash"],
                     "datacouple.git.commit": rev or "", "datacouple.git.dirty": "false"})


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
    client = MlflowClient(tracking_uri=uri)
    experiment = client.create_experiment("lineage", artifact_location=str(base / "artifacts"))
    return Store(uri, experiment, client)


def train(store: Store, repo: Repo, rev: str | None, label: str, model_name: str,
          features: list[str] | None, alias: str | None, signature: bool = True) -> str:
    """Fit a tiny real model on the repo's current data, log it like a training step would,
    register it and point `alias` at the new version. The run id."""
    # An imputer in front, so a missing Salary is a mean, not 0.0. MLflow 3.17 saves sklearn
    # models with skops (no pickle) and an allow-list of types.
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import make_pipeline

    frame = repo.frame()
    x, y = frame[features].astype(float), frame[TARGET].astype(float)
    model = make_pipeline(SimpleImputer(), LinearRegression()).fit(x, y)
    previous = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(store.uri)
    try:
        with mlflow.start_run(experiment_id=store.experiment_id, run_name=label) as run:
            _log_like_contract(repo.fingerprint(), repo.root, rev)
            mlflow.sklearn.log_model(
                model, name="model", registered_model_name=model_name,
                skops_trusted_types=["numpy.dtype"],  # the imputer's fitted dtype
                signature=infer_signature(x, model.predict(x)) if signature else None)
    finally:
        mlflow.set_tracking_uri(previous)
    version = max(int(v.version) for v in store.client.search_model_versions(
        f"name = '{model_name}'"))
    if alias:
        store.client.set_registered_model_alias(model_name, alias, str(version))
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

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        """The real `datacouple` command in the repo, against the store."""
        command = [str(Path(sys.executable).with_name("datacouple")), *args]
        env = {**self.repo.env, "MLFLOW_TRACKING_URI": self.store.uri}
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
    train(store, repo, rev1, "salary-v1", "salary", SALARY_FEATURES, "champion")
    train(store, repo, rev1, "other-v1", "other", OTHER_FEATURES, "champion")
    train(store, repo, rev1, "unsigned-v1", "unsigned", OTHER_FEATURES, "prod", signature=False)
    v2 = repo.featurize(FILL_SALARY)
    rev2 = repo.commit("hitters v2: Salary NULL -> 0")
    train(store, repo, rev2, "salary-v2", "salary", SALARY_FEATURES, "challenger")
    return History(repo, store, v1, v2, rev1, rev2)
