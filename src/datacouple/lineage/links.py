"""Links from what MLflow's UI already renders to the lineage page.

MLflow's React UI has no extension point, but it renders a run's note (`mlflow.note.content`)
and a model version's description as markdown. So the way into the lineage view is a markdown
link there. The links are root-relative (`/datacouple/lineage?...`): they resolve against
whatever origin serves the MLflow UI, which is the server that also serves the page.
"""

from __future__ import annotations

from urllib.parse import urlencode

LINEAGE_PATH = "/datacouple/lineage"
NOTE_TAG = "mlflow.note.content"


def lineage_url(*, run: str | None = None, model: str | None = None,
                dataset: str | None = None) -> str:
    """`/datacouple/lineage?run=ID`, `?model=NAME/VERSION` (or `NAME@ALIAS`), `?dataset=NAME`."""
    given = {key: value for key, value in (("run", run), ("model", model), ("dataset", dataset))
             if value is not None}
    if len(given) > 1:
        raise ValueError("a lineage link focuses on one of run, model or dataset")
    # "/" and "@" stay readable in model references; everything else is escaped.
    return LINEAGE_PATH + ("?" + urlencode(given, safe="/@") if given else "")


def run_note_link(run_id: str) -> str:
    """The markdown line a run's note gets."""
    return f"[Data lineage (datacouple)]({lineage_url(run=run_id)})"


def model_version_link(name: str, version: str | int) -> str:
    """The markdown a registered model version's description gets."""
    return (f"[Data lineage of {name} version {version} (datacouple)]"
            f"({lineage_url(model=f'{name}/{version}')})")


def append_markdown(existing: str | None, line: str) -> str:
    """`existing` with `line` appended as its own paragraph; unchanged when already there.

    A user's note is never overwritten, and applying the same link twice (a journal replay)
    adds it once.
    """
    existing = existing or ""
    if line in existing:
        return existing
    if not existing.strip():
        return line
    return existing.rstrip("\n") + "\n\n" + line
