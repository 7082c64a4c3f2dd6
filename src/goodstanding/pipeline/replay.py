"""Replay: rebuilding every projection from the log under a set of policies.

The chain is verified once, before folding; the fold then keeps every key's state in memory,
writes projection rows in batches of `BATCH` entries, reads group messages' texts from the
records a batch at a time, and takes detection outcomes from the cache where the detector's
fingerprint matches (pipeline/detections.py)."""

from __future__ import annotations

from collections.abc import Callable

import msgspec
from sqlalchemy import Connection

from goodstanding.chunks import chunked
from goodstanding.detect.build import build_detectors
from goodstanding.engine import Effect, Engine, Rejected
from goodstanding.event_lines import decode_event
from goodstanding.events import ContentPosted, Event, EventError
from goodstanding.pipeline.collector import quiet_collector
from goodstanding.pipeline.detections import CachedDetections
from goodstanding.pipeline.ingest import BATCH, Progress
from goodstanding.policy import PolicyError, PolicySet, Problem
from goodstanding.policy.references import classifier_changes, file_changes
from goodstanding.records import RecordsError, RecordStore
from goodstanding.store import ChainError, LogEntry, OnWait, Store, verify

Effects = list[tuple[int, int, Effect]]
Sink = Callable[[list[Event], Effects], None]
"""Takes each folded batch: its applied events and their effects keyed by (log position,
index)."""
OnRefused = Callable[[LogEntry, Rejected], None]
"""Takes a logged entry the engine refuses, and why (the fold goes on without it)."""

ACCEPT_HINT = (
    "replaying with changed detectors would not repeat the recorded run; restore what the "
    "versions were recorded with, or pass --accept-changed-detectors to replay with what is "
    "installed now"
)


def detector_changes(policies: PolicySet) -> list[Problem]:
    """What differs between the detector inputs recorded with each policy version (term and
    known-content files by SHA-256, classifiers by identity) and those installed now."""
    problems: list[Problem] = []
    for policy in policies.versions:
        recorded = policies.references.get(policy.version)
        if recorded is not None:
            base_dir = policies.base_dirs.get(policy.version)
            problems += file_changes(policy, base_dir, recorded)
            problems += classifier_changes(policy, recorded)
    return problems


def replay_engine(policies: PolicySet, accept_changed_detectors: bool = False) -> Engine:
    """An engine for refolding the log under `policies`. Raises PolicyError naming every
    recorded detector input that changed, unless `accept_changed_detectors`."""
    problems = detector_changes(policies)
    if problems and not accept_changed_detectors:
        raise PolicyError([*problems, Problem("<replay>", 1, "detectors", ACCEPT_HINT)])
    return Engine(policies, build_detectors(policies, check=False))


def replay(
    store: Store,
    policies: PolicySet,
    progress: Progress | None = None,
    *,
    accept_changed_detectors: bool = False,
    wait: float | None = None,
    on_wait: OnWait | None = None,
) -> int:
    """Rebuilds every projection from the log under the given policies, atomically, holding
    the write lock (`wait` and `on_wait` as for Store.write_lock) so no ingest runs meanwhile;
    returns how many entries were replayed.

    Refuses (ChainError) if the chain is broken or an entry cannot be applied, and
    (PolicyError) if a recorded detector input changed, unless `accept_changed_detectors`."""
    engine = replay_engine(policies, accept_changed_detectors)
    records = records_of(store)
    detections = CachedDetections(store, policies)
    with store.engine.begin() as conn:
        store.write_lock(conn, wait, on_wait)
        verified(store)
        store.reset_projections(conn)

        def sink(_: list[Event], effects: Effects) -> None:
            store.write_effects(conn, effects)
            detections.flush(conn)

        applied = refold(store, conn, engine, records, detections, sink, progress)
        store.save_changed(conn, engine)
    return applied


def verified(store: Store) -> None:
    """Raises ChainError unless the log's chain checks (a replay judges only a sound log)."""
    check = verify(store)
    if not check.ok:
        raise ChainError(check.seq or 0, check.event_id, f"{check.problem}; replay refused")


def records_of(store: Store) -> RecordStore | None:
    """The store's group-chat records, when their master key is at hand (None: group
    messages are replayed without their text)."""
    try:
        return RecordStore.from_env(store.engine)
    except RecordsError:
        return None


def refold(
    store: Store,
    conn: Connection,
    engine: Engine,
    records: RecordStore | None,
    detections: CachedDetections,
    sink: Sink,
    progress: Progress | None = None,
    on_refused: OnRefused | None = None,
) -> int:
    """Folds every entry of the store's log (read through `conn`) into `engine`, handing each
    batch's applied events and their effects to `sink`; returns how many entries were read.

    An entry the engine refuses changes nothing, as at ingest; it goes to `on_refused` and the
    fold goes on, or without `on_refused` the fold stops (ChainError naming the entry)."""
    applied = 0
    with quiet_collector():
        for chunk in chunked(store.entries(conn), BATCH):
            events = _decoded(conn, chunk, records)
            detections.prepare(engine, conn, events)
            effects: Effects = []
            applied_events: list[Event] = []
            for entry, event in zip(chunk, events, strict=True):
                try:
                    produced = engine.apply(event)
                except Rejected as error:
                    if on_refused is None:
                        raise ChainError(
                            entry.seq, entry.id, f"cannot be replayed: {error}"
                        ) from None
                    on_refused(entry, error)
                    continue
                applied_events.append(event)
                effects += [(entry.seq, n, effect) for n, effect in enumerate(produced)]
            sink(applied_events, effects)
            applied += len(chunk)
            if progress is not None:
                progress(len(chunk))
    return applied


def _decoded(conn: Connection, chunk: list[LogEntry], records: RecordStore | None) -> list[Event]:
    """A batch's events, group messages with their text back from the records while the
    records keep it (after the retention period, or without the master key, a message is
    replayed without its text)."""
    events: list[Event] = []
    for entry in chunk:
        try:
            events.append(decode_event(entry.body))
        except EventError as error:
            raise ChainError(entry.seq, entry.id, f"cannot be decoded: {error}") from None
    sealed = [
        e.content_id for e in events if isinstance(e, ContentPosted) and e.text_record is not None
    ]
    if not sealed or records is None:
        return events
    texts = records.readable(conn, sealed)
    return [
        msgspec.structs.replace(e, text=texts[e.content_id], text_record=None)
        if isinstance(e, ContentPosted) and e.content_id in texts
        else e
        for e in events
    ]
