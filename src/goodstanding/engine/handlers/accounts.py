"""Accounts: a registration, refused when the identity it carries is invalid or blocked."""

from __future__ import annotations

from goodstanding.engine import identities
from goodstanding.engine.base import Rejected, iso
from goodstanding.engine.context import Context
from goodstanding.engine.effects import Effect, IdentityChanged
from goodstanding.engine.handler import Handler, Keys
from goodstanding.engine.state import AccountState
from goodstanding.events import AccountRegistered, brief
from goodstanding.policy.model import Policy


def registered(ctx: Context, event: AccountRegistered, t: float, policy: Policy) -> list[Effect]:
    """A new account, unless the identity it registers with is refused."""
    existing = ctx.state.accounts.get(event.actor)
    if existing is not None:
        raise Rejected(
            f"account {brief(event.actor)} is already registered (at {iso(existing.registered_at)})"
        )
    refused = registration_refused(ctx, event, t, policy)
    if refused is not None:
        return [refused]  # the attempt is logged; no account is created
    account = AccountState(id=event.actor, role=event.role, registered_at=t, acc_at=t)
    if event.identity is not None:
        account.pending[event.id] = (event.identity.kind, event.identity.fingerprints)
    ctx.state.accounts[account.id] = ctx.state.touch_account(account)
    return []


def registration_refused(
    ctx: Context, event: AccountRegistered, t: float, policy: Policy
) -> IdentityChanged | None:
    """Why a registration carrying an identity is refused (invalid, blocked, too many
    accounts), or None."""
    sealed = event.identity
    if sealed is None:
        return None
    return identities.screen(
        ctx,
        event.id,
        t,
        event.actor,
        sealed.kind,
        sealed.fingerprints,
        sealed.invalid,
        sealed.invalid_message,
        policy,
    )


def _reads(event: AccountRegistered) -> Keys:
    fingerprints = set(event.identity.fingerprints) if event.identity is not None else set()
    return Keys(accounts={event.actor}, fingerprints=fingerprints)


HANDLERS: dict[type, Handler] = {AccountRegistered: Handler(registered, _reads)}
