"""The real `datacouple` console script on real files: outputs, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from helpers import CLI, REPO_ROOT, assert_one_line_error
from helpers import run_cli as run
from public_data import islp_csv, islp_frame


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A repo-like folder with a configured dataset (the public Credit table) and a schema."""
    (tmp_path / "data").mkdir()
    islp_frame("Credit").to_parquet(tmp_path / "data" / "credit.parquet", index=False)
    (tmp_path / "schemas").mkdir()
    (tmp_path / "datacouple.toml").write_text(
        '[datasets.credit]\npath = "data/credit.parquet"\nschema = "schemas/credit.yaml"\n'
    )
    result = run("infer", "data/credit.parquet", "-o", "schemas/credit.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return tmp_path


def test_fingerprint_a_named_dataset_writes_the_configured_file(project: Path):
    result = run("fingerprint", "credit", cwd=project)
    assert result.returncode == 0, result.stderr
    document = json.loads((project / "fingerprints" / "credit.json").read_text())
    assert document["dataset"] == "credit"
    assert document["path"] == "data/credit.parquet"
    assert document["validation"] == {"valid": True, "failures": []}
    assert document["schema"]["source"] == "schemas/credit.yaml"
    assert "credit: 400 rows" in result.stderr


def test_fingerprint_a_path_prints_to_stdout(project: Path):
    result = run("fingerprint", str(islp_csv("Carseats")), cwd=project)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["rows"] == 400


def test_validation_failure_exits_1_and_still_records_it(project: Path):
    frame = islp_frame("Credit")
    frame.loc[:4, "Ethnicity"] = "Atlantis"  # outside the inferred domain
    frame.to_parquet(project / "data" / "credit.parquet", index=False)
    result = run("fingerprint", "credit", cwd=project)
    assert result.returncode == 1
    document = json.loads((project / "fingerprints" / "credit.json").read_text())
    failures = document["validation"]["failures"]
    assert {k: failures[0][k] for k in ("column", "count")} == {"column": "Ethnicity", "count": 5}
    validate = run("validate", "credit", cwd=project)
    assert validate.returncode == 1
    assert "Ethnicity" in validate.stdout


def wide_validate(project: Path) -> subprocess.CompletedProcess:
    """`datacouple validate credit` on a terminal wide enough that no table cell wraps."""
    return subprocess.run([*CLI, "validate", "credit"], cwd=project, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "COLUMNS": "160"})


def test_validate_shows_failing_values_but_never_of_pii_columns(project: Path):
    frame = islp_frame("Credit")
    frame["Income"] = frame["Income"].astype(str)  # a migration wrote the numbers as text
    frame.loc[:2, "Ethnicity"] = "Atlantis"
    frame.to_parquet(project / "data" / "credit.parquet", index=False)
    result = wide_validate(project)
    assert result.returncode == 1
    rows = [[cell.strip() for cell in line.split("│")[1:-1]]
            for line in result.stdout.splitlines() if line.count("│") == 5]
    (income,) = [row for row in rows if row[:2] == ["Income", "dtype('float64')"]]
    assert income[2] == "400"  # every row, not 1
    assert income[3].startswith(f'"{frame.loc[0, "Income"]}", ')
    (ethnicity,) = [row for row in rows if row[0] == "Ethnicity"]
    assert ethnicity[2:] == ["3", '"Atlantis"']
    # Marked pii, the same failures keep their counts and lose their values.
    schema = project / "schemas" / "credit.yaml"
    text = schema.read_text(encoding="utf-8")
    schema.write_text(text.replace("  Income:\n", "  Income:\n    metadata: {pii: true}\n"),
                      encoding="utf-8")
    result = wide_validate(project)
    assert result.returncode == 1
    income_lines = [line for line in result.stdout.splitlines() if "Income" in line]
    assert any("dtype('float64')" in line and " 400 " in line for line in income_lines)
    assert not any(frame.loc[0, "Income"] in line for line in income_lines)


def test_validate_passes_on_good_data(project: Path):
    result = run("validate", "credit", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr


def test_missing_file(project: Path):
    assert_one_line_error(run("fingerprint", "nope.parquet", cwd=project), "nope.parquet")


def test_unknown_dataset_name(project: Path):
    assert_one_line_error(run("fingerprint", "features", cwd=project),
                          "unknown dataset 'features'", "credit")


def test_truncated_parquet_writes_nothing(project: Path):
    data = (project / "data" / "credit.parquet").read_bytes()
    broken = project / "broken.parquet"
    broken.write_bytes(data[: len(data) // 2])
    result = run("fingerprint", "broken.parquet", "-o", "out.json", cwd=project)
    assert_one_line_error(result, "broken.parquet", "Parquet")
    assert not (project / "out.json").exists()


def test_ragged_csv(project: Path):
    ragged = project / "ragged.csv"
    ragged.write_text("a,b,c\n1,2,3\n4,5\n6,7,8\n")
    assert_one_line_error(run("fingerprint", "ragged.csv", cwd=project), "ragged CSV")


def test_unsafe_schema_yaml_is_refused(project: Path):
    marker = project / "pwned"
    (project / "evil.yaml").write_text(
        f'!!python/object/apply:os.system ["touch {marker}"]\n'
    )
    result = run("fingerprint", "credit", "--schema", "evil.yaml", cwd=project)
    assert_one_line_error(result, "evil.yaml")
    assert not marker.exists()


def test_invalid_schema_yaml(project: Path):
    (project / "bad.yaml").write_text("columns: [unclosed\n")
    assert_one_line_error(run("validate", "credit", "--schema", "bad.yaml", cwd=project),
                          "bad.yaml")


def test_schema_column_missing_from_data(project: Path):
    schema = (project / "schemas" / "credit.yaml").read_text()
    (project / "schemas" / "credit.yaml").write_text(
        schema.replace("columns:\n", "columns:\n  loyalty_tier:\n    dtype: str\n", 1)
    )
    result = run("fingerprint", "credit", "-o", "out.json", cwd=project)
    assert_one_line_error(result, "loyalty_tier")
    assert not (project / "out.json").exists()


def test_output_is_replaced_atomically(project: Path):
    target = project / "fingerprints" / "credit.json"
    assert run("fingerprint", "credit", cwd=project).returncode == 0
    before = target.read_text()
    assert run("fingerprint", "nope", "-o", str(target), cwd=project).returncode == 2
    assert target.read_text() == before
    assert not [p for p in target.parent.iterdir() if p.name.endswith(".tmp")]


def test_inferred_schema_round_trips(project: Path):
    text = (project / "schemas" / "credit.yaml").read_text()
    assert "Ethnicity" in text and "isin" in text
    other = project / "copy.csv"
    shutil.copy(islp_csv("Credit"), other)
    pd.read_csv(other)  # the raw CSV is the same table
    assert run("validate", "copy.csv", "--schema", "schemas/credit.yaml",
               cwd=project).returncode == 0


def test_every_command_is_documented():
    """Each command has help text and appears in the README (sqlite-utils style)."""
    from datacouple.cli import main

    readme = (REPO_ROOT / "README.md").read_text()
    for name, command in main.commands.items():
        assert command.help, name
        assert f"datacouple {name}" in readme, name
