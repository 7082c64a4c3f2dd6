"""Loading the keyed state an ingest batch touches into the engine's state: the keys each
event's handler declares it reads, and what those keys lead to."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection

from goodstanding.engine import State
from goodstanding.engine.handler import Keys
from goodstanding.engine.registry import HANDLERS
from goodstanding.events import Event
from goodstanding.store import Store


def named_keys(events: Iterable[Event]) -> Keys:
    """The keys a batch's events name, as their handlers declare them."""
    named = Keys()
    for event in events:
        keys = HANDLERS[type(event)].reads(event)
        named.accounts |= keys.accounts
        named.contents |= keys.contents
        named.groups |= keys.groups
        named.appeals |= keys.appeals
        named.decisions |= keys.decisions
        named.fingerprints |= keys.fingerprints
    return named


def prefetch(store: Store, conn: Connection, state: State, events: list[Event]) -> Keys:
    """Loads into `state` the keyed state a batch touches: the keys its events name, and what
    those lead to: the decisions appeals name, with their content and account; content's
    authors, reporters and owners; groups' admins and the groups those admins run; and the
    identities named or held by loaded accounts. Returns every key it looked for."""
    named = named_keys(events)
    accounts, contents, groups = set(named.accounts), set(named.contents), set(named.groups)
    visited: set[str] = set()

    def load_contents(ids: set[str]) -> None:
        for loaded in store.load_contents(conn, sorted(ids - state.contents.keys())):
            state.contents[loaded.id] = loaded

    load_contents(contents)
    for appeal in store.load_appeals(conn, sorted(named.appeals - state.appeals.keys())):
        state.appeals[appeal.id] = appeal
    decision_ids = named.decisions | {
        state.appeals[a].decision_id for a in named.appeals if a in state.appeals
    }
    for decision in store.load_decisions(conn, sorted(decision_ids - state.decisions.keys())):
        state.decisions[decision.id] = decision
    decided: set[str] = set()
    for did in decision_ids:
        if (found := state.decisions.get(did)) is not None:
            decided.add(found.content_id)
            accounts.add(found.account_id)
    load_contents(decided)
    contents |= decided
    for cid in contents:
        item = state.contents.get(cid)
        if item is not None:
            accounts.add(item.author)
            accounts.update(reporter for reporter, _, _ in item.reports)
            if item.owner is not None:
                accounts.add(item.owner)
    for _ in range(2):  # groups named -> their admins -> the groups those admins run
        visited |= groups
        for group in store.load_groups(conn, sorted(groups - state.groups.keys())):
            state.groups[group.id] = group
        for gid in groups:
            if (found_group := state.groups.get(gid)) is not None:
                accounts.update(found_group.admins())
        for account in store.load_accounts(conn, sorted(accounts - state.accounts.keys())):
            state.accounts[account.id] = account
        groups = {g for a in accounts if (acc := state.accounts.get(a)) for g in acc.admin_of}
    wanted = set(named.fingerprints)
    for held in state.accounts.values():
        if held.identities or held.pending:
            wanted.update(held.identities.values())
            for _, fingerprints in held.pending.values():
                wanted.update(fingerprints)
    for identity in store.load_identities(conn, sorted(wanted - state.identities.keys())):
        state.identities[identity.fingerprint] = identity
    return Keys(
        accounts=accounts,
        contents=contents,
        groups=visited,
        appeals=named.appeals,
        decisions=decision_ids,
        fingerprints=wanted,
    )
