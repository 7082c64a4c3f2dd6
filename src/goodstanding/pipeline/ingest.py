"""Ingest: reading JSON Lines, appending the events to the log and folding them, batch by batch."""

from __future__ import annotations

import hashlib
import time
from bisect import insort
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
from sqlalchemy import Connection

from goodstanding.detect.build import build_detectors
from goodstanding.engine import Effect, Engine, Rejected
from goodstanding.event_lines import decode_event, encode_event
from goodstanding.events import ContentPosted, Event, EventError, brief
from goodstanding.identity import KeyRing, KeyRingError, load_keyring
from goodstanding.identity.seal import needs_sealing, seal_line
from goodstanding.pipeline.cache import DEFAULT_BUDGET, StateCache
from goodstanding.pipeline.collector import quiet_collector
from goodstanding.pipeline.outbox import enqueue
from goodstanding.pipeline.prefetch import prefetch
from goodstanding.policy import Policy, PolicyError, PolicySet, Problem, parse_policy
from goodstanding.policy.references import References, references_of
from goodstanding.policy.versions import DEFAULT_POLICY
from goodstanding.records import Message, RecordsError, RecordStore
from goodstanding.store import OnWait, Store, WriterBusy

Progress = Callable[[int], None]
Clock = Callable[[], float]
DEFAULT_SKEW = 300.0
"""Seconds an event may be dated after the wall clock (clocks drift; platforms batch)."""
BATCH = 20_000
BATCH_BYTES = 64 * 2**20
"""A batch is folded once it holds this many bytes of lines, even if it has fewer lines."""
KEEP = 1_000
"""Refused lines an ingest report keeps in full unless told otherwise."""
FIRST_LINES = 5
"""Line numbers a report keeps of each reason for refusing lines."""
MAX_REASONS = 1_000
OTHER_REASONS = f"other reasons (over {MAX_REASONS:,} distinct ones: --verbose lists every line)"
"""The reason counted for lines refused after MAX_REASONS distinct reasons were seen."""


@dataclass
class Refused:
    """The lines refused for one reason: how many, the first of them in full, and the first
    line numbers."""

    first: EventError
    count: int = 0
    lines: list[int] = field(default_factory=list)


OnRefusal = Callable[[EventError], None]


@dataclass
class IngestReport:
    """What an ingest did: events accepted, duplicates skipped, lines refused and why.

    Of the refused lines it keeps a count and the first line numbers per reason, and the
    first `keep` in full (all of them when `keep` is None); `on_refusal` is given each one as
    it happens. The lines of duplicates and conflicts are kept as far as `keep` says too."""

    read: int = 0
    accepted: int = 0
    duplicates: int = 0
    conflicts: int = 0
    duplicate_lines: list[int] = field(default_factory=list)
    conflict_lines: list[int] = field(default_factory=list)
    errors: list[EventError] = field(default_factory=list)
    rejected: int = 0
    reasons: dict[str, Refused] = field(default_factory=dict)
    effects: Counter[str] = field(default_factory=Counter)
    refused_all: bool = False
    warnings: list[str] = field(default_factory=list)
    keep: int | None = KEEP
    on_refusal: OnRefusal | None = None

    def refuse(self, error: EventError) -> None:
        """Records one refused line."""
        self.rejected += 1
        if self.on_refusal is not None:
            self.on_refusal(error)
        line = error.line or 0
        if self.keep is None or len(self.errors) < self.keep:
            insort(self.errors, error, key=_line)
        elif self.keep and line < _line(self.errors[-1]):
            insort(self.errors, error, key=_line)
            self.errors.pop()
        reason = error.reason if len(self.reasons) < MAX_REASONS else OTHER_REASONS
        found = self.reasons.get(error.reason) or self.reasons.setdefault(reason, Refused(error))
        found.count += 1
        if line < (found.first.line or 0):
            found.first = error
        insort(found.lines, line)
        del found.lines[FIRST_LINES:]

    def duplicate(self, line: int) -> None:
        """Records a line whose event is already logged with the same body."""
        self.duplicates += 1
        if self.keep is None or len(self.duplicate_lines) < self.keep:
            self.duplicate_lines.append(line)

    def conflict(self, error: EventError, line: int) -> None:
        """Records (and refuses) a line whose event id is logged with another body."""
        self.conflicts += 1
        if self.keep is None or len(self.conflict_lines) < self.keep:
            self.conflict_lines.append(line)
        self.refuse(error)

    def by_reason(self) -> list[tuple[str, Refused]]:
        """The reasons lines were refused for, most frequent first (then by first line)."""
        return sorted(self.reasons.items(), key=lambda item: (-item[1].count, item[1].lines))

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form (the refusals kept in full under `errors`)."""
        return {
            "read": self.read,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "conflicts": self.conflicts,
            "rejected": self.rejected,
            "warnings": self.warnings,
            "refused_all": self.refused_all,
            "effects": dict(sorted(self.effects.items())),
            "errors": [error_dict(e) for e in self.errors],
        }


def _line(error: EventError) -> int:
    return error.line or 0


def error_dict(error: EventError) -> dict[str, Any]:
    """A refused line as JSON-ready data."""
    return {"line": error.line, "id": error.event_id, "error": error.message}


def logged_form(event: Event) -> Event:
    """The event as the log keeps it: a group message's text goes to the records, not the
    log."""
    if isinstance(event, ContentPosted) and event.group_id is not None:
        return msgspec.structs.replace(event, text="", text_record="sealed")
    return event


def conflict(event: Event, logged: bytes, body: bytes, line: int) -> EventError:
    """The refusal of an event whose id is already logged with a different body, naming the
    SHA-256 of both bodies."""
    return EventError(
        f"conflict: event id {brief(event.id)} is already logged with a different body "
        f"(logged sha256 {hashlib.sha256(logged).hexdigest()}, this one "
        f"{hashlib.sha256(body).hexdigest()}); an id names one event: give a new event a new id",
        line=line,
        event_id=event.id,
    )


def parse_policy_files(paths: Iterable[str]) -> list[tuple[Policy, str, str, References]]:
    """Policy files parsed, each as (policy, source, TOML text, the inputs it references now),
    recording nothing; PolicyError lists every file's problems."""
    problems: list[Problem] = []
    items: list[tuple[Policy, str, str, References]] = []
    for path in paths:
        try:
            text = Path(path).read_text(encoding="utf-8")
            folder = Path(path).parent  # files the policy names are beside it
            policy = parse_policy(text, path, folder)
            items.append((policy, path, text, references_of(policy, folder)))
        except PolicyError as error:
            problems.extend(error.problems)
        except (OSError, UnicodeDecodeError) as error:
            problems.append(Problem(path, 1, "", f"cannot read the file: {error}"))
    if problems:
        raise PolicyError(problems)
    return items


def parse_recorded(
    stored: list[tuple[str, str, References | None]],
) -> list[tuple[Policy, str, References | None]]:
    """Recorded policy versions (as `Store.stored_policies` gives them) parsed, each as
    (policy, source, recorded references)."""
    return [
        (parse_policy(body, source, Path(source).parent), source, refs)
        for source, body, refs in stored
    ]


def load_policies(
    store: Store,
    files: Iterable[str] = (),
    *,
    wait: float | None = None,
    on_wait: OnWait | None = None,
) -> PolicySet:
    """The recorded policy versions plus those in `files` (recorded now, under the write lock,
    `wait` and `on_wait` as for Store.write_lock); the packaged default when none is recorded
    and none given. A recorded version never changes."""
    stored = store.stored_policies()
    paths = [str(p) for p in files] or ([] if stored else [str(DEFAULT_POLICY)])
    items = parse_policy_files(paths)
    if items:
        with store.engine.begin() as conn:
            store.write_lock(conn, wait, on_wait)
            store.save_policies(conn, items)
        stored = store.stored_policies()
    parsed = parse_recorded(stored)
    return PolicySet(
        [policy for policy, _, _ in parsed],
        [source for _, source, _ in parsed],
        {policy.version: refs for policy, _, refs in parsed if refs is not None},
    )


NO_KEY = (
    "this line carries an identity value and no identity key is configured: set "
    "GOODSTANDING_IDENTITY_KEYS or GOODSTANDING_IDENTITY_KEYFILE (goodstanding identity "
    "generate-key makes one); the line was refused and its value not stored"
)


class Ingestor:
    """Appends events to the log and folds them, batch by batch, each batch under the store's
    write lock; state cached between batches is dropped when another writer moved the head.

    `now` is the clock future-dated events are checked against (None: any date is accepted,
    for simulations); an event more than `max_skew` seconds after it is refused. A batch
    waits at most `wait` seconds for the lock (None: as long as it takes; 0: not at all),
    calling `on_wait` while it waits, then raises WriterBusy having written nothing. Between
    batches it keeps at most about `cache_budget` bytes of keyed state (None: no bound)."""

    def __init__(
        self,
        store: Store,
        policies: PolicySet,
        engine: Engine | None = None,
        *,
        now: Clock | None = time.time,
        max_skew: float = DEFAULT_SKEW,
        wait: float | None = None,
        on_wait: OnWait | None = None,
        cache_budget: int | None = DEFAULT_BUDGET,
    ):
        if max_skew < 0:
            raise ValueError(f"max_skew must be at least 0 seconds, got {max_skew}")
        self.store = store
        self.engine = engine or Engine(policies, build_detectors(policies))
        self.cache = StateCache(self.engine, cache_budget)
        self.now, self.max_skew = now, max_skew
        self.wait, self.on_wait = wait, on_wait
        self._head: tuple[int, str] | None = None  # the log's head as this writer left it
        self._versions: frozenset[str] | None = None  # the policy versions recorded then
        self._analyzed_at = BATCH // 2
        self._ring: KeyRing | None = None
        self._ring_error: str | None = None
        self.records: RecordStore | None = None

    def ingest(
        self,
        lines: Iterable[bytes | str],
        strict: bool = False,
        progress: Progress | None = None,
        batch: int = BATCH,
        *,
        keep: int | None = KEEP,
        on_refusal: OnRefusal | None = None,
    ) -> IngestReport:
        """Reads JSON Lines; keeps good lines and reports bad ones. Batches are committed as
        they go; with `strict`, one bad line refuses the whole input and nothing is written.

        The report keeps the first `keep` refused lines in full (None: all); `on_refusal` is
        given every refused line as it is found."""
        report = IngestReport(keep=keep, on_refusal=on_refusal)
        if not strict:
            self._read(lines, report, None, progress, batch)
            return report
        with self.store.engine.connect() as conn:
            transaction = conn.begin()
            try:
                self.store.write_lock(conn, self.wait, self.on_wait)
                self._read(lines, report, conn, progress, batch)
            except BaseException:
                transaction.rollback()
                self._drop_cache()
                raise
            if report.rejected:
                transaction.rollback()
                self._drop_cache()
                report.refused_all, report.accepted = True, 0
                report.effects.clear()
            else:
                transaction.commit()
        return report

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction under the store's write lock (waited for as this ingestor was
        told), for `ingest_into` and the caller's own rows: committed when the block ends,
        rolled back when it raises, and then the state kept between batches is dropped."""
        try:
            with self.store.engine.begin() as conn:
                self.store.write_lock(conn, self.wait, self.on_wait)
                yield conn
        except BaseException:
            self._drop_cache()
            raise

    def ingest_into(
        self, conn: Connection, lines: Iterable[bytes | str], report: IngestReport
    ) -> None:
        """Reads JSON Lines as `ingest` does without `strict` (good lines kept, bad ones
        refused into `report`), folding every batch inside `conn`, a `transaction` of this
        ingestor's: nothing is committed before the caller's transaction is."""
        self._read(lines, report, conn, None, BATCH)

    def _read(
        self,
        lines: Iterable[bytes | str],
        report: IngestReport,
        conn: Connection | None,
        progress: Progress | None,
        batch: int,
    ) -> None:
        pending: list[tuple[int, Event]] = []
        size = 0
        latest = self._latest()
        for number, raw in enumerate(lines, start=1):
            data = raw.encode() if isinstance(raw, str) else raw
            if not data or data.isspace():
                continue
            report.read += 1
            try:
                event = decode_event(self._seal(data, report, number), line=number)
                if latest is not None and event.at.timestamp() > latest:
                    raise self._future(event, number)
                if isinstance(event, ContentPosted) and event.group_id is not None:
                    self._require_records(event, number)
                pending.append((number, event))
                size += len(data)
            except EventError as error:
                report.refuse(error)
            if len(pending) >= batch or size >= BATCH_BYTES:
                self._batch(pending, report, conn, progress)
                pending, size = [], 0
                latest = self._latest()
        if pending:
            self._batch(pending, report, conn, progress)

    def _latest(self) -> float | None:
        """The latest time an event may be dated now (None when any date is accepted)."""
        return None if self.now is None else self.now() + self.max_skew

    def _future(self, event: Event, line: int) -> EventError:
        assert self.now is not None, "only checked against a clock"
        now = self.now()
        ahead = event.at.timestamp() - now
        clock = datetime.fromtimestamp(now, UTC).isoformat().replace("+00:00", "Z")
        return EventError(
            f"`at` {event.at.isoformat()} is {ahead:,.0f} s after this machine's clock "
            f"({clock}); an event may be dated at most {self.max_skew:g} s ahead (--max-skew); "
            "--allow-future accepts any date (simulations)",
            line=line,
            event_id=event.id,
        )

    def _seal(self, data: bytes, report: IngestReport, line: int) -> bytes:
        """The line with any identity value replaced by keyed fingerprints; without a key, a
        line that needs one is refused (its value is never stored or echoed)."""
        if not needs_sealing(data):
            return data
        ring = self._keyring(report)
        if ring is None:
            raise EventError(f"{NO_KEY} ({self._ring_error})", line=line)
        return seal_line(ring, data)

    def _require_records(self, event: ContentPosted, line: int) -> None:
        """A group message is kept as an encrypted record, which needs the master key."""
        if event.text_record is not None:
            raise EventError(
                "`text_record` is written by goodstanding in its log, not sent",
                line=line,
                event_id=event.id,
            )
        if self.records is None:
            try:
                self.records = RecordStore.from_env(self.store.engine)
            except RecordsError as error:
                raise EventError(
                    f"this group message cannot be kept as a record: {error}; the line was refused",
                    line=line,
                    event_id=event.id,
                ) from None

    def _keyring(self, report: IngestReport) -> KeyRing | None:
        if self._ring is None and self._ring_error is None:
            try:
                loaded = load_keyring()
            except KeyRingError as error:
                self._ring_error = str(error)
            else:
                self._ring = loaded.ring
        return self._ring

    def _batch(
        self,
        pending: list[tuple[int, Event]],
        report: IngestReport,
        conn: Connection | None,
        progress: Progress | None,
    ) -> None:
        if conn is not None:
            with quiet_collector():
                self._fold_batch(conn, pending, report)
        else:
            try:
                with quiet_collector(), self.transaction() as own:
                    self._fold_batch(own, pending, report)
            except WriterBusy as busy:
                if not report.accepted:
                    raise
                raise WriterBusy(busy.waited, report.accepted, pending[0][0]) from None
            if report.accepted >= self._analyzed_at * 2:
                self.store.refresh_statistics()
                self._analyzed_at = report.accepted
        self.cache.trim()
        if progress is not None:
            progress(len(pending))

    def _drop_cache(self) -> None:
        """Forgets the state kept between batches (the next batch reads it from the store)."""
        self.cache.clear()
        self._head = None

    def _follow_policies(self, conn: Connection) -> None:
        """Folds by every recorded policy version: when another writer recorded one since the
        first batch, the engine is rebuilt with the recorded set (as replay would judge)."""
        versions = self.store.recorded_versions(conn)
        if self._versions is not None and versions - self._versions:
            policies = load_policies(self.store)
            self.engine = Engine(policies, build_detectors(policies))
            self.cache = StateCache(self.engine, self.cache.budget)
            self._head = None
        self._versions = versions

    def _fold_batch(
        self, conn: Connection, pending: list[tuple[int, Event]], report: IngestReport
    ) -> None:
        """Folds and appends one batch; the caller's transaction holds the write lock."""
        tail = self.store.checked_tail(conn)
        if (tail.seq, tail.hash) != self._head:
            self._drop_cache()  # another writer appended since this one's last batch
        self._follow_policies(conn)
        known = self.store.logged_bodies(conn, [e.id for _, e in pending])
        fresh: list[tuple[int, Event, bytes]] = []
        for line, event in pending:
            logged, body = known.get(event.id), encode_event(logged_form(event))
            if logged is None:
                known[event.id] = body
                fresh.append((line, event, body))
            elif logged == body:
                report.duplicate(line)
            else:
                report.conflict(conflict(event, logged, body, line), line)
        needed = prefetch(self.store, conn, self.engine.state, [e for _, e, _ in fresh])
        self.engine.prepare(e for _, e, _ in fresh)
        rows: list[dict[str, Any]] = []
        effects: list[tuple[int, int, Effect]] = []
        messages: list[Message] = []
        for line, event, body in fresh:
            try:
                produced = self.engine.apply(event)
            except Rejected as error:
                report.refuse(EventError(str(error), line=line, event_id=event.id))
                continue
            if isinstance(event, ContentPosted) and event.group_id is not None:
                messages.append(
                    Message(
                        event.content_id,
                        event.group_id,
                        event.actor,
                        event.at.timestamp(),
                        event.text,
                    )
                )
            tag = str(type(event).__struct_config__.tag)
            rows.append(tail.link(event.id, tag, event.at.timestamp(), event.actor, body))
            for n, effect in enumerate(produced):
                effects.append((tail.seq, n, effect))
                report.effects[type(effect).__struct_config__.tag] += 1  # type: ignore[index]
        if messages and self.records is not None:
            self.records.put_into(conn, messages)
        self.store.append(conn, rows)
        self.store.write_effects(conn, effects)
        enqueue(conn, effects)
        self.cache.use(needed)
        self.store.save_changed(conn, self.engine)
        report.accepted += len(rows)
        self._head = (tail.seq, tail.hash)
