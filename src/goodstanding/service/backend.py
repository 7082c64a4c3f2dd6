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
from goodstanding.policy import PolicySet
from goodstanding.queries.audit import audit_entries
from goodstanding.queries.check import (
    Position,
    account_states,
    changed_since,
    sanction_statement,
    verdict,
)
from goodstanding.queries.content import content_record
from goodstanding.queries.explain import explanation
from goodstanding.queries.history import NotRegistered, account_at
from goodstanding.queries.lookup import NotFound
from goodstanding.queries.moderation import review_queue
from goodstanding.queries.own_data import account_export
from goodstanding.queries.standing import standing as standing_at
from goodstanding.store import Store, StoreError, WriterBusy, default_url
from goodstanding.store.checkpoint import CheckpointError, latest_checkpoint

__all__ = [
    "CheckpointError",
    "IdentifierError",
    "IngestReport",
    "Ingestor",
    "KeyRingError",
    "NotFound",
    "NotRegistered",
    "PolicySet",
    "Position",
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
