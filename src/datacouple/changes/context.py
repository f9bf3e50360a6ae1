"""What every rule sees: both fingerprints, the thresholds, and the findings so far."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..profile.format import Column, Fingerprint
from .thresholds import Thresholds


@dataclass
class DiffContext:
    old: Fingerprint
    new: Fingerprint
    thresholds: Thresholds
    # Columns whose shifts an earlier rule already explained (a unit change explains its range
    # and drift; NULL -> 0 explains the missing rate), so later rules stay quiet about them.
    explained: dict[str, set[str]] = field(default_factory=dict)

    @property
    def old_rows(self) -> int:
        return self.old["rows"]

    @property
    def new_rows(self) -> int:
        return self.new["rows"]

    def explain(self, column: str, *kinds: str) -> None:
        self.explained.setdefault(column, set()).update(kinds)

    def is_explained(self, column: str, kind: str) -> bool:
        return kind in self.explained.get(column, set())


@dataclass(frozen=True)
class ColumnPair:
    name: str
    old: Column
    new: Column

    @property
    def same_logical_type(self) -> bool:
        return self.old["logical_type"] == self.new["logical_type"]
