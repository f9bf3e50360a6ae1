"""In-memory tables (pandas, polars, Arrow) as record-batch streams for in-pipeline use."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from ...errors import DatacoupleError
from .sources import BATCH_ROWS


def is_table_like(data: Any) -> bool:
    module = type(data).__module__
    return isinstance(data, pa.Table | pa.RecordBatch) or module.startswith(("pandas", "polars"))


def to_arrow_table(data: Any) -> pa.Table:
    """Convert without copying where the library allows it.

    pandas: NaN in a float column is pandas' own spelling of "missing", so it becomes null,
    exactly as when pandas writes Parquet; the fingerprint then agrees with the file's.
    """
    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    module = type(data).__module__
    try:
        if module.startswith("polars"):
            return data.to_arrow()
        if module.startswith("pandas"):
            return pa.Table.from_pandas(data, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as error:
        raise DatacoupleError(
            f"cannot convert the DataFrame to Arrow ({str(error).splitlines()[0]}); give each "
            "column one type (mixed objects are not supported)"
        ) from error
    raise DatacoupleError(f"cannot fingerprint a {type(data).__name__}: pass a path or a DataFrame")


def table_batches(table: pa.Table):
    return table.to_batches(max_chunksize=BATCH_ROWS)


def plain_batch(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Dictionary columns decoded: pandas would make them categoricals, which a schema's dtype
    checks would then see instead of the column's own type."""
    if not any(pa.types.is_dictionary(f.type) for f in batch.schema):
        return batch
    columns = [c.dictionary_decode() if pa.types.is_dictionary(c.type) else c
               for c in batch.columns]
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)
