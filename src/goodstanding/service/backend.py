"""The one place the service calls into the rest of goodstanding: opening the store, policies,
ingest, and the read-side queries the CLI uses. Routes call only these functions."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from goodstanding.dueprocess.collect import statements_of_reasons
from goodstanding.dueprocess.notices import notices
from goodstanding.dueprocess.transparency import render_html as render_transparency
from goodstanding.dueprocess.transparency import transparency_report
from goodstanding.engine import iso
from goodstanding.identity import IdentifierError, KeyRingError, check, identify, load_keyring
from goodstanding.pipeline import Ingestor, IngestReport, load_policies
from goodstanding.pipeline.ingest import Progress, parse_policy_files
from goodstanding.pipeline.records_export import ExportRefused, export_records
from goodstanding.pipeline.whatif import WhatIf, drill_down
from goodstanding.pipeline.whatif import what_if as run_what_if
from goodstanding.policy import PolicyError, PolicySet, Problem
from goodstanding.policy.retention import Hold
from goodstanding.queries import policies as policy_view
from goodstanding.queries import search
from goodstanding.queries.content import content_record
from goodstanding.queries.explain import explanation
from goodstanding.queries.groups import group as group_at
from goodstanding.queries.lookup import NotFound
from goodstanding.queries.moderation import review_queue
from goodstanding.queries.own_data import account_export
from goodstanding.queries.standing import standing as standing_at
from goodstanding.records import RecordsError, RecordStore
from goodstanding.records.holds import list_holds
from goodstanding.store import ChainError, Store, StoreError, default_url
from goodstanding.store import schema as tables

__all__ = [
    "ChainError",
    "ExportRefused",
    "Hold",
    "IdentifierError",
    "IngestReport",
    "Ingestor",
    "KeyRingError",
    "NotFound",
    "PolicyError",
    "PolicySet",
    "Problem",
    "RecordsError",
    "Store",
    "StoreError",
    "WhatIf",
    "account_exists",
    "account_sanctions",
    "account_statements",
    "audit",
    "content_record",
    "default_url",
    "explain",
    "identity_verdict",
    "load_policies",
    "queue",
    "standing",
    "statements",
    "transparency",
]


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


# -- the console's policy, what-if, search, groups, records and transparency pages ------------


def policy_versions(policies: PolicySet, t: float) -> list[dict[str, Any]]:
    """The recorded policy versions, oldest first, and which is in force at time t."""
    return policy_view.versions(policies, t)


def policy_rules(policies: PolicySet, version: str, examples: bool) -> list[dict[str, Any]]:
    """A version's rules with their detectors described (`examples`: a few terms each)."""
    return policy_view.rules(policies, version, examples)


def policy_diff(policies: PolicySet, old: str, new: str) -> dict[str, Any]:
    """What differs from one recorded version to another, field by field."""
    return policy_view.diff(policies, old, new)


def recorded_policy_text(store: Store, version: str) -> str | None:
    """The TOML text a version was recorded with (None for an unknown version)."""
    return policy_view.recorded_text(store, version)


@contextmanager
def draft_file(text: str) -> Iterator[str]:
    """A draft policy's text as a file in a scratch folder, deleted on leaving; its path."""
    with tempfile.TemporaryDirectory(prefix="goodstanding-draft-") as folder:
        path = Path(folder) / "draft.toml"
        path.write_text(text, encoding="utf-8")
        yield str(path)


def named_problems(error: PolicyError, path: str, name: str) -> list[Problem]:
    """A draft's problems naming the file as the person named it, not its scratch path."""
    return [
        Problem(name if p.file == path else p.file, p.line, p.key, p.message)
        for p in error.problems
    ]


def check_policy_draft(text: str, name: str) -> list[Problem]:
    """What is wrong with a draft policy's text on its own (line, key, what), nothing if it
    loads; `name` is the file name the problems give."""
    with draft_file(text) as path:
        try:
            parse_policy_files([path])
        except PolicyError as error:
            return named_problems(error, path, name)
    return []


def event_count(store: Store) -> int:
    """How many events the log holds."""
    return store.count(tables.events)


def what_if(store: Store, draft: str, progress: Progress | None) -> WhatIf:
    """The difference a draft policy file would make to the live projections, over the whole
    log, recording nothing (pipeline/whatif.py); PolicyError or ChainError when it cannot."""
    return run_what_if(store, [draft], progress)


def what_if_account(result: WhatIf, account_id: str) -> dict[str, Any] | None:
    """One account a what-if changes, before and after (None if it does not change it)."""
    return drill_down(result, account_id)


def search_accounts(store: Store, where: search.AccountFilter, offset: int) -> search.Page:
    """A page of accounts matching the filters."""
    return search.accounts(store, where, offset)


def search_contents(store: Store, where: search.ContentFilter, offset: int) -> search.Page:
    """A page of content items matching the filters."""
    return search.contents(store, where, offset)


def label_statuses(store: Store) -> list[str]:
    """The label statuses the store holds."""
    return search.label_statuses(store)


def groups(store: Store, prefix: str | None, offset: int) -> search.Page:
    """A page of groups (by id prefix)."""
    return search.groups(store, prefix, offset)


def group(store: Store, policies: PolicySet, group_id: str, t: float) -> dict[str, Any]:
    """A group's members by band, admins and flags at time t; NotFound for an unknown one."""
    return group_at(store, policies, group_id, t)


def holds(store: Store) -> list[Hold]:
    """Every legal hold on group-chat records, in id order."""
    return list_holds(store.engine)


def export_group_records(
    store: Store, group_id: str, period: tuple[float, float], reason: str, by: str, at: float
) -> tuple[str, int]:
    """A group's records for the period as JSON Lines, the export audited (as the command
    line's `records export` is); RecordsError without a records key, ExportRefused without
    a reason or for an unknown group."""
    records = RecordStore.from_env(store.engine)
    delivered: list[str] = []
    details = {"from": iso(period[0]), "to": iso(period[1]), "through": "console"}
    count = export_records(
        store, records, group_id, period, reason, by, at, details, delivered.append
    )
    return delivered[0], count


def transparency_html(report: dict[str, Any], generated: float, standalone: bool) -> str:
    """The transparency report as HTML, from the template the command line's export uses."""
    return render_transparency(report, generated, standalone=standalone)
