"""The one place the service calls into the rest of goodstanding: opening the store, policies,
ingest, and the read-side queries the CLI uses. Routes call only these functions."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from goodstanding.dueprocess.collect import statements_of_reasons
from goodstanding.dueprocess.notices import notices
from goodstanding.dueprocess.transparency import transparency_report
from goodstanding.engine import iso
from goodstanding.identity import IdentifierError, KeyRingError, check, identify, load_keyring
from goodstanding.pipeline import Ingestor, IngestReport, load_policies
from goodstanding.policy import Policy, PolicySet
from goodstanding.policy.model import PRIVILEGES
from goodstanding.queries.appeals import appeal_case, appealable, appeals_of, open_appeals
from goodstanding.queries.audit import audit_entries
from goodstanding.queries.check import (
    Position,
    account_states,
    changed_since,
    sanction_statement,
    verdict,
)
from goodstanding.queries.content import content_record
from goodstanding.queries.dashboard import dashboard as dashboard_figures
from goodstanding.queries.dashboard import latest_logged
from goodstanding.queries.explain import explanation
from goodstanding.queries.history import NotRegistered, account_at
from goodstanding.queries.lookup import NotFound, policy_in_force
from goodstanding.queries.memberships import groups_of, identity_status
from goodstanding.queries.moderation import review_queue
from goodstanding.queries.own_data import account_export
from goodstanding.queries.review import QueueFilter, open_items, review_item
from goodstanding.queries.score_history import score_over_time
from goodstanding.queries.standing import standing as standing_at
from goodstanding.store import Claim, Note, Session, Store, StoreError, WriterBusy, default_url
from goodstanding.store.checkpoint import CheckpointError, latest_checkpoint

__all__ = [
    "PRIVILEGES",
    "CheckpointError",
    "Claim",
    "IdentifierError",
    "IngestReport",
    "Ingestor",
    "KeyRingError",
    "NotFound",
    "NotRegistered",
    "Note",
    "Policy",
    "PolicySet",
    "Position",
    "QueueFilter",
    "Session",
    "Store",
    "StoreError",
    "WriterBusy",
    "account_at",
    "account_exists",
    "account_sanctions",
    "account_statements",
    "account_states",
    "audit",
    "audit_entries",
    "changed_since",
    "content_record",
    "default_url",
    "explain",
    "identity_verdict",
    "ingest",
    "latest_checkpoint",
    "load_policies",
    "queue",
    "sanction_statement",
    "standing",
    "statements",
    "transparency",
    "verdict",
]


def ingest(ingestor: Ingestor, lines: list[bytes], strict: bool, wait: float) -> IngestReport:
    """Ingests lines as one batch with the service's long-lived ingestor (its fold keeps the
    state of the keys it has seen between requests, dropped when another writer moved the
    log's head), waiting at most `wait` seconds for the write lock (WriterBusy otherwise);
    returns once they are committed. Every refused line is kept, for the per-line results."""
    ingestor.wait = wait
    return ingestor.ingest(lines, strict=strict, batch=max(1, len(lines)), keep=None)


def account_exists(store: Store, account_id: str) -> bool:
    """Whether the store knows this account."""
    with store.engine.connect() as conn:
        return bool(store.load_accounts(conn, [account_id]))


def standing(store: Store, policies: PolicySet, account_id: str, t: float) -> dict[str, Any]:
    """An account's standing at time t (the CLI's `standing`)."""
    return standing_at(store, policies, account_id, t)


def explain(store: Store, policies: PolicySet, account_id: str, t: float) -> dict[str, Any]:
    """The ledger lines behind an account's score at time t (the CLI's `explain`)."""
    return explanation(store, policies, account_id, t)


def account_sanctions(store: Store, account_id: str) -> dict[str, Any]:
    """The sanctions imposed on an account and those lifted (from its own-data export)."""
    data = account_export(store, account_id)
    return {
        "account": account_id,
        "sanctions": data["sanctions"],
        "sanctions_lifted": data["sanctions_lifted"],
    }


def account_statements(store: Store, policies: PolicySet, account_id: str) -> list[dict[str, Any]]:
    """The statements of reasons sent (or to send) to one account, oldest first."""
    return [
        {**asdict(n), "at": iso(n.at)}
        for n in notices(store, policies, account_id, include_acked=True)
    ]


def queue(store: Store, policies: PolicySet, limit: int) -> list[dict[str, Any]]:
    """The review queue, highest priority first (the CLI's `queue`)."""
    return review_queue(store, policies, limit)


def transparency(store: Store, policies: PolicySet, start: float, end: float) -> dict[str, Any]:
    """The transparency report's figures for [start, end)."""
    return transparency_report(store, policies, start, end)


def statements(store: Store, policies: PolicySet, start: float, end: float) -> list[dict[str, Any]]:
    """The DSA statements of reasons for [start, end), each checked against the schema;
    ValueError names one that would be refused."""
    return statements_of_reasons(store, policies, start, end)


def identity_verdict(
    store: Store, policies: PolicySet, kind: str, value: str, region: str | None, t: float
) -> dict[str, Any]:
    """Whether an identity value may register an account at time t: validated and sealed
    into keyed fingerprints at once (the value goes no further), then checked against the
    block list and the policy's accounts-per-identity limit. Raises IdentifierError for an
    invalid value and KeyRingError when no identity key is configured."""
    ring = load_keyring().ring
    canonical, fingerprints = identify(ring, kind, value, region)
    with store.engine.connect() as conn:
        known = {s.fingerprint: s for s in store.load_identities(conn, list(fingerprints))}
    hit = check(lambda fp: b.block if (b := known.get(fp)) else None, fingerprints, t)
    holders = sorted({h for s in known.values() for h in s.holders})
    policy = policies.at(datetime.fromtimestamp(t, UTC)) or policies.versions[0]
    limit = policy.identity.max_accounts_per_identity
    reason = None
    if hit is not None:
        until = f"until {iso(hit.until)}" if hit.until is not None else "without end"
        reason = f"this identity is blocked {until} by decision {hit.decision}"
    elif len(holders) >= limit:
        reason = f"this identity already holds {len(holders)} account(s); the policy allows {limit}"
    return {
        "allowed": reason is None,
        "kind": canonical.kind,
        "accounts_holding": len(holders),
        "reason": reason,
        "decision": hit.decision if hit else None,
    }


def audit(
    store: Store,
    actor: str,
    action: str,
    target: str,
    reason: str,
    at: float,
    details: dict[str, Any],
) -> int:
    """Records a write in the audit log under the token's subject."""
    return store.audit(actor, action, target, reason, at, details)


# -- the console ----------------------------------------------------------------------------


def open_session(store: Store, token_id: str, now: float, lifetime: float) -> tuple[str, Session]:
    """A new console session for a token: its id (for the cookie only) and its facts."""
    return store.open_session(token_id, now, lifetime)


def find_session(store: Store, session_id: str, now: float) -> Session | None:
    """The unexpired console session with this id, or None."""
    return store.session(session_id, now)


def close_session(store: Store, session_id: str) -> None:
    """Ends a console session."""
    store.close_session(session_id)


def review_items(
    store: Store, policies: PolicySet, wanted: QueueFilter, now: float, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """Open review items passing a filter, highest priority first, and how many are open."""
    return open_items(store, policies, wanted, now, limit)


def review_detail(
    store: Store, policies: PolicySet, content_id: str, rule_id: str, now: float
) -> dict[str, Any] | None:
    """One review item in full (content, thread, evidence, reports, author), or None."""
    return review_item(store, policies, content_id, rule_id, now)


def claim(
    store: Store, content_id: str, rule_id: str, moderator: str, now: float, lifetime: float
) -> Claim:
    """Claims a review item for a moderator unless another holds it; the claim that holds."""
    return store.claim(content_id, rule_id, moderator, now, lifetime)


def release(store: Store, content_id: str, rule_id: str, moderator: str) -> None:
    """Gives up a moderator's claim on a review item."""
    store.release(content_id, rule_id, moderator)


def claims(store: Store, now: float) -> dict[tuple[str, str], Claim]:
    """The unexpired claims on review items."""
    return store.claims(now)


def dashboard(store: Store, start: float, end: float, now: float) -> dict[str, Any]:
    """The moderation dashboard's figures for [start, end)."""
    return dashboard_figures(store, start, end, now)


def latest_event_time(store: Store) -> float | None:
    """The `at` of the log's last entry, None for an empty log."""
    return latest_logged(store)


def score_history(
    store: Store, policies: PolicySet, account_id: str, t: float
) -> tuple[dict[str, Any], list[tuple[float, float]]]:
    """An account's explanation at time t and its score over time up to t."""
    explained = explanation(store, policies, account_id, t)
    return explained, score_over_time(explained)


def account_groups(store: Store, account_id: str) -> list[dict[str, Any]]:
    """The groups an account belongs to, with its role in each."""
    return groups_of(store, account_id)


def identity_checks(store: Store, account_id: str) -> list[dict[str, Any]]:
    """An account's identity checks: kinds and status, never fingerprints."""
    return identity_status(store, account_id)


def appeals_open(store: Store) -> list[dict[str, Any]]:
    """Appeals filed and not yet decided, oldest first."""
    return open_appeals(store)


def account_appeals(store: Store, account_id: str) -> list[dict[str, Any]]:
    """Every appeal an account filed, with its outcome."""
    return appeals_of(store, account_id)


def appeal(store: Store, appeal_id: str) -> dict[str, Any] | None:
    """One appeal with the decision it contests, or None."""
    return appeal_case(store, appeal_id)


def appealable_decisions(store: Store, account_id: str) -> list[dict[str, Any]]:
    """Decisions on an account's content it has not appealed, newest first."""
    return appealable(store, account_id)


def add_note(store: Store, account_id: str, author: str, at: float, text: str) -> None:
    """Adds a moderator's note to an account."""
    store.add_note(account_id, author, at, text)


def account_notes(store: Store, account_id: str) -> list[Note]:
    """An account's notes, newest first."""
    return store.notes(account_id)


def blur_flagged(store: Store, subject: str) -> bool:
    """Whether this person has flagged text blurred until revealed."""
    return store.blur_flagged(subject)


def set_blur_flagged(store: Store, subject: str, blur: bool) -> None:
    """Sets whether flagged text is blurred for this person."""
    store.set_blur_flagged(subject, blur)


def policy_at(policies: PolicySet, t: float) -> Policy:
    """The policy version in force at epoch time t."""
    return policy_in_force(policies, t)
