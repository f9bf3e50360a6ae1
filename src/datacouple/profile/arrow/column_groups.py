"""Split a wide Parquet table into groups of columns read one group at a time.

Why: Arrow's Parquet reader keeps state per column it reads (the buffered compressed chunk,
the decompressed page, the dictionary, the builders reserved for a batch) besides the decoded
batch itself. Reading all 5,000 columns of a 20,000-row table at once held 2.8 GiB, while the
profilers' own state is ~28 KiB a column. Read a group of columns through every row, then the
next group: the reader's memory is bounded by the group, whatever the width. Each column still
sees all its rows in row order, so the profile is the same (the document does not depend on
batch boundaries: tests/properties).

The groups are sized from the Parquet footer, before anything is decoded: per column, the
decoded bytes of one batch plus the reader's buffers (`column_cost`). A narrow table (10
columns in 1M-row row groups: ~3 MiB a column) stays one group, read exactly as before.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa
import pyarrow.parquet as pq

# The budget a group's estimated cost is packed against. Measured on a 5,000 x 20,000 table
# (bench/data/wide-5000x20000.parquet, ~0.33 MiB of estimate a column): a 64 MiB budget (~190
# columns a group) peaked at 440 MiB, 48 MiB (~145) at 405 MiB, 32 MiB (~96) at 370 MiB, 16
# MiB at 340 MiB, against 2.8 GiB read whole; the rest is the profilers' state (~140 MiB at
# 5,000 columns), the document and ~90 MiB of imports. Time did not move measurably between
# them (the reader is as fast on 100 columns as on 5,000). 48 MiB leaves DESIGN.md's 512 MiB
# at 5,000 columns a 100 MiB margin, and keeps a table up to ~100 such columns (or ~25
# columns in 1M-row row groups, ~2.5 MiB a column) one group, read exactly as before.
GROUP_BUDGET_BYTES = 48 << 20
# The data page size Arrow and parquet-mr write by default: the decompressed page a column
# reader holds is at most this (or the whole chunk, when smaller).
_PAGE_BYTES = 1 << 20

_PHYSICAL_WIDTH = {"BOOLEAN": 1 / 8, "INT32": 4, "FLOAT": 4, "INT64": 8, "DOUBLE": 8,
                   "INT96": 12, "BYTE_ARRAY": 4}  # BYTE_ARRAY: its 4-byte offsets at least


def column_groups(names: Sequence[str], costs: dict[str, float] | None,
                  together: Sequence[str], budget: int | None = None) -> list[list[str]]:
    """The table's top-level columns in groups whose estimated cost fits `budget`.

    The first group holds `together` (those present) and the table's first column, whatever
    they cost: the caller needs them in the same batch (a validator's declared columns; the
    rows are counted off the first column). The others follow in schema order, packed greedily;
    a column costlier than the budget is a group of its own. One group (all columns) when the
    table fits, when it has fewer than two columns, when `costs` is None (unknown), or when
    two columns share a name (a batch's columns are matched to the table's by name). A
    column missing from `costs` costs nothing.
    """
    budget = GROUP_BUDGET_BYTES if budget is None else budget
    names = list(names)
    if len(names) < 2 or costs is None or len(set(names)) != len(names):
        return [names]
    cost = [costs.get(n, 0.0) for n in names]
    if sum(cost) <= budget:
        return [names]
    present = set(together)
    lead = [i for i, n in enumerate(names) if i == 0 or n in present]
    groups, current, spent = [], [names[i] for i in lead], sum(cost[i] for i in lead)
    for i, name in enumerate(names):
        if i == 0 or name in present:
            continue
        if current and spent + cost[i] > budget:
            groups.append(current)
            current, spent = [], 0.0
        current.append(name)
        spent += cost[i]
    groups.append(current)
    return groups


def column_cost(chunk: pq.ColumnChunkMetaData, rows: int, batch_rows: int,
                buffer_bytes: int) -> float:
    """Estimated bytes one leaf column holds while a batch of its row group is read: the
    decoded values of a batch (at least the physical width a value: a dictionary-encoded
    number's chunk is tiny, its decoded values are not) and a validity bitmap, plus the
    reader's buffered compressed bytes and one decompressed page."""
    batch = min(batch_rows, rows)
    per_row = chunk.total_uncompressed_size / rows if rows else 0.0
    width = _PHYSICAL_WIDTH.get(chunk.physical_type, 0)
    decoded = batch * (max(per_row, width) + 1 / 8)
    reader = (min(buffer_bytes, chunk.total_compressed_size)
              + min(_PAGE_BYTES, chunk.total_uncompressed_size))
    return decoded + reader


def parquet_costs(metadata: pq.FileMetaData, schema: pa.Schema, *, batch_rows: int,
                  buffer_bytes: int) -> dict[str, float] | None:
    """Each top-level column's cost (its leaves' summed, the costliest row group's), or None
    when the footer's leaves do not line up with the schema."""
    leaves = leaf_ranges(schema)
    if sum(len(r) for r in leaves) != metadata.num_columns:
        return None
    costs = dict.fromkeys(schema.names, 0.0)
    for g in range(metadata.num_row_groups):
        row_group = metadata.row_group(g)
        for name, indices in zip(schema.names, leaves, strict=True):
            cost = sum(column_cost(row_group.column(i), row_group.num_rows, batch_rows,
                                   buffer_bytes) for i in indices)
            costs[name] = max(costs[name], cost)
    return costs


def leaf_ranges(schema: pa.Schema) -> list[range]:
    """The Parquet leaf columns (their positions in the file) of each top-level column."""
    ranges, start = [], 0
    for field in schema:
        count = _leaf_count(field.type)
        ranges.append(range(start, start + count))
        start += count
    return ranges


def _leaf_count(type_: pa.DataType) -> int:
    """How many Parquet leaf columns store a column of this Arrow type."""
    if pa.types.is_struct(type_):
        return sum(_leaf_count(type_.field(i).type) for i in range(type_.num_fields))
    if pa.types.is_map(type_):
        return _leaf_count(type_.key_type) + _leaf_count(type_.item_type)
    if (pa.types.is_list(type_) or pa.types.is_large_list(type_)
            or pa.types.is_fixed_size_list(type_)):
        return _leaf_count(type_.value_type)
    if pa.types.is_dictionary(type_):
        return _leaf_count(type_.value_type)
    return 1
