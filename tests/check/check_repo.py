"""The history the check tests build on: ISLP's Hitters as a feature table, and its migration."""

from __future__ import annotations

from helpers import GitDvcProject
from public_data import hitters_features, null_band_as_empty_string

__all__ = ["hitters_features", "migrate", "null_band_as_empty_string"]


def migrate(repo: GitDvcProject, message: str = "migrate: write missing bands as empty strings"):
    repo.save_data("data/features.parquet", null_band_as_empty_string(hitters_features()))
    repo.fingerprint("features")
    repo.commit(message)
