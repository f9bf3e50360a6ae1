"""The bundled example, run as a user runs it: `dvc repro` of this repository's pipeline
(raw -> featurize -> fingerprint -> train) in a fresh git + DVC repo, with a real sqlite MLflow
store, ends with a registered, aliased model whose lineage names the features' DVC hash."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import yaml

from helpers import REPO_ROOT, GitDvcProject, dvc_command, project_env

EXAMPLE = ["dvc.yaml", "datacouple.toml", "pipelines", "schemas"]


def test_dvc_repro_trains_registers_and_records_lineage(tmp_path: Path):
    repo = GitDvcProject(tmp_path / "repo", project_env(tmp_path))
    repo.root.mkdir()
    for name in EXAMPLE:
        source = REPO_ROOT / name
        copy = shutil.copytree if source.is_dir() else shutil.copyfile
        copy(source, repo.root / name)
    repo.env = {**repo.env, "MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path / 'mlflow.db'}",
                "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    repo.run("git", "init", "-q")
    repo.run(*dvc_command(), "init", "-q")
    repo.run(*dvc_command(), "repro", "-q")

    # The committed fingerprint is what the pipeline writes: byte for byte.
    written = (repo.root / "fingerprints" / "features.json").read_bytes()
    assert written == (REPO_ROOT / "fingerprints" / "features.json").read_bytes()
    lock = yaml.safe_load((repo.root / "dvc.lock").read_text())
    (features,) = lock["stages"]["featurize"]["outs"]

    result = repo.datacouple("lineage", "hitters-veteran@champion", "--format", "json")
    assert result.returncode == 0, result.stderr
    graph = json.loads(result.stdout)
    datasets = [n for n in graph["nodes"] if n["kind"] == "dataset"]
    assert [d["digest"] for d in datasets] == [features["md5"]]
    (version,) = [n for n in graph["nodes"] if n["kind"] == "model_version"]
    assert version["aliases"] == ["champion"]
    assert "salary_band" in version["signature_inputs"]
