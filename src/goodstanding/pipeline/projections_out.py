"""Replaying the log into Parquet files instead of the store, and loading such files into the
store: a folder with one sub-folder of files per projection table (the store's columns) and a
manifest naming the log head, the policy versions and the projections digest they stand for.

`replay_out` writes nothing to the store and takes no write lock: it folds the log as of the
head it had when it began. `load_projections` replaces the store's projections with a
folder's rows in one transaction under the write lock, only while the store's log head and
policy versions are still those of the manifest (otherwise the rows would not be what a
replay of the store gives)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.sql.schema import Table

from goodstanding.chunks import chunked
from goodstanding.events import Event
from goodstanding.pipeline.detections import CachedDetections
from goodstanding.pipeline.ingest import Progress, parse_recorded
from goodstanding.pipeline.replay import Effects, records_of, refold, replay_engine, verified
from goodstanding.pipeline.snapshot import read_snapshot
from goodstanding.policy import PolicySet
from goodstanding.store import OnWait, Store, schema
from goodstanding.store.folders import check_destination, staged_folder
from goodstanding.store.parquet import ParquetError, RollingFiles, arrow_schema, read_rows
from goodstanding.store.projections import Projections
from goodstanding.store.state import KeyedState

FORMAT = "goodstanding-projections/1"
MANIFEST = "manifest.json"
ROWS_PER_FILE = 1_000_000
"""The default bound on the rows of one file."""
_LOAD_BATCH = 50_000


class ProjectionsRefused(RuntimeError):
    """A replay into files, or a load of them into the store, that is refused, and why."""


@dataclass(frozen=True)
class Manifest:
    """What a folder of projections stands for: the log head it was folded to, the policy
    versions (version, SHA-256 of the text) it was folded under, the projections digest
    (as `Store.digest` computes it), how many entries were replayed and each table's files
    and rows."""

    head_seq: int
    head_hash: str
    policies: list[tuple[str, str]]
    digest: str
    replayed: int
    tables: dict[str, dict[str, Any]]
    format: str = FORMAT

    def as_dict(self) -> dict[str, Any]:
        """The manifest file's content."""
        data = asdict(self)
        data["policies"] = [{"version": v, "sha256": s} for v, s in self.policies]
        return data

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        """The manifest of a folder of projections; ProjectionsRefused when it has none or it is
        not one this version writes."""
        path = folder / MANIFEST
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ProjectionsRefused(
                f"{folder} has no {MANIFEST}: it is not a folder `replay --out` wrote"
            ) from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ProjectionsRefused(f"{path} cannot be read: {error}") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ProjectionsRefused(f"{path} is not a manifest of format {FORMAT!r}")
        try:
            return cls(
                int(data["head_seq"]),
                str(data["head_hash"]),
                [(str(p["version"]), str(p["sha256"])) for p in data["policies"]],
                str(data["digest"]),
                int(data["replayed"]),
                {str(k): dict(v) for k, v in data["tables"].items()},
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise ProjectionsRefused(f"{path} is malformed: {error!r}") from None


class ProjectionFiles(Projections, KeyedState):
    """The store's own row builders (`write_effects`, `save_changed`), each row they would
    insert into a projection table written to that table's folder of Parquet files instead."""

    def __init__(self, store: Store, folder: Path, rows_per_file: int):
        super().__init__(store.engine)
        self.files = {
            table.name: RollingFiles(folder / table.name, arrow_schema(table), rows_per_file)
            for table in schema.PROJECTIONS
        }

    def insert_many(
        self, conn: Connection, table: Table, rows: Sequence[tuple[Any, ...]], replace: bool = False
    ) -> None:
        """Appends the rows to the table's files (a replay writes each key once, so there is
        never a row to replace)."""
        files = self.files.get(table.name)
        if files is None:
            raise TypeError(f"{table.name} is not a projection table")
        files.write(rows)

    def finish(self) -> dict[str, dict[str, Any]]:
        """Closes every table's files; returns each table's files and rows."""
        for files in self.files.values():
            files.close()
        return {
            name: {"files": files.files, "rows": files.rows} for name, files in self.files.items()
        }


def recorded_policies(store: Store) -> tuple[PolicySet, list[tuple[str, str]]]:
    """The store's recorded policy versions, read without writing anything, and each
    (version, SHA-256 of its text), sorted; ProjectionsRefused when none is recorded."""
    stored = store.stored_policies()
    if not stored:
        raise ProjectionsRefused("no policy version is recorded in this store: nothing to replay")
    parsed = parse_recorded(stored)
    policies = PolicySet(
        [policy for policy, _, _ in parsed],
        [source for _, source, _ in parsed],
        {policy.version: refs for policy, _, refs in parsed if refs is not None},
    )
    versions = [
        (policy.version, hashlib.sha256(text.encode()).hexdigest())
        for (policy, _, _), (_, text, _) in zip(parsed, stored, strict=True)
    ]
    return policies, sorted(versions)


def replay_out(
    store: Store,
    dest: Path,
    *,
    overwrite: bool = False,
    accept_changed_detectors: bool = False,
    rows_per_file: int = ROWS_PER_FILE,
    progress: Progress | None = None,
) -> Manifest:
    """Rebuilds every projection from the log under the recorded policy versions, as
    `replay` does, into a folder of Parquet files at `dest` (written as a whole or not at
    all; FolderError for a `dest` holding anything, unless `overwrite`); the store is not
    changed. Refuses as `replay` does (ChainError, PolicyError)."""
    check_destination(dest, MANIFEST, overwrite)
    policies, versions = recorded_policies(store)
    engine = replay_engine(policies, accept_changed_detectors)
    records = records_of(store)
    detections = CachedDetections(store, policies)
    with read_snapshot(store) as (conn, (head_seq, head_hash)):
        verified(store)
        with staged_folder(dest, MANIFEST, overwrite) as stage:
            files = ProjectionFiles(store, stage, rows_per_file)

            def sink(_: list[Event], effects: Effects) -> None:
                files.write_effects(conn, effects)
                detections.fresh.clear()  # the detection cache is the store's: not written

            replayed = refold(store, conn, engine, records, detections, sink, progress)
            files.save_changed(conn, engine)
            tables = files.finish()
            digest = folder_digest(stage, tables)
            manifest = Manifest(head_seq, head_hash, versions, digest, replayed, tables)
            (stage / MANIFEST).write_text(json.dumps(manifest.as_dict(), indent=2) + "\n")
    return manifest


def _table_rows(folder: Path, table: Table, files: list[str]) -> Iterator[tuple[Any, ...]]:
    """The rows of a table's files, in order, checked to be in strictly increasing key order
    (the order `Store.digest` reads them in)."""
    keys = [n for n, column in enumerate(table.columns) if column.primary_key]
    last: tuple[Any, ...] | None = None
    for name in files:
        path = folder / table.name / name
        for row in read_rows(path, arrow_schema(table)):
            key = tuple(row[n] for n in keys)
            if last is not None and not key > last:
                raise ParquetError(
                    f"{path}: rows are not in increasing order of {table.name}'s key"
                )
            last = key
            yield row


def folder_digest(folder: Path, tables: dict[str, dict[str, Any]]) -> str:
    """The projections digest of a folder's files, as `Store.digest` computes it over the
    same rows in a store."""
    digest = hashlib.sha256()
    for table in schema.PROJECTIONS:
        digest.update(table.name.encode())
        for row in _table_rows(folder, table, tables[table.name]["files"]):
            digest.update(repr(row).encode())
    return digest.hexdigest()


def load_projections(
    store: Store, folder: Path, *, wait: float | None = None, on_wait: OnWait | None = None
) -> Manifest:
    """Replaces every projection of the store with the rows of a folder `replay_out` wrote,
    in one transaction under the write lock (`wait` and `on_wait` as for Store.write_lock);
    refuses (ProjectionsRefused) when the store's log head or recorded policy versions differ from
    the manifest's, or the files are not those the manifest describes, loading nothing."""
    manifest = Manifest.read(folder)
    missing = [t.name for t in schema.PROJECTIONS if t.name not in manifest.tables]
    if missing:
        raise ProjectionsRefused(f"{folder} has no files for {', '.join(missing)}")
    _, versions = recorded_policies(store)
    if versions != manifest.policies:
        raise ProjectionsRefused(
            f"the store's policy versions ({_named(versions)}) are not those {folder} was "
            f"replayed under ({_named(manifest.policies)}): replay again"
        )
    with store.engine.begin() as conn:
        store.write_lock(conn, wait, on_wait)
        tail = store.checked_tail(conn)
        seq, head_hash = tail.seq, tail.hash
        if (seq, head_hash) != (manifest.head_seq, manifest.head_hash):
            raise ProjectionsRefused(
                f"the store's log ends at entry {seq} (hash {head_hash[:12]}...), but {folder} "
                f"was replayed from the log ending at entry {manifest.head_seq} (hash "
                f"{manifest.head_hash[:12]}...): its projections would not match this log; "
                "replay again"
            )
        store.reset_projections(conn)
        digest = hashlib.sha256()
        for table in schema.PROJECTIONS:
            digest.update(table.name.encode())
            rows = _table_rows(folder, table, manifest.tables[table.name]["files"])
            for chunk in chunked(rows, _LOAD_BATCH):
                digest.update(b"".join(repr(row).encode() for row in chunk))
                store.insert_many(conn, table, chunk)
        if digest.hexdigest() != manifest.digest:
            raise ProjectionsRefused(
                f"the files under {folder} do not match its manifest's digest: they were "
                "changed or are incomplete; nothing was loaded"
            )
    return manifest


def _named(versions: list[tuple[str, str]]) -> str:
    return ", ".join(f"{v} {s[:12]}..." for v, s in versions) or "none"
