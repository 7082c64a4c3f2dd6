# ruff: noqa: RUF001, RUF003  (look-alike letters are what these tests are about)
"""Normalisation for detection: each step, the offset map, batches and the fast paths."""

from __future__ import annotations

import importlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from goodstanding.detect.folding import SEPARATOR
from goodstanding.detect.normalise import normalise, normalise_batch

# the package re-exports the function `normalise`, which hides the module of that name
normalise_module = importlib.import_module("goodstanding.detect.normalise")


def text_of(s: str) -> str:
    return normalise(s).text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Hello WORLD", "hello world"),
        ("ｉｄｉｏｔ ＢＵＹ　ＮＯＷ", "idiot buy now"),  # full-width letters and space
        ("ﬁne Straße", "fine strasse"),  # ligature, casefold
        ("𝐢𝐝𝐢𝐨𝐭 ⓘⓓⓘⓞⓣ", "idiot idiot"),  # mathematical and circled letters
        ("café cafe\u0301 naïve", "cafe cafe naive"),  # precomposed and combining accents
        ("ｶﾞｷ", "ガキ"),  # half-width katakana with its voicing mark
    ],
)
def test_nfkc_casefold_and_width(raw: str, expected: str) -> None:
    assert text_of(raw) == expected


@pytest.mark.parametrize(
    "hidden",
    ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\u2066", "\x00"],
)
def test_invisible_characters_are_removed(hidden: str) -> None:
    assert text_of(hidden.join("idiot")) == "idiot"


def test_line_breaks_and_odd_spaces_become_one_space() -> None:
    assert text_of("verify\tyour\n\naccount  now\u3000ok") == "verify your account now ok"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1d10t", "idiot"),
        ("l053r", "loser"),
        ("v3r1fy y0ur 4cc0unt", "verify your account"),
        ("$h1t", "shit"),
        ("p@ss", "pass"),
        ("5 5t4r5", "5 stars"),  # the lone 5 is a number
        ("in 2026 we ran 10k, 3rd and 1st", "in 2026 we ran 10k, 3rd and 1st"),
        ("@a000123 vx513047 $5k 1080p mp4", "@a000123 vx513047 $5k 1080p mp4"),
        ("call 555-0142", "call 555-0142"),
    ],
)
def test_leetspeak_only_inside_words(raw: str, expected: str) -> None:
    assert text_of(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("іdіоt", "idiot"),  # Cyrillic і and о
        ("Ѕсаm", "scam"),  # Cyrillic Ѕ с а
        ("ВЕЅТ DEALS", "best deals"),  # Cyrillic capitals
        ("ΙDΙΟΤ", "idiot"),  # Greek capitals
        ("won’t", "won't"),  # typographic apostrophe
    ],
)
def test_confusables_map_to_latin(raw: str, expected: str) -> None:
    assert text_of(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("looooser", "loser"),
        ("idiooot", "idiot"),
        ("good", "good"),
        ("cool beer", "cool beer"),
        ("l0000ser", "loser"),
        ("哈哈哈哈", "哈"),
        ("1000 likes!!!", "1000 likes!!!"),  # digits and punctuation are not squeezed
    ],
)
def test_runs_of_three_or_more_letters_squeeze_to_one(raw: str, expected: str) -> None:
    assert text_of(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "你就是个傻逼，别发了",
        "お前は本当にバカだな",
        "최고의 하루",
        "ภาษาไทย",
        "周末体验了一下火锅",
    ],
)
def test_cjk_and_other_scripts_pass_unchanged(raw: str) -> None:
    normalised = normalise(raw)
    assert normalised.text == raw.replace("，", ",")
    assert normalised.original == raw


def test_lone_surrogates_are_replaced_and_counted() -> None:
    normalised = normalise("a\ud800b\udfffc")
    assert normalised.replaced == 2
    assert normalised.original == "a\ufffdb\ufffdc"
    assert normalised.text == "a\ufffdb\ufffdc"
    normalised.original.encode("utf-8")  # safe to store and send


def test_separator_in_input_is_replaced() -> None:
    assert normalise(f"a{SEPARATOR}b").text == "a\ufffdb"


def test_spans_map_back_exactly() -> None:
    raw = "Hey ＹＯＵ 1d\u200b10t, a l00000ser!"
    normalised = normalise(raw)
    assert normalised.text == "hey you idiot, a loser!"
    start = normalised.text.index("idiot")
    s, e = normalised.original_span(start, start + 5)
    assert raw[s:e] == "1d\u200b10t"
    start = normalised.text.index("loser")
    assert normalised.excerpt(start, start + 5) == "l00000ser"
    assert normalised.excerpt(0, 3) == "Hey"
    with pytest.raises(ValueError, match="outside"):
        normalised.original_span(0, 999)


# -- properties -----------------------------------------------------------------------------

TRICKY = (
    list("abcdeilostxyz ")
    + list("0134579@$2")
    + ["oo", "ooo", "  ", "\n", "\t", ".", ",", "!", "-"]
    + ["\u200b", "\u00ad", "\ufeff", "\u0301", "\u0308", "\ufe0f", "\x07"]
    + ["Ａ", "ｏ", "Ｏ", "ﬁ", "ß", "İ", "Σ", "ς", "е", "о", "В", "Η", "ｶ", "ﾞ", "ᄀ", "ᅡ"]
    + ["傻", "逼", "你", "バ", "カ", "😂", "❤", "\u3000", "\ud800", "\uffff", "𝐢"]
)
texts = st.lists(st.sampled_from(TRICKY), max_size=40).map("".join)
FAST = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FAST
@given(texts)
def test_map_is_monotone_and_covers_the_text(raw: str) -> None:
    normalised = normalise(raw)
    previous = (0, 0)
    for k in range(len(normalised.text)):
        s, e = normalised.original_span(k, k + 1)
        assert 0 <= s < e <= len(raw)
        assert s >= previous[0] and e >= previous[1]  # starts and ends never go back
        assert normalised.original_span(0, k + 1) == (normalised.original_span(0, 1)[0], e)
        previous = (s, e)
    whole = normalised.original_span(0, len(normalised.text))
    assert whole[0] >= 0 and whole[1] <= len(raw)
    assert len(normalised.original) == len(raw)


@FAST
@given(texts)
def test_normalising_twice_changes_nothing(raw: str) -> None:
    once = text_of(raw)
    assert text_of(once) == once


@FAST
@given(st.lists(texts, max_size=6))
def test_batch_equals_one_by_one(raws: list[str]) -> None:
    batch = normalise_batch(raws)
    assert len(batch) == len(raws)
    for i, raw in enumerate(raws):
        single = normalise(raw)
        item = batch.item(i)
        assert item.text == single.text
        assert item.original == single.original
        assert item.replaced == single.replaced
        for k in range(len(single.text)):
            assert item.original_span(k, k + 1) == single.original_span(k, k + 1)


@FAST
@given(texts)
def test_numpy_and_regex_paths_agree(raw: str) -> None:
    small = normalise(raw)
    saved = normalise_module._NUMPY_MIN
    normalise_module._NUMPY_MIN = 0
    try:
        big = normalise(raw)
    finally:
        normalise_module._NUMPY_MIN = saved
    assert big.text == small.text
    for k in range(len(small.text)):
        assert big.original_span(k, k + 1) == small.original_span(k, k + 1)


def test_long_mixed_text_uses_the_fast_path_with_the_same_result(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    raw = "Ｂｕｙ ｎｏｗ!! 1d10t\u200b l000ser 傻逼   哈哈哈 😂 " * 500
    assert len(raw) > normalise_module._NUMPY_MIN
    fast = normalise(raw)
    monkeypatch.setattr(normalise_module, "_NUMPY_MIN", 10**9)
    slow = normalise(raw)
    assert fast.text == slow.text
    assert fast.text.startswith("buy now!! idiot loser 傻逼 哈 😂 buy now")
    start = fast.text.rindex("idiot")
    s, e = fast.original_span(start, start + 5)
    assert raw[s:e] == "1d10t"
    assert slow.original_span(start, start + 5) == (s, e)


def test_letters_written_apart_are_joined_and_map_back() -> None:
    text = "you are an i d i o t, ｆ ｒ ｅ ｅ gift: 你 是 傻 逼"
    n = normalise(text)
    assert n.text == "you are an idiot, free gift: 你是傻逼"
    start = n.text.index("idiot")
    assert n.excerpt(start, start + 5) == "i d i o t"
    assert normalise(n.text).text == n.text
    assert normalise("a b and i am ok").text == "a b and i am ok"  # two letters, or words


def test_conjoining_jamo_compose_alone_as_in_a_batch() -> None:
    # the batch once composed jamo only when another text of it held a combining mark
    assert normalise("\u1100\u1161").text == "\uac00"
    batch = normalise_batch(["\u0301", "\u1100\u1161"])
    assert batch.item(1).text == normalise("\u1100\u1161").text
    assert batch.item(1).original_span(0, 1) == (0, 2)
