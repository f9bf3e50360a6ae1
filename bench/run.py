"""Benchmark datacouple's fingerprint against the anchor tools of docs/performance.md.

    python bench/run.py [--rows N] [--only decode,fingerprint,...] [--repeat 3]
    python bench/scale.py   (time and memory against rows and columns, with a plot)
    python bench/run.py --rows 1000000 --only fingerprint,spark   # the spark engine, local[*]

Every measurement runs in a fresh subprocess, so one tool's imports, caches and heap never
inflate another's peak memory. The child times only the work (imports done first) and reports
its own peak RSS; a second child per tool only does the imports, so the table can say how much
memory the work itself added. Data files are generated once per row count under bench/data/.

The parent imports only the standard library at module level: this file is also the child's
entry point, and anything imported here would count in every child's baseline.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results.md"
MIB = 1024 * 1024
LOAD_AT_START = os.getloadavg()[0]


# -- the measured work (runs in the child) ----------------------------------------------------

def _decode(path: str, schema: str) -> None:
    import pyarrow.parquet as pq

    pq.read_table(path)


def _md5(path: str, schema: str) -> None:
    import hashlib

    digest = hashlib.md5(usedforsecurity=False)
    buffer = bytearray(MIB)
    view = memoryview(buffer)
    with open(path, "rb", buffering=0) as stream:
        while count := stream.readinto(buffer):
            digest.update(view[:count])
    digest.hexdigest()


def _fingerprint(path: str, schema: str) -> None:
    _datacouple(path, None, ".fingerprint.json")


def _fingerprint_validate(path: str, schema: str) -> None:
    _datacouple(path, schema, ".validated.json")


def _datacouple(path: str, schema: str | None, suffix: str) -> None:
    import datacouple

    document = datacouple.fingerprint(path, schema=schema, progress=False)
    # Written as the CLI does (that is part of the job), next to the data for inspection.
    datacouple.write_fingerprint(document, Path(path).with_suffix(suffix))


def _spark(path: str, schema: str) -> dict:
    """The spark engine in local mode on every core. The SparkSession's start-up (JVM, Python
    workers on the first task) is timed apart and reported as `setup_s`; the engine reuses the
    active session. Peak RSS is the driver's Python process only: the JVM and the Python
    workers are other processes."""
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers: this interpreter
    started = time.perf_counter()
    spark = (SparkSession.builder.master("local[*]").config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    spark.range(2).mapInArrow(lambda batches: batches, "id long").collect()  # workers up
    setup = time.perf_counter() - started
    try:
        _datacouple_engine(path, "spark")
    finally:
        spark.stop()
    return {"setup_s": setup}


def _datacouple_engine(path: str, engine: str) -> None:
    import datacouple

    document = datacouple.fingerprint(path, engine=engine, progress=False)
    datacouple.write_fingerprint(document, Path(path).with_suffix(f".{engine}.json"))


def _pandera(path: str, schema: str) -> None:
    import pandas as pd
    import pandera.errors
    import pandera.pandas

    frame = pd.read_parquet(path)
    # pandas reads a bool column with nulls as object: one dtype failure is expected.
    with contextlib.suppress(pandera.errors.SchemaErrors):
        pandera.pandas.DataFrameSchema.from_yaml(schema).validate(frame, lazy=True)


def _mlflow(path: str, schema: str) -> None:
    """What MLflow computes when a run logs a DataFrame: `mlflow.data.from_pandas` (its digest
    hashes a sample of rows) and the dataset's profile and schema, as `log_input` stores them."""
    import mlflow.data
    import pandas as pd

    dataset = mlflow.data.from_pandas(pd.read_parquet(path), source=path)
    dataset.to_dict()  # digest, profile, schema


def _duckdb(path: str, schema: str) -> None:
    import duckdb

    duckdb.sql(f"SUMMARIZE SELECT * FROM read_parquet('{path}')").fetchall()


@dataclass(frozen=True)
class Tool:
    key: str
    label: str
    work: Callable[[str, str], None]  # (data path, schema path)
    imports: tuple[str, ...]  # what the baseline child imports: everything the work needs
    default: bool = True  # run without --only
    runs: int | None = None  # at most this many repetitions (minutes-long anchors: one)


TOOLS = [
    # read_table imports pyarrow.dataset on first use (0.2 s, ~100 MiB of shared libraries):
    # it is an import, so it belongs in the baseline, not in the timed work.
    Tool("decode", "decode floor", _decode,
         ("pyarrow.parquet", "pyarrow.dataset")),
    Tool("md5", "md5", _md5, ("hashlib",)),
    # datacouple imports DVC lazily, on the first path it hashes: import it up front so that
    # the timed part is the work, as for the other tools.
    Tool("fingerprint", "datacouple fingerprint", _fingerprint,
         ("datacouple", "datacouple.identity.dataset", "dvc.repo")),
    Tool("fingerprint+validate", "datacouple fingerprint + validate", _fingerprint_validate,
         ("datacouple", "datacouple.identity.dataset", "dvc.repo",
          "datacouple.schema.loading", "datacouple.schema.validation")),
    Tool("pandera", "pandera validate", _pandera,
         ("pandas", "pandera.pandas", "pandera.errors", "pyarrow.parquet", "pyarrow.dataset")),
    Tool("duckdb", "duckdb SUMMARIZE", _duckdb, ("duckdb",)),
    # Minutes at 5M rows (its schema inference walks every value in Python): one run.
    Tool("mlflow", "MLflow from_pandas digest + profile", _mlflow,
         ("pandas", "mlflow.data", "mlflow.data.pandas_dataset", "pyarrow.parquet",
          "pyarrow.dataset"), runs=1),
    # Not in the default set (a JVM start per run): `--only spark`.
    Tool("spark", "datacouple fingerprint --engine spark (local[*])", _spark,
         ("datacouple", "datacouple.identity.dataset", "dvc.repo", "pyspark.sql",
          "datacouple.profile.spark.engine"), default=False, runs=1),
]
BY_KEY = {tool.key: tool for tool in TOOLS}


def child_main(key: str, path: str, schema: str, baseline: bool) -> None:
    import importlib

    tool = BY_KEY[key]
    start = time.perf_counter()
    for module in tool.imports:
        importlib.import_module(module)
    imported = time.perf_counter()
    extra = {}
    if not baseline:
        extra = tool.work(path, schema) or {}  # setup_s: start-up timed apart from the work
    done = time.perf_counter()
    print(json.dumps({"import_s": imported - start,
                      "work_s": done - imported - extra.get("setup_s", 0.0),
                      "peak_mib": peak_rss_kib() / 1024, **extra}))


def peak_rss_kib() -> int:
    """This process's peak resident memory, in KiB.

    Not `ru_maxrss`: Linux carries it across fork+exec, so a child would report at least the
    parent's own peak (70+ MiB here once the parent has imported pandas). VmHWM belongs to the
    address space, which exec replaces.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, elsewhere no /proc



# -- the parent: spawn, collect, report -------------------------------------------------------

@dataclass
class Result:
    tool: Tool
    seconds: float | None = None  # median work time
    wall: float | None = None  # median process wall time: interpreter start, imports, work, exit
    peak_mib: float | None = None  # max over repetitions
    baseline_mib: float | None = None
    error: str | None = None
    setup_s: float | None = None  # median start-up timed apart (the spark engine's session)


def spawn(key: str, path: Path, schema: Path, baseline: bool = False) -> tuple[dict, float]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", key,
               "--path", str(path), "--schema", str(schema)]
    if baseline:
        command.append("--baseline")
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=BENCH_DIR.parent)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise RuntimeError(f"child {key!r} exited {done.returncode}: {last}")
    return json.loads(done.stdout.strip().splitlines()[-1]), wall


def measure(cases: list[tuple[Tool, Path]], schema: Path, repeat: int) -> list[Result]:
    """Run every case `repeat` times, round-robin: load from other work on the machine then
    drifts over all cases alike instead of landing on whichever tool ran during it."""
    results = [Result(tool) for tool, _ in cases]
    runs: list[list[tuple[dict, float]]] = [[] for _ in cases]
    for i in range(-1, repeat):  # -1: the import-only baseline
        for (tool, path), result, done in zip(cases, results, runs, strict=True):
            if result.error or (tool.runs is not None and i >= tool.runs):
                continue
            try:
                report, wall = spawn(tool.key, path, schema, baseline=i < 0)
            except RuntimeError as error:
                result.error = str(error)
                continue
            if i < 0:
                result.baseline_mib = report["peak_mib"]
                continue
            done.append((report, wall))
            setup = f" (+ {report['setup_s']:.2f} s start-up)" if "setup_s" in report else ""
            print(f"  {tool.key} {path.name} run {i + 1}/{repeat}: {report['work_s']:.2f} s"
                  f"{setup}, {report['peak_mib']:.0f} MiB", file=sys.stderr)
    for result, done in zip(results, runs, strict=True):
        if done and not result.error:
            result.seconds = statistics.median(r["work_s"] for r, _ in done)
            result.wall = statistics.median(w for _, w in done)
            result.peak_mib = max(r["peak_mib"] for r, _ in done)
            if all("setup_s" in r for r, _ in done):
                result.setup_s = statistics.median(r["setup_s"] for r, _ in done)
    return results


def environment(rows_files: dict[int, Path]) -> list[str]:
    import pandas
    import pyarrow

    files = ", ".join(f"{rows:,} rows = {path.stat().st_size / MIB:.1f} MiB"
                      for rows, path in rows_files.items())
    return [
        f"- date: {dt.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"- data: {files} (Parquet, pyarrow defaults: snappy, 1Mi-row row groups)",
        f"- python {platform.python_version()}, pyarrow {pyarrow.__version__}, "
        f"pandas {pandas.__version__}",
        f"- nproc: {len(os.sched_getaffinity(0))}, {platform.machine()}, {platform.system()}",
        # Other work on the machine skews the times; the load average says how much there was.
        f"- load average (1 min) at start / end: {LOAD_AT_START:.2f} / {os.getloadavg()[0]:.2f}",
    ]


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def main_rows(results: list[Result]) -> list[list[str]]:
    floor = next((r.seconds for r in results if r.tool.key == "decode"), None)
    rows = []
    for r in results:
        if r.error:
            rows.append([r.tool.label, "error", "", "", "", "", r.error])
            continue
        ratio = r.seconds / floor if floor else None
        label = r.tool.label + (f" (+ {r.setup_s:.1f} s start-up)" if r.setup_s else "")
        rows.append([label, _fmt(r.seconds, ".2f"), _fmt(ratio, ".2f"), _fmt(r.wall, ".2f"),
                     _fmt(r.peak_mib, ".0f"), _fmt(r.peak_mib - r.baseline_mib, ".0f"),
                     _fmt(r.baseline_mib, ".0f")])
    return rows


MAIN_HEADER = ["tool", "seconds", "x decode floor", "process wall s", "peak RSS MiB",
               "above imports MiB", "imports MiB"]

def show(title: str, header: list[str], rows: list[list[str]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for i, name in enumerate(header):
        table.add_column(name, justify="left" if i == 0 else "right")
    for row in rows:
        table.add_row(*row)
    Console(width=max(Console().width, 120)).print(table)


def markdown(header: list[str], rows: list[list[str]]) -> list[str]:
    align = ["---"] + ["--:"] * (len(header) - 1)
    return [f"| {' | '.join(line)} |" for line in (header, align, *rows)]


NOTES = [
    "`seconds`: median over the repetitions of the work alone, timed inside a fresh child "
    "process after its imports. `process wall s` adds interpreter start-up, imports and exit.",
    "`peak RSS`: the child's own peak resident set (VmHWM), max over the repetitions. "
    "`imports MiB`: a child that only imports the same modules; `above imports` is the difference.",
    "Repetitions run round-robin over the tools, so load from other work on the machine "
    "spreads over all of them; the load average is in the header.",
    "The file is in the page cache (it was just written or read): these are warm-cache numbers.",
]


def run_main(args, schema: Path) -> None:
    from data_gen import ensure_parquet

    path = ensure_parquet(args.rows)
    tools = selected(args.only)
    results = measure([(tool, path) for tool in tools], schema, args.repeat)
    rows = main_rows(results)
    show(f"{args.rows:,} rows, {args.repeat} runs each", MAIN_HEADER, rows)
    lines = ["# Benchmark results (generated by `python bench/run.py`; overwritten on each run)",
             "", *environment({args.rows: path}), f"- repetitions: {args.repeat}", "",
             *markdown(MAIN_HEADER, rows), "", *(f"- {note}" for note in NOTES), ""]
    out = Path(args.results) if args.results else RESULTS
    out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {out}", file=sys.stderr)


def selected(only: str | None) -> list[Tool]:
    if not only:
        return [tool for tool in TOOLS if tool.default]
    keys = [key.strip() for key in only.split(",")]
    unknown = [key for key in keys if key not in BY_KEY]
    if unknown:
        sys.exit(f"unknown tool(s) {unknown}; choose from {', '.join(BY_KEY)}")
    if "decode" not in keys:  # ratios need the anchor
        keys.insert(0, "decode")
    return [BY_KEY[key] for key in keys]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--only", help=f"comma-separated subset of: {', '.join(BY_KEY)}")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--results", help=f"where to write the table (default {RESULTS.name})")
    # Internal: the child process's side of the protocol.
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    parser.add_argument("--schema", help=argparse.SUPPRESS)
    parser.add_argument("--baseline", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(args.child, args.path, args.schema, args.baseline)
        return
    from data_gen import ensure_schema

    schema = ensure_schema()
    run_main(args, schema)


if __name__ == "__main__":
    main()
