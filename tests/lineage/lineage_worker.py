"""One training job of the concurrency test, run as its own process: says it is ready (a file
GO_FILE.ALIAS.ready, once its imports are done), waits for the start signal (GO_FILE), then
logs both datasets of the repository in its cwd inside its own MLflow run, logs a model and
registers it. Prints the run id on stdout.

    python lineage_worker.py TRACKING_URL EXPERIMENT_ID MODEL_NAME ALIAS GO_FILE
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path


def main(url: str, experiment_id: str, model_name: str, alias: str, go: str) -> None:
    import mlflow
    from mlflow.pyfunc import PythonModel

    import datacouple

    class Constant(PythonModel):  # what it predicts does not matter to lineage
        def predict(self, context, model_input, params=None):
            return [0.0] * len(model_input)

    mlflow.set_tracking_uri(url)
    mlflow.set_registry_uri(url)
    Path(f"{go}.{alias}.ready").touch()
    deadline = time.monotonic() + 300
    while not Path(go).exists():
        if time.monotonic() > deadline:
            raise SystemExit("no start signal")
        time.sleep(0.02)
    with mlflow.start_run(experiment_id=experiment_id, run_name=alias) as run, \
            warnings.catch_warnings():
        warnings.simplefilter("ignore")
        datacouple.log_dataset("features", context="training")
        datacouple.log_dataset("parts", context="training")
        info = mlflow.pyfunc.log_model(name="model", python_model=Constant(),
                                       pip_requirements=[])
    datacouple.register_model(info.model_uri, model_name, alias=alias)
    print(run.info.run_id)


if __name__ == "__main__":
    main(*sys.argv[1:6])
