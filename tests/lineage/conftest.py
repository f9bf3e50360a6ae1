"""Shared lineage fixtures. GRAPH's: `lineage_history` (graph_scenario.py: a git + DVC repo with
two versions of ISLP's Hitters features, a sqlite MLflow store, real registered models)."""

from __future__ import annotations

import pytest

from graph_scenario import History, build_history


@pytest.fixture(scope="session")
def lineage_history(tmp_path_factory) -> History:
    """Built once per session (about 20 s): the graph, impact and render tests only read it."""
    return build_history(tmp_path_factory.mktemp("lineage-history"))
