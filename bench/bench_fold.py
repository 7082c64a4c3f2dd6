"""The fold on one core over the sim stream with the default policy (23 rules with detectors):
non-text events alone, and end to end with detection batched as ingest does it."""

from __future__ import annotations

import contextlib
import time

from bench.common import note, report, sim_stream, timed
from goodstanding.detect.build import build_detectors
from goodstanding.engine import Engine, Rejected
from goodstanding.event_lines import read_lines
from goodstanding.events import ContentPosted, Event
from goodstanding.pipeline.ingest import BATCH
from goodstanding.policy import PolicySet

ACCOUNTS, DAYS = 20_000, 90


def main() -> None:
    """Prints fold throughput: non-text events, all events (detection included), decode too."""
    path = sim_stream(ACCOUNTS, DAYS)
    raw = path.read_bytes().splitlines()
    note(f"decoding {len(raw):,} events")
    decoded, decode_s = timed(lambda: [p.event for p in read_lines(raw) if p.event is not None])
    seen: set[str] = set()
    unique: list[Event] = []
    for event in decoded:
        if event.id not in seen:
            seen.add(event.id)
            unique.append(event)
    policies = PolicySet.default()
    detectors = build_detectors(policies)  # compiled once, not timed
    Engine(policies, detectors).prepare(  # load the models
        e for e in unique[:200] if isinstance(e, ContentPosted)
    )
    engine = Engine(policies, detectors)
    note("folding")
    detect_s = non_text_s = text_s = 0.0
    texts = 0
    started = time.perf_counter()
    for offset in range(0, len(unique), BATCH):
        chunk = unique[offset : offset + BATCH]
        _, spent = timed(lambda chunk=chunk: engine.prepare(chunk))
        detect_s += spent
        for event in chunk:
            begin = time.perf_counter()
            with contextlib.suppress(Rejected):
                engine.apply(event)
            spent = time.perf_counter() - begin
            if isinstance(event, ContentPosted):
                text_s += spent
                texts += 1
            else:
                non_text_s += spent
    total_s = time.perf_counter() - started
    conditions = (
        f"{len(unique):,} sim events ({texts:,} texts), {ACCOUNTS:,} accounts x "
        f"{DAYS} days, default policy, one core"
    )
    report("fold, non-text events", (len(unique) - texts) / non_text_s, "events/s", conditions)
    report(
        "fold end to end, detection included",
        len(unique) / total_s,
        "events/s",
        conditions + f"; detection batched per {BATCH:,} events ({detect_s:.1f} s of it)",
    )
    report(
        "decode + fold end to end",
        len(unique) / (total_s + decode_s),
        "events/s",
        conditions + "; JSON decode and validation included",
    )
