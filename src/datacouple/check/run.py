"""`datacouple check`: every configured dataset, base fingerprint against head fingerprint.

Both fingerprints are read from git objects (the head may be the work tree): no checkout, no data
download. Each change is then given the model versions it affects (from the lineage layer) and
the ack that covers it, if any. The check fails (exit 1) iff an unacknowledged breaking change
affects a model version; a `fingerprint_stale` change always counts, since a stale fingerprint
hides what changed; and when no lineage can be reached, every breaking change counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Protocol

from ..changes import BREAKING, WARNING, Change, Thresholds, diff_fingerprints
from ..config import Config, DatasetConfig
from ..errors import DatacoupleError
from ..identity import resolve_commit
from ..profile.format import Fingerprint, document_hash
from ..resolve import FingerprintMissing, Side, committed_side, stale_change, work_tree_side
from .acks import Ack, load_acks, require_known_datasets
from .revisions import default_base, merge_base

_FAIL_ON = {"breaking": (BREAKING,), "warning": (BREAKING, WARNING)}


class ModelLineage(Protocol):
    """What the check needs from the lineage layer."""

    def affected_models(self, changes: list[Change]) -> list[list[dict]]:
        """For each change (of any dataset), the model versions it affects:
        `{name, version, aliases}`. One call for the whole check, so the lineage is searched
        once, not once per dataset."""
        ...


class LineageUnavailable(Exception):
    """No lineage could be read (tracking server unreachable, ...): the message says why."""


@dataclass(frozen=True)
class DatasetCheck:
    dataset: str
    old_fingerprint: str | None  # document hashes, which acks name
    new_fingerprint: str | None
    changes: list[Change]


@dataclass
class CheckResult:
    base: str  # as given or chosen, e.g. "origin/main"
    base_commit: str  # the merge-base actually compared with
    head: str  # a revision, or "work tree"
    datasets: list[DatasetCheck]
    blocking: list[Change] = field(default_factory=list)
    acknowledged: list[tuple[Change, Ack]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    lineage_unavailable: str | None = None

    @property
    def changes(self) -> list[Change]:
        return [change for dataset in self.datasets for change in dataset.changes]

    @property
    def passed(self) -> bool:
        return not self.blocking


def run_check(config: Config, *, base: str | None = None, head: str | None = None,
              recompute: bool = False,
              open_lineage: Callable[[Config], ModelLineage] | None = None) -> CheckResult:
    """Compare every configured dataset between `base` (at its merge-base with the head) and
    `head` (None: the work tree)."""
    if not config.datasets:
        raise DatacoupleError(f"no datasets configured in {config.source or 'datacouple.toml'}: "
                              "add [datasets.NAME] tables to check")
    settings = config.raw.get("check") or {}
    base = base or default_base(config.root, settings.get("base"))
    base_commit = merge_base(config.root, base, head)
    thresholds = Thresholds.from_config(settings)
    fail_on = _fail_on(settings)
    acks = load_acks(config.root)  # bad input is reported before any work
    require_known_datasets(acks, config.datasets)
    head_commit = resolve_commit(config.root, head) if head else None  # read once, not per file
    result = CheckResult(base=base, base_commit=base_commit, head=head or "work tree",
                         datasets=[])
    for dataset in sorted(config.datasets.values(), key=lambda d: d.name):
        checked = _check_dataset(config, dataset, base_commit, head_commit, recompute,
                                 thresholds, result.notes)
        if checked is not None:
            result.datasets.append(checked)
    _attach_models(result, config, open_lineage)
    _judge(result, acks, fail_on)
    return result


def dataset_changes(config: Config, name: str, *, base: str | None = None,
                    head: str | None = None) -> DatasetCheck:
    """One dataset's comparison, as `check` makes it (used by `ack`)."""
    if name not in config.datasets:
        known = ", ".join(sorted(config.datasets)) or "none configured"
        raise DatacoupleError(f"unknown dataset {name!r} (known: {known})")
    settings = config.raw.get("check") or {}
    base = base or default_base(config.root, settings.get("base"))
    notes: list[str] = []
    checked = _check_dataset(config, config.datasets[name], merge_base(config.root, base, head),
                             head, False, Thresholds.from_config(settings), notes)
    if checked is None:
        raise DatacoupleError(notes[0])
    return checked


# --------------------------------------------------------------------------- one dataset


def _check_dataset(config: Config, dataset: DatasetConfig, base_commit: str, head: str | None,
                   recompute: bool, thresholds: Thresholds, notes: list[str]
                   ) -> DatasetCheck | None:
    new = _head_side(config, dataset, head, recompute)
    if new is None:
        where = head[:10] if head else "the work tree"
        notes.append(f"{dataset.name}: no fingerprint at {where}; run "
                     f"datacouple fingerprint {dataset.name} and commit it (or use --recompute)")
        return None
    old = _committed_or_recomputed(config, dataset, base_commit, recompute)
    if old is None:
        notes.append(f"{dataset.name}: new dataset (no fingerprint at the base {base_commit[:8]})")
        return DatasetCheck(dataset.name, None, document_hash(new.fingerprint), [])
    changes = list(diff_fingerprints(old.fingerprint, new.fingerprint, thresholds))
    stale = stale_change(new)
    if stale is not None:
        changes.append(stale)
    changes = [replace(change, dataset=dataset.name) for change in changes]
    return DatasetCheck(dataset.name, document_hash(old.fingerprint),
                        document_hash(new.fingerprint), changes)


def _head_side(config: Config, dataset: DatasetConfig, head: str | None,
               recompute: bool) -> Side | None:
    if head is not None:
        return _committed_or_recomputed(config, dataset, head, recompute)
    try:
        # work_tree_side holds the fingerprint against the data on disk (resolve.py), so data
        # edited before `dvc add` is stale here too.
        return work_tree_side(dataset, config)
    except FingerprintMissing:
        if not recompute or not dataset.path.exists():
            return None
        from ..profile.api import fingerprint

        document = fingerprint(dataset.path, dataset.schema, name=dataset.name,
                               repo_root=config.root, **config.fingerprint_settings)
        return Side(label=dataset.name, fingerprint=document, dataset=dataset.name)


def _committed_or_recomputed(config: Config, dataset: DatasetConfig, rev: str,
                             recompute: bool) -> Side | None:
    try:
        return committed_side(dataset.name, rev, config)
    except FingerprintMissing:
        if not recompute:
            return None
    from .recompute import fingerprint_at_revision

    document: Fingerprint | None = fingerprint_at_revision(config, dataset, rev)
    if document is None:
        return None
    return Side(label=f"{dataset.name}@{rev}", fingerprint=document, dataset=dataset.name,
                rev=rev)


# --------------------------------------------------------------------------- models and acks


def _attach_models(result: CheckResult, config: Config,
                   open_lineage: Callable[[Config], ModelLineage] | None) -> None:
    if not any(change.severity == BREAKING for change in result.changes):
        return  # nothing can fail the check: no need to reach the tracking server
    if open_lineage is None:
        from .models import open_model_lineage as open_lineage
    try:
        found = iter(open_lineage(config).affected_models(result.changes))
        for checked in result.datasets:
            checked.changes[:] = [replace(change, affected_models=tuple(next(found)))
                                  for change in checked.changes]
    except LineageUnavailable as error:
        result.lineage_unavailable = str(error)
        result.notes.append(f"no lineage ({error}): every breaking change counts")


def _judge(result: CheckResult, acks: list[Ack], fail_on: tuple[str, ...]) -> None:
    for checked in result.datasets:
        for change in checked.changes:
            ack = next((ack for ack in acks if ack.covers(
                change, checked.old_fingerprint, checked.new_fingerprint)), None)
            if ack is not None:
                result.acknowledged.append((change, ack))
            elif change.severity in fail_on and _counts(change, result):
                result.blocking.append(change)


def _counts(change: Change, result: CheckResult) -> bool:
    return (change.kind == "fingerprint_stale" or bool(change.affected_models)
            or result.lineage_unavailable is not None)


def _fail_on(settings: dict) -> tuple[str, ...]:
    value = settings.get("fail_on", "breaking")
    if value not in _FAIL_ON:
        raise DatacoupleError(f"[check] fail_on must be one of {', '.join(_FAIL_ON)}, not "
                              f"{value!r}")
    return _FAIL_ON[value]
