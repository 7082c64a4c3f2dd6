"""Webhooks to the platform: endpoints with their signing secrets, the delivery log, and
delivery signed per the Standard Webhooks specification, at least once, with exponential
backoff and a dead-letter state after the last try."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import httpx
from sqlalchemy import Engine, and_, exists, literal, select, update

from goodstanding.store.service_tables import (
    webhook_deliveries,
    webhook_endpoints,
    webhook_messages,
)

SECRET_PREFIX: Final = "whsec_"
MAX_ATTEMPTS: Final = 8
BASE_DELAY: Final = 2.0
MAX_DELAY: Final = 3600.0
log = logging.getLogger("goodstanding.webhooks")
Send = Callable[[str, dict[str, str], bytes], int]


class WebhookError(ValueError):
    """An endpoint or delivery that cannot be added or found, and why."""


@dataclass(frozen=True)
class Delivery:
    """One message to one endpoint and where it stands."""

    message_id: str
    endpoint_id: str
    status: str
    attempts: int
    next_at: float
    last_error: str | None
    delivered_at: float | None


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header: v1 and the base64 HMAC-SHA256 of id.timestamp.body
    under the secret's key."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def add_endpoint(engine: Engine, url: str, now: float) -> tuple[str, str]:
    """Registers an endpoint for messages queued from now on; returns its id and its secret
    (shown once to the operator, kept to sign with)."""
    if not url.startswith(("http://", "https://")):
        raise WebhookError(f"{url!r} is not an http(s) URL")
    endpoint_id = f"ep_{secrets.token_hex(6)}"
    secret = SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()
    with engine.begin() as conn:
        conn.execute(
            webhook_endpoints.insert(),
            [{"id": endpoint_id, "url": url, "secret": secret, "created_at": now}],
        )
    return endpoint_id, secret


def schedule(engine: Engine, now: float) -> int:
    """Adds a pending delivery for each message queued after an endpoint was added that it
    does not have yet; returns how many."""
    m, e, d = webhook_messages, webhook_endpoints, webhook_deliveries
    missing = (
        select(m.c.id, e.c.id, literal("pending"), literal(0), literal(now))
        .select_from(m.join(e, and_(m.c.created_at >= e.c.created_at, e.c.disabled_at.is_(None))))
        .where(~exists().where(and_(d.c.message_id == m.c.id, d.c.endpoint_id == e.c.id)))
    )
    columns = ["message_id", "endpoint_id", "status", "attempts", "next_at"]
    with engine.begin() as conn:
        return int(conn.execute(d.insert().from_select(columns, missing)).rowcount or 0)


def _post(client: httpx.Client) -> Send:
    def send(url: str, headers: dict[str, str], body: bytes) -> int:
        return client.post(url, content=body, headers=headers).status_code

    return send


def deliver_due(
    engine: Engine,
    now: float,
    send: Send | None = None,
    max_attempts: int = MAX_ATTEMPTS,
    limit: int = 500,
) -> dict[str, int]:
    """Schedules new messages, then tries each due delivery once: delivered on a 2xx, else
    retried later (exponential backoff) or dead after `max_attempts` tries."""
    schedule(engine, now)
    d, m, e = webhook_deliveries, webhook_messages, webhook_endpoints
    with engine.connect() as conn:
        due = conn.execute(
            select(d.c.message_id, d.c.endpoint_id, d.c.attempts, m.c.payload, e.c.url, e.c.secret)
            .join(m, m.c.id == d.c.message_id)
            .join(e, e.c.id == d.c.endpoint_id)
            .where(d.c.status == "pending", d.c.next_at <= now)
            .order_by(m.c.event_seq, d.c.message_id)
            .limit(limit)
        ).all()
    counts = {"delivered": 0, "retry": 0, "dead": 0}
    with httpx.Client(timeout=10.0) as client:
        post = send or _post(client)
        for message_id, endpoint_id, attempts, payload, url, secret in due:
            body = payload.encode()
            stamp = int(now)
            headers = {
                "content-type": "application/json",
                "webhook-id": message_id,
                "webhook-timestamp": str(stamp),
                "webhook-signature": signature(secret, message_id, stamp, body),
            }
            try:
                status = post(url, headers, body)
                error = None if 200 <= status < 300 else f"HTTP {status}"
            except httpx.HTTPError as failure:
                error = f"{type(failure).__name__}: {failure}"
            tries = attempts + 1
            if error is None:
                values = {"status": "delivered", "attempts": tries, "delivered_at": now}
                counts["delivered"] += 1
            elif tries >= max_attempts:
                values = {"status": "dead", "attempts": tries, "last_error": error}
                counts["dead"] += 1
            else:
                delay = min(MAX_DELAY, BASE_DELAY * 2 ** (tries - 1))
                values = {"attempts": tries, "next_at": now + delay, "last_error": error}
                counts["retry"] += 1
            with engine.begin() as conn:
                conn.execute(
                    update(d)
                    .where(d.c.message_id == message_id, d.c.endpoint_id == endpoint_id)
                    .values(**values)
                )
    return counts


def deliveries(engine: Engine, limit: int = 100) -> list[Delivery]:
    """The delivery log, latest messages first."""
    d, m = webhook_deliveries, webhook_messages
    with engine.connect() as conn:
        rows = conn.execute(
            select(*d.columns)
            .join(m, m.c.id == d.c.message_id)
            .order_by(m.c.event_seq.desc(), d.c.message_id)
            .limit(limit)
        ).all()
    return [Delivery(*row) for row in rows]


def retry(engine: Engine, message_id: str, now: float) -> int:
    """Makes a message's failed or dead deliveries due again, from a fresh count of tries;
    refuses a message with no such delivery."""
    d = webhook_deliveries
    with engine.begin() as conn:
        changed = conn.execute(
            update(d)
            .where(d.c.message_id == message_id, d.c.status != "delivered")
            .values(status="pending", attempts=0, next_at=now)
        ).rowcount
    if not changed:
        raise WebhookError(f"no undelivered delivery of message {message_id!r}")
    return int(changed)


def run_worker(
    engine: Engine, stop: threading.Event, clock: Callable[[], float], interval: float = 1.0
) -> None:
    """Delivers due messages until `stop` is set, waiting `interval` seconds between rounds."""
    while not stop.is_set():
        try:
            deliver_due(engine, clock())
        except Exception:  # the worker outlives a failed round; the next one retries
            log.exception("webhook delivery round failed")
        stop.wait(interval)
