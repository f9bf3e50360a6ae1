"""What the user pointed at, resolved into a fingerprint: the sides of `datacouple diff OLD NEW`,
and the inputs of `datacouple.diff(...)` (and of lineage and check, which need the same).

This sits above the changes layer on purpose: changes see only fingerprints, while a side may
need git, DVC and the fingerprint engine.

A side is one of
- a fingerprint JSON file (recognised by its content, whatever its name);
- a data file or directory, fingerprinted on the fly (with the configured schema when the path
  is a configured dataset's path);
- `NAME@GITREV`: the fingerprint committed for dataset NAME at a git revision, read from git's
  object store (no checkout, the work tree is untouched);
- `NAME`: the dataset's fingerprint file as it is in the work tree.

For the committed forms, the data's DVC entry (`.dvc` / `dvc.lock`) at the same revision is read
too, so a fingerprint nobody refreshed after the data changed is reported (`fingerprint_stale`)
instead of silently comparing an old description of the data. In the work tree the data on disk
is the truth: data edited but not yet `dvc add`-ed is stale too. Telling that costs no read of
the data while it is unchanged, since DVC's state db vouches for it (identity/dataset.py).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .changes import BREAKING, Change, Thresholds, diff_fingerprints, sort_changes
from .config import Config, DatasetConfig, load_config, resolve_dataset
from .errors import DatacoupleError
from .identity import dataset_identity, git_commit, path_in_git, read_dvc_entry
from .profile.api import fingerprint, load_fingerprint
from .profile.format import Fingerprint, dvc_hash, parse_fingerprint

_WORK_TREE = None  # `Side.rev` for sides read from the work tree rather than a git revision
DATA_ON_DISK = "the data on disk"  # `Side.dvc_recorded_in` when the hash is the data's own


class FingerprintMissing(DatacoupleError):
    """A configured dataset has no committed fingerprint (at that revision)."""


@dataclass(frozen=True)
class Side:
    label: str  # how the side is shown to people, e.g. "features@HEAD~1"
    fingerprint: Fingerprint
    # The data's DVC hash where the fingerprint was committed (None: unknown, or the fingerprint
    # was computed from the data just now and so cannot be stale).
    dvc_hash_now: str | None = None
    dataset: str = ""  # the dataset's name, for messages
    rev: str | None = _WORK_TREE  # the git revision both records were read at
    dvc_recorded_in: str | None = None  # where dvc_hash_now came from: "x.parquet.dvc", ...
    # When dvc_hash_now is the data on disk's own hash: what DVC records for it (None: nothing,
    # or the same), and the data's path as the user knows it, for the `dvc add` advice.
    dvc_entry_hash: str | None = None
    data_path: str | None = None


@dataclass(frozen=True)
class DiffResult:
    old: Side
    new: Side
    changes: list[Change]


def diff_specs(old_spec: str, new_spec: str, config: Config) -> DiffResult:
    """Resolve both sides, classify their differences, and add staleness of either side."""
    old, new = resolve_side(old_spec, config), resolve_side(new_spec, config)
    thresholds = Thresholds.from_config(config.raw.get("check"))
    return DiffResult(old, new, diff_sides(old, new, thresholds))


def diff_sides(old: Side, new: Side, thresholds: Thresholds | None = None) -> list[Change]:
    changes = list(diff_fingerprints(old.fingerprint, new.fingerprint, thresholds))
    changes += [change for change in (stale_change(old), stale_change(new)) if change]
    # A diff is about one dataset, named as it is now: NEW's name.
    return [replace(change, dataset=new.dataset) for change in changes]


def resolve_side(spec: str, config: Config) -> Side:
    """One side of a diff from its command-line spelling; DatacoupleError when it is none."""
    if not spec:
        raise DatacoupleError("empty diff input: give a fingerprint file, a data path or NAME@REV")
    if spec in config.datasets:  # names first, as everywhere else in the CLI
        return work_tree_side(config.datasets[spec], config)
    path = Path(spec)
    if path.exists():
        if path.is_file() and _looks_like_json(path):
            return _fingerprint_file_side(spec, path)
        return _data_side(spec, config)
    if "@" in spec:
        # Split at the first "@": names hold none, revisions may (`HEAD@{1}`).
        name, rev = spec.split("@", 1)
        return committed_side(name, rev, config)
    raise DatacoupleError(
        f"{spec!r} is neither a file, a directory, a dataset in "
        f"{_config_name(config)} ({_known(config)}) nor NAME@GITREV"
    )


def as_fingerprint(value: Any, config: Config | None = None) -> Fingerprint:
    """A fingerprint document from: a document; a string as `datacouple diff` reads it (a
    fingerprint file, a data path, `NAME`, `NAME@GITREV`); or an in-memory table."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str | os.PathLike):
        return resolve_side(os.fspath(value), config or load_config()).fingerprint
    return fingerprint(value)


def diff(old: Any, new: Any, thresholds: Thresholds | None = None) -> list[Change]:
    """Classified changes from `old` to `new`, most severe first. Each side is a fingerprint,
    a fingerprint file, a data path, `NAME` / `NAME@GITREV`, or a pandas/polars/Arrow table.
    As on the command line, a `NAME` or `NAME@GITREV` side whose fingerprint no longer
    describes its data adds `fingerprint_stale`."""
    configs: list[Config] = []  # read once, and only when a side is spelled as a string

    def side(value: Any) -> Side:
        if isinstance(value, str | os.PathLike):
            if not configs:
                configs.append(load_config())
            return resolve_side(os.fspath(value), configs[0])
        return Side(label="", fingerprint=as_fingerprint(value))

    old_side, new_side = side(old), side(new)
    changes = diff_fingerprints(old_side.fingerprint, new_side.fingerprint, thresholds)
    changes += [change for change in (stale_change(old_side), stale_change(new_side)) if change]
    return sort_changes(changes)


def stale_change(side: Side) -> Change | None:
    """`fingerprint_stale` when the fingerprint describes other data than DVC records."""
    if side.dvc_hash_now is None:
        return None
    described = dvc_hash(side.fingerprint)
    if described == side.dvc_hash_now:
        return None
    if side.dvc_recorded_in == DATA_ON_DISK:
        return _edited_on_disk(side, described)
    where = "in the work tree" if side.rev is _WORK_TREE else f"at {_short_rev(side.rev)}"
    describes = f"data {_short(described)}" if described else "data without a DVC hash"
    return Change(
        kind="fingerprint_stale",
        column=None,
        severity=BREAKING,
        message=(
            f"{side.dataset}: the committed fingerprint describes {describes}, but the data's "
            f"DVC hash {where} is {_short(side.dvc_hash_now)}; run datacouple fingerprint "
            f"{side.dataset}"
        ),
        evidence={
            "fingerprint_dvc_hash": described,
            "data_dvc_hash": side.dvc_hash_now,
            "rev": side.rev,
            "recorded_in": side.dvc_recorded_in,
        },
        dataset=side.dataset,
    )


def _edited_on_disk(side: Side, described: str | None) -> Change:
    """The data in the work tree was changed after DVC and the fingerprint last saw it."""
    path = side.data_path or side.dataset
    described_as = _short(described) if described else "no DVC hash"
    if side.dvc_entry_hash:
        what = (f"is neither the data the committed fingerprint describes ({described_as}) nor "
                f"the data DVC records ({_short(side.dvc_entry_hash)})")
        advice = f"run dvc add {path}, then datacouple fingerprint {side.dataset}"
    else:
        what = f"is not the data the committed fingerprint describes ({described_as})"
        advice = f"run datacouple fingerprint {side.dataset}"
    return Change(
        kind="fingerprint_stale",
        column=None,
        severity=BREAKING,
        message=(f"{side.dataset}: the data on disk ({path}, DVC hash "
                 f"{_short(side.dvc_hash_now)}) {what}; {advice}"),
        evidence={
            "fingerprint_dvc_hash": described,
            "data_dvc_hash": side.dvc_hash_now,
            "dvc_entry_hash": side.dvc_entry_hash,
            "rev": side.rev,
            "recorded_in": side.dvc_recorded_in,
        },
        dataset=side.dataset,
    )


# --------------------------------------------------------------------------- the four inputs


def _fingerprint_file_side(spec: str, path: Path) -> Side:
    document = load_fingerprint(path)
    return Side(label=spec, fingerprint=document, dataset=str(document.get("dataset") or ""))


def _data_side(spec: str, config: Config) -> Side:
    dataset = resolve_dataset(config, spec)  # a configured dataset's path brings its schema
    document = fingerprint(dataset.path, dataset.schema, name=dataset.name,
                           repo_root=config.root, **config.fingerprint_settings)
    # Computed from the data just now: it describes the data by construction, never stale.
    return Side(label=spec, fingerprint=document, dataset=dataset.name)


def work_tree_side(dataset: DatasetConfig, config: Config) -> Side:
    shown = config.relative(dataset.fingerprint)
    if not dataset.fingerprint.is_file():
        raise FingerprintMissing(
            f"{shown} does not exist; run datacouple fingerprint {dataset.name} and commit it"
        )
    document = parse_fingerprint(_read_bytes(dataset.fingerprint), shown)
    entry = read_dvc_entry(config.root, dataset.path)
    side = Side(
        label=dataset.name, fingerprint=document, dataset=dataset.name, rev=_WORK_TREE,
        dvc_hash_now=entry.hash if entry else None,
        dvc_recorded_in=entry.origin if entry else None,
    )
    return against_data_on_disk(side, dataset, config)


def against_data_on_disk(side: Side, dataset: DatasetConfig, config: Config) -> Side:
    """In the work tree the data itself is the truth: a fingerprint that no longer describes
    the data on disk is stale even before `dvc add` records the new hash. DVC's state db makes
    this free for unchanged data (no bytes are read)."""
    if not dataset.path.exists():
        return side  # not pulled: the .dvc / dvc.lock entry is all there is
    on_disk = dataset_identity(dataset.path, config.root).hash
    if on_disk == dvc_hash(side.fingerprint) or on_disk == side.dvc_hash_now:
        # Described by the fingerprint; or recorded by DVC already, and then the entry tells
        # the staleness (`dvc add` done, `datacouple fingerprint` forgotten).
        return side
    return replace(side, dvc_hash_now=on_disk, dvc_recorded_in=DATA_ON_DISK,
                   dvc_entry_hash=side.dvc_hash_now, data_path=config.relative(dataset.path))


def committed_side(name: str, rev: str, config: Config) -> Side:
    if not name:
        raise DatacoupleError(f"'@{rev}': a dataset name is missing before '@' (NAME@GITREV)")
    if not rev:
        raise DatacoupleError(f"'{name}@': a git revision is missing after '@', e.g. {name}@HEAD")
    if name not in config.datasets:
        raise DatacoupleError(
            f"dataset {name!r} is not configured in {_config_name(config)} ({_known(config)})"
        )
    dataset = config.datasets[name]
    document = _read_committed_fingerprint(dataset, rev, config)
    entry = read_dvc_entry(config.root, dataset.path, rev)
    return Side(
        label=f"{name}@{rev}", fingerprint=document, dataset=name, rev=rev,
        dvc_hash_now=entry.hash if entry else None,
        dvc_recorded_in=entry.origin if entry else None,
    )


# --------------------------------------------------------------------------- git


def _read_committed_fingerprint(dataset: DatasetConfig, rev: str, config: Config) -> dict:
    """The dataset's fingerprint file as committed at `rev`, from git objects."""
    with git_commit(config.root, rev) as (repo, commit):
        git_path = path_in_git(repo, dataset.fingerprint)
        shown = config.relative(dataset.fingerprint)
        try:
            blob = commit.tree / git_path
        except KeyError:
            raise FingerprintMissing(
                f"{shown} does not exist at {rev}; run datacouple fingerprint {dataset.name} "
                "and commit it"
            ) from None
        if blob.type != "blob":
            raise DatacoupleError(f"{shown} at {rev} is a directory, not a fingerprint file")
        return parse_fingerprint(blob.data_stream.read(), f"{shown} at {rev}")


# --------------------------------------------------------------------------- helpers


def _looks_like_json(path: Path) -> bool:
    """A JSON document rather than data: the engines read no JSON, so a `{` or `[` (or the
    name) is enough, and a mistaken or broken fingerprint then gets a fingerprint's error."""
    if path.suffix.lower() == ".json":
        return True
    try:
        with path.open("rb") as stream:
            head = stream.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError as error:
        raise DatacoupleError(f"{path}: cannot read ({error.strerror})") from None
    return head[:1] in (b"{", b"[")


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise DatacoupleError(f"{path}: cannot read ({error.strerror})") from None


def _short_rev(rev: str) -> str:
    """A full sha as git shows it abbreviated; any other spelling (HEAD~1, main) as given."""
    return rev[:10] if len(rev) == 40 and all(c in "0123456789abcdef" for c in rev) else rev


def _short(dvc_hash: str | None) -> str:
    return (dvc_hash or "?")[:8]


def _config_name(config: Config) -> str:
    return config.source.name if config.source else "datacouple.toml (none found)"


def _known(config: Config) -> str:
    return "known: " + (", ".join(sorted(config.datasets)) or "none configured")
