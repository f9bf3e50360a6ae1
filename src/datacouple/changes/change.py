"""A Change: one classified difference between two fingerprints (and their declared schemas)."""

from __future__ import annotations

from dataclasses import dataclass, field

BREAKING, WARNING, INFO = "breaking", "warning", "info"
SEVERITIES = (BREAKING, WARNING, INFO)  # most severe first

# Stable names: scripts, acknowledgements and dashboards key on them.
KINDS = (
    "column_removed", "column_added", "column_order_changed", "type_changed",
    "missing_encoding_changed", "missing_rate_changed", "categories_changed", "scale_changed",
    "range_changed", "distribution_drift", "precision_changed", "row_count_changed",
    "content_changed", "schema_changed", "fingerprint_stale", "uniqueness_lost",
    "format_changed", "clock_shifted",
)


@dataclass(frozen=True)
class Change:
    kind: str
    column: str | None
    severity: str
    message: str
    evidence: dict = field(default_factory=dict)
    dataset: str = ""
    affected_models: tuple = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown change kind {self.kind!r}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")

    def to_dict(self) -> dict:
        return {
            "dataset": self.dataset,
            "kind": self.kind,
            "column": self.column,
            "severity": self.severity,
            "message": self.message,
            "evidence": self.evidence,
            "affected_models": [dict(m) for m in self.affected_models],
        }


def summarize(changes: list[Change]) -> dict[str, int]:
    return {severity: sum(1 for c in changes if c.severity == severity) for severity in SEVERITIES}


def sort_changes(changes: list[Change]) -> list[Change]:
    """Most severe first, then by dataset, column (table-level first) and kind: stable output."""
    rank = {severity: i for i, severity in enumerate(SEVERITIES)}
    return sorted(changes, key=lambda c: (rank[c.severity], c.dataset, c.column or "", c.kind))


def to_report(changes: list[Change]) -> dict:
    """The JSON shape (docs/diff.md) of `diff`/`check --format json`."""
    ordered = sort_changes(changes)
    return {"changes": [c.to_dict() for c in ordered], "summary": summarize(ordered)}
