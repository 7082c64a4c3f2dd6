"""The fold alone, one core: events per second over the sim stream with the default policy."""

from __future__ import annotations

import contextlib
import time

from bench.common import note, report, sim_stream, timed
from goodstanding.engine import Engine, Rejected
from goodstanding.events import ContentPosted, read_lines
from goodstanding.policy import PolicySet

ACCOUNTS, DAYS = 20_000, 90


def main() -> None:
    """Prints fold throughput for non-text events, all events, and decode + fold."""
    path = sim_stream(ACCOUNTS, DAYS)
    raw = path.read_bytes().splitlines()
    note(f"decoding {len(raw):,} events")
    (events, decode_s) = timed(lambda: [p.event for p in read_lines(raw) if p.event is not None])
    seen: set[str] = set()
    unique = [e for e in events if not (e.id in seen or seen.add(e.id))]  # type: ignore[func-returns-value]

    def fold() -> tuple[float, int]:
        engine = Engine(PolicySet.default())
        other_s = 0.0
        texts = 0
        for event in unique:
            started = time.perf_counter()
            with contextlib.suppress(Rejected):
                engine.apply(event)
            spent = time.perf_counter() - started
            if isinstance(event, ContentPosted):
                texts += 1
            else:
                other_s += spent
        return other_s, texts

    (other_s, texts), total_s = timed(fold)
    conditions = f"{len(unique):,} sim events, {ACCOUNTS:,} accounts x {DAYS} days, default policy"
    report("fold, non-text events", (len(unique) - texts) / other_s, "events/s", conditions)
    report(
        "fold, all events",
        len(unique) / total_s,
        "events/s",
        conditions + "; includes per-event timer overhead",
    )
    report(
        "decode + fold",
        len(unique) / (total_s + decode_s),
        "events/s",
        conditions + "; JSON decode and validation included",
    )
