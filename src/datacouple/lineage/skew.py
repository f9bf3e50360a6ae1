"""Training-serving skew: the fingerprint a model version was trained on against some data now.

`datacouple diff --against-model NAME@ALIAS DATA`: the version's run holds the training
dataset's full fingerprint as an artifact (`datacouple/fingerprints/<name>.json`); DATA is
anything `diff` accepts (a data path, a fingerprint file, NAME, NAME@GITREV).
"""

from __future__ import annotations

from dataclasses import replace

from ..changes import Thresholds
from ..config import Config
from ..errors import DatacoupleError
from ..resolve import DiffResult, Side, diff_sides, resolve_side
from . import queries


def training_side(client, spec: str, dataset_name: str | None = None) -> Side:
    """The training fingerprint of model version `spec` (NAME/VERSION or NAME@ALIAS). With
    several training datasets, the one named `dataset_name` is taken."""
    version = queries.resolve_version(client, spec)
    if not version.run_id:
        raise DatacoupleError(f"{spec}: the model version has no source run to read from")
    inputs = queries.dataset_inputs(client.get_run(version.run_id))
    training = [i for i in inputs if i.context in (None, "training")] or inputs
    if len(training) > 1 and dataset_name:
        training = [i for i in training if i.name == dataset_name] or training
    if not training:
        raise DatacoupleError(f"{spec}: its run {version.run_id} logged no dataset")
    if len(training) > 1:
        names = ", ".join(sorted({i.name for i in training}))
        raise DatacoupleError(f"{spec} was trained on several datasets ({names}); compare data "
                              "of one of them (a configured dataset name or its path)")
    chosen = training[0]
    document = queries.logged_fingerprint(client, chosen)
    if document is None:
        raise DatacoupleError(f"{spec}: run {version.run_id} has no fingerprint artifact "
                              f"{chosen.fingerprint_artifact} (log it with datacouple.log_dataset)")
    return Side(label=f"{spec} (trained on {chosen.name}@{chosen.digest[:8]})",
                fingerprint=document, dataset=chosen.name)


def skew(client, model_spec: str, data_spec: str, config: Config):
    """`DiffResult` of the training fingerprint (old) against `data_spec` (new)."""
    new = resolve_side(data_spec, config)
    old = training_side(client, model_spec, new.dataset or None)
    changes = diff_sides(old, new, Thresholds.from_config(config.raw.get("check")))
    return DiffResult(old, new, [replace(c, dataset=new.dataset or old.dataset) for c in changes])


def skew_against_model(model_spec: str, data_spec: str, config: Config):
    """`datacouple diff --against-model`: `skew` on MLflow's own tracking store."""
    from .queries import open_client, tracking_errors

    client = open_client()
    with tracking_errors(client):
        return skew(client, model_spec, data_spec, config)
