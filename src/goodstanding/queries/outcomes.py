"""What the projections of a store hold per account, in a form two stores can be compared in
(the live one and a what-if's scratch one): standings, sanctions, ledger summaries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from goodstanding.store import Store
from goodstanding.store import schema as tables

_CHUNK = 500


@dataclass(frozen=True)
class Outcome:
    """An account as the projections left it: its score and band at its last change, how many
    strikes it was given and how many sanctions imposed."""

    score: float
    band: str
    strikes: int
    sanctions: int


@dataclass(frozen=True)
class Sanction:
    """One imposed sanction, named by the entry that caused it (stable across replays of the
    same log) and its step."""

    account_id: str
    action: str
    event_id: str
    at: float
    until: float | None
    rule_id: str | None

    @property
    def key(self) -> tuple[str, str, str]:
        """What makes two runs' sanctions the same one: account, step and causing entry."""
        return (self.account_id, self.action, self.event_id)


@dataclass(frozen=True)
class LedgerLine:
    """A group of an account's ledger entries: their reason and rule, how many, their sum."""

    reason: str
    rule_id: str | None
    entries: int
    total: float


def outcomes(store: Store) -> dict[str, Outcome]:
    """Every account's outcome, by account id."""
    a, s, x = tables.accounts.c, tables.strikes.c, tables.sanctions.c
    with store.engine.connect() as conn:
        strikes: dict[str, int] = dict(
            conn.execute(select(s.account_id, func.count()).group_by(s.account_id)).all()
        )
        sanctions: dict[str, int] = dict(
            conn.execute(select(x.account_id, func.count()).group_by(x.account_id)).all()
        )
        return {
            account_id: Outcome(
                float(score), band, strikes.get(account_id, 0), sanctions.get(account_id, 0)
            )
            for account_id, score, band in conn.execute(select(a.id, a.score, a.band))
        }


def sanctions(store: Store) -> dict[tuple[str, str, str], Sanction]:
    """Every imposed sanction, by its key."""
    x = tables.sanctions.c
    query = select(x.account_id, x.action, x.event_id, x.at, x.until, x.rule_id).order_by(
        x.event_seq, x.n
    )
    with store.engine.connect() as conn:
        found = [Sanction(*row) for row in conn.execute(query)]
    return {sanction.key: sanction for sanction in found}


def ledger_summaries(store: Store, account_ids: Sequence[str]) -> dict[str, list[LedgerLine]]:
    """The ledgers of these accounts summed by reason and rule (largest share first)."""
    ledger = tables.ledger.c
    found: dict[str, list[LedgerLine]] = {}
    with store.engine.connect() as conn:
        for start in range(0, len(account_ids), _CHUNK):
            query = (
                select(
                    ledger.account_id,
                    ledger.reason,
                    ledger.rule_id,
                    func.count(),
                    func.sum(ledger.delta),
                )
                .where(ledger.account_id.in_(account_ids[start : start + _CHUNK]))
                .group_by(ledger.account_id, ledger.reason, ledger.rule_id)
            )
            for account_id, reason, rule_id, entries, total in conn.execute(query):
                found.setdefault(account_id, []).append(
                    LedgerLine(reason, rule_id, int(entries), float(total))
                )
    for lines in found.values():
        lines.sort(key=lambda line: (-abs(line.total), line.reason, line.rule_id or ""))
    return found
