"""Bearer tokens: created once and shown once, stored only as the SHA-256 of the secret,
each with a role, an optional account, an optional expiry, and revocation."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass, replace
from typing import Final

from sqlalchemy import Engine, select, update

from goodstanding.store.service_tables import api_tokens

ROLES: Final = ("platform", "moderator", "auditor", "member")
PREFIX: Final = "gs_"


class TokenError(ValueError):
    """A token that cannot be created, found or used, and why."""


@dataclass(frozen=True)
class Token:
    """A stored token's public facts (never its secret)."""

    id: str
    role: str
    account_id: str | None
    label: str
    created_at: float
    expires_at: float | None
    revoked_at: float | None

    @property
    def subject(self) -> str:
        """Who acts with this token, as the audit log names them."""
        who = f"{self.role}:{self.account_id}" if self.account_id else self.role
        return f"token:{self.id} ({who})"

    def state(self, now: float) -> str:
        """active, expired or revoked at time `now`."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and now >= self.expires_at:
            return "expired"
        return "active"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(
    engine: Engine,
    role: str,
    account_id: str | None,
    expires_at: float | None,
    label: str,
    now: float,
) -> tuple[Token, str]:
    """Stores a new token and returns it with its secret (the only time the secret exists
    outside the caller's hands); a member token needs an account."""
    if role not in ROLES:
        raise TokenError(f"unknown role {role!r}: one of {', '.join(ROLES)}")
    if role == "member" and not account_id:
        raise TokenError("a member token needs --account (a member sees only their own)")
    if expires_at is not None and expires_at <= now:
        raise TokenError("the expiry is not in the future")
    token_id = secrets.token_hex(8)
    secret = f"{PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
    row = Token(token_id, role, account_id, label, now, expires_at, None)
    with engine.begin() as conn:
        conn.execute(
            api_tokens.insert(),
            [
                {
                    "id": token_id,
                    "secret_sha256": _digest(secret),
                    "role": role,
                    "account_id": account_id,
                    "label": label,
                    "created_at": now,
                    "expires_at": expires_at,
                    "revoked_at": None,
                }
            ],
        )
    return row, secret


_PUBLIC = [c for c in api_tokens.columns if c.name != "secret_sha256"]


def list_tokens(engine: Engine) -> list[Token]:
    """Every token, oldest first, without secrets."""
    with engine.connect() as conn:
        rows = conn.execute(select(*_PUBLIC).order_by(api_tokens.c.created_at)).all()
    return [Token(*row) for row in rows]


def token_by_id(engine: Engine, token_id: str) -> Token | None:
    """The stored token with this id (active or not), or None."""
    with engine.connect() as conn:
        found = conn.execute(select(*_PUBLIC).where(api_tokens.c.id == token_id)).first()
    return Token(*found) if found is not None else None


def revoke_token(engine: Engine, token_id: str, now: float) -> Token:
    """Revokes a token (kept, so the audit log's subjects stay named); refuses an unknown id."""
    with engine.begin() as conn:
        found = conn.execute(select(*_PUBLIC).where(api_tokens.c.id == token_id)).first()
        if found is None:
            raise TokenError(f"no token {token_id!r}")
        token = Token(*found)
        if token.revoked_at is None:
            conn.execute(
                update(api_tokens).where(api_tokens.c.id == token_id).values(revoked_at=now)
            )
            token = replace(token, revoked_at=now)
    return token


def authenticate(engine: Engine, presented: str, now: float) -> Token:
    """The active token a presented secret belongs to; TokenError says why not (unknown,
    expired or revoked), the same for a wrong secret as for an unknown id."""
    token_id = presented.removeprefix(PREFIX).split("_", 1)[0]
    with engine.connect() as conn:
        found = conn.execute(
            select(api_tokens.c.secret_sha256, *_PUBLIC).where(api_tokens.c.id == token_id)
        ).first()
    if found is None or not hmac.compare_digest(found[0], _digest(presented)):
        raise TokenError("the token is not known")
    token = Token(*found[1:])
    state = token.state(now)
    if state != "active":
        raise TokenError(f"the token is {state}")
    return token


class TokenCache:
    """Tokens verified recently, by the digest of the secret presented: each is trusted for
    `ttl` seconds after it was last read from the store, and `revalidate` (run in the
    background more often than `ttl`) reads every held token again, so a revocation takes
    effect within `ttl` (an expiry at once) while a token in use is never read on a
    request's path. Holds at most `size` tokens; a failed verification is never kept."""

    def __init__(self, engine: Engine, ttl: float, size: int):
        self.engine, self.ttl, self.size = engine, ttl, size
        self._verified: dict[str, tuple[Token, float]] = {}
        self._lock = threading.Lock()

    def cached(self, presented: str, now: float) -> Token | None:
        """The token verified for this secret less than `ttl` ago (None when there is none);
        TokenError when it has expired since."""
        found = self._verified.get(_digest(presented))
        if found is None or now - found[1] >= self.ttl or now < found[1]:
            return None
        token = found[0]
        if token.state(now) != "active":
            raise TokenError(f"the token is {token.state(now)}")
        return token

    def verify(self, presented: str, now: float) -> Token:
        """The active token a presented secret belongs to, read from the store and kept."""
        token = authenticate(self.engine, presented, now)
        with self._lock:
            key = _digest(presented)
            if key not in self._verified and len(self._verified) >= self.size:
                del self._verified[next(iter(self._verified))]
            self._verified[key] = (token, now)
        return token

    def revalidate(self, now: float) -> int:
        """Reads every held token from the store again as of `now`: keeps, with a fresh time,
        those still active and drops the others; returns how many are held."""
        with self._lock:
            held = dict(self._verified)
        ids = sorted({token.id for token, _ in held.values()})
        with self.engine.connect() as conn:
            rows = conn.execute(select(*_PUBLIC).where(api_tokens.c.id.in_(ids))).all()
        stored = {token.id: token for token in (Token(*row) for row in rows)}
        with self._lock:
            for key, (token, _) in held.items():
                current = stored.get(token.id)
                if current is not None and current.state(now) == "active":
                    self._verified[key] = (current, now)
                else:
                    self._verified.pop(key, None)
            return len(self._verified)
