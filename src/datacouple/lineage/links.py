"""Links from what MLflow's UI already renders to the lineage page.

MLflow's React UI has no extension point, but it renders a run's note (`mlflow.note.content`)
and a model version's description as markdown. So the way into the lineage view is a markdown
link there. The links are root-relative (`/datacouple/lineage?...`): they resolve against
whatever origin serves the MLflow UI, which is the server that also serves the page.
"""

from __future__ import annotations

import html
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


def lineage_html_for_run(client, run_id: str) -> str:
    """The `datacouple/lineage.html` run artifact: a self-contained page for this run.

    Until the lineage page renderer is wired in (the lead connects `page.render_html` of the
    run's graph here), this is a small page listing the run's DVC dataset inputs and linking to
    the live lineage view.
    """
    run = client.get_run(run_id)
    rows = []
    for dataset_input in (run.inputs.dataset_inputs if run.inputs else []):
        dataset = dataset_input.dataset
        if dataset.source_type != "dvc":
            continue
        context = next((tag.value for tag in dataset_input.tags
                        if tag.key == "mlflow.data.context"), "")
        rows.append(
            f"<tr><td>{html.escape(dataset.name)}</td><td><code>{html.escape(dataset.digest)}"
            f"</code></td><td>{html.escape(context)}</td></tr>"
        )
    name = html.escape(run.info.run_name or run_id)
    return (
        "<!doctype html>\n<html><head><meta charset=\"utf-8\">"
        f"<title>Data lineage of run {name}</title></head><body>\n"
        f"<h1>Data lineage of run {name}</h1>\n"
        "<table><thead><tr><th>dataset</th><th>DVC hash</th><th>context</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>\n"
        f"<p><a href=\"{html.escape(lineage_url(run=run_id))}\">Open the live lineage view</a>"
        "</p>\n</body></html>\n"
    )
