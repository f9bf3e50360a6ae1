"""Dtype names: every pandas / numpy / pyarrow / pandera spelling of a dtype, reduced to one
canonical name, and the logical type that name stands for."""

from __future__ import annotations

import re
from typing import Any

import pyarrow as pa
import pyarrow.types as pat

from . import logical_types as lt

_STRING_NAMES = frozenset(
    {"str", "string", "object", "string[python]", "string[pyarrow]", "large_string",
     "string_view", "utf8", "large_utf8", "bytes", "unicode"}
)
_ARROW_FLOAT_NAMES = {"halffloat": "float16", "float": "float32", "double": "float64"}
_INTEGER_NAME = re.compile(r"^(u?int)(8|16|32|64)$")
_FLOAT_NAME = re.compile(r"^float(16|32|64)$")
_DATETIME_NAME = re.compile(r"^(?:datetime64|timestamp)\[(\w+)(?:,\s*(?:tz=)?(.+))?\]$")
_DECIMAL_NAME = re.compile(r"^decimal(?:128|256)?\(\s*(\d+)\s*,\s*(-?\d+)\s*\)$")
_PYARROW_SUFFIX = "[pyarrow]"


def canonical_dtype_name(dtype: Any) -> str | None:
    """One spelling per dtype across pandas 2/3, pandera and Arrow (see the module docstring).

    `str`, `object`, `string[python]`, `string[pyarrow]`, `large_string` -> "string";
    `int64`, `Int64`, `int64[pyarrow]` -> "int64"; `float64`, `Float64`, `double` -> "float64";
    `bool`, `boolean` -> "bool"; `datetime64[ns]`, `datetime64[us]` -> "datetime" ("datetime[UTC]"
    with a timezone); dates -> "date"; durations -> "timedelta"; decimals -> "decimal(p,s)".
    Anything else keeps pandera's spelling.
    """
    if dtype is None:
        return None
    text = str(dtype).strip()
    is_arrow = text.endswith(_PYARROW_SUFFIX) and text != "string[pyarrow]"
    if is_arrow:
        text = text[: -len(_PYARROW_SUFFIX)]
    lowered = text.lower()
    if lowered in _STRING_NAMES or lowered.startswith("string"):
        return "string"
    if is_arrow and lowered in _ARROW_FLOAT_NAMES:
        return _ARROW_FLOAT_NAMES[lowered]
    if lowered in {"double", "float"}:
        return "float64"
    if _INTEGER_NAME.match(lowered) or _FLOAT_NAME.match(lowered):
        return lowered
    if lowered in {"bool", "boolean"}:
        return "bool"
    datetime_match = _DATETIME_NAME.match(text)
    if datetime_match:
        timezone = datetime_match.group(2)
        return f"datetime[{timezone.strip()}]" if timezone else "datetime"
    if lowered in {"date", "date32[day]", "date64[ms]"}:
        return "date"
    if lowered.startswith(("timedelta64", "duration")):
        return "timedelta"
    if lowered.startswith(("time32", "time64")):
        return "time"
    decimal_match = _DECIMAL_NAME.match(lowered)
    if decimal_match:
        return f"decimal({decimal_match.group(1)},{decimal_match.group(2)})"
    if lowered in {"binary", "large_binary", "binary_view"}:
        return "binary"
    return text


def logical_type_of_dtype_name(name: str | None) -> str | None:
    """The logical type (datacouple.logical_types) a canonical dtype name stands for."""
    if name is None:
        return None
    if name in {"string", "category"}:
        # An Arrow dictionary column reads back as category; its values are almost always
        # strings, and Arrow's side maps dictionary<string> to "string" too.
        return lt.STRING
    if _INTEGER_NAME.match(name):
        return lt.INTEGER
    if _FLOAT_NAME.match(name):
        return lt.FLOAT
    simple = {"bool": lt.BOOLEAN, "date": lt.DATE, "time": lt.TIME, "timedelta": lt.DURATION,
              "binary": lt.BINARY}
    if name in simple:
        return simple[name]
    if name.startswith("datetime"):
        return lt.DATETIME
    if name.startswith("decimal"):
        return lt.DECIMAL
    return lt.NESTED


def canonical_dtype_of_arrow(dtype: pa.DataType) -> str | None:
    """The canonical name (as above) of the dtype pandas gives an Arrow column, so that a
    declared dtype and the data's can be compared name to name. None for Arrow's null type (an
    all-null column, which any dtype admits). Integers count as the integers they store: a
    column of int64 with nulls is int64 (pandas would make it float64 only to hold the NULLs;
    nullability is a check of its own); a dictionary is pandas' `category`."""
    if pat.is_null(dtype):
        return None
    if pat.is_dictionary(dtype):
        return "category"
    if pat.is_floating(dtype):
        return f"float{dtype.bit_width}"
    if pat.is_timestamp(dtype):
        return f"datetime[{dtype.tz}]" if dtype.tz else "datetime"
    if pat.is_date(dtype):
        return "date"
    return canonical_dtype_name(str(dtype))
