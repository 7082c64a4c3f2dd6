"""Decisions read back from the store, for statements of reasons, notices and reports."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, TypedDict

from goodstanding.dueprocess.sor import EU_EEA, Decision, batches, exported, statement
from goodstanding.engine.decisions import AUTOMATED_DECIDER
from goodstanding.engine.state import DecisionState
from goodstanding.policy import PolicySet
from goodstanding.queries import decisions as read
from goodstanding.queries.decisions import Content
from goodstanding.store import Store

OTHER = "STATEMENT_CATEGORY_OTHER_VIOLATION_TC"
LABEL_ACTIONS = {"upheld": "removed", "hidden": "hidden", "flagged": "labelled"}
"""What each restricting label status does to the content."""
BY_STANDING = (OTHER, "fully", True)
"""A decision goodstanding takes by itself from the standing rules: its category, automated
decision and automated detection."""


def rule_in_force(policies: PolicySet, rule_id: str | None, at: float) -> tuple[str, str, str]:
    """A rule's ground (id, version, title), its text and its DSA category, as in force at
    `at` (a placeholder ground, and the category `OTHER`, for a rule not in force then)."""
    found = policies.rule_at(rule_id, datetime.fromtimestamp(at, UTC)) if rule_id else None
    if found is None:
        return (f"rule {rule_id}", "a rule of the published policy", OTHER)
    policy, rule = found
    return (f"{rule.id} (policy {policy.version}): {rule.title}", rule.text, rule.dsa_category)


def trusted_flaggers(policies: PolicySet) -> set[str]:
    """The trusted flaggers any policy version names."""
    return {a for p in policies.versions for a in p.detection.trusted_flaggers}


def label_decision(status: str, automated: bool, detected: bool) -> tuple[str, str, bool]:
    """A restricting label's action, automated decision (`fully` or `not`) and automated
    detection, from its status, whether it was applied automatically and whether a detector
    flagged the content for its rule."""
    decision = "fully" if (automated or status != "upheld") else "not"
    return LABEL_ACTIONS[status], decision, automated or detected


def sanction_automation(decided: DecisionState | None) -> str:
    """How automated a sanction's decision was: `not` when a moderator imposed it directly,
    `fully` when it followed an automatic decision, else `partially` (the ladder set it)."""
    if decided is not None and not decided.content_id:
        return "not"
    if decided is not None and decided.decided_by == AUTOMATED_DECIDER:
        return "fully"
    return "partially"


class Grounds(TypedDict):
    """What a decision rests on: a rule's ground (id, version, title), its text and its DSA
    category."""

    ground: str
    explanation: str
    category: str


class Facts:
    """What the store knows around the decisions: who reported what, which content detectors
    flagged, who wrote what, and every moderation decision; around one account's decisions
    only, when `account` is given."""

    def __init__(self, store: Store, policies: PolicySet, account: str | None = None):
        self.store, self.policies, self.account = store, policies, account
        self.contents = read.contents(store, account)
        self.trusted = trusted_flaggers(policies)
        self.detected = read.detected(store, account)
        self.decisions: dict[str, DecisionState] = read.moderation_decisions(store, account)

    @cached_property
    def reports(self) -> dict[str, list[tuple[float, str, str]]]:
        """The reports of each content item as (when, reporter, rule), read on first use."""
        found: dict[str, list[tuple[float, str, str]]] = defaultdict(list)
        for report in read.reports(self.store, None if self.account is None else self.contents):
            found[report.content_id].append((report.at, report.reporter, report.rule_id))
        return found

    def rule(self, rule_id: str | None, at: float) -> tuple[str, str, str]:
        """A rule's ground (id, version, title), its text and its DSA category, as in force."""
        return rule_in_force(self.policies, rule_id, at)

    def grounds(self, rule_id: str | None, at: float) -> Grounds:
        """A rule in force, as the ground, explanation and category of a decision."""
        ground, explanation, category = self.rule(rule_id, at)
        return {"ground": ground, "explanation": explanation, "category": category}

    def decision_behind(self, sanction_id: str) -> DecisionState | None:
        """The moderation decision a sanction (or a block it placed) came from, if any; a
        block on one account's identity may come from another account's decision."""
        key = sanction_id.split("/", 1)[0]
        if key not in self.decisions and self.account is not None:
            found = read.moderation_decision(self.store, key)
            if found is not None:
                self.decisions[key] = found
        return self.decisions.get(key)

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
    administration suspended; identities refused. Those against one account only, when
    `facts` were gathered for one."""
    facts = facts or Facts(store, policies)
    account = facts.account
    for label in read.labels_applied(store, start, end, account):
        content_id, rule_id, status, at = label.content_id, label.rule_id, label.status, label.at
        author, kind, posted = facts.contents.get(content_id, Content("", "post", at))
        action, automation, detected = label_decision(
            status, label.automated, (content_id, rule_id) in facts.detected
        )
        by = (
            ("automatically" if label.automated else "by a moderator")
            if status == "upheld"
            else "automatically, pending review"
        )
        yield Decision(
            reference=f"label-{label.seq}-{label.n}",
            row=f"labels:{label.seq}:{label.n}",
            account_id=author,
            appeal_ref=label.event_id if label.event_id in facts.decisions else None,
            kind="content",
            action=action,
            application=at,
            end=None,
            content_kind=kind,
            content_date=posted,
            **facts.grounds(rule_id, posted),
            facts=f"A {kind} was found to break the rule cited and was {action} {by}."
            if status == "upheld"
            else f"A {kind} appears to break the rule cited and was {action} {by}.",
            automated_detection=detected,
            automated_decision=automation,
            source=facts.source(content_id)
            if status == "upheld" or not detected
            else "own_initiative",
        )
    for sanction in read.sanctions_applied(store, start, end, account):
        decided = facts.decision_behind(sanction.sanction_id)
        on = decided.content_id if decided is not None else None
        direct = decided is not None and not on  # a moderator's account.sanctioned
        _, _, posted = facts.contents.get(on or "", Content("", "post", sanction.at))
        yield Decision(
            reference=sanction.sanction_id,
            row=f"sanctions:{sanction.seq}:{sanction.n}",
            account_id=sanction.account_id,
            appeal_ref=decided.id if decided is not None else None,
            kind="account",
            action=sanction.action,
            application=sanction.at,
            end=sanction.until,
            content_kind=None,
            content_date=posted,
            **facts.grounds(sanction.rule_id, posted),
            facts=f"Imposed directly as {sanction.trigger}."
            if direct
            else f"The published sanction ladder set this step after upheld violations "
            f"of the rules: {sanction.trigger}.",
            automated_detection=(on, sanction.rule_id) in facts.detected,
            automated_decision=sanction_automation(decided),
            source=facts.source(on) if on else "own_initiative",
        )
    for seq, n, at, account_id in read.admin_suspensions(store, start, end, account):
        yield _by_standing_rule("admin_suspended", seq, n, account_id, None, at, None)
    for refused in read.identities_refused(store, start, end, account):
        blocked_by = facts.decision_behind(refused.decision)
        yield _by_standing_rule(
            "identity_refused",
            refused.seq,
            refused.n,
            refused.account_id or "",
            blocked_by.id if blocked_by is not None else None,
            refused.at,
            refused.until,
        )


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
    category, automation, detected = BY_STANDING
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
        category=category,
        facts=found,
        automated_detection=detected,
        automated_decision=automation,
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
