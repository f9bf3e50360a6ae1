"""The check's view of the lineage: which model versions each change affects.

The lineage layer answers (`lineage.impact.affected_models`); this module only opens it and
turns "the tracking server cannot be reached" into `LineageUnavailable`, quickly (the journal's
short retries): a check in CI must not sit through MLflow's default minutes of retries.
"""

from __future__ import annotations

from ..changes import Change
from ..config import Config
from ..lineage.impact import affected_models
from ..lineage.queries import open_client, tracking_uri
from ..lineage.tracking import short_retries
from .run import LineageUnavailable


class _TrackingLineage:
    def __init__(self, client, config: Config) -> None:
        self._client = client
        self._config = config

    def affected_models(self, changes: list[Change]) -> list[list[dict]]:
        with short_retries():
            try:
                found = affected_models(self._client, changes, self._config)
            except Exception as error:  # MLflow raises many types for an unusable store
                raise LineageUnavailable(_describe(error)) from None
        return [list(change.affected_models) for change in found]


def open_model_lineage(config: Config) -> _TrackingLineage:
    """The lineage behind MLflow's own tracking URI; LineageUnavailable when it cannot be read."""
    uri = tracking_uri()
    with short_retries():
        try:
            client = open_client(uri)
            client.search_experiments(max_results=1)
        except Exception as error:
            raise LineageUnavailable(f"{_redact(uri)}: {_describe(error)}") from None
    return _TrackingLineage(client, config)


def _describe(error: Exception) -> str:
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text[:160]}" if text else type(error).__name__


def _redact(uri: str) -> str:
    """A tracking URI without its password (`https://user:secret@host` -> `https://user@host`)."""
    scheme, sep, rest = uri.partition("://")
    if sep and "@" in rest.split("/", 1)[0]:
        credentials, _, host = rest.partition("@")
        return f"{scheme}://{credentials.split(':', 1)[0]}@{host}"
    return uri
