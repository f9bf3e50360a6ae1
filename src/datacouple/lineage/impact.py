"""Column-level impact: which registered model versions a set of classified changes affects.

A change affects a model version trained on the changed dataset (on any version of it: a
`training` input, or one without a context) when the changed column is among the version's
signature inputs. A table-level change (column None) affects every such version; a version
without a signature is assumed affected, and the report says so (`reason`).

Which versions count is set in `[check]` of datacouple.toml:

    [check]
    models = ["churn"]          # registered model names (default: any)
    aliases = ["champion"]      # alias names (default: any alias)

With neither, every version that has an alias counts (what is deployed, by MLflow's
convention); with `models` only, every version of those models; with `aliases` only, versions
holding one of those aliases; with both, versions of those models holding one of those aliases.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..changes import BREAKING, Change, Thresholds, to_report
from ..config import Config
from ..errors import DatacoupleError
from ..resolve import Side, diff_sides, resolve_side
from . import graph
from .signatures import NO_SIGNATURE, signatures_for


@dataclass(frozen=True)
class Selection:
    """Which model versions count (see the module's docstring)."""

    models: frozenset[str] | None = None
    aliases: frozenset[str] | None = None

    @classmethod
    def from_config(cls, config: Config | None) -> Selection:
        check = (config.raw.get("check") if config else None) or {}
        where = config.source if config else "datacouple.toml"
        return cls(_names(check, "models", where), _names(check, "aliases", where))

    def counts(self, version: dict) -> bool:
        if self.models is not None and version["name"] not in self.models:
            return False
        if self.aliases is not None:
            return bool(self.aliases & set(version["aliases"]))
        return self.models is not None or bool(version["aliases"])


def _names(check: dict, key: str, where) -> frozenset[str] | None:
    value = check.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DatacoupleError(f"{where}: check.{key} must be a list of strings")
    return frozenset(value)


@dataclass(frozen=True)
class ImpactResult:
    old: Side
    new: Side
    changes: list[Change]  # each with affected_models filled

    @property
    def breaks_a_model(self) -> bool:
        return any(c.severity == BREAKING and c.affected_models for c in self.changes)


def impact(client, name: str, config: Config, base: str = "HEAD") -> ImpactResult:
    """The committed fingerprint of dataset `name` at `base` against the work tree's (with the
    data's staleness), classified, each change naming the model versions it affects."""
    if name not in config.datasets:
        known = ", ".join(sorted(config.datasets)) or "none configured"
        raise DatacoupleError(f"impact: {name!r} is not a dataset in datacouple.toml "
                              f"(known: {known})")
    old = resolve_side(f"{name}@{base}", config)
    new = resolve_side(name, config)
    changes = diff_sides(old, new, Thresholds.from_config(config.raw.get("check")))
    return ImpactResult(old, new, affected_models(client, changes, config))


def affected_models(client, changes: list[Change], config: Config | None = None) -> list[Change]:
    """`changes` with `affected_models` filled: `[{name, version, aliases, reason}]`."""
    selection = Selection.from_config(config)
    found = graph.models_for_datasets(client, [c.dataset for c in changes if c.dataset])
    counted = {dataset: [v for v in versions if _trained_on(v) and selection.counts(v)]
               for dataset, versions in found.items()}
    versions = {(v["name"], v["version"]) for found in counted.values() for v in found}
    inputs = signatures_for(client, sorted(versions), config.root if config else None)
    return [replace(change, affected_models=tuple(
        _affected(change, counted.get(change.dataset, []), inputs))) for change in changes]


def _trained_on(version: dict) -> bool:
    """Trained on the dataset, not only validated or evaluated on it (an input logged without
    a context counts as training: MLflow's default use)."""
    return not version["contexts"] or "training" in version["contexts"]


def _affected(change: Change, versions: list[dict], inputs: dict) -> list[dict]:
    found = []
    for version in versions:
        columns = inputs.get((version["name"], version["version"]))
        if columns is None:
            reason = f"{NO_SIGNATURE}: assumed to use every column"
        elif change.column is None:
            reason = "table-level change"
        elif change.column in columns:
            reason = f"signature input {change.column!r}"
        else:
            continue
        found.append({"name": version["name"], "version": version["version"],
                      "aliases": list(version["aliases"]), "reason": reason})
    return found


def affected_versions(changes: list[Change]) -> list[dict]:
    """Each affected model version once, in report order: what `--evaluate` scores."""
    seen: dict[tuple[str, str], dict] = {}
    for change in changes:
        for model in change.affected_models:
            seen.setdefault((model["name"], model["version"]), model)
    return list(seen.values())



def impact_for(name: str, config: Config, base: str = "HEAD", evaluate: bool = False
               ) -> tuple[ImpactResult, list[dict] | None]:
    """`datacouple impact`: the impact on MLflow's own tracking store and, with `evaluate`,
    each affected version scored on old and new data."""
    from .evaluate import evaluate_versions  # loads models: only when asked to
    from .queries import open_client, tracking_errors

    client = open_client()
    with tracking_errors(client):
        result = impact(client, name, config, base)
        if not evaluate:
            return result, None
        return result, evaluate_versions(client, affected_versions(result.changes),
                                         config.datasets[name], config.root, base)


def print_impact(result: ImpactResult, evaluation: list[dict] | None, console) -> None:
    from ..changes.render import render_text
    from .render import render_assumptions, render_evaluation

    render_text(result.changes, console, compared=(result.old.label, result.new.label))
    render_assumptions(result.changes, console)
    if evaluation is not None:
        render_evaluation(evaluation, console)


def impact_report(result: ImpactResult, evaluation: list[dict] | None = None) -> dict:
    """The diff/check JSON of docs/diff.md (each change's `affected_models` filled), plus the
    evaluation when one ran."""
    report = to_report(result.changes)
    report["compared"] = [result.old.label, result.new.label]
    if evaluation is not None:
        report["evaluation"] = evaluation
    return report
