"""The logical type vocabulary shared by the fingerprint, the declared schema and the diff.

A logical type says what a column *means* to a model (a string, an integer, a timestamp), not how
one library happens to store it: pandas 2 `object`, pandas 3 `str`, Arrow `large_string` and
`dictionary<string>` are all "string". Physical (Arrow) types are kept separately, for the record.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.types as pat

STRING = "string"
INTEGER = "integer"
FLOAT = "float"
BOOLEAN = "boolean"
DATETIME = "datetime"
DATE = "date"
TIME = "time"
DURATION = "duration"
DECIMAL = "decimal"
BINARY = "binary"
NESTED = "nested"
NULL = "null"

NUMERIC = frozenset({INTEGER, FLOAT, DECIMAL, DURATION, TIME})
TEMPORAL = frozenset({DATETIME, DATE})


def logical_type_of_arrow(dtype: pa.DataType) -> str:
    """Map an Arrow type to its logical type (dictionaries by their value type)."""
    if pat.is_dictionary(dtype):
        return logical_type_of_arrow(dtype.value_type)
    if pat.is_string(dtype) or pat.is_large_string(dtype) or _is_string_view(dtype):
        return STRING
    if pat.is_boolean(dtype):
        return BOOLEAN
    if pat.is_integer(dtype):
        return INTEGER
    if pat.is_floating(dtype):
        return FLOAT
    if pat.is_decimal(dtype):
        return DECIMAL
    if pat.is_timestamp(dtype):
        return DATETIME
    if pat.is_date(dtype):
        return DATE
    if pat.is_time(dtype):
        return TIME
    if pat.is_duration(dtype):
        return DURATION
    if pat.is_binary(dtype) or pat.is_large_binary(dtype) or pat.is_fixed_size_binary(dtype):
        return BINARY
    if pat.is_null(dtype):
        return NULL
    return NESTED


def physical_type_name(dtype: pa.DataType) -> str:
    """Arrow's own spelling of the type, e.g. `int64`, `timestamp[us, tz=UTC]`."""
    return str(dtype)


def _is_string_view(dtype: pa.DataType) -> bool:
    check = getattr(pat, "is_string_view", None)
    return bool(check and check(dtype))
