"""What the fold returns: effects the shell records, each explainable from its evidence."""

from __future__ import annotations

import msgspec


class Effect(msgspec.Struct, frozen=True, kw_only=True, tag_field="effect"):
    """Something the fold decided because of one event (`event_id`) at time `at` (epoch s)."""

    event_id: str
    at: float


class LedgerEntry(Effect, frozen=True, kw_only=True, tag="ledger"):
    """A change to an account's score, with its reason, rule, policy version and evidence."""

    account_id: str
    delta: float
    reason: str
    policy_version: str
    rule_id: str | None = None
    evidence: tuple[str, ...] = ()
    note: str | None = None


class Denial(Effect, frozen=True, kw_only=True, tag="denial"):
    """An act the account attempted without the privilege it needs."""

    account_id: str
    privilege: str
    reason: str


class StrikeIssued(Effect, frozen=True, kw_only=True, tag="strike"):
    """An upheld violation counted against the author of the content."""

    account_id: str
    rule_id: str
    policy_version: str
    content_id: str
    expires_at: float


class SanctionImposed(Effect, frozen=True, kw_only=True, tag="sanction"):
    """A step of the ladder imposed on an account, with the reasons for it."""

    sanction_id: str
    account_id: str
    action: str
    until: float | None
    rule_id: str | None
    policy_version: str
    trigger: str
    reasons: str
    evidence: tuple[str, ...] = ()
    privileges: tuple[str, ...] | None = None


class LabelChanged(Effect, frozen=True, kw_only=True, tag="label"):
    """A content item was found violating a rule (or cleared of it) and hidden or restored."""

    content_id: str
    rule_id: str
    status: str
    visible: bool
    automated: bool = False


class Notice(Effect, frozen=True, kw_only=True, tag="notice"):
    """An accepted event the engine could not act on, and why (for operators)."""

    message: str


class AdminRightsChanged(Effect, frozen=True, kw_only=True, tag="admin_rights"):
    """An admin's rights in a group were suspended (standing fell) or restored."""

    account_id: str
    group_id: str
    acting: bool
    reasons: str


class GroupFlagged(Effect, frozen=True, kw_only=True, tag="group_flag"):
    """A group needs an operator's attention (for example: no acting admin)."""

    group_id: str
    message: str


class AppealFiledEffect(Effect, frozen=True, kw_only=True, tag="appeal_filed"):
    """An appeal was filed against a decision."""

    appeal_id: str
    decision_id: str
    account_id: str


class AppealDecidedEffect(Effect, frozen=True, kw_only=True, tag="appeal_decided"):
    """An appeal was decided: the decision upheld or reversed (its strike overruled)."""

    appeal_id: str
    decision_id: str
    account_id: str
    outcome: str
    decided_by: str
    seconds_to_decide: float


class SanctionLifted(Effect, frozen=True, kw_only=True, tag="sanction_lifted"):
    """A sanction stopped binding before its end (for example: its decision was reversed)."""

    sanction_id: str
    account_id: str
    reason: str


class IdentityChanged(Effect, frozen=True, kw_only=True, tag="identity"):
    """What happened to an identity: `refused` (with the reason, and the blocking decision if
    any), `verified`, `blocked` or `unblocked` (by `decision`). Never a raw value."""

    account_id: str | None
    kind: str | None
    fingerprint: str | None
    status: str
    reason: str
    decision: str | None = None
    until: float | None = None


class Flagged(Effect, frozen=True, kw_only=True, tag="flag"):
    """A detector or the report score found content that may break a rule: what it found, what
    the rule says to do (`outcome`), whether the rule is live or in shadow mode (or the
    content was never shown: `unshown`, recorded only), and its place in the review queue
    (`priority`: severity, reach, report score)."""

    content_id: str
    rule_id: str
    outcome: str
    mode: str
    source: str
    evidence: tuple[str, ...]
    priority: float


class CommentReviewed(Effect, frozen=True, kw_only=True, tag="comment_review"):
    """A comment waits for the owner of the post it answers, or the owner approved or
    rejected it, or it shows under their post with a violation label (their queue)."""

    content_id: str
    owner_id: str
    status: str  # held | approved | rejected | labelled
    reason: str
