"""What every request shares: the store, the policies, the single writer and the limits."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from goodstanding.service import backend
from goodstanding.service.problems import Problem
from goodstanding.service.tokens import Token

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Body size limits, the failed-authentication rate limit, and how long a write waits
    for the store's write lock before answering 503."""

    event_bytes: int = 1 * MiB
    batch_bytes: int = 64 * MiB
    failures: int = 10
    failure_window: float = 60.0
    writer_wait: float = 2.0


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


@dataclass
class Service:
    """The service's shared state: one store, its policies, and one writer at a time."""

    store: backend.Store
    policies: backend.PolicySet
    limits: Limits
    limiter: FailureLimiter
    writer: threading.Lock = field(default_factory=threading.Lock)

    def ingest(self, lines: list[bytes], strict: bool) -> backend.IngestReport:
        """Ingests lines as one batch under the store's write lock (returns once they are
        committed). The fold starts from the stored state each time, since other writers may
        have changed it. Every refused line is kept (a batch's size is bounded), for the
        per-line results. A 503 problem, with nothing written, when the lock is not free
        within `limits.writer_wait` seconds."""
        wait = self.limits.writer_wait
        started = time.monotonic()
        if not self.writer.acquire(timeout=wait):
            raise self._busy(backend.WriterBusy(wait))
        try:
            left = max(0.0, wait - (time.monotonic() - started))
            ingestor = backend.Ingestor(self.store, self.policies, wait=left)
            return ingestor.ingest(lines, strict=strict, batch=max(1, len(lines)), keep=None)
        except backend.WriterBusy as busy:
            raise self._busy(busy) from None
        finally:
            self.writer.release()

    def _busy(self, busy: backend.WriterBusy) -> Problem:
        retry = max(1, math.ceil(self.limits.writer_wait))
        return Problem(
            503,
            f"{busy}; retry after {retry} s",
            "writer-busy",
            headers={"Retry-After": str(retry)},
        )

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
