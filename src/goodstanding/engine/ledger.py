"""The ledger: score entries added to an account, gains within the daily cap."""

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
    capped: bool = False,
) -> list[Effect]:
    """Adds a ledger entry dated t to the account (nothing for a zero delta); a capped
    positive delta only within the account's daily cap (late gains for a closed day: none)."""
    if capped and delta > 0:
        delta = _within_cap(account, delta, t, policy)
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


def _within_cap(account: AccountState, gain: float, t: float, policy: Policy) -> float:
    """The part of a positive gain at t that the account's daily cap still allows (0.0 for
    none), counted as gained that day."""
    day = int(t // DAY)
    if day < account.gain_day:
        return 0.0
    if day > account.gain_day:
        account.gain_day, account.gained = day, 0.0
    granted = min(gain, policy.scoring.daily_gain_cap - account.gained)
    if granted <= 0:
        return 0.0
    account.gained += granted
    return granted
