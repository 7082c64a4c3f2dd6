"""The policy: rules, scoring, bands, the sanction ladder; one object per policy version."""

from __future__ import annotations

from datetime import datetime
from functools import cached_property
from typing import Literal

import msgspec

from goodstanding.detect.spec import DetectorSpec, ReportsSpec
from goodstanding.policy.conditions import Conditions

PRIVILEGES: tuple[str, ...] = (
    "post",
    "comment",
    "message",
    "like",
    "share",
    "post_links",
    "create_group",
    "administer_group",
)
SEVERITIES: tuple[str, ...] = ("low", "medium", "high", "critical")
ACTIONS: tuple[str, ...] = ("warning", "restriction", "revoke_group_admin", "suspension", "ban")
DSA_CATEGORIES: tuple[str, ...] = (
    "animal_welfare",
    "consumer_information",
    "cyber_violence",
    "cyber_violence_against_women",
    "data_protection_and_privacy_violations",
    "illegal_or_harmful_speech",
    "intellectual_property_infringements",
    "negative_effects_on_civic_discourse_or_elections",
    "not_specified_notice",
    "other_violation_tc",
    "protection_of_minors",
    "risk_for_public_security",
    "scams_and_fraud",
    "self_harm",
    "unsafe_and_prohibited_products",
    "violence",
)

Severity = Literal["low", "medium", "high", "critical"]
Action = Literal["warning", "restriction", "revoke_group_admin", "suspension", "ban"]


class _Section(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A table of the policy file: unknown keys are errors, not silently ignored."""


class Header(_Section, frozen=True, kw_only=True):
    """The `[policy]` table: which version this is and from when it applies."""

    version: str
    effective_from: datetime
    name: str = ""


class Weights(_Section, frozen=True, kw_only=True):
    """Ledger deltas per kind of event (positive for contributions, negative for harm)."""

    post: float = 0.0
    comment: float = 0.0
    message: float = 0.0
    like_given: float = 0.0
    share_given: float = 0.0
    like_received: float = 0.0
    share_received: float = 0.0
    report_upheld: float = 0.0
    report_rejected: float = 0.0
    engaged_violating: float = 0.0


class Penalties(_Section, frozen=True, kw_only=True):
    """Ledger delta for an upheld violation, by the rule's severity (zero or negative)."""

    low: float
    medium: float
    high: float
    critical: float

    def for_severity(self, severity: str) -> float:
        """The penalty for a rule of this severity."""
        return float(getattr(self, severity))


class Scoring(_Section, frozen=True, kw_only=True):
    """The score: its start, range, decay half-life and daily cap on gains."""

    start: float
    min: float
    max: float
    half_life_days: float
    daily_gain_cap: float
    weights: Weights
    penalties: Penalties

    @property
    def half_life_seconds(self) -> float:
        """The half-life of a ledger entry, in seconds."""
        return self.half_life_days * 86400.0


class Band(_Section, frozen=True, kw_only=True):
    """A score range [min, max) and the privileges it grants (the top band includes max)."""

    name: str
    min: float
    max: float
    privileges: tuple[str, ...]


class LadderStep(_Section, frozen=True, kw_only=True):
    """One step of the sanction ladder and what triggers it."""

    action: Action
    strikes: int | None = None
    score_below: float | None = None
    days: float | None = None
    privileges: tuple[str, ...] | None = None

    @property
    def trigger(self) -> str:
        """The trigger in words, for statements of reasons."""
        if self.strikes is not None:
            return f"{self.strikes} active strike{'s' if self.strikes != 1 else ''}"
        return f"score below {self.score_below:g}"


class Sanctions(_Section, frozen=True, kw_only=True, dict=True):
    """Strike expiry and window, and the ladder of steps."""

    strike_expiry_days: float
    strike_window_days: float
    ladder: tuple[LadderStep, ...]

    @cached_property
    def strike_steps(self) -> tuple[LadderStep, ...]:
        """Steps triggered by strikes, in ascending order of strikes."""
        return tuple(
            sorted((s for s in self.ladder if s.strikes is not None), key=lambda s: s.strikes or 0)
        )

    @cached_property
    def score_steps(self) -> tuple[LadderStep, ...]:
        """Steps triggered by a low score, lowest threshold first."""
        return tuple(
            sorted(
                (s for s in self.ladder if s.score_below is not None),
                key=lambda s: s.score_below or 0.0,
            )
        )


class Rule(_Section, frozen=True, kw_only=True):
    """A published rule: what it forbids in plain language, and from when it applies."""

    id: str
    title: str
    text: str
    category: str
    severity: Severity
    severe: bool = False
    effective_from: datetime
    effective_until: datetime | None = None
    mode: Literal["live", "shadow"] = "live"
    detectors: tuple[DetectorSpec, ...] = ()
    when: Conditions | None = None
    """Conditions on the account, the act and the event's attributes (policy/conditions.py)."""

    def in_force(self, at: datetime) -> bool:
        """Whether the rule applies to an act at this instant."""
        if at < self.effective_from:
            return False
        return self.effective_until is None or at < self.effective_until

    @property
    def on_conditions_alone(self) -> bool:
        """Whether the rule matches on its conditions alone (it has no text detector)."""
        return self.when is not None and all(isinstance(d, ReportsSpec) for d in self.detectors)

    @property
    def dsa_category(self) -> str:
        """The category as the DSA Transparency Database names it."""
        return f"STATEMENT_CATEGORY_{self.category.upper()}"


class Groups(_Section, frozen=True, kw_only=True):
    """Group chats: whether suspended admin rights come back when the score recovers."""

    restore_admin_automatically: bool = True


CommentMode = Literal["open", "hold_flagged", "hold_all"]


class Comments(_Section, frozen=True, kw_only=True):
    """Owners vet comments under their posts: the default comment mode, and what an owner
    answers for (small ledger weights, zero or negative) when a comment under their post is
    later upheld as breaking a rule: having approved it, or having left it visible with a
    violation label for longer than `labelled_visible_hours`."""

    default_mode: CommentMode = "open"
    approved_violating: float = -1.0
    labelled_visible: float = -0.5
    labelled_visible_hours: float = 24.0


class Records(_Section, frozen=True, kw_only=True):
    """Retention of group-chat records: kept at least `min_days`, deleted after `max_days`."""

    min_days: float = 180.0
    max_days: float = 365.0


class Detection(_Section, frozen=True, kw_only=True):
    """Reports and engagement: whose reports weigh more, and whether engagement before a
    violation label counts against the engager."""

    trusted_flaggers: tuple[str, ...] = ()
    trusted_weight: float = 3.0
    retroactive_engagement: bool = False


class Appeals(_Section, frozen=True, kw_only=True):
    """Appeals: how long after a decision one may be filed, and who may decide it."""

    window_days: float = 183.0
    different_decider: bool = True


class Identity(_Section, frozen=True, kw_only=True):
    """Real-name rules: privileges that need a verified identity, accounts per identity, and
    which sanctions block the identities of the account they fall on."""

    required_for: tuple[str, ...] = ()
    max_accounts_per_identity: int = 1
    block_on: tuple[str, ...] = ("ban", "suspension")


class Policy(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, dict=True):
    """One version of the operator's policy, as loaded from its TOML file."""

    policy: Header
    scoring: Scoring
    bands: tuple[Band, ...]
    sanctions: Sanctions
    rules: tuple[Rule, ...]
    groups: Groups = Groups()
    comments: Comments = Comments()
    records: Records = Records()
    appeals: Appeals = Appeals()
    identity: Identity = Identity()
    detection: Detection = Detection()

    @property
    def version(self) -> str:
        """The version id."""
        return self.policy.version

    @property
    def effective_from(self) -> datetime:
        """From when this version applies."""
        return self.policy.effective_from

    @cached_property
    def rules_by_id(self) -> dict[str, Rule]:
        """Rules keyed by id."""
        return {rule.id: rule for rule in self.rules}

    def band_for(self, score: float) -> Band:
        """The band a score falls in."""
        for band in self.bands:
            if score < band.max:
                return band
        return self.bands[-1]
