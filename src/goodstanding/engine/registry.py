"""The dispatch table: every family's handler table merged, checked when this module is
imported. Every event type of `goodstanding.events.EVENT_TYPES` has exactly one handler."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import ModuleType

from goodstanding.engine.handler import Handler
from goodstanding.engine.handlers import (
    accounts,
    appeals,
    comments,
    content,
    groups,
    identity,
    reviews,
    sanctions,
)
from goodstanding.events import EVENT_TYPES

FAMILIES: tuple[ModuleType, ...] = (
    accounts,
    content,
    reviews,
    sanctions,
    comments,
    groups,
    appeals,
    identity,
)


class RegistryError(TypeError):
    """The handler tables do not cover every event type exactly once."""


def merge(
    tables: Iterable[tuple[str, Mapping[type, Handler]]], event_types: Iterable[type]
) -> dict[type, Handler]:
    """One table from the named tables; raises RegistryError naming every event type with no
    handler, with two, or not among `event_types`."""
    merged: dict[type, Handler] = {}
    owner: dict[type, str] = {}
    problems: list[str] = []
    for name, table in tables:
        for event_type, handler in table.items():
            if event_type in owner:
                problems.append(
                    f"{event_type.__name__} has two handlers (in {owner[event_type]} and {name})"
                )
                continue
            owner[event_type] = name
            merged[event_type] = handler
    expected = list(event_types)
    problems += [f"{t.__name__} has no handler" for t in expected if t not in merged]
    problems += [
        f"{t.__name__} ({owner[t]}) is not an event type" for t in merged if t not in expected
    ]
    if problems:
        raise RegistryError("; ".join(problems))
    return merged


HANDLERS: dict[type, Handler] = merge(
    ((family.__name__, family.HANDLERS) for family in FAMILIES), EVENT_TYPES
)
