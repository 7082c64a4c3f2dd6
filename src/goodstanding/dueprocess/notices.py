"""The notices outbox: one notice to the person affected by each decision, for the platform
to deliver and acknowledge.

Notices are read from the projections, so a replay gives the same notices with the same ids
(`table:event_seq:n`, the position of the effect that caused them); acknowledgements live in
their own table, which replay keeps."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from goodstanding.dueprocess.collect import Facts, decisions
from goodstanding.dueprocess.sor import ACTION_WORDS, Decision, human_statement
from goodstanding.policy import PolicySet
from goodstanding.queries.decisions import AUTHORED, OWNED, scoped
from goodstanding.store import Store
from goodstanding.store import schema as tables

APPEAL_OUTCOMES = {
    "upheld": "Your appeal was not granted: after review, the decision stands.",
    "reversed": (
        "Your appeal was granted: the decision was reversed and its effects undone (the strike "
        "overruled, the score restored, sanctions lifted, content shown again, identity "
        "blocks lifted)."
    ),
}


class NoticeError(ValueError):
    """A notice that cannot be acknowledged: unknown id."""


@dataclass(frozen=True)
class Notice:
    """A message to one account about a decision that concerns it."""

    id: str
    account_id: str
    at: float
    subject: str
    body: str
    acked_at: float | None = None
    acked_by: str | None = None


def _appeal_days(policies: PolicySet, t: float) -> float:
    policy = policies.at(datetime.fromtimestamp(t, UTC)) or policies.versions[0]
    return policy.appeals.window_days


def _of_decision(decision: Decision, policies: PolicySet) -> Notice:
    return Notice(
        id=decision.row,
        account_id=decision.account_id,
        at=decision.application,
        subject=ACTION_WORDS.get(decision.action, decision.action),
        body=human_statement(decision, _appeal_days(policies, decision.application)),
    )


def _row_notice(
    table: str, seq: int, n: int, account_id: str, at: float, subject: str, body: str
) -> Notice:
    """A notice about an effect in a projection table, named by its row there."""
    return Notice(f"{table}:{seq}:{n}", account_id, at, subject, body)


def _favourable(store: Store, facts: Facts) -> Iterator[Notice]:
    """Decisions in the person's favour: content shown again, sanctions lifted, group
    administration restored, appeals received and decided, identity submissions refused
    (for the account the facts were gathered for, if one)."""

    def rows(sql: str, scope: str) -> list[Any]:
        return store.execute_sql(scoped(sql, scope, facts.account), {"account": facts.account})

    before: dict[tuple[str, str], str] = {}  # the label a content item had for a rule
    for seq, n, at, content_id, rule_id, status in rows(
        "SELECT event_seq, n, at, content_id, rule_id, status FROM labels WHERE {scope}1 = 1 "
        "ORDER BY event_seq, n",
        AUTHORED,
    ):
        previous = before.get((content_id, rule_id))
        before[(content_id, rule_id)] = status
        if status not in ("cleared", "reversed") or previous in (None, "queued"):
            continue  # only what was notified as a decision is notified as undone
        author, kind, _ = facts.contents.get(content_id, ("", "post", at))
        how = "A moderator found" if status == "cleared" else "On appeal, it was found"
        yield _row_notice(
            "labels",
            seq,
            n,
            author,
            at,
            subject="Your content is shown again"
            if previous in ("hidden", "upheld")
            else "The label on your content was removed",
            body=f"{how} that your {kind} {content_id} does not break rule {rule_id}; its "
            "label was removed and anything it hid is shown again.",
        )
    for seq, n, at, account_id, sanction_id, reason in rows(
        "SELECT event_seq, n, at, account_id, sanction_id, reason FROM sanction_lifts "
        "WHERE {scope}1 = 1",
        OWNED,
    ):
        yield _row_notice(
            "sanction_lifts",
            seq,
            n,
            account_id,
            at,
            subject="A sanction on your account was lifted",
            body=f"Sanction {sanction_id} no longer applies: {reason}.",
        )
    for seq, n, at, account_id, reasons in rows(
        "SELECT event_seq, n, at, account_id, reasons FROM admin_rights WHERE {scope}acting",
        OWNED,
    ):
        yield _row_notice(
            "admin_rights",
            seq,
            n,
            account_id,
            at,
            subject="Your group administration rights were restored",
            body=reasons,
        )
    for seq, n, at, account_id, appeal_id, decision_id, outcome in rows(
        "SELECT event_seq, n, at, account_id, appeal_id, decision_id, outcome FROM appeal_log "
        "WHERE {scope}1 = 1",
        OWNED,
    ):
        yield _row_notice(
            "appeal_log",
            seq,
            n,
            account_id,
            at,
            subject="Your appeal was decided" if outcome else "Your appeal was received",
            body=APPEAL_OUTCOMES[outcome]
            if outcome
            else f"Your appeal {appeal_id} against decision {decision_id} was received; a "
            "moderator other than the one who decided will review it.",
        )
    for seq, n, at, account_id, reason in rows(
        "SELECT event_seq, n, at, account_id, reason FROM identity_log "
        "WHERE {scope}status = 'refused' AND decision IS NULL AND account_id IS NOT NULL",
        OWNED,
    ):
        yield _row_notice(
            "identity_log",
            seq,
            n,
            account_id,
            at,
            subject="Your identity submission was refused",
            body=f"The identity submitted could not be accepted: {reason}.",
        )


def notices(
    store: Store,
    policies: PolicySet,
    account: str | None = None,
    include_acked: bool = False,
) -> list[Notice]:
    """The outbox: notices in time order (unacknowledged only, unless `include_acked`),
    for one account or all."""
    facts = Facts(store, policies, account)
    found = [
        *(
            _of_decision(d, policies)
            for d in decisions(store, policies, -math.inf, math.inf, facts)
        ),
        *_favourable(store, facts),
    ]
    acks = _acks(store)
    chosen = [
        Notice(**{**n.__dict__, "acked_at": acks[n.id][0], "acked_by": acks[n.id][1]})
        if n.id in acks
        else n
        for n in found
        if n.account_id and (account is None or n.account_id == account)
    ]
    chosen = [n for n in chosen if include_acked or n.acked_at is None]
    return sorted(chosen, key=lambda n: (n.at, n.id))


def _acks(store: Store) -> dict[str, tuple[float, str]]:
    with store.engine.connect() as conn:
        return {r[0]: (r[1], r[2]) for r in conn.execute(select(tables.outbox_acks))}


def acknowledge(
    store: Store, policies: PolicySet, notice_ids: list[str], by: str, at: float
) -> list[str]:
    """Marks notices delivered; returns the ids newly acknowledged (ones already acknowledged
    are left as they were). Refuses the whole call, writing nothing, if any id is unknown."""
    known = {n.id for n in notices(store, policies, include_acked=True)}
    unknown = [i for i in notice_ids if i not in known]
    if unknown:
        raise NoticeError(f"no notice {', '.join(map(repr, unknown))} in the outbox")
    done = _acks(store)
    new = sorted({i for i in notice_ids if i not in done})
    if new:
        with store.engine.begin() as conn:
            conn.execute(
                tables.outbox_acks.insert(),
                [{"notice_id": i, "acked_at": at, "acked_by": by} for i in new],
            )
    return new
