# ruff: noqa: RUF001  (full-width letters and CJK punctuation are test data)
"""The multi-pattern matcher: boundaries, spans, both backends, batches, many terms."""

from __future__ import annotations

import random
from collections.abc import Sequence
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from goodstanding.detect import HAVE_HYPERSCAN, Matcher, PatternSpec, SpecError, TermsSpec
from goodstanding.detect.backends import loosen
from goodstanding.detect.config import default_detectors
from goodstanding.detect.matcher import Match, joinable
from goodstanding.detect.normalise import normalise
from goodstanding.detect.spec import RuleDetectors
from goodstanding.detect.variants import variants

BACKENDS = [
    "aho",
    pytest.param("hyperscan", marks=pytest.mark.skipif(not HAVE_HYPERSCAN, reason="no hyperscan")),
]

RULES: list[RuleDetectors] = [
    (
        "insults",
        [
            TermsSpec(
                terms=("idiot", "ass", "loser", "brainless", "傻逼", "バカ", "pathetic clown")
            ),
            TermsSpec(terms=("free download",), word_boundary=False),
        ],
    ),
    (
        "phishing",
        [
            TermsSpec(terms=("verify your account",)),
            PatternSpec(
                patterns=(r"secure-login[a-z0-9-]*\.[a-z]{2,}", r"^urgent", r"(?<!not )a scam")
            ),
        ],
    ),
]


@cache
def matcher(backend: str) -> Matcher:
    return Matcher.compile(RULES, backend=backend)  # type: ignore[arg-type]


def found(backend: str, text: str) -> list[tuple[str, str, str]]:
    return [(m.rule_id, m.matched, m.excerpt) for m in matcher(backend).scan(text)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_word_boundaries_for_latin_terms(backend: str) -> None:
    assert found(backend, "what a class act") == []
    assert found(backend, "passing grades") == []
    assert found(backend, "you ass.") == [("insults", "ass", "ass")]
    assert found(backend, "idiots") == []
    assert found(backend, "(idiot)") == [("insults", "idiot", "idiot")]
    assert found(backend, "ID10T!!") == [("insults", "idiot", "ID10T")]


@pytest.mark.parametrize("backend", BACKENDS)
def test_cjk_terms_match_anywhere_and_latin_terms_beside_cjk(backend: str) -> None:
    assert found(backend, "你就是个傻逼吧") == [("insults", "傻逼", "傻逼")]
    assert found(backend, "お前は本当にバカだな") == [("insults", "バカ", "バカ")]
    assert found(backend, "你是idiot吗") == [("insults", "idiot", "idiot")]
    assert found(backend, "傻\u200b逼") == [("insults", "傻逼", "傻\u200b逼")]


@pytest.mark.parametrize("backend", BACKENDS)
def test_obfuscated_terms_report_the_original_span(backend: str) -> None:
    text = "@bob you l0000ser and ｉｄｉｏｔ, so b r a i n l e s s... brainlesssss"
    matches = matcher(backend).scan(text)
    assert [(m.matched, m.excerpt, text[m.start : m.end]) for m in matches] == [
        ("loser", "l0000ser", "l0000ser"),
        ("idiot", "ｉｄｉｏｔ", "ｉｄｉｏｔ"),
        ("brainless", "b r a i n l e s s", "b r a i n l e s s"),  # letters written apart
        ("brainless", "brainlesssss", "brainlesssss"),
    ]
    assert matches[-1].normalised == "brainles"  # the squeezed variant matched


@pytest.mark.parametrize("backend", BACKENDS)
def test_terms_without_word_boundary_and_multi_word_terms(backend: str) -> None:
    assert found(backend, "xxfree downloadxx") == [("insults", "free download", "free download")]
    assert found(backend, "Please VERIFY\nyour   account") == [
        ("phishing", "verify your account", "VERIFY\nyour   account")
    ]


@pytest.mark.parametrize("backend", BACKENDS)
def test_patterns_anchors_and_lookarounds(backend: str) -> None:
    text = "URGENT: log in at Secure-Login-Bank.example now"
    assert found(backend, text) == [
        ("phishing", "^urgent", "URGENT"),
        ("phishing", r"secure-login[a-z0-9-]*\.[a-z]{2,}", "Secure-Login-Bank.example"),
    ]
    assert found(backend, "this is not a scam") == []
    assert found(backend, "this is a scam") == [("phishing", "(?<!not )a scam", "a scam")]
    # anchored patterns work per text in a batch too
    batch = matcher(backend).scan_batch(["urgent!", "not urgent", "urgent"])
    assert [[m.matched for m in ms] for ms in batch] == [["^urgent"], [], ["^urgent"]]


@pytest.mark.parametrize("backend", BACKENDS)
def test_match_fields(backend: str) -> None:
    (m,) = matcher(backend).scan("Hi ＩＤＩＯＴ")
    assert m == Match(
        rule_id="insults",
        kind="terms",
        detector=0,
        matched="idiot",
        normalised="idiot",
        norm_start=3,
        norm_end=8,
        start=3,
        end=8,
        excerpt="ＩＤＩＯＴ",
    )


def test_bad_declarations_are_refused() -> None:
    with pytest.raises(SpecError, match=r"rule 'x': pattern '\(unclosed' does not compile"):
        Matcher.compile([("x", [PatternSpec(patterns=("(unclosed",))])])
    with pytest.raises(SpecError, match="cannot read terms_file"):
        Matcher.compile([("x", [TermsSpec(terms_file="no-such-file.txt")])], "/nonexistent")


def test_variants_and_pattern_helpers() -> None:
    assert variants("good") == ["good"]  # "god" is too short to be a safe variant
    assert variants("ass") == ["ass"]
    assert sorted(variants("brainless")) == ["brainles", "brainless"]
    assert joinable(r"secure-login\.[a-z]+") and joinable(r"[$^]x") and joinable(r"\bfoo\b")
    assert not joinable("^x") and not joinable("x$") and not joinable(r"\Ax")
    assert not joinable("(?<=a)b") and not joinable("a(?!b)")
    assert loosen(r"a.{0,60}b[{1,2}]\{1,2\}c{3}") == r"a.{0,}b[{1,2}]\{1,2\}c{3}"


# -- both backends, batches ------------------------------------------------------------------

FRAGMENTS = [
    "idiot",
    "ass",
    "class",
    "l0ser",
    "loooser",
    "傻逼",
    "バカ",
    "free download",
    "verify",
    "your",
    "account",
    "secure-login-x.example",
    "urgent",
    "not",
    "a scam",
    "brainlessss",
    " ",
    "  ",
    ".",
    "!",
    "\n",
    "@",
    "1",
    "0",
    "ｉｄｉｏｔ",
    "\u200b",
    "吧",
    "é",
    "\ud800",
]
samples = st.lists(st.sampled_from(FRAGMENTS), max_size=25).map("".join)


@pytest.mark.skipif(not HAVE_HYPERSCAN, reason="no hyperscan")
@settings(max_examples=120, deadline=None)
@given(st.lists(samples, max_size=5))
def test_backends_agree_and_batches_equal_single_scans(texts: list[str]) -> None:
    aho = matcher("aho").scan_batch(texts)
    hs = matcher("hyperscan").scan_batch(texts)
    assert aho == hs
    assert aho == [matcher("aho").scan(t) for t in texts]


@settings(max_examples=120, deadline=None)
@given(samples)
def test_term_spans_normalise_to_what_matched(text: str) -> None:
    for m in matcher("aho").scan(text):
        original = normalise(text).original
        assert original[m.start : m.end] == m.excerpt
        if m.kind == "terms":
            assert normalise(original[m.start : m.end]).text == m.normalised
        else:  # patterns: the span is exactly what produced the matched characters
            n = normalise(text)
            assert n.text[m.norm_start : m.norm_end] == m.normalised
            assert n.original_span(m.norm_start, m.norm_end) == (m.start, m.end)


LOOSE: list[RuleDetectors] = [
    (
        "loose",
        [
            PatternSpec(
                patterns=(
                    r"\d{3}-\d{4}",  # no literal of two characters or more
                    r"\p{Han}{2}[a-z]",  # regex-module syntax: no literal known
                    r"^\W+$",  # anchored: run text by text
                    r"(?:scam){e<=1}x",  # fuzzy: Hyperscan cannot take it
                )
            )
        ],
    )
]


@cache
def loose(backend: str) -> Matcher:
    return Matcher.compile(LOOSE, backend=backend)  # type: ignore[arg-type]


@pytest.mark.parametrize("backend", BACKENDS)
def test_patterns_without_literals(backend: str) -> None:
    assert len(loose(backend).loose_patterns) == 4
    texts = ["call 555-0142", "你是i", "?!", "scamx sxamx", "nothing"]
    assert [[m.excerpt for m in ms] for ms in loose(backend).scan_batch(texts)] == [
        ["555-0142"],
        ["你是i"],
        ["?!"],
        ["scamx", "sxamx"],
        [],
    ]


@pytest.mark.skipif(not HAVE_HYPERSCAN, reason="no hyperscan")
@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.one_of(samples, st.sampled_from(["555-0142", "傻逼x", "?!", "scamx"])), max_size=5)
)
def test_backends_agree_on_patterns_without_literals(texts: list[str]) -> None:
    assert loose("aho").scan_batch(texts) == loose("hyperscan").scan_batch(texts)
    assert loose("aho").scan_batch(texts) == [loose("aho").scan(t) for t in texts]


@pytest.mark.parametrize("backend", BACKENDS)
def test_default_detectors_compile_on_both_backends(backend: str) -> None:
    m = Matcher.compile(default_detectors(), backend=backend)  # type: ignore[arg-type]
    assert m.term_count > 100 and m.pattern_count > 25
    assert m.loose_patterns == []  # every default pattern has a required literal
    hits = m.scan("Security notice: v3rify your acc0unt at secure-login-bank.example")
    assert {h.rule_id for h in hits} == {"scam.phishing"}


# -- 10,000 terms ----------------------------------------------------------------------------


def many_terms(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    consonants, vowels = "bcdfghjklmnprstvwz", "aeiou"
    terms: set[str] = set()
    while len(terms) < n:
        if rng.random() < 0.1:
            terms.add("".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(rng.randint(2, 3))))
            continue
        words = [
            "".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(rng.randint(2, 4)))
            for _ in range(rng.randint(1, 2))
        ]
        terms.add(" ".join(words))
    return sorted(terms)


@pytest.mark.parametrize("backend", BACKENDS)
def test_ten_thousand_terms(backend: str) -> None:
    terms = many_terms(10_000)
    m = Matcher.compile(
        [
            ("big.a", [TermsSpec(terms=tuple(terms[:5000]))]),
            ("big.b", [TermsSpec(terms=tuple(terms[5000:]))]),
        ],
        backend=backend,  # type: ignore[arg-type]
    )
    planted: Sequence[str] = terms[::997]
    text = " filler text. ".join(t.upper() for t in planted)
    got = {(x.rule_id, x.matched) for x in m.scan(text)}
    for i, term in zip(range(0, 10_000, 997), planted, strict=True):
        assert ("big.a" if i < 5000 else "big.b", term) in got


# no literal is required (one side may be a phone number); Hyperscan's prefilter reports an
# end inside the next text's first character for it
LOOSE_DOXX = (
    "(?:\\b(?:found (?:him|her|them)|(?:he|she|they) (?:lives?|works?|stays?)|(?:his|h"
    "er|their) (?:cell|phone|number|address|house|place|mom|mum|dad|wife|husband|kids"
    "?)|this (?:guy|woman|girl|man|person|dude|lady))\\b).{0,80}(?:\\d{1,5} [a-z]+(?: ["
    "a-z]+)? (?:street|st|road|rd|lane|ln|avenue|ave|drive|dr|court|ct|close|way|plac"
    "e|crescent|terrace|boulevard|blvd)\\b|\\b\\d{3}[-. ]\\d{4}\\b|\\+?\\d[\\d -]{8,}\\d)|(?:\\"
    "d{1,5} [a-z]+(?: [a-z]+)? (?:street|st|road|rd|lane|ln|avenue|ave|drive|dr|court"
    "|ct|close|way|place|crescent|terrace|boulevard|blvd)\\b|\\b\\d{3}[-. ]\\d{4}\\b|\\+?\\d"
    "[\\d -]{8,}\\d).{0,80}(?:\\b(?:found (?:him|her|them)|(?:he|she|they) (?:lives?|wor"
    "ks?|stays?)|(?:his|her|their) (?:cell|phone|number|address|house|place|mom|mum|d"
    "ad|wife|husband|kids?)|this (?:guy|woman|girl|man|person|dude|lady))\\b)"
)


@pytest.mark.parametrize("backend", BACKENDS)
def test_loose_pattern_before_a_multibyte_character_in_a_batch(backend: str) -> None:
    m = Matcher.compile(
        [("loose", [PatternSpec(patterns=(LOOSE_DOXX,))])],
        backend=backend,  # type: ignore[arg-type]
    )
    assert m.loose_patterns
    texts = ["his number is 555-0147.", "你好", "this guy, 42 oak lane", "您"]
    assert m.scan_batch(texts) == [m.scan(t) for t in texts]
    assert [len(ms) for ms in m.scan_batch(texts)] == [1, 0, 1, 0]
