"""The one documented exception to "byte-identical whatever the order or partitioning": a
numeric column's `mean` and `std`.

They are floating-point sums, and floating-point addition is not associative: the same values
added in another order (rows shuffled, or batches of other sizes merged with Chan's formula)
round differently in the last bits. The fingerprint rounds them to 10 significant digits, which
hides that while the result is of the order of the values summed, but not under cancellation:
1e6, 1e-5 and -1e6 have a mean of 3.33e-6 or 0 depending on which two are added first. So the
properties compare them within 1e-9 of the column's largest magnitude (mean) and 1e-7 of it
(std: a square root of summed squares, which turns an error of eps * scale**2 into about
1e-8 * scale). Every other field, including both of them when they round alike, is compared
exactly; an `"inf"` or `"nan"` must match exactly too.

Exact moments would need exact summation (math.fsum over every value), which costs more than
the rest of a numeric profile on large tables: not worth it for digits no rule reads.
"""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datacouple.profile.format import canonical_json

MEAN_TOLERANCE = 1e-9
STD_TOLERANCE = 1e-7


def column_scale(array: pa.ChunkedArray | pa.Array) -> float:
    """The largest finite magnitude among a column's numbers, nested parts included."""
    if isinstance(array, pa.ChunkedArray):
        return max((column_scale(chunk) for chunk in array.chunks), default=0.0)
    kind = array.type
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        return column_scale(array.flatten())
    if pa.types.is_struct(kind):
        return max((column_scale(array.field(i)) for i in range(kind.num_fields)), default=0.0)
    if not (pa.types.is_integer(kind) or pa.types.is_floating(kind)
            or pa.types.is_decimal(kind)):
        return 0.0
    values = pc.drop_null(array.cast(pa.float64())).to_numpy(zero_copy_only=False)
    values = np.abs(values[np.isfinite(values)])
    return float(values.max()) if len(values) else 0.0


def _pop_moments(node, found: list) -> None:
    """Remove every numeric section's mean and std (in place), in document order."""
    if isinstance(node, dict):
        numeric = node.get("numeric")
        if isinstance(numeric, dict):
            found.append((numeric.pop("mean", None), numeric.pop("std", None)))
        for value in node.values():
            _pop_moments(value, found)
    elif isinstance(node, list):
        for value in node:
            _pop_moments(value, found)


def _close(a, b, tolerance: float) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=tolerance)
    return a == b  # None, "inf", "nan": exactly


def assert_same_profile(actual, expected, table: pa.Table) -> None:
    """`actual` (a fingerprint document or its column list) equals `expected`: byte for byte,
    but for numeric moments within the tolerance above."""
    if canonical_json(actual) == canonical_json(expected):
        return
    columns_a = actual["columns"] if isinstance(actual, dict) else actual
    columns_b = expected["columns"] if isinstance(expected, dict) else expected
    assert len(columns_a) == len(columns_b) == table.num_columns
    for column_a, column_b, array in zip(columns_a, columns_b, table.columns, strict=True):
        moments_a, moments_b = [], []
        _pop_moments(column_a, moments_a)
        _pop_moments(column_b, moments_b)
        scale = column_scale(array)
        for (mean_a, std_a), (mean_b, std_b) in zip(moments_a, moments_b, strict=True):
            assert _close(mean_a, mean_b, MEAN_TOLERANCE * scale), (column_a["name"], mean_a,
                                                                     mean_b, scale)
            assert _close(std_a, std_b, STD_TOLERANCE * scale), (column_a["name"], std_a,
                                                                  std_b, scale)
    assert canonical_json(actual) == canonical_json(expected)
