"""Rows of a store table in Parquet files: bounded files and row groups, read back in order
and equal; files of other columns refused by name."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from goodstanding.store import parquet
from goodstanding.store import schema as tables
from goodstanding.store.parquet import ParquetError, RollingFiles, arrow_schema, read_rows


def test_rows_roll_into_bounded_files_and_read_back_equal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parquet, "ROWS_PER_GROUP", 10)
    schema = arrow_schema(tables.denials)
    rows = [(n, 0, f"e{n}", float(n), f"a{n}", "like", "band") for n in range(111)]
    files = RollingFiles(tmp_path / "denials", schema, rows_per_file=25)
    for start in range(0, len(rows), 37):
        files.write(rows[start : start + 37])
    files.close()
    assert files.rows == 111 and len(files.files) == 5
    sizes = [pq.ParquetFile(tmp_path / "denials" / name).metadata.num_rows for name in files.files]
    assert sizes == [25, 25, 25, 25, 11]
    back = [row for name in files.files for row in read_rows(tmp_path / "denials" / name, schema)]
    assert back == rows


def test_no_rows_still_leave_a_file_with_the_columns(tmp_path: Path) -> None:
    files = RollingFiles(tmp_path / "notices", arrow_schema(tables.notices), rows_per_file=5)
    files.close()
    assert pq.read_schema(tmp_path / "notices" / "part-00000.parquet").names == [
        c.name for c in tables.notices.columns
    ]


def test_a_file_of_other_columns_is_refused(tmp_path: Path) -> None:
    files = RollingFiles(tmp_path / "notices", arrow_schema(tables.notices), rows_per_file=5)
    files.write([(1, 0, "e1", 1.0, "hello")])
    files.close()
    with pytest.raises(ParquetError, match="not written for this store's table"):
        list(read_rows(tmp_path / "notices" / "part-00000.parquet", arrow_schema(tables.ledger)))
