"""The `datacouple` command: a thin click layer over the library. No logic lives here.

Exit codes everywhere: 0 fine, 1 the data fails its contract (validation failed, or breaking
changes), 2 bad input or usage, with a one-line cause on stderr.
"""

from __future__ import annotations

import sys

import click

from . import __version__
from .config import load_config, resolve_dataset
from .errors import DatacoupleError


class _Group(click.Group):
    """Turns DatacoupleError into its one-line message and exit code 2."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except DatacoupleError as error:
            click.echo(f"datacouple: error: {error}", err=True)
            sys.exit(error.exit_code)


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="datacouple")
def main() -> None:
    """Couple datasets to models: fingerprint feature tables, version them with DVC, and see
    which model versions a data change affects."""


progress_option = click.option(
    "--progress/--no-progress", default=None,
    help="Show a progress bar (default: only when stderr is a terminal).",
)


@main.command()
@click.argument("dataset", metavar="NAME|PATH")
@click.option("--schema", "schema_spec", metavar="S",
              help="Pandera schema: a YAML file or module:attr (default: the dataset's in "
                   "datacouple.toml; without one, types come from the data).")
@click.option("-o", "--output", metavar="FILE",
              help="Where to write the fingerprint ('-' for stdout). Default: the dataset's "
                   "`fingerprint` in datacouple.toml, fingerprints/NAME.json for a named dataset, "
                   "stdout for a path.")
@click.option("--engine", type=click.Choice(["arrow"]), default="arrow", show_default=True,
              help="Engine that reads the data.")
@progress_option
def fingerprint(dataset: str, schema_spec: str | None, output: str | None, engine: str,
                progress: bool | None) -> None:
    """Fingerprint a dataset (file or directory; Parquet, CSV, Arrow IPC) in one streaming pass.

    Exits 1 when a declared schema's validation fails (the fingerprint is still written: it
    records the failures), 2 on bad input.
    """
    from .fingerprint import canonical_json, write_fingerprint
    from .fingerprint import fingerprint as compute

    config = load_config()
    target = resolve_dataset(config, dataset)
    document = compute(
        target.path, schema_spec or target.schema, name=target.name, repo_root=config.root,
        max_categories=config.max_categories, progress=progress,
    )
    destination = output or (str(target.fingerprint) if dataset in config.datasets else "-")
    if destination == "-":
        click.echo(canonical_json(document), nl=False)
    else:
        written = write_fingerprint(document, destination)
        click.echo(_summary(document, config.relative(written)), err=True)
    if document["validation"] is not None and not document["validation"]["valid"]:
        click.echo(f"{target.name}: validation failed: "
                   f"{_failure_line(document['validation'])}", err=True)
        sys.exit(1)


@main.command()
@click.argument("dataset", metavar="NAME|PATH")
@click.option("--schema", "schema_spec", metavar="S", help="Pandera schema: YAML file or "
              "module:attr (default: the dataset's in datacouple.toml).")
@progress_option
def validate(dataset: str, schema_spec: str | None, progress: bool | None) -> None:
    """Validate a dataset against its Pandera schema, streaming; failure counts per check.

    Exits 0 when valid, 1 when any check fails, 2 on bad input.
    """
    from .fingerprint import validate as run_validation
    from .render import validation_table

    config = load_config()
    target = resolve_dataset(config, dataset)
    result = run_validation(target.path, schema_spec or target.schema, repo_root=config.root,
                            progress=progress)
    validation_table(target.name, result)
    sys.exit(0 if result["valid"] else 1)


@main.command()
@click.argument("dataset", metavar="NAME|PATH")
@click.option("-o", "--output", required=True, metavar="FILE",
              help="Where to write the Pandera YAML schema, e.g. schemas/NAME.yaml.")
@progress_option
def infer(dataset: str, output: str, progress: bool | None) -> None:
    """Write a Pandera YAML schema inferred from the data: dtypes, nullability, category
    domains (isin) and numeric ranges. Review it, then commit it."""
    from .fingerprint import fingerprint as compute
    from .schema_inference import infer_schema, write_schema_yaml

    config = load_config()
    target = resolve_dataset(config, dataset)
    document = compute(target.path, None, name=target.name, repo_root=config.root,
                       max_categories=config.max_categories, progress=progress)
    write_schema_yaml(infer_schema(document["columns"]), output)
    click.echo(f"{target.name}: schema with {len(document['columns'])} columns written to "
               f"{output}", err=True)


@main.command()
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="NEW", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown", "github"]),
              default="text", show_default=True,
              help="text: tables for a terminal; json: the report for scripts; markdown: a PR "
                   "comment; github: GitHub Actions annotations.")
@click.option("-o", "--output", metavar="FILE", help="Write the report to FILE (default: stdout).")
@click.option("--against-model", "against_model", metavar="NAME@ALIAS",
              help="Training-serving skew: compare the fingerprint a registered model version "
                   "(NAME@ALIAS or NAME/VERSION) was trained on, read from its MLflow run, with "
                   "the single input DATA.")
def diff(old: str, new: str | None, fmt: str, output: str | None,
         against_model: str | None) -> None:
    """Compare two versions of a dataset and classify each change as breaking, warning or info.

    OLD and NEW are each a fingerprint file, a data file or directory (fingerprinted now),
    NAME@GITREV (the fingerprint committed at that revision, e.g. features@main), or NAME (the
    fingerprint file in the work tree). With --against-model, give one input (DATA): it is
    compared with the model version's training data. Exits 0 when nothing is breaking, 1 when
    something is, 2 on bad input.
    """
    from .atomic import write_text_atomic
    from .diff.changes import BREAKING, summarize
    from .diff.render import render, render_text

    config = load_config()
    if against_model:
        if new is not None:
            raise click.UsageError("with --against-model give one input: DATA")
        from .lineage.queries import open_client, tracking_errors
        from .lineage.skew import skew

        client = open_client()
        with tracking_errors(client):
            result = skew(client, against_model, old, config)
    else:
        if new is None:
            raise click.UsageError("missing argument NEW (or use --against-model NAME@ALIAS)")
        from .sides import diff_specs

        result = diff_specs(old, new, config)
    compared = (result.old.label, result.new.label)
    if output:
        write_text_atomic(output, render(result.changes, fmt, compared=compared))
    elif fmt == "text":
        from rich.console import Console

        render_text(result.changes, Console(), compared=compared)
    else:
        click.echo(render(result.changes, fmt, compared=compared), nl=False)
    sys.exit(1 if summarize(result.changes)[BREAKING] else 0)


@main.command()
@click.argument("dataset", metavar="NAME|PATH")
@click.option("--run-id", metavar="ID", help="The MLflow run to log to (default: "
              "$MLFLOW_RUN_ID).")
@click.option("--context", default="training", show_default=True,
              help="What the run used the data for: training, validation, evaluation, ...")
@click.option("--name", metavar="NAME", help="The dataset's name in MLflow (default: NAME, or "
              "the path's stem).")
def log(dataset: str, run_id: str | None, context: str, name: str | None) -> None:
    """Record a dataset version as an input of an existing MLflow run: digest = DVC hash, the
    dvc source, the schema and a profile, the fingerprint as an artifact.

    The committed fingerprint is reused when it describes the current data. When the tracking
    server cannot be reached, the record is kept in the local journal and the command still
    exits 0 (the lineage is not lost): `datacouple sync` sends it later.
    """
    from .lineage.logging import log_dataset

    logged = log_dataset(dataset, context=context, name=name, run_id=run_id)
    if logged.journaled:
        click.echo(f"{logged.name}: tracking server unreachable; journaled to "
                   f"{logged.journaled} (run `datacouple sync` to send it)", err=True)
        return
    how = "committed fingerprint" if logged.fingerprint_reused else "fingerprint computed now"
    click.echo(f"{logged.name}: {logged.digest} logged to run {logged.run_id} as "
               f"{logged.context} ({how})")


@main.command()
def sync() -> None:
    """Send the lineage records journaled while the tracking server was unreachable.

    Each record is applied idempotently and removed once applied; records whose server is
    still unreachable, or that fail, are kept. Exits 0 when the journal is empty afterwards,
    1 otherwise.
    """
    from .lineage.journal import journal_dir
    from .lineage.journal import sync as replay

    directory = journal_dir()
    result = replay(directory)
    click.echo(f"{len(result.applied)} record(s) sent from {directory}", err=True)
    if result.unreachable:
        click.echo(f"{len(result.unreachable)} record(s) kept: tracking server still "
                   "unreachable", err=True)
    for record_id, error in result.failed.items():
        click.echo(f"{record_id}: kept, not applied: {error}", err=True)
    sys.exit(0 if result.complete else 1)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option("--backend-store-uri", metavar="URI",
              help="MLflow backend store (default: MLFLOW_TRACKING_URI when it is a store, "
                   "else sqlite:///mlflow.db).")
def ui(host: str, port: int, backend_store_uri: str | None) -> None:
    """Run the MLflow UI with the lineage view (`mlflow server --app-name datacouple`) and
    print the lineage page's address. Ctrl-C stops it. See docs/lineage-view.md."""
    from .lineage.server import run_ui

    root = load_config().root
    sys.exit(run_ui(host, port, backend_store_uri, repo_root=str(root),
                    echo=lambda line: click.echo(line, err=True)))


def _lineage_formats() -> list[str]:
    """html only once the lineage page (APP's `lineage.page`) is part of the package."""
    import importlib.util

    formats = ["text", "json", "dot"]
    if importlib.util.find_spec("datacouple.lineage.page") is not None:
        formats.append("html")
    return formats


@main.command()
@click.argument("target", metavar="[DATASET|MODEL[/VERSION|@ALIAS]]", required=False)
@click.option("--format", "fmt", type=click.Choice(_lineage_formats()), default="text",
              show_default=True, help="text: a tree for a terminal; json: the graph document; "
              "dot: Graphviz source; html: the self-contained lineage page.")
@click.option("-o", "--output", metavar="FILE", help="Write it to FILE (default: stdout).")
def lineage(target: str | None, fmt: str, output: str | None) -> None:
    """Show lineage from MLflow: dataset versions, the runs they trained, logged models and
    registered model versions (with aliases), and the DVC stages upstream of the datasets.

    TARGET is a dataset (a name in datacouple.toml, or a name or DVC hash logged in MLflow) or
    a model (NAME/VERSION, NAME@ALIAS, or a registered model's name: its latest and aliased
    versions); without one, everything. The tracking store is MLFLOW_TRACKING_URI (default
    sqlite:///mlflow.db). Exits 2 when TARGET is unknown.
    """
    from .atomic import write_text_atomic
    from .lineage.graph import build_graph, resolve_target
    from .lineage.queries import open_client, tracking_errors
    from .lineage.render import render, render_text

    config = load_config()
    client = open_client()
    with tracking_errors(client):
        kind, value = resolve_target(client, target, config)
        graph = build_graph(client, **({kind: value} if value else {}), repo_root=config.root)
    document = graph.to_dict()
    if fmt == "html":
        from .lineage.page import render_html

        text = render_html(document)
    elif fmt == "text" and not output:
        from rich.console import Console

        render_text(document, Console())
        return
    else:
        text = render(document, fmt)
    if output:
        write_text_atomic(output, text)
    else:
        click.echo(text, nl=False)


@main.command()
@click.argument("name", metavar="NAME")
@click.option("--base", default="HEAD", show_default=True, metavar="REV",
              help="Git revision whose committed fingerprint is the old side.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="text: a table for a terminal; json: the report "
              "(each change with affected_models) for scripts.")
@click.option("--evaluate", is_flag=True,
              help="Also score each affected registered model version on a fixed sample "
                   "(1,000 rows, seed 0) of the old data (at --base, through DVC) and the new.")
def impact(name: str, base: str, fmt: str, evaluate: bool) -> None:
    """Name the registered model versions a change to dataset NAME affects.

    Compares the fingerprint committed at --base with the work tree's, classifies the changes,
    and lists for each the model versions trained on NAME whose signature inputs include the
    changed column (a table-level change, or a version without a signature: every one).
    Which versions count is [check] models/aliases in datacouple.toml (default: every version
    with an alias). Exits 1 when a breaking change affects a model, 2 on bad input.
    """
    import json

    from .lineage.impact import affected_versions, impact_report
    from .lineage.impact import impact as find_impact
    from .lineage.queries import open_client, tracking_errors

    config = load_config()
    client = open_client()
    with tracking_errors(client):
        result = find_impact(client, name, config, base)
        evaluation = None
        if evaluate:
            from .lineage.evaluate import evaluate_versions

            evaluation = evaluate_versions(client, affected_versions(result.changes),
                                           config.datasets[name], config.root, base)
    if fmt == "json":
        click.echo(json.dumps(impact_report(result, evaluation), indent=2, sort_keys=True))
    else:
        from rich.console import Console

        from .diff.render import render_text
        from .lineage.render import render_assumptions, render_evaluation

        console = Console()
        render_text(result.changes, console, compared=(result.old.label, result.new.label))
        render_assumptions(result.changes, console)
        if evaluation is not None:
            render_evaluation(evaluation, console)
    sys.exit(1 if result.breaks_a_model else 0)


def _summary(document: dict, written: str) -> str:
    dvc = document.get("dvc") or {}
    return (f"{document['dataset']}: {document['rows']} rows, {len(document['columns'])} columns,"
            f" structural {document['structural_hash'][:12]}, dvc {dvc.get('hash', '-')}"
            f" -> {written}")


def _failure_line(validation: dict) -> str:
    return "; ".join(
        f"{failure['column'] or '<table>'}: {failure['check']} x{failure['count']}"
        for failure in validation["failures"][:5]
    )


if __name__ == "__main__":  # pragma: no cover
    main()
