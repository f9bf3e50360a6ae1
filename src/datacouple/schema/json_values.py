"""Plain-JSON forms of the values a schema holds (check statistics, column names)."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import json
import math
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd


def hashable_name(name: Any) -> Any:
    return tuple(name) if isinstance(name, list) else name


def json_value(value: Any) -> Any:
    """Normalise a check statistic to plain JSON: python scalars, sorted sets, ISO timestamps.

    Floats stay exact (json writes the shortest repr that round-trips); NaN and infinities,
    which JSON lacks, become the strings "NaN", "Infinity", "-Infinity".
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.generic):
        return json_value(value.item())
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return _json_float(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, pd.Timedelta | dt.timedelta):
        return pd.Timedelta(value).isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, re.Pattern):
        return value.pattern
    if isinstance(value, type) and issubclass(value, enum.Enum):
        return sorted_values([json_value(member.value) for member in value])
    if isinstance(value, enum.Enum):
        return json_value(value.value)
    if isinstance(value, Mapping):
        return {str(key): json_value(item) for key, item in value.items()}
    if isinstance(value, set | frozenset | tuple):
        return sorted_values([json_value(item) for item in value])
    if isinstance(value, list | np.ndarray | pd.Index | pd.Series):
        return [json_value(item) for item in list(value)]
    return str(value)


def _json_float(value: float) -> float | str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return float(value)


def sorted_values(values: list) -> list:
    try:
        return sorted(values)
    except TypeError:  # mixed types: any fixed order will do, JSON text gives one
        return sorted(values, key=lambda item: json.dumps(item, sort_keys=True))
