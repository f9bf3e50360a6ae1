"""`datacouple ack`: accept one breaking change on this branch, exactly as the check sees it."""

from __future__ import annotations

from ..config import Config
from ..errors import DatacoupleError
from .acks import Ack, record_ack
from .run import dataset_changes

TABLE_LEVEL = "-"  # how the command line names the "column" of a table-level change


def acknowledge(config: Config, name: str, kind: str, column: str, reason: str, *,
                base: str | None = None) -> Ack:
    """Record an ack for the change of `kind` in `column` that `check` reports for dataset
    `name` (base against the work tree), tied to the two fingerprints it lies between."""
    checked = dataset_changes(config, name, base=base)
    wanted = None if column == TABLE_LEVEL else column
    for change in checked.changes:
        if change.kind == kind and change.column == wanted:
            return record_ack(config.root, change, reason, checked.old_fingerprint,
                              checked.new_fingerprint)
    found = ", ".join(f"{c.kind} {c.column or TABLE_LEVEL}" for c in checked.changes) or "none"
    raise DatacoupleError(f"{name} shows no {kind} change in {column} against the base "
                          f"(its changes: {found})")
