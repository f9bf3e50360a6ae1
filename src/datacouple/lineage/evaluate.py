"""`datacouple impact --evaluate`: score affected model versions on the old and the new data.

Each version is loaded from the registry (`mlflow.pyfunc.load_model("models:/NAME/VERSION")`;
nothing else is ever unpickled) and scores the same fixed, seeded sample of rows of the data
as it was at the base revision (read through DVC, from its cache or remote, no checkout) and
as it is in the work tree. When both versions have the same number of rows the sample takes the
same positions in both, and predictions are compared row by row (share changed, mean absolute
change for numbers); otherwise rows cannot be paired, so the two prediction distributions are
compared instead, and the report says which it did.
"""

from __future__ import annotations

import contextlib
import math
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from ..config import DatasetConfig
from ..errors import DatacoupleError
from ..identity.revision_data import download_at_revision
from ..profile.arrow.sources import open_source
from .signatures import signatures_for

SAMPLE_ROWS = 1000
SEED = 0


def evaluate_versions(client, versions: list[dict], dataset: DatasetConfig, root: Path,
                      base: str, *, rows: int = SAMPLE_ROWS, seed: int = SEED) -> list[dict]:
    """One result per version: `{name, version, aliases, mode, rows, ...}` or `{..., error}`."""
    if not versions:
        return []
    _check_loading_allowed()
    old = read_at_revision(dataset, root, base)
    new = read_frame(dataset.path)
    old_sample, new_sample, mode = _samples(old, new, rows, seed)
    inputs = signatures_for(client, [(v["name"], v["version"]) for v in versions], root)
    results = []
    for version in versions:
        result = {"name": version["name"], "version": version["version"],
                  "aliases": list(version.get("aliases", ())), "mode": mode,
                  "rows": len(new_sample)}
        columns = inputs.get((version["name"], version["version"]))
        try:
            model = _load(client, version["name"], version["version"])
            before = _predict(model, old_sample, columns)
            after = _predict(model, new_sample, columns)
        except Exception as error:  # a model that cannot score is a finding, not a crash
            result["error"] = f"{type(error).__name__}: {' '.join(str(error).split())[:300]}"
            results.append(result)
            continue
        result.update(_compare_rows(before, after) if mode == "rows"
                      else _compare_distributions(before, after))
        results.append(result)
    return results


def _check_loading_allowed() -> None:
    """MLflow 3.17 deserializes models (skops included) only while
    MLFLOW_ALLOW_PICKLE_DESERIALIZATION is true (its default). A user who turned it off said
    no; say so once instead of failing every model."""
    from mlflow.environment_variables import MLFLOW_ALLOW_PICKLE_DESERIALIZATION

    if not MLFLOW_ALLOW_PICKLE_DESERIALIZATION.get():
        raise DatacoupleError(
            "--evaluate loads the registered models, which MLFLOW_ALLOW_PICKLE_DESERIALIZATION="
            "false forbids; unset it (or set it to true) if you trust your model registry")


# --------------------------------------------------------------------------- data


def read_frame(path: Path) -> pd.DataFrame:
    """A data file or directory through the project's own readers (Parquet, CSV, Arrow IPC)."""
    source = open_source(path)
    return pa.Table.from_batches(list(source.batches()), schema=source.schema).to_pandas()


def read_at_revision(dataset: DatasetConfig, root: Path, rev: str) -> pd.DataFrame:
    """The dataset's data as DVC tracked it at git revision `rev` (DVC's cache, else remote)."""
    relpath = dataset.path.relative_to(root).as_posix()
    with tempfile.TemporaryDirectory(prefix="datacouple-") as scratch:
        target = Path(scratch) / dataset.path.name
        download_at_revision(root, relpath, rev, target)
        return read_frame(target)


def _samples(old: pd.DataFrame, new: pd.DataFrame, rows: int, seed: int):
    rng = np.random.default_rng(seed)
    if len(old) == len(new):
        positions = np.sort(rng.choice(len(new), size=min(rows, len(new)), replace=False))
        return old.iloc[positions], new.iloc[positions], "rows"
    old_positions = np.sort(rng.choice(len(old), size=min(rows, len(old)), replace=False))
    new_positions = np.sort(rng.choice(len(new), size=min(rows, len(new)), replace=False))
    return old.iloc[old_positions], new.iloc[new_positions], "distribution"


# --------------------------------------------------------------------------- models


_URI_VARIABLES = ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI")


@contextlib.contextmanager
def _registry_of(client) -> Iterator[None]:
    """`models:/` URIs resolve against MLflow's process-wide URIs: point them at the client's
    store for the load, and put them back after (MLflow 3.17's setters also export them as
    environment variables, so those are restored too)."""
    import os

    import mlflow

    saved_env = {name: os.environ.get(name) for name in _URI_VARIABLES}
    tracking, registry = mlflow.get_tracking_uri(), mlflow.get_registry_uri()
    mlflow.set_tracking_uri(client.tracking_uri)
    mlflow.set_registry_uri(getattr(client, "_registry_uri", None) or client.tracking_uri)
    try:
        yield
    finally:
        mlflow.set_tracking_uri(tracking)
        mlflow.set_registry_uri(registry)
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _load(client, name: str, version: str):
    import mlflow.pyfunc

    with _registry_of(client):
        return mlflow.pyfunc.load_model(f"models:/{name}/{version}")


def _predict(model, frame: pd.DataFrame, columns: list[str] | None) -> np.ndarray:
    if columns is not None:
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise DatacoupleError(f"the data lacks signature input(s) {', '.join(missing)}")
        frame = frame[columns]
    predictions = model.predict(frame.reset_index(drop=True))
    if isinstance(predictions, pd.DataFrame):
        predictions = predictions.iloc[:, 0]
    return np.asarray(predictions).reshape(len(frame), -1)[:, 0]


# --------------------------------------------------------------------------- comparisons


def _numeric(values: np.ndarray) -> bool:
    return values.dtype.kind in "iufb"


def _compare_rows(before: np.ndarray, after: np.ndarray) -> dict:
    if _numeric(before) and _numeric(after):
        a, b = before.astype(float), after.astype(float)
        changed = ~(np.isclose(a, b, rtol=1e-9, atol=1e-12, equal_nan=True))
        result = {"changed": int(changed.sum()), "changed_share": _round(changed.mean())}
        if "b" not in (before.dtype.kind, after.dtype.kind):  # for labels it is the share
            delta = np.abs(a - b)
            result["mean_abs_change"] = _round(np.nanmean(delta) if len(delta) else 0.0)
        return result
    changed = np.asarray([x != y for x, y in zip(before, after, strict=True)])
    return {"changed": int(changed.sum()),
            "changed_share": _round(changed.mean() if len(changed) else 0.0)}


def _compare_distributions(before: np.ndarray, after: np.ndarray) -> dict:
    if _numeric(before) and _numeric(after):
        a, b = before.astype(float), after.astype(float)
        return {"mean_before": _round(np.nanmean(a)), "mean_after": _round(np.nanmean(b)),
                "std_before": _round(np.nanstd(a)), "std_after": _round(np.nanstd(b)),
                "mean_shift": _round(np.nanmean(b) - np.nanmean(a))}
    shares_a = pd.Series(before).value_counts(normalize=True)
    shares_b = pd.Series(after).value_counts(normalize=True)
    labels = shares_a.index.union(shares_b.index)
    distance = 0.5 * float(np.abs(shares_a.reindex(labels, fill_value=0)
                                  - shares_b.reindex(labels, fill_value=0)).sum())
    return {"total_variation": _round(distance)}


def _round(value) -> float | None:
    value = float(value)
    return None if math.isnan(value) else round(value, 6)
