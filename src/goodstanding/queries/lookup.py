"""One keyed thing by its id: an account's or a group's state, or whether it exists."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, TypeVar

from sqlalchemy import Connection

from goodstanding.engine.state import AccountState, GroupState
from goodstanding.policy import Policy, PolicySet
from goodstanding.store import Store

T = TypeVar("T")


class NotFound(LookupError):
    """An id that names nothing in the store; the message names it."""


def account_state(store: Store, account_id: str) -> AccountState:
    """The stored state of one account; raises NotFound for an unknown id."""
    return _one(store.load_accounts, store, "account", account_id)


def group_state(store: Store, group_id: str) -> GroupState:
    """The stored state of one group; raises NotFound for an unknown id."""
    return _one(store.load_groups, store, "group", group_id)


def _one(load: Callable[[Connection, list[str]], list[T]], store: Store, what: str, key: str) -> T:
    with store.engine.connect() as conn:
        found = load(conn, [key])
    if not found:
        raise NotFound(f"unknown {what} {key!r}")
    return found[0]


def exists(store: Store, scope: Literal["account", "group"], key: str) -> bool:
    """Whether an account or a group with this id is in the store."""
    table = "accounts" if scope == "account" else "groups"
    return bool(store.execute_sql(f"SELECT 1 FROM {table} WHERE id = :id", {"id": key}))


def policy_in_force(policies: PolicySet, t: float) -> Policy:
    """The policy version in force at epoch time t (the first version before any took
    effect), by which standings at t are read."""
    return policies.at_epoch(t) or policies.versions[0]


def last_event_time(store: Store) -> float | None:
    """The latest `at` in the log (the default 'as of' time for standings), None when the
    log is empty."""
    rows = store.execute_sql("SELECT MAX(at) FROM events")
    value = rows[0][0] if rows else None
    return float(value) if value is not None else None
