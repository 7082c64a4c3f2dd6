"""Ordinary and violating texts, and markers disguised the way evaders disguise them."""

from __future__ import annotations

import random
from collections.abc import Callable
from operator import attrgetter
from typing import Final, NamedTuple

from goodstanding.sim.vocabulary import (
    ADJECTIVES,
    BRANDS,
    CITIES,
    COMMENT_TEMPLATES,
    EMOJI,
    EXTRAS,
    GROUP_KINDS,
    JA_COMMENTS,
    JA_MESSAGES,
    JA_POSTS,
    JA_REACTIONS,
    JA_WHEN,
    LINK_HOSTS,
    MESSAGE_TEMPLATES,
    POST_TEMPLATES,
    PRODUCTS,
    PRODUCTS_JA,
    PRODUCTS_ZH,
    REACTIONS,
    SHOPS,
    STREETS,
    TITLES,
    TOPICS,
    VIOLATION_VOCABULARY,
    WHEN,
    ZH_COMMENTS,
    ZH_MESSAGES,
    ZH_POSTS,
    ZH_REACTIONS,
    ZH_WHEN,
    Topic,
)

_LEET = str.maketrans(
    {
        "i": "1",
        "I": "1",
        "o": "0",
        "O": "0",
        "e": "3",
        "E": "3",
        "a": "4",
        "A": "4",
        "s": "5",
        "S": "5",
    }
)
FULLWIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)} | {" ": "\u3000"})
ZERO_WIDTH_SPACE: Final = "\u200b"
OBFUSCATIONS: Final = ("leet", "zero_width", "fullwidth", "stretch")


def obfuscate(text: str, method: str, rng: random.Random) -> str:
    """A marker disguised the way evaders do: leetspeak, zero-width spaces, full-width
    letters, or a stretched vowel ("looooser")."""
    if method == "leet":
        return text.translate(_LEET)
    if method == "fullwidth":
        return text.translate(FULLWIDTH)
    if method == "zero_width":
        if len(text) < 2:
            return text
        cuts = sorted(rng.sample(range(1, len(text)), min(len(text) - 1, rng.randint(1, 3))))
        parts = [text[i:j] for i, j in zip([0, *cuts], [*cuts, len(text)], strict=True)]
        return ZERO_WIDTH_SPACE.join(parts)
    if method == "stretch":
        vowels = [i for i, ch in enumerate(text) if ch in "aeiouAEIOU"]
        if not vowels:
            return text
        i = rng.choice(vowels)
        return text[:i] + text[i] * rng.randint(3, 6) + text[i + 1 :]
    raise ValueError(f"unknown obfuscation {method!r}; expected one of {', '.join(OBFUSCATIONS)}")


EN, ZH, JA = 0, 1, 2


class _Vocabulary(NamedTuple):
    """A language's templates and words, and which of a topic's word lists is in it."""

    posts: tuple[str, ...]
    comments: tuple[str, ...]
    messages: tuple[str, ...]
    when: tuple[str, ...]
    reactions: tuple[str, ...]
    things: Callable[[Topic], tuple[str, ...]]


_CJK: Final[dict[int, _Vocabulary]] = {
    ZH: _Vocabulary(ZH_POSTS, ZH_COMMENTS, ZH_MESSAGES, ZH_WHEN, ZH_REACTIONS, attrgetter("zh")),
    JA: _Vocabulary(JA_POSTS, JA_COMMENTS, JA_MESSAGES, JA_WHEN, JA_REACTIONS, attrgetter("ja")),
}


class Texts:
    """Writes ordinary and violating texts with the simulation's random generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.bulk: dict[int, tuple[str, str, str, str]] = {}

    def ordinary(self, lang: int, topic: int, comment: bool) -> str:
        rng = self.rng
        choice = rng.choice
        top = TOPICS[topic]
        cjk = _CJK.get(lang)
        if cjk is not None:
            things = cjk.things(top)
            return choice(cjk.comments if comment else cjk.posts).format(
                thing=choice(things),
                thing2=choice(things),
                when=choice(cjk.when),
                reaction=choice(cjk.reactions),
            )
        thing, thing2 = rng.sample(top.things, 2)
        text = choice(COMMENT_TEMPLATES if comment else POST_TEMPLATES).format(
            thing=thing,
            thing2=thing2,
            doing=choice(top.doing),
            category=top.category,
            problem=choice(top.problems),
            when=choice(WHEN),
            reaction=choice(REACTIONS),
            adj=choice(ADJECTIVES),
            name=top.name,
        )
        text = text[0].upper() + text[1:]
        if not comment and rng.random() < 0.35:
            text = f"{text} {choice(EXTRAS)}"
        if rng.random() < 0.12:
            text = f"{text} {choice(EMOJI)}"
        return text

    def message(self, lang: int, topic: int) -> str:
        """A short chat message in a group about ``topic``."""
        rng = self.rng
        choice = rng.choice
        top = TOPICS[topic]
        cjk = _CJK.get(lang)
        if cjk is not None:
            return choice(cjk.messages).format(thing=choice(cjk.things(top)), when=choice(cjk.when))
        text = choice(MESSAGE_TEMPLATES).format(
            thing=choice(top.things), doing=choice(top.doing), when=choice(WHEN)
        )
        return text[0].upper() + text[1:]

    def group_name(self, lang: int, topic: int) -> str:
        """The name of a group chat about ``topic``."""
        choice = self.rng.choice
        top = TOPICS[topic]
        if lang == ZH:
            return f"{choice(top.zh)}交流群"
        if lang == JA:
            return f"{choice(top.ja)}好きの会"
        return f"{choice(CITIES)} {top.name} {choice(GROUP_KINDS)}"

    def violating(self, rule: str, lang: int, victim: str, author: int) -> tuple[str, bool]:
        """A text that breaks ``rule``, and whether its marker is obfuscated."""
        rng = self.rng
        choice = rng.choice
        vocab = VIOLATION_VOCABULARY[rule]
        markers, templates = vocab.markers, vocab.templates
        if lang == ZH and vocab.zh_templates:
            markers, templates = vocab.zh_markers, vocab.zh_templates
        elif lang == JA and vocab.ja_templates:
            markers, templates = vocab.ja_markers, vocab.ja_templates
        if rule == "spam.bulk":
            # the same promotion again and again, with small edits
            base = self.bulk.get(author)
            if base is None or base[0] not in templates:
                base = (choice(templates), choice(markers), choice(PRODUCTS), choice(SHOPS))
                self.bulk[author] = base
            template, marker, product, shop = base
        else:
            template, marker = choice(templates), choice(markers)
            product, shop = choice(PRODUCTS), choice(SHOPS)
        obfuscated = False
        if not marker.startswith("[") and rng.random() < 0.2:
            method = choice(OBFUSCATIONS) if lang == EN else "zero_width"
            disguised = obfuscate(marker, method, rng)
            obfuscated = disguised != marker
            marker = disguised
        code = f"{choice('ABCDEFGHKMNPRSTXZ')}{rng.randrange(10, 99)}"
        text = template.format(
            m=marker,
            victim=victim,
            product=product,
            shop=shop,
            code=code,
            bang="!" * rng.randint(1, 4),
            price=rng.randrange(5, 60),
            product_zh=choice(PRODUCTS_ZH),
            product_ja=choice(PRODUCTS_JA),
            wx=f"vx{rng.randrange(100000, 999999)}",
            link=f"https://{choice(LINK_HOSTS)}/{code.lower()}",
            amount=f"{rng.randrange(2, 40)}.{rng.randrange(10)} million USD",
            brand=choice(BRANDS),
            title=choice(TITLES),
            city=choice(CITIES),
            address=f"{rng.randrange(1, 120)} {choice(STREETS)}, {choice(CITIES)}",
            phone=f"555-01{rng.randrange(10, 100):02d}",
        )
        if rule == "spam.bulk" and rng.random() < 0.3:
            text = f"{text} {choice(EMOJI)}"
        return text, obfuscated
