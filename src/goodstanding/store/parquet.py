"""Parquet files of the store's rows: the Arrow schema of a table (from the store's own table
metadata), a writer that rolls rows into files of a bounded number of rows, and reading a
folder of such files back, row by row, in the order they were written."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import Boolean, Float, Integer, LargeBinary, String
from sqlalchemy.sql.schema import Table

ROWS_PER_GROUP = 50_000
"""Rows buffered before they are written as one row group (bounds a writer's memory)."""
COMPRESSION = "zstd"


class ParquetError(ValueError):
    """A folder of Parquet files that cannot be read as the rows of a store's table, and why."""


def _arrow_type(column_type: Any) -> pa.DataType:
    """The Arrow type of an SQLAlchemy column type (the variant SQLite uses is the same)."""
    if isinstance(column_type, Boolean):
        return pa.bool_()
    if isinstance(column_type, Integer):
        return pa.int64()
    if isinstance(column_type, Float):
        return pa.float64()
    if isinstance(column_type, LargeBinary):
        return pa.large_binary()
    if isinstance(column_type, String):
        return pa.large_string()
    raise TypeError(f"no Arrow type for column type {column_type!r}")


def arrow_schema(table: Table) -> pa.Schema:
    """The Arrow schema of a store table: its columns, in order, with their nullability."""
    return pa.schema(
        [pa.field(c.name, _arrow_type(c.type), nullable=bool(c.nullable)) for c in table.columns]
    )


class RollingFiles:
    """Rows of one schema written into `folder` as part-00000.parquet, part-00001.parquet...
    (numbered from `first`), each of at most `rows_per_file` rows, in the order given. Rows
    are tuples in the schema's column order."""

    def __init__(self, folder: Path, schema: pa.Schema, rows_per_file: int, first: int = 0):
        if rows_per_file < 1:
            raise ValueError("rows_per_file must be at least 1")
        self.folder, self.schema, self.rows_per_file = folder, schema, rows_per_file
        self.first = first
        self.rows = 0
        self.files: list[str] = []
        self._buffer: list[tuple[Any, ...]] = []
        self._writer: pq.ParquetWriter | None = None
        self._in_file = 0

    def write(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Adds rows (written out a row group at a time)."""
        start = 0
        while start < len(rows):
            room = ROWS_PER_GROUP - len(self._buffer)
            self._buffer.extend(rows[start : start + room])
            start += room
            if len(self._buffer) >= ROWS_PER_GROUP:
                self._flush()

    def close(self) -> None:
        """Writes what is buffered and closes the current file (with no rows at all, one empty
        file, so that the folder still says what its columns are)."""
        self._flush()
        if not self.files:
            self._open_file()
        self._close_file()

    def _flush(self) -> None:
        """Writes the buffered rows, starting a new file wherever the current one is full."""
        rows, self._buffer = self._buffer, []
        start = 0
        while start < len(rows):
            if self._writer is None or self._in_file >= self.rows_per_file:
                self._open_file()
            take = min(len(rows) - start, self.rows_per_file - self._in_file)
            self._write_group(rows[start : start + take])
            start += take

    def _write_group(self, rows: list[tuple[Any, ...]]) -> None:
        columns = [list(values) for values in zip(*rows, strict=True)]
        arrays = [
            pa.array(values, type=field.type)
            for values, field in zip(columns, self.schema, strict=True)
        ]
        assert self._writer is not None, "a file is open"
        self._writer.write_table(pa.Table.from_arrays(arrays, schema=self.schema))
        self._in_file += len(rows)
        self.rows += len(rows)

    def _open_file(self) -> None:
        self._close_file()
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"part-{self.first + len(self.files):05d}.parquet"
        self._writer = pq.ParquetWriter(self.folder / name, self.schema, compression=COMPRESSION)
        self.files.append(name)
        self._in_file = 0

    def _close_file(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None


def read_rows(path: Path, schema: pa.Schema) -> Iterator[tuple[Any, ...]]:
    """The rows of one Parquet file, as tuples in `schema`'s column order; ParquetError when
    the file is not readable or its columns are not the schema's."""
    try:
        parquet = pq.ParquetFile(path)
    except (OSError, pa.ArrowException) as error:
        raise ParquetError(f"{path} is not a readable Parquet file: {error}") from None
    found = parquet.schema_arrow
    if found.names != schema.names or found.types != schema.types:
        raise ParquetError(
            f"{path} has columns {_described(found)}, not {_described(schema)}: it was not "
            "written for this store's table"
        )
    try:
        for batch in parquet.iter_batches(batch_size=ROWS_PER_GROUP):
            yield from zip(*(column.to_pylist() for column in batch.columns), strict=True)
    except (OSError, pa.ArrowException) as error:
        raise ParquetError(f"{path} cannot be read: {error}") from None


def _described(schema: pa.Schema) -> str:
    return ", ".join(f"{field.name} {field.type}" for field in schema)
