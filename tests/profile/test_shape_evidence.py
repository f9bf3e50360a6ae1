"""The evidence clipping, imputation and uniqueness rules read: values at each extreme, the
mode, and the sample of distinct values with their row counts. Exact against pandas on real
data, the same however the rows are batched or partitioned, no raw values for pii columns, and
fingerprints written before it existed still diff."""

from __future__ import annotations

import copy
import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import datacouple
from datacouple.profile.api import assemble
from datacouple.profile.arrow.table import TableProfile
from datacouple.profile.format import DISTINCT_SAMPLE_SIZE, canonical_json

from public_data import islp_frame


def column(document: dict, name: str) -> dict:
    return next(c for c in document["columns"] if c["name"] == name)


def fingerprint(frame) -> dict:
    return datacouple.fingerprint(frame, name="t", progress=False)


@pytest.mark.parametrize("name, columns", [
    ("Default", ["balance", "income"]),
    ("Credit", ["Income", "Limit", "Rating", "Balance"]),
    ("Bikeshare", ["temp", "bikers"]),
])
def test_counts_at_the_extremes_match_pandas(name, columns):
    frame = islp_frame(name)
    document = fingerprint(frame)
    for name_ in columns:
        values = frame[name_].dropna()
        numeric = column(document, name_)["numeric"]
        assert numeric["at_min"] == int((values == values.min()).sum())
        assert numeric["at_max"] == int((values == values.max()).sum())


def test_mode_is_exact_for_counted_domains_and_a_bucket_beyond():
    credit = islp_frame("Credit")
    counts = credit["Rating"].value_counts()
    top = counts[counts == counts.max()].index.min()  # ties go to the smallest value
    mode = column(fingerprint(credit), "Rating")["numeric"]["mode"]
    assert mode == {"count": int(counts.max()), "exact": True, "value": int(top)}

    default = islp_frame("Default")  # 10,000 distinct incomes: beyond the exact domain
    mode = column(fingerprint(default), "income")["numeric"]["mode"]
    assert mode["exact"] is False
    near = default["income"].between(mode["value"] * 0.98, mode["value"] * 1.02).sum()
    assert mode["count"] <= near


def test_distinct_sample_is_the_whole_domain_when_it_is_counted_exactly():
    credit = islp_frame("Credit")
    document = fingerprint(credit)
    for name in ("ID", "Limit", "Rating", "Ethnicity"):
        counts = credit[name].value_counts()
        assert column(document, name)["distinct"]["sample"] == {
            "values": len(counts), "repeated": int((counts > 1).sum())}


def test_distinct_sample_of_a_large_domain_is_a_sample():
    nyse = pd.read_csv(__import__("public_data").islp_csv("NYSE"))
    sample = column(fingerprint(nyse), "date")["distinct"]["sample"]
    assert sample == {"values": DISTINCT_SAMPLE_SIZE, "repeated": 0}
    doubled = column(fingerprint(pd.concat([nyse, nyse])), "date")["distinct"]["sample"]
    assert doubled == {"values": DISTINCT_SAMPLE_SIZE, "repeated": DISTINCT_SAMPLE_SIZE}


def _table() -> pa.Table:
    """Integers and strings past the exact limits, some repeating: strings with few distinct
    values per batch take the profiler's path that hashes each distinct value once."""
    rng = np.random.default_rng(11)
    n = 30_000
    ids = rng.permutation(n)
    ids[:300] = ids[300:600]  # 300 ids repeat
    return pa.table({
        "id": ids,
        "amount": np.round(rng.lognormal(3, 1, n), 1),
        "user": [f"u{v}" for v in rng.integers(0, 50_000, n)],
        "code": [f"c{v}" for v in rng.integers(0, 700, n)],  # ~700 values, heavy repeats
        "clipped": np.minimum(rng.normal(0, 1, n), 1.5),
    })


def _one_pass(table: pa.Table, chunk: int) -> TableProfile:
    profile = TableProfile(table.schema)
    for batch in table.to_batches(max_chunksize=chunk):
        profile.update(batch)
    return profile


def test_the_evidence_does_not_depend_on_batching_or_partitioning():
    table = _table()
    whole = assemble(_one_pass(table, 65_536), name="t", location=None, identity=None)
    small_batches = assemble(_one_pass(table, 700), name="t", location=None, identity=None)
    shuffled = table.take(np.random.default_rng(1).permutation(table.num_rows))
    merged = None
    for start in (0, 40, 9_000, 21_000):  # uneven parts, one under the exact limits
        end = {0: 40, 40: 9_000, 9_000: 21_000, 21_000: table.num_rows}[start]
        part = _one_pass(shuffled.slice(start, end - start), 1_000)
        state = json.loads(json.dumps(part.to_state()))
        part = TableProfile.from_state(table.schema, state)
        if merged is None:
            merged = part
        else:
            merged.merge(part)
    partitioned = assemble(merged, name="t", location=None, identity=None)
    assert canonical_json(whole) == canonical_json(small_batches) == canonical_json(partitioned)
    ids = column(whole, "id")
    assert ids["distinct"]["sample"]["values"] == DISTINCT_SAMPLE_SIZE
    assert 0 < ids["distinct"]["sample"]["repeated"] < 40  # ~1% of ids repeat: ~5 of 512
    assert column(whole, "clipped")["numeric"]["at_max"] == int(
        np.sum(table["clipped"].to_numpy() == 1.5))


def test_pii_columns_keep_counts_but_no_values(tmp_path):
    schema = tmp_path / "credit.yaml"
    schema.write_text("schema_type: dataframe\ncolumns:\n"
                      "  Rating: {dtype: int64, nullable: false, metadata: {pii: true}}\n")
    document = datacouple.fingerprint(islp_frame("Credit"), schema=str(schema), progress=False)
    numeric = column(document, "Rating")["numeric"]
    assert set(numeric["mode"]) == {"count", "exact"}
    assert {"at_min", "at_max"} <= set(numeric) and "min" not in numeric


def _strip(document: dict) -> dict:
    """A fingerprint as written before this evidence existed."""
    old = copy.deepcopy(document)
    for col in old["columns"]:
        col["distinct"].pop("sample", None)
        for key in ("at_min", "at_max", "mode"):
            (col.get("numeric") or {}).pop(key, None)
    return old


def test_fingerprints_without_the_evidence_still_diff_and_claim_nothing_of_it():
    credit = islp_frame("Credit")
    doubled = pd.concat([credit, credit.iloc[:100]], ignore_index=True)
    capped = credit.assign(Balance=credit["Balance"].clip(upper=1200))
    for new in (doubled, capped):
        found = datacouple.diff(_strip(fingerprint(credit)), _strip(fingerprint(new)))
        assert not [c for c in found if c.kind == "uniqueness_lost"]
        mixed = datacouple.diff(_strip(fingerprint(credit)), fingerprint(new))
        assert not [c for c in mixed if c.kind == "uniqueness_lost"]
    # The sketch alone still shows the pile at the new maximum.
    found = datacouple.diff(_strip(fingerprint(credit)), _strip(fingerprint(capped)))
    assert ("range_changed", "Balance", "breaking") in [(c.kind, c.column, c.severity)
                                                        for c in found]
