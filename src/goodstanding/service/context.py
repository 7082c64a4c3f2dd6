"""What every request shares: the store, the policies, the ingestor behind the single writer,
the read model checks answer from, verified tokens, and the limits."""

from __future__ import annotations

import json
import logging
import math
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import Request

from goodstanding.engine import iso
from goodstanding.service import backend
from goodstanding.service.problems import Problem
from goodstanding.service.readmodel import CheckModel
from goodstanding.service.refresher import Refresher
from goodstanding.service.tokens import Token, TokenCache

MiB = 1024 * 1024
log = logging.getLogger("goodstanding.service")


@dataclass(frozen=True)
class Limits:
    """Body size limits, the failed-authentication rate limit, how long a write waits for
    the store's write lock before answering 503, and how stale and how large the in-memory
    reads may be: checks and verified tokens are refreshed from the store every
    `refresh_interval` seconds, and a verified token is trusted for twice that (so a
    revocation takes effect within `2 * refresh_interval`)."""

    event_bytes: int = 1 * MiB
    batch_bytes: int = 64 * MiB
    failures: int = 10
    failure_window: float = 60.0
    writer_wait: float = 2.0
    refresh_interval: float = 0.25
    cached_accounts: int = 100_000
    cached_tokens: int = 10_000
    audit_page: int = 1_000


class FailureLimiter:
    """Counts failed authentications per client address in a sliding window."""

    def __init__(self, limit: int, window: float):
        self.limit = limit
        self.window = window
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        times = self._seen.setdefault(client, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def retry_after(self, client: str, now: float) -> int | None:
        """Seconds until this client may try again, or None if it may now."""
        with self._lock:
            times = self._recent(client, now)
            if len(times) < self.limit:
                return None
            return max(1, int(times[0] + self.window - now) + 1)

    def failed(self, client: str, now: float) -> None:
        """Records a failed authentication."""
        with self._lock:
            self._recent(client, now).append(now)


class Refused(ValueError):
    """The engine refused an event a person made; the message says why (nothing was written)."""


@dataclass
class Service:
    """The service's shared state: one store, its policies, one long-lived ingestor written
    through by one request at a time, the checks' read model and the verified tokens."""

    store: backend.Store
    policies: backend.PolicySet
    limits: Limits
    limiter: FailureLimiter
    ingestor: backend.Ingestor
    checks: CheckModel
    tokens: TokenCache
    refresher: Refresher
    checkpoints: Path
    writer: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def open(cls, store: backend.Store, limits: Limits, checkpoints: Path) -> Service:
        """The service over an open store: its policies, an ingestor, an empty read model."""
        policies = backend.load_policies(store)
        checks = CheckModel(store, policies, limits.cached_accounts)
        tokens = TokenCache(store.engine, 2 * limits.refresh_interval, limits.cached_tokens)
        refresher = Refresher(
            limits.refresh_interval, [checks.refresh, lambda: tokens.revalidate(cls.now())]
        )
        return cls(
            store,
            policies,
            limits,
            FailureLimiter(limits.failures, limits.failure_window),
            backend.Ingestor(store, policies),
            checks,
            tokens,
            refresher,
            checkpoints,
        )

    def ingest(self, lines: list[bytes], strict: bool) -> backend.IngestReport:
        """Ingests lines as one batch under the store's write lock and refreshes the read
        model, so that a check after the answer sees them; returns once they are committed.
        A 503 problem, with nothing written, when the lock is not free within
        `limits.writer_wait` seconds."""
        wait = self.limits.writer_wait
        started = time.monotonic()
        if not self.writer.acquire(timeout=wait):
            raise self._busy(backend.WriterBusy(wait))
        try:
            left = max(0.0, wait - (time.monotonic() - started))
            report = backend.ingest(self.ingestor, lines, strict, left)
        except backend.WriterBusy as busy:
            raise self._busy(busy) from None
        finally:
            self.writer.release()
        try:
            self.checks.refresh()
        except Exception:  # committed all the same; the background refresh catches up
            log.exception("refreshing the check read model after a write failed")
        return report

    def _busy(self, busy: backend.WriterBusy) -> Problem:
        retry = max(1, math.ceil(self.limits.writer_wait))
        return Problem(
            503,
            f"{busy}; retry after {retry} s",
            "writer-busy",
            headers={"Retry-After": str(retry)},
        )

    def write(self, token: Token, actor: str, kind: str, fields: dict[str, Any]) -> dict[str, Any]:
        """Ingests one event of this kind made now by `actor` (the token's own account) and
        audits it under the token's subject; returns the event, or raises Refused."""
        event = {
            "type": kind,
            "id": f"api-{uuid.uuid4().hex}",
            "at": iso(self.now()),
            "actor": actor,
            **{k: v for k, v in fields.items() if v is not None},
        }
        report = self.ingest([json.dumps(event).encode()], True)
        if report.errors:
            raise Refused(report.errors[0].message)
        self.audit(token, kind, fields.get("content_id") or fields.get("appeal_id") or "", event)
        return event

    def audit(self, token: Token, action: str, target: str, details: dict[str, Any]) -> None:
        """Records a write in the audit log under the token's subject."""
        backend.audit(
            self.store, token.subject, action, target, "through the API", self.now(), details
        )

    @staticmethod
    def now() -> float:
        """The clock (requests are judged at the time they arrive)."""
        return time.time()


async def service(request: Request) -> Service:
    """The service a request is served by."""
    found: Service = request.app.state.service
    return found
