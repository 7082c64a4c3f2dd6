# ruff: noqa: RUF001  (full-width letters and CJK punctuation are test data)
"""Detector declarations and their checks, classifiers, known content, the detector."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import msgspec
import pytest

from goodstanding.detect import (
    ClassifierSpec,
    ClassifierUnavailable,
    Detection,
    Detector,
    DetectorConfigError,
    KnownIndex,
    KnownSpec,
    PatternSpec,
    ReportsSpec,
    SpecError,
    TermsSpec,
    check_specs,
    classifier_for,
    default_detectors,
    default_detectors_text,
    load_detectors,
    measure_quality,
    parse_detectors,
)
from goodstanding.detect.classifier import register_classifier
from goodstanding.detect.detector import Finding
from goodstanding.detect.normalise import normalise
from goodstanding.detect.spec import DetectorSpec
from goodstanding.sim import RULE_IDS, SimConfig, simulate

# -- declarations ----------------------------------------------------------------------------


class _Rule(msgspec.Struct, forbid_unknown_fields=True):
    id: str
    detectors: tuple[DetectorSpec, ...] = ()


def rule_from_toml(text: str) -> _Rule:
    return msgspec.convert(tomllib.loads(text)["rules"][0], _Rule)


def test_declarations_decode_from_toml_by_kind() -> None:
    rule = rule_from_toml(
        """
        [[rules]]
        id = "x"
        [[rules.detectors]]
        kind = "terms"
        terms = ["a", "b"]
        [[rules.detectors]]
        kind = "pattern"
        patterns = ["a+b"]
        outcome = "hide"
        [[rules.detectors]]
        kind = "classifier"
        threshold = 0.95
        [[rules.detectors]]
        kind = "known"
        items = ["some scam"]
        [[rules.detectors]]
        kind = "reports"
        threshold = 2.5
        """
    )
    assert rule.detectors == (
        TermsSpec(terms=("a", "b")),
        PatternSpec(patterns=("a+b",), outcome="hide"),
        ClassifierSpec(threshold=0.95),
        KnownSpec(items=("some scam",)),
        ReportsSpec(threshold=2.5),
    )
    with pytest.raises(msgspec.ValidationError, match="unknown field"):
        rule_from_toml('[[rules]]\nid="x"\n[[rules.detectors]]\nkind="terms"\nterm=["a"]')
    with pytest.raises(msgspec.ValidationError, match="Invalid value 'words'"):
        rule_from_toml('[[rules]]\nid="x"\n[[rules.detectors]]\nkind="words"')


def test_check_specs_names_rule_key_and_error(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("# only a comment\n", encoding="utf-8")
    specs: list[DetectorSpec] = [
        PatternSpec(patterns=("ok", "(unclosed", "Upper", "a*")),
        TermsSpec(terms_file="missing.txt"),
        TermsSpec(),
        TermsSpec(terms_file="empty.txt"),
        TermsSpec(terms=("\u200b",)),
        ClassifierSpec(threshold=1.5),
        ClassifierSpec(model="onnx:models/tox.onnx"),
        ClassifierSpec(outcome="automatic"),
        KnownSpec(threshold=0.0),
        ReportsSpec(threshold=-1, outcome="automatic"),
    ]
    problems = dict(check_specs("scam.phishing", specs, tmp_path))
    assert set(problems) == {
        ("detectors", 0, "patterns", 1),
        ("detectors", 0, "patterns", 2),
        ("detectors", 0, "patterns", 3),
        ("detectors", 1, "terms_file"),
        ("detectors", 2, "terms"),
        ("detectors", 3, "terms_file"),
        ("detectors", 4, "terms", 0),
        ("detectors", 5, "threshold"),
        ("detectors", 6, "model"),
        ("detectors", 7, "outcome"),
        ("detectors", 8, "threshold"),
        ("detectors", 8, "items"),
        ("detectors", 9, "threshold"),
        ("detectors", 9, "outcome"),
    }
    unclosed = problems[("detectors", 0, "patterns", 1)]
    assert unclosed.startswith("rule 'scam.phishing': pattern '(unclosed' does not compile: ")
    assert unclosed.endswith("missing ) at position 9")
    assert "lower case" in problems[("detectors", 0, "patterns", 2)]
    assert "empty string" in problems[("detectors", 0, "patterns", 3)]
    assert "file not found" in problems[("detectors", 1, "terms_file")]
    assert str(tmp_path / "missing.txt") in problems[("detectors", 1, "terms_file")]
    assert "no terms given" in problems[("detectors", 2, "terms")]
    assert "onnxruntime" in problems[("detectors", 6, "model")]
    assert "(0, 1]" in problems[("detectors", 5, "threshold")]
    assert check_specs("ok", [PatternSpec(patterns=("(?i)Upper",))], None) == []


def test_terms_file_is_read_relative_to_the_base_dir(tmp_path: Path) -> None:
    (tmp_path / "words.txt").write_text("# insults\nnincompoop\n\n笨蛋\n", encoding="utf-8")
    detector = Detector.build([("x", [TermsSpec(terms_file="words.txt")])], tmp_path)
    assert [m.evidence for m in detector.detect("You NINCOMPOOP, 笨蛋!").matches] == [
        "nincompoop",
        "笨蛋",
    ]
    with pytest.raises(SpecError, match="file not found"):
        Detector.build([("x", [TermsSpec(terms_file="words.txt")])], tmp_path / "elsewhere")


# -- classifiers -----------------------------------------------------------------------------


def test_profanity_classifier_orders_profane_above_clean() -> None:
    classifier = classifier_for("profanity")
    scores = classifier.predict(
        ["you are a fucking idiot", "what a lovely loaf of sourdough", "shut up you moron"]
    )
    assert len(scores) == 3 and all(0.0 <= s <= 1.0 for s in scores)
    assert scores[0] > 0.8 > 0.2 > scores[1]
    assert scores[2] > scores[1]
    assert classifier.predict([]) == []


def test_unknown_and_onnx_models_give_clear_errors() -> None:
    with pytest.raises(ClassifierUnavailable, match="onnxruntime, which is not installed"):
        classifier_for("onnx:models/toxicity.onnx")
    with pytest.raises(ClassifierUnavailable, match="unknown model 'politics'"):
        classifier_for("politics")
    with pytest.raises(ClassifierUnavailable, match="no classifier plug-in 'mine'"):
        classifier_for("mine:x")


class ConstantClassifier:
    def __init__(self, name: str, score: float) -> None:
        self.name = name
        self.score = score
        self.seen: list[list[str]] = []

    def predict(self, texts: Sequence[str]) -> list[float]:
        self.seen.append(list(texts))
        return [self.score for _ in texts]


class BrokenClassifier:
    name = "broken"

    def predict(self, texts: Sequence[str]) -> list[float]:
        raise RuntimeError("model file is corrupt")


def test_plug_in_classifiers_register_by_prefix() -> None:
    register_classifier("const", lambda argument: ConstantClassifier(f"const:{argument}", 0.9))
    classifier = classifier_for("const:0.9")
    assert classifier.name == "const:0.9"
    assert classifier_for("const:0.9") is classifier  # built once
    detector = Detector.build([("r", [ClassifierSpec(model="const:0.9", threshold=0.5)])])
    (finding,) = detector.detect("anything").matches
    assert (finding.kind, finding.evidence, finding.score) == ("classifier", "const:0.9", 0.9)


# -- known content ---------------------------------------------------------------------------

SCAM = (
    "Dear friend, I am a bank manager in charge of the unclaimed inheritance worth 12.5 million "
    "USD. Reply with your bank details and a small processing fee to release it. Visit "
    "https://claim-funds.example/form today."
)


def test_known_content_catches_near_copies_only() -> None:
    index = KnownIndex([SCAM, "完全一样的诈骗短信：您的包裹被海关扣留，请支付手续费领取。"], 0.8)

    def best(text: str) -> float:
        hits = index.query(normalise(text).text)
        return hits[0].similarity if hits else 0.0

    assert best(SCAM) == 1.0
    assert best(SCAM.replace("12.5 million", "8.1 million").replace("small", "tiny")) >= 0.8
    assert (
        best(SCAM.replace("https://claim-funds.example/form", "https://get-cash.example/x")) >= 0.8
    )
    assert best(SCAM.replace("e", "3").replace("a", "4").upper()) >= 0.8  # obfuscated copy
    assert best("完全一样的诈骗短信：您的包裹被海关扣留，请支付手续费领取！！") >= 0.8
    assert best("Dear friend, thanks for dinner yesterday, see you next week at the bank.") == 0.0
    assert best("I baked sourdough this weekend; it turned out great, thanks everyone!") == 0.0
    assert best("") == 0.0
    assert KnownIndex([SCAM], 0.8).query(normalise(SCAM).text) == index.query(
        normalise(SCAM).text
    )  # deterministic


# -- the detector ----------------------------------------------------------------------------

RULES: list[tuple[str, list[DetectorSpec]]] = [
    ("harassment.insults", [TermsSpec(terms=("idiot", "傻逼")), ClassifierSpec(threshold=0.5)]),
    ("scam.phishing", [PatternSpec(patterns=(r"secure-login[a-z-]*\.[a-z]+",), outcome="hide")]),
    ("scam.advance_fee", [KnownSpec(items=(SCAM,), outcome="hide", threshold=0.6), ReportsSpec()]),
]


@cache
def detector(cap: int = 100_000) -> Detector:
    return Detector.build(RULES, cap=cap)


def test_detect_reports_each_kind_with_evidence() -> None:
    text = f"Fuck off, you fucking 1d10t! {SCAM} Also log in at secure-login-bank.example"
    result = detector().detect(text)
    by_kind = {m.kind: m for m in result.matches}
    assert set(by_kind) == {"terms", "classifier", "known", "pattern"}
    assert by_kind["terms"].excerpt == "1d10t" and by_kind["terms"].evidence == "idiot"
    assert by_kind["pattern"].outcome == "hide"
    assert by_kind["known"].item == 0 and by_kind["known"].score >= 0.6
    assert by_kind["classifier"].evidence == "profanity" and by_kind["classifier"].score >= 0.5
    assert result.rules == ("harassment.insults", "scam.advance_fee", "scam.phishing")
    assert result.outcome_for("scam.phishing") == "hide"
    assert result.outcome_for("harassment.insults") == "queue"
    assert result.outcome_for("spam.bulk") is None
    assert result.failures == ()
    assert msgspec.json.decode(msgspec.json.encode(result), type=Detection) == result


def test_detect_batch_equals_detect() -> None:
    texts = ["hello there", "你就是个傻逼", SCAM, "", "idiot idiot"]
    assert detector().detect_batch(texts) == [detector().detect(t) for t in texts]
    assert detector().detect_batch([]) == []


def test_a_raising_classifier_is_a_recorded_failure() -> None:
    broken = Detector.build(
        [
            ("harassment.insults", [TermsSpec(terms=("idiot",)), ClassifierSpec(model="broken")]),
            ("other", [ClassifierSpec(model="onnx:x.onnx")]),
        ],
        classifiers={"broken": BrokenClassifier()},
    )
    result = broken.detect("what an idiot")
    assert [m.evidence for m in result.matches] == ["idiot"]  # other detectors still ran
    assert [(f.rule_id, f.kind, f.detector) for f in result.failures] == [
        ("harassment.insults", "classifier", 1),
        ("other", "classifier", 0),
    ]
    assert "RuntimeError: model file is corrupt" in result.failures[0].error
    assert "onnxruntime" in result.failures[1].error


def test_a_classifier_giving_wrong_output_is_a_recorded_failure() -> None:
    class Short:
        name = "short"

        def predict(self, texts: Sequence[str]) -> list[float]:
            return [0.5]

    class Out:
        name = "out"

        def predict(self, texts: Sequence[str]) -> list[float]:
            return [float("nan")] * len(texts)

    d = Detector.build(
        [("r", [ClassifierSpec(model="short"), ClassifierSpec(model="out")])],
        classifiers={"short": Short(), "out": Out()},
    )
    first, second = d.detect_batch(["a", "b"])
    assert [f.error for f in first.failures] == [
        "classifier 'short' gave 1 scores for 2 texts",
        "classifier 'out' gave a score outside [0, 1]",
    ]
    assert second.failures == first.failures


def test_build_refuses_bad_declarations_with_every_problem() -> None:
    with pytest.raises(SpecError) as info:
        Detector.build(
            [
                ("a", [PatternSpec(patterns=("(",)), KnownSpec(threshold=2.0, items=("x",))]),
                ("a", []),
            ]
        )
    message = str(info.value)
    assert "rule 'a': pattern '(' does not compile" in message
    assert "threshold must lie in (0, 1]" in message
    assert "rule 'a' is listed twice" in message


@pytest.mark.parametrize(
    "text",
    ["", " ", "\ud800", "a\udc00\ud800b idiot", "\uffff", "\x00" * 10, "\u0301\u0301", "💩" * 3],
)
def test_odd_texts_never_raise(text: str) -> None:
    result = detector().detect(text)
    assert result.failures == ()
    assert result.length == len(text)
    msgspec.json.encode(result)  # no lone surrogates in excerpts


def test_surrogates_are_counted_and_matches_still_found() -> None:
    result = detector().detect("\ud800 idiot \udfff")
    assert result.replaced == 2
    terms = [m for m in result.matches if m.kind == "terms"]
    assert [(m.start, m.end, m.excerpt) for m in terms] == [(2, 7, "idiot")]


def test_non_text_input_is_a_failure_not_a_crash() -> None:
    (result,) = detector().detect_batch([b"idiot"])  # type: ignore[list-item]
    assert [m.evidence for m in result.matches if m.kind == "terms"] == ["idiot"]
    assert "not text" in result.failures[0].error


def test_megabyte_text_is_matched_in_full_and_classified_up_to_the_cap() -> None:
    classifier = ConstantClassifier("const", 0.1)
    d = Detector.build(
        [("r", [TermsSpec(terms=("idiot",)), ClassifierSpec(model="const")])],
        classifiers={"const": classifier},
        cap=1000,
    )
    text = ("lorem ipsum dolor sit amet " * 40_000)[:1_000_000] + " idiot"
    result = d.detect(text)
    assert [m.start for m in result.matches] == [len(text) - 5]
    assert result.truncated and result.classified == 1000 and result.length == len(text)
    assert len(classifier.seen[0][0]) <= 1000
    mixed = ("ｆｒｅｅ 傻\u200b逼 😂\ud800 l00000ser ｶﾞ " * 40_000)[:1_000_000] + "idiot"
    result = d.detect(mixed)
    assert result.failures == () and result.replaced > 0
    assert [m.excerpt for m in result.matches] == ["idiot"]


def test_an_addressed_classifier_needs_someone_spoken_to_and_context_caps_it_at_queue() -> None:
    d = Detector.build(
        [("r", [ClassifierSpec(model="const", threshold=0.5, addressed=True, outcome="hide")])],
        classifiers={"const": ConstantClassifier("const", 0.9)},
    )
    assert d.detect("the minister is a coward").matches == ()
    (finding,) = d.detect("@bob you coward").matches
    assert finding.outcome == "hide" and finding.context == ()
    (lowered,) = d.detect("you coward, I said in the game").matches
    assert lowered.outcome == "queue" and lowered.context == ("game",)
    assert d.detect("you coward, I said in the game").flagged == ()


# -- the default configuration ---------------------------------------------------------------

TOPICS_NEVER_JUDGED = (
    "religio",
    "muslim",
    "islam",
    "christian",
    "jew",
    "hindu",
    "church",
    "mosque",
    "god ",
    "democrat",
    "republican",
    "liberal",
    "conservative",
    "communis",
    "socialis",
    "election",
    "vote",
    "government",
    "immigra",
    "feminis",
)


def test_default_configuration_covers_every_rule_and_checks_clean() -> None:
    rules = default_detectors()
    assert [rule_id for rule_id, _ in rules] == list(RULE_IDS)
    for rule_id, specs in rules:
        assert specs, rule_id
        assert check_specs(rule_id, specs, None) == []
        assert any(isinstance(s, ReportsSpec) for s in specs), rule_id
        assert not any(s.outcome == "automatic" for s in specs), rule_id
    # a guard, not a proof: no term, pattern or item names a belief, party or faith
    declared = " ".join(
        " ".join(getattr(s, "terms", ()) + getattr(s, "patterns", ()) + getattr(s, "items", ()))
        for _, specs in rules
        for s in specs
    ).lower()
    for topic in TOPICS_NEVER_JUDGED:
        assert topic not in declared, topic
    assert "[[rules.detectors]]" in default_detectors_text()


def test_detector_files_load_and_report_problems(tmp_path: Path) -> None:
    (tmp_path / "t.txt").write_text("scoundrel\n", encoding="utf-8")
    good = tmp_path / "good.toml"
    good.write_text(
        '[[rules]]\nid = "x"\n[[rules.detectors]]\nkind = "terms"\nterms_file = "t.txt"\n',
        encoding="utf-8",
    )
    assert load_detectors(good) == [("x", (TermsSpec(terms_file="t.txt"),))]
    with pytest.raises(DetectorConfigError, match=r"rules\[0\]\.detectors\.0\.patterns\.0"):
        parse_detectors(
            '[[rules]]\nid = "x"\n[[rules.detectors]]\nkind = "pattern"\npatterns = ["("]'
        )


def test_default_detectors_on_the_simulation() -> None:
    events, truth = simulate(SimConfig(accounts=1500, days=20, seed=11))
    quality = measure_quality(list(events), truth, Detector.build(default_detectors()))
    assert quality["failures"] == 0
    assert quality["content"]["precision"] >= 0.95
    assert quality["content"]["recall"] >= 0.9
    assert quality["rule"]["precision"] >= 0.95
    assert quality["obfuscated_recall"] >= 0.9


def test_findings_alike_but_for_their_outcome_sort_the_same_whatever_came_first() -> None:
    def finding(outcome: str, context: tuple[str, ...]) -> Finding:
        return Finding(
            rule_id="r",
            kind="pattern",
            detector=0,
            outcome=outcome,  # type: ignore[arg-type]
            evidence="x",
            score=1.0,
            start=0,
            end=4,
            excerpt="text",
            context=context,
        )

    hidden, queued = finding("hide", ()), finding("queue", ("quotation",))
    orders = {
        tuple(sorted(pair, key=lambda f: f.sort_key))
        for pair in ((hidden, queued), (queued, hidden))
    }
    assert len(orders) == 1
