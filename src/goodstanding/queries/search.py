"""Finding accounts, content and groups for a moderator: filters on what the projections
hold, a page at a time (at most PAGE rows, from an offset no larger than MAX_OFFSET)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import msgspec
from sqlalchemy import Select, and_, exists, select, union

from goodstanding.store import Store
from goodstanding.store import schema as tables

PAGE: Final = 50
MAX_OFFSET: Final = 10_000


@dataclass(frozen=True)
class Page:
    """One page of rows, and whether more follow."""

    rows: list[dict[str, Any]]
    offset: int
    more: bool


@dataclass(frozen=True)
class AccountFilter:
    """What to find accounts by (None: any): an id prefix, a band, a score range (the score at
    the account's last change), a sanction since a time, a strike under a rule."""

    prefix: str | None = None
    band: str | None = None
    score_min: float | None = None
    score_max: float | None = None
    sanctioned_since: float | None = None
    rule: str | None = None


@dataclass(frozen=True)
class ContentFilter:
    """What to find content by (None: any): a rule it was flagged or labelled under, a label
    status (upheld, cleared, ...), the account that reported it."""

    rule: str | None = None
    label: str | None = None
    reporter: str | None = None


def _page(store: Store, query: Select[Any], offset: int) -> tuple[list[Any], int, bool]:
    """Runs a query for one page (one row more, to tell whether more follow)."""
    offset = max(0, min(offset, MAX_OFFSET))
    with store.engine.connect() as conn:
        rows = conn.execute(query.offset(offset).limit(PAGE + 1)).all()
    return list(rows[:PAGE]), offset, len(rows) > PAGE


def accounts(store: Store, where: AccountFilter, offset: int = 0) -> Page:
    """Accounts matching every filter given, by id."""
    a = tables.accounts.c
    query = select(a.id, a.role, a.score, a.band, a.as_of, a.registered_at).order_by(a.id)
    if where.prefix:
        query = query.where(a.id.startswith(where.prefix, autoescape=True))
    if where.band:
        query = query.where(a.band == where.band)
    if where.score_min is not None:
        query = query.where(a.score >= where.score_min)
    if where.score_max is not None:
        query = query.where(a.score <= where.score_max)
    if where.sanctioned_since is not None:
        s = tables.sanctions.c
        query = query.where(
            exists().where(and_(s.account_id == a.id, s.at >= where.sanctioned_since))
        )
    if where.rule:
        k = tables.strikes.c
        query = query.where(exists().where(and_(k.account_id == a.id, k.rule_id == where.rule)))
    rows, offset, more = _page(store, query, offset)
    return Page([dict(r._mapping) for r in rows], offset, more)


def _reported_by(store: Store, reporter: str) -> list[str]:
    """The content ids an account reported (read from the log's report events)."""
    e = tables.events.c
    decode = msgspec.json.Decoder(dict[str, Any]).decode
    query = select(e.body).where(e.type == "content.reported", e.actor == reporter)
    with store.engine.connect() as conn:
        return sorted({str(decode(body)["content_id"]) for (body,) in conn.execute(query)})


def contents(store: Store, where: ContentFilter, offset: int = 0) -> Page:
    """Content matching every filter given, newest first, with its labels."""
    c, lab, f = tables.contents.c, tables.labels.c, tables.flags.c
    query = select(c.id, c.author, c.kind, c.at, c.visible).order_by(c.at.desc(), c.id)
    # each filter picks content ids first, then the few contents: a correlated test on every
    # content item, newest first, reads the whole table for a rare rule
    if where.rule:
        query = query.where(
            c.id.in_(
                union(
                    select(lab.content_id).where(lab.rule_id == where.rule),
                    select(f.content_id).where(f.rule_id == where.rule),
                )
            )
        )
    if where.label:
        query = query.where(c.id.in_(select(lab.content_id).where(lab.status == where.label)))
    if where.reporter:
        query = query.where(c.id.in_(_reported_by(store, where.reporter)))
    rows, offset, more = _page(store, query, offset)
    ids = [r.id for r in rows]
    labels: dict[str, list[str]] = {}
    if ids:
        with store.engine.connect() as conn:
            for content_id, rule_id, status in conn.execute(
                select(lab.content_id, lab.rule_id, lab.status)
                .where(lab.content_id.in_(ids))
                .order_by(lab.event_seq, lab.n)
            ):
                labels.setdefault(content_id, []).append(f"{rule_id}: {status}")
    return Page([{**r._mapping, "labels": labels.get(r.id, [])} for r in rows], offset, more)


def groups(store: Store, prefix: str | None, offset: int = 0) -> Page:
    """Groups by id (those whose id starts with `prefix`), with owner, size and whether any
    admin may act."""
    g = tables.groups.c
    query = select(g.id, g.owner, g.created_at, g.members, g.without_admin).order_by(g.id)
    if prefix:
        query = query.where(g.id.startswith(prefix, autoescape=True))
    rows, offset, more = _page(store, query, offset)
    return Page([dict(r._mapping) for r in rows], offset, more)


def label_statuses(store: Store) -> list[str]:
    """The label statuses the store holds, for a filter's choices."""
    lab = tables.labels.c
    with store.engine.connect() as conn:
        return [s for (s,) in conn.execute(select(lab.status).distinct().order_by(lab.status))]
