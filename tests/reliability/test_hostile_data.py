"""Hostile data files, through every command that reads data: truncated and garbage Parquet,
ragged CSV, CSV in other encodings than UTF-8. Each is exit 2 with one line that names the
file and what to do, no traceback, and nothing written. A UTF-8 byte-order mark (Excel's
"CSV UTF-8") is a real user's file, not an attack: it is read, the mark stripped."""

from __future__ import annotations

import gzip
import random
import shutil
from pathlib import Path

import pyarrow.csv as arrow_csv
import pyarrow.parquet as pq
import pytest
from hostile import assert_nothing_written, assert_refused, snapshot

from helpers import run_cli
from public_data import hitters_features, islp_csv

SCHEMA = "schema_type: dataframe\ncolumns:\n  AtBat:\n    dtype: int64\n"


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A project directory with a good Parquet file and its fingerprint (the other side of a
    diff), a schema, and the folders outputs would go to."""
    root = tmp_path_factory.mktemp("hostile-data")
    (root / "data").mkdir()
    (root / "schemas").mkdir()
    (root / "schemas" / "hitters.yaml").write_text(SCHEMA)
    hitters_features().to_parquet(root / "data" / "good.parquet", index=False)
    result = run_cli("fingerprint", "data/good.parquet", "-o", "good.json", cwd=root)
    assert result.returncode == 0, result.stderr
    return root


@pytest.fixture()
def workspace(template: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(template, tmp_path / "project"))


def _parquet_bytes(root: Path) -> bytes:
    return (root / "data" / "good.parquet").read_bytes()


def _hitters_csv() -> bytes:
    return islp_csv("Hitters").read_bytes()


# Each maker writes one hostile file into the workspace and returns its path (relative).
def truncated_in_half(root: Path) -> str:
    raw = _parquet_bytes(root)
    (root / "data" / "half.parquet").write_bytes(raw[: len(raw) // 2])
    return "data/half.parquet"


def cut_in_the_footer(root: Path) -> str:
    raw = _parquet_bytes(root)
    footer = int.from_bytes(raw[-8:-4], "little")  # the footer's length, before "PAR1"
    (root / "data" / "footer.parquet").write_bytes(raw[: len(raw) - 8 - footer // 2])
    return "data/footer.parquet"


def garbage_named_parquet(root: Path) -> str:
    (root / "data" / "garbage.parquet").write_bytes(random.Random(0).randbytes(20_000))
    return "data/garbage.parquet"


def garbage_with_a_valid_footer(root: Path) -> str:
    """The column data overwritten with noise, the footer intact: it fails while streaming."""
    raw = bytearray(_parquet_bytes(root))
    footer = int.from_bytes(raw[-8:-4], "little")
    noise = random.Random(1).randbytes(len(raw) - 8 - footer - 4)
    raw[4: 4 + len(noise)] = noise
    (root / "data" / "noise.parquet").write_bytes(bytes(raw))
    return "data/noise.parquet"


def ragged_csv(root: Path) -> str:
    lines = _hitters_csv().split(b"\n")
    lines[100] = lines[100].rsplit(b",", 2)[0]  # a row that lost two fields
    (root / "data" / "ragged.csv").write_bytes(b"\n".join(lines))
    return "data/ragged.csv"


def _with_latin1_name(text: bytes) -> bytes:
    """The first data row's player named in Latin-1, as a Windows tool would append it."""
    header, first, rest = text.split(b"\n", 2)
    fields = first.split(b",")
    fields[0] = '"Jos\xe9 Mu\xf1oz"'.encode("latin-1")
    return b"\n".join([header, b",".join(fields), rest])


def latin1_in_utf8(root: Path) -> str:
    (root / "data" / "mixed.csv").write_bytes(_with_latin1_name(_hitters_csv()))
    return "data/mixed.csv"


def latin1_after_the_first_block(root: Path) -> str:
    """The same past the 4 MiB the CSV reader infers types from: found while streaming."""
    text = _hitters_csv()
    header, body = text.split(b"\n", 1)
    clean = body * (5_000_000 // len(body) + 1)
    late = _with_latin1_name(text).split(b"\n", 1)[1]
    (root / "data" / "late.csv").write_bytes(header + b"\n" + clean + late)
    return "data/late.csv"


def utf16_with_bom(root: Path) -> str:
    (root / "data" / "utf16.csv").write_bytes(_hitters_csv().decode("utf-8").encode("utf-16"))
    return "data/utf16.csv"


def utf16_without_bom(root: Path) -> str:
    (root / "data" / "utf16le.csv").write_bytes(
        _hitters_csv().decode("utf-8").encode("utf-16-le"))
    return "data/utf16le.csv"


def garbage_named_csv_gz(root: Path) -> str:
    """Not a gzip stream at all; then a gzip header cut short."""
    (root / "data" / "garbage.csv.gz").write_bytes(random.Random(2).randbytes(3000))
    return "data/garbage.csv.gz"


def truncated_csv_gz(root: Path) -> str:
    compressed = gzip.compress(_hitters_csv())
    (root / "data" / "cut.csv.gz").write_bytes(compressed[: len(compressed) // 2])
    return "data/cut.csv.gz"


def garbage_named_arrow(root: Path) -> str:
    (root / "data" / "garbage.arrow").write_bytes(random.Random(3).randbytes(3000))
    return "data/garbage.arrow"


EVERY_COMMAND = ("fingerprint", "validate", "infer", "diff")
# maker -> (what the line says, the commands tried). Every command reads data through the same
# reader, so each kind of damage goes through all of them once and its variants through
# `fingerprint` (the tests stay fast).
MAKERS = {
    truncated_in_half: ("truncated", EVERY_COMMAND),
    cut_in_the_footer: ("truncated", ("fingerprint",)),
    garbage_named_parquet: ("not a readable Parquet file", ("fingerprint", "diff")),
    garbage_with_a_valid_footer: ("Parquet", ("fingerprint",)),
    ragged_csv: ("ragged CSV", EVERY_COMMAND),
    latin1_in_utf8: ("not UTF-8", EVERY_COMMAND),
    latin1_after_the_first_block: ("not UTF-8", ("fingerprint",)),
    utf16_with_bom: ("UTF-16", ("fingerprint", "diff")),
    utf16_without_bom: ("NUL bytes", ("fingerprint",)),
    garbage_named_csv_gz: ("compressed as its name says", ("fingerprint",)),
    truncated_csv_gz: ("CSV", ("fingerprint",)),
    garbage_named_arrow: ("not a readable Arrow IPC file", ("fingerprint",)),
}


def _commands(bad: str) -> dict[str, tuple[str, ...]]:
    return {
        "fingerprint": ("fingerprint", bad, "-o", "fingerprints/bad.json"),
        "validate": ("validate", bad, "--schema", "schemas/hitters.yaml"),
        "infer": ("infer", bad, "-o", "schemas/bad.yaml"),
        "diff": ("diff", "good.json", bad, "-o", "report.json", "--format", "json"),
    }


@pytest.mark.parametrize("make", MAKERS, ids=lambda make: make.__name__)
def test_hostile_data_is_refused_by_every_command_that_reads_it(workspace: Path, make):
    bad = make(workspace)
    before = snapshot(workspace)
    says, commands = MAKERS[make]
    for command in commands:
        result = run_cli(*_commands(bad)[command], cwd=workspace)
        assert_refused(result, bad.rsplit("/", 1)[-1], says)
        assert_nothing_written(before, workspace)


def test_a_utf8_byte_order_mark_is_read_and_stripped_from_the_first_name(tmp_path: Path):
    """Excel's "CSV UTF-8" starts with EF BB BF: the same table as without it."""
    plain = tmp_path / "plain.csv"
    plain.write_bytes(_hitters_csv())
    marked = tmp_path / "marked.csv"
    marked.write_bytes(b"\xef\xbb\xbf" + _hitters_csv())
    sides = {}
    for path in (plain, marked):
        result = run_cli("fingerprint", path.name, "-o", f"{path.stem}.json", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        sides[path.stem] = (tmp_path / f"{path.stem}.json").read_text()
    first = arrow_csv.read_csv(plain).column_names[0]
    assert f'"name": "{first}"' in sides["marked"]
    assert "\ufeff" not in sides["marked"]
    diff = run_cli("diff", "plain.json", "marked.json", "--format", "json", cwd=tmp_path)
    # Same columns and values: at most the content hash differs (the three bytes).
    assert diff.returncode == 0, diff.stdout + diff.stderr
    assert '"breaking": 0' in diff.stdout and '"warning": 0' in diff.stdout


def test_the_good_file_itself_reads(workspace: Path):
    """The quiet counterpart: the untouched file passes every command the hostile ones fail."""
    assert pq.read_metadata(workspace / "data" / "good.parquet").num_rows == 322
    for args in _commands("data/good.parquet").values():
        result = run_cli(*args, cwd=workspace)
        assert result.returncode in (0, 1), result.stderr  # validate may fail its checks
        assert "Traceback" not in result.stderr
