"""What every request shares: the store, the policies, the single writer and the limits."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from goodstanding.engine import iso
from goodstanding.service import backend
from goodstanding.service.tokens import Token

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Body size limits and the failed-authentication rate limit."""

    event_bytes: int = 1 * MiB
    batch_bytes: int = 64 * MiB
    failures: int = 10
    failure_window: float = 60.0


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
    """The service's shared state: one store, its policies, and one writer at a time."""

    store: backend.Store
    policies: backend.PolicySet
    limits: Limits
    limiter: FailureLimiter
    writer: threading.Lock = field(default_factory=threading.Lock)

    def ingest(self, lines: Iterable[bytes], strict: bool) -> backend.IngestReport:
        """Ingests lines as one writer (returns once they are committed). The fold starts
        from the stored state each time, since other writers may have changed it."""
        with self.writer:
            return backend.Ingestor(self.store, self.policies).ingest(lines, strict=strict)

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


def service(request: Request) -> Service:
    """The service a request is served by."""
    found: Service = request.app.state.service
    return found
