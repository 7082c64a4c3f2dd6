# ruff: noqa: RUF001, RUF002  (look-alike letters are the point here)
"""Normalisation for detection: one canonical form of a text, with an exact map back.

``normalise(text)`` returns a ``Normalised``: the normalised string and a map from every
span of it back to the span of the original text that produced it, so a match found in
the normalised form can always cite the exact original characters.

The steps, in order (docs/detection.md has the reasoning):

1. Lone surrogates (and U+FFFF, reserved here as a separator) become U+FFFD; the number
   replaced is recorded. Lengths do not change, so spans refer to the input as given.
2. Per character: Cyrillic/Greek capitals that look like Latin ones are mapped first
   (``В`` → ``b``); then Unicode NFKC (full-width → half-width, ligatures, circled and
   mathematical letters), case folding, NFKC again; lower-case look-alikes (Cyrillic
   ``а``, Greek ``ο``) → Latin; Latin letters lose their diacritics (``é`` → ``e``);
   format and control characters (zero-width spaces and joiners, word joiner, BOM, soft
   hyphen, bidi controls, variation selectors) are removed. Whitespace is left to step 5.
3. Base letters followed by combining marks are composed (NFKC) and folded the same way
   (``e`` + U+0301 → ``e``, ``ｶﾞ`` → ``ガ``).
4. Leetspeak inside a token (a run of ``[a-z0-9@$]``) that also holds a letter:
   ``0→o 1→i 3→e 4→a 5→s 7→t @→a $→s``. Tokens that look like numbers, codes or
   mentions are left alone (see ``_decodable``); so "2026", "10k", "@alice" and
   "vx123456" stay as they are while "1d10t" becomes "idiot".
5. Runs of 3 or more of the same letter shrink to one ("looooser" → "loser",
   "idiooot" → "idiot"; "good" keeps its pair) and any run of whitespace becomes one space.
   The matcher adds single-letter variants of terms with doubled letters, so "goooood"
   (→ "god") still matches the term "good".
6. Three or more single Latin, Greek, Cyrillic or Chinese letters separated by one and
   the same separator (a space, ``.``, ``-``, ``*``, ``_``, ``|``, ``+``, ``~`` or ``/``)
   are joined ("f r e e", "f.r.e.e", "b-e-s-t" → "free", "best"; "a b" stays), then
   squeezed; the joined run maps back as a whole.

CJK text goes through the same steps; nothing relies on spaces. Pure and deterministic:
no I/O, no clock, no randomness. The character tables are built once per process.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Final

import numpy as np
import numpy.typing as npt

SEPARATOR: Final = "\uffff"
"""Joins texts in batch scans; never appears in a normalised text otherwise."""
REPLACEMENT: Final = "\ufffd"

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
_WHITESPACE_NOT_SPACE: Final = (
    "\t\n\x0b\x0c\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
)
_LEET: Final = str.maketrans("013457@$", "oieastas")


def _is_mark(ch: str) -> bool:
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
class _Tables:
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
def _tables() -> _Tables:
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
    return _Tables(
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


def _fold_text(s: str) -> str:
    table = _tables().table
    return "".join(table.get(ord(c), c.lower()) for c in s)


_BAD: Final = re.compile("[\ud800-\udfff\uffff]")
_SURROGATE: Final = re.compile("[\ud800-\udfff]")
_SEED: Final = re.compile(r"[0-9@$][a-z0-9@$]*")
_NOT_LEET: Final = re.compile(r"[2689]|^@|^\$\d")
_LETTER: Final = re.compile("[a-z]")
_DIGIT_RUN: Final = re.compile(r"\d{4,}")
_NUMBER_WITH_UNIT: Final = re.compile(
    r"\d*1st|\d*3rd|\d+th|\d+(?:k|m|b|g|d|p|x|h|s|am|pm|km|kg|mg|ml|mm|cm|gb|mb|tb|kb|hz|px"
    r"|fps|mph|yo|mah)|[a-z]{2,3}\d"  # a number and its unit; a short code (mp4, ps5)
)
_RUN: Final = re.compile(r"(.)\1\1+")
_SPACED_LETTER: Final = "[a-z\u0370-\u03ff\u0400-\u04ff\u3400-\u4dbf\u4e00-\u9fff]"
_SPACED: Final = re.compile(
    f"(?<![^\\W_]){_SPACED_LETTER}(?P<sep>[ .*_|+~/-])"
    f"(?:{_SPACED_LETTER}(?P=sep))+{_SPACED_LETTER}(?![^\\W_])"
)
"""Three or more single letters (Latin, Greek, Cyrillic, Chinese) with one and the same
separator between each: a space, a dot, a hyphen, an asterisk...: "f r e e", "f.r.e.e",
"B-E-S-T"."""
_ODD_SPACE: Final = re.compile(f"[{_WHITESPACE_NOT_SPACE}]|  ")
_SPACES: Final = re.compile(r"\s{2,}|[^\S ]")


def _decodable(token: str) -> bool:
    """Whether a token holding a digit, '@' or '$' is leetspeak rather than a number."""
    if _NOT_LEET.search(token) or _LETTER.search(token) is None:
        return False
    for run in _DIGIT_RUN.findall(token):
        if len(set(run)) > 1:
            return False  # an identifier such as a phone or account number
    # judged on the squeezed form, as the next step squeezes runs: "ooo0" is "o0", not a code
    return _NUMBER_WITH_UNIT.fullmatch(_RUN.sub(r"\1", token)) is None


class _Stage:
    """The edits of one length-changing step: input span -> output span, in order.

    Characters outside the edits map one to one. An edit is atomic: every output
    character of it maps back to the whole input span (deletions have an empty output).
    """

    __slots__ = ("in_ends", "in_len", "in_starts", "out_ends", "out_len", "out_starts")

    def __init__(self, in_len: int, out_len: int) -> None:
        self.in_starts: list[int] = []
        self.in_ends: list[int] = []
        self.out_starts: list[int] = []
        self.out_ends: list[int] = []
        self.in_len = in_len
        self.out_len = out_len

    def add(self, in_start: int, in_end: int, out_start: int, out_end: int) -> None:
        self.in_starts.append(in_start)
        self.in_ends.append(in_end)
        self.out_starts.append(out_start)
        self.out_ends.append(out_end)

    def back(self, i: int) -> tuple[int, int]:
        """The input span that produced output character i."""
        k = bisect_right(self.out_ends, i)
        if k < len(self.out_starts) and self.out_starts[k] <= i:
            return self.in_starts[k], self.in_ends[k]
        if k == 0:
            return i, i + 1
        shift = self.in_ends[k - 1] - self.out_ends[k - 1]
        return i + shift, i + shift + 1

    def back_span(self, start: int, end: int) -> tuple[int, int]:
        """The input span that produced output span [start, end) (``back`` of both ends,
        inlined: this runs once per match and stage)."""
        if start == end:
            point = self.in_len if start >= self.out_len else self.back(start)[0]
            return point, point
        out_ends, out_starts = self.out_ends, self.out_starts
        n = len(out_ends)
        k = bisect_right(out_ends, start)
        if k < n and out_starts[k] <= start:
            s = self.in_starts[k]
        else:
            s = start if k == 0 else start + self.in_ends[k - 1] - out_ends[k - 1]
        last = end - 1
        k = bisect_right(out_ends, last, k)
        if k < n and out_starts[k] <= last:
            e = self.in_ends[k]
        else:
            e = end if k == 0 else end + self.in_ends[k - 1] - out_ends[k - 1]
        return s, e


class Normalised:
    """A normalised text and the way back to the original.

    ``original`` is the input with lone surrogates (and U+FFFF) replaced by U+FFFD, which
    keeps every offset; ``replaced`` counts those replacements. ``text`` is the normalised
    form. ``original_span(start, end)`` gives the span of ``original`` whose characters
    produced ``text[start:end]``.
    """

    __slots__ = ("_nbase", "_obase", "_stages", "original", "replaced", "text")

    def __init__(
        self,
        original: str,
        text: str,
        replaced: int = 0,
        stages: tuple[_Stage, ...] = (),
        obase: int = 0,
        nbase: int = 0,
    ) -> None:
        self.original = original
        self.text = text
        self.replaced = replaced
        self._stages = stages
        self._obase = obase
        self._nbase = nbase

    def __repr__(self) -> str:
        return f"Normalised(text={self.text!r}, replaced={self.replaced})"

    @property
    def identity(self) -> bool:
        """Whether offsets in ``text`` equal offsets in ``original`` everywhere."""
        return not self._stages

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of ``original`` that produced ``text[start:end]``."""
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"span ({start}, {end}) is outside the text (0, {len(self.text)})")
        s, e = start + self._nbase, end + self._nbase
        for stage in reversed(self._stages):
            s, e = stage.back_span(s, e)
        return s - self._obase, e - self._obase

    def excerpt(self, start: int, end: int) -> str:
        """The original characters behind ``text[start:end]``."""
        s, e = self.original_span(start, end)
        return self.original[s:e]


_NUMPY_MIN = 4096
"""Texts at least this long find their rare characters with numpy masks, not regexes."""


def _codepoints(text: str) -> npt.NDArray[np.uint32]:
    return np.frombuffer(text.encode("utf-32-le"), dtype="<u4")


def _run_bounds(
    mask: npt.NDArray[np.bool_],
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """The starts and ends of the runs of True in a mask."""
    positions = np.flatnonzero(mask)
    if positions.size == 0:
        return positions, positions
    breaks = np.flatnonzero(np.diff(positions) != 1)
    starts = np.concatenate(([positions[0]], positions[breaks + 1]))
    ends = np.concatenate((positions[breaks], [positions[-1]])) + 1
    return starts, ends


def _mask_runs(mask: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """The (start, end) spans of the runs of True in a mask."""
    starts, ends = _run_bounds(mask)
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def _special_runs(text: str, tables: _Tables) -> list[tuple[int, int]]:
    if len(text) >= _NUMPY_MIN:
        return _mask_runs(tables.special_mask[_codepoints(text)])
    if tables.special.search(text) is None:
        return []
    return [m.span() for m in tables.special.finditer(text)]


def _fold_specials(
    text: str, runs: Sequence[tuple[int, int]], tables: _Tables
) -> tuple[str, _Stage | None]:
    """Step 2 where the text holds characters whose fold is not ``str.lower``."""
    lowered = text.lower() if text.isascii() else None
    table, lenchange = tables.table, tables.lenchange
    pieces: list[str] = []
    stage: _Stage | None = None
    last = 0
    out_pos = 0
    for start, end in runs:
        plain = lowered[last:start] if lowered is not None else text[last:start].lower()
        pieces.append(plain)
        out_pos += len(plain)
        run = text[start:end]
        if lenchange.isdisjoint(run):
            pieces.append(run.translate(table))  # unchanged where not in the table
            out_pos += len(run)
        else:
            if stage is None:
                stage = _Stage(len(text), 0)
            for offset, ch in enumerate(run):
                folded = table.get(ord(ch), ch)
                pieces.append(folded)
                if len(folded) != 1:
                    stage.add(start + offset, start + offset + 1, out_pos, out_pos + len(folded))
                out_pos += len(folded)
        last = end
    tail = lowered[last:] if lowered is not None else text[last:].lower()
    pieces.append(tail)
    out = "".join(pieces)
    if stage is not None:
        stage.out_len = len(out)
    return out, stage


def _compose(text: str, pattern: re.Pattern[str]) -> tuple[str, _Stage | None]:
    """Step 3: base + combining marks (and conjoining jamo) composed and folded."""
    pieces: list[str] = []
    stage = _Stage(len(text), 0)
    last = 0
    out_pos = 0
    for m in pattern.finditer(text):
        start, end = m.span()
        cluster = m.group()
        composed = _fold_text(unicodedata.normalize("NFKC", cluster))
        if composed and composed[0].isascii():
            composed = composed[0] + "".join(ch for ch in composed[1:] if not _is_mark(ch))
        if composed == cluster:
            continue
        pieces.append(text[last:start])
        out_pos += start - last
        pieces.append(composed)
        stage.add(start, end, out_pos, out_pos + len(composed))
        out_pos += len(composed)
        last = end
    if not stage.in_starts:
        return text, None
    pieces.append(text[last:])
    out = "".join(pieces)
    stage.out_len = len(out)
    return out, stage


def _leet(text: str) -> str:
    """Step 4 (length-preserving)."""
    pieces: list[str] = []
    last = 0
    for m in _SEED.finditer(text):
        start, end = m.span()
        while start > 0 and "a" <= text[start - 1] <= "z":
            start -= 1
        token = text[start:end]
        if _decodable(token):
            pieces.append(text[last:start])
            pieces.append(token.translate(_LEET))
            last = end
    if not pieces:
        return text
    pieces.append(text[last:])
    return "".join(pieces)


def _letter_runs(text: str) -> list[tuple[int, int, str]]:
    """Runs of 3 or more of one letter, as (start, end, letter)."""
    found: list[tuple[int, int, str]] = []
    if len(text) >= _NUMPY_MIN:
        cps = _codepoints(text)
        same = (cps[:-2] == cps[1:-1]) & (cps[1:-1] == cps[2:])
        spans = [(start, end + 2) for start, end in _mask_runs(same)]
    else:
        spans = [m.span() for m in _RUN.finditer(text)]
    for start, end in spans:
        ch = text[start]
        if ch.isalnum() and not ch.isdecimal():
            found.append((start, end, ch))
    return found


def _space_runs(text: str, tables: _Tables) -> list[tuple[int, int, str]]:
    """Whitespace to rewrite, as (start, end, " "): runs of 2+, and any single non-space."""
    if len(text) < _NUMPY_MIN:
        if _ODD_SPACE.search(text) is None:
            return []
        return [(m.start(), m.end(), " ") for m in _SPACES.finditer(text)]
    cps = _codepoints(text)
    space = tables.space_mask[cps]
    if not space.any():
        return []
    starts, ends = _run_bounds(space)
    keep = (ends - starts > 1) | (cps[starts] != 32)
    return [
        (start, end, " ")
        for start, end in zip(starts[keep].tolist(), ends[keep].tolist(), strict=True)
    ]


def _squeeze(text: str, tables: _Tables) -> tuple[str, _Stage | None]:
    """Step 5: runs of 3+ of one letter -> 1; whitespace runs -> one space."""
    edits = _letter_runs(text)
    spaces = _space_runs(text, tables)
    if spaces:
        edits = sorted(edits + spaces)
    if not edits:
        return text, None
    stage = _Stage(len(text), 0)
    pieces: list[str] = []
    last = 0
    out_pos = 0
    for start, end, replacement in edits:
        pieces.append(text[last:start])
        out_pos += start - last
        pieces.append(replacement)
        stage.add(start, end, out_pos, out_pos + len(replacement))
        out_pos += len(replacement)
        last = end
    pieces.append(text[last:])
    out = "".join(pieces)
    stage.out_len = len(out)
    return out, stage


def _despace(text: str) -> tuple[str, _Stage | None]:
    """Step 6: letters written apart ("i d i o t") are joined and squeezed ("idiot"); the
    run maps back as a whole."""
    if _SPACED.search(text) is None:
        return text, None
    stage = _Stage(len(text), 0)
    pieces: list[str] = []
    last = out_pos = 0
    for m in _SPACED.finditer(text):
        joined = _RUN.sub(r"\1", m.group().replace(m.group("sep"), ""))
        pieces.append(text[last : m.start()])
        out_pos += m.start() - last
        pieces.append(joined)
        stage.add(m.start(), m.end(), out_pos, out_pos + len(joined))
        out_pos += len(joined)
        last = m.end()
    pieces.append(text[last:])
    out = "".join(pieces)
    stage.out_len = len(out)
    return out, stage


def _pipeline(text: str) -> tuple[str, tuple[_Stage, ...]]:
    """Steps 2 to 5 on a text already free of surrogates."""
    tables = _tables()
    stages: list[_Stage] = []
    runs = _special_runs(text, tables)
    if not runs:
        out = text.lower()
    else:
        out, stage = _fold_specials(text, runs, tables)
        if stage is not None:
            stages.append(stage)
    if not out.isascii() and tables.marks.search(out) is not None:
        normal = unicodedata.is_normalized("NFKC", out)
        out, stage = _compose(out, tables.latin_marks if normal else tables.clusters)
        if stage is not None:
            stages.append(stage)
    if _SEED.search(out) is not None:
        out = _leet(out)
    out, stage = _squeeze(out, tables)
    if stage is not None:
        stages.append(stage)
    out, stage = _despace(out)
    if stage is not None:
        stages.append(stage)
    return out, tuple(stages)


def sanitise(text: str) -> tuple[str, int]:
    """Lone surrogates and U+FFFF -> U+FFFD; how many were replaced."""
    if _BAD.search(text) is None:
        return text, 0
    clean, count = _BAD.subn(REPLACEMENT, text)
    return clean, count


def normalise(text: str) -> Normalised:
    """The normalised form of a text and its map back to the original."""
    clean, replaced = sanitise(text)
    out, stages = _pipeline(clean)
    return Normalised(clean, out, replaced, stages)


class NormalisedBatch:
    """Many texts normalised in one pass (joined by ``SEPARATOR``).

    ``joined`` is the normalised joined text, ``texts[i]`` the normalised form of text i,
    ``obases[i]``/``nbases[i]`` where text i starts in the joined original/normalised
    strings. ``item(i)`` gives the same ``Normalised`` as ``normalise(texts[i])`` would.
    """

    __slots__ = ("_stages", "joined", "nbases", "obases", "originals", "replaced", "texts")

    def __init__(self, originals: Sequence[str]) -> None:
        clean = list(originals)
        replaced = [0] * len(clean)
        joined = SEPARATOR.join(clean)
        if _SURROGATE.search(joined) is not None or joined.count(SEPARATOR) != len(clean) - 1:
            for i, text in enumerate(clean):
                clean[i], replaced[i] = sanitise(text)
            joined = SEPARATOR.join(clean)
        self.originals = clean
        self.replaced = replaced
        out, self._stages = _pipeline(joined)
        self.joined = out
        self.texts = out.split(SEPARATOR) if clean else []
        if len(self.texts) != len(clean):  # pragma: no cover - the separator is kept
            raise AssertionError("normalisation lost a separator")
        self.obases = _bases(clean)
        self.nbases = _bases(self.texts)

    def __len__(self) -> int:
        return len(self.texts)

    def item(self, i: int) -> Normalised:
        """Text i as a ``Normalised`` (sharing the batch's offset map)."""
        return Normalised(
            self.originals[i],
            self.texts[i],
            self.replaced[i],
            self._stages,
            self.obases[i],
            self.nbases[i],
        )

    def index_of(self, position: int) -> int:
        """Which text a position of ``joined`` falls in."""
        return bisect_right(self.nbases, position) - 1

    def joined_original_span(self, start: int, end: int) -> tuple[int, int]:
        """``Normalised.original_span`` on the joined strings."""
        s, e = start, end
        for stage in reversed(self._stages):
            s, e = stage.back_span(s, e)
        return s, e


def _bases(parts: Sequence[str]) -> list[int]:
    """Where each part starts when the parts are joined by one separator each."""
    lengths = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts)) + 1
    bases = np.zeros(len(parts), dtype=np.int64)
    np.cumsum(lengths[:-1], out=bases[1:])
    result: list[int] = bases.tolist()
    return result


def normalise_batch(texts: Sequence[str]) -> NormalisedBatch:
    """Normalises many texts at once; ``item(i)`` equals ``normalise(texts[i])``."""
    return NormalisedBatch(texts)


def count_surrogates(text: str) -> int:
    """How many lone surrogates a text holds."""
    return len(_SURROGATE.findall(text))
