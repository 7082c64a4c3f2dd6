"""The store: opening a database, the hash-chained log, keyed state and projections."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import msgspec
from alembic import command
from alembic.config import Config
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
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.sql.schema import Table

from goodstanding.engine import (
    AccountState,
    AdminRightsChanged,
    ContentState,
    Denial,
    Effect,
    GroupFlagged,
    LabelChanged,
    LedgerEntry,
    Notice,
    SanctionImposed,
    StrikeIssued,
)
from goodstanding.engine.effects import (
    AppealDecidedEffect,
    AppealFiledEffect,
    CommentReviewed,
    Flagged,
    IdentityChanged,
    SanctionLifted,
)
from goodstanding.engine.state import (
    AppealState,
    DecisionState,
    GroupState,
    IdentityState,
    account_codec,
    appeal_codec,
    content_codec,
    decision_codec,
    group_codec,
    identity_codec,
)
from goodstanding.policy import Policy
from goodstanding.store import schema

T = TypeVar("T")
GENESIS = "0" * 64
APP = "goodstanding"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_CHUNK = 500


class StoreError(RuntimeError):
    """The database cannot be used as a goodstanding store, and why."""


def entry_hash(seq: int, prev_hash: str, body: bytes) -> str:
    """The hash of a log entry: its position, the previous entry's hash and its body."""
    digest = hashlib.sha256(f"{seq}\n{prev_hash}\n".encode())
    digest.update(body)
    return digest.hexdigest()


@dataclass(frozen=True)
class LogEntry:
    """One entry of the event log as stored."""

    seq: int
    id: str
    type: str
    at: float
    actor: str
    body: bytes
    prev_hash: str
    hash: str


def head_key(table: Table) -> str:
    """The metadata key under which a chained log's head is recorded."""
    return "head" if table is schema.events else f"{table.name}_head"


def default_url() -> str:
    """The default database: an SQLite file under ./var/."""
    return "sqlite:///var/goodstanding.db"


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA secure_delete=ON")  # deleted records leave no copy in free pages
    cursor.close()


_dumps = msgspec.json.Encoder().encode


def _evidence(values: Sequence[str]) -> str:
    return _dumps(list(values)).decode()


class Store:
    """A goodstanding database (SQLite or PostgreSQL) behind SQLAlchemy."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.dialect = engine.dialect.name

    @classmethod
    def open(cls, url: str) -> Store:
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
        store._migrate()
        return store

    def _check_ours(self, url: str) -> None:
        try:
            names = set(inspect(self.engine).get_table_names())
        except (DatabaseError, OperationalError) as error:
            reason = str(error.orig) if error.orig is not None else str(error)
            raise StoreError(f"{url} is not a database goodstanding can open: {reason}") from None
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

    def _migrate(self) -> None:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
            found = conn.execute(select(schema.meta.c.value).where(schema.meta.c.key == "app"))
            if found.scalar() is None:
                conn.execute(schema.meta.insert(), [{"key": "app", "value": APP}])

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

    # -- small helpers --------------------------------------------------------------------

    def _upsert(self, conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        insert = sqlite.insert(table) if self.dialect == "sqlite" else postgresql.insert(table)
        keys = [c.name for c in table.primary_key.columns]
        updates = {c.name: insert.excluded[c.name] for c in table.columns if c.name not in keys}
        conn.execute(insert.on_conflict_do_update(index_elements=keys, set_=updates), rows)

    def _matching(
        self, conn: Connection, wanted: Column[Any], key: Column[Any], ids: Sequence[str]
    ) -> Iterator[Any]:
        """`wanted` of the rows whose `key` is one of `ids`: one `= ANY(array)` query on
        PostgreSQL (whose planner handles it well), chunks of `IN (...)` on SQLite."""
        if not ids:
            return
        if self.dialect == "postgresql":
            array = bindparam("ids", value=list(ids), type_=postgresql.ARRAY(String))
            yield from conn.execute(select(wanted).where(key == any_(array))).scalars()
            return
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            yield from conn.execute(select(wanted).where(key.in_(chunk))).scalars()

    # -- the log --------------------------------------------------------------------------

    def head(self, conn: Connection, table: Table = schema.events) -> tuple[int, str]:
        """The last entry's position and hash (0 and the genesis hash for an empty log)."""
        row = conn.execute(
            select(table.c.seq, table.c.hash).order_by(table.c.seq.desc()).limit(1)
        ).first()
        return (int(row[0]), str(row[1])) if row else (0, GENESIS)

    def logged_bodies(self, conn: Connection, ids: Sequence[str]) -> dict[str, bytes]:
        """The logged bodies of those of these event ids already in the log."""
        events = schema.events
        if self.dialect == "postgresql":  # one `= ANY(array)` query, as in `_matching`
            array = bindparam("ids", value=list(ids), type_=postgresql.ARRAY(String))
            wheres = [events.c.id == any_(array)] if ids else []
        else:
            wheres = [events.c.id.in_(ids[i : i + _CHUNK]) for i in range(0, len(ids), _CHUNK)]
        found: dict[str, bytes] = {}
        for where in wheres:
            for event_id, body in conn.execute(select(events.c.id, events.c.body).where(where)):
                found[event_id] = body.encode() if isinstance(body, str) else bytes(body)
        return found

    def append(
        self, conn: Connection, rows: list[dict[str, Any]], table: Table = schema.events
    ) -> None:
        """Appends chained entries (seq, id, type, at, actor, body, prev_hash, hash) and
        records the new head (so removing entries from the end is detected)."""
        if rows:
            self.insert_many(conn, table, [tuple(r.values()) for r in rows])
            self._set_meta(conn, head_key(table), f"{rows[-1]['seq']}:{rows[-1]['hash']}")

    def audit(
        self,
        actor: str,
        action: str,
        target: str,
        reason: str,
        at: float,
        details: dict[str, Any] | None = None,
    ) -> int:
        """Records what a person did through goodstanding (who, what, when, why) in the
        hash-chained audit log; returns its position."""
        with self.engine.begin() as conn:
            seq, prev = self.head(conn, schema.audit_log)
            seq += 1
            body = _dumps(
                {
                    "id": f"audit-{seq}",
                    "type": action,
                    "at": at,
                    "actor": actor,
                    "target": target,
                    "reason": reason,
                    "details": details or {},
                }
            )
            digest = entry_hash(seq, prev, body)
            self.append(
                conn,
                [
                    {
                        "seq": seq,
                        "id": f"audit-{seq}",
                        "type": action,
                        "at": at,
                        "actor": actor,
                        "body": body,
                        "prev_hash": prev,
                        "hash": digest,
                    }
                ],
                schema.audit_log,
            )
        return seq

    def _set_meta(self, conn: Connection, key: str, value: str) -> None:
        self._upsert(conn, schema.meta, [{"key": key, "value": value}])

    def meta_value(self, key: str) -> str | None:
        """A value from the store's own metadata."""
        with self.engine.connect() as conn:
            value = conn.execute(
                select(schema.meta.c.value).where(schema.meta.c.key == key)
            ).scalar()
        return None if value is None else str(value)

    def entries(
        self, conn: Connection, batch: int = 5000, table: Table = schema.events
    ) -> Iterator[LogEntry]:
        """Every entry of a chained log, in order."""
        last = 0
        while True:
            rows = conn.execute(
                select(table).where(table.c.seq > last).order_by(table.c.seq).limit(batch)
            ).all()
            if not rows:
                return
            for row in rows:
                body = row.body.encode() if isinstance(row.body, str) else bytes(row.body)
                yield LogEntry(
                    int(row.seq),
                    row.id,
                    row.type,
                    float(row.at),
                    row.actor,
                    body,
                    row.prev_hash,
                    row.hash,
                )
            last = int(rows[-1].seq)

    def count(self, table: Table) -> int:
        """The number of rows in a table."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(table)).scalar() or 0)

    # -- policies -------------------------------------------------------------------------

    def save_policies(self, conn: Connection, items: Iterable[tuple[Policy, str, str]]) -> None:
        """Records policy versions (policy, source, TOML text); a changed version is refused."""
        for policy, source, body in items:
            sha = hashlib.sha256(body.encode()).hexdigest()
            known = conn.execute(
                select(schema.policies.c.sha256, schema.policies.c.source).where(
                    schema.policies.c.version == policy.version
                )
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
                        }
                    ],
                )
            elif known.sha256 != sha:
                raise StoreError(
                    f"policy version {policy.version!r} from {source} differs from the one "
                    f"already recorded (from {known.source}); a published version never "
                    "changes: give the new text a new version"
                )

    def stored_policies(self) -> list[tuple[str, str]]:
        """Recorded policy versions as (source, TOML text), oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(schema.policies.c.source, schema.policies.c.text).order_by(
                    schema.policies.c.effective_from
                )
            ).all()
        return [(row.source, row.text) for row in rows]

    # -- keyed state ----------------------------------------------------------------------

    def load_accounts(self, conn: Connection, ids: Sequence[str]) -> list[AccountState]:
        """The stored state of these accounts (those that exist)."""
        return self._load(conn, schema.accounts, ids, account_codec[1].decode)

    def load_contents(self, conn: Connection, ids: Sequence[str]) -> list[ContentState]:
        """The stored state of these content items (those that exist)."""
        return self._load(conn, schema.contents, ids, content_codec[1].decode)

    def load_groups(self, conn: Connection, ids: Sequence[str]) -> list[GroupState]:
        """The stored state of these groups (those that exist)."""
        return self._load(conn, schema.groups, ids, group_codec[1].decode)

    def load_decisions(self, conn: Connection, ids: Sequence[str]) -> list[DecisionState]:
        """The stored state of these decisions (those that exist)."""
        return self._load(conn, schema.decisions, ids, decision_codec[1].decode)

    def load_appeals(self, conn: Connection, ids: Sequence[str]) -> list[AppealState]:
        """The stored state of these appeals (those that exist)."""
        return self._load(conn, schema.appeals, ids, appeal_codec[1].decode)

    def save_appeals(
        self, conn: Connection, decisions: list[DecisionState], appeals: list[AppealState]
    ) -> None:
        """Writes changed decisions and appeals."""
        encode = decision_codec[0].encode
        self.insert_many(
            conn,
            schema.decisions,
            [
                (
                    d.id,
                    d.at,
                    d.account_id,
                    d.content_id,
                    d.rule_id,
                    d.appeal_id,
                    d.reversed,
                    encode(d),
                )
                for d in decisions
            ],
            replace=True,
        )
        encode = appeal_codec[0].encode
        self.insert_many(
            conn,
            schema.appeals,
            [
                (a.id, a.decision_id, a.account_id, a.filed_at, a.outcome, encode(a))
                for a in appeals
            ],
            replace=True,
        )

    def _load(
        self, conn: Connection, table: Table, ids: Sequence[str], decode: Callable[[bytes], T]
    ) -> list[T]:
        return [decode(blob) for blob in self._matching(conn, table.c.state, table.c.id, ids)]

    def load_identities(self, conn: Connection, fingerprints: Sequence[str]) -> list[IdentityState]:
        """The stored state of these fingerprints (those seen before)."""
        decode = identity_codec[1].decode
        key = schema.identities.c.fingerprint
        return [
            decode(blob)
            for blob in self._matching(conn, schema.identities.c.state, key, fingerprints)
        ]

    def save_identities(self, conn: Connection, items: list[IdentityState]) -> None:
        """Writes changed fingerprints (holders and blocks; never a raw value)."""
        encode = identity_codec[0].encode
        rows = [
            (
                i.fingerprint,
                i.fingerprint.split(":", 1)[0],
                len(i.holders),
                i.block is not None,
                encode(i),
            )
            for i in items
        ]
        self.insert_many(conn, schema.identities, rows, replace=True)

    def save_groups(self, conn: Connection, groups: list[GroupState]) -> None:
        """Writes changed groups."""
        encode = group_codec[0].encode
        rows = [
            (g.id, g.owner, g.created_at, len(g.roles), g.without_admin, encode(g)) for g in groups
        ]
        self.insert_many(conn, schema.groups, rows, replace=True)

    def save_state(
        self, conn: Connection, accounts: list[tuple[Any, ...]], contents: list[ContentState]
    ) -> None:
        """Writes changed accounts (rows in column order) and content items."""
        self.insert_many(conn, schema.accounts, accounts, replace=True)
        encode = content_codec[0].encode
        rows = [(c.id, c.author, c.kind, c.at, c.visible, encode(c)) for c in contents]
        self.insert_many(conn, schema.contents, rows, replace=True)

    # -- projections ----------------------------------------------------------------------

    def write_effects(self, conn: Connection, effects: list[tuple[int, int, Effect]]) -> None:
        """Writes effects as projection rows, keyed by (log position, index)."""
        rows: dict[Table, list[tuple[Any, ...]]] = {}
        for seq, n, effect in effects:
            table, values = _row(effect)
            rows.setdefault(table, []).append((seq, n, effect.event_id, effect.at, *values))
        for table, batch in rows.items():
            self.insert_many(conn, table, batch)

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

    def reset_projections(self, conn: Connection) -> None:
        """Empties every projection and the keyed state (before a replay)."""
        for table in schema.PROJECTIONS:
            conn.execute(table.delete())

    def digest(self) -> str:
        """A SHA-256 over every projection's rows in key order (equal digests: equal tables)."""
        digest = hashlib.sha256()
        with self.engine.connect() as conn:
            for table in schema.PROJECTIONS:
                digest.update(table.name.encode())
                keys = list(table.primary_key.columns)
                for row in conn.execute(select(table).order_by(*keys)):
                    digest.update(repr(tuple(row)).encode())
        return digest.hexdigest()

    def execute_sql(self, sql: str, params: dict[str, Any] | None = None) -> list[Any]:
        """Runs a read-only query with bound parameters (for reports and tests)."""
        with self.engine.connect() as conn:
            return list(conn.execute(text(sql), params or {}).all())


def _row(effect: Effect) -> tuple[Table, tuple[Any, ...]]:
    """The projection table of one effect and its values after (event_seq, n, event_id, at)."""
    if isinstance(effect, LedgerEntry):
        return schema.ledger, (
            effect.account_id,
            effect.delta,
            effect.reason,
            effect.policy_version,
            effect.rule_id,
            _evidence(effect.evidence),
            effect.note,
        )
    if isinstance(effect, Denial):
        return schema.denials, (effect.account_id, effect.privilege, effect.reason)
    if isinstance(effect, StrikeIssued):
        return schema.strikes, (
            effect.account_id,
            effect.rule_id,
            effect.policy_version,
            effect.content_id,
            effect.expires_at,
        )
    if isinstance(effect, SanctionImposed):
        privileges = _evidence(effect.privileges) if effect.privileges is not None else None
        return schema.sanctions, (
            effect.sanction_id,
            effect.account_id,
            effect.action,
            effect.until,
            effect.rule_id,
            effect.policy_version,
            effect.trigger,
            effect.reasons,
            _evidence(effect.evidence),
            privileges,
        )
    if isinstance(effect, LabelChanged):
        return schema.labels, (
            effect.content_id,
            effect.rule_id,
            effect.status,
            effect.visible,
            effect.automated,
        )
    if isinstance(effect, Notice):
        return schema.notices, (effect.message,)
    if isinstance(effect, AdminRightsChanged):
        return schema.admin_rights, (
            effect.account_id,
            effect.group_id,
            effect.acting,
            effect.reasons,
        )
    if isinstance(effect, GroupFlagged):
        return schema.group_flags, (effect.group_id, effect.message)
    if isinstance(effect, AppealFiledEffect):
        return schema.appeal_log, (
            effect.appeal_id,
            effect.decision_id,
            effect.account_id,
            None,
            None,
            None,
        )
    if isinstance(effect, AppealDecidedEffect):
        return schema.appeal_log, (
            effect.appeal_id,
            effect.decision_id,
            effect.account_id,
            effect.outcome,
            effect.decided_by,
            effect.seconds_to_decide,
        )
    if isinstance(effect, Flagged):
        return schema.flags, (
            effect.content_id,
            effect.rule_id,
            effect.outcome,
            effect.mode,
            effect.source,
            _evidence(effect.evidence),
            effect.priority,
        )
    if isinstance(effect, IdentityChanged):
        return schema.identity_log, (
            effect.account_id,
            effect.kind,
            effect.fingerprint,
            effect.status,
            effect.reason,
            effect.decision,
            effect.until,
        )
    if isinstance(effect, SanctionLifted):
        return schema.sanction_lifts, (effect.sanction_id, effect.account_id, effect.reason)
    if isinstance(effect, CommentReviewed):
        return schema.comment_reviews, (
            effect.content_id,
            effect.owner_id,
            effect.status,
            effect.reason,
        )
    raise TypeError(f"no projection for effect {type(effect).__name__}")
