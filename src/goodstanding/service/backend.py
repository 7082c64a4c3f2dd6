"""The one place the service calls into the rest of goodstanding: opening the store, policies,
ingest, and the read-side queries the CLI uses. Routes call only these functions."""

from __future__ import annotations

import shutil
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
from goodstanding.events import SanctionAction
from goodstanding.identity import IdentifierError, KeyRingError, check, identify, load_keyring
from goodstanding.pipeline import Ingestor, IngestReport, load_policies
from goodstanding.pipeline.ingest import Progress, parse_policy_files
from goodstanding.pipeline.records_export import ExportRefused, export_records
from goodstanding.pipeline.whatif import WhatIf, drill_down
from goodstanding.pipeline.whatif import what_if as run_what_if
from goodstanding.policy import DEFAULT_POLICY, Policy, PolicyError, PolicySet, Problem
from goodstanding.policy.model import ACTIONS, PRIVILEGES
from goodstanding.policy.retention import Hold
from goodstanding.queries import policies as policy_view
from goodstanding.queries import search
from goodstanding.queries.appeals import appeal_case, appealable, appeals_of, open_appeals
from goodstanding.queries.audit import audit_entries
from goodstanding.queries.check import (
    Position,
    account_states,
    changed_between,
    changed_since,
    log_head,
    sanction_statement,
    verdict,
)
from goodstanding.queries.content import content_record
from goodstanding.queries.dashboard import dashboard as dashboard_figures
from goodstanding.queries.explain import explained_with_points, explanation
from goodstanding.queries.groups import group as group_at
from goodstanding.queries.history import NotRegistered, account_at
from goodstanding.queries.lookup import NotFound, last_event_time, policy_in_force
from goodstanding.queries.memberships import groups_of, identity_status
from goodstanding.queries.moderation import review_queue
from goodstanding.queries.own_data import own_sections
from goodstanding.queries.review import QueueFilter, open_items, review_item
from goodstanding.queries.score_history import score_over_time
from goodstanding.queries.standing import standing as standing_at
from goodstanding.records import RecordsError, RecordStore
from goodstanding.records.holds import list_holds
from goodstanding.store import (
    ChainError,
    Claim,
    Note,
    Session,
    Store,
    StoreError,
    WriterBusy,
    default_url,
)
from goodstanding.store import schema as tables
from goodstanding.store.checkpoint import Checkpoint, CheckpointError, latest_checkpoint

__all__ = [
    "ACTIONS",
    "PRIVILEGES",
    "ChainError",
    "Checkpoint",
    "CheckpointError",
    "Claim",
    "ExportRefused",
    "Hold",
    "IdentifierError",
    "IngestReport",
    "Ingestor",
    "KeyRingError",
    "NotFound",
    "NotRegistered",
    "Note",
    "Policy",
    "PolicyError",
    "PolicySet",
    "Position",
    "Problem",
    "QueueFilter",
    "RecordsError",
    "SanctionAction",
    "Session",
    "Store",
    "StoreError",
    "WhatIf",
    "WriterBusy",
    "account_at",
    "account_exists",
    "account_sanctions",
    "account_statements",
    "account_states",
    "audit",
    "audit_entries",
    "changed_between",
    "changed_since",
    "content_record",
    "default_url",
    "explain",
    "identity_verdict",
    "ingest",
    "latest_checkpoint",
    "load_policies",
    "log_head",
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
    return {"account": account_id} | own_sections(
        store, account_id, ("sanctions", "sanctions_lifted")
    )


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
    """The latest `at` in the log, None for an empty log."""
    return last_event_time(store)


def score_history(
    store: Store, policies: PolicySet, account_id: str, t: float, newest: int
) -> tuple[dict[str, Any], int, list[tuple[float, float]]]:
    """An account's explanation at time t with its `newest` latest ledger lines, how many
    ledger lines there are in all, and its score over time up to t."""
    explained, points = explained_with_points(store, policies, account_id, t, newest)
    return explained, len(points), score_over_time(explained, points)


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
    """A draft policy's text as a file in a scratch folder, deleted on leaving; its path.
    The default policy's term lists lie beside it, so that a draft copied from a version
    that names them (as the default policy does) loads."""
    with tempfile.TemporaryDirectory(prefix="goodstanding-draft-") as folder:
        path = Path(folder) / "draft.toml"
        path.write_text(text, encoding="utf-8")
        shutil.copytree(DEFAULT_POLICY.parent / "terms", Path(folder) / "terms")
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
