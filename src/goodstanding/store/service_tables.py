"""Tables of the HTTP service, on the store's shared `metadata`: API tokens, webhook
endpoints, the webhook outbox and its delivery log. None is a projection: replay keeps them.

- `api_tokens`: one bearer token, stored only as the SHA-256 of its secret, with its role,
  the account it speaks for (members, and moderators who act), an optional expiry and its
  revocation.
- `webhook_endpoints`: a platform URL and the secret its deliveries are signed with.
- `webhook_messages`: the outbox, one message per effect a platform acts on, keyed by the
  effect's log position (`table:event_seq:n`), so a replay or a retried batch adds nothing.
- `webhook_deliveries`: one message to one endpoint: attempts, next try, outcome.
"""

from __future__ import annotations

from sqlalchemy import Column, Double, Index, Integer, String, Table, Text

from goodstanding.store.schema import BIG_ID, metadata

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("secret_sha256", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("account_id", String(200), nullable=True),
    Column("label", Text, nullable=False),
    Column("created_at", Double, nullable=False),
    Column("expires_at", Double, nullable=True),
    Column("revoked_at", Double, nullable=True),
)

webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("url", Text, nullable=False),
    Column("secret", Text, nullable=False),
    Column("created_at", Double, nullable=False),
    Column("disabled_at", Double, nullable=True),
)

webhook_messages = Table(
    "webhook_messages",
    metadata,
    Column("id", String(300), primary_key=True),
    Column("event_seq", BIG_ID, nullable=False, index=True),
    Column("type", String(64), nullable=False),
    Column("at", Double, nullable=False),
    Column("payload", Text, nullable=False),
    Column("created_at", Double, nullable=False),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("message_id", String(300), primary_key=True),
    Column("endpoint_id", String(32), primary_key=True),
    Column("status", String(16), nullable=False),  # pending | delivered | dead
    Column("attempts", Integer, nullable=False),
    Column("next_at", Double, nullable=False),
    Column("last_error", Text, nullable=True),
    Column("delivered_at", Double, nullable=True),
    Index("ix_webhook_deliveries_due", "status", "next_at"),
)
