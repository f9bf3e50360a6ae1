"""`datacouple demo`, run as a new user would: the real CLI in a subprocess, the real example,
git, DVC, MLflow and the lineage view; then the README's excerpt is checked against what it
printed."""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import threading
import urllib.request
from pathlib import Path

import pytest

from lineage.lineage_servers import free_port

from helpers import CLI, REPO_ROOT, assert_one_line_error, run_cli

README = REPO_ROOT / "README.md"
STORY_END = "The story ran as expected"
STARTUP = 420  # seconds: the story (about a minute) plus a cold MLflow server on a busy CI box


def demo_env() -> dict[str, str]:
    env = {**os.environ, "COLUMNS": "80", "DVC_NO_ANALYTICS": "1"}
    for variable in ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI", "MLFLOW_RUN_ID"):
        env.pop(variable, None)
    return env


def read_until(process: subprocess.Popen, marker: str, timeout: float) -> list[str]:
    """Lines of the process's output up to and including the first that starts with
    `marker`."""
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout] + [
        lines.put(None)], daemon=True).start()
    seen: list[str] = []
    while True:
        line = lines.get(timeout=timeout)
        if line is None:
            raise AssertionError("demo ended early:\n" + "".join(seen))
        seen.append(line)
        if line.startswith(marker):
            return seen


def normalize(text: str) -> str:
    """What differs between runs: the project's path, hashes and run ids (they depend on the
    pyarrow that wrote the Parquet bytes), the duration."""
    text = re.sub(r"project: \S+", "project: <project>", text)
    text = re.sub(r"\b[0-9a-f]{7,40}\b", "<hex>", text)
    text = re.sub(r"in \d+ s\.", "in <n> s.", text)
    return "\n".join(line.rstrip() for line in text.splitlines())


def readme_excerpt() -> str:
    text = README.read_text(encoding="utf-8")
    block = text.split("<!-- demo-output:begin -->", 1)[1].split("<!-- demo-output:end -->")[0]
    return block.strip().removeprefix("```text").removesuffix("```").strip("\n")


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.status, response.read()


def test_demo_tells_the_story_serves_the_view_and_the_readme_shows_its_output(tmp_path):
    project = tmp_path / "story"
    port = free_port()
    process = subprocess.Popen(
        [*CLI, "demo", "--dir", str(project), "--ui", "--port", str(port)], cwd=tmp_path,
        env=demo_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True)
    try:
        lines = read_until(process, "Lineage view: ", STARTUP)
        url = lines[-1].split()[2]
        assert url == f"http://127.0.0.1:{port}/datacouple/lineage"
        status, page = get(url)
        assert status == 200 and b"<html" in page.lower()
        status, body = get(f"http://127.0.0.1:{port}/datacouple/api/lineage"
                           "?model=hitters-veteran")
        graph = json.loads(body)
    finally:
        process.terminate()  # SIGTERM, as a CI timeout or `docker stop` would
        exit_code = process.wait(timeout=60)
    assert exit_code == 0, "".join(lines)
    with pytest.raises(OSError):  # the MLflow server went with it
        get(f"http://127.0.0.1:{port}/health")

    output = "".join(lines)
    story = output[:output.index(STORY_END)] + output[output.index(STORY_END):].split("\n")[0]
    assert "check failed: 1 unacknowledged breaking change affecting hitters-veteran v1" \
        in " ".join(story.split())
    assert "check passed" in story
    # The branch did not retrain: the champion is still the only version, trained on main's data.
    versions = [n for n in graph["nodes"] if n["kind"] == "model_version"]
    assert [(v["name"], v["version"], v["aliases"]) for v in versions] == \
        [("hitters-veteran", "1", ["champion"])]
    log = subprocess.run(["git", "log", "--format=%s", "main..HEAD"], cwd=project,
                         capture_output=True, text=True, check=True).stdout.splitlines()
    assert log == ["Acknowledge the salary band encoding change",
                   "featurize: write unknown salary bands as empty strings"]
    status = subprocess.run(["git", "status", "--porcelain"], cwd=project,
                            capture_output=True, text=True, check=True).stdout
    assert status == "", status  # the demo commits what it writes; local state is ignored

    excerpt = normalize(readme_excerpt())
    assert excerpt in normalize(story), (
        "README.md's demo output differs from what `COLUMNS=80 datacouple demo` prints now:\n"
        + normalize(story))


def test_demo_refuses_a_directory_that_is_not_empty(tmp_path):
    (tmp_path / "precious.txt").write_text("keep me\n")
    result = run_cli("demo", "--dir", str(tmp_path), cwd=tmp_path)
    assert_one_line_error(result, str(tmp_path), "not empty")
    assert [p.name for p in tmp_path.iterdir()] == ["precious.txt"]


def test_demo_project_files_exist_in_the_checkout():
    from datacouple.demo.project import EXAMPLE_FILES, MIGRATION_OLD, example_root

    assert example_root() == REPO_ROOT
    assert all((REPO_ROOT / name).is_file() for name in EXAMPLE_FILES)
    assert MIGRATION_OLD in (REPO_ROOT / "pipelines" / "featurize.py").read_text()


def test_a_missing_tool_is_a_one_line_error(tmp_path):
    """Without git on PATH the demo names it, instead of a traceback."""
    env = demo_env()
    env["PATH"] = str(Path(CLI[0]).parent)  # the venv's tools only: no git
    result = subprocess.run([*CLI, "demo", "--dir", str(tmp_path / "d")], env=env,
                            capture_output=True, text=True, timeout=120)
    assert_one_line_error(result, "`git` is not on PATH")
