"""Ingest, replay and verify: moving events between the log, the fold and the store."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import msgspec
from sqlalchemy import Connection, Table

from goodstanding.engine import Effect, Engine, Rejected, State
from goodstanding.engine.state import AccountState, account_codec
from goodstanding.events import (
    AccountRegistered,
    AppealDecided,
    AppealFiled,
    CommentApproved,
    CommentModeSet,
    CommentRejected,
    ContentEngaged,
    ContentPosted,
    ContentReported,
    Event,
    EventError,
    GroupCreated,
    GroupJoined,
    GroupLeft,
    GroupRoleChanged,
    IdentitySubmitted,
    ReviewDecided,
    decode_event,
    encode_event,
)
from goodstanding.identity import KeyRing, KeyRingError, load_keyring
from goodstanding.identity.seal import needs_sealing, seal_line
from goodstanding.policy import Policy, PolicyError, PolicySet, Problem, parse_policy
from goodstanding.policy.versions import DEFAULT_POLICY
from goodstanding.records import Message, RecordsError, RecordStore
from goodstanding.service.outbox import enqueue
from goodstanding.store import GENESIS, Store, entry_hash, head_key
from goodstanding.store import schema as tables

Progress = Callable[[int], None]
T = TypeVar("T")
BATCH = 20_000
CACHE_LIMIT = 500_000


@dataclass
class IngestReport:
    """What an ingest did: events accepted, duplicates skipped, lines refused and why."""

    read: int = 0
    accepted: int = 0
    duplicates: int = 0
    duplicate_lines: list[int] = field(default_factory=list)
    conflict_lines: list[int] = field(default_factory=list)
    errors: list[EventError] = field(default_factory=list)
    effects: Counter[str] = field(default_factory=Counter)
    refused_all: bool = False
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "read": self.read,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": len(self.errors),
            "warnings": self.warnings,
            "refused_all": self.refused_all,
            "effects": dict(sorted(self.effects.items())),
            "errors": [{"line": e.line, "id": e.event_id, "error": e.message} for e in self.errors],
        }


class ChainError(RuntimeError):
    """The log's hash chain is broken at a named entry."""

    def __init__(self, seq: int, event_id: str | None, message: str):
        self.seq = seq
        self.event_id = event_id
        super().__init__(
            f"entry {seq}" + (f" (id {event_id!r})" if event_id else "") + f": {message}"
        )


NAMES_CONTENT = (
    ContentEngaged,
    ContentReported,
    ReviewDecided,
    CommentModeSet,
    CommentApproved,
    CommentRejected,
)
"""Events that name a content item (`content_id`) the fold reads."""


def load_policies(store: Store, files: Iterable[str] = ()) -> PolicySet:
    """The recorded policy versions plus those in `files` (recorded now); the packaged default
    when none is recorded and none given. A recorded version never changes."""
    stored = store.stored_policies()
    paths = [str(p) for p in files] or ([] if stored else [str(DEFAULT_POLICY)])
    problems: list[Problem] = []
    items: list[tuple[Policy, str, str]] = []
    for path in paths:
        try:
            text = Path(path).read_text(encoding="utf-8")
            items.append((parse_policy(text, path), path, text))
        except PolicyError as error:
            problems.extend(error.problems)
        except (OSError, UnicodeDecodeError) as error:
            problems.append(Problem(path, 1, "", f"cannot read the file: {error}"))
    if problems:
        raise PolicyError(problems)
    if items:
        with store.engine.begin() as conn:
            store.save_policies(conn, items)
        stored = store.stored_policies()
    return PolicySet(
        [parse_policy(body, source) for source, body in stored], [source for source, _ in stored]
    )


def logged_form(event: Event) -> Event:
    """The event as the log keeps it: a group message's text goes to the records, not the
    log."""
    if isinstance(event, ContentPosted) and event.group_id is not None:
        return msgspec.structs.replace(event, text="", text_record="sealed")
    return event


def account_row(account: AccountState, policy: Policy) -> tuple[Any, ...]:
    """The stored row of an account: its state, and its score and band at its last change."""
    score = account.score(account.acc_at, policy)
    band = policy.band_for(score).name
    state = account_codec[0].encode(account)
    return (account.id, account.role, account.registered_at, score, band, account.acc_at, state)


NO_KEY = (
    "this line carries an identity value and no identity key is configured: set "
    "GOODSTANDING_IDENTITY_KEYS or GOODSTANDING_IDENTITY_KEYFILE (goodstanding identity "
    "generate-key makes one); the line was refused and its value not stored"
)


class Ingestor:
    """Appends events to the log and folds them, batch by batch, in one process."""

    def __init__(self, store: Store, policies: PolicySet):
        self.store = store
        self.engine = Engine(policies)
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
    ) -> IngestReport:
        """Reads JSON Lines; keeps good lines and reports bad ones. Batches are committed as
        they go; with `strict`, one bad line refuses the whole input and nothing is written."""
        report = IngestReport()
        if not strict:
            self._read(lines, report, None, progress, batch)
            return report
        with self.store.engine.connect() as conn:
            transaction = conn.begin()
            try:
                self._read(lines, report, conn, progress, batch)
            except BaseException:
                transaction.rollback()
                self.engine.state = State()
                raise
            if report.errors:
                transaction.rollback()
                self.engine.state = State()
                report.refused_all, report.accepted = True, 0
                report.effects.clear()
            else:
                transaction.commit()
        return report

    def _read(
        self,
        lines: Iterable[bytes | str],
        report: IngestReport,
        conn: Connection | None,
        progress: Progress | None,
        batch: int,
    ) -> None:
        pending: list[tuple[int, Event]] = []
        for number, raw in enumerate(lines, start=1):
            data = raw.encode() if isinstance(raw, str) else raw
            if not data.strip():
                continue
            report.read += 1
            try:
                event = decode_event(self._seal(data, report, number), line=number)
                if isinstance(event, ContentPosted) and event.group_id is not None:
                    self._require_records(event, number)
                pending.append((number, event))
            except EventError as error:
                report.errors.append(error)
            if len(pending) >= batch:
                self._batch(pending, report, conn, progress)
                pending = []
        if pending:
            self._batch(pending, report, conn, progress)
        report.errors.sort(key=lambda e: e.line or 0)

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
                report.warnings.extend(loaded.warnings)
        return self._ring

    def _batch(
        self,
        pending: list[tuple[int, Event]],
        report: IngestReport,
        conn: Connection | None,
        progress: Progress | None,
    ) -> None:
        if conn is not None:
            self._fold_batch(conn, pending, report)
        else:
            try:
                with self.store.engine.begin() as own:
                    self._fold_batch(own, pending, report)
            except BaseException:
                self.engine.state = State()
                raise
            if len(self.engine.state.contents) > CACHE_LIMIT:
                self.engine.state = State()
            if report.accepted >= self._analyzed_at * 2:
                self.store.refresh_statistics()
                self._analyzed_at = report.accepted
        if progress is not None:
            progress(len(pending))

    def _prefetch(self, conn: Connection, events: list[Event]) -> None:
        """Loads the keyed state a batch touches: actors, content referred to and its authors
        and reporters, groups and their admins, and the groups that loaded admins run."""
        state = self.engine.state
        accounts = {e.actor for e in events}
        contents: set[str] = set()
        groups: set[str] = set()
        for e in events:
            if isinstance(e, NAMES_CONTENT):
                if e.content_id is not None:
                    contents.add(e.content_id)
            elif isinstance(e, ContentPosted):
                if e.parent_id is not None:
                    contents.add(e.parent_id)
                if e.group_id is not None:
                    groups.add(e.group_id)
            elif isinstance(e, GroupCreated | GroupJoined | GroupLeft | GroupRoleChanged):
                groups.add(e.group_id)
                if isinstance(e, GroupRoleChanged):
                    accounts.add(e.member)
        for loaded in self.store.load_contents(conn, sorted(contents - state.contents.keys())):
            state.contents[loaded.id] = loaded
        self._load_appeals(conn, events, contents, accounts)
        for cid in contents:
            item = state.contents.get(cid)
            if item is not None:
                accounts.add(item.author)
                accounts.update(reporter for reporter, _, _ in item.reports)
                if item.owner is not None:
                    accounts.add(item.owner)
        for _ in range(2):  # groups named -> their admins -> the groups those admins run
            self._load_groups(conn, groups, accounts)
            self._load_accounts(conn, accounts)
            groups = {g for a in accounts if (acc := state.accounts.get(a)) for g in acc.admin_of}
        self._load_identities(conn, events)

    def _load_identities(self, conn: Connection, events: list[Event]) -> None:
        """Fingerprints named by the batch or held by its loaded accounts (to check blocks,
        count holders, and block them when a ban falls)."""
        state = self.engine.state
        wanted: set[str] = set()
        for e in events:
            if isinstance(e, IdentitySubmitted):
                wanted.update(e.fingerprints)
            elif isinstance(e, AccountRegistered) and e.identity is not None:
                wanted.update(e.identity.fingerprints)
        for account in state.accounts.values():
            if account.identities or account.pending:
                wanted.update(account.identities.values())
                for _, fingerprints in account.pending.values():
                    wanted.update(fingerprints)
        missing = sorted(wanted - state.identities.keys())
        for loaded in self.store.load_identities(conn, missing):
            state.identities[loaded.fingerprint] = loaded

    def _load_appeals(
        self, conn: Connection, events: list[Event], contents: set[str], accounts: set[str]
    ) -> None:
        """Appeals and the decisions they name, with the decisions' content and account."""
        state = self.engine.state
        appeal_ids = {e.appeal_id for e in events if isinstance(e, AppealDecided)}
        for appeal in self.store.load_appeals(conn, sorted(appeal_ids - state.appeals.keys())):
            state.appeals[appeal.id] = appeal
        decision_ids = {e.decision_id for e in events if isinstance(e, AppealFiled)}
        decision_ids |= {state.appeals[a].decision_id for a in appeal_ids if a in state.appeals}
        missing = sorted(decision_ids - state.decisions.keys())
        for loaded_decision in self.store.load_decisions(conn, missing):
            state.decisions[loaded_decision.id] = loaded_decision
        new_contents: set[str] = set()
        for did in decision_ids:
            if (decision := state.decisions.get(did)) is not None:
                new_contents.add(decision.content_id)
                accounts.add(decision.account_id)
        for loaded in self.store.load_contents(conn, sorted(new_contents - state.contents.keys())):
            state.contents[loaded.id] = loaded
        contents |= new_contents

    def _load_groups(self, conn: Connection, groups: set[str], accounts: set[str]) -> None:
        state = self.engine.state
        for loaded in self.store.load_groups(conn, sorted(groups - state.groups.keys())):
            state.groups[loaded.id] = loaded
        for gid in groups:
            found = state.groups.get(gid)
            if found is not None:
                accounts.update(found.admins())

    def _load_accounts(self, conn: Connection, accounts: set[str]) -> None:
        state = self.engine.state
        for account in self.store.load_accounts(conn, sorted(accounts - state.accounts.keys())):
            state.accounts[account.id] = account

    def _fold_batch(
        self, conn: Connection, pending: list[tuple[int, Event]], report: IngestReport
    ) -> None:
        known = self.store.logged_bodies(conn, [e.id for _, e in pending])
        fresh: list[tuple[int, Event, bytes]] = []
        for line, event in pending:
            logged, body = known.get(event.id), encode_event(logged_form(event))
            if logged is None:
                known[event.id] = body
                fresh.append((line, event, body))
            elif logged == body:
                report.duplicates += 1
                report.duplicate_lines.append(line)
            else:
                report.conflict_lines.append(line)
                report.errors.append(
                    EventError(
                        f"event id {event.id!r} is already logged with a different body "
                        "(an id names one event: give a new event a new id)",
                        line=line,
                        event_id=event.id,
                    )
                )
        self._prefetch(conn, [e for _, e, _ in fresh])
        self.engine.prepare(e for _, e, _ in fresh)
        seq, prev = self.store.head(conn)
        rows: list[dict[str, Any]] = []
        effects: list[tuple[int, int, Effect]] = []
        messages: list[Message] = []
        for line, event, body in fresh:
            try:
                produced = self.engine.apply(event)
            except Rejected as error:
                report.errors.append(EventError(str(error), line=line, event_id=event.id))
                continue
            seq += 1
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
            digest = entry_hash(seq, prev, body)
            rows.append(
                {
                    "seq": seq,
                    "id": event.id,
                    "type": type(event).__struct_config__.tag,
                    "at": event.at.timestamp(),
                    "actor": event.actor,
                    "body": body,
                    "prev_hash": prev,
                    "hash": digest,
                }
            )
            prev = digest
            for n, effect in enumerate(produced):
                effects.append((seq, n, effect))
                report.effects[type(effect).__struct_config__.tag] += 1  # type: ignore[index]
        if messages and self.records is not None:
            self.records.put_into(conn, messages)
        self.store.append(conn, rows)
        self.store.write_effects(conn, effects)
        enqueue(conn, effects)
        self._save_dirty(conn)
        report.accepted += len(rows)

    def _save_dirty(self, conn: Connection) -> None:
        state = self.engine.state
        rows = []
        for account_id in sorted(state.dirty_accounts):
            account = state.accounts[account_id]
            policy = self.engine.policy_at(account.acc_at) or self.engine.policies.versions[0]
            rows.append(account_row(account, policy))
        contents = [state.contents[c] for c in sorted(state.dirty_contents)]
        self.store.save_state(conn, rows, contents)
        self.store.save_groups(conn, [state.groups[g] for g in sorted(state.dirty_groups)])
        self.store.save_identities(
            conn, [state.identities[f] for f in sorted(state.dirty_identities)]
        )
        self.store.save_appeals(
            conn,
            [state.decisions[d] for d in sorted(state.dirty_decisions)],
            [state.appeals[a] for a in sorted(state.dirty_appeals)],
        )
        state.clear_dirty()


@dataclass
class VerifyReport:
    """The outcome of checking the log's hash chain."""

    entries: int
    ok: bool
    problem: str | None = None
    seq: int | None = None
    event_id: str | None = None
    audit_entries: int = 0
    log: str = "events"

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "entries": self.entries,
            "ok": self.ok,
            "problem": self.problem,
            "seq": self.seq,
            "event_id": self.event_id,
            "audit_entries": self.audit_entries,
            "log": self.log,
        }


def verify(store: Store) -> VerifyReport:
    """Checks the event log and the audit log, entry by entry, against their hashes and
    predecessors; names the first bad entry."""
    report = _verify_chain(store, tables.events, "entry")
    if not report.ok:
        return report
    audit = _verify_chain(store, tables.audit_log, "audit entry")
    if not audit.ok:
        audit.entries = report.entries
        audit.log = "audit"
        return audit
    report.audit_entries = audit.entries
    return report


def _verify_chain(store: Store, table: Table, label: str) -> VerifyReport:
    decoder = msgspec.json.Decoder(dict[str, Any])
    expected_seq, prev = 1, GENESIS
    count = 0

    def broken(seq: int, event_id: str | None, problem: str) -> VerifyReport:
        return VerifyReport(count, False, problem, seq, event_id)

    with store.engine.connect() as conn:
        for entry in store.entries(conn, table=table):
            count += 1
            name = f"{label} {entry.seq} (id {entry.id!r})"
            if entry.seq != expected_seq:
                return broken(
                    expected_seq,
                    None,
                    f"{label} {expected_seq} is missing: the log "
                    f"jumps from {expected_seq - 1} to {entry.seq} (deleted)",
                )
            if entry.prev_hash != prev:
                return broken(
                    entry.seq,
                    entry.id,
                    f"{name} does not follow {label} "
                    f"{entry.seq - 1}: an entry before it was altered, deleted or "
                    "reordered",
                )
            if entry_hash(entry.seq, entry.prev_hash, entry.body) != entry.hash:
                return broken(
                    entry.seq, entry.id, f"{name} was altered: its body does not match its hash"
                )
            body = decoder.decode(entry.body)
            if (body.get("id"), body.get("actor")) != (entry.id, entry.actor):
                return broken(
                    entry.seq,
                    entry.id,
                    f"{label} {entry.seq}: its id/actor columns "
                    "were altered and no longer match its body",
                )
            prev = entry.hash
            expected_seq += 1
    head = store.meta_value(head_key(table))
    if head is not None:
        head_seq = int(head.split(":", 1)[0])
        if head_seq != count:
            return broken(
                count + 1,
                None,
                f"the log ends at {label} {count} but its recorded "
                f"head is {label} {head_seq}: entries were removed from the end",
            )
    return VerifyReport(count, True)


def replay(store: Store, policies: PolicySet, progress: Progress | None = None) -> int:
    """Rebuilds every projection from the log under the given policies, atomically.

    Refuses (ChainError) if the chain is broken or an entry cannot be applied."""
    check = verify(store)
    if not check.ok:
        raise ChainError(check.seq or 0, check.event_id, f"{check.problem}; replay refused")
    engine = Engine(policies)
    applied = 0
    try:
        records: RecordStore | None = RecordStore.from_env(store.engine)
    except RecordsError:
        records = None  # group messages are replayed without their text
    with store.engine.begin() as conn:
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
        ingestor = Ingestor(store, policies)
        ingestor.engine = engine
        ingestor._save_dirty(conn)
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


def last_event_time(store: Store) -> float | None:
    """The latest `at` in the log (the default 'as of' time for standings)."""
    rows = store.execute_sql("SELECT MAX(at) FROM events")
    value = rows[0][0] if rows else None
    return float(value) if value is not None else None
