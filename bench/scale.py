"""How time and peak memory grow with rows (1M to 50M) and with columns (10 to 5,000).

    python bench/scale.py [--rows 1000000,...] [--columns 10,...] [--tools decode,...]
                          [--repeat 1]

Every measurement is a fresh child process of bench/run.py (the same protocol: imports first,
then the timed work, peak RSS from VmHWM). Writes bench/results-scale.md and the plot
docs/performance-scale.png (time and memory against rows, and against columns).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from data_gen import WIDE_ROWS, ensure_parquet, ensure_schema, ensure_wide_parquet
from run import BENCH_DIR, BY_KEY, MIB, Result, environment, markdown, measure, show

SCALE_RESULTS = BENCH_DIR / "results-scale.md"
PLOT = BENCH_DIR.parent / "docs" / "performance-scale.png"
ROWS = "1000000,5000000,10000000,20000000,50000000"
COLUMNS = "10,100,1000,5000"
# Row series: every tool that streams or scans the file. pandera and MLflow's from_pandas
# hold the whole table in pandas (GBs at 50M rows), so they stay in the 5M-row table only.
ROW_TOOLS = "decode,md5,fingerprint,duckdb,spark"
COLUMN_TOOLS = "decode,fingerprint,duckdb"
HEADER = ["tool", "size", "file MiB", "seconds", "x decode floor", "s per unit",
          "peak RSS MiB", "above imports MiB"]


def series(sizes: list[int], files: dict[int, Path], keys: list[str], repeat: int,
           schema: Path) -> dict[tuple[str, int], Result]:
    tools = [BY_KEY[key] for key in keys if key in BY_KEY]
    cases = [(tool, files[size]) for size in sizes for tool in tools]
    results = measure(cases, schema, repeat)
    return {(tool.key, size): result for (tool, _), result, size in
            zip(cases, results, [s for s in sizes for _ in tools], strict=True)}


def rows_of(results: dict, sizes: list[int], files: dict[int, Path], unit: str,
            per: int) -> list[list[str]]:
    lines = []
    for (_, size), r in results.items():
        floor = results.get(("decode", size))
        if r.error:
            lines.append([r.tool.label, f"{size:,}", "", "error", "", "", "", r.error[:60]])
            continue
        ratio = r.seconds / floor.seconds if floor and floor.seconds else None
        lines.append([r.tool.label, f"{size:,} {unit}", f"{files[size].stat().st_size / MIB:.0f}",
                      f"{r.seconds:.2f}", "-" if ratio is None else f"{ratio:.2f}",
                      f"{r.seconds / size * per:.3f}", f"{r.peak_mib:.0f}",
                      f"{r.peak_mib - r.baseline_mib:.0f}"])
    return lines


def plot(by_rows: dict, row_sizes: list[int], by_columns: dict, column_sizes: list[int]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(2, 2, figsize=(11, 8), constrained_layout=True)
    panels = [(by_rows, row_sizes, "rows (millions)", 1e6, 0),
              (by_columns, column_sizes, f"columns ({WIDE_ROWS:,} rows)", 1, 1)]
    # One colour per tool in every panel (matplotlib's cycle would follow each panel's order).
    colours = {key: f"C{index}" for index, key in enumerate(BY_KEY)}
    for results, sizes, label, scale, column in panels:
        keys = sorted({key for key, _ in results}, key=list(BY_KEY).index)
        for key in keys:
            points = [(size / scale, results[(key, size)]) for size in sizes
                      if (key, size) in results and not results[(key, size)].error]
            if not points:
                continue
            xs = [x for x, _ in points]
            name = BY_KEY[key].label
            style = {"marker": "o", "label": name, "color": colours[key]}
            axes[0][column].plot(xs, [r.seconds for _, r in points], **style)
            axes[1][column].plot(xs, [r.peak_mib for _, r in points], **style)
        axes[0][column].set(xlabel=label, ylabel="seconds", title=f"time against {label}")
        axes[1][column].set(xlabel=label, ylabel="peak RSS (MiB)",
                            title=f"peak memory against {label}")
        for axis in (axes[0][column], axes[1][column]):
            axis.grid(alpha=0.3)
    axes[1][0].axhline(256, color="grey", linestyle="--", linewidth=0.8)  # DESIGN's targets
    axes[1][1].axhline(512, color="grey", linestyle="--", linewidth=0.8)
    axes[1][0].set_yscale("log")
    # One legend for the four panels (a tool keeps its colour in each), below them: inside a
    # panel it covered the decode floor's line.
    labelled = {}
    for axis in axes.flat:
        for handle, name in zip(*axis.get_legend_handles_labels(), strict=True):
            labelled.setdefault(name, handle)
    figure.legend(labelled.values(), labelled.keys(), loc="outside lower center", ncols=3,
                  fontsize=9)
    figure.suptitle("datacouple fingerprint (arrow engine) against its anchors; bench/scale.py")
    PLOT.parent.mkdir(exist_ok=True)
    partial = PLOT.with_suffix(".partial.png")
    figure.savefig(partial, dpi=110)
    partial.replace(PLOT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", default=ROWS)
    parser.add_argument("--columns", default=COLUMNS)
    parser.add_argument("--row-tools", default=ROW_TOOLS)
    parser.add_argument("--column-tools", default=COLUMN_TOOLS)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    schema = ensure_schema()
    row_sizes = [int(n) for n in args.rows.split(",") if n]
    column_sizes = [int(n) for n in args.columns.split(",") if n]
    # Generated first, outside any timing.
    row_files = {n: ensure_parquet(n) for n in row_sizes}
    column_files = {n: ensure_wide_parquet(n) for n in column_sizes}
    by_rows = series(row_sizes, row_files, args.row_tools.split(","), args.repeat, schema)
    by_columns = series(column_sizes, column_files, args.column_tools.split(","), args.repeat,
                        schema)
    lines = rows_of(by_rows, row_sizes, row_files, "rows", 1_000_000)
    wide = rows_of(by_columns, column_sizes, column_files, "columns", 1)
    show("by rows (s per unit: per 1M rows)", HEADER, lines)
    show(f"by columns, {WIDE_ROWS:,} rows (s per unit: per column)", HEADER, wide)
    text = ["# Scale results (generated by `python bench/scale.py`; overwritten on each run)",
            "", *environment(row_files), f"- repetitions: {args.repeat}", "",
            "## By rows (10 columns)", "", *markdown(HEADER, lines), "",
            f"## By columns ({WIDE_ROWS:,} rows)", "", *markdown(HEADER, wide), "",
            f"Plot: `{PLOT.relative_to(BENCH_DIR.parent)}`.", ""]
    partial = SCALE_RESULTS.with_suffix(".partial")
    partial.write_text("\n".join(text), encoding="utf-8")
    partial.replace(SCALE_RESULTS)
    plot(by_rows, row_sizes, by_columns, column_sizes)
    print(f"wrote {SCALE_RESULTS.relative_to(BENCH_DIR.parent)} and "
          f"{PLOT.relative_to(BENCH_DIR.parent)}", file=sys.stderr)


if __name__ == "__main__":
    main()
