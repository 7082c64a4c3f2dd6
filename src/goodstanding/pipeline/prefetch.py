"""Loading the keyed state an ingest batch touches into the engine's state."""

from __future__ import annotations

from sqlalchemy import Connection

from goodstanding.engine import State
from goodstanding.events import (
    AccountRegistered,
    AppealDecided,
    AppealFiled,
    CommentApproved,
    CommentModeSet,
    CommentRejected,
    ContentEngaged,
    ContentPosted,
    ContentReported,
    Event,
    GroupCreated,
    GroupJoined,
    GroupLeft,
    GroupRoleChanged,
    IdentitySubmitted,
    ReviewDecided,
)
from goodstanding.store import Store

NAMES_CONTENT = (
    ContentEngaged,
    ContentReported,
    ReviewDecided,
    CommentModeSet,
    CommentApproved,
    CommentRejected,
)
"""Events that name a content item (`content_id`) the fold reads."""


def prefetch(store: Store, conn: Connection, state: State, events: list[Event]) -> None:
    """Loads the keyed state a batch touches: actors, content referred to and its authors
    and reporters, groups and their admins, and the groups that loaded admins run."""
    accounts = {e.actor for e in events}
    contents: set[str] = set()
    groups: set[str] = set()
    for e in events:
        if isinstance(e, NAMES_CONTENT):
            if e.content_id is not None:
                contents.add(e.content_id)
        elif isinstance(e, ContentPosted):
            if e.parent_id is not None:
                contents.add(e.parent_id)
            if e.group_id is not None:
                groups.add(e.group_id)
        elif isinstance(e, GroupCreated | GroupJoined | GroupLeft | GroupRoleChanged):
            groups.add(e.group_id)
            if isinstance(e, GroupRoleChanged):
                accounts.add(e.member)
    for loaded in store.load_contents(conn, sorted(contents - state.contents.keys())):
        state.contents[loaded.id] = loaded
    _load_appeals(store, conn, state, events, contents, accounts)
    for cid in contents:
        item = state.contents.get(cid)
        if item is not None:
            accounts.add(item.author)
            accounts.update(reporter for reporter, _, _ in item.reports)
            if item.owner is not None:
                accounts.add(item.owner)
    for _ in range(2):  # groups named -> their admins -> the groups those admins run
        _load_groups(store, conn, state, groups, accounts)
        _load_accounts(store, conn, state, accounts)
        groups = {g for a in accounts if (acc := state.accounts.get(a)) for g in acc.admin_of}
    _load_identities(store, conn, state, events)


def _load_identities(store: Store, conn: Connection, state: State, events: list[Event]) -> None:
    """Fingerprints named by the batch or held by its loaded accounts (to check blocks,
    count holders, and block them when a ban falls)."""
    wanted: set[str] = set()
    for e in events:
        if isinstance(e, IdentitySubmitted):
            wanted.update(e.fingerprints)
        elif isinstance(e, AccountRegistered) and e.identity is not None:
            wanted.update(e.identity.fingerprints)
    for account in state.accounts.values():
        if account.identities or account.pending:
            wanted.update(account.identities.values())
            for _, fingerprints in account.pending.values():
                wanted.update(fingerprints)
    missing = sorted(wanted - state.identities.keys())
    for loaded in store.load_identities(conn, missing):
        state.identities[loaded.fingerprint] = loaded


def _load_appeals(
    store: Store,
    conn: Connection,
    state: State,
    events: list[Event],
    contents: set[str],
    accounts: set[str],
) -> None:
    """Appeals and the decisions they name, with the decisions' content and account."""
    appeal_ids = {e.appeal_id for e in events if isinstance(e, AppealDecided)}
    for appeal in store.load_appeals(conn, sorted(appeal_ids - state.appeals.keys())):
        state.appeals[appeal.id] = appeal
    decision_ids = {e.decision_id for e in events if isinstance(e, AppealFiled)}
    decision_ids |= {state.appeals[a].decision_id for a in appeal_ids if a in state.appeals}
    missing = sorted(decision_ids - state.decisions.keys())
    for loaded_decision in store.load_decisions(conn, missing):
        state.decisions[loaded_decision.id] = loaded_decision
    new_contents: set[str] = set()
    for did in decision_ids:
        if (decision := state.decisions.get(did)) is not None:
            new_contents.add(decision.content_id)
            accounts.add(decision.account_id)
    for loaded in store.load_contents(conn, sorted(new_contents - state.contents.keys())):
        state.contents[loaded.id] = loaded
    contents |= new_contents


def _load_groups(
    store: Store, conn: Connection, state: State, groups: set[str], accounts: set[str]
) -> None:
    for loaded in store.load_groups(conn, sorted(groups - state.groups.keys())):
        state.groups[loaded.id] = loaded
    for gid in groups:
        found = state.groups.get(gid)
        if found is not None:
            accounts.update(found.admins())


def _load_accounts(store: Store, conn: Connection, state: State, accounts: set[str]) -> None:
    for account in store.load_accounts(conn, sorted(accounts - state.accounts.keys())):
        state.accounts[account.id] = account
