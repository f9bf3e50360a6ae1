"""The `datacouple` command: a thin click layer over the library. No logic lives here.

Exit codes everywhere: 0 fine, 1 the data fails its contract (validation failed, or breaking
changes), 2 bad input or usage, with a one-line cause on stderr.
"""

from __future__ import annotations

import json
import sys

import click

from . import __version__
from .config import load_config, resolve_dataset
from .errors import DatacoupleError

# Commands import what they use inside their bodies: `datacouple --help` (and every command)
# would otherwise pay for pandera, DVC and MLflow imports it does not need.


class _Group(click.Group):
    """Turns DatacoupleError, and click's own usage errors, into one line and exit code 2."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except DatacoupleError as error:
            click.echo(f"datacouple: error: {error}", err=True)
            sys.exit(error.exit_code)
        except click.UsageError as error:
            command = f"datacouple {error.ctx.info_name}" if error.ctx and error.ctx.parent \
                else "datacouple"
            click.echo(f"datacouple: error: {' '.join(error.format_message().split())} "
                       f"(see {command} --help)", err=True)
            sys.exit(2)


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="datacouple")
def main() -> None:
    """Couple datasets to models: fingerprint feature tables (Parquet, CSV, Arrow IPC), key each
    version by the content hash DVC records for it, log which MLflow runs trained on it, and see
    which registered model versions a data change affects."""
    from .atomic import end_cleanly_on_sigterm

    end_cleanly_on_sigterm()  # a killed command removes the file it was writing


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
@click.option("--engine", type=click.Choice(["arrow", "spark"]), default="arrow",
              show_default=True,
              help="Engine that reads the data: arrow (streaming on this machine, in bounded "
                   "memory) or spark (Spark reads Parquet and profiles each partition where it "
                   "lives; same fingerprint, docs/spark.md).")
@click.option("--spark-master", metavar="URL", default=None,
              help="Spark master for --engine spark when no SparkSession is active "
                   "(default: local[*]).")
@progress_option
def fingerprint(dataset: str, schema_spec: str | None, output: str | None, engine: str,
                spark_master: str | None, progress: bool | None) -> None:
    """Fingerprint a dataset (file or directory; Parquet, CSV, Arrow IPC) in one streaming pass.

    Exits 1 when a declared schema's validation fails (the fingerprint is still written: it
    records the failures), 2 on bad input.
    """
    from .profile.api import fingerprint as compute
    from .profile.api import write_fingerprint
    from .profile.format import canonical_json

    config = load_config()
    target = resolve_dataset(config, dataset)
    document = compute(
        target.path, schema_spec or target.schema, name=target.name, repo_root=config.root,
        **config.fingerprint_settings, progress=progress, engine=engine,
        spark_master=spark_master,
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
    from .profile.api import validate as run_validation
    from .schema.report import validation_table

    config = load_config()
    target = resolve_dataset(config, dataset)
    result = run_validation(target.path, schema_spec or target.schema, repo_root=config.root,
                            progress=progress, max_columns=config.max_columns,
                            max_value_bytes=config.max_value_bytes)
    validation_table(target.name, result)
    sys.exit(0 if result["valid"] else 1)


@main.command()
@click.argument("dataset", metavar="NAME|PATH")
@click.option("-o", "--output", required=True, metavar="FILE",
              help="Where to write the Pandera YAML schema, e.g. schemas/NAME.yaml.")
@progress_option
def infer(dataset: str, output: str, progress: bool | None) -> None:
    """Write a Pandera YAML schema inferred from the data: dtypes, nullability, category
    domains (isin) and numeric ranges. Review it, then commit it. Exits 0, or 2 on bad input."""
    from .profile.infer import infer_from_data
    from .schema.inference import write_schema_yaml

    config = load_config()
    target = resolve_dataset(config, dataset)
    schema = infer_from_data(target.path, name=target.name, repo_root=config.root,
                             **config.fingerprint_settings, progress=progress)
    write_schema_yaml(schema, output)
    click.echo(f"{target.name}: schema with {len(schema.columns)} columns written to "
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
    fingerprint file in the work tree; data edited on disk since is fingerprint_stale). With
    --against-model, give one input (DATA): it is
    compared with the model version's training data. Exits 0 when nothing is breaking, 1 when
    something is, 2 on bad input.
    """
    from .changes import BREAKING, summarize
    from .changes.render import render, render_text
    from .resolve import diff_specs

    config = load_config()
    if against_model:
        if new is not None:
            raise click.UsageError("with --against-model give one input: DATA")
        from .lineage.skew import skew_against_model

        result = skew_against_model(against_model, old, config)
    else:
        if new is None:
            raise click.UsageError("missing argument NEW (or use --against-model NAME@ALIAS)")
        from .resolve import diff_specs

        result = diff_specs(old, new, config)
    compared = (result.old.label, result.new.label)
    _emit(fmt, output, lambda: render(result.changes, fmt, compared=compared),
          lambda console: render_text(result.changes, console, compared=compared))
    sys.exit(1 if summarize(result.changes)[BREAKING] else 0)


@main.command()
@click.option("--base", metavar="REV", help="Compare with REV at its merge-base with the head "
              "(default: [check] base, the pull request's target on GitHub Actions, "
              "origin/HEAD, main or master).")
@click.option("--head", metavar="REV", help="The revision to check (default: the work tree).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown", "github"]),
              default="text", show_default=True,
              help="text: tables for a terminal; json: the report for scripts; markdown: a PR "
                   "comment; github: GitHub Actions annotations.")
@click.option("-o", "--output", metavar="FILE", help="Write the report to FILE (default: stdout).")
@click.option("--recompute", is_flag=True, help="Fingerprint the data (through DVC) at a "
              "revision whose fingerprint was not committed.")
def check(base: str | None, head: str | None, fmt: str, output: str | None,
          recompute: bool) -> None:
    """The pre-merge check: compare every configured dataset's committed fingerprint between
    the base and the head, name the model versions each change affects, honour acks.

    Exits 1 iff an unacknowledged breaking change affects a model version (or the fingerprint
    is stale, or no lineage could be reached to say otherwise); 0 otherwise; 2 on bad input.
    """
    from .check.report import print_check, render_check
    from .check.run import run_check

    result = run_check(load_config(), base=base, head=head, recompute=recompute)
    _emit(fmt, output, lambda: render_check(result, fmt),
          lambda console: print_check(result, console))
    sys.exit(0 if result.passed else 1)


@main.command()
@click.argument("dataset", metavar="NAME")
@click.argument("kind", metavar="KIND")
@click.argument("column", metavar="COLUMN")
@click.option("--reason", required=True, help="Why the change is accepted (kept in the file).")
@click.option("--base", metavar="REV", help="The base the change is measured against, as "
              "check chooses it (default: [check] base, the pull request's target, "
              "origin/HEAD, main or master).")
def ack(dataset: str, kind: str, column: str, reason: str, base: str | None) -> None:
    """Accept one breaking change on this branch: records it in datacouple.acks.toml (who,
    when, why, and the two fingerprints it lies between). COLUMN is '-' for a table-level
    change. Commit the file with the branch; a later, different change needs a new ack.
    Exits 0 when recorded, 2 when there is no such change or the input is bad."""
    from .check.accept import acknowledge

    recorded = acknowledge(load_config(), dataset, kind, column, reason, base=base)
    click.echo(f"acknowledged {recorded.kind} in {dataset}.{column} by {recorded.by}; commit "
               "datacouple.acks.toml", err=True)


@main.command()
@click.argument("dataset", metavar="NAME")
@click.option("--column", metavar="C", help="Only the changes of column C.")
@click.option("--since", metavar="REV", help="Compare with REV (default: where this branch left "
              "the base; on the base branch, the fingerprint's first commit).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="text: a block per change for a terminal; json: for "
              "scripts.")
def blame(dataset: str, column: str | None, since: str | None, fmt: str) -> None:
    """Name the commit (hash, author, date, subject) that introduced each change a dataset
    shows since a base, from the fingerprint's git history. Exits 0, or 2 on bad input."""
    from .check.blame import blame as find_introductions
    from .check.report import blame_report, print_blame

    result = find_introductions(load_config(), dataset, column=column, since=since)
    _emit(fmt, None, lambda: json.dumps(blame_report(result), indent=2) + "\n",
          lambda console: print_blame(result, console))


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
    from .lineage.recording import log_dataset

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
    click.echo("\n".join(result.messages(directory)), err=True)
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


@main.command()
@click.argument("target", metavar="[DATASET|MODEL[/VERSION|@ALIAS]]", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "dot", "html"]), default="text",
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
    from .lineage.graph import lineage_for
    from .lineage.render import render, render_text

    document = lineage_for(target, load_config())
    _emit(fmt, output, lambda: render(document, fmt),
          lambda console: render_text(document, console))


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
    from .lineage.impact import impact_for, impact_report, print_impact

    result, evaluation = impact_for(name, load_config(), base, evaluate)
    _emit(fmt, None, lambda: json.dumps(impact_report(result, evaluation), indent=2,
                                        sort_keys=True) + "\n",
          lambda console: print_impact(result, evaluation, console))
    sys.exit(1 if result.breaks_a_model else 0)


@main.command()
@click.option("--dir", "directory", metavar="D", help="Build the demo project in D (new or "
              "empty; kept). Default: a temporary directory, removed afterwards.")
@click.option("--keep", is_flag=True, help="Keep the temporary project and print where it is.")
@click.option("--ui", is_flag=True, help="Afterwards, serve the lineage view of the demo's "
              "MLflow store and print its address; Ctrl-C stops it.")
@click.option("--port", default=5000, show_default=True, type=int,
              help="Port of the lineage view with --ui.")
def demo(directory: str | None, keep: bool, ui: bool, port: int) -> None:
    """The whole story in a fresh git + DVC project (about a minute): run the example pipeline
    and register its model in MLflow, commit a NULL -> "" migration of the feature step, then
    watch `check` fail naming the model, `blame` name the commit, `impact --evaluate` measure
    the predictions that change, and `ack` let it through.

    Exits 0 when the story ran as expected (the check's exit 1 is part of it), 1 when a step
    ended otherwise, 2 on bad input (for example a non-empty --dir).
    """
    from .demo.run import run_demo

    sys.exit(run_demo(directory, keep, port if ui else None, out=click.echo))


def _emit(fmt: str, output: str | None, rendered, printed) -> None:
    """A report to FILE (atomically), to the terminal (rich, for text) or to stdout."""
    from .atomic import write_text_atomic

    if output:
        write_text_atomic(output, rendered())
    elif fmt == "text":
        from rich.console import Console

        printed(Console())
    else:
        click.echo(rendered(), nl=False)


def _summary(document: dict, written: str) -> str:
    dvc = document["dvc"] or {}
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
