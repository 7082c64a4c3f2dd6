"""Identities: submissions checked against the block list, and the platform's verdicts.

Only keyed fingerprints ever reach the fold (raw values are replaced at ingest)."""

from __future__ import annotations

from functools import partial

from goodstanding.engine import identities, lookups
from goodstanding.engine.base import Rejected
from goodstanding.engine.context import Context
from goodstanding.engine.effects import Effect, IdentityChanged
from goodstanding.engine.handler import Handler, Keys
from goodstanding.engine.state import AccountState
from goodstanding.events import IdentityRejected, IdentitySubmitted, IdentityVerified, brief
from goodstanding.identity.blocklist import carry_forward
from goodstanding.policy.model import Policy


def submitted(ctx: Context, event: IdentitySubmitted, t: float, policy: Policy) -> list[Effect]:
    """Checks a submission; an acceptable one waits for the platform's verdict."""
    lookups.account(ctx, event.actor, t)
    account = lookups.account(ctx, event.account, t)
    refused = identities.screen(
        ctx,
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
    ctx.state.touch_account(account)
    return []


def _verdict_for(
    ctx: Context, account_id: str, submission: str, actor: str, t: float
) -> tuple[AccountState, tuple[str, tuple[str, ...]]]:
    verifier = lookups.account(ctx, actor, t, "verifier")
    if verifier.role != "moderator":
        raise Rejected(
            f"{brief(actor)} is not a moderator or verification service account: only "
            "those report the platform's identity checks"
        )
    account = lookups.account(ctx, account_id, t)
    pending = account.pending.get(submission)
    if pending is None:
        raise Rejected(
            f"no pending identity submission {brief(submission)} for {brief(account_id)}"
        )
    return account, pending


def verified(ctx: Context, event: IdentityVerified, t: float, policy: Policy) -> list[Effect]:
    """The platform confirmed a submission: the identity is linked to the account."""
    account, (kind, fingerprints) = _verdict_for(
        ctx, event.account, event.submission, event.actor, t
    )
    refused = identities.screen(
        ctx, event.id, t, account.id, kind, fingerprints, None, None, policy
    )
    del account.pending[event.submission]
    ctx.state.touch_account(account)
    if refused is not None:
        return [refused]
    current = fingerprints[0]
    state = ctx.state.identity(current)
    carried = carry_forward(partial(identities.entry, ctx), fingerprints, t)
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


def rejected(ctx: Context, event: IdentityRejected, t: float, policy: Policy) -> list[Effect]:
    """The platform refused a submission."""
    account, (kind, fingerprints) = _verdict_for(
        ctx, event.account, event.submission, event.actor, t
    )
    del account.pending[event.submission]
    ctx.state.touch_account(account)
    return [
        identities.refusal(
            event.id,
            t,
            account.id,
            kind,
            fingerprints[0] if fingerprints else None,
            f"refused by the platform's check ({event.reason or 'no reason given'})",
        )
    ]


def _submitted_reads(event: IdentitySubmitted) -> Keys:
    return Keys(accounts={event.actor, event.account}, fingerprints=set(event.fingerprints))


def _verdict_reads(event: IdentityVerified | IdentityRejected) -> Keys:
    return Keys(accounts={event.actor, event.account})


HANDLERS: dict[type, Handler] = {
    IdentitySubmitted: Handler(submitted, _submitted_reads),
    IdentityVerified: Handler(verified, _verdict_reads),
    IdentityRejected: Handler(rejected, _verdict_reads),
}
