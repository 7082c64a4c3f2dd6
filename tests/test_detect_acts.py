"""The classifier of acts (``acts:<rule id>``) and the character n-gram features it reads:
batch-independent and deterministic scores, one rule per text, gaps filled only where
nothing else found anything, and a review outcome only."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from goodstanding.detect import ClassifierSpec, Detector, PatternSpec
from goodstanding.detect.acts import (
    BENIGN,
    KEPT,
    MODEL,
    ActsClassifier,
    ActsModel,
    Fitted,
    LabelledText,
)
from goodstanding.detect.char_grams import CharGrams
from goodstanding.detect.classifier import (
    ClassifierUnavailable,
    check_model,
    classifier_identity,
    register_classifier,
)
from goodstanding.policy import PolicySet

TEXTS = [
    "Send me your password and I will verify your account",
    "你这个废物，滚出这个群",  # noqa: RUF001
    "",
    "see you all at six!",
    "a\0b",
    "I'll find where you live",
]


def test_features_of_a_text_do_not_depend_on_its_batch() -> None:
    grams = CharGrams()
    grams.fit_transform(TEXTS)
    together = grams.transform(TEXTS).toarray()
    for i, text in enumerate(TEXTS):
        alone = grams.transform([text]).toarray()[0]
        assert np.array_equal(together[i], alone), text


def test_occurrences_have_unit_length_and_an_empty_text_none() -> None:
    grams = CharGrams()
    features = grams.fit_transform(TEXTS)
    lengths = [
        float(np.sum(features.data[start:end] ** 2))
        for start, end in zip(features.indptr[:-1], features.indptr[1:], strict=True)
    ]
    assert lengths[2] == 0.0
    assert np.allclose(np.delete(lengths, 2), 1.0)
    assert grams.transform([]).shape == (0, len(grams.idf))


def test_n_grams_never_span_two_texts() -> None:
    grams = CharGrams()
    grams.fit_transform(["ab"])
    # "b" followed by "a" only across the boundary: no column for "ba"
    assert grams.transform(["b", "a"]).nnz == grams.transform(["b"]).nnz + 1


def test_features_are_the_same_under_another_hash_seed() -> None:
    script = (
        "from goodstanding.detect.char_grams import buckets;"
        "print(buckets(['hello wörld', '你好'], 4)[0].tolist())"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={"PYTHONHASHSEED": seed, "PATH": ""},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1


def test_a_text_scores_for_one_rule_at_most_and_the_same_in_any_batch() -> None:
    rules = sorted(MODEL.labels - {BENIGN})
    classifiers = [ActsClassifier(rule) for rule in rules]
    batch = [*TEXTS, "Guaranteed 30% monthly returns, DM me to invest today"]
    scores = np.array([c.predict(batch) for c in classifiers])
    assert ((scores > 0).sum(axis=0) <= 1).all()
    for i, text in enumerate(batch):
        assert [c.predict([text])[0] for c in classifiers] == scores[:, i].tolist()


def test_ordinary_chat_scores_below_every_threshold() -> None:
    ordinary = ["see you all at six!", "Where did you get that ramen?", "周末一起去爬山吧"]
    for rule in sorted(MODEL.labels - {BENIGN}):
        assert max(ActsClassifier(rule).predict(ordinary)) < 0.65, rule


def test_corpus_texts_score_for_their_own_rule() -> None:
    rows = [row for row in MODEL._rows() if row.label != BENIGN][:40]
    hits = sum(ActsClassifier(row.label).predict([row.text])[0] >= 0.65 for row in rows)
    assert hits >= 0.9 * len(rows)
    assert isinstance(rows[0], LabelledText)


def test_model_names_are_checked_and_the_identity_names_the_corpus() -> None:
    check_model("acts:threat.violence")
    for name in ("acts:no.such.rule", "acts:benign", "acts:minors.sexualisation"):
        with pytest.raises(ClassifierUnavailable, match="no examples"):
            check_model(name)
    identity = classifier_identity("acts:threat.violence")
    assert "corpus sha256:" in identity and "scikit-learn" in identity
    with pytest.raises(ValueError, match="built-in"):
        register_classifier("acts", lambda argument: ActsClassifier(argument))


def test_unfound_only_leaves_texts_another_detector_found_to_it() -> None:
    acts = ClassifierSpec(
        model="acts:scam.phishing", threshold=0.5, input="original", unfound_only=True
    )
    pattern = PatternSpec(patterns=(r"\bpassword\b",), outcome="hide")
    detector = Detector.build([("spam.links", [pattern]), ("scam.phishing", [acts])])
    lure = "Your mailbox is full, log in at mail-fix.example and type your password to keep it"
    found, other = detector.detect_batch(
        [lure, "Your mailbox is full, log in at mail-fix.example to keep it"]
    )
    assert {f.rule_id for f in found.matches} == {"spam.links"}
    assert [(f.rule_id, f.kind) for f in other.matches] in ([], [("scam.phishing", "classifier")])


def test_every_acts_finding_of_the_default_policy_goes_to_review() -> None:
    policy = PolicySet.default().versions[-1]
    acts = {
        rule.id: spec
        for rule in policy.rules
        for spec in rule.detectors
        if isinstance(spec, ClassifierSpec) and spec.model.startswith("acts:")
    }
    assert set(acts) == {rule.id for rule in policy.rules} - {"minors.sexualisation"}
    for rule_id, spec in acts.items():
        assert spec.model == f"acts:{rule_id}"
        assert spec.outcome == "queue" and spec.unfound_only


def test_a_trained_model_is_cached_and_read_back_with_the_same_scores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOODSTANDING_CACHE_DIR", str(tmp_path))
    trained = ActsModel()
    first = trained.scores(TEXTS, "threat.violence")
    assert trained.cached.parent == tmp_path and trained.cached.exists()
    (tmp_path / "acts-older.npz").write_bytes(b"stale")
    again = ActsModel()
    assert again.scores(TEXTS, "threat.violence") == first
    assert again._fitted is not None
    assert np.array_equal(again._fitted.coef, trained._fitted.coef)  # type: ignore[union-attr]


def test_an_unreadable_cache_is_trained_again_and_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOODSTANDING_CACHE_DIR", str(tmp_path))
    model = ActsModel()
    model.cached.write_bytes(b"not a model")
    assert len(model.scores(["hello"], "threat.violence")) == 1
    assert [p.name for p in tmp_path.iterdir()] == [model.cached.name]
    Fitted.load(model.cached)


def test_the_cache_keeps_the_most_recently_used_models(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOODSTANDING_CACHE_DIR", str(tmp_path))
    others = [tmp_path / f"acts-other{i}.npz" for i in range(KEPT + 1)]
    for age, path in enumerate(others, 1):
        path.write_bytes(b"another version's model")
        os.utime(path, (1_000_000 - age, 1_000_000 - age))  # others[0] is the newest
    model = ActsModel()
    model.scores(["hello"], "threat.violence")
    kept = sorted(p.name for p in tmp_path.iterdir())
    assert kept == sorted([model.cached.name] + [p.name for p in others[: KEPT - 1]])
