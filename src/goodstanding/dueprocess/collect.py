"""Decisions read back from the store, for statements of reasons, notices and reports."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import msgspec

from goodstanding.dueprocess.sor import EU_EEA, Decision, batches, exported, statement
from goodstanding.engine.decisions import AUTOMATED_DECIDER
from goodstanding.engine.state import DecisionState, decision_codec
from goodstanding.policy import PolicySet
from goodstanding.store import Store

OTHER = "STATEMENT_CATEGORY_OTHER_VIOLATION_TC"


class Facts:
    """What the store knows around the decisions: who reported what, which content detectors
    flagged, who wrote what, and every moderation decision."""

    def __init__(self, store: Store, policies: PolicySet):
        self.policies = policies
        decode = msgspec.json.Decoder(dict[str, Any]).decode
        self.reports: dict[str, list[tuple[float, str, str]]] = defaultdict(list)
        for at, actor, body in store.execute_sql(
            "SELECT at, actor, body FROM events WHERE type = 'content.reported'"
        ):
            event = decode(body)
            self.reports[event["content_id"]].append((float(at), actor, event["rule"]))
        self.trusted = {a for p in policies.versions for a in p.detection.trusted_flaggers}
        self.detected = {
            (r[0], r[1])
            for r in store.execute_sql(
                "SELECT content_id, rule_id FROM flags WHERE source = 'detector'"
            )
        }
        self.contents: dict[str, tuple[str, str, float]] = {
            r[0]: (r[1], r[2], float(r[3]))
            for r in store.execute_sql("SELECT id, author, kind, at FROM contents")
        }
        decode_decision = decision_codec[1].decode
        self.decisions: dict[str, DecisionState] = {
            d.id: d
            for d in (
                decode_decision(bytes(blob))
                for (blob,) in store.execute_sql("SELECT state FROM decisions")
            )
        }

    def rule(self, rule_id: str | None, at: float) -> tuple[str, str, str]:
        """A rule's ground (id, version, title), its text and its DSA category, as in force."""
        found = self.policies.rule_at(rule_id, datetime.fromtimestamp(at, UTC)) if rule_id else None
        if found is None:
            return (f"rule {rule_id}", "a rule of the published policy", OTHER)
        policy, rule = found
        return (f"{rule.id} (policy {policy.version}): {rule.title}", rule.text, rule.dsa_category)

    def decision_behind(self, sanction_id: str) -> DecisionState | None:
        """The moderation decision a sanction (or a block it placed) came from, if any."""
        return self.decisions.get(sanction_id.split("/", 1)[0])

    def source(self, content_id: str | None) -> str:
        """Whether a content item came to the platform's attention by a trusted flagger's
        notice, another notice, or on the platform's own initiative."""
        reporters = {actor for _, actor, _ in self.reports.get(content_id or "", [])}
        if reporters & self.trusted:
            return "trusted_flagger"
        return "notice" if reporters else "own_initiative"


def decisions(
    store: Store, policies: PolicySet, start: float, end: float, facts: Facts | None = None
) -> Iterator[Decision]:
    """Every decision against an account or its content applied in [start, end): content
    removed, hidden or labelled; warnings, restrictions, suspensions, bans; group
    administration suspended; identities refused."""
    facts = facts or Facts(store, policies)
    window = {"start": start, "end": end}
    for seq, n, event_id, at, content_id, rule_id, status, automated in store.execute_sql(
        "SELECT event_seq, n, event_id, at, content_id, rule_id, status, automated FROM labels "
        "WHERE status IN ('upheld', 'hidden', 'flagged') AND at >= :start AND at < :end "
        "ORDER BY event_seq, n",
        window,
    ):
        author, kind, posted = facts.contents.get(content_id, ("", "post", at))
        ground, text, category = facts.rule(rule_id, posted)
        detected = bool(automated) or (content_id, rule_id) in facts.detected
        action = {"upheld": "removed", "hidden": "hidden", "flagged": "labelled"}[status]
        by = (
            ("automatically" if automated else "by a moderator")
            if status == "upheld"
            else "automatically, pending review"
        )
        yield Decision(
            reference=f"label-{seq}-{n}",
            row=f"labels:{seq}:{n}",
            account_id=author,
            appeal_ref=event_id if event_id in facts.decisions else None,
            kind="content",
            action=action,
            application=at,
            end=None,
            content_kind=kind,
            content_date=posted,
            ground=ground,
            explanation=text,
            category=category,
            facts=f"A {kind} was found to break the rule cited and was {action} {by}."
            if status == "upheld"
            else f"A {kind} appears to break the rule cited and was {action} {by}.",
            automated_detection=detected,
            automated_decision="fully" if (automated or status != "upheld") else "not",
            source=facts.source(content_id)
            if status == "upheld" or not detected
            else "own_initiative",
        )
    for seq, n, sanction_id, account_id, action, at, until, rule_id, trigger in store.execute_sql(
        "SELECT event_seq, n, sanction_id, account_id, action, at, until, rule_id, trigger "
        "FROM sanctions WHERE at >= :start AND at < :end ORDER BY event_seq, n",
        window,
    ):
        decided = facts.decision_behind(sanction_id)
        content_id = decided.content_id if decided is not None else None
        _, _, posted = facts.contents.get(content_id or "", ("", "post", at))
        ground, text, category = facts.rule(rule_id, posted)
        yield Decision(
            reference=sanction_id,
            row=f"sanctions:{seq}:{n}",
            account_id=account_id,
            appeal_ref=decided.id if decided is not None else None,
            kind="account",
            action=action,
            application=at,
            end=until,
            content_kind=None,
            content_date=posted,
            ground=ground,
            explanation=text,
            category=category,
            facts=f"The published sanction ladder set this step after upheld violations "
            f"of the rules: {trigger}.",
            automated_detection=(content_id, rule_id) in facts.detected,
            automated_decision="fully"
            if decided is not None and decided.decided_by == AUTOMATED_DECIDER
            else "partially",
            source=facts.source(content_id) if content_id else "own_initiative",
        )
    for seq, n, at, account_id in store.execute_sql(
        "SELECT event_seq, n, at, account_id FROM admin_rights WHERE NOT acting "
        "AND at >= :start AND at < :end ORDER BY event_seq, n",
        window,
    ):
        yield _by_standing_rule("admin_suspended", seq, n, account_id, None, at, None)
    for seq, n, at, account_id, blocking, until in store.execute_sql(
        "SELECT event_seq, n, at, account_id, decision, until FROM identity_log "
        "WHERE status = 'refused' AND decision IS NOT NULL AND at >= :start AND at < :end "
        "ORDER BY event_seq, n",
        window,
    ):
        decided = facts.decision_behind(str(blocking))
        appeal_ref = decided.id if decided is not None else None
        yield _by_standing_rule("identity_refused", seq, n, account_id or "", appeal_ref, at, until)


STANDING_RULES = {
    "admin_suspended": (
        "admin_rights",
        "provision",
        "Group administration needs the standing band that grants it",
        "Administering a group is a privilege of the standing bands the published policy "
        "names; it returns when standing recovers.",
        "The account's standing score fell below the band that grants group administration.",
    ),
    "identity_refused": (
        "identity_log",
        "identity",
        "No new account for an identity blocked by a ban or suspension",
        "An identity verified for an account that is banned or suspended may not open another "
        "account while the sanction lasts.",
        "The identity submitted is blocked by an earlier decision on an account it was "
        "verified for.",
    ),
}
"""Decisions goodstanding takes by itself from the published standing rules: the projection
they are read from, what each restricts, its ground, the rule's text and the facts."""


def _by_standing_rule(
    action: str,
    seq: int,
    n: int,
    account_id: str,
    appeal_ref: str | None,
    at: float,
    end: float | None,
) -> Decision:
    table, kind, ground, text, found = STANDING_RULES[action]
    return Decision(
        reference=f"{action}-{seq}-{n}",
        row=f"{table}:{seq}:{n}",
        account_id=account_id,
        appeal_ref=appeal_ref,
        kind=kind,
        action=action,
        application=at,
        end=end,
        content_kind=None,
        content_date=at,
        ground=ground,
        explanation=text,
        category=OTHER,
        facts=found,
        automated_detection=True,
        automated_decision="fully",
        source="own_initiative",
    )


def statements_of_reasons(
    store: Store, policies: PolicySet, start: float, end: float, scope: Iterable[str] = EU_EEA
) -> list[dict[str, Any]]:
    """The Transparency Database statements for every restriction applied in [start, end),
    each checked against the database's schema; raises ValueError naming the first statement
    that would be refused (nothing is returned then)."""
    items = [statement(d, scope) for d in decisions(store, policies, start, end) if exported(d)]
    list(batches(items))  # validates every statement and refuses a repeated puid
    return items
