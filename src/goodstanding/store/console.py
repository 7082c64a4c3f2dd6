"""The console's own rows: sign-in sessions, review claims, account notes and preferences.
Sessions are found by the SHA-256 of their id, so the database never holds a usable one."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, or_, select

from goodstanding.store.console_tables import (
    account_notes,
    console_preferences,
    console_sessions,
    review_claims,
)
from goodstanding.store.database import Database


@dataclass(frozen=True)
class Session:
    """A signed-in browser: the token it speaks for and the secret its forms carry."""

    token_id: str
    csrf: str
    expires_at: float


@dataclass(frozen=True)
class Claim:
    """A moderator holding a review item until `expires_at`."""

    content_id: str
    rule_id: str
    moderator: str
    expires_at: float


@dataclass(frozen=True)
class Note:
    """A moderator's note on an account."""

    account_id: str
    author: str
    at: float
    text: str


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class ConsoleRows(Database):
    """The console's sessions, claims, notes and preferences."""

    # -- sessions -------------------------------------------------------------------------

    def open_session(self, token_id: str, now: float, lifetime: float) -> tuple[str, Session]:
        """A new session for a token: its id (only the caller keeps it) and its facts."""
        session_id = secrets.token_urlsafe(32)
        found = Session(token_id, secrets.token_urlsafe(32), now + lifetime)
        with self.engine.begin() as conn:
            conn.execute(delete(console_sessions).where(console_sessions.c.expires_at <= now))
            conn.execute(
                console_sessions.insert(),
                [
                    {
                        "id_sha256": _digest(session_id),
                        "token_id": token_id,
                        "csrf": found.csrf,
                        "created_at": now,
                        "expires_at": found.expires_at,
                    }
                ],
            )
        return session_id, found

    def session(self, session_id: str, now: float) -> Session | None:
        """The unexpired session with this id, or None."""
        c = console_sessions.c
        with self.engine.connect() as conn:
            row = conn.execute(
                select(c.token_id, c.csrf, c.expires_at).where(
                    c.id_sha256 == _digest(session_id), c.expires_at > now
                )
            ).first()
        return Session(*row) if row is not None else None

    def close_session(self, session_id: str) -> None:
        """Ends a session (signing out)."""
        with self.engine.begin() as conn:
            conn.execute(
                delete(console_sessions).where(console_sessions.c.id_sha256 == _digest(session_id))
            )

    # -- review claims --------------------------------------------------------------------

    def claim(
        self, content_id: str, rule_id: str, moderator: str, now: float, lifetime: float
    ) -> Claim:
        """Claims a review item for a moderator unless another holds an unexpired claim on it;
        returns the claim that holds afterwards (the caller's, or the other's). One statement
        decides, so two moderators racing for an item never both get it."""
        c = review_claims.c
        row = {
            "content_id": content_id,
            "rule_id": rule_id,
            "moderator": moderator,
            "claimed_at": now,
            "expires_at": now + lifetime,
        }
        insert = self._insert(review_claims)
        upsert = insert.on_conflict_do_update(
            index_elements=[c.content_id, c.rule_id],
            set_={k: insert.excluded[k] for k in ("moderator", "claimed_at", "expires_at")},
            where=or_(c.expires_at <= now, c.moderator == moderator),
        )
        with self.engine.begin() as conn:
            conn.execute(upsert, [row])
            held = conn.execute(
                select(c.content_id, c.rule_id, c.moderator, c.expires_at).where(
                    c.content_id == content_id, c.rule_id == rule_id
                )
            ).one()
        return Claim(*held)

    def release(self, content_id: str, rule_id: str, moderator: str) -> None:
        """Gives up a moderator's claim on an item (no-op if they do not hold it)."""
        c = review_claims.c
        with self.engine.begin() as conn:
            conn.execute(
                delete(review_claims).where(
                    c.content_id == content_id, c.rule_id == rule_id, c.moderator == moderator
                )
            )

    def claims(self, now: float) -> dict[tuple[str, str], Claim]:
        """Every unexpired claim, by (content, rule)."""
        c = review_claims.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(c.content_id, c.rule_id, c.moderator, c.expires_at).where(c.expires_at > now)
            ).all()
        return {(r[0], r[1]): Claim(*r) for r in rows}

    # -- notes and preferences ------------------------------------------------------------

    def add_note(self, account_id: str, author: str, at: float, text: str) -> None:
        """Adds a moderator's note to an account."""
        with self.engine.begin() as conn:
            conn.execute(
                account_notes.insert(),
                [{"account_id": account_id, "author": author, "at": at, "text": text}],
            )

    def notes(self, account_id: str) -> list[Note]:
        """An account's notes, newest first."""
        c = account_notes.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(c.account_id, c.author, c.at, c.text)
                .where(c.account_id == account_id)
                .order_by(c.at.desc(), c.id.desc())
            ).all()
        return [Note(*r) for r in rows]

    def blur_flagged(self, subject: str) -> bool:
        """Whether this person wants flagged text blurred until revealed (the default)."""
        c = console_preferences.c
        with self.engine.connect() as conn:
            found = conn.execute(select(c.blur_flagged).where(c.subject == subject)).scalar()
        return True if found is None else bool(found)

    def set_blur_flagged(self, subject: str, blur: bool) -> None:
        """Sets whether flagged text is blurred for this person."""
        with self.engine.begin() as conn:
            self._upsert(conn, console_preferences, [{"subject": subject, "blur_flagged": blur}])


__all__ = ["Claim", "ConsoleRows", "Note", "Session"]
