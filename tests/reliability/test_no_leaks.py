"""No leaked values: secrets seeded into `pii` columns and into a high-cardinality string column
appear in no output datacouple produces, and the same search does find a secret put where
values are allowed (a low-cardinality category column), so the search can fail.

The data is ISLP's Credit (400 customers) with secret columns added: every value of them is a
fresh random secret on each run, so nothing can be hard-coded. `email` (pii, one secret per
row), `national_id` (pii, four secrets repeated: without `pii` it would be a category domain),
`account_no` (pii integers, one repeated: the mode), `pin` (pii, one value on every row: its
mean would be that value), `flag_code` (pii, two values: mean, std and the counts at the
extremes would solve for them), `birth_date` (pii dates), `token` (not
pii, one secret per row: high cardinality), and the control, `segment` (not pii, three
`CONTROL-` values repeated: a category domain, allowed to store values). The head branch
changes every secret column (new secrets, "" for missing emails, accounts scaled, tokens
nulled, a new segment) so that every report has changes on them to describe.

Searched, each output by itself: the fingerprint files of both branches; `datacouple diff` in
all four formats; `datacouple check` as markdown and json; `datacouple validate` with failing
checks on pii columns; everything MLflow holds after `log_dataset` and `register_model` (run
params, tags, metric keys, dataset inputs with their digest, source, schema and profile, input
tags, every artifact's bytes, the model version's description and tags); `datacouple lineage`
as json and html; the served lineage page, its graph JSON and its diff JSON from a real
`mlflow server --app-name datacouple`.

A string secret is found if any 12 consecutive characters of it appear; a number if its digits
(the 10 significant ones, as a fingerprint would round them) or its exponent spelling do; a
date if its ISO form does.
"""

from __future__ import annotations

import json
import subprocess
import uuid
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lineage.lineage_servers import mlflow_pointed_at, start_mlflow_server, stop_mlflow_server

from helpers import CLI, GitDvcProject, dvc_command, project_env
from public_data import islp_frame

WINDOW = 12  # characters of a string secret that count as a leak
PII = ("email", "national_id", "account_no", "pin", "flag_code", "birth_date")
SCHEMA = """\
schema_type: dataframe
columns:
  email: {dtype: str, nullable: true, metadata: {pii: true}, str_length: {max_value: 20}}
  national_id: {dtype: str, metadata: {pii: true}, str_length: {max_value: 20}}
  account_no: {dtype: int64, metadata: {pii: true}, less_than: 100}
  pin: {dtype: int64, metadata: {pii: true}}
  flag_code: {dtype: int64, metadata: {pii: true}}
  birth_date: {metadata: {pii: true}}
  token: {dtype: str, nullable: true}
  segment: {dtype: str, isin: [%s]}
"""


def _secret(prefix: str = "SECRET") -> str:
    return f"{prefix}-{uuid.uuid4().hex}"


class Secrets:
    """Every secret value seeded, and the control values, as searchable spellings."""

    def __init__(self):
        self.strings: set[str] = set()
        self.numbers: set[int] = set()
        self.dates: set[str] = set()
        self.controls: set[str] = set()

    def spellings(self) -> dict[int, dict[str, str]]:
        """window length -> {window: the secret it comes from}."""
        found: dict[int, dict[str, str]] = {}
        for secret in self.strings:
            for start in range(len(secret) - WINDOW + 1):
                found.setdefault(WINDOW, {})[secret[start:start + WINDOW]] = secret
        for number in self.numbers:
            # 10 significant digits then two zeros: what survives rounding to 10 digits.
            for spelling in (str(number)[:10], f"{number:.9e}"[:11]):
                found.setdefault(len(spelling), {})[spelling] = str(number)
        for day in self.dates:
            found.setdefault(len(day), {})[day] = day
        return found


def find(text: str, spellings: dict[int, dict[str, str]]) -> set[str]:
    """The secrets any of whose spellings occur in `text`."""
    hits = set()
    for length, windows in spellings.items():
        for start in range(len(text) - length + 1):
            secret = windows.get(text[start:start + length])
            if secret is not None:
                hits.add(secret)
    return hits


# --------------------------------------------------------------------------- the data


def _secret_number(rng: np.random.Generator) -> int:
    """12 digits, of which 10 significant: a fingerprint rounding it to 10 digits keeps it."""
    return int(rng.integers(10**9, 10**10)) * 100


def base_frame(secrets: Secrets, rng: np.random.Generator) -> pd.DataFrame:
    frame = islp_frame("Credit")
    n = len(frame)
    ids = [_secret() for _ in range(4)]
    accounts = [_secret_number(rng) for _ in range(n)]
    accounts[: n // 4] = [accounts[0]] * (n // 4)  # one account repeated: the mode
    codes = [_secret_number(rng) for _ in range(2)]
    days = pd.to_datetime("1940-01-01") + pd.to_timedelta(rng.integers(0, 20000, n), "D")
    controls = [_secret("CONTROL") for _ in range(3)]
    frame = frame.assign(
        email=[_secret() for _ in range(n)],
        national_id=[ids[i % 4] for i in range(n)],
        account_no=accounts,
        pin=_secret_number(rng),
        flag_code=[codes[i % 3 == 0] for i in range(n)],
        birth_date=days.date,
        token=[_secret() for _ in range(n)],
        segment=[controls[i % 3] for i in range(n)],
    )
    _remember(secrets, frame)
    return frame


def migrated(frame: pd.DataFrame, secrets: Secrets, rng: np.random.Generator) -> pd.DataFrame:
    """The head: every secret column changed, with new secrets."""
    head = frame.copy()
    n = len(head)
    head.loc[: n // 10, "email"] = ""  # missing emails written as "" (breaking)
    head.loc[n // 2:, "email"] = [_secret() for _ in range(n - n // 2)]
    head["national_id"] = [_secret() if i % 5 == 0 else v for i, v in enumerate(head.national_id)]
    head["account_no"] = head["account_no"] * 1000  # a unit change (scale_changed)
    head["pin"] = _secret_number(rng)
    codes = [_secret_number(rng) for _ in range(2)]
    head["flag_code"] = [codes[i % 2] for i in range(n)]
    head.loc[: n // 3, "token"] = None
    head.loc[n // 2:, "token"] = [_secret() for _ in range(n - n // 2)]
    head.loc[: n // 8, "segment"] = _secret("CONTROL")  # a new category
    head["birth_date"] = (pd.to_datetime(head["birth_date"])
                          + pd.to_timedelta(rng.integers(1, 400, n), "D")).dt.date
    _remember(secrets, head)
    return head


def _remember(secrets: Secrets, frame: pd.DataFrame) -> None:
    for column in ("email", "national_id", "token"):
        secrets.strings.update(v for v in frame[column].dropna() if v)
    for column in ("account_no", "pin", "flag_code"):
        secrets.numbers.update(int(v) for v in frame[column])
    secrets.dates.update(str(v) for v in frame["birth_date"])
    secrets.controls.update(frame["segment"])


# --------------------------------------------------------------------------- the outputs


class _Constant:  # a pyfunc model: what it predicts does not matter here
    def predict(self, context, model_input, params=None):
        return [0.0] * len(model_input)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """The repository (main: base, branch `migration`: head, both fingerprinted), the secrets,
    and every output, label -> text."""
    secrets, rng = Secrets(), np.random.default_rng()
    base_dir = tmp_path_factory.mktemp("no-leaks")
    repo = GitDvcProject(base_dir / "repo", project_env(base_dir))
    repo.root.mkdir()
    repo.run("git", "init", "-q", "-b", "main")
    repo.run(*dvc_command(), "init", "-q")
    repo.run(*dvc_command(), "config", "core.check_update", "false")
    base = base_frame(secrets, rng)
    allowed = ", ".join(json.dumps(v) for v in sorted(set(base.segment))[:2])
    (repo.root / "schemas").mkdir()
    (repo.root / "schemas" / "customers.yaml").write_text(SCHEMA % allowed)
    (repo.root / "datacouple.toml").write_text(
        '[datasets.customers]\npath = "data/customers.parquet"\n'
        'schema = "schemas/customers.yaml"\n[check]\nbase = "main"\n')
    outputs: dict[str, str] = {}

    repo.save_data("data/customers.parquet", base)
    outputs["fingerprint command (base)"] = _fingerprint(repo)
    repo.commit("customers")
    outputs["fingerprint (base)"] = (repo.root / "fingerprints" / "customers.json").read_text()
    base_copy = base_dir / "base.json"
    base_copy.write_text(outputs["fingerprint (base)"])
    repo.run("git", "checkout", "-q", "-b", "migration")
    repo.save_data("data/customers.parquet", migrated(base, secrets, rng))
    outputs["fingerprint command (head)"] = _fingerprint(repo)
    repo.commit("migrate customers")
    outputs["fingerprint (head)"] = (repo.root / "fingerprints" / "customers.json").read_text()

    for fmt in ("text", "json", "markdown", "github"):
        result = repo.datacouple("diff", "customers@main", "customers", "--format", fmt)
        assert result.returncode == 1, result.stderr  # breaking changes on the secret columns
        outputs[f"diff --format {fmt}"] = result.stdout + result.stderr
    data_diff = repo.datacouple("diff", str(base_copy), "data/customers.parquet")
    outputs["diff FINGERPRINT DATA"] = data_diff.stdout + data_diff.stderr
    validated = repo.datacouple("validate", "customers")
    assert validated.returncode == 1, validated.stdout + validated.stderr
    outputs["validate"] = validated.stdout + validated.stderr

    server = start_mlflow_server(base_dir / "mlflow")
    try:
        outputs.update(_mlflow_outputs(repo, server))
        outputs.update(_lineage_outputs(repo, server))
        # The check, with lineage: the head's breaking changes affect `churn` (no signature).
        for fmt in ("markdown", "json"):
            result = _cli(repo, server, "check", "--base", "main", "--format", fmt)
            assert result.returncode == 1, result.stdout + result.stderr
            outputs[f"check --format {fmt}"] = result.stdout + result.stderr
        assert '"name": "churn"' in outputs["check --format json"]
    finally:
        stop_mlflow_server(server.process)
    return secrets, outputs


def _fingerprint(repo: GitDvcProject) -> str:
    """`datacouple fingerprint customers`: it writes the file and, the pii checks failing by
    design, exits 1 with their counts."""
    result = repo.datacouple("fingerprint", "customers")
    assert result.returncode == 1 and "validation failed" in result.stderr, result.stderr
    return result.stdout + result.stderr


def _log_version(repo: GitDvcProject, branch: str, run_name: str) -> str:
    """Check out `branch` (git and DVC), log the dataset in a run with a model, register it."""
    import mlflow
    from mlflow.pyfunc import PythonModel

    import datacouple

    repo.run("git", "checkout", "-q", branch)
    repo.run(*dvc_command(), "checkout", "-q")
    model = type("Constant", (_Constant, PythonModel), {})()
    with mlflow.start_run(run_name=run_name) as run, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        datacouple.log_dataset("customers", context="training")
        info = mlflow.pyfunc.log_model(name="model", python_model=model, pip_requirements=[])
    datacouple.register_model(f"models:/{info.model_id}", "churn", alias=branch)
    return run.info.run_id


def _mlflow_outputs(repo: GitDvcProject, server) -> dict[str, str]:
    import mlflow
    from mlflow import MlflowClient

    outputs = {}
    with mlflow_pointed_at(server.url, cwd=repo.root):
        mlflow.set_experiment("no-leaks")
        runs = [_log_version(repo, "main", "train-base"),
                _log_version(repo, "migration", "train-head")]
        client = MlflowClient()
        for run_id in runs:
            run = client.get_run(run_id)
            outputs[f"mlflow {run_id} params"] = json.dumps(run.data.params)
            outputs[f"mlflow {run_id} tags"] = json.dumps(run.data.tags)
            outputs[f"mlflow {run_id} metric keys"] = json.dumps(sorted(run.data.metrics))
            for index, dataset_input in enumerate(run.inputs.dataset_inputs):
                dataset = dataset_input.dataset
                outputs[f"mlflow {run_id} dataset {index}"] = json.dumps({
                    "name": dataset.name, "digest": dataset.digest,
                    "source_type": dataset.source_type, "source": dataset.source,
                    "schema": dataset.schema, "profile": dataset.profile,
                    "tags": {tag.key: tag.value for tag in dataset_input.tags}})
            for path in _artifact_files(client, run_id):
                local = mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path=path)
                outputs[f"mlflow {run_id} artifact {path}"] = Path(local).read_bytes().decode(
                    "utf-8", errors="replace")
        for version in client.search_model_versions("name='churn'"):
            outputs[f"model version {version.version}"] = json.dumps({
                "description": version.description, "tags": version.tags,
                "source": version.source})
        registered = client.get_registered_model("churn")
        outputs["registered model"] = json.dumps({"description": registered.description,
                                                  "tags": registered.tags})
    return outputs


def _artifact_files(client, run_id: str, path: str | None = None) -> list[str]:
    files = []
    for entry in client.list_artifacts(run_id, path):
        files += _artifact_files(client, run_id, entry.path) if entry.is_dir else [entry.path]
    return files


def _lineage_outputs(repo: GitDvcProject, server) -> dict[str, str]:
    """`datacouple lineage` (json, html) and what the server's lineage view serves."""
    outputs = {}
    for fmt in ("json", "html"):
        result = _cli(repo, server, "lineage", "customers", "--format", fmt)
        assert result.returncode == 0, result.stderr
        outputs[f"lineage --format {fmt}"] = result.stdout
    graph_status, _, graph = server.get("/datacouple/api/lineage?dataset=customers")
    assert graph_status == 200, graph
    outputs["served graph JSON"] = graph.decode()
    digests = [node["digest"] for node in json.loads(graph)["nodes"]
               if node["kind"] == "dataset"]
    assert len(digests) == 2, digests
    for path in ("/datacouple/lineage?dataset=customers", "/datacouple/lineage?model=churn/2",
                 f"/datacouple/api/diff?dataset=customers&old={digests[0]}&new={digests[1]}",
                 f"/datacouple/api/diff?dataset=customers&old={digests[1]}&new={digests[0]}"):
        status, _, body = server.get(path)
        assert status == 200, (path, body[:500])
        outputs[f"served {path}"] = body.decode()
    return outputs


def _cli(repo: GitDvcProject, server, *args: str) -> subprocess.CompletedProcess:
    """`datacouple ARGS` in the repository, with MLflow's tracking URI on the server."""
    return subprocess.run([*CLI, *args], cwd=repo.root, capture_output=True, text=True,
                          env={**repo.env, "MLFLOW_TRACKING_URI": server.url,
                               "MLFLOW_REGISTRY_URI": server.url}, timeout=180)


# --------------------------------------------------------------------------- the properties


def test_no_secret_appears_in_any_output(seeded):
    secrets, outputs = seeded
    spellings = secrets.spellings()
    leaks = {label: sorted(hits)[:3] for label, text in outputs.items()
             if (hits := find(text, spellings))}
    assert not leaks, f"secret values leaked into: {leaks}"


def test_pii_numbers_with_at_most_two_values_keep_no_moments(seeded):
    """What a text search cannot see: `flag_code`'s two values follow from its mean, std and
    the counts at its extremes, so a pii column like it keeps no mean or std."""
    _, outputs = seeded
    for side in ("base", "head"):
        columns = {c["name"]: c for c in json.loads(outputs[f"fingerprint ({side})"])["columns"]}
        for name in ("pin", "flag_code"):
            numeric = columns[name]["numeric"]
            assert columns[name]["pii"] and numeric["finite"] == 400
            assert (numeric["mean"], numeric["std"]) == (None, None), (side, name, numeric)
        assert columns["account_no"]["numeric"]["mean"] is not None  # many values: kept


def test_every_kind_of_output_was_searched(seeded):
    _, outputs = seeded
    labels = " | ".join(outputs)
    for kind in ("fingerprint (base)", "fingerprint (head)", "diff --format github",
                 "check --format json", "validate", "params", "tags", "dataset 0",
                 "artifact datacouple/lineage.html", "model version", "lineage --format html",
                 "served graph JSON",
                 "served /datacouple/lineage", "served /datacouple/api/diff"):
        assert kind in labels, kind
    # The reports do describe the secret columns (changes on them, without their values).
    report = json.loads(outputs["diff --format json"])
    changed = {change["column"] for change in report["changes"]}
    assert {"email", "account_no", "token"} <= changed, changed
    assert "email" in outputs["validate"] and "account_no" in outputs["validate"]


def test_the_search_finds_values_where_they_are_allowed(seeded):
    """The control: `segment` is a low-cardinality, non-pii category column, whose domain a
    fingerprint stores and whose new value a diff names. The same search finds it."""
    secrets, outputs = seeded
    control = Secrets()
    control.strings = secrets.controls
    spellings = control.spellings()
    for label in ("fingerprint (base)", "fingerprint (head)", "diff --format text",
                  "diff --format json", "diff --format markdown", "diff --format github",
                  "check --format json", "check --format markdown", "validate"):
        assert find(outputs[label], spellings), label
    artifacts = [text for label, text in outputs.items() if " artifact " in label]
    assert any(find(text, spellings) for text in artifacts)
    served_diffs = [text for label, text in outputs.items() if "/api/diff" in label]
    assert all(find(text, spellings) for text in served_diffs)

