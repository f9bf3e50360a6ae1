"""Loading declared schemas (YAML and module:attr): errors that say what to fix, and `pii`
metadata that pandera would drop."""

from __future__ import annotations

import pandera.pandas as pa
import pytest

from datacouple.errors import DatacoupleError
from datacouple.schema.inference import write_schema_yaml
from datacouple.schema.loading import load_schema

from schema_helpers import declared, write

# ---- loading errors ----------------------------------------------------------------------


def test_python_tags_in_yaml_are_refused_and_never_run(tmp_path):
    marker = tmp_path / "executed"
    write(tmp_path / "evil.yaml", f"""\
        columns:
          x: !!python/object/apply:os.system ["touch {marker}"]
        """)
    with pytest.raises(DatacoupleError) as error:
        load_schema("evil.yaml", tmp_path)
    assert "evil.yaml" in str(error.value) and "!!python/object/apply:os.system" in str(error.value)
    assert not marker.exists()


def test_malformed_yaml_names_file_and_line(tmp_path):
    write(tmp_path / "broken.yaml", "columns:\n  x:\n    dtype: [int64\n")
    with pytest.raises(DatacoupleError, match=r"'broken.yaml' is not valid YAML \(line \d+"):
        load_schema("broken.yaml", tmp_path)


def test_missing_file(tmp_path):
    with pytest.raises(DatacoupleError, match=r"schema file 'schemas/nope\.yaml' not found"):
        load_schema("schemas/nope.yaml", tmp_path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- a\n- b\n", "is not a pandera schema"),
        ("", "got an empty document"),
        ("hello: world\n", "is not a pandera schema"),
        ("schema_type: series\ncolumns: {}\n", "'series' schema"),
        ("columns:\n  x:\n    dtype: int64\n    greater_than_or_equal: 0\n",
         "column 'x' has unknown key 'greater_than_or_equal'"),
        ("columns:\n  x:\n    dtype: integer64\n", "column 'x' has unknown dtype 'integer64'"),
        ("columns:\n  x:\n    dtype: int64\n    in_range: {low: 1}\n",
         "column 'x' is not a valid pandera column"),
        ("columns: 3\n", "'columns' must map column names"),
        ("columns:\n  x:\n    metadata: true\n", "metadata must be a mapping"),
    ],
)
def test_documents_that_are_not_pandera_schemas(tmp_path, text, message):
    write(tmp_path / "bad.yaml", text)
    with pytest.raises(DatacoupleError, match=message) as error:
        load_schema("bad.yaml", tmp_path)
    assert "bad.yaml" in str(error.value)
    assert "\n" not in str(error.value)


def test_module_attr_loads_a_model_and_a_schema_object(tmp_path):
    write(tmp_path / "dc_schemas_ok.py", """\
        import pandera.pandas as pa

        class Crime(pa.DataFrameModel):
            state: str
            murder: float = pa.Field(ge=0)

        crime_schema = pa.DataFrameSchema({
            "state": pa.Column(str),
            "murder": pa.Column(float, pa.Check.ge(0)),
        })
        not_a_schema = 42
        """)
    model = load_schema("dc_schemas_ok:Crime", base_dir=tmp_path)
    instance = load_schema("dc_schemas_ok:crime_schema", base_dir=tmp_path)
    assert model.source == "dc_schemas_ok:Crime"
    assert model.columns == ["state", "murder"]
    assert model.hash == instance.hash
    with pytest.raises(DatacoupleError, match="is of type 'int', not a pandas-API pandera"):
        load_schema("dc_schemas_ok:not_a_schema", base_dir=tmp_path)
    with pytest.raises(DatacoupleError, match="has no attribute 'Missing'"):
        load_schema("dc_schemas_ok:Missing", base_dir=tmp_path)


def test_module_attr_errors(tmp_path):
    with pytest.raises(DatacoupleError, match="cannot import module 'dc_no_such_module'"):
        load_schema("dc_no_such_module:Model", base_dir=tmp_path)
    write(tmp_path / "dc_schemas_broken.py", "raise RuntimeError('half-written module')\n")
    with pytest.raises(DatacoupleError, match=r"module 'dc_schemas_broken' .*RuntimeError"):
        load_schema("dc_schemas_broken:Model", base_dir=tmp_path)


# ---- PII ---------------------------------------------------------------------------------


def test_pii_metadata_from_a_model_and_from_yaml(tmp_path):
    class People(pa.DataFrameModel):
        name: str = pa.Field(metadata={"pii": True})
        email: str = pa.Field(metadata={"datacouple": {"pii": True}})
        age: int = pa.Field(ge=0, metadata={"unit": "years"})

    in_memory = declared(People.to_schema())
    assert in_memory.pii_columns() == {"name", "email"}

    write_schema_yaml(People.to_schema(), tmp_path / "people.yaml")
    assert "pii: true" in (tmp_path / "people.yaml").read_text()
    reloaded = load_schema("people.yaml", tmp_path)
    assert reloaded.pii_columns() == {"name", "email"}
    assert reloaded.hash == in_memory.hash
    assert reloaded.schema.columns["age"].metadata == {"unit": "years"}


def test_marking_a_column_pii_changes_the_hash():
    plain = pa.DataFrameSchema({"state": pa.Column(str)})
    pii = pa.DataFrameSchema({"state": pa.Column(str, metadata={"pii": True})})
    assert declared(plain).hash != declared(pii).hash
