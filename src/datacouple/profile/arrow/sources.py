"""Open data files and directories as streams of Arrow record batches, in bounded memory.

Formats: Parquet, CSV/TSV (optionally compressed), Arrow IPC (file or stream, incl. Feather v2);
single files, or directories of them (hive partitions become columns). Every read error is
turned into a one-line DatacoupleError that names the file and the likely cause.

Wide Parquet (a file, or a directory sized from its first file) can be read one group of
columns at a time, so that the reader's memory does not grow with the width: callers opt in
with `open_source(..., together=...)` (column_groups.py). CSV and Arrow IPC are read whole.

Only `.csv` and `.tsv` (and their compressed forms) are read as CSV: a `.txt` file may hold
anything (a README, a log), and read as CSV it would silently become a one-column table.
"""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from ...errors import DatacoupleError
from .column_groups import column_groups, leaf_ranges, parquet_costs

# Rows per batch. Every batch costs each column some tens of numpy and Arrow calls, whose
# Python side holds the GIL that the profiling threads share. On the 5M-row bench (peak RSS
# with the bench's imports): 64Ki rows 1.37-1.62 s, 207-223 MiB; 96Ki 1.27-1.46 s, 227-243
# MiB; 128Ki 1.22-1.32 s but 248-259 MiB, past the 256 MiB target; 256Ki ~100 MiB more.
# Wide tables are bounded by column groups instead.
BATCH_ROWS = 98_304
_BUFFER_BYTES = 1 << 20  # the Parquet reader's buffered read per column
_CSV_BLOCK_BYTES = 4 << 20  # type inference looks at the first block: make it a generous one

_SUFFIXES = {
    ".parquet": "parquet", ".pq": "parquet", ".parq": "parquet",
    ".csv": "csv", ".tsv": "csv",
    ".arrow": "ipc", ".feather": "ipc", ".ipc": "ipc", ".arrows": "ipc",
}
_COMPRESSION_SUFFIXES = {".gz", ".bz2", ".zst", ".lz4"}
_SUPPORTED = ".parquet, .csv, .tsv (also .gz, .bz2, .zst, .lz4) or .arrow/.feather"
# What Spark, Hadoop and pyarrow datasets (`ignore_prefixes`) leave out of a dataset directory:
# _SUCCESS, _committed_*, _started_*, _temporary/, .part-0.parquet.crc, .DS_Store.
_IGNORED_PREFIXES = (".", "_")


@dataclass
class BatchSource:
    """A re-readable stream of record batches and what is known before reading it."""

    path: Path
    format: str
    schema: pa.Schema
    total_rows: int | None
    _open: Callable[[], Iterator[pa.RecordBatch]] = field(repr=False)
    # The groups of columns the batches come in (column_groups.py): one group holding every
    # column unless the source was opened with `together` and is wide Parquet. With several
    # groups, every row of the first group comes first, then every row of the next one, ...
    groups: list[list[str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.groups:
            self.groups = [list(self.schema.names)]

    def batches(self) -> Iterator[pa.RecordBatch]:
        try:
            yield from prefetched(self._open())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError, EOFError) as error:
            raise read_error(self.path, self.format, error) from error


def prefetched(batches: Iterator[pa.RecordBatch], depth: int = 1) -> Iterator[pa.RecordBatch]:
    """Decode the next batches on a second thread while the caller profiles this one.

    Arrow releases the GIL while it decodes, so on two cores this overlaps the two halves of
    the work; `depth` bounds how many decoded batches wait, so memory stays bounded. Errors
    from the reader are raised in the caller, and the reader stops if the caller does.
    """
    handoff: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def produce() -> None:
        try:
            for batch in batches:
                while not stop.is_set():
                    try:
                        handoff.put(batch, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            handoff.put(done)
        except BaseException as error:  # handed to the consumer, raised there
            handoff.put(error)

    worker = threading.Thread(target=produce, name="datacouple-decode", daemon=True)
    worker.start()
    try:
        while True:
            item = handoff.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join(timeout=5)


class CsvTypeConflict(DatacoupleError):
    """A CSV column's inferred type is contradicted later in the file (carries the column)."""

    def __init__(self, path: Path, column: str):
        super().__init__(f"{path}: column {column!r} changes type partway through the file")
        self.column = column


def detect_format(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    while suffixes and suffixes[-1] in _COMPRESSION_SUFFIXES:
        suffixes.pop()
    if suffixes and suffixes[-1] in _SUFFIXES:
        return _SUFFIXES[suffixes[-1]]
    if path.is_file():
        with path.open("rb") as handle:
            head = handle.read(6)
        if head[:4] == b"PAR1":
            return "parquet"
        if head == b"ARROW1":
            return "ipc"
    if suffixes and suffixes[-1] == ".txt":
        raise DatacoupleError(
            f"{path}: a .txt file is not read as data (it may be any text); if it is CSV, "
            f"rename it to .csv or .tsv (supported: {_SUPPORTED})"
        )
    raise DatacoupleError(f"{path}: unknown data format; use a {_SUPPORTED} file")


def open_source(path: str | Path, csv_string_columns: set[str] | None = None, *,
                dictionary_strings: bool = False,
                together: Sequence[str] | None = None) -> BatchSource:
    """Open a file or directory for streaming. Nothing is decoded yet.

    `dictionary_strings`: Parquet string columns stored with small dictionaries arrive as
    dictionary arrays (the profilers read their value counts off the indices); the schema
    still names their plain type. Only for readers that handle dictionary arrays.
    `together`: opt in to column groups. A wide Parquet file or directory is then read one
    group of columns at a time (`BatchSource.groups`), so that the reader's memory does not
    grow with the width; the named columns travel in the first group, with the table's first
    column. Only for readers that take batches holding some of the columns, by name. CSV and
    Arrow IPC are always read whole.
    """
    path = Path(path)
    if not path.exists():
        raise DatacoupleError(f"{path}: no such file or directory")
    if path.is_dir():
        return _open_directory(path, csv_string_columns or set(), together)
    fmt = detect_format(path)
    try:
        if fmt == "parquet":
            return _open_parquet(path, dictionary_strings, together)
        if fmt == "csv":
            return _open_csv(path, csv_string_columns or set())
        return _open_ipc(path)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError, EOFError) as error:
        raise read_error(path, fmt, error) from error


def read_error(path: Path, fmt: str, error: Exception) -> DatacoupleError:
    """Translate Arrow's error into one actionable line."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if fmt == "csv":
        ragged = re.search(r"Expected (\d+) columns, got (\d+)", text)
        if ragged:
            return DatacoupleError(
                f"{path}: ragged CSV: a row has {ragged.group(2)} fields where the header has "
                f"{ragged.group(1)}; fix the quoting or delimiter of that row"
            )
        if "straddl" in text:  # one row longer than the block Arrow reads at a time
            return DatacoupleError(
                f"{path}: a CSV row is longer than {_CSV_BLOCK_BYTES >> 20} MiB (a huge value, "
                "or an unclosed quote); datacouple reads CSV rows up to that size: close the "
                "quote, or store such values as Parquet"
            )
        return DatacoupleError(f"{path}: cannot parse CSV: {text}")
    if fmt == "parquet":
        return DatacoupleError(
            f"{path}: not a readable Parquet file ({text}); it may be truncated or still "
            "being written"
        )
    return DatacoupleError(f"{path}: not a readable Arrow IPC file ({text})")


def _open_parquet(path: Path, dictionary_strings: bool = False,
                  together: Sequence[str] | None = None) -> BatchSource:
    meta = pq.ParquetFile(path)
    schema = meta.schema_arrow
    as_dictionary = dictionary_encoded_strings(meta.metadata, schema) if dictionary_strings else []
    groups = _groups(meta.metadata, meta.schema_arrow, schema, together)
    # Several groups only when the names are unique (column_groups.py).
    leaves = dict(zip(schema.names, leaf_ranges(schema), strict=True)) if len(groups) > 1 else {}

    def batches() -> Iterator[pa.RecordBatch]:
        # A fresh reader per pass. No pre-buffering: pyarrow would otherwise buffer every row
        # group it has read, and memory would grow with the file.
        # One decoding thread: the profilers keep both cores busy, and Arrow's pool decoding
        # a batch's columns in parallel only contended with them (~10% slower, more memory).
        with pq.ParquetFile(path, pre_buffer=False, buffer_size=_BUFFER_BYTES,
                            read_dictionary=as_dictionary) as reader:
            if len(groups) == 1:
                yield from reader.iter_batches(batch_size=BATCH_ROWS, use_threads=False)
                return
            # A group is selected by its Parquet leaf columns, not by name: pyarrow resolves a
            # name as a dotted path, where a top-level column "s.x" and the child x of a
            # struct column s are the same path. This is the call `iter_batches` makes.
            for group in groups:
                yield from reader.reader.iter_batches(
                    BATCH_ROWS, row_groups=range(reader.metadata.num_row_groups),
                    column_indices=[i for name in group for i in leaves[name]],
                    use_threads=False)

    return BatchSource(path, "parquet", schema, meta.metadata.num_rows, batches, groups)


def _groups(metadata: pq.FileMetaData, file_schema: pa.Schema, schema: pa.Schema,
            together: Sequence[str] | None) -> list[list[str]]:
    """The column groups of a Parquet source (`schema`; a directory's may add partition keys
    to its first file's `file_schema`), or one group unless the caller opted in."""
    if together is None:
        return [list(schema.names)]
    costs = parquet_costs(metadata, file_schema, batch_rows=BATCH_ROWS,
                          buffer_bytes=_BUFFER_BYTES)
    if costs is not None:
        rows = max((metadata.row_group(g).num_rows for g in range(metadata.num_row_groups)),
                   default=0)
        for name in schema.names:  # a hive partition key: a batch of 8-byte values, say
            costs.setdefault(name, min(BATCH_ROWS, rows) * 8.0)
    return column_groups(schema.names, costs, together)


# A writer falls back from dictionary to plain pages once a column chunk's dictionary passes a
# size limit (1 MiB by default in Arrow and parquet-mr). Reading a fallen-back chunk as a
# dictionary makes Arrow hash it value by value (1.2 s more for 5M ids), while a chunk that is
# dictionary-encoded throughout decodes faster that way. The metadata tells them apart: past
# its dictionary page, a dictionary-encoded chunk holds only bit-packed indices (at most 20
# bits a row for a million entries), a plain one at least a 4-byte length and a character per
# value. A wrong guess costs time only: the profile is the same either way.
_MAX_INDEX_BYTES_PER_VALUE = 4.5


def dictionary_encoded_strings(metadata: pq.FileMetaData, schema: pa.Schema) -> list[str]:
    """Top-level string columns whose every chunk is dictionary-encoded throughout."""
    wanted = [f.name for f in schema
              if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
    if not wanted or metadata.num_row_groups == 0:
        return []
    position = {metadata.schema.column(i).path: i for i in range(metadata.num_columns)}
    chosen = []
    for name in wanted:
        index = position.get(name)
        if index is None:
            continue
        chunks = [metadata.row_group(g).column(index) for g in range(metadata.num_row_groups)]
        if all(_dictionary_encoded_throughout(c) for c in chunks):
            chosen.append(name)
    return chosen


def _dictionary_encoded_throughout(chunk: pq.ColumnChunkMetaData) -> bool:
    if not chunk.has_dictionary_page or not chunk.dictionary_page_offset or not chunk.num_values:
        return False
    dictionary_bytes = chunk.data_page_offset - chunk.dictionary_page_offset  # compressed
    past_dictionary = chunk.total_uncompressed_size - dictionary_bytes
    return past_dictionary <= _MAX_INDEX_BYTES_PER_VALUE * chunk.num_values


def csv_delimiter(path: Path) -> str:
    return "\t" if ".tsv" in [s.lower() for s in path.suffixes] else ","


def csv_files(path: Path) -> list[Path]:
    """The CSV files a file or directory is read from ([] for other formats), first first."""
    if path.is_dir():
        files = _data_files(path)
        return files if files and directory_format(path, files) == "csv" else []
    return [path] if path.is_file() and detect_format(path) == "csv" else []


# Byte-order marks of the encodings that are not UTF-8 (Arrow reads CSV as UTF-8 only; it
# skips a UTF-8 BOM itself, so an Excel "CSV UTF-8" export is read as it should be).
_OTHER_BOMS = ((b"\x00\x00\xfe\xff", "UTF-32"), (b"\xff\xfe\x00\x00", "UTF-32"),
               (b"\xfe\xff", "UTF-16"), (b"\xff\xfe", "UTF-16"))
_REENCODE = "re-save it as UTF-8 (e.g. iconv -f {} -t UTF-8)"


def _require_utf8_text(path: Path) -> None:
    """Refuse CSV that is not UTF-8 text before Arrow misreads it (UTF-16 reads as one
    ragged column of NUL-separated bytes)."""
    with pa.input_stream(str(path), compression="detect") as stream:
        head = stream.read(1 << 16)
    for bom, encoding in _OTHER_BOMS:
        if head.startswith(bom):
            raise DatacoupleError(f"{path}: the CSV is {encoding} text; datacouple reads CSV as "
                                  f"UTF-8: {_REENCODE.format(encoding)}")
    if b"\x00" in head:
        raise DatacoupleError(f"{path}: the CSV holds NUL bytes, so it is not UTF-8 text "
                              f"(UTF-16 without a byte-order mark?): "
                              f"{_REENCODE.format('UTF-16')}")


def _not_utf8(path: Path, column: str) -> DatacoupleError:
    return DatacoupleError(
        f"{path}: column {column!r} holds bytes that are not UTF-8 (Latin-1 or Windows-1252 "
        f"text mixed in?); datacouple reads CSV as UTF-8: {_REENCODE.format('LATIN1')}"
    )


def _csv_options(path: Path, string_columns: set[str]):
    delimiter = csv_delimiter(path)
    read = pacsv.ReadOptions(block_size=_CSV_BLOCK_BYTES)
    parse = pacsv.ParseOptions(delimiter=delimiter)
    # Keep "" and "NA" in string columns as they are written: their encoding is the point.
    convert = pacsv.ConvertOptions(
        strings_can_be_null=False,
        column_types={name: pa.string() for name in string_columns},
    )
    return read, parse, convert


def _open_csv(path: Path, string_columns: set[str]) -> BatchSource:
    _require_utf8_text(path)
    read, parse, convert = _csv_options(path, string_columns)
    with pacsv.open_csv(path, read_options=read, parse_options=parse,
                        convert_options=convert) as probe:
        schema = probe.schema
    for column in schema:
        if pa.types.is_binary(column.type):  # Arrow's type for text that is not UTF-8
            raise _not_utf8(path, column.name)

    def batches() -> Iterator[pa.RecordBatch]:
        reader = pacsv.open_csv(path, read_options=read, parse_options=parse,
                                convert_options=convert)
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                return
            except pa.ArrowInvalid as error:
                conflict = re.search(r"In CSV column #(\d+): .*CSV conversion error", str(error))
                if conflict and "invalid UTF8" in str(error):
                    raise _not_utf8(path, schema.names[int(conflict.group(1))]) from error
                if conflict:
                    raise CsvTypeConflict(path, schema.names[int(conflict.group(1))]) from error
                raise
            yield from _slices(batch)

    return BatchSource(path, "csv", schema, None, batches)


def _open_ipc(path: Path) -> BatchSource:
    try:
        reader = ipc.open_file(pa.memory_map(str(path)))
        schema, total = reader.schema, sum(
            reader.get_batch(i).num_rows for i in range(reader.num_record_batches)
        )

        def batches() -> Iterator[pa.RecordBatch]:
            file_reader = ipc.open_file(pa.memory_map(str(path)))
            for i in range(file_reader.num_record_batches):
                yield from _slices(file_reader.get_batch(i))

    except pa.ArrowInvalid:
        with ipc.open_stream(pa.memory_map(str(path))) as stream:
            schema, total = stream.schema, None

        def batches() -> Iterator[pa.RecordBatch]:
            with ipc.open_stream(pa.memory_map(str(path))) as stream_reader:
                for batch in stream_reader:
                    yield from _slices(batch)

    return BatchSource(path, "ipc", schema, total, batches)


def _slices(batch: pa.RecordBatch) -> Iterator[pa.RecordBatch]:
    """Keep batches small, whatever size the writer chose, so memory stays bounded."""
    for start in range(0, batch.num_rows, BATCH_ROWS):
        yield batch.slice(start, BATCH_ROWS)


def _data_files(directory: Path) -> list[Path]:
    """Data files under a directory, leaving out what Spark, Hadoop and pyarrow datasets leave
    out: every name (file or directory) starting with "." or "_". DVC still hashes them all: a
    dataset's identity is DVC's, this is only what is read as rows."""
    files = []
    for candidate in sorted(directory.rglob("*")):
        relative = candidate.relative_to(directory).parts
        if any(part.startswith(_IGNORED_PREFIXES) for part in relative) or not candidate.is_file():
            continue
        files.append(candidate)
    return files


def directory_format(directory: Path, files: list[Path]) -> str:
    """The one format of a directory's data files; an error that names the odd file out."""
    by_format: dict[str, list[Path]] = {}
    for file in files:
        try:
            by_format.setdefault(detect_format(file), []).append(file)
        except DatacoupleError:
            raise DatacoupleError(
                f"{directory}: {file.relative_to(directory).as_posix()} is not a data file "
                f"(supported: {_SUPPORTED}); move it out of the dataset directory or prefix its "
                "name with _ or . so that readers skip it"
            ) from None
    if len(by_format) > 1:
        # The majority format is the dataset; the others are the odd files out.
        ranked = sorted(by_format.items(), key=lambda item: (-len(item[1]), item[0]))
        main_format = ranked[0][0]
        odd = [file for _, group in ranked[1:] for file in group]
        named = ", ".join(f.relative_to(directory).as_posix() for f in odd[:3])
        more = f" and {len(odd) - 3} more" if len(odd) > 3 else ""
        raise DatacoupleError(
            f"{directory}: mixes formats: {len(ranked[0][1])} {main_format} file(s), but "
            f"{named}{more} {'is' if len(odd) == 1 else 'are'} "
            f"{', '.join(fmt for fmt, _ in ranked[1:])}; keep one format per dataset directory"
        )
    return next(iter(by_format))


def source_format(path: str | Path) -> str:
    """The format a file or directory is read as ("parquet", "csv" or "ipc"), without reading
    any rows: what a fingerprint records, since CSV cannot carry some distinctions."""
    path = Path(path)
    if path.is_dir():
        files = _data_files(path)
        if not files:
            raise DatacoupleError(f"{path}: directory holds no data files")
        return directory_format(path, files)
    return detect_format(path)


def _open_directory(directory: Path, string_columns: set[str],
                    together: Sequence[str] | None = None) -> BatchSource:
    import pyarrow.dataset as ds  # only directories need it, and it imports pandas

    files = _data_files(directory)
    if not files:
        raise DatacoupleError(f"{directory}: directory holds no data files")
    fmt = directory_format(directory, files)
    if fmt == "csv":
        read, parse, convert = _csv_options(files[0], string_columns)
        file_format = ds.CsvFileFormat(parse_options=parse, convert_options=convert,
                                       read_options=read)
    else:
        file_format = "parquet" if fmt == "parquet" else ds.IpcFileFormat()
    try:
        dataset = ds.dataset([str(f) for f in files], format=file_format,
                             partitioning=ds.partitioning(flavor="hive"),
                             partition_base_dir=str(directory))
    except (pa.ArrowInvalid, pa.ArrowTypeError, OSError) as error:
        raise read_error(directory, fmt, error) from error
    total = None if fmt == "csv" else dataset.count_rows()
    groups = [list(dataset.schema.names)]
    if fmt == "parquet" and together is not None:
        # Sized from the first file's footer: the files of one dataset are written alike.
        try:
            with pq.ParquetFile(files[0]) as first:
                groups = _groups(first.metadata, first.schema_arrow, dataset.schema, together)
        except (pa.ArrowInvalid, OSError, EOFError) as error:
            raise read_error(files[0], fmt, error) from error

    def batches() -> Iterator[pa.RecordBatch]:
        # Small readahead: memory stays bounded however many files the directory holds.
        for group in groups:
            yield from dataset.to_batches(batch_size=BATCH_ROWS, batch_readahead=2,
                                          fragment_readahead=1,
                                          columns=None if len(groups) == 1 else group)

    return BatchSource(directory, fmt, dataset.schema, total, batches, groups)
