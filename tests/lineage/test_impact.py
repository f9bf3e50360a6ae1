"""Column-level impact, --evaluate and training-serving skew on the real lineage history of
graph_scenario.py (version 1 -> 2 turns Salary's missing values into 0.0)."""

from __future__ import annotations

import json

import pytest

from datacouple.changes import BREAKING, Change
from datacouple.config import load_config
from datacouple.errors import DatacoupleError
from datacouple.lineage.evaluate import evaluate_versions
from datacouple.lineage.impact import Selection, affected_models, affected_versions, impact
from datacouple.lineage.skew import skew
from lineage.graph_scenario import DATASET


def _salary_change(changes: list[Change]) -> Change:
    (change,) = [c for c in changes if c.kind == "missing_encoding_changed"
                 and c.column == "Salary"]
    return change


def test_impact_names_only_models_whose_signature_has_the_changed_column(lineage_history):
    h = lineage_history
    config = load_config(h.repo.root)
    result = impact(h.store.client, DATASET, config, base="HEAD~1")
    change = _salary_change(result.changes)
    assert change.severity == BREAKING
    # [check] aliases = ["champion", "prod"]: salary v2 (@challenger) does not count.
    affected = {(m["name"], m["version"]): m for m in change.affected_models}
    assert set(affected) == {("salary", "1"), ("unsigned", "1")}  # not `other`: no Salary
    assert affected[("salary", "1")]["aliases"] == ["champion"]
    assert affected[("salary", "1")]["reason"] == "signature input 'Salary'"
    assert affected[("unsigned", "1")]["reason"].startswith("no signature")
    assert result.breaks_a_model


def test_table_level_changes_affect_every_counted_version(lineage_history):
    h = lineage_history
    table_level = Change("row_count_changed", None, "warning", "322 -> 0 rows", dataset=DATASET)
    column = Change("range_changed", "AtBat", "warning", "wider", dataset=DATASET)
    (table, atbat) = affected_models(h.store.client, [table_level, column],
                                     load_config(h.repo.root))
    assert {(m["name"], m["version"]) for m in table.affected_models} == {
        ("salary", "1"), ("other", "1"), ("unsigned", "1")}
    assert {(m["name"], m["version"]) for m in atbat.affected_models} == {
        ("other", "1"), ("unsigned", "1")}


def test_selection_defaults_to_aliased_versions():
    assert Selection().counts({"name": "m", "version": "1", "aliases": ["x"]})
    assert not Selection().counts({"name": "m", "version": "2", "aliases": []})
    models = Selection(models=frozenset({"m"}))
    assert models.counts({"name": "m", "version": "2", "aliases": []})
    assert not models.counts({"name": "n", "version": "1", "aliases": ["x"]})
    both = Selection(models=frozenset({"m"}), aliases=frozenset({"prod"}))
    assert both.counts({"name": "m", "version": "1", "aliases": ["prod"]})
    assert not both.counts({"name": "m", "version": "1", "aliases": ["dev"]})


def test_evaluate_scores_old_and_new_data_row_by_row(lineage_history, monkeypatch):
    h = lineage_history
    monkeypatch.delenv("MLFLOW_ALLOW_PICKLE_DESERIALIZATION", raising=False)  # default: true
    config = load_config(h.repo.root)
    result = impact(h.store.client, DATASET, config, base="HEAD~1")
    results = {(r["name"], r["version"]): r for r in evaluate_versions(
        h.store.client, affected_versions(result.changes), config.datasets[DATASET],
        config.root, "HEAD~1")}
    salary = results[("salary", "1")]
    assert salary["mode"] == "rows" and salary["rows"] == 322
    # 59 of 322 rows had no Salary: the imputer filled in the mean, now they say 0.0.
    assert salary["changed_share"] == pytest.approx(59 / 322, abs=1e-6)
    assert salary["changed"] == 59
    assert salary["mean_abs_change"] > 0
    # Without a signature the whole table goes in, which this model cannot take: reported.
    assert "error" in results[("unsigned", "1")]


def test_evaluate_respects_a_refusal_to_load_models(lineage_history, monkeypatch):
    h = lineage_history
    monkeypatch.setenv("MLFLOW_ALLOW_PICKLE_DESERIALIZATION", "false")
    config = load_config(h.repo.root)
    with pytest.raises(DatacoupleError, match="MLFLOW_ALLOW_PICKLE_DESERIALIZATION"):
        evaluate_versions(h.store.client, [{"name": "salary", "version": "1"}],
                          config.datasets[DATASET], config.root, "HEAD~1")


def test_training_serving_skew(lineage_history):
    h = lineage_history
    config = load_config(h.repo.root)
    trained_on_v1 = skew(h.store.client, "salary@champion", DATASET, config)
    assert trained_on_v1.old.label.startswith(f"salary@champion (trained on {DATASET}@")
    assert _salary_change(trained_on_v1.changes).severity == BREAKING
    trained_on_v2 = skew(h.store.client, "salary@challenger", DATASET, config)
    assert not [c for c in trained_on_v2.changes if c.severity == BREAKING]
    with pytest.raises(DatacoupleError, match="no registered model version"):
        skew(h.store.client, "salary@nobody", DATASET, config)


def test_impact_cli(lineage_history):
    h = lineage_history
    result = h.cli("impact", DATASET, "--base", "HEAD~1", "--format", "json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert set(report) >= {"changes", "summary"}
    (change,) = [c for c in report["changes"]
                 if c["kind"] == "missing_encoding_changed" and c["column"] == "Salary"]
    assert {m["name"] for m in change["affected_models"]} == {"salary", "unsigned"}
    for model in change["affected_models"]:
        assert set(model) >= {"name", "version", "aliases"}
    # Nothing changed since HEAD: nothing affected, exit 0.
    same = h.cli("impact", DATASET)
    assert same.returncode == 0, same.stdout + same.stderr
    unknown = h.cli("impact", "nope")
    assert unknown.returncode == 2 and "nope" in unknown.stderr


def test_impact_cli_evaluate_text(lineage_history):
    h = lineage_history
    result = h.cli("impact", DATASET, "--base", "HEAD~1", "--evaluate")
    assert result.returncode == 1, result.stderr
    text = " ".join(result.stdout.split())
    assert "salary v1" in text and "59 of 322" in text and "(18.3%)" in text
    assert "unsigned v1: no signature" in text


def test_diff_against_model_cli(lineage_history):
    h = lineage_history
    result = h.cli("diff", "--against-model", "salary@champion", DATASET, "--format", "json")
    assert result.returncode == 1, result.stderr
    kinds = {(c["kind"], c["column"]) for c in json.loads(result.stdout)["changes"]}
    assert ("missing_encoding_changed", "Salary") in kinds
    assert h.cli("diff", "--against-model", "salary@challenger", DATASET).returncode == 0
    usage = h.cli("diff", "--against-model", "salary@champion", DATASET, DATASET)
    assert usage.returncode == 2


def test_unequal_row_counts_compare_prediction_distributions():
    """Rows cannot be paired when a version gained or lost rows: the sample is drawn from each
    side on its own and the predictions are compared as distributions."""
    import numpy as np

    from datacouple.lineage.evaluate import _compare_distributions, _samples

    from public_data import islp_frame

    old = islp_frame("Hitters")
    new = old.iloc[:200]
    old_sample, new_sample, mode = _samples(old, new, rows=1000, seed=0)
    assert mode == "distribution" and (len(old_sample), len(new_sample)) == (322, 200)
    again = _samples(old, new, rows=1000, seed=0)
    assert again[1].index.equals(new_sample.index)  # seeded: the same rows every time
    numbers = _compare_distributions(old_sample["Hits"].to_numpy(),
                                     new_sample["Hits"].to_numpy() * 2)
    assert numbers["mean_after"] == pytest.approx(2 * new_sample["Hits"].mean(), rel=1e-6)
    labels = _compare_distributions(np.array(["A", "A", "N", "N"]), np.array(["A"] * 4))
    assert labels == {"total_variation": 0.5}
