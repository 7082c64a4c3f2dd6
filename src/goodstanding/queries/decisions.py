"""What due process reads back from the store: decisions applied in a period (labels,
sanctions, admin rights suspended, identities refused) and the facts around them (reports,
detections, contents, moderators' decisions)."""

from __future__ import annotations

from typing import Any, NamedTuple

import msgspec

from goodstanding.engine.state import DecisionState, decision_codec
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
LABELS = (
    "SELECT event_seq, n, event_id, at, content_id, rule_id, status, automated FROM labels "
    f"WHERE status IN ('upheld', 'hidden', 'flagged') AND {PERIOD}"
)
SANCTIONS = (
    "SELECT event_seq, n, sanction_id, account_id, action, at, until, rule_id, trigger "
    f"FROM sanctions WHERE {PERIOD}"
)
ADMIN_SUSPENSIONS = (
    f"SELECT event_seq, n, at, account_id FROM admin_rights WHERE NOT acting AND {PERIOD}"
)
IDENTITIES_REFUSED = (
    "SELECT event_seq, n, at, account_id, decision, until FROM identity_log "
    f"WHERE status = 'refused' AND decision IS NOT NULL AND {PERIOD}"
)


def reports(store: Store) -> list[Report]:
    """Every report of content in the log, in no particular order."""
    decode = msgspec.json.Decoder(dict[str, Any]).decode
    found = []
    for at, actor, body in store.execute_sql(
        "SELECT at, actor, body FROM events WHERE type = 'content.reported'"
    ):
        event = decode(body)
        found.append(Report(float(at), actor, event["content_id"], event["rule"]))
    return found


def detected(store: Store) -> set[tuple[str, str]]:
    """The (content, rule) pairs a detector flagged."""
    return {
        (r[0], r[1])
        for r in store.execute_sql(
            "SELECT content_id, rule_id FROM flags WHERE source = 'detector'"
        )
    }


def contents(store: Store) -> dict[str, Content]:
    """Every content item's author, kind and posting time, by id."""
    return {
        r[0]: Content(r[1], r[2], float(r[3]))
        for r in store.execute_sql("SELECT id, author, kind, at FROM contents")
    }


def moderation_decisions(store: Store) -> dict[str, DecisionState]:
    """Every moderator's (or automatic) upheld decision, by id."""
    decode = decision_codec[1].decode
    return {
        d.id: d
        for d in (
            decode(bytes(blob)) for (blob,) in store.execute_sql("SELECT state FROM decisions")
        )
    }


def labels_applied(store: Store, start: float, end: float) -> list[LabelApplied]:
    """Labels restricting content applied in [start, end), in log order."""
    return [
        LabelApplied(r[0], r[1], r[2], r[3], r[4], r[5], r[6], bool(r[7]))
        for r in store.execute_sql(LABELS, {"start": start, "end": end})
    ]


def sanctions_applied(store: Store, start: float, end: float) -> list[SanctionApplied]:
    """Sanctions imposed in [start, end), in log order."""
    return [SanctionApplied(*r) for r in store.execute_sql(SANCTIONS, {"start": start, "end": end})]


def admin_suspensions(store: Store, start: float, end: float) -> list[AdminSuspended]:
    """Group administration suspended by standing in [start, end), in log order."""
    return [
        AdminSuspended(*r)
        for r in store.execute_sql(ADMIN_SUSPENSIONS, {"start": start, "end": end})
    ]


def identities_refused(store: Store, start: float, end: float) -> list[IdentityRefused]:
    """Identities refused by a blocking decision in [start, end), in log order."""
    return [
        IdentityRefused(r[0], r[1], r[2], r[3], str(r[4]), r[5])
        for r in store.execute_sql(IDENTITIES_REFUSED, {"start": start, "end": end})
    ]
