"""What a handler of one event type is: the fold of the event, and the keys it names."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from goodstanding.engine.context import Context
from goodstanding.engine.effects import Effect
from goodstanding.policy.model import Policy


@dataclass
class Keys:
    """The keys of state an event names directly. The shell loads them before the fold, with
    what they lead to (a content item's author, a group's admins, an account's identities)."""

    accounts: set[str] = field(default_factory=set)
    contents: set[str] = field(default_factory=set)
    groups: set[str] = field(default_factory=set)
    appeals: set[str] = field(default_factory=set)
    decisions: set[str] = field(default_factory=set)
    fingerprints: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Handler:
    """The fold of one event type, and the keys an event of that type reads."""

    fold: Callable[[Context, Any, float, Policy], list[Effect]]
    """(context, event, its time in epoch seconds, the policy in force) -> effects."""
    reads: Callable[[Any], Keys]
    """The keys the event names (its actor among them)."""


def actor_only(event: Any) -> Keys:
    """The keys of an event that names nothing but its actor."""
    return Keys(accounts={event.actor})


def with_content(event: Any) -> Keys:
    """The keys of an event by its actor about one content item (`content_id`, if any)."""
    contents = {event.content_id} if event.content_id is not None else set()
    return Keys(accounts={event.actor}, contents=contents)
