"""The distinct texts of a batch, so that work that depends on a text alone (a model's score,
a sketch) is done once per distinct text: batches repeat texts (spam, short replies)."""

from __future__ import annotations

from collections.abc import Sequence


def distinct(texts: Sequence[str]) -> tuple[list[str], list[int]]:
    """The distinct texts in the order first seen, and for each text the index of its own
    among them (so that ``[found[i] for i in rows]`` spreads per-distinct results back)."""
    slots: dict[str, int] = {}
    rows = [slots.setdefault(text, len(slots)) for text in texts]
    return list(slots), rows
