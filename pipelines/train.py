"""Stage `train`: fit the example model on the feature table, record its data with datacouple,
register it in MLflow and give it an alias.

The model classifies veterans (six or more seasons) from a season's batting and the salary
band, which is unknown for 59 players. Its pipeline says how it reads "unknown": NULL becomes
the category "unknown"; any other spelling (an empty string, say) is a category it never saw.
That is the coupling datacouple watches: `datacouple.log_dataset` ties the run to the data's DVC
hash and fingerprint, and the model's signature names the columns it reads.

    python pipelines/train.py data/features.parquet [MODEL_NAME] [ALIAS]

The tracking store is MLflow's own setting (MLFLOW_TRACKING_URI), default sqlite:///mlflow.db.
"""

import os
import sys

import mlflow
import pandas as pd
from mlflow.models import infer_signature
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

import datacouple

NUMBERS = ["at_bat", "hits", "hm_run", "runs", "rbi", "walks"]
CATEGORIES = ["league", "division", "salary_band"]
VETERAN_SEASONS = 6


def build_model() -> Pipeline:
    categories = Pipeline([
        ("missing", SimpleImputer(strategy="constant", fill_value="unknown")),
        ("onehot", OneHotEncoder(handle_unknown="ignore")),
    ])
    prepare = ColumnTransformer([("numbers", StandardScaler(), NUMBERS),
                                 ("categories", categories, CATEGORIES)])
    return Pipeline([("prepare", prepare), ("classify", LogisticRegression(max_iter=1000))])


def main(features_path: str, model_name: str = "hitters-veteran",
         alias: str = "champion") -> None:
    mlflow.set_tracking_uri(os.environ.get("MLFLOW_TRACKING_URI", "sqlite:///mlflow.db"))
    mlflow.set_experiment("hitters")
    frame = pd.read_parquet(features_path)
    inputs, label = frame[NUMBERS + CATEGORIES], frame["years"] >= VETERAN_SEASONS
    model = build_model().fit(inputs, label)
    with mlflow.start_run(run_name="train-veteran"):
        datacouple.log_dataset("features", context="training")
        mlflow.log_metric("train_accuracy", float(model.score(inputs, label)))
        info = mlflow.sklearn.log_model(
            model, name="model", signature=infer_signature(inputs, model.predict(inputs)),
            # skops (MLflow's safe format) must be told numpy dtypes are fine to load.
            skops_trusted_types=["numpy.dtype"],
        )
        version = datacouple.register_model(info.model_uri, model_name, alias=alias)
    print(f"{model_name} v{version.version} (@{alias}) trained on features "
          f"({len(frame)} rows)", file=sys.stderr)


if __name__ == "__main__":
    main(*sys.argv[1:])
