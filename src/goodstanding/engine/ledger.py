"""The ledger: score entries added to an account, and gains within the daily cap."""

from __future__ import annotations

from goodstanding.engine.context import Context
from goodstanding.engine.effects import Effect, LedgerEntry
from goodstanding.engine.state import DAY, AccountState
from goodstanding.policy.model import Policy


def entry(
    ctx: Context,
    account: AccountState,
    delta: float,
    t: float,
    policy: Policy,
    reason: str,
    event_id: str,
    evidence: tuple[str, ...],
    rule_id: str | None = None,
    note: str | None = None,
) -> list[Effect]:
    """Adds a ledger entry dated t to the account (nothing for a zero delta)."""
    if delta == 0:
        return []
    ctx.state.touch_account(account)
    account.add(delta, t, policy.scoring.half_life_seconds)
    return [
        LedgerEntry(
            event_id=event_id,
            at=t,
            account_id=account.id,
            delta=delta,
            reason=reason,
            policy_version=policy.version,
            rule_id=rule_id,
            evidence=evidence,
            note=note,
        )
    ]


def gain(
    ctx: Context,
    account: AccountState,
    delta: float,
    t: float,
    policy: Policy,
    reason: str,
    event_id: str,
    evidence: tuple[str, ...],
) -> list[Effect]:
    """A positive delta within the account's daily cap (late gains for a closed day: none);
    a negative one as it is."""
    if delta <= 0:
        return entry(ctx, account, delta, t, policy, reason, event_id, evidence)
    day = int(t // DAY)
    if day < account.gain_day:
        return []
    if day > account.gain_day:
        account.gain_day, account.gained = day, 0.0
    granted = min(delta, policy.scoring.daily_gain_cap - account.gained)
    if granted <= 0:
        return []
    account.gained += granted
    return entry(ctx, account, granted, t, policy, reason, event_id, evidence)
