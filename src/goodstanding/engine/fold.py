"""The fold: one event, the keyed state it touches and the policy in force give effects.

Deterministic and free of I/O: time is the event's `at`, never a clock; no randomness.
`Engine.apply` validates first and changes nothing when it refuses an event (`Rejected`),
so the shell can keep the log and the state in step.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import partial

from goodstanding.detect import Detection, Detector
from goodstanding.engine import appeals, comments, groups, identity, moderation
from goodstanding.engine.base import Rejected, iso
from goodstanding.engine.effects import (
    Denial,
    Effect,
    LabelChanged,
    LedgerEntry,
    Notice,
    SanctionImposed,
    StrikeIssued,
)
from goodstanding.engine.state import (
    DAY,
    AccountState,
    ContentState,
    DecisionState,
    Sanction,
    State,
    Strike,
)
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
    GroupCreated,
    GroupJoined,
    GroupLeft,
    GroupRoleChanged,
    IdentityRejected,
    IdentitySubmitted,
    IdentityVerified,
    ReviewDecided,
)
from goodstanding.policy.model import ACTIONS, LadderStep, Policy, Rule
from goodstanding.policy.versions import PolicySet

LINK = re.compile(r"https?://|www\.", re.IGNORECASE)
BLOCKING = ("ban", "suspension")


class Engine:
    """Folds events into keyed state under a set of policy versions."""

    def __init__(self, policies: PolicySet, state: State | None = None):
        self.policies = policies
        self.state = state if state is not None else State()
        self._starts = [p.effective_from.timestamp() for p in policies.versions]
        self.detectors: dict[str, Detector] = {}
        self.detections: dict[str, Detection] = {}
        self._handlers: dict[type, Callable[..., list[Effect]]] = {
            AccountRegistered: self._registered,
            ContentPosted: self._posted,
            ContentEngaged: self._engaged,
            ContentReported: self._reported,
            ReviewDecided: self._decided,
            CommentModeSet: partial(comments.mode_set, self),
            CommentApproved: partial(comments.approved, self),
            CommentRejected: partial(comments.rejected, self),
            GroupCreated: partial(groups.created, self),
            GroupJoined: partial(groups.joined, self),
            GroupLeft: partial(groups.left, self),
            GroupRoleChanged: partial(groups.role_changed, self),
            AppealFiled: partial(appeals.filed, self),
            AppealDecided: partial(appeals.decided, self),
            IdentitySubmitted: partial(identity.submitted, self),
            IdentityVerified: partial(identity.verified, self),
            IdentityRejected: partial(identity.rejected, self),
        }

    def policy_at(self, t: float) -> Policy | None:
        """The policy version in force at epoch time t."""
        index = bisect.bisect_right(self._starts, t) - 1
        return self.policies.versions[index] if index >= 0 else None

    def prepare(self, events: Iterable[Event]) -> None:
        """Runs the detectors over the texts of a batch at once (much faster than one by one;
        the same results), for `apply` to use."""
        texts: dict[str, list[ContentPosted]] = {}
        for event in events:
            if isinstance(event, ContentPosted) and event.text.strip():
                policy = self.policy_at(event.at.timestamp())
                if policy is not None:
                    texts.setdefault(policy.version, []).append(event)
        for version, posted in texts.items():
            detector = moderation.detector_for(self, self.policies.by_version[version])
            found = detector.detect_batch([e.text for e in posted])
            self.detections.update(zip((e.id for e in posted), found, strict=True))

    def apply(self, event: Event) -> list[Effect]:
        """Applies one event; returns its effects, or raises Rejected having changed nothing."""
        t = event.at.timestamp()
        policy = self.policy_at(t)
        if policy is None:
            first = self.policies.versions[0]
            raise Rejected(
                f"no policy version is in force at {iso(t)}; the earliest "
                f"({first.version}) starts at {iso(first.effective_from.timestamp())}"
            )
        self.state.touched.clear()
        effects = self._handlers[type(event)](event, t, policy)
        if self.state.touched:
            effects += groups.review_admins(self, list(self.state.touched), event.id, t, policy)
        return effects

    # -- lookups that refuse ------------------------------------------------------------

    def account(self, account_id: str, t: float, what: str = "account") -> AccountState:
        """The registered account acting at time t, or Rejected."""
        account = self.state.accounts.get(account_id)
        if account is None:
            raise Rejected(
                f"unknown {what} {account_id!r}: accounts must be registered "
                "(account.registered) before they act"
            )
        if t < account.registered_at:
            raise Rejected(
                f"{what} {account_id!r} acts at {iso(t)}, before its registration "
                f"at {iso(account.registered_at)}"
            )
        return account

    def content(self, content_id: str, t: float) -> ContentState:
        content = self.state.contents.get(content_id)
        if content is None:
            raise Rejected(f"unknown content {content_id!r}")
        if t < content.at:
            raise Rejected(
                f"content {content_id!r} is referred to at {iso(t)}, before it was "
                f"posted at {iso(content.at)}"
            )
        return content

    # -- privileges and score -------------------------------------------------------------

    def privileges(self, account: AccountState, t: float, policy: Policy) -> tuple[set[str], str]:
        """The privileges an account holds at time t, and the reason any are missing."""
        binding = account.binding(t)
        for sanction in binding:
            if sanction.action in BLOCKING:
                until = f" until {iso(sanction.until)}" if sanction.until is not None else ""
                return set(), f"account under {sanction.action}{until} ({sanction.id})"
        score = account.score(t, policy)
        band = policy.band_for(score)
        held = set(band.privileges)
        reason = f"band {band.name!r} (score {score:.1f}) grants: {', '.join(band.privileges)}"
        for sanction in binding:
            if sanction.action == "restriction" and sanction.privileges is not None:
                held &= set(sanction.privileges)
                reason += f"; restricted until {iso(sanction.until or t)} ({sanction.id})"
            elif sanction.action == "revoke_group_admin":
                held.discard("administer_group")
                reason += f"; group administration revoked ({sanction.id})"
        required = [p for p in policy.identity.required_for if p in held]
        if required and not account.identities:
            held -= set(required)
            reason += (
                f"; {', '.join(required)} need a verified identity "
                "(identity.submitted, then the platform's check)"
            )
        return held, reason

    def holds(
        self, account: AccountState, need: tuple[str, ...], t: float, policy: Policy
    ) -> bool:
        """Whether the account holds every privilege in `need` at time t (the common case, an
        account without sanctions, without building the reasons)."""
        if not account.sanctions and (account.identities or not policy.identity.required_for):
            granted = policy.band_for(account.score(t, policy)).privileges
            return all(privilege in granted for privilege in need)
        held, _ = self.privileges(account, t, policy)
        return all(privilege in held for privilege in need)

    def check(
        self, account: AccountState, need: tuple[str, ...], event: Event, t: float, policy: Policy
    ) -> Denial | None:
        """A denial if the account lacks any privilege in `need` at time t, else None."""
        if self.holds(account, need, t, policy):
            return None
        held, reason = self.privileges(account, t, policy)
        for privilege in need:
            if privilege not in held:
                return Denial(
                    event_id=event.id,
                    at=t,
                    account_id=account.id,
                    privilege=privilege,
                    reason=reason,
                )
        return None

    def _gain(
        self,
        account: AccountState,
        delta: float,
        t: float,
        policy: Policy,
        reason: str,
        event_id: str,
        evidence: tuple[str, ...],
    ) -> list[Effect]:
        """A positive delta within the account's daily cap (late gains for a closed day: none)."""
        if delta <= 0:
            return self.entry(account, delta, t, policy, reason, event_id, evidence)
        day = int(t // DAY)
        if day < account.gain_day:
            return []
        if day > account.gain_day:
            account.gain_day, account.gained = day, 0.0
        granted = min(delta, policy.scoring.daily_gain_cap - account.gained)
        if granted <= 0:
            return []
        account.gained += granted
        return self.entry(account, granted, t, policy, reason, event_id, evidence)

    def entry(
        self,
        account: AccountState,
        delta: float,
        t: float,
        policy: Policy,
        reason: str,
        event_id: str,
        evidence: tuple[str, ...],
        rule_id: str | None = None,
        note: str | None = None,
    ) -> list[Effect]:
        """Adds a ledger entry dated t to the account (nothing for a zero delta)."""
        if delta == 0:
            return []
        self.state.touch_account(account)
        account.add(delta, t, policy.scoring.half_life_seconds)
        return [
            LedgerEntry(
                event_id=event_id,
                at=t,
                account_id=account.id,
                delta=delta,
                reason=reason,
                policy_version=policy.version,
                rule_id=rule_id,
                evidence=evidence,
                note=note,
            )
        ]

    # -- handlers -------------------------------------------------------------------------

    def _registered(self, event: AccountRegistered, t: float, policy: Policy) -> list[Effect]:
        existing = self.state.accounts.get(event.actor)
        if existing is not None:
            raise Rejected(
                f"account {event.actor!r} is already registered (at {iso(existing.registered_at)})"
            )
        refused = identity.registration_refused(self, event, t, policy)
        if refused is not None:
            return [refused]  # the attempt is logged; no account is created
        account = AccountState(id=event.actor, role=event.role, registered_at=t, acc_at=t)
        if event.identity is not None:
            account.pending[event.id] = (event.identity.kind, event.identity.fingerprints)
        self.state.accounts[account.id] = self.state.touch_account(account)
        return []

    def _posted(self, event: ContentPosted, t: float, policy: Policy) -> list[Effect]:
        account = self.account(event.actor, t)
        if event.content_id in self.state.contents:
            raise Rejected(f"content id {event.content_id!r} is already used")
        parent = self.content(event.parent_id, t) if event.parent_id is not None else None
        if event.group_id is not None:
            groups.require_member(self, event.group_id, account.id, t)
        need: tuple[str, ...] = (event.kind,)
        if LINK.search(event.text):
            need += ("post_links",)
        denial = self.check(account, need, event, t, policy)
        content = ContentState(
            id=event.content_id,
            author=account.id,
            kind=event.kind,
            at=t,
            parent_id=event.parent_id,
            group_id=event.group_id,
            published=denial is None,
        )
        self.state.contents[content.id] = self.state.touch_content(content)
        if denial is not None:
            return [denial]
        weight = getattr(policy.scoring.weights, event.kind)
        effects = self._gain(account, weight, t, policy, event.kind, event.id, (event.id,))
        effects += moderation.on_posted(self, event, t, policy, account, content)
        if parent is not None:
            effects += comments.on_commented(self, content, parent, event.id, t, policy)
        return effects

    def _engaged(self, event: ContentEngaged, t: float, policy: Policy) -> list[Effect]:
        account = self.account(event.actor, t)
        content = self.content(event.content_id, t)
        denial = self.check(account, (event.kind,), event, t, policy)
        if denial is not None:
            return [denial]
        key = f"{account.id}:{event.kind}"
        if key in content.engaged or account.id == content.author:
            return []
        content.engaged.append(key)
        self.state.touch_content(content)
        if moderation.labelled_rule(content) is not None:
            return moderation.engaged_with(self, account, content, event.id, t, policy)
        weights = policy.scoring.weights
        given = weights.like_given if event.kind == "like" else weights.share_given
        effects = self._gain(
            account, given, t, policy, f"{event.kind}_given", event.id, (event.id,)
        )
        author = self.state.accounts.get(content.author)
        if author is not None and content.visible:
            received = weights.like_received if event.kind == "like" else weights.share_received
            effects += self._gain(
                author,
                received,
                t,
                policy,
                f"{event.kind}_received",
                event.id,
                (event.id, content.id),
            )
        return effects

    def _reported(self, event: ContentReported, t: float, policy: Policy) -> list[Effect]:
        account = self.account(event.actor, t)
        content = self.content(event.content_id, t)
        if any(reporter == account.id for reporter, _, _ in content.reports):
            return []
        content.reports.append((account.id, event.rule, event.id))
        self.state.touch_content(content)
        return moderation.on_reported(self, event, t, content)

    def _decided(self, event: ReviewDecided, t: float, policy: Policy) -> list[Effect]:
        moderator = self.account(event.actor, t, "moderator")
        if moderator.role != "moderator":
            raise Rejected(f"{event.actor!r} is not a moderator: only moderators decide reviews")
        content = self.content(event.content_id, t)
        found = self.policies.rule_at(event.rule, datetime.fromtimestamp(content.at, UTC))
        if found is None:
            return [
                Notice(
                    event_id=event.id,
                    at=t,
                    message=(
                        f"rule {event.rule!r} was not in force when {content.id!r} was posted "
                        f"({iso(content.at)}); no rule applies to an act before its effective_from"
                    ),
                )
            ]
        act_policy, rule = found
        if event.verdict == "clear":
            return self.cleared(event.id, t, act_policy, content, rule)
        if rule.id in content.violations:
            return [
                Notice(
                    event_id=event.id,
                    at=t,
                    message=f"{content.id!r} was already upheld as violating {rule.id!r}",
                )
            ]
        return self.upheld(event.id, event.actor, t, act_policy, content, rule)

    def _resolve_reports(
        self, content: ContentState, upheld: bool, t: float, policy: Policy, event_id: str
    ) -> list[Effect]:
        effects: list[Effect] = []
        weights = policy.scoring.weights
        for reporter_id, _, report_id in content.reports:
            reporter = self.state.accounts.get(reporter_id)
            if reporter is None:
                continue
            if upheld:
                reporter.reports_upheld += 1
            else:
                reporter.reports_rejected += 1
            delta = weights.report_upheld if upheld else weights.report_rejected
            reason = "report_upheld" if upheld else "report_rejected"
            effects += self._gain(
                reporter, delta, t, policy, reason, event_id, (report_id, event_id)
            )
        content.reports.clear()
        self.state.touch_content(content)
        return effects

    def cleared(
        self, decision_id: str, t: float, policy: Policy, content: ContentState, rule: Rule
    ) -> list[Effect]:
        """A review found the content clear of `rule`: its flag is dropped, what the flag hid
        is shown again, and the reporters' reports count as rejected."""
        if rule.id in content.violations:
            return [
                Notice(
                    event_id=decision_id,
                    at=t,
                    message=(
                        f"{content.id!r} was already upheld as violating {rule.id!r}; "
                        "a decision is reversed only by an appeal"
                    ),
                )
            ]
        effects: list[Effect] = [
            LabelChanged(
                event_id=decision_id,
                at=t,
                content_id=content.id,
                rule_id=rule.id,
                status="cleared",
                visible=moderation.unflag(content, rule.id),
            )
        ]
        return effects + self._resolve_reports(content, False, t, policy, decision_id)

    def upheld(
        self,
        decision_id: str,
        decided_by: str,
        t: float,
        policy: Policy,
        content: ContentState,
        rule: Rule,
        automated: bool = False,
    ) -> list[Effect]:
        """The content violates `rule` (a moderator's or an automatic decision): it is removed,
        and its author gets a strike, the penalty and the ladder's next step."""
        author = self.account(content.author, content.at, "author")
        content.violations.append(rule.id)
        content.removed_by = content.removed_by or decision_id
        moderation.unflag(content, rule.id)
        self.state.touch_content(content)
        expiry = t + policy.sanctions.strike_expiry_days * DAY
        author.strikes = [s for s in author.strikes if s.expires_at > t]
        author.strikes.append(
            Strike(
                at=t,
                rule_id=rule.id,
                category=rule.category,
                content_id=content.id,
                decision_id=decision_id,
                expires_at=expiry,
            )
        )
        self.state.touch_account(author)
        evidence = (content.id, decision_id)
        effects: list[Effect] = [
            LabelChanged(
                event_id=decision_id,
                at=t,
                content_id=content.id,
                rule_id=rule.id,
                status="upheld",
                visible=False,
                automated=automated,
            ),
            StrikeIssued(
                event_id=decision_id,
                at=t,
                account_id=author.id,
                rule_id=rule.id,
                policy_version=policy.version,
                content_id=content.id,
                expires_at=expiry,
            ),
        ]
        penalty = policy.scoring.penalties.for_severity(rule.severity)
        decision = DecisionState(
            id=decision_id,
            at=t,
            content_id=content.id,
            account_id=author.id,
            rule_id=rule.id,
            policy_version=policy.version,
            decided_by=decided_by,
            penalty=penalty,
        )
        self.state.decisions[decision.id] = self.state.touch_decision(decision)
        effects += self.entry(
            author,
            penalty,
            t,
            policy,
            "violation",
            decision_id,
            evidence,
            rule_id=rule.id,
            note=rule.title,
        )
        effects += comments.owner_answers(self, content, rule, decision, t, policy)
        effects += self._resolve_reports(content, True, t, policy, decision_id)
        effects += moderation.retroactive(self, content, rule, decision_id, t, policy)
        effects += self._ladder(author, t, policy, rule, decision_id)
        effects += self._score_steps(author, t, policy, decision_id, rule)
        return effects

    # -- the sanction ladder --------------------------------------------------------------

    def _ladder(
        self, account: AccountState, t: float, policy: Policy, rule: Rule, event_id: str
    ) -> list[Effect]:
        sanctions = policy.sanctions
        active = account.active_strikes(t, sanctions.strike_window_days * DAY)
        step: LadderStep | None = None
        for candidate in sanctions.strike_steps:
            if candidate.strikes is not None and candidate.strikes <= len(active):
                step = candidate
        if step is None:
            return []
        trigger = (
            f"{len(active)} active strike{'s' if len(active) != 1 else ''} (step at {step.trigger})"
        )
        if step.action != "warning" and not rule.severe and rule.category not in account.warned:
            step = sanctions.strike_steps[0]
            trigger += "; first violation of this kind, so a warning comes first"
        if self._covered(account, t, step.action):
            return []
        evidence = tuple(s.decision_id for s in active)
        return self._impose(account, step, t, policy, rule, event_id, trigger, evidence)

    @staticmethod
    def _covered(account: AccountState, t: float, action: str) -> bool:
        """Whether a binding sanction at least as harsh as `action` already applies."""
        if action == "warning":
            return False
        rank = ACTIONS.index(action)
        return any(ACTIONS.index(s.action) >= rank for s in account.binding(t))

    def _score_steps(
        self, account: AccountState, t: float, policy: Policy, event_id: str, rule: Rule | None
    ) -> list[Effect]:
        score = account.score(t, policy)
        for step in policy.sanctions.score_steps:
            if step.score_below is None or score >= step.score_below:
                continue
            if self._covered(account, t, step.action):
                return []
            trigger = f"score {score:.1f} below {step.score_below:g}"
            if step.action != "warning" and not account.warned and not (rule and rule.severe):
                step = policy.sanctions.strike_steps[0]
                trigger += "; no earlier warning, so a warning comes first"
            return self._impose(account, step, t, policy, rule, event_id, trigger, (event_id,))
        return []

    def _impose(
        self,
        account: AccountState,
        step: LadderStep,
        t: float,
        policy: Policy,
        rule: Rule | None,
        event_id: str,
        trigger: str,
        evidence: tuple[str, ...],
    ) -> list[Effect]:
        until = t + step.days * DAY if step.days is not None else None
        sanction = Sanction(
            id=f"{event_id}/{account.id}/{step.action}",
            action=step.action,
            at=t,
            until=until,
            rule_id=rule.id if rule else None,
            privileges=step.privileges,
        )
        if step.action == "warning":
            account.warned[rule.category if rule is not None else "score"] = sanction.id
        else:
            account.sanctions = [s for s in account.sanctions if s.until is None or s.until > t] + [
                sanction
            ]
        self.state.touch_account(account)
        duration = f"until {iso(until)}" if until is not None else "without end date"
        cited = (
            f"Rule {rule.id} (policy {policy.version}), {rule.title}: {rule.text} "
            if rule is not None
            else ""
        )
        reasons = f"{cited}Step: {step.action} {duration}, because of {trigger}."
        imposed = SanctionImposed(
            event_id=event_id,
            at=t,
            sanction_id=sanction.id,
            account_id=account.id,
            action=step.action,
            until=until,
            rule_id=sanction.rule_id,
            policy_version=policy.version,
            trigger=trigger,
            reasons=reasons,
            evidence=evidence,
            privileges=step.privileges,
        )
        return [
            imposed,
            *identity.block_identities(self, account, sanction.id, step.action, t, until, policy),
        ]
