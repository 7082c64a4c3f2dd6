"""The two literal-matching backends and the prefilters of patterns without literals.

* ``hyperscan`` (when ``import hyperscan`` works): one literal database with
  ``SOM_LEFTMOST``, and a second database in prefilter mode for the loose patterns that
  Hyperscan reads as the ``regex`` module does.
* ``aho``: one pyahocorasick automaton holds the literals.

Loose patterns neither backend takes are prefiltered by one combined ``regex``
alternation, or searched text by text when they cannot share one.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any, Final, Literal

import ahocorasick  # type: ignore[import-not-found]
import numpy as np
import regex  # type: ignore[import-untyped]

from goodstanding.detect.literals import pattern_tokens, portable

try:  # Hyperscan is optional (x86-64 only); the Aho-Corasick backend needs nothing more
    import hyperscan

    HAVE_HYPERSCAN = True
except ImportError:  # pragma: no cover - depends on the platform
    hyperscan = None  # type: ignore[assignment]
    HAVE_HYPERSCAN = False

Backend = Literal["auto", "hyperscan", "aho"]


def loosen(pattern: str) -> str:
    """A pattern that matches wherever the given one does, and maybe more: each bounded
    repeat ``{m,n}`` becomes ``{m,}``. Hyperscan compiles it far faster in UTF-8 mode,
    and as a prefilter it stays sound (no text the pattern matches is missed)."""
    out: list[str] = []
    skip_to = 0
    for i, token, in_class in pattern_tokens(pattern):
        if i < skip_to:
            continue
        if token == "{" and not in_class:
            close = pattern.find("}", i)
            body = pattern[i + 1 : close] if close > 0 else ""
            low, comma, high = body.partition(",")
            if comma and low.isdigit() and high.isdigit():
                out.append("{" + low + ",}")
                skip_to = close + 1
                continue
        out.append(token)
    return "".join(out)


def aho_automaton(keys: Sequence[str]) -> Any:
    """A pyahocorasick automaton whose value for each key is its index in ``keys``."""
    automaton = ahocorasick.Automaton()
    for key_id, key in enumerate(keys):
        automaton.add_word(key, key_id)
    if keys:
        automaton.make_automaton()
    return automaton


def hyperscan_literals(keys: Sequence[str]) -> Any:
    """A Hyperscan literal database of ``keys`` (ids are indexes, with leftmost starts),
    or None when there are no keys."""
    if not keys:
        return None
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    database.compile(
        expressions=[k.encode("utf-8") for k in keys],
        ids=list(range(len(keys))),
        elements=len(keys),
        flags=[hyperscan.HS_FLAG_SOM_LEFTMOST] * len(keys),
        literal=True,
    )
    return database


def hyperscan_prefilter(sources: Mapping[int, str]) -> tuple[Any, list[int], list[int]]:
    """A Hyperscan prefilter database of the loosened patterns (by pattern id) that it
    can take: (database or None, the ids it holds, the ids left to the ``regex`` side)."""
    flags = hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_UCP | hyperscan.HS_FLAG_PREFILTER

    def build(ids: list[int]) -> Any:
        database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        database.compile(
            expressions=[loosen(sources[i]).encode("utf-8") for i in ids],
            ids=ids,
            elements=len(ids),
            flags=[flags] * len(ids),
        )
        return database

    database: Any = None
    supported: list[int] = []
    # only syntax that Hyperscan reads as the regex module does goes to Hyperscan
    python_side = [i for i in sources if not portable(sources[i])]
    candidates = [i for i in sources if i not in python_side]
    if candidates:
        try:
            database = build(candidates)
            supported = candidates
        except hyperscan.error:  # find the patterns Hyperscan cannot take, one by one
            for i in candidates:
                try:
                    build([i])
                except hyperscan.error:
                    python_side.append(i)
                else:
                    supported.append(i)
            if supported:
                database = build(supported)
    return database, supported, python_side


def python_prefilter(sources: Mapping[int, str]) -> tuple[Any, list[int], list[int]]:
    """One ``regex`` alternation of the loose patterns (by pattern id): where none of them
    matches, no text needs a closer look. Returns (alternation or None, the ids it covers,
    the ids to search text by text because they cannot share an alternation, inline
    global flags for instance)."""
    ids = list(sources)
    if not ids:
        return None, [], []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            combined = regex.compile("|".join(f"(?:{sources[i]})" for i in ids))
    except (regex.error, Warning):
        return None, [], ids
    return combined, ids, []


_CONTINUATION: Final = [bytes([b]) for b in range(0x80, 0xC0)]


def byte_to_char(data: bytes, offsets: set[int]) -> dict[int, int]:
    """Character offsets of UTF-8 byte offsets. An offset inside a character (Hyperscan's
    prefilter mode may report one) counts that character as begun."""
    if len(data) >= 65536 and len(offsets) > 64:
        raw = np.frombuffer(data, dtype=np.uint8)
        char_starts = np.flatnonzero((raw & 0xC0) != 0x80)  # byte offset of each character
        wanted = np.fromiter(offsets, dtype=np.int64, count=len(offsets))
        found = np.searchsorted(char_starts, wanted)
        return dict(zip(wanted.tolist(), found.tolist(), strict=True))
    out: dict[int, int] = {}
    previous = 0
    chars = 0
    for offset in sorted(offsets):
        piece = data[previous:offset]
        chars += len(piece) - sum(piece.count(b) for b in _CONTINUATION)
        out[offset] = chars
        previous = offset
    return out


__all__ = [
    "HAVE_HYPERSCAN",
    "Backend",
    "aho_automaton",
    "byte_to_char",
    "hyperscan",
    "hyperscan_literals",
    "hyperscan_prefilter",
    "loosen",
    "python_prefilter",
]
