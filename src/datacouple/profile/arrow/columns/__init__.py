"""Per-column profilers over Arrow arrays, one module per family of logical types."""

import pyarrow as pa

from ....schema import logical_types as lt
from .base import ColumnProfiler, ProfileOptions
from .booleans import BooleanProfiler
from .nested import NestedProfiler
from .numbers import NumericProfiler
from .strings import StringProfiler
from .temporal import TemporalProfiler

__all__ = ["ColumnProfiler", "ProfileOptions", "profiler_for"]


def profiler_for(name: str, dtype: pa.DataType, max_categories: int) -> ColumnProfiler:
    """Pick the profiler for a column from its Arrow type."""
    logical = lt.logical_type_of_arrow(dtype)
    if logical == lt.STRING:
        return StringProfiler(name, dtype, max_categories)
    if logical == lt.BOOLEAN:
        return BooleanProfiler(name, dtype, max_categories)
    if logical in lt.NUMERIC:
        return NumericProfiler(name, dtype, max_categories)
    if logical in lt.TEMPORAL:
        return TemporalProfiler(name, dtype, max_categories)
    if logical == lt.NESTED:
        return NestedProfiler(name, dtype, max_categories, profiler_for)
    return ColumnProfiler(name, dtype, max_categories)
