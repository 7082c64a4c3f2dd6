"""What due process reads back from the store: decisions applied in a period (labels,
sanctions, admin rights suspended, identities refused) and the facts around them (reports,
detections, contents, moderators' decisions)."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Collection
from typing import Any, NamedTuple
from weakref import WeakKeyDictionary

import msgspec

from goodstanding.engine.state import DecisionState, decision_codec
from goodstanding.queries.check import log_head
from goodstanding.store import Store


class Report(NamedTuple):
    """A notice that a content item breaks a rule: when, by whom."""

    at: float
    reporter: str
    content_id: str
    rule_id: str


class Content(NamedTuple):
    """Who wrote a content item, what kind it is and when it was posted."""

    author: str
    kind: str
    posted: float


class LabelApplied(NamedTuple):
    """A label row that restricts content: upheld (removed), hidden or flagged."""

    seq: int
    n: int
    event_id: str
    at: float
    content_id: str
    rule_id: str
    status: str
    automated: bool


class SanctionApplied(NamedTuple):
    """A sanction row: a step of the ladder imposed on an account."""

    seq: int
    n: int
    sanction_id: str
    account_id: str
    action: str
    at: float
    until: float | None
    rule_id: str | None
    trigger: str


class AdminSuspended(NamedTuple):
    """An account's group administration suspended by its standing."""

    seq: int
    n: int
    at: float
    account_id: str


class IdentityRefused(NamedTuple):
    """An identity refused because a decision blocks it."""

    seq: int
    n: int
    at: float
    account_id: str | None
    decision: str
    until: float | None


PERIOD = "at >= :start AND at < :end ORDER BY event_seq, n"
AUTHORED = "content_id IN (SELECT id FROM contents WHERE author = :account) AND "
"""Keeps a query on content to the content one account wrote."""
OWNED = "account_id = :account AND "
"""Keeps a query on accounts to one account."""
LABELS = (
    "SELECT event_seq, n, event_id, at, content_id, rule_id, status, automated FROM labels "
    "WHERE {scope}status IN ('upheld', 'hidden', 'flagged') AND " + PERIOD
)
SANCTIONS = (
    "SELECT event_seq, n, sanction_id, account_id, action, at, until, rule_id, trigger "
    "FROM sanctions WHERE {scope}" + PERIOD
)
ADMIN_SUSPENSIONS = (
    "SELECT event_seq, n, at, account_id FROM admin_rights WHERE {scope}NOT acting AND " + PERIOD
)
IDENTITIES_REFUSED = (
    "SELECT event_seq, n, at, account_id, decision, until FROM identity_log "
    "WHERE {scope}status = 'refused' AND decision IS NOT NULL AND " + PERIOD
)


def scoped(sql: str, scope: str, account: str | None) -> str:
    """The query `sql` with its `{scope}` filled: kept to `account` by the condition `scope`
    (AUTHORED or OWNED), or over the whole store when `account` is None."""
    return sql.format(scope=scope if account is not None else "")


class _LoggedReports:
    """The reports in one store's log by content id, as far as the log had been read. The
    log is append-only, so each read takes only the entries added since the last."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.after = 0
        self.by_content: dict[str, list[Report]] = defaultdict(list)

    def catch_up(self, store: Store) -> None:
        """Reads the reports the log gained (all of them again if the log got shorter, as a
        database restored from an older copy does)."""
        last = log_head(store)
        if last < self.after:
            self.after, self.by_content = 0, defaultdict(list)
        decode = msgspec.json.Decoder(dict[str, Any]).decode
        for at, actor, body in store.execute_sql(
            "SELECT at, actor, body FROM events WHERE type = 'content.reported' "
            "AND seq > :after AND seq <= :last ORDER BY seq",
            {"after": self.after, "last": last},
        ):
            event = decode(body)
            found = Report(float(at), actor, event["content_id"], event["rule"])
            self.by_content[found.content_id].append(found)
        self.after = last


_READ: WeakKeyDictionary[Store, _LoggedReports] = WeakKeyDictionary()
_READING = threading.Lock()


def reports(store: Store, about: Collection[str] | None = None) -> list[Report]:
    """Every report of content in the log (of the content ids in `about` only, when given),
    each content item's in log order."""
    with _READING:
        known = _READ.setdefault(store, _LoggedReports())
    with known.lock:
        known.catch_up(store)
        wanted = known.by_content if about is None else about
        return [r for content_id in wanted for r in known.by_content.get(content_id, ())]


def detected(store: Store, account: str | None = None) -> set[tuple[str, str]]:
    """The (content, rule) pairs a detector flagged (on `account`'s content, when given)."""
    sql = "SELECT content_id, rule_id FROM flags WHERE {scope}source = 'detector'"
    return {
        (r[0], r[1])
        for r in store.execute_sql(scoped(sql, AUTHORED, account), {"account": account})
    }


def contents(store: Store, account: str | None = None) -> dict[str, Content]:
    """The author, kind and posting time of every content item a label or a moderation
    decision names (of `account`'s content only, when given), by id: the content that
    decisions are about."""
    sql = (
        "SELECT id, author, kind, at FROM contents WHERE {scope}id IN "
        "(SELECT content_id FROM labels UNION SELECT content_id FROM decisions)"
    )
    scope = "author = :account AND "
    return {
        r[0]: Content(r[1], r[2], float(r[3]))
        for r in store.execute_sql(scoped(sql, scope, account), {"account": account})
    }


def moderation_decisions(store: Store, account: str | None = None) -> dict[str, DecisionState]:
    """Every moderator's (or automatic) upheld decision (on `account`'s content, when
    given), by id."""
    sql = "SELECT state FROM decisions"
    if account is not None:
        sql += " WHERE account_id = :account"
    decode = decision_codec[1].decode
    rows = store.execute_sql(sql, {"account": account})
    return {d.id: d for d in (decode(bytes(blob)) for (blob,) in rows)}


def moderation_decision(store: Store, decision_id: str) -> DecisionState | None:
    """One upheld decision by its id, None when there is none."""
    rows = store.execute_sql("SELECT state FROM decisions WHERE id = :id", {"id": decision_id})
    return decision_codec[1].decode(bytes(rows[0][0])) if rows else None


def labels_applied(
    store: Store, start: float, end: float, account: str | None = None
) -> list[LabelApplied]:
    """Labels restricting content (`account`'s content, when given) applied in [start, end),
    in log order."""
    rows = store.execute_sql(
        scoped(LABELS, AUTHORED, account), {"start": start, "end": end, "account": account}
    )
    return [LabelApplied(r[0], r[1], r[2], r[3], r[4], r[5], r[6], bool(r[7])) for r in rows]


def sanctions_applied(
    store: Store, start: float, end: float, account: str | None = None
) -> list[SanctionApplied]:
    """Sanctions imposed (on `account`, when given) in [start, end), in log order."""
    params = {"start": start, "end": end, "account": account}
    return [
        SanctionApplied(*r) for r in store.execute_sql(scoped(SANCTIONS, OWNED, account), params)
    ]


def admin_suspensions(
    store: Store, start: float, end: float, account: str | None = None
) -> list[AdminSuspended]:
    """Group administration suspended by standing (`account`'s, when given) in [start, end),
    in log order."""
    params = {"start": start, "end": end, "account": account}
    sql = scoped(ADMIN_SUSPENSIONS, OWNED, account)
    return [AdminSuspended(*r) for r in store.execute_sql(sql, params)]


def identities_refused(
    store: Store, start: float, end: float, account: str | None = None
) -> list[IdentityRefused]:
    """Identities refused by a blocking decision (to `account`, when given) in [start, end),
    in log order."""
    params = {"start": start, "end": end, "account": account}
    return [
        IdentityRefused(r[0], r[1], r[2], r[3], str(r[4]), r[5])
        for r in store.execute_sql(scoped(IDENTITIES_REFUSED, OWNED, account), params)
    ]
