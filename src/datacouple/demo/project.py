"""The demo's project: a copy of the bundled example in a fresh git + DVC repository.

The example (pipelines/, schemas/, dvc.yaml, datacouple.toml) lives at the root of the source
checkout, where `make run` reproduces it; the demo copies those files, never the data, the
lock file or the fingerprint, so everything it shows is computed in front of the user.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ..errors import DatacoupleError

EXAMPLE_FILES = ("dvc.yaml", "datacouple.toml", "schemas/features.yaml",
                 "pipelines/fetch_raw.py", "pipelines/featurize.py", "pipelines/train.py")
GITIGNORE = "mlflow.db\nmlruns/\n/.dvc-storage/\n/demo.log\n__pycache__/\n"

# The demo's commits carry a fixed author and dates: the story reads the same on every run.
DEMO_AUTHOR = {"GIT_AUTHOR_NAME": "Dana Feature", "GIT_AUTHOR_EMAIL": "dana@example.com",
               "GIT_COMMITTER_NAME": "Dana Feature", "GIT_COMMITTER_EMAIL": "dana@example.com"}

# The migration: the feature step writes "" where it used to write NULL (None).
MIGRATION_FILE = "pipelines/featurize.py"
MIGRATION_OLD = 'bands.astype(object).where(bands.notna(), None)  # NULL: unknown'
MIGRATION_NEW = 'bands.astype(object).where(bands.notna(), "")  # "": unknown'


def example_root() -> Path:
    """The source checkout holding the example (this package is installed from it)."""
    root = Path(__file__).resolve().parents[3]
    missing = [name for name in EXAMPLE_FILES if not (root / name).is_file()]
    if missing:
        raise DatacoupleError("datacouple demo runs the example of a source checkout "
                              f"({', '.join(missing)} not found next to the package): clone "
                              "the repository and run `make demo` there")
    return root


@dataclass
class DemoProject:
    """A git + DVC repository under `root`; every command's full output goes to `log`."""

    root: Path
    env: dict[str, str]

    @property
    def log(self) -> Path:
        return self.root / "demo.log"

    def run(self, *command: str, check: bool = True, date: str | None = None) -> str:
        """Run a command in the project, log its output, return its stdout."""
        env = dict(self.env)
        if date:
            env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
        try:
            result = subprocess.run(command, cwd=self.root, env=env, capture_output=True,
                                    text=True)
        except FileNotFoundError:
            raise DatacoupleError(f"`{command[0]}` is not on PATH: the demo needs git and DVC "
                                  "(run `make demo`, which installs DVC)") from None
        with self.log.open("a", encoding="utf-8") as log:
            log.write(f"$ {' '.join(command)}\n{result.stdout}{result.stderr}\n")
        if check and result.returncode:
            last = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
            raise DatacoupleError(f"demo step `{' '.join(command)}` failed "
                                  f"({last[0]}); see {self.log}")
        return result.stdout

    def commit(self, message: str, date: str) -> str:
        self.run("git", "add", "-A")
        # A user's commit.gpgsign would stop the demo at a passphrase prompt.
        self.run("git", "-c", "commit.gpgsign=false", "commit", "-q", "-m", message, date=date)
        return self.run("git", "rev-parse", "--short", "HEAD").strip()


def project_env(root: Path) -> dict[str, str]:
    """The environment of the demo's subprocesses: this interpreter's tools first on PATH (DVC
    stages call `python` and `datacouple`), MLflow's sqlite store inside the project."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["MLFLOW_TRACKING_URI"] = f"sqlite:///{root / 'mlflow.db'}"
    env["DVC_NO_ANALYTICS"] = "1"
    env.update(DEMO_AUTHOR)
    for variable in ("MLFLOW_RUN_ID", "MLFLOW_EXPERIMENT_NAME", "MLFLOW_EXPERIMENT_ID",
                     "GIT_DIR", "GIT_WORK_TREE"):
        env.pop(variable, None)
    return env


def create_project(root: Path) -> DemoProject:
    """Copy the example into an empty `root`, then git init, DVC init and a local remote."""
    source = example_root()
    if root.exists() and any(root.iterdir()):
        raise DatacoupleError(f"{root} is not empty: give `datacouple demo --dir` a new or "
                              "empty directory")
    root.mkdir(parents=True, exist_ok=True)
    for name in EXAMPLE_FILES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / name, root / name)
    (root / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    project = DemoProject(root, project_env(root))
    project.log.write_text("", encoding="utf-8")
    project.run("git", "init", "-q", "-b", "main")
    project.run("dvc", "init", "-q")
    project.run("dvc", "config", "core.analytics", "false")
    project.run("dvc", "remote", "add", "-d", "local", ".dvc-storage")  # kept relative
    return project


def apply_migration(project: DemoProject) -> None:
    """The pull request's change to the feature step: NULL becomes ""."""
    path = project.root / MIGRATION_FILE
    text = path.read_text(encoding="utf-8")
    if MIGRATION_OLD not in text:
        raise DatacoupleError(f"the example's {MIGRATION_FILE} no longer contains the line the "
                              f"demo migrates ({MIGRATION_OLD!r})")
    path.write_text(text.replace(MIGRATION_OLD, MIGRATION_NEW), encoding="utf-8")


@contextlib.contextmanager
def inside(project: DemoProject):
    """The in-process commands see the project as a user's shell would: its directory, its
    MLflow store, the demo's git identity. Restored afterwards."""
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    os.environ.clear()
    os.environ.update(project.env)
    os.chdir(project.root)
    try:
        yield
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
