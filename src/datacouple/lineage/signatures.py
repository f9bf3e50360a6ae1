"""Registered model version -> the column names its signature takes as inputs.

The signature lives only in the version's `MLmodel` file (neither the ModelVersion nor the
LoggedModel entity of MLflow 3.17 carries it), so the cheapest read is that one small file:
two registry look-ups (version -> logged model -> artifact location) and one download, about
20 ms on a local store. `mlflow.models.get_model_info("models:/NAME/VERSION")` downloads the
same file but resolves `models:/` through the process-wide registry URI, not the client's.
Model versions are immutable, so the answer is cached for good: in memory, and in
`.datacouple/cache/signatures.json` under the repository (keyed by registry URI, since two
registries can both have a `churn` version 3).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path

import yaml

from ..atomic import write_text_atomic
from .local_state import keep_out_of_git

CACHE_FILE = Path(".datacouple") / "cache" / "signatures.json"
NO_SIGNATURE = "no signature"  # the reason an unsigned version counts as affected

_MEMORY: dict[tuple[str, str, str], list[str] | None] = {}


def signature_inputs(client, name: str, version: str | int,
                     cache_root: str | os.PathLike | None = None) -> list[str] | None:
    """Input column names of the version's signature, in order; None when it has none (or
    its MLmodel cannot be read): callers treat that as "may use any column". With
    `cache_root` (a repository root) the answer is also kept on disk there."""
    return signatures_for(client, [(name, version)], cache_root)[(name, str(version))]


def signatures_for(client, versions, cache_root: str | os.PathLike | None = None,
                   locations: dict | None = None) -> dict[tuple[str, str], list[str] | None]:
    """`signature_inputs` for many `(name, version)` pairs; the disk cache is written once.
    `locations` may give a version's model artifact location when the caller already has
    it (a logged model entity), saving two registry look-ups."""
    registry = _registry_uri(client)
    disk = _DiskCache(Path(cache_root) / CACHE_FILE if cache_root else None)
    answers = {}
    for name, version in versions:
        key = (registry, name, str(version))
        if key not in _MEMORY:
            found, inputs = disk.get(registry, f"{name}/{version}")
            if not found:
                location = (locations or {}).get((name, str(version)))
                readable, inputs = _read_signature_inputs(client, name, str(version), location)
                if not readable:  # maybe a passing outage: answer, but remember nothing
                    answers[(name, str(version))] = None
                    continue
                disk.put(registry, f"{name}/{version}", inputs)
            _MEMORY[key] = inputs
        answers[(name, str(version))] = _MEMORY[key]
    disk.flush()
    return answers


def _read_signature_inputs(client, name: str, version: str, location: str | None = None
                           ) -> tuple[bool, list[str] | None]:
    """(readable, inputs): readable is False when the MLmodel could not be fetched."""
    from mlflow.exceptions import MlflowException

    with tempfile.TemporaryDirectory(prefix="datacouple-") as scratch:
        try:
            location = location or _model_location(client, name, version)
            local = _artifact_repository(client, location).download_artifacts(
                "MLmodel", dst_path=scratch)
            text = Path(local).read_text(encoding="utf-8")
        except (MlflowException, OSError):
            return False, None
    return True, mlmodel_signature_inputs(text)


def mlmodel_signature_inputs(text: str) -> list[str] | None:
    """Input names from an MLmodel file's `signature.inputs` (a JSON string of column or
    tensor specs). Read directly: `mlflow.models.Model.load` builds the whole model
    description, which costs more than the rest of the look-up."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        document = yaml.load(text, Loader=loader)  # a safe loader: no objects built
        inputs = json.loads(((document or {}).get("signature") or {}).get("inputs") or "null")
    except (yaml.YAMLError, ValueError, AttributeError):
        return None
    if not isinstance(inputs, list):
        return None
    names = [spec["name"] for spec in inputs
             if isinstance(spec, dict) and isinstance(spec.get("name"), str)]
    return names or None  # an unnamed tensor signature says nothing about columns


def _model_location(client, name: str, version: str) -> str:
    """Where the version's model files are, asked of `client` itself.

    `models:/NAME/VERSION` URIs are no use here: MLflow resolves them with a client built from
    the process-wide registry URI, not this client's. An MLflow 3 version's source is its
    logged model (`models:/<model_id>`), whose entity knows its artifact location; an older
    version's download URI is a plain artifact URI already."""
    source = client.get_model_version(name, version).source or ""
    if source.startswith("models:/m-"):
        model_id = source[len("models:/"):].split("/", 1)[0]
        return client.get_logged_model(model_id).artifact_location
    return client.get_model_version_download_uri(name, version)


def _artifact_repository(client, location: str):
    """The artifact repository at `location`. A client may supply its own resolution
    (`artifact_repository(location)`), e.g. inside `mlflow server`, where proxied
    `mlflow-artifacts:` URIs must be read from the server's artifact destination."""
    own = getattr(client, "artifact_repository", None)
    if callable(own):
        return own(location)
    from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository

    return get_artifact_repository(location)


def _registry_uri(client) -> str:
    return getattr(client, "_registry_uri", None) or client.tracking_uri


class _DiskCache:
    """`{registry_uri: {"NAME/VERSION": [inputs] | null}}`, rewritten atomically."""

    def __init__(self, path: Path | None):
        self.path = path  # None: no disk cache, the process's memory only
        self._data: dict | None = None
        self._dirty = False

    def _load(self) -> dict:
        if self._data is None:
            if self.path is None:
                self._data = {}
                return self._data
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                data = {}  # absent or damaged: a cache, so start over
            self._data = data if isinstance(data, dict) else {}
        return self._data

    def get(self, registry: str, key: str) -> tuple[bool, list[str] | None]:
        entries = self._load().get(registry) or {}
        if key in entries and (entries[key] is None or isinstance(entries[key], list)):
            return True, entries[key]
        return False, None

    def put(self, registry: str, key: str, inputs: list[str] | None) -> None:
        data = self._load()
        data.setdefault(registry, {})[key] = inputs
        self._dirty = True

    def flush(self) -> None:
        if not self._dirty or self.path is None:
            return
        self._dirty = False
        # A read-only checkout still answers, just without the disk cache.
        with contextlib.suppress(OSError):
            keep_out_of_git(self.path)
            write_text_atomic(self.path,
                              json.dumps(self._data, indent=1, sort_keys=True) + "\n")
