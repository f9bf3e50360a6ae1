"""An empty pipeline output (or one that collapsed) is breaking, and no message speaks of
sampling where there is no sample: not on an empty table, not on a column with no values."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import datacouple
from datacouple.changes import Thresholds, diff_fingerprints
from datacouple.profile.format import canonical_json

from helpers import run_cli
from public_data import islp_frame


def fingerprint(data):
    return datacouple.fingerprint(data, name="t", progress=False)


def write_empty(frame, directory, kind):
    empty = frame.iloc[0:0]
    if kind == "parquet":
        path = directory / "empty.parquet"
        pq.write_table(pa.Table.from_pandas(empty, preserve_index=False), path)
        return path
    path = directory / "empty.csv"  # the header alone: an Arrow reader infers no types
    empty.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("name", ["Wage", "Carseats", "Hitters"])
@pytest.mark.parametrize("kind", ["memory", "parquet", "csv"])
def test_zero_rows_is_one_breaking_change_and_nothing_else(name, kind, tmp_path):
    frame = islp_frame(name)
    empty = frame.iloc[0:0] if kind == "memory" else write_empty(frame, tmp_path, kind)
    found = diff_fingerprints(fingerprint(frame), fingerprint(empty))
    assert [(c.kind, c.severity) for c in found] == [("row_count_changed", "breaking")]
    assert "no rows" in found[0].message
    assert found[0].evidence == {"old": len(frame), "new": 0, "ratio": 0.0}


def test_an_empty_output_fails_the_cli_diff(tmp_path):
    """The reported case: rows -> 0 rows exited 0 with warnings calling vanished categories
    "rare enough to be sampling"."""
    wage = islp_frame("Wage")
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(canonical_json(fingerprint(wage)))
    new.write_text(canonical_json(fingerprint(wage[wage["age"] > 200])))
    result = run_cli("diff", str(old), str(new), "--format", "json", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["summary"] == {"breaking": 1, "warning": 0, "info": 0}
    assert "sampling" not in result.stdout


def test_a_collapse_is_breaking_and_the_threshold_is_configurable():
    default = islp_frame("Default")
    collapsed = default.sample(n=300, random_state=1)  # 3% of the rows arrive
    old, new = fingerprint(default), fingerprint(collapsed)
    table = [c for c in diff_fingerprints(old, new) if c.column is None]
    assert [(c.kind, c.severity) for c in table] == [("row_count_changed", "breaking")]
    assert "collapsed" in table[0].message
    relaxed = Thresholds.from_config({"thresholds": {"row_ratio_breaking": 0.01}})
    table = [c for c in diff_fingerprints(old, new, relaxed) if c.column is None]
    assert [(c.kind, c.severity) for c in table] == [("row_count_changed", "warning")]


def test_an_empty_old_side_compares_no_statistics():
    wage = islp_frame("Wage")
    found = diff_fingerprints(fingerprint(wage.iloc[0:0]), fingerprint(wage))
    assert [(c.kind, c.severity) for c in found] == [("row_count_changed", "warning")]


def test_structure_is_still_compared_against_an_empty_output():
    wage = islp_frame("Wage")
    empty = wage.iloc[0:0].drop(columns=["race"]).astype({"age": "float64"})
    found = {(c.kind, c.column, c.severity) for c in diff_fingerprints(fingerprint(wage),
                                                                       fingerprint(empty))}
    assert found == {("row_count_changed", None, "breaking"),
                     ("column_removed", "race", "breaking"),
                     ("type_changed", "age", "warning")}


def test_a_column_with_no_values_left_is_never_called_sampling():
    """Three rows arrive and every maritl is missing: no value was drawn, so the vanished
    categories cannot be "rare enough to be sampling"."""
    wage = islp_frame("Wage")
    few = wage.sample(n=3, random_state=2)
    few["maritl"] = pd.Series([None] * 3, dtype="string", index=few.index)
    found = diff_fingerprints(fingerprint(wage), fingerprint(few))
    maritl = [c for c in found if c.column == "maritl" and c.kind == "categories_changed"]
    assert maritl and maritl[0].severity == "breaking"
    assert all("sampling" not in c.message for c in found if c.column == "maritl")


def test_sampling_language_only_with_a_sample_on_both_sides():
    """Every message that says "sampling", over the real-data cases above and a shrinking
    series of samples: both fingerprints had rows, and the column had values on both sides."""
    wage = islp_frame("Wage")
    rng = np.random.default_rng(3)
    for rows in (0, 1, 3, 40, 300):
        new = wage.iloc[rng.permutation(len(wage))[:rows]]
        old_fp, new_fp = fingerprint(wage), fingerprint(new)
        for change in diff_fingerprints(old_fp, new_fp):
            if "sampling" in change.message and "beyond sampling" not in change.message:
                assert rows > 0, change.message
                column = next(c for c in new_fp["columns"] if c["name"] == change.column)
                assert column["count"] > 0, change.message
