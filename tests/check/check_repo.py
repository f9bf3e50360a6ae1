"""The history the check tests build on: ISLP's Hitters as a feature table, and its migration."""

from __future__ import annotations

import pandas as pd

from helpers import GitDvcProject
from public_data import islp_frame


def hitters_features() -> pd.DataFrame:
    """A feature table with genuine missing values: the salary band is NULL where the public
    table has no salary (59 rows)."""
    raw = islp_frame("Hitters")
    features = raw[["AtBat", "Hits", "Years", "League", "Division", "Salary"]].copy()
    bands = pd.cut(features["Salary"], [0, 250, 750, 5000], labels=["low", "mid", "high"])
    features["salary_band"] = bands.astype(object).where(bands.notna(), None)
    return features


def null_band_as_empty_string(features: pd.DataFrame) -> pd.DataFrame:
    """The "schema migration": NULL salary bands are written as ""."""
    migrated = features.copy()
    migrated["salary_band"] = migrated["salary_band"].where(migrated["salary_band"].notna(), "")
    return migrated


def migrate(repo: GitDvcProject, message: str = "migrate: write missing bands as empty strings"):
    repo.save_data("data/features.parquet", null_band_as_empty_string(hitters_features()))
    repo.fingerprint("features")
    repo.commit(message)
