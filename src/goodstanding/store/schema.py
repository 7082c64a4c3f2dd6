"""Tables of the store: the event log, stored policies, keyed state and projections."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Double,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

BIG_ID = BigInteger().with_variant(Integer, "sqlite")
"""A 64-bit integer key (SQLite's INTEGER, which is 64-bit and, as a primary key, the rowid)."""

MARKER_TABLE = "goodstanding_meta"

meta = Table(
    MARKER_TABLE,
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

policies = Table(
    "policies",
    metadata,
    Column("version", String(100), primary_key=True),
    Column("effective_from", Double, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("source", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("refs", Text),  # JSON: referenced files' SHA-256, classifier identities
)


def _chain_table(name: str) -> Table:
    """An append-only, hash-chained log: each entry's hash covers its position, the previous
    entry's hash and its canonical JSON body."""
    return Table(
        name,
        metadata,
        Column("seq", BIG_ID, primary_key=True, autoincrement=False),
        Column("id", String(200), nullable=False, unique=True),
        Column("type", String(64), nullable=False),
        Column("at", Double, nullable=False),
        Column("actor", String(200), nullable=False),
        Column("body", LargeBinary, nullable=False),
        Column("prev_hash", String(64), nullable=False),
        Column("hash", String(64), nullable=False),
    )


events = _chain_table("events")
Index("ix_events_actor", events.c.actor)
Index("ix_events_at", events.c.at)
Index("ix_events_type", events.c.type)

# What people did through goodstanding itself (exports, holds, purges, acknowledgements):
# who, what, when and why. Never reset by a replay.
audit_log = _chain_table("audit_log")

accounts = Table(
    "accounts",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("role", String(32), nullable=False),
    Column("registered_at", Double, nullable=False),
    Column("score", Double, nullable=False),
    Column("band", String(100), nullable=False),
    Column("as_of", Double, nullable=False),
    Column("state", LargeBinary, nullable=False),
)
Index("ix_accounts_band", accounts.c.band)

contents = Table(
    "contents",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("author", String(200), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("at", Double, nullable=False),
    Column("visible", Boolean, nullable=False),
    Column("state", LargeBinary, nullable=False),
)
Index("ix_contents_author", contents.c.author)
Index("ix_contents_newest", contents.c.at.desc(), contents.c.id)

groups = Table(
    "groups",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("owner", String(200), nullable=False),
    Column("created_at", Double, nullable=False),
    Column("members", Integer, nullable=False),
    Column("without_admin", Boolean, nullable=False),
    Column("state", LargeBinary, nullable=False),
)


decisions = Table(
    "decisions",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("at", Double, nullable=False),
    Column("account_id", String(200), nullable=False, index=True),
    Column("content_id", String(200), nullable=False),
    Column("rule_id", String(100), nullable=False),
    Column("appeal_id", String(200)),
    Column("reversed", Boolean, nullable=False),
    Column("state", LargeBinary, nullable=False),
)

appeals = Table(
    "appeals",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("decision_id", String(200), nullable=False),
    Column("account_id", String(200), nullable=False, index=True),
    Column("filed_at", Double, nullable=False),
    Column("outcome", String(16)),
    Column("state", LargeBinary, nullable=False),
)


identities = Table(
    "identities",
    metadata,
    Column("fingerprint", String(100), primary_key=True),
    Column("kind_key", String(16), nullable=False),
    Column("holders", Integer, nullable=False),
    Column("blocked", Boolean, nullable=False),
    Column("state", LargeBinary, nullable=False),
)


def _effect_table(name: str, *columns: Column[object]) -> Table:
    """A projection of effects: keyed by the log entry that caused it and its position."""
    return Table(
        name,
        metadata,
        Column("event_seq", BIG_ID, primary_key=True, autoincrement=False),
        Column("n", Integer, primary_key=True, autoincrement=False),
        Column("event_id", String(200), nullable=False),
        Column("at", Double, nullable=False),
        *columns,
    )


ledger = _effect_table(
    "ledger",
    Column("account_id", String(200), nullable=False, index=True),
    Column("delta", Double, nullable=False),
    Column("reason", String(64), nullable=False),
    Column("policy_version", String(100), nullable=False),
    Column("rule_id", String(100)),
    Column("evidence", Text, nullable=False),
    Column("note", Text),
)

denials = _effect_table(
    "denials",
    Column("account_id", String(200), nullable=False, index=True),
    Column("privilege", String(32), nullable=False),
    Column("reason", Text, nullable=False),
)

strikes = _effect_table(
    "strikes",
    Column("account_id", String(200), nullable=False, index=True),
    Column("rule_id", String(100), nullable=False),
    Column("policy_version", String(100), nullable=False),
    Column("content_id", String(200), nullable=False),
    Column("expires_at", Double, nullable=False),
)

sanctions = _effect_table(
    "sanctions",
    Column("sanction_id", String(500), nullable=False, unique=True),
    Column("account_id", String(200), nullable=False, index=True),
    Column("action", String(32), nullable=False),
    Column("until", Double),
    Column("rule_id", String(100)),
    Column("policy_version", String(100), nullable=False),
    Column("trigger", Text, nullable=False),
    Column("reasons", Text, nullable=False),
    Column("evidence", Text, nullable=False),
    Column("privileges", Text),
)

labels = _effect_table(
    "labels",
    Column("content_id", String(200), nullable=False, index=True),
    Column("rule_id", String(100), nullable=False),
    Column("status", String(32), nullable=False),
    Column("visible", Boolean, nullable=False),
    Column("automated", Boolean, nullable=False),
)

notices = _effect_table(
    "notices",
    Column("message", Text, nullable=False),
)

admin_rights = _effect_table(
    "admin_rights",
    Column("account_id", String(200), nullable=False, index=True),
    Column("group_id", String(200), nullable=False, index=True),
    Column("acting", Boolean, nullable=False),
    Column("reasons", Text, nullable=False),
)

group_flags = _effect_table(
    "group_flags",
    Column("group_id", String(200), nullable=False, index=True),
    Column("message", Text, nullable=False),
)

appeal_log = _effect_table(
    "appeal_log",
    Column("appeal_id", String(200), nullable=False, index=True),
    Column("decision_id", String(200), nullable=False),
    Column("account_id", String(200), nullable=False, index=True),
    Column("outcome", String(16)),
    Column("decided_by", String(200)),
    Column("seconds_to_decide", Double),
)

sanction_lifts = _effect_table(
    "sanction_lifts",
    Column("sanction_id", String(500), nullable=False, index=True),
    Column("account_id", String(200), nullable=False, index=True),
    Column("reason", Text, nullable=False),
)

identity_log = _effect_table(
    "identity_log",
    Column("account_id", String(200), index=True),
    Column("kind", String(64)),
    Column("fingerprint", String(100)),
    Column("status", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("decision", String(500)),
    Column("until", Double),
)

flags = _effect_table(
    "flags",
    Column("content_id", String(200), nullable=False, index=True),
    Column("rule_id", String(100), nullable=False, index=True),
    Column("outcome", String(16), nullable=False),
    Column("mode", String(16), nullable=False),
    Column("source", String(16), nullable=False),
    Column("evidence", Text, nullable=False),
    Column("priority", Double, nullable=False),
)

outbox_acks = Table(
    "outbox_acks",
    metadata,
    Column("notice_id", String(300), primary_key=True),
    Column("acked_at", Double, nullable=False),
    Column("acked_by", String(200), nullable=False),
)
"""Notices the platform has delivered. Not a projection: replay keeps it, and the notice ids
it names (projection positions) are stable under replay."""

comment_reviews = _effect_table(
    "comment_reviews",
    Column("content_id", String(200), nullable=False, index=True),
    Column("owner_id", String(200), nullable=False, index=True),
    Column("status", String(16), nullable=False),
    Column("reason", Text, nullable=False),
)

PROJECTIONS: tuple[Table, ...] = (
    accounts,
    contents,
    ledger,
    denials,
    strikes,
    sanctions,
    labels,
    notices,
    groups,
    admin_rights,
    group_flags,
    decisions,
    appeals,
    appeal_log,
    sanction_lifts,
    identities,
    identity_log,
    flags,
    comment_reviews,
)
