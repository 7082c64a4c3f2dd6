"""Resident memory of the fold's state per 1,000,000 accounts."""

from __future__ import annotations

import gc

from bench.common import report, rss_bytes
from goodstanding.engine.state import AccountState, Strike

ACCOUNTS = 1_000_000


def main() -> None:
    """Prints the RSS growth of holding a million account states (1 in 20 with a strike)."""
    gc.collect()
    before = rss_bytes()
    accounts: dict[str, AccountState] = {}
    for i in range(ACCOUNTS):
        account = AccountState(
            id=f"a{i:07d}",
            role="member",
            registered_at=1.7e9 + i,
            acc=0.5 * (i % 7),
            acc_at=1.7e9 + i,
            gain_day=20000 + i % 90,
            gained=1.0,
        )
        if i % 20 == 0:
            account.strikes.append(
                Strike(
                    at=1.7e9,
                    rule_id="spam.bulk",
                    category="scams_and_fraud",
                    content_id=f"c{i}",
                    decision_id=f"d{i}",
                    expires_at=1.8e9,
                )
            )
        accounts[account.id] = account
    gc.collect()
    grown = rss_bytes() - before
    report(
        "memory per 1,000,000 accounts of state",
        grown / 2**20,
        "MiB",
        "AccountState structs in a dict keyed by id; 5% with one strike",
    )
    del accounts
