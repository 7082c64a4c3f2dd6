"""Required literals of a regular expression: strings one of which every match contains.

The matcher looks for these literals together with the terms, in the same single pass,
and runs a pattern's regex only on the texts where one of its literals occurs. That keeps
scanning at literal-matching speed however many patterns there are. The extraction is
conservative: when in doubt it returns None ("no requirement known") and the pattern is
then prefiltered as a whole regex instead. It never returns a set that a match could avoid.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Final

# re's parser is private and has no type stubs; it is only read, never changed
_parser: Any = importlib.import_module("re._parser")
_c: Any = importlib.import_module("re._constants")

MAX_ALTERNATIVES: Final = 64
"""Largest set of literals kept for one requirement."""
MIN_LENGTH: Final = 2
"""A requirement whose shortest literal is shorter than this filters too little."""
_EMPTY: Final = frozenset({""})


_BRACES: Final = re.compile(r"\\[pPN]\{[^}]*\}|\\.|\{([^}]*)\}?", re.DOTALL)
_QUANTIFIER: Final = re.compile(r"\d+(?:,\d*)?")  # {,n} is a quantifier only in some engines
_POSIX_CLASS: Final = re.compile(r"\[([:=.])\^?[\w -]*\1\]")


def _parse(pattern: str) -> Any:
    """The ``re`` parse of a pattern that means the same to ``re``, the ``regex`` module
    and Hyperscan, or None.

    ``re`` reads some ``regex``-module syntax differently without an error: fuzzy
    constraints such as ``{e<=1}`` become literal text, and POSIX classes such as
    ``[[:alpha:]]`` become plain character sets. Such patterns are refused here.
    """
    for m in _BRACES.finditer(pattern):
        body = m.group(1)
        if body is not None and not _QUANTIFIER.fullmatch(body):
            return None
    if _POSIX_CLASS.search(pattern):
        return None
    try:
        return _parser.parse(pattern)
    except (re.error, RecursionError, OverflowError, ValueError, TypeError):
        return None


def portable(pattern: str) -> bool:
    """Whether a pattern's syntax means the same to ``re``, ``regex`` and Hyperscan (so a
    Hyperscan prefilter of it is sound)."""
    return _parse(pattern) is not None


def required_literals(pattern: str) -> frozenset[str] | None:
    """A set of strings such that every match of ``pattern`` contains one of them, or None.

    The pattern is parsed with Python's ``re`` parser; patterns that are not ``portable``
    (syntax of the ``regex`` module only), case-insensitive patterns and patterns whose
    best requirement is shorter than MIN_LENGTH give None.
    """
    parsed = _parse(pattern)
    if parsed is None:
        return None
    if parsed.state.flags & re.IGNORECASE:
        return None
    found = _required(list(parsed))
    if found is None or min(len(s) for s in found) < MIN_LENGTH:
        return None
    return found


def _product(left: frozenset[str], right: frozenset[str]) -> frozenset[str] | None:
    if len(left) * len(right) > MAX_ALTERNATIVES:
        return None
    return frozenset(a + b for a in left for b in right)


def _exact_seq(items: Iterable[Any]) -> frozenset[str] | None:
    """The finite set of strings a sequence matches, if small, else None."""
    out: frozenset[str] | None = _EMPTY
    for item in items:
        exact = _exact(item)
        if exact is None or out is None:
            return None
        out = _product(out, exact)
    return out


def _exact(item: Any) -> frozenset[str] | None:
    """The finite set of strings one parsed item matches, if small, else None."""
    op, av = item
    if op is _c.LITERAL:
        return frozenset({chr(av)})
    if op is _c.IN:
        if len(av) <= 16 and all(o is _c.LITERAL for o, _ in av):
            return frozenset(chr(v) for _, v in av)
        return None
    if op is _c.SUBPATTERN:
        _group, add_flags, _del_flags, sub = av
        if add_flags & re.IGNORECASE:
            return None
        return _exact_seq(sub)
    if op is _c.BRANCH:
        return _either(av[1], _exact_seq)
    if op is _c.MAX_REPEAT or op is _c.MIN_REPEAT:
        low, high, sub = av
        exact = _exact_seq(sub)
        if exact is None or high > 4:
            return None
        options: set[str] = set()
        for count in range(low, high + 1):
            repeated: frozenset[str] | None = _EMPTY
            for _ in range(count):
                repeated = _product(repeated, exact) if repeated is not None else None
            if repeated is None:
                return None
            options |= repeated
        return frozenset(options) if len(options) <= MAX_ALTERNATIVES else None
    if op is _c.AT or op is _c.ASSERT or op is _c.ASSERT_NOT:
        return _EMPTY  # zero-width: the characters either side stay adjacent
    return None


def _required(items: Sequence[Any]) -> frozenset[str] | None:
    """The best requirement of a sequence: a run of exact items, or one item's own."""
    candidates: list[frozenset[str]] = []
    run: frozenset[str] = _EMPTY
    for item in items:
        exact = _exact(item)
        if exact is not None:
            joined = _product(run, exact)
            if joined is None:
                candidates.append(run)
                run = exact
            else:
                run = joined
            continue
        candidates.append(run)
        run = _EMPTY
        own = _required_item(item)
        if own is not None:
            candidates.append(own)
    candidates.append(run)
    usable = [c for c in candidates if c and "" not in c]
    if not usable:
        return None
    return max(usable, key=lambda c: (min(len(s) for s in c), -len(c)))


def _required_item(item: Any) -> frozenset[str] | None:
    op, av = item
    if op is _c.SUBPATTERN:
        _group, add_flags, _del_flags, sub = av
        return None if add_flags & re.IGNORECASE else _required(sub)
    if op is _c.BRANCH:
        return _either(av[1], _required)
    if op is _c.MAX_REPEAT or op is _c.MIN_REPEAT:
        low, _high, sub = av
        return _required(sub) if low >= 1 else None
    return None


def _either(
    alternatives: Iterable[Any], each: Callable[[Sequence[Any]], frozenset[str] | None]
) -> frozenset[str] | None:
    """What a branch gives: the union of what `each` gives for its alternatives, or None where
    one gives None or the union grows past MAX_ALTERNATIVES."""
    union: set[str] = set()
    for alternative in alternatives:
        own = each(alternative)
        if own is None:
            return None
        union |= own
        if len(union) > MAX_ALTERNATIVES:
            return None
    return frozenset(union)


def pattern_tokens(pattern: str) -> Iterator[tuple[int, str, bool]]:
    """The tokens of a regex source with their offsets: an escape (a backslash and the next
    character), a class opener (``[``, or ``[]``/``[^]`` whose ``]`` is a literal) or a
    single character, each with whether it lies inside a character class."""
    i, n, in_class = 0, len(pattern), False
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            yield i, pattern[i : i + 2], in_class
            i += 2
            continue
        if in_class:
            yield i, ch, True
            in_class = ch != "]"
            i += 1
            continue
        if ch == "[":
            opener = next((o for o in ("[^]", "[]") if pattern.startswith(o, i)), ch)
            yield i, opener, True
            in_class = True
            i += len(opener)
            continue
        yield i, ch, False
        i += 1
