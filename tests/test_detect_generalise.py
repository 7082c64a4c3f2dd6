# ruff: noqa: RUF001  (full-width forms are part of the examples)
"""The default detectors on texts written apart from the simulation: paraphrased acts,
obfuscations, Chinese, contexts that lower confidence, and opinions never flagged."""

from __future__ import annotations

from functools import cache

import pytest

from goodstanding.detect import Detector, default_detectors
from goodstanding.detect.context import lowering_context

VIOLATING = [
    ("Great prices on sneakers this week, DM me and I'll send the catalogue", "spam.bulk"),
    ("兼职日赚三百，有意者私聊我", "spam.bulk"),
    (
        "Your profile was selected for review, log in at profile-review.example to keep it",
        "scam.phishing",
    ),
    (
        "Hi, please reply with your verification code so we can fix your account",
        "scam.phishing",
    ),
    ("请提供您的验证码以完成认证", "scam.phishing"),
    (
        "A relative left you funds abroad; wire the 300 dollar clearance charge first",
        "scam.advance_fee",
    ),
    (
        "You have been approved for the loan, just pay a small deposit to receive the money",
        "scam.advance_fee",
    ),
    ("您的贷款已审批，需先缴纳保证金才能放款", "scam.advance_fee"),
    ("Join my trading group, guaranteed 30% returns every month, zero risk", "scam.fake_giveaway"),
    ("稳赚不赔的项目，跟着老师投资", "scam.fake_giveaway"),
    ("Nobody here wants you, get out of this group and never come back", "harassment.targeted"),
    ("没人欢迎你，滚出这个群", "harassment.targeted"),
    ("you're a worthless piece of garbage", "harassment.insults"),
    ("你就是个白痴", "harassment.insults"),
    ("you are an i d i o t", "harassment.insults"),
    ("I'm going to burn your house down while you sleep", "threat.violence"),
    ("我迟早弄死你", "threat.violence"),
    ("they're nothing but vermin and should be wiped out", "hate.dehumanising"),
    ("这些人都是寄生虫", "hate.dehumanising"),
    ("I'll post your home address for everyone to see", "privacy.doxxing"),
    ("我要把你的家庭住址发出来", "privacy.doxxing"),
    (
        "ｖｅｒｉｆｙ ｙｏｕｒ ａｃｃｏｕｎｔ at ｓｅｃｕｒｅ－ｃｈｅｃｋ．ｅｘａｍｐｌｅ",
        "scam.phishing",
    ),
]

LOWERED = [
    'My sister got a text saying "I will find you and hurt you" and went to the police',
    "In chapter three the villain whispers: I'll kill you all",
    "I'm going to kill you in the next game, watch out",
    "I'm such an idiot, I left my keys at home again",
]

BENIGN = [
    "You killed it at the open mic last night!",
    "Security tip: we will never ask for your password. Never share your verification code.",
    "The library book club meets on Thursday, message me if you want to join",
    "Pay the registration fee at the door, all proceeds go to the food bank",
    "I'm dying to see the new exhibition",
]

OPINIONS = [
    "I think the new tax policy is a mistake and I will vote against it",
    "Religion has done more good than harm, in my view",
    "Immigration levels should be lowered, that's my opinion",
    "Our party will win the next election",
    "我认为政府的经济政策是错误的",
    "宗教信仰自由很重要",
    "I strongly support same-sex marriage",
    "Abortion should be banned",
]


@cache
def detector() -> Detector:
    return Detector.build(default_detectors())


@pytest.mark.parametrize(("text", "rule"), VIOLATING)
def test_paraphrased_acts_are_flagged_for_their_rule(text: str, rule: str) -> None:
    assert rule in detector().detect(text).flagged


def test_a_credential_request_from_self_declared_staff_is_impersonation() -> None:
    found = detector().detect("This is the support team, send us your password to restore access")
    assert "impersonation" in found.flagged
    assert "scam.phishing" not in found.rules


@pytest.mark.parametrize("text", LOWERED)
def test_quoted_fictional_game_and_self_directed_findings_go_to_review(text: str) -> None:
    found = detector().detect(text)
    assert found.matches, "a lowered finding is kept, never dropped"
    assert found.flagged == ()
    assert all(m.context and m.outcome in ("label", "queue") for m in found.matches)


@pytest.mark.parametrize("text", BENIGN)
def test_idioms_notices_and_ordinary_events_are_not_flagged(text: str) -> None:
    assert detector().detect(text).flagged == ()


@pytest.mark.parametrize("text", OPINIONS)
def test_opinions_of_any_side_are_never_matched(text: str) -> None:
    assert detector().detect(text).matches == ()


def test_lowering_context_names_its_reasons() -> None:
    text = 'he said "i will hurt you" in the game'
    start = text.index("i will")
    assert lowering_context(text, start, start + 15) == ("quotation", "reported", "game")
    assert lowering_context("i will hurt you", 0, 15) == ()
    text = "someone dmed me 'pay a $200 fee and your loan gets released' - obviously a scam"
    start = text.index("pay")
    assert lowering_context(text, start, start + 10) == ("quotation", "reported")
    assert lowering_context("i'll hurt you, don't test me", 4, 13) == ()
    text = "regulator warns investors about schemes promising guaranteed returns"
    assert lowering_context(text, 36, 45) == ("news",)
    with pytest.raises(ValueError, match="outside the text"):
        lowering_context("abc", 2, 9)
