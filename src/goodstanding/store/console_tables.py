"""Tables of the console, on the store's shared `metadata`. None is a projection: replay
keeps them.

- `console_sessions`: a signed-in browser: the SHA-256 of its opaque session id (the cookie
  holds the id itself), the token it speaks for, its CSRF secret and its expiry.
- `review_claims`: a moderator holding one review item (content, rule) until `expires_at`;
  the primary key makes two moderators holding the same item impossible.
- `account_notes`: a moderator's free-text note on an account.
- `console_preferences`: a person's console settings (whether flagged text is blurred).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Double, String, Table, Text

from goodstanding.store.schema import BIG_ID, metadata

console_sessions = Table(
    "console_sessions",
    metadata,
    Column("id_sha256", String(64), primary_key=True),
    Column("token_id", String(32), nullable=False, index=True),
    Column("csrf", String(64), nullable=False),
    Column("created_at", Double, nullable=False),
    Column("expires_at", Double, nullable=False),
)

review_claims = Table(
    "review_claims",
    metadata,
    Column("content_id", String(200), primary_key=True),
    Column("rule_id", String(100), primary_key=True),
    Column("moderator", String(200), nullable=False, index=True),
    Column("claimed_at", Double, nullable=False),
    Column("expires_at", Double, nullable=False),
)

account_notes = Table(
    "account_notes",
    metadata,
    Column("id", BIG_ID, primary_key=True, autoincrement=True),
    Column("account_id", String(200), nullable=False, index=True),
    Column("author", String(200), nullable=False),
    Column("at", Double, nullable=False),
    Column("text", Text, nullable=False),
)

console_preferences = Table(
    "console_preferences",
    metadata,
    Column("subject", String(200), primary_key=True),
    Column("blur_flagged", Boolean, nullable=False),
)
