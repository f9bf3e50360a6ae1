"""Realistic mutations a feature pipeline produces, applied to real public tables (ISLP's data),
each with the changes `datacouple.changes.diff_fingerprints` must report; and the cases where it
must stay quiet.

A `Mutation` turns the *old* table (the raw dataset, or `prepare(raw)` when the old version
itself needs a realistic feature, such as 5% missing values) into the *new* one. `expect` lists
the (kind, column, severity) changes that must be reported; `allow` lists extra changes that
are tolerated (a scale change may also move the range); anything else is a false alarm.
`column` is None for table-level changes; ANY in `allow` matches any column or severity.

A `QuietCase` makes an (old, new) pair that means the same thing (shuffled rows, re-encoded
files, a fresh sample): no change of a severity in `forbid_severities` may be reported.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from public_data import islp_frame

BREAKING, WARNING, INFO = "breaking", "warning", "info"
ANY = "*"

Expectation = tuple[str, str | None, str]
# Writes a table to a file in `directory` and returns its path; None means "in memory".
Writer = Callable[[pd.DataFrame | pa.Table, Path], Path]


@dataclass(frozen=True)
class Mutation:
    id: str
    dataset: str
    mutate: Callable[[pd.DataFrame], pd.DataFrame | pa.Table]
    expect: list[Expectation]
    description: str
    allow: list[Expectation] = field(default_factory=list)
    # Builds the old table from the raw dataset (default: the raw dataset itself).
    prepare: Callable[[pd.DataFrame], pd.DataFrame] | None = None
    # (old writer, new writer) when the case is about files; in memory otherwise.
    files: tuple[Writer, Writer] | None = None
    # scale_changed must carry this factor (new / old) in its evidence (within 2%).
    factor: float | None = None

    def old_table(self) -> pd.DataFrame:
        raw = load(self.dataset)
        return self.prepare(raw) if self.prepare is not None else raw


@dataclass(frozen=True)
class QuietCase:
    id: str
    dataset: str
    # make(directory) -> (old, new): tables, or paths of files written into `directory`.
    make: Callable[[Path], tuple[Any, Any]]
    forbid_severities: tuple[str, ...]
    description: str = ""


@functools.cache
def _load(name: str) -> pd.DataFrame:
    return islp_frame(name)


def load(name: str) -> pd.DataFrame:
    """A fresh copy of the public table, so no case can leak into another."""
    return _load(name).copy()


# --- helpers: the small steps pipelines take ------------------------------------------------


def _rows(df: pd.DataFrame, share: float, seed: int, among: pd.Series | None = None) -> pd.Index:
    """A reproducible random `share` of the table's rows (optionally only among `among`)."""
    candidates = df.index if among is None else df.index[among.to_numpy()]
    count = round(share * len(df))
    rng = np.random.default_rng(seed)
    return pd.Index(rng.choice(candidates.to_numpy(), size=count, replace=False))


def with_missing(column: str, share: float, seed: int = 0, value: Any = None):
    """Old-table builder: `share` of the column's values are missing (or set to `value`)."""
    def prepare(df: pd.DataFrame) -> pd.DataFrame:
        df = df.copy()
        rows = _rows(df, share, seed, among=df[column].notna())
        df.loc[rows, column] = np.nan if value is None and df[column].dtype.kind == "f" else value
        return df
    return prepare


def more_missing(column: str, total_share: float, seed: int = 1):
    """Mutation: more values of the column go missing, until `total_share` of them are."""
    def mutate(df: pd.DataFrame) -> pd.DataFrame:
        df = df.copy()
        missing_now = int(df[column].isna().sum())
        extra = round(total_share * len(df)) - missing_now
        rows = _rows(df, extra / len(df), seed, among=df[column].notna())
        df.loc[rows, column] = None
        return df
    return mutate


def fill_missing(column: str, value: Any):
    """Mutation: a pipeline step writes `value` where the column was missing."""
    def mutate(df: pd.DataFrame) -> pd.DataFrame:
        df = df.copy()
        df[column] = df[column].fillna(value)
        return df
    return mutate


def empty_to_null(column: str):
    def mutate(df: pd.DataFrame) -> pd.DataFrame:
        df = df.copy()
        df[column] = df[column].mask(df[column] == "")
        return df
    return mutate


def transform(column: str, function: Callable[[pd.Series], pd.Series]):
    def mutate(df: pd.DataFrame) -> pd.DataFrame:
        df = df.copy()
        df[column] = function(df[column])
        return df
    return mutate


def recode(column: str, mapping: dict[str, str]):
    return transform(column, lambda s: s.replace(mapping))


def drop_column(column: str):
    return lambda df: df.drop(columns=[column])


def parquet(**options: Any) -> Writer:
    def write(data: pd.DataFrame | pa.Table, directory: Path) -> Path:
        table = data if isinstance(data, pa.Table) else pa.Table.from_pandas(
            data, preserve_index=False)
        path = directory / "data.parquet"
        pq.write_table(table, path, **options)
        return path
    return write


def csv_file(data: pd.DataFrame, directory: Path) -> Path:
    path = directory / "data.csv"
    data.to_csv(path, index=False)
    return path


def _pair(directory: Path, old: Any, new: Any, old_writer: Writer, new_writer: Writer):
    """Write old and new under the same file name in sibling folders (two versions of one
    dataset): only the bytes differ, not the path."""
    (directory / "old").mkdir(parents=True, exist_ok=True)
    (directory / "new").mkdir(parents=True, exist_ok=True)
    return old_writer(old, directory / "old"), new_writer(new, directory / "new")


def _shuffled(df: pd.DataFrame, seed: int) -> pd.DataFrame:
    return df.sample(frac=1.0, random_state=seed).reset_index(drop=True)


def _halves(df: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    order = np.random.default_rng(seed).permutation(len(df))
    half = len(df) // 2
    return (df.iloc[order[:half]].reset_index(drop=True),
            df.iloc[order[half:]].reset_index(drop=True))


def _with_bootstrap(df: pd.DataFrame, rows: int, seed: int) -> pd.DataFrame:
    extra = df.sample(n=rows, replace=True, random_state=seed)
    return pd.concat([df, extra], ignore_index=True)


def _weighted_resample(df: pd.DataFrame, weights: pd.Series, seed: int) -> pd.DataFrame:
    return df.sample(n=len(df), replace=True, weights=weights, random_state=seed).reset_index(
        drop=True)


def _beyond_max(column: str, values: list[int], seed: int = 7):
    def mutate(df: pd.DataFrame) -> pd.DataFrame:
        df = df.copy()
        rows = _rows(df, len(values) / len(df), seed)
        df.loc[rows, column] = values
        return df
    return mutate


def _add_category(column: str, value: str, share: float, source: str, seed: int = 3):
    """Some rows of category `source` are now reported as the new category `value`."""
    def mutate(df: pd.DataFrame) -> pd.DataFrame:
        df = df.copy()
        rows = _rows(df, share, seed, among=df[column] == source)
        df.loc[rows, column] = value
        return df
    return mutate


def _to_int32(column: str):
    return transform(column, lambda s: s.astype("int32"))


def _widen_to_int64(column: str):
    """Returns an Arrow table: the pipeline moved from pandas to pyarrow and casts there."""
    def mutate(df: pd.DataFrame) -> pa.Table:
        table = pa.Table.from_pandas(df, preserve_index=False)
        index = table.schema.get_field_index(column)
        return table.set_column(index, column, table.column(column).cast(pa.int64()))
    return mutate


def _clip(column: str, lower: float | None = None, upper: float | None = None):
    """Cap the column at quantiles of its own values (winsorising when both are given)."""
    def mutate(df: pd.DataFrame) -> pd.DataFrame:
        df = df.copy()
        low = None if lower is None else df[column].quantile(lower)
        high = None if upper is None else df[column].quantile(upper)
        df[column] = df[column].clip(lower=low, upper=high)
        return df
    return mutate


def _impute(column: str, how: str):
    """Missing values replaced by the column's mean or median (sklearn's SimpleImputer)."""
    def mutate(df: pd.DataFrame) -> pd.DataFrame:
        df = df.copy()
        df[column] = df[column].fillna(getattr(df[column], how)())
        return df
    return mutate


def _fan_out(key: str, share: float, seed: int):
    """A join with a table that holds two rows for `share` of the keys (a second card)."""
    def mutate(df: pd.DataFrame) -> pd.DataFrame:
        keys = df[key].drop_duplicates().to_numpy()
        doubled = np.random.default_rng(seed).choice(keys, size=round(share * len(keys)),
                                                     replace=False)
        return df.merge(pd.DataFrame({key: np.concatenate([keys, doubled])}), on=key)
    return mutate


# Shared allowances: a numeric sentinel written over missing values also moves the column's
# statistics (a spike at 0, or values past the old minimum); these are consequences, not news.
_SENTINEL_SIDE_EFFECTS = ["missing_rate_changed", "distribution_drift", "range_changed"]


def _side_effects(column: str, kinds: list[str], severity: str = WARNING) -> list[Expectation]:
    return [(kind, column, severity) for kind in kinds]


# --- the corpus -----------------------------------------------------------------------------

MUTATIONS: list[Mutation] = [
    # Structure
    Mutation(
        "auto-column-removed", "Auto", drop_column("horsepower"),
        [("column_removed", "horsepower", BREAKING)],
        "a refactor of the feature step forgets to select horsepower",
    ),
    Mutation(
        "carseats-column-added", "Carseats",
        lambda df: df.assign(PriceRatio=df["Price"] / df["CompPrice"]),
        [("column_added", "PriceRatio", INFO)],
        "a new derived feature Price / CompPrice is appended",
    ),
    Mutation(
        "bikeshare-columns-reordered", "Bikeshare",
        lambda df: df[sorted(df.columns)],
        [("column_order_changed", None, INFO)],
        "a SELECT rewritten with columns in alphabetical order",
    ),
    # Missing-value encodings (string columns)
    Mutation(
        "wage-health_ins-null-to-empty", "Wage", fill_missing("health_ins", ""),
        [("missing_encoding_changed", "health_ins", BREAKING)],
        "schema migration: 5% NULL health_ins become '' (the motivating bug)",
        prepare=with_missing("health_ins", 0.05, seed=11),
    ),
    Mutation(
        "wage-health_ins-empty-to-null", "Wage", empty_to_null("health_ins"),
        [("missing_encoding_changed", "health_ins", BREAKING)],
        "the reverse migration: '' health_ins become NULL",
        prepare=with_missing("health_ins", 0.05, seed=12, value=""),
    ),
    Mutation(
        "braincancer-diagnosis-null-to-NA", "BrainCancer", fill_missing("diagnosis", "NA"),
        [("missing_encoding_changed", "diagnosis", BREAKING)],
        "the one missing diagnosis is written as the string 'NA' (an R export)",
    ),
    Mutation(
        "wage-maritl-null-to-N/A", "Wage", fill_missing("maritl", "N/A"),
        [("missing_encoding_changed", "maritl", BREAKING)],
        "a spreadsheet round trip writes 'N/A' for missing marital status",
        prepare=with_missing("maritl", 0.04, seed=13),
    ),
    Mutation(
        "default-student-null-to-None", "Default", fill_missing("student", "None"),
        [("missing_encoding_changed", "student", BREAKING)],
        "str(None) in a Python UDF: missing student flags become 'None'",
        prepare=with_missing("student", 0.03, seed=14),
    ),
    Mutation(
        "carseats-shelveloc-null-to-?", "Carseats", fill_missing("ShelveLoc", "?"),
        [("missing_encoding_changed", "ShelveLoc", BREAKING)],
        "a UCI-style export writes '?' for missing shelf location",
        prepare=with_missing("ShelveLoc", 0.04, seed=15),
    ),
    Mutation(
        "credit-ethnicity-null-to-dash", "Credit", fill_missing("Ethnicity", "-"),
        [("missing_encoding_changed", "Ethnicity", BREAKING)],
        "a report-formatting step writes '-' for missing ethnicity",
        prepare=with_missing("Ethnicity", 0.05, seed=16),
    ),
    Mutation(
        "hitters-newleague-null-to-space", "Hitters", fill_missing("NewLeague", " "),
        [("missing_encoding_changed", "NewLeague", BREAKING)],
        "a fixed-width export pads missing NewLeague with a blank",
        prepare=with_missing("NewLeague", 0.08, seed=17),
    ),
    Mutation(
        "carseats-us-null-to-nan-string", "Carseats", transform("US", lambda s: s.map(str)),
        [("missing_encoding_changed", "US", BREAKING)],
        "the classic .map(str)/.apply(str): missing US flags become the text 'nan'",
        prepare=with_missing("US", 0.05, seed=24),
    ),
    # Missing-value encodings (numeric sentinels)
    Mutation(
        "hitters-salary-nan-to-0", "Hitters", fill_missing("Salary", 0.0),
        [("missing_encoding_changed", "Salary", BREAKING)],
        "fillna(0) before a model that cannot take NaN: 59 unknown salaries become 0",
        allow=_side_effects("Salary", _SENTINEL_SIDE_EFFECTS),
    ),
    Mutation(
        "hitters-salary-nan-to-minus1", "Hitters", fill_missing("Salary", -1.0),
        [("missing_encoding_changed", "Salary", BREAKING)],
        "fillna(-1): 59 unknown salaries become -1",
        allow=_side_effects("Salary", _SENTINEL_SIDE_EFFECTS),
    ),
    Mutation(
        "hitters-salary-nan-to-999", "Hitters", fill_missing("Salary", 999.0),
        [("missing_encoding_changed", "Salary", BREAKING)],
        "a legacy system's 999 for 'unknown': 59 salaries become 999",
        allow=_side_effects("Salary", _SENTINEL_SIDE_EFFECTS),
    ),
    Mutation(
        "bikeshare-hum-null-to-minus1", "Bikeshare", fill_missing("hum", -1.0),
        [("missing_encoding_changed", "hum", BREAKING)],
        "sensor dropouts (3% of humidity readings) are now written as -1",
        allow=_side_effects("hum", _SENTINEL_SIDE_EFFECTS),
        prepare=with_missing("hum", 0.03, seed=18),
    ),
    # Missing rate
    Mutation(
        "default-income-missing-1-to-30", "Default", more_missing("income", 0.30),
        [("missing_rate_changed", "income", BREAKING)],
        "an upstream join starts failing: income missing for 30% of rows instead of 1%",
        prepare=with_missing("income", 0.01, seed=19),
    ),
    Mutation(
        "wage-wage-missing-2-to-6", "Wage", more_missing("wage", 0.06),
        [("missing_rate_changed", "wage", WARNING)],
        "a modest but significant rise: wage missing for 6% of rows instead of 2%",
        prepare=with_missing("wage", 0.02, seed=20),
    ),
    # Types and precision
    Mutation(
        "auto-mpg-float-to-string", "Auto", transform("mpg", lambda s: s.astype(str)),
        [("type_changed", "mpg", BREAKING)],
        "a CSV reader without a schema: mpg arrives as text ('18.0')",
    ),
    Mutation(
        "carseats-price-int-to-float", "Carseats",
        transform("Price", lambda s: s.astype("float64")),
        [("type_changed", "Price", WARNING)],
        "Price becomes float64 (no missing values): lossless widening",
    ),
    Mutation(
        "bikeshare-casual-int32-to-int64", "Bikeshare", _widen_to_int64("casual"),
        [("type_changed", "casual", WARNING)],
        "the pipeline moves to pyarrow and casts int32 counts to int64: lossless widening",
        prepare=_to_int32("casual"),
    ),
    Mutation(
        "default-balance-float64-to-float32", "Default",
        transform("balance", lambda s: s.astype("float32")),
        [("precision_changed", "balance", WARNING)],
        "a memory optimisation downcasts balance to float32",
    ),
    Mutation(
        "credit-income-rounded", "Credit", transform("Income", lambda s: s.round(0)),
        [("precision_changed", "Income", WARNING)],
        "Income (thousands of dollars, 3 decimals) is rounded to whole thousands",
    ),
    Mutation(
        "auto-origin-int-to-string", "Auto", transform("origin", lambda s: s.astype(str)),
        [("type_changed", "origin", BREAKING)],
        "origin codes 1/2/3 cast to text '1'/'2'/'3' (treated as an ID column)",
    ),
    Mutation(
        "default-student-yesno-to-bool", "Default",
        transform("student", lambda s: s.eq("Yes").astype(bool)),
        [("type_changed", "student", BREAKING)],
        "student 'Yes'/'No' becomes a boolean column",
    ),
    # Categories
    Mutation(
        "carseats-urban-lowercase", "Carseats", transform("Urban", lambda s: s.str.lower()),
        [("categories_changed", "Urban", BREAKING)],
        "a normalisation step lower-cases Yes/No to yes/no",
    ),
    Mutation(
        "carseats-shelveloc-rename", "Carseats", recode("ShelveLoc", {"Good": "High"}),
        [("categories_changed", "ShelveLoc", BREAKING)],
        "the source system renames shelf location 'Good' to 'High'",
        allow=[("distribution_drift", "ShelveLoc", WARNING)],
    ),
    Mutation(
        "wage-race-category-vanishes", "Wage", lambda df: df[df["race"] != "4. Other"],
        [("categories_changed", "race", BREAKING)],
        "a filter upstream drops the 37 rows of race '4. Other'",
        allow=[("distribution_drift", "race", WARNING), ("row_count_changed", None, INFO)],
    ),
    Mutation(
        "credit-ethnicity-new-category", "Credit",
        _add_category("Ethnicity", "Hispanic", 0.10, source="Caucasian"),
        [("categories_changed", "Ethnicity", BREAKING)],
        "the source adds a new level 'Hispanic' (40 rows, formerly Caucasian)",
        allow=[("distribution_drift", "Ethnicity", WARNING)],
    ),
    Mutation(
        "credit-gender-whitespace-stripped", "Credit",
        transform("Gender", lambda s: s.str.strip()),
        [("categories_changed", "Gender", BREAKING)],
        "a cleaning step strips the raw data's leading blank: ' Male' becomes 'Male'",
    ),
    Mutation(
        "wage-education-prefix-stripped", "Wage",
        transform("education", lambda s: s.str.replace(r"^\d\. ", "", regex=True)),
        [("categories_changed", "education", BREAKING)],
        "a cleaning step strips the ordinal prefix: '2. HS Grad' becomes 'HS Grad'",
    ),
    # Scale (units)
    Mutation(
        "auto-weight-lbs-to-kg", "Auto", transform("weight", lambda s: s * 0.4536),
        [("scale_changed", "weight", BREAKING)],
        "weight converted from pounds to kilograms (x0.4536; int becomes float)",
        allow=[("type_changed", "weight", WARNING), ("range_changed", "weight", WARNING),
               ("distribution_drift", "weight", WARNING), ("precision_changed", "weight", ANY)],
        factor=0.4536,
    ),
    Mutation(
        "default-income-per-thousand", "Default", transform("income", lambda s: s / 1000),
        [("scale_changed", "income", BREAKING)],
        "income reported in thousands of dollars (/1000, as grams -> kilograms)",
        allow=[("range_changed", "income", WARNING),
               ("distribution_drift", "income", WARNING),
               ("precision_changed", "income", ANY)],
        factor=0.001,
    ),
    Mutation(
        "smarket-today-percent-to-fraction", "Smarket", transform("Today", lambda s: s / 100),
        [("scale_changed", "Today", BREAKING)],
        "daily return given as a fraction instead of percent (/100)",
        allow=[("range_changed", "Today", WARNING),
               ("distribution_drift", "Today", WARNING),
               ("precision_changed", "Today", ANY)],
        factor=0.01,
    ),
    Mutation(
        "bikeshare-hum-fraction-to-percent", "Bikeshare", transform("hum", lambda s: s * 100),
        [("scale_changed", "hum", BREAKING)],
        "humidity given in percent instead of a fraction (x100; 22 readings are 0)",
        allow=[("range_changed", "hum", WARNING),
               ("distribution_drift", "hum", WARNING),
               ("precision_changed", "hum", ANY)],
        factor=100.0,
    ),
    # Range
    Mutation(
        "carseats-price-beyond-max", "Carseats", _beyond_max("Price", [249, 265, 280, 310]),
        [("range_changed", "Price", WARNING)],
        "four new premium products priced beyond the old maximum of 191",
    ),
    # Drift
    Mutation(
        "wage-age-plus-8", "Wage", transform("age", lambda s: s + 8),
        [("distribution_drift", "age", WARNING)],
        "the panel is re-surveyed 8 years later: every age shifted by 8",
        allow=[("range_changed", "age", WARNING)],
    ),
    Mutation(
        "default-balance-skewed-resample", "Default",
        lambda df: _weighted_resample(df, (df["balance"] + 200.0) ** 2, seed=21),
        [("distribution_drift", "balance", WARNING)],
        "a new acquisition channel over-represents high-balance customers",
        # Drawn with replacement, so rows repeat: the continuous columns that were all
        # distinct now repeat values, and the other columns' shares move with balance.
        allow=[("distribution_drift", ANY, ANY), ("uniqueness_lost", ANY, WARNING)],
    ),
    # Row count
    Mutation(
        # The new stores are real rows of the table, not a bootstrap: repeated rows would be
        # duplicates, which the diff reports (uniqueness and repeats).
        "carseats-rows-grow", "Carseats", lambda df: load("Carseats"),
        [("row_count_changed", None, INFO)],
        "more stores report: 240 -> 400 rows of the same kind",
        prepare=lambda df: df.sample(n=240, random_state=22).reset_index(drop=True),
    ),
    Mutation(
        "default-rows-drop-90", "Default",
        lambda df: df.sample(frac=0.10, random_state=23).reset_index(drop=True),
        [("row_count_changed", None, WARNING)],
        "a partition goes missing: only 10% of the rows arrive",
    ),
    # Clipping and winsorising
    Mutation(
        "wage-wage-capped-p95", "Wage", _clip("wage", upper=0.95),
        [("range_changed", "wage", BREAKING)],
        "wages capped at their 95th percentile (an outlier rule added upstream)",
    ),
    Mutation(
        "default-balance-winsorised", "Default", _clip("balance", lower=0.05, upper=0.99),
        [("range_changed", "balance", BREAKING)],
        "balance winsorised at its 5th and 99th percentiles",
    ),
    # Imputation
    Mutation(
        "hitters-salary-mean-imputed", "Hitters", _impute("Salary", "mean"),
        [("missing_encoding_changed", "Salary", BREAKING)],
        "SimpleImputer(strategy='mean'): the 59 unknown salaries become the mean salary",
    ),
    Mutation(
        "default-income-median-imputed", "Default", _impute("income", "median"),
        [("missing_encoding_changed", "income", BREAKING)],
        "5% missing incomes filled with the median income",
        prepare=with_missing("income", 0.05, seed=25),
    ),
    # Empty or collapsed outputs
    Mutation(
        "wage-output-empty", "Wage", lambda df: df[df["age"] > 200],
        [("row_count_changed", None, BREAKING)],
        "a filter on the wrong unit keeps no row: the pipeline writes an empty table",
    ),
    Mutation(
        "bikeshare-rows-collapse", "Bikeshare",
        lambda df: df.sample(frac=0.02, random_state=26).reset_index(drop=True),
        [("row_count_changed", None, BREAKING)],
        "one day of a year of hourly data arrives: 2% of the rows",
        allow=[("categories_changed", ANY, WARNING)],
    ),
    # Uniqueness
    Mutation(
        "credit-id-fan-out", "Credit", _fan_out("ID", 0.10, seed=27),
        [("uniqueness_lost", "ID", WARNING)],
        "a join with a cards table: customers with two cards come out twice (440 rows)",
        # The duplicated rows repeat the other columns' values too (Income, Limit, ...).
        allow=[("row_count_changed", None, INFO), ("distribution_drift", ANY, WARNING)],
    ),
    Mutation(
        "nyse-date-fan-out", "NYSE", _fan_out("date", 0.05, seed=28),
        [("uniqueness_lost", "date", WARNING)],
        "trading days joined to an events table with two events on 5% of the days",
        allow=[("row_count_changed", None, INFO), ("uniqueness_lost", ANY, WARNING),
               ("distribution_drift", ANY, WARNING)],
    ),
    # A statistic that moved beyond sampling with no rule of its own (the catch-all)
    Mutation(
        "smarket-volume-up-5pct", "Smarket", transform("Volume", lambda s: s * 1.05),
        [("distribution_drift", "Volume", WARNING)],
        "a volume feed adds 5% (a changed definition): below the scale rule's 20% and PSI's "
        "threshold, far beyond sampling on 1,250 days",
    ),
    # Content
    Mutation(
        "hitters-reencoded", "Hitters", lambda df: df,
        [("content_changed", None, INFO)],
        "the same rows rewritten: snappy -> zstd, row groups of 50",
        files=(parquet(compression="snappy"), parquet(compression="zstd", row_group_size=50)),
    ),
]


def _quiet_shuffled(directory: Path):
    df = load("Bikeshare")
    return _pair(directory, df, _shuffled(df, seed=31), parquet(), parquet())


def _quiet_reencoded(directory: Path):
    df = load("Wage")
    return _pair(directory, df, df, parquet(compression="snappy"),
                 parquet(compression="gzip", row_group_size=100, use_dictionary=False))


def _quiet_csv_vs_parquet(directory: Path):
    df = load("Carseats")
    return _pair(directory, df, df, csv_file, parquet())


def _quiet_fresh_sample(name: str, seed: int):
    def make(directory: Path):
        return _halves(load(name), seed)
    return make


def _quiet_new_ids(directory: Path):
    """New customers join: the old table is the first 240 by ID, the new one all 400."""
    df = load("Credit")
    return df.sort_values("ID").iloc[:240].reset_index(drop=True), df


def _quiet_clipped_sample(directory: Path):
    """Both versions capped at the same bound: halves of a clipped column."""
    df = load("Wage")
    df["wage"] = df["wage"].clip(upper=df["wage"].quantile(0.95))
    return _halves(df, seed=46)


def _quiet_imputed_sample(directory: Path):
    """Both versions imputed the same way: halves of an imputed column."""
    df = load("Hitters")
    df["Salary"] = df["Salary"].fillna(df["Salary"].mean())
    return _halves(df, seed=47)


def _quiet_empty_twice(directory: Path):
    df = load("Wage").iloc[0:0]
    return _pair(directory, df, df, parquet(compression="snappy"), parquet(compression="zstd"))


def _quiet_twice(name: str, seed: int):
    def make(directory: Path):
        df = load(name)
        return df, _with_bootstrap(df, len(df), seed)
    return make


QUIET_CASES: list[QuietCase] = [
    QuietCase("bikeshare-shuffled", "Bikeshare", _quiet_shuffled, (BREAKING, WARNING),
              "the same rows in another order, as Parquet files"),
    QuietCase("wage-reencoded-parquet", "Wage", _quiet_reencoded, (BREAKING, WARNING),
              "the same table rewritten: gzip, no dictionary, row groups of 100"),
    QuietCase("carseats-csv-vs-parquet", "Carseats", _quiet_csv_vs_parquet, (BREAKING,),
              "the same data written by pandas as CSV and as Parquet"),
    QuietCase("default-fresh-sample", "Default", _quiet_fresh_sample("Default", 41), (BREAKING,),
              "two disjoint random halves of Default"),
    QuietCase("bikeshare-fresh-sample", "Bikeshare", _quiet_fresh_sample("Bikeshare", 42),
              (BREAKING,), "two disjoint random halves of Bikeshare (a 1-row category)"),
    QuietCase("hitters-fresh-sample", "Hitters", _quiet_fresh_sample("Hitters", 43), (BREAKING,),
              "two disjoint random halves of Hitters (Salary 18% missing, 161 rows each)"),
    QuietCase("wage-twice-rows", "Wage", _quiet_twice("Wage", 44), (BREAKING,),
              "the table plus a bootstrap resample of itself"),
    QuietCase("auto-twice-rows", "Auto", _quiet_twice("Auto", 45), (BREAKING,),
              "the table plus a bootstrap resample of itself"),
    QuietCase("credit-fresh-ids", "Credit", _quiet_fresh_sample("Credit", 48), (BREAKING,),
              "two disjoint random halves of Credit: every ID distinct in both"),
    QuietCase("credit-new-ids", "Credit", _quiet_new_ids, (BREAKING,),
              "new rows with new IDs (range and drift warnings: the IDs grew)"),
    QuietCase("nyse-fresh-dates", "NYSE", _quiet_fresh_sample("NYSE", 49), (BREAKING,),
              "two disjoint random halves of NYSE: every date distinct in both"),
    QuietCase("wage-clipped-fresh-sample", "Wage", _quiet_clipped_sample, (BREAKING, WARNING),
              "halves of a wage column capped at the same bound in both"),
    QuietCase("hitters-imputed-fresh-sample", "Hitters", _quiet_imputed_sample, (BREAKING,),
              "halves of a salary column mean-imputed in both"),
    QuietCase("wage-empty-reencoded", "Wage", _quiet_empty_twice, (BREAKING, WARNING),
              "an empty table written twice: nothing to compare, nothing to report"),
]


# --- issue 10: high-cardinality strings, clocks, nested columns --------------------------------
# Strings without a category domain are judged by their shape (format_changed); timestamps by
# their clock (clock_shifted); nested columns through their parts. NYSE's dates are text in the
# public CSV; the timestamps are built from its rows (each trading day's 16:00 close, New York
# wall-clock time) and from Bikeshare's hourly rows. No public table of ISLP or statsmodels has
# nested columns: structs and lists are packed from real rows (Wage's people, Smarket's lags).


def _reformat_dates(column: str, spelling: str):
    return transform(column, lambda s: pd.to_datetime(s).dt.strftime(spelling))


def _closes(df: pd.DataFrame) -> pd.DataFrame:
    """NYSE with each trading day's close as a timestamp and the day as a date."""
    days = pd.to_datetime(df["date"])
    return df.assign(close=days + pd.Timedelta(hours=16), day=days.dt.date)


def _new_york_to_utc(stamps: pd.Series) -> pd.Series:
    """Wall-clock New York times converted to UTC and written without a zone again."""
    return stamps.dt.tz_localize("America/New_York").dt.tz_convert("UTC").dt.tz_localize(None)


def _bike_clock() -> pd.DataFrame:
    bike = load("Bikeshare")
    at = (pd.Timestamp("2011-01-01") + pd.to_timedelta(bike["day"] - 1, unit="D")
          + pd.to_timedelta(bike["hr"].astype(int), unit="h"))
    return pd.DataFrame({"at": at, "hr": bike["hr"], "bikers": bike["bikers"]})


def _people(df: pd.DataFrame) -> pd.DataFrame:
    """Wage with age, marital status and education packed into one struct column `person`."""
    person = [{"age": int(age), "maritl": None if pd.isna(maritl) else maritl,
               "education": education}
              for age, maritl, education in zip(df["age"], df["maritl"], df["education"],
                                                strict=True)]
    return df.drop(columns=["age", "maritl", "education"]).assign(person=person)


_LAGS = ["Lag1", "Lag2", "Lag3", "Lag4", "Lag5"]


def _lag_vectors(df: pd.DataFrame, extra: list[str] = ()) -> pd.DataFrame:
    """Smarket's five lagged returns as one list column `lags` (an embedding-like vector)."""
    vectors = df[[*_LAGS, *extra]].to_numpy().tolist()
    return df.drop(columns=_LAGS).assign(lags=vectors)


MUTATIONS += [
    # High-cardinality strings
    Mutation(
        "nyse-date-text-us-format", "NYSE", _reformat_dates("date", "%m/%d/%Y"),
        [("format_changed", "date", BREAKING)],
        "dates kept as text are rewritten month first: 1962-12-03 becomes 12/03/1962",
    ),
    Mutation(
        "nyse-date-text-day-first", "NYSE", _reformat_dates("date", "%d-%m-%Y"),
        [("format_changed", "date", BREAKING)],
        "dates kept as text are rewritten day first with the same dashes: 03-12-1962",
    ),
    Mutation(
        "auto-name-padded", "Auto", transform("name", lambda s: s.str.ljust(40)),
        [("format_changed", "name", BREAKING)],
        "a fixed-width export pads every car name with blanks to 40 characters",
    ),
    Mutation(
        "auto-name-partly-padded", "Auto",
        transform("name", lambda s: s.where(s.index % 8 != 0, s + " ")),
        [("format_changed", "name", WARNING)],
        "one of eight rows comes from a second source that leaves a trailing blank",
    ),
    Mutation(
        "auto-name-trimmed", "Auto", transform("name", lambda s: s.str.strip()),
        [("format_changed", "name", BREAKING)],
        "a cleaning step trims the names a fixed-width export had padded",
        prepare=transform("name", lambda s: s.str.ljust(40)),
    ),
    Mutation(
        "auto-name-truncated", "Auto", transform("name", lambda s: s.str[:12]),
        [("format_changed", "name", BREAKING)],
        "a VARCHAR(12) column in the warehouse cuts the car names",
    ),
    Mutation(
        "auto-name-upper-cased", "Auto", transform("name", lambda s: s.str.upper()),
        [("format_changed", "name", BREAKING)],
        "a normalisation step upper-cases the car names",
    ),
    # Clocks
    Mutation(
        "nyse-close-time-zone-applied", "NYSE",
        transform("close", _new_york_to_utc),
        [("clock_shifted", "close", BREAKING)],
        "the New York closes are converted to UTC and the zone dropped: +4 or +5 hours",
        prepare=_closes,
    ),
    Mutation(
        "nyse-close-time-zone-twice", "NYSE",
        transform("close", lambda s: s + pd.Timedelta(hours=5)),
        [("clock_shifted", "close", BREAKING)],
        "a zone offset of five hours is applied to closes that already carried it",
        prepare=_closes,
    ),
    Mutation(
        "nyse-day-taken-after-conversion", "NYSE",
        transform("day", lambda s: (pd.to_datetime(s) - pd.Timedelta(hours=5)).dt.date),
        [("clock_shifted", "day", BREAKING)],
        "the trading day is taken from midnight converted to an earlier zone: one day early",
        prepare=_closes,
    ),
    Mutation(
        "nyse-close-cut-to-day", "NYSE", transform("close", lambda s: s.dt.floor("D")),
        [("precision_changed", "close", WARNING)],
        "the close loses its time of day (a timestamp cast to a date and back)",
        allow=[("range_changed", "close", INFO)],
        prepare=_closes,
    ),
    # Nested columns
    Mutation(
        "wage-person-struct-null-to-empty", "Wage",
        transform("person", lambda s: s.map(lambda p: {**p, "maritl": p["maritl"] or ""})),
        [("missing_encoding_changed", "person", BREAKING)],
        "the missing marital statuses inside the `person` struct become ''",
        prepare=lambda df: _people(with_missing("maritl", 0.05, seed=18)(df)),
    ),
    Mutation(
        "smarket-lag-vector-grows", "Smarket",
        lambda df: _lag_vectors(df.assign(**{name: df["lags"].str[i] for i, name in
                                             enumerate(_LAGS)}), extra=["Volume"]),
        [("type_changed", "lags", BREAKING)],
        "the lag vector gains the day's volume: every row held 5 elements, now 6",
        allow=[("distribution_drift", "lags", WARNING), ("range_changed", "lags", WARNING)],
        prepare=_lag_vectors,
    ),
]


def _quiet_halves_of(build: Callable[[], pd.DataFrame], seed: int):
    def make(directory: Path):
        return _halves(build(), seed)
    return make


def _quiet_later_closes(directory: Path):
    closes = _closes(load("NYSE"))[["date", "close", "day"]]
    return closes.iloc[:3000].reset_index(drop=True), closes.iloc[3000:].reset_index(drop=True)


def _quiet_bike_clock_next_months(directory: Path):
    clock = _bike_clock()
    months = clock["at"].dt.month
    return clock[months <= 6].reset_index(drop=True), clock[months > 6].reset_index(drop=True)


def _quiet_lags_shuffled(directory: Path):
    df = _lag_vectors(load("Smarket"))
    return _pair(directory, df, _shuffled(df, seed=51), parquet(), parquet(row_group_size=300))


def _quiet_lags_partitioned(directory: Path):
    """One Parquet file against the same rows written as a hive-partitioned directory."""
    df = _lag_vectors(load("Smarket"))
    (directory / "old").mkdir(parents=True, exist_ok=True)
    old = parquet()(df, directory / "old")
    pq.write_to_dataset(pa.Table.from_pandas(df, preserve_index=False), directory / "new",
                        partition_cols=["Direction"])
    return old, directory / "new"


QUIET_CASES += [
    QuietCase("auto-names-fresh-sample", "Auto", _quiet_fresh_sample("Auto", 46), (BREAKING,),
              "two disjoint random halves of Auto: free-text names of the same kind"),
    QuietCase("nyse-fresh-sample", "NYSE", _quiet_halves_of(lambda: _closes(load("NYSE")), 47),
              (BREAKING,), "two disjoint random halves of NYSE: dates as text, closes, days"),
    QuietCase("nyse-closes-later-years", "NYSE", _quiet_later_closes, (BREAKING, WARNING),
              "the next twelve years of trading days: same formats, same clock"),
    # Summer riders really are more than winter's: the catch-all's drift warning on `bikers`
    # is true. What must stay quiet is the clock (the same hours, half a year later).
    QuietCase("bikeshare-clock-next-months", "Bikeshare", _quiet_bike_clock_next_months,
              (BREAKING,), "hourly rows of July-December after January-June"),
    QuietCase("wage-person-struct-fresh-sample", "Wage",
              _quiet_halves_of(lambda: _people(with_missing("maritl", 0.05, seed=18)(
                  load("Wage"))), 48),
              (BREAKING,), "two disjoint halves of Wage's people packed as structs"),
    QuietCase("smarket-lags-shuffled", "Smarket", _quiet_lags_shuffled, (BREAKING, WARNING),
              "the lag vectors in another order, other row groups, as Parquet"),
    QuietCase("smarket-lags-partitioned", "Smarket", _quiet_lags_partitioned,
              (BREAKING, WARNING), "one file against a directory partitioned by Direction"),
]
