# ruff: noqa: RUF001  (full-width and CJK punctuation are the point here)
"""Context that lowers the confidence of a finding: the words around it say the act is
quoted, reported, told as news or as a warning about scammers, fiction, said of oneself,
part of a game or an idiom, or a warning against the act itself.

``lowering_context(text, start, end)`` reads the normalised text around a finding's
normalised span and names the contexts found, in a fixed order. A lowered finding is
never dropped: the detector keeps it, caps its outcome at ``queue`` (a human decides) and
carries the reasons as evidence. Context never raises an outcome and never judges what
opinion a text holds.
"""

from __future__ import annotations

from typing import Final

import regex  # type: ignore[import-untyped]

CONTEXTS: Final = (
    "quotation",
    "reported",
    "news",
    "fiction",
    "self",
    "game",
    "idiom",
    "advice",
)
"""Every reason ``lowering_context`` may give, in the order it gives them."""

WINDOW: Final = 120
"""How many normalised characters before a finding are read for reporting markers."""


def _words(latin: str, cjk: str) -> regex.Pattern[str]:
    """A pattern for any of the whole words and phrases in `latin`, or any of those in `cjk`
    (which has no word boundaries); each a set of alternatives separated by ``|``."""
    return regex.compile(rf"\b(?:{latin})\b|(?:{cjk})")


_QUOTE_PAIRS: Final = (('"', '"'), ("“", "”"), ("「", "」"), ("『", "』"), ("«", "»"), ("‘", "’"))

_REPORTED: Final = _words(
    r"said|says|saying|told (?:me|him|her|us|them|everyone)|wrote|writes|texted|"
    r"messaged|dmed me|dm'd me|threatened|quote|quoting|quoted|screenshot|reported|reporting|"
    r"according to|got (?:this|a) (?:message|dm|text|email|mail)|received (?:this|a)|"
    r"sent me|psa|beware|watch out for|scam alert|sentenced|convicted|arrested|"
    r"charged with|court",
    r"他说|她说|他们说|对我说|收到|截图|报警|警方|据报道|提醒大家|骗局|小心",
)
_NEWS: Final = _words(
    r"police|court|jailed|sentenced|arrested|prosecutors?|investigators?|the report|"
    r"a report|reporters?|journalists?|scammers|fraudsters|victims|was charged|were charged|"
    r"regulators?|watchdogs?|warns investors|consumer protection",
    r"警方|法院|判处|被判|破获|通报|据报道|诈骗案|诈骗分子|骗子|受害人|记者|监管部门|风险提示",
)
"""Reporting of an act rather than the act: news, court reports, warnings about scammers."""
_FICTION: Final = _words(
    r"story|novel|chapter|fiction|fanfic|villain|character|scene|script|lyrics|"
    r"movie|film|episode|book|poem",
    r"小说|剧本|台词|电影|剧情|角色",
)
_SELF: Final = regex.compile(
    r"""(?:\b(?:i'm|im|i am|i was|i feel like|call me|made me feel like|i'm such|"""
    r"""i am such|what)\s+(?:such\s+|a\s+|an\s+|a total\s+|so\s+|the biggest\s+){0,2}"""
    r"""|\bcall(?:s|ed)? (?:myself|ourselves)\s+(?:a\s+|an\s+)?"""
    r"""|(?:我(?:真|就|真的|简直)?是(?:个|一个)?|我这个))$"""
)
_SELF_AFTER: Final = regex.compile(r"^\s*(?:i am|i'm|am i)\b")
_GAME: Final = _words(
    r"game|games|gaming|boss|raid|respawn|spawn|pvp|lobby|"
    r"tournament|noob|gg|paintball|laser tag|quest|dungeon|npc|ranked|chess|"
    r"mario ?kart|fortnite|minecraft|zombies?|next round|sniper",
    r"游戏|副本|对局|开黑|排位|王者|吃鸡|下一局|这局",
)
_IDIOM: Final = _words(
    r"kill(?:ing|ed)? (?:it|time)|dressed to kill|(?:would|could) kill for|"
    r"killing me|kill (?:the|that) (?:lights|engine|music)|dying to|to die for|"
    r"murder(?:ed|ing)? (?:a|that|this) (?:pizza|burger|song|meal)",
    r"笑死|累死|热死|困死",
)

_ADVICE: Final = _words(
    r"we will never|we'll never|we never|will never ask|never share|never give|"
    r"never send|do not share|don't share|dont share|security tip|official notice|"
    r"will be (?:removed|deleted|banned)|against (?:the|our) rules|report (?:it|them|anyone)",
    r"切勿|请勿|不要向任何人|绝不会|从不会|从不要求|官方公告|版规|将被删除|请举报|谨防|"
    r"提高警惕",
)
"""Warnings against an act (a platform's own security notices): "never share your code"."""


_SINGLE_OPEN: Final = regex.compile(r"(?:^|[\s:(])'")
_SINGLE_CLOSE: Final = regex.compile(r"'(?=[\s.,!?;:)-]|$)")


def _quoted(text: str, start: int, end: int) -> bool:
    opened = [m.end() for m in _SINGLE_OPEN.finditer(text, 0, start)]
    if (
        opened
        and _SINGLE_CLOSE.search(text, opened[-1], start) is None
        and _SINGLE_CLOSE.search(text, end) is not None
    ):
        return True  # 'like this', told apart from the apostrophe of "i'll"
    for opening, closing in _QUOTE_PAIRS:
        before = text.rfind(opening, 0, start)
        if before < 0:
            continue
        if opening == closing and text.count(opening, 0, start) % 2 == 0:
            continue
        if text.find(closing, end) >= 0:
            return True
    return False


_ADDRESS: Final = regex.compile(
    r"\b(?:you|u|ya|your|ur|you're|youre|yours|yourself|urself)\b|@\w|你|您"
)


def addresses_someone(text: str) -> bool:
    """Whether a normalised text speaks to someone: second person or an @mention."""
    return _ADDRESS.search(text) is not None


_WHOLE: Final = (
    ("news", _NEWS),
    ("fiction", _FICTION),
    ("game", _GAME),
    ("idiom", _IDIOM),
    ("advice", _ADVICE),
)
"""The contexts a whole text shows, wherever in it a finding lies."""


def text_contexts(text: str) -> frozenset[str]:
    """The contexts (news, fiction, game, idiom, advice) found anywhere in a normalised text:
    the part of ``lowering_context`` that is the same for every finding in it."""
    return frozenset(name for name, pattern in _WHOLE if pattern.search(text) is not None)


def lowering_context(
    text: str, start: int, end: int, whole: frozenset[str] | None = None
) -> tuple[str, ...]:
    """The contexts (from ``CONTEXTS``) that lower confidence in a finding at
    ``text[start:end]`` of a normalised text; empty when nothing does. ``whole`` is the
    text's ``text_contexts``, if already known."""
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"span ({start}, {end}) is outside the text (0, {len(text)})")
    if whole is None:
        whole = text_contexts(text)
    found: list[str] = []
    before = text[max(0, start - WINDOW) : start]
    if _quoted(text, start, end):
        found.append("quotation")
    if _REPORTED.search(before) is not None:
        found.append("reported")
    found += [name for name in ("news", "fiction") if name in whole]
    if _SELF.search(before) is not None or _SELF_AFTER.search(text[end : end + 12]):
        found.append("self")
    found += [name for name in ("game", "idiom", "advice") if name in whole]
    return tuple(found)


__all__ = ["CONTEXTS", "WINDOW", "addresses_someone", "lowering_context", "text_contexts"]
