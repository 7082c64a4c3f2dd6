"""The literals a declared term is matched as, and where a term's edges need a boundary.

A term is matched as its normalised form and the forms that stretched text squeezes it
into (``variants``); a term edge in a script written with spaces between words needs a
word boundary there (``is_word_char``, ``edges``).
"""

from __future__ import annotations

import itertools
from typing import Final

from goodstanding.detect.normalise import normalise

MIN_VARIANT_LENGTH: Final = 4

_NO_SPACE_RANGES: Final = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x0F00, 0x0FFF),  # Tibetan
    (0x1000, 0x109F),  # Myanmar
    (0x1100, 0x11FF),  # Hangul jamo
    (0x1780, 0x17FF),  # Khmer
    (0x2E80, 0x2FDF),  # CJK radicals
    (0x3005, 0x3007),
    (0x3021, 0x3029),
    (0x3031, 0x303C),
    (0x3040, 0x31FF),  # kana, bopomofo, compatibility jamo
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xA000, 0xA4CF),  # Yi
    (0xA960, 0xA97F),
    (0xAC00, 0xD7FF),  # Hangul
    (0xF900, 0xFAFF),
    (0xFF66, 0xFF9F),
    (0x1B000, 0x1B16F),  # kana supplement
    (0x20000, 0x3134F),
)


WORD_CHARS: dict[str, bool] = {}
"""A bounded cache of ``is_word_char``, read directly by the matcher's inner loop."""


def is_word_char(ch: str) -> bool:
    """A letter or digit of a script written with spaces between words (or '_', '@', '$',
    which stay in normalised text only inside codes and mentions)."""
    found = WORD_CHARS.get(ch)
    if found is None:
        cp = ord(ch)
        found = (ch.isalnum() or ch in "_@$") and not any(
            lo <= cp <= hi for lo, hi in _NO_SPACE_RANGES
        )
        if len(WORD_CHARS) < 65536:  # a cache, bounded
            WORD_CHARS[ch] = found
    return found


def edges(term: str, word_boundary: bool) -> tuple[bool, bool]:
    """Whether a (normalised) term needs a boundary before and after it."""
    if not word_boundary or not term:
        return False, False
    return is_word_char(term[0]), is_word_char(term[-1])


def _is_letter(ch: str) -> bool:
    return ch.isalnum() and not ch.isdecimal()


def variants(term: str) -> list[str]:
    """A normalised term and the forms that stretched text squeezes it into.

    Normalisation squeezes runs of 3+ letters to one, so "goooood" becomes "god" and would
    miss the term "good". Each doubled letter may therefore also appear single. Variants
    shorter than MIN_VARIANT_LENGTH are left out ("ass" does not become "as").
    """
    pairs = [
        i
        for i in range(len(term) - 1)
        if term[i] == term[i + 1] and _is_letter(term[i]) and (i == 0 or term[i - 1] != term[i])
    ]
    if not pairs:
        return [term]
    chosen = (
        [c for n in range(len(pairs) + 1) for c in itertools.combinations(pairs, n)]
        if len(pairs) <= 3
        else [(), tuple(pairs)]
    )
    out: list[str] = []
    for combo in chosen:
        drop = set(combo)
        variant = "".join(ch for i, ch in enumerate(term) if i not in drop)
        if variant == term or len(variant) >= MIN_VARIANT_LENGTH:
            out.append(variant)
    return list(dict.fromkeys(out))


def normalised_terms(term: str) -> list[str]:
    """The literals a declared term is matched as (its normalised form and variants)."""
    key = normalise(term).text.strip()
    return variants(key) if key else []


__all__ = [
    "MIN_VARIANT_LENGTH",
    "WORD_CHARS",
    "edges",
    "is_word_char",
    "normalised_terms",
    "variants",
]
