"""Thresholds for the diff rules, with defaults chosen against the test corpus.

Configured in datacouple.toml:

    [check.thresholds]
    missing_rate_breaking = 0.10
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from ..errors import DatacoupleError


@dataclass(frozen=True)
class Thresholds:
    # missing_rate_changed: share of missing values (all encodings) moved by at least this many
    # points (and beyond sampling noise: |z| >= min_z) -> warning; by `..._breaking` -> breaking.
    missing_rate_warning: float = 0.02
    missing_rate_breaking: float = 0.10
    # Two-proportion z-score a change in a share must reach before it counts as real, so that
    # a fresh sample of the same distribution does not raise alarms.
    min_z: float = 4.0
    # A change is "plausibly sampling" when seeing it by chance has at least this probability.
    sampling_probability: float = 0.001
    # scale_changed: quantile ratios agree within this relative spread, and the factor is at
    # least this far from 1 (1.2 = a 20% shift).
    scale_agreement: float = 0.05
    scale_min_factor: float = 1.2
    # range_changed: values beyond the old [min, max] by more than this share of the old range.
    range_tolerance: float = 0.10
    # distribution_drift: population stability index over the old deciles / categories.
    psi_warning: float = 0.2
    # format_changed (high-cardinality strings): a cause (padding, truncation, case, format)
    # counts from this share of the values (and beyond noise: min_z); breaking from
    # `..._breaking`, or when it replaces the dominant pattern.
    format_warning_share: float = 0.02
    format_breaking_share: float = 0.5
    # row_count_changed: info, or warning when new/old rows falls outside [low, high];
    # breaking when the new data is empty or keeps less than `row_ratio_breaking` of the rows.
    row_ratio_low: float = 0.5
    row_ratio_high: float = 4.0
    row_ratio_breaking: float = 0.05
    # The catch-all (rules/moved.py): a statistic that moved beyond sampling is a warning when
    # its effect size reaches this (Cohen's h for shares, d for means, log ratio for spreads;
    # 0.2 is "small"), info below it.
    effect_warning: float = 0.2

    @classmethod
    def from_config(cls, check_section: dict | None) -> Thresholds:
        values = dict((check_section or {}).get("thresholds", {}))
        known = {f.name: f.type for f in fields(cls)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise DatacoupleError(
                f"unknown threshold(s) in [check.thresholds]: {', '.join(unknown)} "
                f"(known: {', '.join(sorted(known))})"
            )
        for name, value in values.items():
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise DatacoupleError(f"[check.thresholds] {name} must be a non-negative number")
        return cls(**{name: float(value) for name, value in values.items()})
