"""Nested columns: lists (list, large_list, fixed_size_list), structs and maps, profiled through
their parts with the same profilers as top-level columns.

- a list: how many elements per row (exact min/max/mean and a LengthHistogram: an embedding's
  dimension), and its elements, all rows' elements pooled, profiled as a column named `NAME[]`;
- a struct: each field profiled as a column named `NAME.FIELD`, over the rows where the struct
  is not null;
- a map: its keys (`NAME.key`) and values (`NAME.value`) profiled as columns, and the entries per
  row as for a list.

The parts nest (a list of structs has fields `NAME[].FIELD`), each part's profile sits under its
parent's `nested` section, and the whole merges across partitions like any column. The row's
distinct count hashes the whole nested value (row_hashing.py).
"""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc

from ..row_hashing import hash_rows, list_lengths, map_as_list
from .base import ColumnProfiler, ProfileOptions, max_of, min_of, round_float
from .lengths import LengthHistogram

Factory = Callable[[str, pa.DataType, int], ColumnProfiler]


def _list_kind(dtype: pa.DataType) -> bool:
    return (pa.types.is_list(dtype) or pa.types.is_large_list(dtype)
            or pa.types.is_fixed_size_list(dtype)
            or any(check(dtype) for check in (getattr(pa.types, "is_list_view", None),
                                              getattr(pa.types, "is_large_list_view", None))
                   if check))


class NestedProfiler(ColumnProfiler):
    kind = "nested"

    def __init__(self, name: str, dtype: pa.DataType, limit: int, factory: Factory) -> None:
        super().__init__(name, dtype, limit)
        self.parts: dict[str, ColumnProfiler] = {}  # "element", "key", "value" or field names
        if pa.types.is_map(dtype):
            self.shape = "map"
            self.parts = {"key": factory(f"{name}.key", dtype.key_type, limit),
                          "value": factory(f"{name}.value", dtype.item_type, limit)}
        elif _list_kind(dtype):
            self.shape = "list"
            self.parts = {"element": factory(f"{name}[]", dtype.value_type, limit)}
        elif pa.types.is_struct(dtype):
            self.shape = "struct"
            self.parts = {field.name: factory(f"{name}.{field.name}", field.type, limit)
                          for field in dtype}
        else:  # unions and other exotica: rows and nulls only
            self.shape = "other"
        self.lengths = LengthHistogram()
        self.length_min: int | None = None
        self.length_max: int | None = None
        self.length_sum = 0

    def update(self, array: pa.Array) -> None:
        super().update(array)
        if self.shape == "other":  # unions and the like: rows and nulls only, as before
            return
        values = pc.drop_null(array) if array.null_count else array
        if len(values) == 0:
            return
        self.hll.add_hashes(hash_rows(values))
        if self.shape == "struct":
            for index, part in enumerate(self.parts.values()):
                part.update(pc.struct_field(values, [index]))
        elif self.shape in ("list", "map"):
            if self.shape == "map":
                values = map_as_list(values)
            lengths = list_lengths(values)
            self.lengths.add(lengths)
            self.length_min = min_of(self.length_min, int(lengths.min()))
            self.length_max = max_of(self.length_max, int(lengths.max()))
            self.length_sum += int(lengths.sum())
            elements = pc.list_flatten(values)
            if self.shape == "map":
                self.parts["key"].update(pc.struct_field(elements, [0]))
                self.parts["value"].update(pc.struct_field(elements, [1]))
            else:
                self.parts["element"].update(elements)

    def merge(self, other: NestedProfiler) -> None:
        super().merge(other)
        for key, part in self.parts.items():
            part.merge(other.parts[key])
        self.lengths.merge(other.lengths)
        self.length_min = min_of(self.length_min, other.length_min)
        self.length_max = max_of(self.length_max, other.length_max)
        self.length_sum += other.length_sum

    def to_state(self) -> dict:
        return {**super().to_state(),
                "parts": {key: part.to_state() for key, part in self.parts.items()},
                "lengths": self.lengths.to_state(),
                "length": [self.length_min, self.length_max, self.length_sum]}

    def load_state(self, state: dict) -> None:
        super().load_state(state)
        for key, part in self.parts.items():
            part.load_state(state["parts"][key])
        self.lengths = LengthHistogram.from_state(state["lengths"])
        self.length_min, self.length_max, self.length_sum = state["length"]

    def finalize(self, options: ProfileOptions) -> dict:
        profile = super().finalize(options)
        if self.shape == "other":  # no parts to show: the column reads as it always did
            return profile
        nested: dict = {"kind": self.shape}
        if self.shape in ("list", "map"):
            count = profile["count"]
            nested["lengths"] = {
                "min": self.length_min, "max": self.length_max,
                "mean": round_float(self.length_sum / count) if count else None,
                "histogram": self.lengths.finalize(),
            }
            if pa.types.is_fixed_size_list(self.dtype):
                nested["size"] = self.dtype.list_size
        if self.shape == "struct":
            nested["fields"] = [part.finalize(options) for part in self.parts.values()]
        elif self.shape == "list":
            nested["element"] = self.parts["element"].finalize(options)
        elif self.shape == "map":
            nested["keys"] = self.parts["key"].finalize(options)
            nested["values"] = self.parts["value"].finalize(options)
        profile["nested"] = nested
        return profile

