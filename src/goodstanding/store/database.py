"""Opening a goodstanding database: the connection, pragmas, migrations, the "is this ours"
check, and the bulk SQL the other parts of the store write with."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Self

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    Column,
    Connection,
    Engine,
    String,
    any_,
    bindparam,
    create_engine,
    event,
    func,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.pool import NullPool
from sqlalchemy.sql.schema import Table

from goodstanding.policy import Policy
from goodstanding.policy.references import References, decode_references, encode_references
from goodstanding.store import schema

APP = "goodstanding"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_CHUNK = 500


class StoreError(RuntimeError):
    """The database cannot be used as a goodstanding store, and why."""


class WriterBusy(StoreError):
    """Another writer held the store's write lock for longer than this one would wait. An
    ingest that had committed earlier batches says how many events they accepted and the
    first line it did not write."""

    def __init__(self, waited: float, accepted: int = 0, from_line: int | None = None):
        self.waited, self.accepted, self.from_line = waited, accepted, from_line
        written = (
            f"; {accepted} events were accepted before, nothing from line {from_line} on"
            if from_line is not None
            else "; nothing was written"
        )
        super().__init__(
            "another writer (an ingest, a replay, a migration or the service) holds this "
            f"store's write lock; gave up after waiting {waited:.1f} s{written}"
        )


OnWait = Callable[[float], None]
"""Told, about once a second while a writer waits for the lock, how long it has waited (s)."""

WRITE_LOCK_KEY = 0x67647374
"""The PostgreSQL advisory lock every writer of a goodstanding store takes ("gdst")."""
_WAIT_SLICE = 1.0  # seconds between two calls of on_wait
_BUSY_TIMEOUT_MS = 10000


def _head_revision() -> str | None:
    """The newest migration's revision."""
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def default_url() -> str:
    """The default database: an SQLite file under ./var/."""
    return "sqlite:///var/goodstanding.db"


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")  # first: a fresh file's WAL switch
    cursor.execute("PRAGMA journal_mode=WAL")  # waits for a writer creating the schema
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA secure_delete=ON")  # deleted records leave no copy in free pages
    cursor.close()


def _sqlite_explicit_transactions(dbapi_connection: sqlite3.Connection, _: object) -> None:
    dbapi_connection.isolation_level = None


def _is_busy(error: OperationalError) -> bool:
    """Whether SQLite refused because another connection holds the write lock."""
    return getattr(error.orig, "sqlite_errorname", None) in ("SQLITE_BUSY", "SQLITE_LOCKED")


def _is_lock_timeout(error: OperationalError) -> bool:
    """Whether PostgreSQL gave up waiting for a lock (lock_timeout)."""
    return getattr(error.orig, "sqlstate", None) == "55P03"


class Database:
    """A goodstanding database (SQLite or PostgreSQL) behind SQLAlchemy: opening it, its
    metadata, its recorded policies, and bulk reads and writes by key."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.dialect = engine.dialect.name

    @classmethod
    def open(cls, url: str) -> Self:
        """Opens (creating and migrating if needed) a store; refuses databases not ours."""
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            path = Path(url.removeprefix("sqlite:///"))
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            engine = create_engine(url)
        except Exception as error:
            raise StoreError(f"cannot use database URL {url!r}: {error}") from None
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        elif engine.dialect.name != "postgresql":
            raise StoreError(
                f"unsupported database {engine.dialect.name!r}: use sqlite or postgresql"
            )
        store = cls(engine)
        store._check_ours(url)
        if not store._at_head():
            store._migrate()
        return store

    def _check_ours(self, url: str) -> None:
        try:
            names = set(inspect(self.engine).get_table_names())
        except (DatabaseError, OperationalError) as error:
            reason = str(error.orig) if error.orig is not None else str(error)
            raise StoreError(f"{url} is not a database goodstanding can open: {reason}") from None
        if names == {"alembic_version"} and self._no_revision():
            return  # a first migration was killed after Alembic made its own table
        if names and schema.MARKER_TABLE not in names:
            raise StoreError(
                f"{url} already holds tables ({', '.join(sorted(names)[:5])}...) and is not a "
                "goodstanding store; refusing to touch it"
            )
        if names:
            with self.engine.connect() as conn:
                app = conn.execute(
                    select(schema.meta.c.value).where(schema.meta.c.key == "app")
                ).scalar()
            if app != APP:
                raise StoreError(
                    f"{url} has a {schema.MARKER_TABLE} table but is not marked as "
                    "a goodstanding store; refusing to touch it"
                )

    def _no_revision(self) -> bool:
        with self.engine.connect() as conn:
            return conn.exec_driver_sql("SELECT count(*) FROM alembic_version").scalar() == 0

    def _at_head(self) -> bool:
        """Whether the schema is at the newest migration (opening then takes no lock)."""
        try:
            with self.engine.connect() as conn:
                current = MigrationContext.configure(conn).get_current_revision()
        except (DatabaseError, OperationalError) as error:
            reason = str(error.orig) if error.orig is not None else str(error)
            raise StoreError(f"cannot read the schema version: {reason}") from None
        return current == _head_revision()

    def _migrate(self) -> None:
        """Applies the missing migrations one at a time, each in its own transaction under
        the write lock, deciding which is next only once the lock is held: two processes
        opening a fresh or older database never race, and a killed step leaves the last."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["on_version_apply"] = self._after_migration_step
        head = _head_revision()
        engine = self._migration_engine()
        try:
            with engine.connect() as conn:
                config.attributes["connection"] = conn
                while True:
                    with conn.begin():
                        self.write_lock(conn)
                        if MigrationContext.configure(conn).get_current_revision() == head:
                            return
                        command.upgrade(config, "+1")
        finally:
            if engine is not self.engine:
                engine.dispose()

    def _migration_engine(self) -> Engine:
        """The engine migrations run on: for an SQLite file, one whose connections leave
        transactions to explicit SQL (pysqlite would otherwise commit every CREATE on its
        own), so each migration is one transaction and a killed one leaves nothing behind."""
        if self.dialect != "sqlite" or self.engine.url.database in (None, "", ":memory:"):
            return self.engine
        engine = create_engine(self.engine.url, poolclass=NullPool)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "connect", _sqlite_explicit_transactions)
        return engine

    @staticmethod
    def _after_migration_step(ctx: MigrationContext, **_: object) -> None:
        """Marks a new database as ours inside its first migration's transaction (so a store
        is never left with tables but no mark); GOODSTANDING_MIGRATION_PAUSE (seconds) makes
        each step wait before committing, for tests that kill a migration part way."""
        conn = ctx.connection
        assert conn is not None, "online migrations run on a connection"
        found = conn.execute(select(schema.meta.c.value).where(schema.meta.c.key == "app"))
        if found.scalar() is None:
            conn.execute(schema.meta.insert(), [{"key": "app", "value": APP}])
        pause = os.environ.get("GOODSTANDING_MIGRATION_PAUSE")
        if pause:
            print(f"migration step applied; pausing {pause} s", file=sys.stderr, flush=True)
            time.sleep(float(pause))

    # -- the write lock -------------------------------------------------------------------

    def write_lock(
        self, conn: Connection, wait: float | None = None, on_wait: OnWait | None = None
    ) -> None:
        """Takes the store's write lock for the rest of `conn`'s transaction, which must not
        have run a statement yet (SQLite: BEGIN IMMEDIATE; PostgreSQL: a transaction-level
        advisory lock on WRITE_LOCK_KEY). While another writer holds it, this waits for at
        most `wait` seconds (None: as long as it takes; 0: not at all), calling `on_wait`
        about once a second, then raises WriterBusy."""
        take = self._take_sqlite_lock if self.dialect == "sqlite" else self._take_pg_lock
        started, timeout = time.monotonic(), 0.0
        while not take(conn, timeout):
            waited = time.monotonic() - started
            if wait is not None and waited >= wait:
                raise WriterBusy(waited)
            if on_wait is not None:
                on_wait(waited)
            timeout = _WAIT_SLICE if wait is None else min(_WAIT_SLICE, wait - waited)

    @staticmethod
    def _take_sqlite_lock(conn: Connection, timeout: float) -> bool:
        """BEGIN IMMEDIATE, waiting at most `timeout` seconds for another writer."""
        conn.exec_driver_sql(f"PRAGMA busy_timeout={int(timeout * 1000)}")
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except OperationalError as error:
            if not _is_busy(error):
                raise
            return False
        finally:
            conn.exec_driver_sql(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
        return True

    @staticmethod
    def _take_pg_lock(conn: Connection, timeout: float) -> bool:
        """The advisory lock, waiting at most `timeout` seconds in PostgreSQL's queue of
        waiters (so writers take turns); a savepoint keeps a timeout from aborting the
        caller's transaction."""
        if timeout <= 0:
            sql = f"SELECT pg_try_advisory_xact_lock({WRITE_LOCK_KEY})"
            return bool(conn.exec_driver_sql(sql).scalar())
        try:
            with conn.begin_nested():
                conn.exec_driver_sql(f"SET LOCAL lock_timeout = {max(1, int(timeout * 1000))}")
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
                conn.exec_driver_sql("SET LOCAL lock_timeout TO DEFAULT")
        except OperationalError as error:
            if not _is_lock_timeout(error):
                raise
            return False
        return True

    def refresh_statistics(self) -> None:
        """Lets PostgreSQL's planner see how big the keyed tables have grown (fresh tables look
        empty to it, which turns id look-ups into scans); SQLite needs nothing."""
        if self.dialect == "postgresql":
            with self.engine.begin() as conn:
                conn.exec_driver_sql(
                    "ANALYZE events, accounts, contents, groups, decisions, appeals, identities"
                )

    def close(self) -> None:
        """Releases the database connections."""
        self.engine.dispose()

    # -- bulk reads and writes ------------------------------------------------------------

    def _insert(self, table: Table) -> sqlite.Insert | postgresql.Insert:
        """An INSERT of this dialect (one that can say what to do on a conflict)."""
        return sqlite.insert(table) if self.dialect == "sqlite" else postgresql.insert(table)

    def _upsert(self, conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        insert = self._insert(table)
        keys = [c.name for c in table.primary_key.columns]
        updates = {c.name: insert.excluded[c.name] for c in table.columns if c.name not in keys}
        conn.execute(insert.on_conflict_do_update(index_elements=keys, set_=updates), rows)

    def _matching(
        self, conn: Connection, wanted: Sequence[Column[Any]], key: Column[Any], ids: Sequence[str]
    ) -> Iterator[Any]:
        """The `wanted` columns of the rows whose `key` is one of `ids`: one `= ANY(array)`
        query on PostgreSQL (whose planner handles it well), chunks of `IN (...)` on SQLite."""
        if not ids:
            return
        if self.dialect == "postgresql":
            array = bindparam("ids", value=list(ids), type_=postgresql.ARRAY(String))
            yield from conn.execute(select(*wanted).where(key == any_(array)))
            return
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            yield from conn.execute(select(*wanted).where(key.in_(chunk)))

    def insert_many(
        self, conn: Connection, table: Table, rows: Sequence[tuple[Any, ...]], replace: bool = False
    ) -> None:
        """Bulk-inserts rows given in the table's column order (COPY on PostgreSQL);
        with `replace`, rows whose primary key exists overwrite it."""
        if not rows:
            return
        names = [c.name for c in table.columns]
        columns = ", ".join(f'"{name}"' for name in names)
        if self.dialect == "sqlite":
            verb = "INSERT OR REPLACE" if replace else "INSERT"
            marks = ", ".join("?" * len(names))
            sql = f"{verb} INTO {table.name} ({columns}) VALUES ({marks})"
            conn.exec_driver_sql(sql, list(rows))
            return
        target = f"staging_{table.name}" if replace else table.name
        if replace:  # COPY into a per-transaction staging table, then one upsert from it
            conn.exec_driver_sql(
                f"CREATE TEMP TABLE IF NOT EXISTS {target} (LIKE {table.name}) "
                "ON COMMIT DELETE ROWS"
            )
            conn.exec_driver_sql(f"TRUNCATE {target}")
        raw = conn.connection.driver_connection
        assert raw is not None, "an open PostgreSQL connection has a driver connection"
        copy_sql = f"COPY {target} ({columns}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(copy_sql) as copy:
            for row in rows:
                copy.write_row(row)
        if replace:
            keys = [c.name for c in table.primary_key.columns]
            updates = ", ".join(f'"{n}" = EXCLUDED."{n}"' for n in names if n not in keys)
            conn.exec_driver_sql(
                f"INSERT INTO {table.name} ({columns}) SELECT {columns} FROM {target} "
                f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}"
            )

    def _set_meta(self, conn: Connection, key: str, value: str) -> None:
        self._upsert(conn, schema.meta, [{"key": key, "value": value}])

    def meta_value(self, key: str) -> str | None:
        """A value from the store's own metadata."""
        with self.engine.connect() as conn:
            value = conn.execute(
                select(schema.meta.c.value).where(schema.meta.c.key == key)
            ).scalar()
        return None if value is None else str(value)

    def count(self, table: Table) -> int:
        """The number of rows in a table."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(table)).scalar() or 0)

    def execute_sql(self, sql: str, params: dict[str, Any] | None = None) -> list[Any]:
        """Runs a read-only query with bound parameters (for reports and tests)."""
        with self.engine.connect() as conn:
            return list(conn.execute(text(sql), params or {}).all())

    # -- policies -------------------------------------------------------------------------

    def save_policies(
        self, conn: Connection, items: Iterable[tuple[Policy, str, str, References]]
    ) -> None:
        """Records policy versions (policy, source, TOML text, the inputs it references); a
        changed version is refused. A version recorded without references gets them now."""
        for policy, source, body, references in items:
            sha = hashlib.sha256(body.encode()).hexdigest()
            refs = encode_references(references)
            known = conn.execute(
                select(
                    schema.policies.c.sha256, schema.policies.c.source, schema.policies.c.refs
                ).where(schema.policies.c.version == policy.version)
            ).first()
            if known is None:
                conn.execute(
                    schema.policies.insert(),
                    [
                        {
                            "version": policy.version,
                            "sha256": sha,
                            "source": source,
                            "text": body,
                            "effective_from": policy.effective_from.timestamp(),
                            "refs": refs,
                        }
                    ],
                )
            elif known.sha256 != sha:
                raise StoreError(
                    f"policy version {policy.version!r} from {source} differs from the one "
                    f"already recorded (from {known.source}); a published version never "
                    "changes: give the new text a new version"
                )
            elif known.refs is None:
                conn.execute(
                    update(schema.policies)
                    .where(schema.policies.c.version == policy.version)
                    .values(refs=refs)
                )

    def recorded_versions(self, conn: Connection) -> frozenset[str]:
        """The policy versions recorded in the store (as `conn`'s transaction sees them)."""
        return frozenset(conn.execute(select(schema.policies.c.version)).scalars())

    def stored_policies(self) -> list[tuple[str, str, References | None]]:
        """Recorded policy versions as (source, TOML text, recorded references), oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    schema.policies.c.source, schema.policies.c.text, schema.policies.c.refs
                ).order_by(schema.policies.c.effective_from)
            ).all()
        return [
            (row.source, row.text, decode_references(row.refs) if row.refs else None)
            for row in rows
        ]
