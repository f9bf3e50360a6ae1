"""The top-level Python API mirrors the CLI: datacouple.fingerprint / datacouple.diff."""

from __future__ import annotations

import datacouple
from datacouple.changes import Thresholds, to_report

from public_data import islp_frame


def test_diff_accepts_tables_documents_and_files(tmp_path):
    hitters = islp_frame("Hitters")
    imputed = hitters.assign(Salary=hitters["Salary"].fillna(hitters["Salary"].mean()))
    changes = datacouple.diff(hitters, imputed)
    assert [(c.kind, c.column, c.severity) for c in changes] == [
        ("missing_encoding_changed", "Salary", "breaking")]  # NULL -> the mean: imputed
    assert "imputed" in changes[0].message

    document = datacouple.fingerprint(hitters, name="hitters")
    saved = datacouple.write_fingerprint(document, tmp_path / "hitters.json")
    assert datacouple.diff(saved, document) == []
    assert datacouple.diff(str(saved), hitters) == []


def test_thresholds_are_configurable():
    wage = islp_frame("Wage")
    raised = wage.assign(wage=wage["wage"] * 1.3)  # a 30% shift: scale_min_factor is 1.2
    assert "scale_changed" in {c.kind for c in datacouple.diff(wage, raised)}
    relaxed = Thresholds(scale_min_factor=1.5)
    assert "scale_changed" not in {c.kind for c in datacouple.diff(wage, raised, relaxed)}
    report = to_report(datacouple.diff(wage, raised))
    assert set(report["summary"]) == {"breaking", "warning", "info"}
