"""The exact smallest and largest finite value of numeric columns, and the decimals their values
show, in one streaming pass.

A fingerprint rounds its statistics to 10 significant digits for stable output, so a schema
bound taken from it is either wrong or widened into noise (`1.899999999`). `infer` wants the
data's own extremes, written at the data's own precision: when every value is a number with at
most 2 decimals, the bounds have at most 2 too. "Shows" allows for float noise: pandas' CSV
parser reads `10.354` as a double one unit in the last place away from the nearest one, which
Python prints as `10.354000000000001`; the value still has 3 decimals.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .sources import open_source

# Beyond this a float column counts as full precision: its bounds are its exact values.
MAX_DECIMALS = 12
# How far (in units in the last place) a value may sit from its d-decimal spelling and still
# count as that spelling: parsers that are not correctly rounded stay within one or two.
_NOISE_ULPS = 4


@dataclass(frozen=True)
class NumberRange:
    low: int | float  # Python int, or the float as stored (float32 values keep their value)
    high: int | float
    decimals: int | None  # the most decimals any value shows; None: full precision


def exact_extremes(path: str | Path, columns: Iterable[str],
                   csv_string_columns: set[str] | None = None) -> dict[str, NumberRange]:
    """`{column: NumberRange}` over the finite values (NaN and infinities left out) of the
    named integer and float columns; a column without a finite value is absent."""
    source = open_source(path, csv_string_columns)
    wanted = [name for name in columns if name in source.schema.names
              and _is_plain_number(source.schema.field(name).type)]
    found: dict[str, NumberRange] = {}
    if not wanted:
        return found
    for batch in source.batches():
        for name in wanted:
            found_here = _batch_range(batch.column(name), found.get(name))
            if found_here is not None:
                found[name] = found_here
    return found


def _is_plain_number(dtype: pa.DataType) -> bool:
    return pa.types.is_integer(dtype) or pa.types.is_floating(dtype)


def _batch_range(array: pa.Array, so_far: NumberRange | None) -> NumberRange | None:
    is_float = pa.types.is_floating(array.type)
    if is_float:
        array = pc.filter(array, pc.is_finite(array))  # also drops NULLs and NaN
    if len(array) == array.null_count:
        return so_far
    extremes = pc.min_max(array)
    low, high = extremes["min"].as_py(), extremes["max"].as_py()
    decimals: int | None = 0
    if is_float:
        start = 0 if so_far is None else so_far.decimals
        decimals = None if start is None else decimals_shown(
            array.to_numpy(zero_copy_only=False), start)
    if so_far is None:
        return NumberRange(low, high, decimals)
    return NumberRange(min(so_far.low, low), max(so_far.high, high), decimals)


def decimals_shown(values: np.ndarray, start: int = 0) -> int | None:
    """The fewest decimals d >= start such that every value is a d-decimal number up to float
    noise; None beyond MAX_DECIMALS. Checked in the values' own width (float32 noise is
    float32's)."""
    tolerance = _NOISE_ULPS * np.spacing(np.abs(values))
    with np.errstate(over="ignore", invalid="ignore"):
        for decimals in range(start, MAX_DECIMALS + 1):
            if np.all(np.abs(values - np.round(values, decimals)) <= tolerance):
                return decimals
    return None
