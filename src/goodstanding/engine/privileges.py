"""What an account may do at a time: its band's privileges, less what sanctions and a missing
identity take away."""

from __future__ import annotations

from goodstanding.engine.base import iso
from goodstanding.engine.effects import Denial
from goodstanding.engine.state import AccountState
from goodstanding.events import Event
from goodstanding.policy.model import Policy

BLOCKING = ("ban", "suspension")


def privileges(account: AccountState, t: float, policy: Policy) -> tuple[set[str], str]:
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


def holds(account: AccountState, need: tuple[str, ...], t: float, policy: Policy) -> bool:
    """Whether the account holds every privilege in `need` at time t (the common case, an
    account without sanctions, without building the reasons)."""
    if not account.sanctions and (account.identities or not policy.identity.required_for):
        held: set[str] | tuple[str, ...] = policy.band_for(account.score(t, policy)).privileges
    else:
        held, _ = privileges(account, t, policy)
    return all(map(held.__contains__, need))  # no generator: the fold asks on every act


def check(
    account: AccountState, need: tuple[str, ...], event: Event, t: float, policy: Policy
) -> Denial | None:
    """A denial if the account lacks any privilege in `need` at time t, else None."""
    if holds(account, need, t, policy):
        return None
    held, reason = privileges(account, t, policy)
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
