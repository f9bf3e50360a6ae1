"""The shape of high-cardinality strings (`string.shape`): patterns, formats, lengths and padding,
on real public data (ISLP's Auto names and NYSE dates kept as text) and generated edge cases.
No value, nor a prefix of one, may reach the fingerprint."""

from __future__ import annotations

import itertools
import json
from collections import Counter

import numpy as np
import pyarrow as pa
import pytest

import datacouple
from datacouple.profile.api import assemble
from datacouple.profile.arrow.columns.shapes import PATTERN_LIMIT, ShapeCounts
from datacouple.profile.arrow.table import TableProfile
from datacouple.profile.format import canonical_json, format_of, length_bucket, pattern_key

from public_data import islp_frame


def column(document: dict, name: str) -> dict:
    return next(c for c in document["columns"] if c["name"] == name)


def shape(document: dict, name: str) -> dict:
    return column(document, name)["string"]["shape"]


def test_dates_kept_as_text_have_one_pattern_and_no_value_is_stored():
    nyse = islp_frame("NYSE")  # 6,051 trading days written "1962-12-03"
    document = datacouple.fingerprint(nyse)
    date = shape(document, "date")
    assert date["patterns"] == {"top": [["9999-99-99", len(nyse)]], "other": 0, "distinct": 1}
    assert date["formats"] == {"top": [["X-X-X", len(nyse)]], "other": 0, "distinct": 1}
    assert date["lengths"] == [[10, len(nyse)]]
    text = canonical_json(document)
    for value in nyse["date"].sample(50, random_state=1):
        assert value not in text and value[:4] + "-" not in text


def test_free_text_names_keep_counts_that_add_up_without_names():
    auto = islp_frame("Auto")
    names = auto["name"]
    profile = shape(datacouple.fingerprint(auto), "name")
    counted = profile["formats"]
    assert sum(count for _, count in counted["top"]) + counted["other"] == len(names)
    assert len(counted["top"]) <= 10
    counts = [count for _, count in counted["top"]]
    assert counts == sorted(counts, reverse=True)
    # Names scatter over 196 patterns (`aaaa aaaaa`, ...): the top 10 hold less than half of
    # the values, so no pattern listing is written; the skeletons (`X X`) hold the structure.
    assert profile["patterns"] is None
    top_formats = dict(profile["formats"]["top"])
    assert top_formats["X X"] == sum(format_of(n) == "X X" for n in names)
    assert sum(count for _, count in profile["lengths"]) == len(names)
    text = canonical_json(datacouple.fingerprint(auto))
    for name in names:
        assert f'"{name}"' not in text
    assert column(datacouple.fingerprint(auto), "name")["categories"] is None


def test_vectorised_patterns_agree_with_the_definition_in_format():
    """The engine's table lookups and the plain functions of format.py are one definition."""
    values = [*islp_frame("Auto")["name"], "José María  x", "\tpadded ", "a\x01b",
              "ünïcödé–dash", "x" * 40, "The quick brown fox, 42 times!", "", "   ",
              "2013-01-01", "01/13/2013", "A12345", "550e8400-e29b-41d4-a716-446655440000"]
    counts = ShapeCounts()
    counts.update(pa.array(values, pa.large_string()), ascii_only=False)
    assert counts.patterns.counts == dict(Counter(pattern_key(v) for v in values))
    assert counts.formats.counts == dict(Counter(format_of(v) for v in values))
    assert counts.lengths.counts == dict(Counter(length_bucket(len(v)) for v in values))
    assert pattern_key("José") == "Aaau" and format_of("550e8400-e29b-41d4") == "X-X-X"


def test_padding_is_counted_and_whitespace_only_values_are_not_padding():
    values = [f"ID{i:05d}" for i in range(300)]
    values[:40] = [f"  ID{i:05d}" for i in range(40)]
    values[40:70] = [f"ID{i:05d} " for i in range(40, 70)]
    values[70:80] = ["   "] * 10  # missing, spelled as blanks
    profile = shape(datacouple.fingerprint(pa.table({"code": values})), "code")
    assert profile["leading_whitespace"] == 40
    assert profile["trailing_whitespace"] == 30
    assert dict(profile["patterns"]["top"])["AA99999"] == 220


def test_low_cardinality_columns_keep_their_domain_and_no_shape():
    wage = datacouple.fingerprint(islp_frame("Wage"))
    assert column(wage, "maritl")["categories"] is not None
    assert "shape" not in column(wage, "maritl")["string"]


def test_pii_strings_keep_only_aggregate_counts(tmp_path):
    rng = np.random.default_rng(5)
    emails = [f"user{n}@example.org" for n in rng.integers(0, 10**6, 500)]
    emails[:3] = ["Odd.Person@Example.ORG", " padded@example.org", "x@y"]
    schema = tmp_path / "people.yaml"
    schema.write_text("schema_type: dataframe\ncolumns:\n"
                      "  email: {dtype: str, nullable: false, metadata: {pii: true}}\n")
    document = datacouple.fingerprint(pa.table({"email": emails}), schema=str(schema))
    profile = shape(document, "email")
    assert "patterns" not in profile and "lengths" not in profile
    # Formats shared by fewer than 10 values fold into "other": none describes one person.
    assert profile["formats"]["top"] == [["X@X.X", 497]]
    assert profile["formats"]["other"] == 3
    assert profile["leading_whitespace"] == 1
    assert "example" not in canonical_json(document)


def test_pattern_levels_give_up_on_too_many_patterns_but_formats_stay():
    rng = np.random.default_rng(7)
    # Product codes in free-form mixed case: almost every value has a pattern of its own.
    words = ["".join(rng.choice(list("aB3"), rng.integers(1, 7))) for _ in range(4000)]
    text = [" ".join(words[i : i + 3]) for i in range(0, 4000, 2)]
    profile = shape(datacouple.fingerprint(pa.table({"note": text})), "note")
    assert len({pattern_key(t) for t in text}) > PATTERN_LIMIT
    assert profile["patterns"] is None
    assert profile["formats"]["top"] == [["X X X", len(text) - 1], ["X X", 1]]


@pytest.mark.parametrize("split", [(0, 700, 1200, 3000), (0, 30, 60, 3000)])
def test_shape_state_merges_like_one_pass_whatever_the_domains_overflow(split):
    """Each partition may still hold an exact domain (its patterns deferred) while their union
    does not: merging seeds the patterns from the domains, so the result equals one pass."""
    codes = [f"{'AB'[i % 2]}{i % 180:04d}" + (" " if i % 17 == 0 else "") for i in range(3000)]
    codes = [None if i % 23 == 0 else code for i, code in enumerate(codes)]
    table = pa.table({"code": pa.array(codes, pa.large_string())})
    whole = TableProfile(table.schema)
    for batch in table.to_batches(max_chunksize=256):
        whole.update(batch)
    merged = None
    for start, end in itertools.pairwise(split):
        part = TableProfile(table.schema)
        for batch in table.slice(start, end - start).to_batches(max_chunksize=97):
            part.update(batch)
        state = TableProfile.from_state(table.schema, json.loads(json.dumps(part.to_state())))
        merged = state if merged is None else (state.merge(merged) or state)
    one = assemble(whole, name="t", location=None, identity=None)
    other = assemble(merged, name="t", location=None, identity=None)
    assert column(one, "code")["string"]["shape"] == column(other, "code")["string"]["shape"]
    assert shape(one, "code")["trailing_whitespace"] == sum(
        1 for c in codes if c is not None and c.endswith(" "))


def test_repeated_values_give_the_same_shape_through_their_distinct_counts():
    """Batches whose values repeat are read off their value counts (one hash pass for the
    distinct count and the shape); batches of unique values off every value: same shape."""
    rng = np.random.default_rng(11)
    codes = np.array([f"{'XY'[i % 2]}-{i:04d}" + " " * (i % 50 == 0) for i in range(300)])
    values = pa.array(codes[rng.zipf(1.3, 20_000) % 300].tolist(), pa.large_string())
    table = pa.table({"code": values})
    shapes = []
    for rows in (5000, 7):  # repeats in each batch / almost none
        profile = TableProfile(table.schema)
        for batch in table.to_batches(max_chunksize=rows):
            profile.update(batch)
        shapes.append(shape(assemble(profile, name="t", location=None, identity=None), "code"))
    assert shapes[0] == shapes[1]
    assert dict(shapes[0]["patterns"]["top"]) == dict(Counter(
        pattern_key(v) for v in values.to_pylist()).most_common(10))
