"""Rings: groups of accounts that keep liking each other's violating content.

``find_rings(edges, k=2, min_size=3)`` takes like edges ``(liker, author, content_id,
labelled)`` where ``labelled`` says the content was found violating, and returns the
groups in which every member liked labelled content of at least ``k`` other members who
liked theirs back. Method: keep the labelled likes; join two accounts when each liked at
least ``min_likes`` labelled items of the other (the mutual-like graph); peel off
accounts with fewer than ``k`` such partners until none is left (the k-core); the
connected components of what remains, with at least ``min_size`` members, are the rings.

Pure and deterministic: members are sorted, rings are sorted by their first member.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Mapping
from typing import Any

Edge = tuple[str, str, str, bool]


def find_rings(
    edges: Iterable[Edge], *, k: int = 2, min_size: int = 3, min_likes: int = 1
) -> list[list[str]]:
    """Groups of accounts (sorted lists of ids) that like each other's labelled content."""
    if k < 1 or min_size < 2 or min_likes < 1:
        raise ValueError("k and min_likes must be at least 1, min_size at least 2")
    liked: dict[tuple[str, str], set[str]] = defaultdict(set)
    for liker, author, content_id, labelled in edges:
        if labelled and liker != author:
            liked[(liker, author)].add(content_id)
    neighbours: dict[str, set[str]] = defaultdict(set)
    for (liker, author), contents in liked.items():
        if len(contents) >= min_likes and len(liked.get((author, liker), ())) >= min_likes:
            neighbours[liker].add(author)
            neighbours[author].add(liker)
    # the k-core: remove accounts with fewer than k mutual partners, until stable
    queue = deque(sorted(a for a, n in neighbours.items() if len(n) < k))
    removed: set[str] = set()
    while queue:
        account = queue.popleft()
        if account in removed:
            continue
        removed.add(account)
        for other in sorted(neighbours[account]):
            neighbours[other].discard(account)
            if other not in removed and len(neighbours[other]) < k:
                queue.append(other)
        neighbours[account] = set()
    rings: list[list[str]] = []
    seen: set[str] = set()
    for start in sorted(a for a in neighbours if a not in removed):
        if start in seen:
            continue
        component: list[str] = []
        stack = [start]
        seen.add(start)
        while stack:
            account = stack.pop()
            component.append(account)
            for other in neighbours[account]:
                if other not in seen and other not in removed:
                    seen.add(other)
                    stack.append(other)
        if len(component) >= min_size:
            rings.append(sorted(component))
    rings.sort(key=lambda ring: ring[0])
    return rings


def _field(event: Mapping[str, Any] | object, name: str) -> Any:
    if isinstance(event, Mapping):
        return event.get(name)
    return getattr(event, name, None)


def like_edges(
    events: Iterable[Mapping[str, Any] | object],
    labelled: set[str] | frozenset[str],
    kinds: tuple[str, ...] = ("like", "share"),
) -> list[Edge]:
    """Like edges from an event stream (dicts or ``goodstanding.events`` structs):
    ``(liker, author, content_id, content_id in labelled)`` for each engagement whose
    kind is in ``kinds`` with content posted earlier in the stream."""
    authors: dict[str, str] = {}
    edges: list[Edge] = []
    for event in events:
        kind = _field(event, "type")
        if kind is None:  # a msgspec struct: its tag is its class's
            config = getattr(type(event), "__struct_config__", None)
            kind = getattr(config, "tag", None)
        if kind == "content.posted":
            authors[str(_field(event, "content_id"))] = str(_field(event, "actor"))
        elif kind == "content.engaged" and _field(event, "kind") in kinds:
            content_id = str(_field(event, "content_id"))
            author = authors.get(content_id)
            if author is not None:
                liker = str(_field(event, "actor"))
                edges.append((liker, author, content_id, content_id in labelled))
    return edges
