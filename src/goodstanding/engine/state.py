"""Keyed state the fold reads and updates: one record per account and per content item."""

from __future__ import annotations

import math
from typing import Protocol, TypeVar

import msgspec

from goodstanding.identity.blocklist import BlockEntry
from goodstanding.policy.model import Policy

DAY = 86400.0
MAX_GROWTH = 512.0
"""The largest exponent of 2 a score is ever grown by (a read before the time its sum was
faded to): 2**512 saturates every score range and keeps the arithmetic finite."""


def fade(value: float, age: float, half_life: float) -> float:
    """`value` faded by `age` seconds (grown, within MAX_GROWTH halvings, by a negative age)."""
    growth = -age / half_life
    return value * math.exp2(MAX_GROWTH if growth > MAX_GROWTH else growth)  # min(), faster


class Strike(msgspec.Struct, kw_only=True, array_like=True, gc=False):
    """An upheld violation counted against an account until it expires."""

    at: float
    rule_id: str
    category: str
    content_id: str
    decision_id: str
    expires_at: float
    overruled: bool = False


class Sanction(msgspec.Struct, kw_only=True, array_like=True, gc=False):
    """A step of the ladder imposed on an account; `until` is None for a permanent one."""

    id: str
    action: str
    at: float
    until: float | None
    rule_id: str | None
    privileges: tuple[str, ...] | None = None
    lifted: bool = False

    def active(self, t: float) -> bool:
        """Whether it binds at time t."""
        return not self.lifted and self.at <= t and (self.until is None or t < self.until)


class AccountState(msgspec.Struct, kw_only=True, array_like=True, gc=False):
    """Everything the fold needs to know about one account."""

    id: str
    role: str
    registered_at: float
    acc: float = 0.0
    acc_at: float = 0.0
    gain_day: int = -1
    gained: float = 0.0
    strikes: list[Strike] = msgspec.field(default_factory=list)
    sanctions: list[Sanction] = msgspec.field(default_factory=list)
    warned: dict[str, str] = msgspec.field(default_factory=dict)
    admin_of: list[str] = msgspec.field(default_factory=list)
    admin_suspended: bool = False
    identities: dict[str, str] = msgspec.field(default_factory=dict)
    pending: dict[str, tuple[str, tuple[str, ...]]] = msgspec.field(default_factory=dict)
    reports_upheld: int = 0
    reports_rejected: int = 0
    comment_mode: str | None = None

    def report_accuracy(self) -> float:
        """How often this account's reports were upheld, smoothed (1/2 with no history)."""
        return (self.reports_upheld + 1) / (self.reports_upheld + self.reports_rejected + 2)

    def decayed(self, t: float, half_life: float) -> float:
        """The sum of ledger deltas, each faded by its age at time t."""
        if t == self.acc_at:
            return self.acc
        return fade(self.acc, t - self.acc_at, half_life)

    def score(self, t: float, policy: Policy) -> float:
        """The standing score at time t, within the policy's range."""
        s = policy.scoring
        raw = s.start + self.decayed(t, s.half_life_seconds)
        return min(max(raw, s.min), s.max)

    def add(self, delta: float, at: float, half_life: float) -> None:
        """Adds a ledger delta dated `at`; a late delta is faded by how late it is."""
        if at >= self.acc_at:
            self.acc = self.decayed(at, half_life) + delta
            self.acc_at = at
        else:
            self.acc += fade(delta, self.acc_at - at, half_life)

    def active_strikes(self, t: float, window: float) -> list[Strike]:
        """Strikes not expired, not overruled and within the ladder's window at time t."""
        return [
            s
            for s in self.strikes
            if not s.overruled and s.at <= t < s.expires_at and s.at > t - window
        ]

    def binding(self, t: float) -> list[Sanction]:
        """Sanctions in force at time t."""
        return [s for s in self.sanctions if s.active(t)]


class ContentState(msgspec.Struct, kw_only=True, array_like=True, gc=False):
    """Everything the fold needs to know about one content item."""

    id: str
    author: str
    kind: str
    at: float
    parent_id: str | None = None
    group_id: str | None = None
    published: bool = True
    removed_by: str | None = None
    # Tuples, not lists: most items keep them empty, and the garbage collector tracks every
    # list (an empty or all-string tuple it does not), which made each full collection walk
    # several objects per content item ever posted.
    reports: tuple[tuple[str, str, str], ...] = ()
    engaged: tuple[str, ...] = ()
    violations: tuple[str, ...] = ()
    flags: dict[str, str] = msgspec.field(default_factory=dict)
    charged: tuple[str, ...] = ()
    owner: str | None = None  # a comment's: the author of the content it answers
    owner_state: str | None = None  # held | approved | rejected (by the owner)
    labelled_at: float | None = None  # when a comment first showed with a violation label
    comment_mode: str | None = None  # a post's own comment mode, over its author's

    @property
    def visible(self) -> bool:
        """Whether members can see it: published, not removed, not hidden pending review,
        not waiting for or rejected by the owner of the post it answers."""
        return (
            self.published
            and self.removed_by is None
            and "hidden" not in self.flags.values()
            and self.owner_state not in ("held", "rejected")
        )


class GroupState(msgspec.Struct, kw_only=True, array_like=True, gc=False):
    """A group chat: its owner and every member's role (owner, admin or member)."""

    id: str
    owner: str
    created_at: float
    name: str = ""
    roles: dict[str, str] = msgspec.field(default_factory=dict)
    without_admin: bool = False

    def admins(self) -> list[str]:
        """Members holding the owner or admin role, in id order."""
        return sorted(m for m, role in self.roles.items() if role in ("owner", "admin"))


class DecisionState(msgspec.Struct, kw_only=True, array_like=True, gc=False):
    """A moderator's upheld decision on content, as far as an appeal needs to know it."""

    id: str
    at: float
    content_id: str
    account_id: str
    rule_id: str
    policy_version: str
    decided_by: str
    penalty: float
    appeal_id: str | None = None
    reversed: bool = False
    owner_id: str | None = None  # the post's owner, answering for a comment per policy
    owner_penalty: float = 0.0


class AppealState(msgspec.Struct, kw_only=True, array_like=True, gc=False):
    """An appeal against a decision, and its outcome once decided."""

    id: str
    decision_id: str
    account_id: str
    filed_at: float
    outcome: str | None = None


class IdentityState(msgspec.Struct, kw_only=True, array_like=True, gc=False):
    """One identity fingerprint: the accounts verified with it and the holds blocking it."""

    fingerprint: str
    holders: list[str] = msgspec.field(default_factory=list)
    block: BlockEntry | None = None


class _Keyed(Protocol):
    @property
    def id(self) -> str: ...


_K = TypeVar("_K", bound=_Keyed)


def _marked(dirty: set[str], item: _K) -> _K:
    """The item, its key added to a set of changed keys."""
    dirty.add(item.id)
    return item


class State:
    """The keyed state of a run: accounts and content by id, and which keys changed."""

    def __init__(self) -> None:
        self.accounts: dict[str, AccountState] = {}
        self.contents: dict[str, ContentState] = {}
        self.groups: dict[str, GroupState] = {}
        self.decisions: dict[str, DecisionState] = {}
        self.appeals: dict[str, AppealState] = {}
        self.identities: dict[str, IdentityState] = {}
        self.dirty_accounts: set[str] = set()
        self.dirty_contents: set[str] = set()
        self.dirty_groups: set[str] = set()
        self.dirty_decisions: set[str] = set()
        self.dirty_appeals: set[str] = set()
        self.dirty_identities: set[str] = set()
        self.touched: list[AccountState] = []

    def touch_account(self, account: AccountState) -> AccountState:
        """Marks an account as changed (in this batch and by the event being applied)."""
        self.dirty_accounts.add(account.id)
        self.touched.append(account)
        return account

    def touch_content(self, content: ContentState) -> ContentState:
        """Marks a content item as changed; returns it."""
        return _marked(self.dirty_contents, content)

    def touch_group(self, group: GroupState) -> GroupState:
        """Marks a group as changed; returns it."""
        return _marked(self.dirty_groups, group)

    def touch_decision(self, decision: DecisionState) -> DecisionState:
        """Marks a decision as changed; returns it."""
        return _marked(self.dirty_decisions, decision)

    def touch_appeal(self, appeal: AppealState) -> AppealState:
        """Marks an appeal as changed; returns it."""
        return _marked(self.dirty_appeals, appeal)

    def identity(self, fingerprint: str) -> IdentityState:
        """The state of a fingerprint (a new, empty one if unseen), marked as changed."""
        found = self.identities.get(fingerprint)
        if found is None:
            found = self.identities[fingerprint] = IdentityState(fingerprint=fingerprint)
        self.dirty_identities.add(fingerprint)
        return found

    def clear_dirty(self) -> None:
        """Forgets which keys changed (after they were saved)."""
        self.dirty_accounts.clear()
        self.dirty_contents.clear()
        self.dirty_groups.clear()
        self.dirty_decisions.clear()
        self.dirty_appeals.clear()
        self.dirty_identities.clear()


account_codec = (msgspec.msgpack.Encoder(), msgspec.msgpack.Decoder(AccountState))
content_codec = (msgspec.msgpack.Encoder(), msgspec.msgpack.Decoder(ContentState))
group_codec = (msgspec.msgpack.Encoder(), msgspec.msgpack.Decoder(GroupState))
decision_codec = (msgspec.msgpack.Encoder(), msgspec.msgpack.Decoder(DecisionState))
appeal_codec = (msgspec.msgpack.Encoder(), msgspec.msgpack.Decoder(AppealState))
identity_codec = (msgspec.msgpack.Encoder(), msgspec.msgpack.Decoder(IdentityState))
