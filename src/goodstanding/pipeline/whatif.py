"""What-if: the live log replayed under the recorded policy versions plus draft versions, and
the difference against the live projections.

Nothing is published: the drafts are parsed, never recorded; the fold writes into a scratch
SQLite store in a temporary folder, deleted afterwards; the live store is only read (except
its detection cache, which keeps what the drafts' detectors found for the next run)."""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from goodstanding.engine import Rejected, iso
from goodstanding.engine.effects import Flagged
from goodstanding.events import Event, ReviewDecided
from goodstanding.pipeline.detections import CachedDetections
from goodstanding.pipeline.ingest import Progress, parse_policy_files, parse_recorded
from goodstanding.pipeline.replay import (
    Effects,
    detector_changes,
    records_of,
    refold,
    replay_engine,
    verified,
)
from goodstanding.policy import Policy, PolicyError, PolicySet, Problem
from goodstanding.policy.model import Rule
from goodstanding.queries.outcomes import (
    LedgerLine,
    Outcome,
    Sanction,
    ledger_summaries,
    outcomes,
    sanctions,
)
from goodstanding.store import LogEntry, Store

REFUSALS_KEPT = 10
"""How many of the logged events a draft would refuse are kept with their reasons (all are
counted)."""


@dataclass(frozen=True)
class AccountChange:
    """An account whose band, strike count or sanctions differ: as the live projections have
    it (`before`) and as the drafts would leave it (`after`); None where it has no state."""

    account_id: str
    before: Outcome | None
    after: Outcome | None

    @property
    def score_change(self) -> float:
        """After minus before (0 for a missing side)."""
        return (self.after.score if self.after else 0.0) - (
            self.before.score if self.before else 0.0
        )

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "account": self.account_id,
            "before": asdict(self.before) if self.before else None,
            "after": asdict(self.after) if self.after else None,
        }


@dataclass(frozen=True)
class RulePrecision:
    """A rule a draft adds or changes, judged against reviewed history: of the content it
    flags under the draft that a moderator reviewed, how many were decided as violating it."""

    rule_id: str
    version: str
    change: str
    """`new` (not in the version the draft replaces) or `changed`."""
    flagged: int
    reviewed: int
    violating: int

    @property
    def precision(self) -> float | None:
        """violating / reviewed (None with nothing reviewed)."""
        return self.violating / self.reviewed if self.reviewed else None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {**asdict(self), "precision": self.precision}


@dataclass(frozen=True)
class Refusal:
    """A logged event the drafts' engine refuses (so under the drafts it changes nothing)."""

    seq: int
    event_id: str
    type: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return asdict(self)


@dataclass
class Refusals:
    """The logged events the drafts would refuse: how many, and the first REFUSALS_KEPT."""

    count: int = 0
    first: list[Refusal] = field(default_factory=list)

    def add(self, entry: LogEntry, error: Rejected) -> None:
        """Counts one refused entry (keeping it while fewer than REFUSALS_KEPT are kept)."""
        self.count += 1
        if len(self.first) < REFUSALS_KEPT:
            self.first.append(Refusal(entry.seq, entry.id, entry.type, str(error)))


@dataclass
class WhatIf:
    """The difference the drafts would make to the live projections."""

    drafts: dict[str, str | None]
    """Each draft version and the recorded version it replaces (None: it replaces none)."""
    events: int
    accounts: int
    changes: list[AccountChange]
    """Accounts whose band, strikes or sanctions change, the largest score change first."""
    appearing: list[Sanction]
    disappearing: list[Sanction]
    rules: list[RulePrecision]
    ledgers: dict[str, tuple[list[LedgerLine], list[LedgerLine]]] = field(repr=False)
    """Ledger summaries before and after, for each changed account."""
    accepted_changes: list[str] = field(default_factory=list)
    """Recorded detector inputs that differ from those installed (accepted)."""
    detections: tuple[int, int] = (0, 0)
    """Texts whose detections came from the cache, and texts the detectors ran on."""
    refused: Refusals = field(default_factory=Refusals)
    """Logged events the drafts' engine would refuse (each changes nothing under the drafts)."""

    @property
    def transitions(self) -> Counter[tuple[str, str]]:
        """How many accounts move from one band to another."""
        return Counter(
            (c.before.band if c.before else "-", c.after.band if c.after else "-")
            for c in self.changes
            if (c.before.band if c.before else None) != (c.after.band if c.after else None)
        )

    def as_dict(self, limit: int | None = None) -> dict[str, Any]:
        """A JSON-ready form; `limit` caps the accounts and sanctions listed (not counted)."""
        return {
            "drafts": [{"version": v, "replaces": r} for v, r in self.drafts.items()],
            "events": self.events,
            "accounts": self.accounts,
            "accounts_changed": len(self.changes),
            "band_changes": sum(self.transitions.values()),
            "band_transitions": [
                {"from": a, "to": b, "accounts": n}
                for (a, b), n in sorted(self.transitions.items(), key=lambda i: (-i[1], i[0]))
            ],
            "sanctions_appearing": len(self.appearing),
            "sanctions_disappearing": len(self.disappearing),
            "changes": [c.as_dict() for c in self.changes[:limit]],
            "appearing": [_sanction_dict(s) for s in self.appearing[:limit]],
            "disappearing": [_sanction_dict(s) for s in self.disappearing[:limit]],
            "rules": [r.as_dict() for r in self.rules],
            "accepted_detector_changes": self.accepted_changes,
            "detections": {"cached": self.detections[0], "run": self.detections[1]},
            "refused": {
                "events": self.refused.count,
                "first": [r.as_dict() for r in self.refused.first],
            },
        }


def what_if(
    store: Store,
    drafts: Sequence[str | Path],
    progress: Progress | None = None,
    *,
    accept_changed_detectors: bool = False,
) -> WhatIf:
    """Replays the live log under the recorded policy versions plus the draft policy files
    (a draft with a recorded version's id takes its place), without recording the drafts or
    writing the live projections, and returns the difference the drafts make. A logged event
    the drafts' engine refuses is part of that difference: it is counted (the first few kept
    with their reasons) and changes nothing, as at ingest.

    Refuses (ChainError) a broken chain, (PolicyError) a bad draft, and (PolicyError) a
    recorded detector input that changed, unless `accept_changed_detectors`."""
    verified(store)
    policies, replaced = drafted_policies(store, drafts)
    engine = replay_engine(policies, accept_changed_detectors)
    accepted = [str(p) for p in detector_changes(policies)]
    changed = {
        version: _changed_rules(policies.by_version[version], replaced[version])
        for version in replaced
    }
    reviews: dict[str, tuple[str, str]] = {}
    flagged: dict[tuple[str, str], set[str]] = {}

    def observe(events: list[Event], effects: Effects) -> None:
        for event in events:
            if isinstance(event, ReviewDecided):
                reviews[event.content_id] = (event.rule, event.verdict)
        for _, _, effect in effects:
            if isinstance(effect, Flagged):
                policy = policies.at_epoch(effect.at)
                if policy is not None and effect.rule_id in changed.get(policy.version, {}):
                    flagged.setdefault((policy.version, effect.rule_id), set()).add(
                        effect.content_id
                    )

    detections = CachedDetections(store, policies)
    refused = Refusals()
    with tempfile.TemporaryDirectory(prefix="goodstanding-whatif-") as folder:
        scratch = Store.open(f"sqlite:///{Path(folder) / 'whatif.db'}")
        try:
            with store.engine.connect() as live, scratch.engine.begin() as conn:

                def sink(events: list[Event], effects: Effects) -> None:
                    scratch.write_effects(conn, effects)
                    observe(events, effects)
                    with store.engine.begin() as cache:
                        detections.flush(cache)

                applied = refold(
                    store,
                    live,
                    engine,
                    records_of(store),
                    detections,
                    sink,
                    progress,
                    refused.add,
                )
                scratch.save_changed(conn, engine)
            result = _difference(store, scratch)
        finally:
            scratch.close()
    result.drafts = {v: (r.version if r else None) for v, r in replaced.items()}
    result.events = applied
    result.rules = _precisions(changed, flagged, reviews)
    result.accepted_changes = accepted
    result.detections = (detections.hits, detections.runs)
    result.refused = refused
    return result


def drill_down(result: WhatIf, account_id: str) -> dict[str, Any] | None:
    """One changed account before and after: its outcome, and its ledger summed by reason and
    rule (None for an account the drafts do not change)."""
    change = next((c for c in result.changes if c.account_id == account_id), None)
    if change is None:
        return None
    before, after = result.ledgers.get(account_id, ([], []))
    return {
        **change.as_dict(),
        "ledger_before": [asdict(line) for line in before],
        "ledger_after": [asdict(line) for line in after],
    }


def drafted_policies(
    store: Store, drafts: Sequence[str | Path]
) -> tuple[PolicySet, dict[str, Policy | None]]:
    """The recorded policy versions plus the drafts, recording nothing, and for each draft
    version the recorded version it replaces: the one of the same id, or else the one in
    force when the draft takes effect (None before the first)."""
    if not drafts:
        raise PolicyError([Problem("<what-if>", 1, "policy", "a what-if needs a draft policy")])
    items = parse_policy_files(str(d) for d in drafts)
    recorded = parse_recorded(store.stored_policies())
    ids = {policy.version for policy, *_ in items}
    kept = [(p, source, refs) for p, source, refs in recorded if p.version not in ids]
    by_version = {p.version: p for p, _, _ in recorded}
    before = (
        PolicySet([p for p, _, _ in recorded], [s for _, s, _ in recorded]) if recorded else None
    )
    replaced = {
        policy.version: by_version.get(policy.version)
        or (before.at(policy.effective_from) if before else None)
        for policy, *_ in items
    }
    policies = PolicySet(
        [p for p, _, _ in kept] + [policy for policy, *_ in items],
        [s for _, s, _ in kept] + [source for _, source, *_ in items],
        {p.version: refs for p, _, refs in kept if refs is not None},
    )
    return policies, replaced


def _changed_rules(draft: Policy, replaced: Policy | None) -> dict[str, str]:
    """The draft's rules that are new or whose definition (anything but its dates) differs
    from the replaced version's, with which."""
    changed: dict[str, str] = {}
    for rule in draft.rules:
        old: Rule | None = replaced.rules_by_id.get(rule.id) if replaced else None
        if old is None:
            changed[rule.id] = "new"
        elif _definition(old) != _definition(rule):
            changed[rule.id] = "changed"
    return changed


def _definition(rule: Rule) -> dict[str, Any]:
    """What a rule judges and how: every field but its dates (which follow the version's)."""
    fields = msgspec.structs.asdict(rule)
    del fields["effective_from"], fields["effective_until"]
    return fields


def _precisions(
    changed: dict[str, dict[str, str]],
    flagged: dict[tuple[str, str], set[str]],
    reviews: dict[str, tuple[str, str]],
) -> list[RulePrecision]:
    """Each new or changed rule's precision against the last review of each content item."""
    found: list[RulePrecision] = []
    for version, rules in changed.items():
        for rule_id, change in sorted(rules.items()):
            contents = flagged.get((version, rule_id), set())
            verdicts = [reviews[c] for c in contents if c in reviews]
            violating = sum(
                1 for rule, verdict in verdicts if verdict == "violates" and rule == rule_id
            )
            found.append(
                RulePrecision(rule_id, version, change, len(contents), len(verdicts), violating)
            )
    return found


def _differs(before: Outcome | None, after: Outcome | None) -> bool:
    """Whether the band, strike count or sanction count differs (or one side is missing)."""
    if before is None or after is None:
        return before is not after
    return (before.band, before.strikes, before.sanctions) != (
        after.band,
        after.strikes,
        after.sanctions,
    )


def _difference(live: Store, scratch: Store) -> WhatIf:
    """The changed accounts and sanctions between the live projections and the scratch ones
    (the drafts' run), with changed accounts' ledgers; the rest is filled in by `what_if`."""
    before, after = outcomes(live), outcomes(scratch)
    every = sorted(before.keys() | after.keys())
    changes = sorted(
        (
            AccountChange(a, before.get(a), after.get(a))
            for a in every
            if _differs(before.get(a), after.get(a))
        ),
        key=lambda c: (-abs(c.score_change), c.account_id),
    )
    ids = [c.account_id for c in changes]
    old, new = ledger_summaries(live, ids), ledger_summaries(scratch, ids)
    was, will = sanctions(live), sanctions(scratch)
    return WhatIf(
        drafts={},
        events=0,
        accounts=len(every),
        changes=changes,
        appearing=[s for key, s in will.items() if key not in was],
        disappearing=[s for key, s in was.items() if key not in will],
        rules=[],
        ledgers={a: (old.get(a, []), new.get(a, [])) for a in ids},
    )


def _sanction_dict(sanction: Sanction) -> dict[str, Any]:
    """A sanction's JSON form, its times in RFC 3339."""
    return {
        "account": sanction.account_id,
        "action": sanction.action,
        "event_id": sanction.event_id,
        "at": iso(sanction.at),
        "until": iso(sanction.until) if sanction.until is not None else None,
        "rule_id": sanction.rule_id,
    }
