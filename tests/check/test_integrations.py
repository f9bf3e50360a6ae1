"""The CI integrations, run for real: the GitHub Action's shell steps in a shallow clone, the
pre-commit hook's definition, and the DVC stage template under `dvc repro`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from check_repo import hitters_features, migrate
from helpers import REPO_ROOT, GitDvcProject, dvc_command, project_env

ACTION = yaml.safe_load((REPO_ROOT / "action.yml").read_text())
STEPS = {step.get("id"): step for step in ACTION["runs"]["steps"]}


def run_step(step_id: str, cwd: Path, env: dict[str, str], inputs: dict[str, str],
             outputs: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """One `run:` step of the composite action in bash, its `${{ ... }}` expressions filled
    in as the runner would."""
    step = STEPS[step_id]
    values = {f"inputs.{k}": v for k, v in inputs.items()}
    values.update({f"steps.{k}": v for k, v in (outputs or {}).items()})

    def fill(text: str) -> str:
        return re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", lambda m: values.get(m.group(1), ""), text)

    step_env = {**env, **{k: fill(v) for k, v in step.get("env", {}).items()}}
    return subprocess.run(["bash", "-e", "-c", fill(step["run"])], cwd=cwd, env=step_env,
                          capture_output=True, text=True, timeout=180)


def github_outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


def test_the_action_fetches_the_base_of_a_shallow_clone_and_fails_the_pull_request(
        main_branch: GitDvcProject, tmp_path: Path):
    origin = main_branch.copy(tmp_path / "origin")
    origin.run("git", "checkout", "-q", "-b", "feature/migration")
    migrate(origin)
    clone = tmp_path / "workspace"
    subprocess.run(["git", "clone", "-q", "--depth", "1", "--branch", "feature/migration",
                    f"file://{origin.root}", str(clone)], check=True, env=origin.env)
    summary, output = tmp_path / "summary.md", tmp_path / "output"
    env = {**origin.env, "GITHUB_BASE_REF": "main", "GITHUB_STEP_SUMMARY": str(summary),
           "GITHUB_OUTPUT": str(output), "MLFLOW_TRACKING_URI": "http://127.0.0.1:9",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    inputs = {"base": "", "working-directory": ".", "tracking-uri": ""}

    fetched = run_step("base", clone, env, inputs)
    assert fetched.returncode == 0, fetched.stderr
    base = github_outputs(output)["base"]
    assert base == "origin/main"

    checked = run_step("check", clone, env, inputs, {"base.outputs.base": base})
    assert checked.returncode == 1, checked.stderr
    assert "check failed" in summary.read_text()
    assert "missing_encoding_changed" in summary.read_text()
    assert "::error title=datacouple check::check failed" in checked.stdout
    assert github_outputs(output)["passed"] == "false"


def test_the_pre_commit_hook_runs_the_check_on_data_files_only():
    (hook,) = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "datacouple-check"
    assert hook["entry"] == "datacouple check" and hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    for path in ("fingerprints/features.json", "data/features.parquet.dvc", "dvc.lock",
                 "datacouple.toml", "datacouple.acks.toml", "sub/dvc.lock"):
        assert files.search(path), path
    for path in ("src/model.py", "README.md", "data/features.parquet"):
        assert not files.search(path), path


def test_the_dvc_stage_template_writes_a_committed_fingerprint(tmp_path: Path):
    repo = GitDvcProject(tmp_path / "repo", project_env(tmp_path))
    repo.root.mkdir()
    repo.run("git", "init", "-q")
    repo.run(*dvc_command(), "init", "-q")
    (repo.root / "data").mkdir()
    hitters_features().to_parquet(repo.root / "data" / "features.parquet", index=False)
    (repo.root / "schemas").mkdir()
    assert repo.datacouple("infer", "data/features.parquet", "-o",
                           "schemas/features.yaml").returncode == 0
    (repo.root / "datacouple.toml").write_text(
        '[datasets.features]\npath = "data/features.parquet"\n'
        'schema = "schemas/features.yaml"\n')
    (repo.root / "dvc.yaml").write_text(
        (REPO_ROOT / "templates" / "dvc-fingerprint-stage.yaml").read_text())
    env_path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    repo.env = {**repo.env, "PATH": env_path}
    repo.run(*dvc_command(), "repro", "-q")
    assert (repo.root / "fingerprints" / "features.json").is_file()
    lock = yaml.safe_load((repo.root / "dvc.lock").read_text())
    (out,) = lock["stages"]["fingerprint_features"]["outs"]
    assert out["path"] == "fingerprints/features.json"
    ignored = repo.run("git", "check-ignore", "fingerprints/features.json", check=False)
    assert ignored.returncode == 1  # not git-ignored: git commits it with the code
