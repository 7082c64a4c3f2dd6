# ruff: noqa: RUF001  (look-alike letters are the point here)
"""The per-character fold of normalisation (steps 2 and 3 of ``normalise``): look-alike
letters, NFKC and case folding, diacritics and format characters, as tables built once
per process. Pure and deterministic."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Final

import numpy as np
import numpy.typing as npt

SEPARATOR: Final = "\uffff"
"""Joins texts in batch scans; never appears in a normalised text otherwise."""

_UPPER_CONFUSABLES: Final[dict[str, str]] = {
    # Cyrillic capitals that look like Latin capitals (their lower cases do not)
    "А": "a",
    "В": "b",
    "Е": "e",
    "К": "k",
    "М": "m",
    "Н": "h",
    "О": "o",
    "Р": "p",
    "С": "c",
    "Т": "t",
    "Х": "x",
    "У": "y",
    "Ѕ": "s",
    "І": "i",
    "Ј": "j",
    "Ү": "y",
    "Һ": "h",
    "Ԛ": "q",
    "Ԝ": "w",
    # Greek capitals
    "Α": "a",
    "Β": "b",
    "Ε": "e",
    "Ζ": "z",
    "Η": "h",
    "Ι": "i",
    "Κ": "k",
    "Μ": "m",
    "Ν": "n",
    "Ο": "o",
    "Ρ": "p",
    "Τ": "t",
    "Υ": "y",
    "Χ": "x",
}
_LOWER_CONFUSABLES: Final[dict[str, str]] = {
    # Cyrillic
    "а": "a",
    "е": "e",
    "ё": "e",
    "о": "o",
    "р": "p",
    "с": "c",
    "у": "y",
    "х": "x",
    "ѕ": "s",
    "і": "i",
    "ї": "i",
    "ј": "j",
    "ԁ": "d",
    "һ": "h",
    "ӏ": "l",
    "ԛ": "q",
    "ԝ": "w",
    "ү": "y",
    "к": "k",
    # Greek
    "α": "a",
    "ο": "o",
    "ρ": "p",
    "ν": "v",
    "ι": "i",
    "κ": "k",
    "υ": "u",
    "χ": "x",
    "τ": "t",
    "ε": "e",
    "η": "n",
    "ω": "w",
    "ϲ": "c",
    "ϳ": "j",
    # punctuation look-alikes
    "\u2018": "'",
    "\u2019": "'",
    "\u02bc": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2010": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    # Latin letters outside a-z that stand in for them
    "ɑ": "a",
    "ɡ": "g",
    "ı": "i",
    "ȷ": "j",
    "ɩ": "i",
    "ʏ": "y",
}
_DELETE_EXTRA: Final = frozenset(
    [chr(c) for c in range(0xFE00, 0xFE10)]  # variation selectors
    + [chr(c) for c in range(0xE0100, 0xE01F0)]
    + ["\u034f", "\u115f", "\u1160", "\u3164", "\uffa0", "\u180b", "\u180c", "\u180d", "\u180f"]
)
_SPACE_EXTRA: Final = frozenset({"\u2800"})  # braille blank: shows as a space
WHITESPACE_NOT_SPACE: Final = (
    "\t\n\x0b\x0c\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
)


def is_mark(ch: str) -> bool:
    """Whether a character is a combining mark."""
    return unicodedata.category(ch).startswith("M")


def _fold_once(c: str) -> str:
    """One pass of the per-character fold (see step 2 of the module docstring)."""
    if c in _DELETE_EXTRA:
        return ""
    if c in _SPACE_EXTRA:
        return " "
    category = unicodedata.category(c)
    if category == "Cf" or (category == "Cc" and not c.isspace()):
        return ""
    if c.isspace():
        return c
    c = _UPPER_CONFUSABLES.get(c, c)
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", c).casefold())
    out: list[str] = []
    for ch in folded:
        ch = _LOWER_CONFUSABLES.get(ch, ch)
        cat = unicodedata.category(ch)
        if ch in _DELETE_EXTRA or cat == "Cf" or (cat == "Cc" and not ch.isspace()):
            continue
        if cat.startswith("M") and out and out[-1].isascii():
            continue  # a diacritic on a Latin letter (or a space): dropped
        decomposed = unicodedata.normalize("NFD", ch)
        if len(decomposed) > 1 and "a" <= decomposed[0] <= "z":
            ch = decomposed[0]
        out.append(ch)
    return "".join(out)


def _fold_char(c: str) -> str:
    """The per-character fold, applied until nothing changes (it is idempotent)."""
    out = _fold_once(c)
    for _ in range(4):
        again = "".join(_fold_once(ch) for ch in out)
        if again == out:
            break
        out = again
    return out


def _char_class(chars: Sequence[int]) -> str:
    """A regex character class for a sorted list of code points."""
    parts: list[str] = []
    i = 0
    while i < len(chars):
        j = i
        while j + 1 < len(chars) and chars[j + 1] == chars[j] + 1:
            j += 1
        lo, hi = re.escape(chr(chars[i])), re.escape(chr(chars[j]))
        parts.append(lo if i == j else f"{lo}-{hi}")
        i = j + 1
    return "[" + "".join(parts) + "]"


# Code points worth examining: planes 0 and 1 in full, CJK compatibility ideographs
# (which NFKC rewrites) and the tag and variation-selector block of plane 14. The rest of
# the planes hold unified ideographs, private use and unassigned points, all unchanged.
_RANGES: Final = ((0, 0x20000), (0x2F800, 0x2FA20), (0xE0000, 0xE01F0))


@dataclass(frozen=True)
class FoldTables:
    """The per-character fold as lookups: what normalisation step 2 rewrites and step 3
    composes."""

    table: dict[int, str]  # code point -> its fold, where that is not str.lower()
    special: re.Pattern[str]  # runs of such characters (planes 1-16 coarsely)
    special_mask: npt.NDArray[np.bool_]  # the same, exactly, indexed by code point
    space_mask: npt.NDArray[np.bool_]  # whitespace, indexed by code point
    lenchange: frozenset[str]  # characters whose fold is not exactly one character
    marks: re.Pattern[str]  # what step 3 composes: a combining mark (and, coarsely, any
    # plane-1 script) or a conjoining vowel jamo
    clusters: re.Pattern[str]  # a base character and its marks, or conjoining jamo
    latin_marks: re.Pattern[str]  # an ASCII character and the marks after it


@cache
def fold_tables() -> FoldTables:
    """The fold tables, built once per process."""
    table: dict[int, str] = {}
    lenchange: list[int] = []
    marks: list[int] = []
    for lo, hi in _RANGES:
        for cp in range(lo, hi):
            if 0xD800 <= cp <= 0xDFFF:
                continue
            c = chr(cp)
            category = unicodedata.category(c)
            if category == "Cn" or category == "Co":
                continue
            if category.startswith("M") and c not in _DELETE_EXTRA and cp < 0x10000:
                marks.append(cp)
            if c.isspace():
                continue
            folded = _fold_char(c)
            # capital sigma is listed because its str.lower() depends on the next letter;
            # outside the BMP every changed character is listed, as runs there are found
            # coarsely and translated with this table alone
            if folded != c.lower() or cp == 0x3A3 or (cp >= 0x10000 and folded != c):
                table[cp] = folded
                if len(folded) != 1:
                    lenchange.append(cp)
    special_mask = np.zeros(0x110000, dtype=np.bool_)
    special_mask[list(table)] = True
    special_mask[0xFFFF] = False
    space_mask = np.zeros(0x110000, dtype=np.bool_)
    space_mask[[cp for cp in range(0x3001) if chr(cp).isspace()]] = True
    # Outside the BMP, `re` tests a class range by range, which is slow; one coarse range
    # stands for planes 1-16 instead (emoji then take a slightly slower path, harmlessly).
    specials = [cp for cp in sorted(table) if cp < 0x10000]
    mark_class = _char_class(marks)[:-1] + "\U00010000-\U0001e8ff]"
    return FoldTables(
        table=table,
        special=re.compile(_char_class(specials)[:-1] + "\U00010000-\U0010ffff]+"),
        special_mask=special_mask,
        space_mask=space_mask,
        lenchange=frozenset(chr(cp) for cp in lenchange),
        marks=re.compile(mark_class[:-1] + "\u1161-\u1175]"),
        clusters=re.compile(
            rf"[^{SEPARATOR}]{mark_class}+|[\u1100-\u1112][\u1161-\u1175][\u11a8-\u11c2]?"
        ),
        latin_marks=re.compile(rf"[\x00-\x7f]{mark_class}+"),
    )


def fold_text(s: str) -> str:
    """Every character of a text folded (step 2 without the map back)."""
    table = fold_tables().table
    return "".join(table.get(ord(c), c.lower()) for c in s)
