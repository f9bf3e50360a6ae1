"""A fingerprint diffed with itself yields no change, and a fingerprint survives JSON."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import given

import datacouple
from datacouple.profile.format import canonical_json

from arrow_strategies import arrow_tables, property_settings


@property_settings(max_examples=80)
@given(arrow_tables())
def test_a_fingerprint_diffed_with_itself_has_no_change(table: pa.Table):
    document = datacouple.fingerprint(table)
    assert datacouple.diff(document, document) == []
    # A fresh computation is the same document, so no change either.
    assert datacouple.diff(document, datacouple.fingerprint(table)) == []


@property_settings(max_examples=80)
@given(arrow_tables())
def test_fingerprint_json_round_trips(tmp_path_factory, table: pa.Table):
    document = datacouple.fingerprint(table)
    path = tmp_path_factory.mktemp("roundtrip") / "fingerprint.json"
    datacouple.write_fingerprint(document, path)
    loaded = datacouple.load_fingerprint(path)
    assert loaded == document
    assert canonical_json(loaded) == path.read_text(encoding="utf-8")
    assert datacouple.diff(loaded, document) == []
