"""Identities in the fold: submissions checked against the block list, verification, and the
blocks that bans and suspensions place on the identities of the account they fall on.

Only keyed fingerprints ever reach the fold (raw values are replaced at ingest)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from goodstanding.engine.base import Rejected, iso
from goodstanding.engine.effects import Effect, IdentityChanged
from goodstanding.engine.state import AccountState
from goodstanding.events import (
    AccountRegistered,
    IdentityRejected,
    IdentitySubmitted,
    IdentityVerified,
)
from goodstanding.identity.blocklist import (
    BlockEntry,
    BlockHit,
    add_hold,
    carry_forward,
    check,
    remove_hold,
)
from goodstanding.policy.model import Policy

if TYPE_CHECKING:
    from goodstanding.engine.fold import Engine

APPEAL = (
    "To contest it, appeal the decision that caused the block (goodstanding appeals are "
    "filed by the account it fell on, within the policy's window)."
)


def _entry(engine: Engine, fingerprint: str) -> BlockEntry | None:
    found = engine.state.identities.get(fingerprint)
    return found.block if found is not None else None


def blocked(engine: Engine, fingerprints: tuple[str, ...], t: float) -> BlockHit | None:
    """The hold that blocks any of these fingerprints at time t, if one does."""
    return check(partial(_entry, engine), fingerprints, t)


def refusal(
    event_id: str,
    t: float,
    account_id: str | None,
    kind: str | None,
    fingerprint: str | None,
    reason: str,
    hit: BlockHit | None = None,
) -> IdentityChanged:
    """An identity refused, with the reason (and the blocking decision and how to appeal)."""
    if hit is not None:
        until = f"until {iso(hit.until)}" if hit.until is not None else "without end"
        reason = (
            f"this identity is blocked {until} by decision {hit.decision}, taken on "
            f"an account it was verified for. {APPEAL}"
        )
    return IdentityChanged(
        event_id=event_id,
        at=t,
        account_id=account_id,
        kind=kind,
        fingerprint=fingerprint,
        status="refused",
        reason=reason,
        decision=hit.decision if hit else None,
        until=hit.until if hit else None,
    )


def screen(
    engine: Engine,
    event_id: str,
    t: float,
    account_id: str,
    kind: str,
    fingerprints: tuple[str, ...],
    invalid: str | None,
    invalid_message: str | None,
    policy: Policy,
) -> IdentityChanged | None:
    """Why a submitted identity is refused (invalid, blocked, or holding too many accounts),
    or None if it may go on to the platform's check."""
    if invalid is not None:
        return refusal(
            event_id,
            t,
            account_id,
            kind,
            None,
            f"{invalid}: {invalid_message or 'not a valid identifier'}",
        )
    if not fingerprints:
        return refusal(event_id, t, account_id, kind, None, "no fingerprint was made")
    hit = blocked(engine, fingerprints, t)
    if hit is not None:
        return refusal(event_id, t, account_id, kind, fingerprints[0], "", hit)
    holders = {
        h
        for fp in fingerprints
        if (s := engine.state.identities.get(fp))
        for h in s.holders
        if h != account_id
    }
    limit = policy.identity.max_accounts_per_identity
    if len(holders) >= limit:
        return refusal(
            event_id,
            t,
            account_id,
            kind,
            fingerprints[0],
            f"this identity already holds {len(holders)} account(s); the policy allows {limit}",
        )
    return None


def submitted(engine: Engine, event: IdentitySubmitted, t: float, policy: Policy) -> list[Effect]:
    """Checks a submission; an acceptable one waits for the platform's verdict."""
    engine.account(event.actor, t)
    account = engine.account(event.account, t)
    refused = screen(
        engine,
        event.id,
        t,
        account.id,
        event.kind,
        event.fingerprints,
        event.invalid,
        event.invalid_message,
        policy,
    )
    if refused is not None:
        return [refused]
    account.pending[event.id] = (event.kind, event.fingerprints)
    engine.state.touch_account(account)
    return []


def _verdict_for(
    engine: Engine, account_id: str, submission: str, actor: str, t: float
) -> tuple[AccountState, tuple[str, tuple[str, ...]]]:
    verifier = engine.account(actor, t, "verifier")
    if verifier.role != "moderator":
        raise Rejected(
            f"{actor!r} is not a moderator or verification service account: only "
            "those report the platform's identity checks"
        )
    account = engine.account(account_id, t)
    pending = account.pending.get(submission)
    if pending is None:
        raise Rejected(f"no pending identity submission {submission!r} for {account_id!r}")
    return account, pending


def verified(engine: Engine, event: IdentityVerified, t: float, policy: Policy) -> list[Effect]:
    """The platform confirmed a submission: the identity is linked to the account."""
    account, (kind, fingerprints) = _verdict_for(
        engine, event.account, event.submission, event.actor, t
    )
    refused = screen(engine, event.id, t, account.id, kind, fingerprints, None, None, policy)
    del account.pending[event.submission]
    engine.state.touch_account(account)
    if refused is not None:
        return [refused]
    current = fingerprints[0]
    state = engine.state.identity(current)
    carried = carry_forward(partial(_entry, engine), fingerprints, t)
    if carried is not None:
        state.block = carried
    if account.id not in state.holders:
        state.holders.append(account.id)
    account.identities[kind] = current
    return [
        IdentityChanged(
            event_id=event.id,
            at=t,
            account_id=account.id,
            kind=kind,
            fingerprint=current,
            status="verified",
            reason=f"verified by the platform ({event.method or 'check'})",
        )
    ]


def rejected(engine: Engine, event: IdentityRejected, t: float, policy: Policy) -> list[Effect]:
    """The platform refused a submission."""
    account, (kind, fingerprints) = _verdict_for(
        engine, event.account, event.submission, event.actor, t
    )
    del account.pending[event.submission]
    engine.state.touch_account(account)
    return [
        refusal(
            event.id,
            t,
            account.id,
            kind,
            fingerprints[0] if fingerprints else None,
            f"refused by the platform's check ({event.reason or 'no reason given'})",
        )
    ]


def block_identities(
    engine: Engine,
    account: AccountState,
    sanction_id: str,
    action: str,
    t: float,
    until: float | None,
    policy: Policy,
) -> list[Effect]:
    """Blocks every verified identity of an account that a blocking sanction falls on."""
    if action not in policy.identity.block_on:
        return []
    effects: list[Effect] = []
    for kind, fp in sorted(account.identities.items()):
        state = engine.state.identity(fp)
        state.block = add_hold(state.block, fp, sanction_id, t, until)
        effects.append(
            IdentityChanged(
                event_id=sanction_id.split("/", 1)[0],
                at=t,
                account_id=account.id,
                kind=kind,
                fingerprint=fp,
                status="blocked",
                decision=sanction_id,
                until=until,
                reason=f"{action} of the account it is verified for: no new account with it "
                + (f"until {iso(until)}" if until is not None else "without end"),
            )
        )
    return effects


def unblock_identities(
    engine: Engine, account: AccountState, sanction_id: str, event_id: str, t: float
) -> list[Effect]:
    """Lifts the blocks a sanction placed (its decision was reversed)."""
    effects: list[Effect] = []
    for kind, fp in sorted(account.identities.items()):
        state = engine.state.identities.get(fp)
        if state is None or state.block is None:
            continue
        remaining = remove_hold(state.block, sanction_id)
        if remaining == state.block:
            continue
        state.block = remaining
        engine.state.identity(fp)
        effects.append(
            IdentityChanged(
                event_id=event_id,
                at=t,
                account_id=account.id,
                kind=kind,
                fingerprint=fp,
                status="unblocked",
                decision=sanction_id,
                reason="the decision that blocked it was reversed",
            )
        )
    return effects


def registration_refused(
    engine: Engine, event: AccountRegistered, t: float, policy: Policy
) -> IdentityChanged | None:
    """Why a registration carrying an identity is refused (invalid, blocked, too many
    accounts), or None."""
    sealed = event.identity
    if sealed is None:
        return None
    return screen(
        engine,
        event.id,
        t,
        event.actor,
        sealed.kind,
        sealed.fingerprints,
        sealed.invalid,
        sealed.invalid_message,
        policy,
    )
