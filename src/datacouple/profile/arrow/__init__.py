"""The arrow engine: streams record batches from Parquet, CSV/TSV and Arrow IPC files or
directories (sources), or from in-memory tables (frames), through per-column profilers (columns)
whose state merges across partitions (table)."""
