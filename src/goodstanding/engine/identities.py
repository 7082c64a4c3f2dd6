"""Identities the fold checks and blocks: submissions screened against the block list and the
holder limit, and the blocks that bans and suspensions place on an account's identities.

Only keyed fingerprints ever reach the fold (raw values are replaced at ingest)."""

from __future__ import annotations

from functools import partial

from goodstanding.engine.base import iso
from goodstanding.engine.context import Context
from goodstanding.engine.effects import Effect, IdentityChanged
from goodstanding.engine.state import AccountState
from goodstanding.identity.blocklist import (
    BlockEntry,
    BlockHit,
    add_hold,
    check,
    remove_hold,
)
from goodstanding.policy.model import Policy

APPEAL = (
    "To contest it, appeal the decision that caused the block (goodstanding appeals are "
    "filed by the account it fell on, within the policy's window)."
)


def entry(ctx: Context, fingerprint: str) -> BlockEntry | None:
    """The block list entry of a fingerprint, if it has one."""
    found = ctx.state.identities.get(fingerprint)
    return found.block if found is not None else None


def blocked(ctx: Context, fingerprints: tuple[str, ...], t: float) -> BlockHit | None:
    """The hold that blocks any of these fingerprints at time t, if one does."""
    return check(partial(entry, ctx), fingerprints, t)


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
    if hit is None:
        return _changed(event_id, t, account_id, kind, fingerprint, "refused", reason, None, None)
    until = f"until {iso(hit.until)}" if hit.until is not None else "without end"
    reason = (
        f"this identity is blocked {until} by decision {hit.decision}, taken on "
        f"an account it was verified for. {APPEAL}"
    )
    return _changed(
        event_id, t, account_id, kind, fingerprint, "refused", reason, hit.decision, hit.until
    )


def _changed(
    event_id: str,
    t: float,
    account_id: str | None,
    kind: str | None,
    fingerprint: str | None,
    status: str,
    reason: str,
    decision: str | None,
    until: float | None,
) -> IdentityChanged:
    """A change to an identity's standing: refused, blocked or unblocked."""
    return IdentityChanged(
        event_id=event_id,
        at=t,
        account_id=account_id,
        kind=kind,
        fingerprint=fingerprint,
        status=status,
        reason=reason,
        decision=decision,
        until=until,
    )


def screen(
    ctx: Context,
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
    hit = blocked(ctx, fingerprints, t)
    if hit is not None:
        return refusal(event_id, t, account_id, kind, fingerprints[0], "", hit)
    holders = {
        h
        for fp in fingerprints
        if (s := ctx.state.identities.get(fp))
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


def block_identities(
    ctx: Context,
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
    event_id = sanction_id.split("/", 1)[0]
    reason = f"{action} of the account it is verified for: no new account with it " + (
        f"until {iso(until)}" if until is not None else "without end"
    )
    effects: list[Effect] = []
    for kind, fp in sorted(account.identities.items()):
        state = ctx.state.identity(fp)
        state.block = add_hold(state.block, fp, sanction_id, t, until)
        effects.append(
            _changed(event_id, t, account.id, kind, fp, "blocked", reason, sanction_id, until)
        )
    return effects


def unblock_identities(
    ctx: Context, account: AccountState, sanction_id: str, event_id: str, t: float
) -> list[Effect]:
    """Lifts the blocks a sanction placed (its decision was reversed)."""
    reason = "the decision that blocked it was reversed"
    effects: list[Effect] = []
    for kind, fp in sorted(account.identities.items()):
        state = ctx.state.identities.get(fp)
        if state is None or state.block is None:
            continue
        remaining = remove_hold(state.block, sanction_id)
        if remaining == state.block:
            continue
        state.block = remaining
        ctx.state.identity(fp)
        effects.append(
            _changed(event_id, t, account.id, kind, fp, "unblocked", reason, sanction_id, None)
        )
    return effects
