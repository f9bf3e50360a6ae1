"""The demo's story: train a model, break its data in a pull request, watch the check catch it.

Each step prints one line saying what it shows and why it matters, then the command and its
real output. git and DVC run as subprocesses (their output goes to demo.log); the datacouple
commands run in this process through the CLI itself, so MLflow is imported once and the output
shown is exactly what a user typing the command would see.
"""

from __future__ import annotations

import contextlib
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import DatacoupleError
from .project import (
    MIGRATION_FILE,
    MIGRATION_NEW,
    MIGRATION_OLD,
    DemoProject,
    apply_migration,
    create_project,
    inside,
)

MODEL = "hitters-veteran"
BRANCH = "salary-band-as-text"
STEPS = 8
REASON = "the model is retrained on the new encoding before release"


class StoryFailed(DatacoupleError):
    """The story did not go as it should (a command exited differently): exit code 1."""

    exit_code = 1


@dataclass
class Narrator:
    """Prints the story to `out`: numbered steps, the commands, their output."""

    out: Callable[[str], None]
    step_number: int = 0

    def step(self, title: str, why: str) -> None:
        self.step_number += 1
        self.out(f"\n[{self.step_number}/{STEPS}] {title}\n      {why}")

    def command(self, line: str) -> None:
        self.out(f"$ {line}")

    def result(self, line: str) -> None:
        self.out(f"  {line}")


def run_datacouple(*args: str) -> int:
    """One datacouple command, in this process, through the real CLI; returns its exit code."""
    from ..cli import main

    with contextlib.redirect_stderr(sys.stdout):
        try:
            main.main(args=list(args), prog_name="datacouple", standalone_mode=False)
        except SystemExit as exit_:
            return int(exit_.code or 0)
    return 0


def show_datacouple(narrator: Narrator, *args: str, expect: int) -> None:
    narrator.command("datacouple " + " ".join(_quote(arg) for arg in args))
    sys.stdout.flush()
    code = run_datacouple(*args)
    sys.stdout.flush()
    narrator.result(f"(exit code {code})")
    if code != expect:
        raise StoryFailed(f"`datacouple {' '.join(args)}` exited {code}, the story expects "
                          f"{expect}")


def tell(root: Path, out: Callable[[str], None] = print) -> DemoProject:
    """Run the whole story in a fresh project at `root`. Raises StoryFailed when a step does
    not end as the story says it should."""
    started = time.monotonic()
    narrator = Narrator(out)
    narrator.step("A fresh git + DVC repository with a local DVC remote, holding the example",
                  "The example: a feature pipeline over the public Hitters table, and a model "
                  "trained on it.")
    narrator.command("git init; dvc init; dvc remote add -d local .dvc-storage")
    project = create_project(root)
    narrator.result(f"project: {root}")
    with inside(project):
        _tell_in(project, narrator)
    out(f"\nThe story ran as expected in {time.monotonic() - started:.0f} s.")
    return project


def _tell_in(project: DemoProject, narrator: Narrator) -> None:
    """Steps 2 to 8, inside the project (its directory, MLflow store and git identity)."""
    narrator.step("Run the pipeline (featurize -> fingerprint -> train), commit, push",
                  "The fingerprint is committed next to the DVC pointer; MLflow records the "
                  "data's DVC hash.")
    narrator.command("dvc repro && dvc push && git commit")
    ran = stages_run(project.run("dvc", "repro"))
    project.run("dvc", "push", "-q")
    sha = project.commit("Hitters features, their fingerprint and the veteran model",
                         date="2026-11-02T09:30:00+00:00")
    narrator.result(f"stages {ran} ran; commit {sha} on main")

    narrator.step(f"The lineage of {MODEL}@champion: the data it was trained on",
                  "Dataset version (DVC hash) -> run -> registered model version, read from "
                  "MLflow.")
    show_datacouple(narrator, "lineage", f"{MODEL}@champion", expect=0)

    narrator.step("A pull request migrates the feature step: unknown salary bands become \"\"",
                  "DVC sees a new md5 and Pandera still passes: nothing says the model will see "
                  "a new category.")
    narrator.command(f"git switch -c {BRANCH}  # then edit {MIGRATION_FILE}:")
    project.run("git", "switch", "-q", "-c", BRANCH)
    apply_migration(project)
    narrator.result(f"- {MIGRATION_OLD}")
    narrator.result(f"+ {MIGRATION_NEW}")
    narrator.command("dvc repro fingerprint && git commit")
    ran = stages_run(project.run("dvc", "repro", "fingerprint"))
    sha = project.commit("featurize: write unknown salary bands as empty strings",
                         date="2026-11-20T14:05:00+00:00")
    narrator.result(f"stages {ran} ran; commit {sha} on {BRANCH}")
    show_datacouple(narrator, "validate", "features", expect=0)

    narrator.step("The pre-merge check fails, naming the change and the model it breaks",
                  "It diffs main's fingerprints with the branch's and asks MLflow which models "
                  "read the column.")
    show_datacouple(narrator, "check", expect=1)

    narrator.step("Blame: the commit that introduced the change",
                  "Found in the fingerprint's git history, so the reviewer knows whom to ask.")
    show_datacouple(narrator, "blame", "features", "--column", "salary_band", expect=0)

    narrator.step("Impact: how many of the champion's predictions the change moves",
                  "The model scores the same rows of the old data (fetched through DVC) and of "
                  "the new.")
    show_datacouple(narrator, "impact", "features", "--base", "main", "--evaluate", expect=1)

    narrator.step("Acknowledge the change, commit the ack, and the check passes",
                  "The ack records who, when, why and both fingerprints: a different change "
                  "needs a new one.")
    show_datacouple(narrator, "ack", "features", "missing_encoding_changed", "salary_band",
                    "--reason", REASON, expect=0)
    narrator.command("git commit -m 'Acknowledge the salary band encoding change'")
    project.commit("Acknowledge the salary band encoding change",
                   date="2026-11-20T14:20:00+00:00")
    show_datacouple(narrator, "check", expect=0)


def stages_run(dvc_output: str) -> str:
    """The stages `dvc repro` says it ran, as DVC printed them."""
    return ", ".join(re.findall(r"^Running stage '([^']+)'", dvc_output, re.MULTILINE)) or "no"


def _quote(arg: str) -> str:
    return f'"{arg}"' if " " in arg else arg
