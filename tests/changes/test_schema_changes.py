"""schema_changed: declared-schema differences, severities in the spirit of dbt contracts."""

from __future__ import annotations

from pathlib import Path

import pytest

import datacouple
from datacouple.changes import diff_fingerprints as diff

from public_data import islp_frame

BASE = """schema_type: dataframe
columns:
  Income: {dtype: float64, nullable: false, greater_than_or_equal_to: 0}
  Rating: {dtype: int64, nullable: false, in_range: {min_value: 0, max_value: 1000}}
  Ethnicity: {dtype: str, nullable: false, isin: [African American, Asian, Caucasian]}
  Student: {dtype: str, nullable: false}
"""


def schema_diff(tmp_path: Path, old_yaml: str, new_yaml: str):
    frame = islp_frame("Credit")
    (tmp_path / "old.yaml").write_text(old_yaml)
    (tmp_path / "new.yaml").write_text(new_yaml)
    old = datacouple.fingerprint(frame, schema=str(tmp_path / "old.yaml"), name="credit")
    new = datacouple.fingerprint(frame, schema=str(tmp_path / "new.yaml"), name="credit")
    return [c for c in diff(old, new) if c.kind == "schema_changed"]


def only(changes):
    assert len(changes) == 1, [c.message for c in changes]
    return changes[0]


@pytest.mark.parametrize(("old_text", "new_text", "severity", "fragment"), [
    ("greater_than_or_equal_to: 0}", "greater_than_or_equal_to: -100}", "breaking",
     "loosened"),
    ("greater_than_or_equal_to: 0}", "greater_than_or_equal_to: 10}", "info", "tightened"),
    ("max_value: 1000}", "max_value: 5000}", "breaking", "loosened"),
    ("max_value: 1000}", "max_value: 900}", "info", "tightened"),
    ("[African American, Asian, Caucasian]", "[African American, Asian, Caucasian, Other]",
     "breaking", "loosened"),
    ("[African American, Asian, Caucasian]", "[Asian, Caucasian]", "info", "tightened"),
    ("Income: {dtype: float64, nullable: false,", "Income: {dtype: float64, nullable: true,",
     "breaking", "nullable False -> True"),
    ("Student: {dtype: str, nullable: true}".replace("true", "false"),
     "Student: {dtype: str, nullable: false, unique: false}", None, None),
    ("Rating: {dtype: int64,", "Rating: {dtype: float64,", "breaking", "declared dtype"),
    (", greater_than_or_equal_to: 0}", "}", "breaking", "removed"),
])
def test_check_and_constraint_changes(tmp_path, old_text, new_text, severity, fragment):
    assert old_text in BASE
    changes = schema_diff(tmp_path, BASE, BASE.replace(old_text, new_text))
    if severity is None:
        assert changes == []
        return
    change = only(changes)
    assert change.severity == severity
    assert fragment in change.message


def test_dtype_aliases_are_no_change(tmp_path):
    respelled = BASE.replace("Student: {dtype: str,", "Student: {dtype: 'string[python]',")
    assert schema_diff(tmp_path, BASE, respelled) == []


def test_column_removed_and_added(tmp_path):
    removed = BASE.replace("  Student: {dtype: str, nullable: false}\n", "")
    change = only(schema_diff(tmp_path, BASE, removed))
    assert (change.column, change.severity) == ("Student", "breaking")
    change = only(schema_diff(tmp_path, removed, BASE))
    assert (change.column, change.severity) == ("Student", "info")


def test_check_added_is_info(tmp_path):
    added = BASE.replace("Student: {dtype: str, nullable: false}",
                         "Student: {dtype: str, nullable: false, isin: ['No', 'Yes']}")
    change = only(schema_diff(tmp_path, BASE, added))
    assert change.severity == "info" and "added" in change.message


def test_schema_dropped_entirely_is_breaking(tmp_path):
    frame = islp_frame("Credit")
    (tmp_path / "s.yaml").write_text(BASE)
    with_schema = datacouple.fingerprint(frame, schema=str(tmp_path / "s.yaml"))
    without = datacouple.fingerprint(frame)
    change = only([c for c in diff(with_schema, without) if c.kind == "schema_changed"])
    assert change.severity == "breaking"
    change = only([c for c in diff(without, with_schema) if c.kind == "schema_changed"])
    assert change.severity == "info"


def test_content_changed_only_when_nothing_else(tmp_path):
    frame = islp_frame("Credit")
    a = tmp_path / "a.parquet"
    b = tmp_path / "b.parquet"
    frame.to_parquet(a, index=False, compression="snappy")
    frame.to_parquet(b, index=False, compression="gzip")
    old = datacouple.fingerprint(a, name="credit")
    new = datacouple.fingerprint(b, name="credit")
    assert [(c.kind, c.severity) for c in diff(old, new)] == [("content_changed", "info")]
    assert diff(old, old) == []
