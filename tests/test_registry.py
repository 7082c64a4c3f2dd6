"""The fold's dispatch table: every event type has exactly one handler, checked at import."""

from __future__ import annotations

import pytest

from goodstanding.engine.handler import Handler, actor_only
from goodstanding.engine.handlers import accounts, content
from goodstanding.engine.registry import FAMILIES, HANDLERS, RegistryError, merge
from goodstanding.events import EVENT_TYPES, AccountRegistered, ContentPosted
from helpers import ev


def test_every_event_type_has_one_handler() -> None:
    assert set(HANDLERS) == set(EVENT_TYPES)
    assert sum(len(family.HANDLERS) for family in FAMILIES) == len(EVENT_TYPES)


def test_a_missing_handler_fails_naming_the_type() -> None:
    tables = [("accounts", accounts.HANDLERS)]
    with pytest.raises(RegistryError, match="ContentPosted has no handler"):
        merge(tables, [AccountRegistered, ContentPosted])


def test_a_doubled_handler_fails_naming_both_tables() -> None:
    again = {ContentPosted: Handler(content.posted, actor_only)}
    tables = [("content", content.HANDLERS), ("elsewhere", again)]
    with pytest.raises(
        RegistryError, match=r"ContentPosted has two handlers \(in content and elsewhere\)"
    ):
        merge(tables, list(content.HANDLERS))


def test_a_handler_for_an_unknown_type_fails() -> None:
    with pytest.raises(RegistryError, match=r"ContentPosted .* is not an event type"):
        merge([("content", {ContentPosted: Handler(content.posted, actor_only)})], [])


def test_handlers_declare_the_keys_they_read() -> None:
    posted = ev(
        "content.posted",
        "2026-01-02T00:00:00Z",
        "m1",
        content_id="c2",
        parent_id="c1",
        kind="comment",
        text="hi",
    )
    keys = HANDLERS[type(posted)].reads(posted)
    assert (keys.accounts, keys.contents, keys.groups) == (
        {"m1"},
        {"c1", "c2"},
        set(),
    )  # its own id: unused?
    role = ev(
        "group.role_changed",
        "2026-01-02T00:00:00Z",
        "m1",
        group_id="g1",
        member="m2",
        role="admin",
    )
    keys = HANDLERS[type(role)].reads(role)
    assert (keys.accounts, keys.groups) == ({"m1", "m2"}, {"g1"})
