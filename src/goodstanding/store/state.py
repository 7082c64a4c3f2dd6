"""Keyed state in the store: loading the state of given keys and saving changed keys."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Connection
from sqlalchemy.sql.schema import Table

from goodstanding.engine import Engine
from goodstanding.engine.state import (
    AccountState,
    AppealState,
    ContentState,
    DecisionState,
    GroupState,
    IdentityState,
    account_codec,
    appeal_codec,
    content_codec,
    decision_codec,
    group_codec,
    identity_codec,
)
from goodstanding.policy import Policy
from goodstanding.store import schema
from goodstanding.store.database import Database

T = TypeVar("T")


def _account_row(account: AccountState, policy: Policy) -> tuple[Any, ...]:
    """The stored row of an account: its state, and its score and band at its last change."""
    score = account.score(account.acc_at, policy)
    band = policy.band_for(score).name
    state = account_codec[0].encode(account)
    return (account.id, account.role, account.registered_at, score, band, account.acc_at, state)


class KeyedState(Database):
    """The store's keyed state: accounts, content, groups, decisions, appeals, identities."""

    def load_accounts(self, conn: Connection, ids: Sequence[str]) -> list[AccountState]:
        """The stored state of these accounts (those that exist)."""
        return self._load(conn, schema.accounts, ids, account_codec[1].decode)

    def load_contents(self, conn: Connection, ids: Sequence[str]) -> list[ContentState]:
        """The stored state of these content items (those that exist)."""
        return self._load(conn, schema.contents, ids, content_codec[1].decode)

    def load_groups(self, conn: Connection, ids: Sequence[str]) -> list[GroupState]:
        """The stored state of these groups (those that exist)."""
        return self._load(conn, schema.groups, ids, group_codec[1].decode)

    def load_decisions(self, conn: Connection, ids: Sequence[str]) -> list[DecisionState]:
        """The stored state of these decisions (those that exist)."""
        return self._load(conn, schema.decisions, ids, decision_codec[1].decode)

    def load_appeals(self, conn: Connection, ids: Sequence[str]) -> list[AppealState]:
        """The stored state of these appeals (those that exist)."""
        return self._load(conn, schema.appeals, ids, appeal_codec[1].decode)

    def _load(
        self, conn: Connection, table: Table, ids: Sequence[str], decode: Callable[[bytes], T]
    ) -> list[T]:
        return [decode(blob) for (blob,) in self._matching(conn, [table.c.state], table.c.id, ids)]

    def load_identities(self, conn: Connection, fingerprints: Sequence[str]) -> list[IdentityState]:
        """The stored state of these fingerprints (those seen before)."""
        decode = identity_codec[1].decode
        key = schema.identities.c.fingerprint
        return [
            decode(blob)
            for (blob,) in self._matching(conn, [schema.identities.c.state], key, fingerprints)
        ]

    def save_appeals(
        self, conn: Connection, decisions: list[DecisionState], appeals: list[AppealState]
    ) -> None:
        """Writes changed decisions and appeals."""
        encode = decision_codec[0].encode
        self.insert_many(
            conn,
            schema.decisions,
            [
                (
                    d.id,
                    d.at,
                    d.account_id,
                    d.content_id,
                    d.rule_id,
                    d.appeal_id,
                    d.reversed,
                    encode(d),
                )
                for d in decisions
            ],
            replace=True,
        )
        encode = appeal_codec[0].encode
        self.insert_many(
            conn,
            schema.appeals,
            [
                (a.id, a.decision_id, a.account_id, a.filed_at, a.outcome, encode(a))
                for a in appeals
            ],
            replace=True,
        )

    def save_identities(self, conn: Connection, items: list[IdentityState]) -> None:
        """Writes changed fingerprints (holders and blocks; never a raw value)."""
        encode = identity_codec[0].encode
        rows = [
            (
                i.fingerprint,
                i.fingerprint.split(":", 1)[0],
                len(i.holders),
                i.block is not None,
                encode(i),
            )
            for i in items
        ]
        self.insert_many(conn, schema.identities, rows, replace=True)

    def save_groups(self, conn: Connection, groups: list[GroupState]) -> None:
        """Writes changed groups."""
        encode = group_codec[0].encode
        rows = [
            (g.id, g.owner, g.created_at, len(g.roles), g.without_admin, encode(g)) for g in groups
        ]
        self.insert_many(conn, schema.groups, rows, replace=True)

    def save_state(
        self, conn: Connection, accounts: list[tuple[Any, ...]], contents: list[ContentState]
    ) -> None:
        """Writes changed accounts (rows in column order) and content items."""
        self.insert_many(conn, schema.accounts, accounts, replace=True)
        encode = content_codec[0].encode
        rows = [(c.id, c.author, c.kind, c.at, c.visible, encode(c)) for c in contents]
        self.insert_many(conn, schema.contents, rows, replace=True)

    def save_changed(self, conn: Connection, engine: Engine) -> None:
        """Writes every key the engine's fold changed (an account's score and band under the
        policy in force at its last change) and clears the engine's record of changes."""
        state = engine.state
        rows = []
        for account_id in sorted(state.dirty_accounts):
            account = state.accounts[account_id]
            policy = engine.policy_at(account.acc_at) or engine.policies.versions[0]
            rows.append(_account_row(account, policy))
        contents = [state.contents[c] for c in sorted(state.dirty_contents)]
        self.save_state(conn, rows, contents)
        self.save_groups(conn, [state.groups[g] for g in sorted(state.dirty_groups)])
        self.save_identities(conn, [state.identities[f] for f in sorted(state.dirty_identities)])
        self.save_appeals(
            conn,
            [state.decisions[d] for d in sorted(state.dirty_decisions)],
            [state.appeals[a] for a in sorted(state.dirty_appeals)],
        )
        state.clear_dirty()
