"""Replay: rebuilding every projection from the log under a set of policies."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

import msgspec

from goodstanding.detect.build import build_detectors
from goodstanding.engine import Effect, Engine, Rejected
from goodstanding.events import ContentPosted, Event, EventError, decode_event
from goodstanding.pipeline.ingest import BATCH, Progress
from goodstanding.policy import PolicySet
from goodstanding.records import RecordsError, RecordStore
from goodstanding.store import ChainError, OnWait, Store, verify

T = TypeVar("T")


def replay(
    store: Store,
    policies: PolicySet,
    progress: Progress | None = None,
    *,
    wait: float | None = None,
    on_wait: OnWait | None = None,
) -> int:
    """Rebuilds every projection from the log under the given policies, atomically, holding
    the write lock (`wait` and `on_wait` as for Store.write_lock) so no ingest runs meanwhile.

    Refuses (ChainError) if the chain is broken or an entry cannot be applied."""
    check = verify(store)
    if not check.ok:
        raise ChainError(check.seq or 0, check.event_id, f"{check.problem}; replay refused")
    engine = Engine(policies, build_detectors(policies))
    applied = 0
    try:
        records: RecordStore | None = RecordStore.from_env(store.engine)
    except RecordsError:
        records = None  # group messages are replayed without their text
    with store.engine.begin() as conn:
        store.write_lock(conn, wait, on_wait)
        store.reset_projections(conn)
        for chunk in _chunked(store.entries(conn), BATCH):
            events: list[Event] = []
            for entry in chunk:
                try:
                    events.append(_with_record_text(decode_event(entry.body), records))
                except EventError as error:
                    raise ChainError(entry.seq, entry.id, f"cannot be decoded: {error}") from None
            engine.prepare(events)
            effects: list[tuple[int, int, Effect]] = []
            for entry, event in zip(chunk, events, strict=True):
                try:
                    produced = engine.apply(event)
                except Rejected as error:
                    raise ChainError(entry.seq, entry.id, f"cannot be replayed: {error}") from None
                effects += [(entry.seq, n, effect) for n, effect in enumerate(produced)]
            store.write_effects(conn, effects)
            applied += len(chunk)
            if progress is not None:
                progress(len(chunk))
        store.save_changed(conn, engine)
    return applied


def _chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of at most `size` items."""
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _with_record_text(event: Event, records: RecordStore | None) -> Event:
    """A group message with its text back from the records, while the records keep it (after
    the retention period, or without the master key, it is replayed without text)."""
    if not isinstance(event, ContentPosted) or event.text_record is None or records is None:
        return event
    try:
        text = records.get(event.content_id)
    except RecordsError:
        return event
    return msgspec.structs.replace(event, text=text, text_record=None)
