"""Real public datasets that PyPI packages ship (ISLP's and statsmodels' data folders), for
behaviour tests.

Located without importing ISLP itself (its import pulls in heavy optional dependencies).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pyarrow as arrow
import pyarrow.csv as arrow_csv
import pytest


def islp_csv(name: str) -> Path:
    spec = importlib.util.find_spec("ISLP")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail("the ISLP package (public datasets) is missing: run `make setup`")
    return Path(spec.submodule_search_locations[0]) / "data" / f"{name}.csv"


def islp_frame(name: str) -> pd.DataFrame:
    """The table as pandas reads it: "NA" and empty cells become missing values."""
    return pd.read_csv(islp_csv(name))


def statsmodels_csv(relative: str) -> Path:
    spec = importlib.util.find_spec("statsmodels")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail("statsmodels (public datasets) is missing: pip install statsmodels")
    return Path(spec.submodule_search_locations[0]) / "datasets" / relative


def grunfeld_table() -> arrow.Table:
    return arrow_csv.read_csv(statsmodels_csv("grunfeld/grunfeld.csv"))


def statecrime_table() -> arrow.Table:
    return arrow_csv.read_csv(statsmodels_csv("statecrime/statecrime.csv"))


# The feature table the check and reliability tests share, and its "schema migration".

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
