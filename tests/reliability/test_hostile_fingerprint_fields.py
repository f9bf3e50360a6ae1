"""Every field of a fingerprint, hand-edited to a value of the wrong kind: reading the file
refuses it (DatacoupleError: exit 2, one line), or the diff rules handle it. Never a crash in a
rule. Fingerprints of real data (ISLP's Hitters) and of a generated table with the sections
Hitters lacks (high-cardinality strings, timestamps, lists)."""

from __future__ import annotations

import contextlib
import copy
import json

import numpy as np
import pandas as pd
import pytest

import datacouple
from datacouple.changes import diff_fingerprints
from datacouple.errors import DatacoupleError
from datacouple.profile.format import parse_fingerprint, structural_hash

from public_data import hitters_features

WRONG = ([], {}, "x", -1, 10**30, None, True, 1.5)


def _generated() -> pd.DataFrame:
    rows = 3000
    return pd.DataFrame({
        "id": [f"A{i:05d}" for i in range(rows)],
        "at": pd.date_range("2020-01-01", periods=rows, freq="h"),
        "embedding": [[1.0, 2.0]] * rows,
        "x": np.arange(rows) * 1.5,
    })


def _leaves(node, path=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(node, list) and any(isinstance(item, dict | list) for item in node):
        for index, value in enumerate(node):
            yield from _leaves(value, (*path, index))
    else:
        yield path


@pytest.mark.parametrize("table", [hitters_features, _generated], ids=["hitters", "generated"])
def test_no_hand_edited_field_crashes_a_rule(table):
    base = datacouple.fingerprint(table(), name="t")
    crashes = []
    for path in _leaves(base):
        for wrong in WRONG:
            edited = copy.deepcopy(base)
            parent = edited
            for key in path[:-1]:
                parent = parent[key]
            parent[path[-1]] = wrong
            if path[0] == "columns":  # a careful editor also fixes the hash (where one can)
                with contextlib.suppress(Exception):
                    edited["structural_hash"] = structural_hash(edited["columns"])
            try:
                document = parse_fingerprint(json.dumps(edited), "edited.json")
            except DatacoupleError as refused:
                assert "\n" not in str(refused)
                continue
            for old, new in ((base, document), (document, base)):
                try:
                    diff_fingerprints(old, new)
                except Exception as error:  # what the test looks for
                    crashes.append((path, wrong, repr(error)))
    assert crashes == []


def test_an_untouched_fingerprint_reads_back_and_diffs_to_nothing():
    """The quiet counterpart: the checks refuse nothing datacouple itself writes."""
    for table in (hitters_features, _generated):
        document = datacouple.fingerprint(table(), name="t")
        text = datacouple.profile.format.canonical_json(document)
        assert parse_fingerprint(text, "t.json") == json.loads(text)
        assert [c.kind for c in diff_fingerprints(document, parse_fingerprint(text, "t"))] == []
