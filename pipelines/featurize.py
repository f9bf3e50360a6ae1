"""Stage `featurize`: raw Hitters export -> the feature table a salary model trains on.

A typical pandas feature step: snake_case names, categorical codes as strings, a derived
ratio, and a salary band that is NULL where the public table has no salary (59 players): the
genuine missing values the training stage handles, and that a migration may spell differently.
"""

import re
import sys

import numpy as np
import pandas as pd


def snake_case(name: str) -> str:
    return re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def featurize(raw: pd.DataFrame) -> pd.DataFrame:
    features = raw.rename(columns=snake_case)
    features["career_batting_avg"] = (features["c_hits"] / features["c_at_bat"]).round(4)
    features["log_salary"] = np.log(features["salary"])  # NaN where salary is unknown
    bands = pd.cut(features["salary"], [0, 250, 750, np.inf], labels=["low", "mid", "high"])
    features["salary_band"] = bands.astype(object).where(bands.notna(), None)  # NULL: unknown
    return features


def main(source: str, target: str) -> None:
    raw = pd.read_csv(source)  # "NA" and empty cells become missing, as pandas does by default
    featurize(raw).to_parquet(target, index=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
