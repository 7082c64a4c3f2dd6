"""The read model POST /v1/check answers from: the stored state of recently checked accounts,
held in this process and refreshed from the store by log position (the accounts whose
check-relevant rows changed after the last position seen), on a short interval and after
every write made through this process. Its size is bounded; an account it does not hold is
read from the store once and kept."""

from __future__ import annotations

import threading
from typing import Any

from goodstanding.engine.state import AccountState
from goodstanding.service import backend


class CheckModel:
    """Accounts' state and sanctions' statements in memory, for answering checks without
    waiting on the store; at most `size` accounts and as many statements."""

    def __init__(self, store: backend.Store, policies: backend.PolicySet, size: int):
        self.store, self.policies, self.size = store, policies, size
        self._accounts: dict[str, AccountState] = {}
        self._statements: dict[str, str | None] = {}
        self._position = backend.Position()
        self._applying = threading.Lock()
        self._refreshing = threading.Lock()
        self.refresh()

    @property
    def position(self) -> backend.Position:
        """How far into the log the model has read."""
        return self._position

    def cached(self, account_id: str, action: str, t: float) -> dict[str, Any] | None:
        """The verdict from memory alone; None when it needs the store (an account not held,
        a time before the log's latest event, a statement not yet read)."""
        latest = self._position.latest_at
        account = self._accounts.get(account_id)
        if account is None or (latest is not None and t < latest):
            return None
        answer = backend.verdict(account, self.policies, action, t)
        if answer["sanction"] is not None:
            sanction_id = answer["sanction"]["id"]
            if sanction_id not in self._statements:
                return None
            answer["statement"] = self._statements[sanction_id]
        return answer

    def answer(self, account_id: str, action: str, t: float) -> dict[str, Any]:
        """The verdict, reading from the store what memory does not hold: an account at a time
        before the log's latest event is rebuilt as it stood then. Raises NotFound for an
        unknown account (NotRegistered for one not yet registered at t)."""
        latest = self._position.latest_at
        if latest is not None and t < latest:
            account = backend.account_at(self.store, self.policies, account_id, t)
        else:
            account = self._account(account_id)
        answer = backend.verdict(account, self.policies, action, t)
        if answer["sanction"] is not None:
            answer["statement"] = self._statement(answer["sanction"]["id"])
        return answer

    def _account(self, account_id: str) -> AccountState:
        """The account read from the store, and held from now on unless a change logged after
        the read is one no refresh will bring (refreshes read only after their position)."""
        read_at = backend.log_head(self.store)  # the state read next is at least this new
        found = backend.account_states(self.store, [account_id])
        if not found:
            raise backend.NotFound(f"unknown account {account_id!r}")
        while True:
            position = self._position
            if position.seq > read_at and backend.changed_between(
                self.store, account_id, read_at, position.seq
            ):
                return found[0]  # answered as read, not held: the next ask reads it again
            with self._applying:
                if self._position is position:  # no refresh moved on since the test
                    self._keep(self._accounts, account_id, found[0])
                    return found[0]

    def _statement(self, sanction_id: str) -> str | None:
        if sanction_id not in self._statements:
            statement = backend.sanction_statement(self.store, sanction_id)
            with self._applying:
                self._keep(self._statements, sanction_id, statement)
        return self._statements.get(sanction_id)

    def _keep(self, held: dict[str, Any], key: str, value: Any) -> None:
        """Holds a value, dropping the oldest held one when full (under `_applying`)."""
        if key not in held and len(held) >= self.size:
            del held[next(iter(held))]
        held[key] = value

    def refresh(self) -> int:
        """Reads the log's entries since the last refresh and reloads the held accounts they
        changed; returns how many."""
        with self._refreshing:
            since = self._position
            position, changed = backend.changed_since(self.store, since)
            if position == since:
                return 0
            with self._applying:
                held = sorted(changed & self._accounts.keys())
            fresh = {a.id: a for a in backend.account_states(self.store, held)}
            with self._applying:
                for account_id in changed:
                    if account_id in fresh and account_id in self._accounts:
                        self._accounts[account_id] = fresh[account_id]
                    else:  # held since `held` was taken, perhaps from before the change
                        self._accounts.pop(account_id, None)
                self._position = position
            return len(fresh)
