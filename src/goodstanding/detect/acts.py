"""``acts:<rule id>``: a classifier of acts, trained on the labelled texts that ship with the
package (the development part of the evaluation set: English and Chinese, every rule of the
default policy, hard benign texts among them), for what no list or pattern names.

One linear model (a support vector machine) over character 1- to 4-grams (char_grams.py)
tells, for each rule, how much nearer a text is to that rule's examples than to the benign
ones; a text scores only for the rule it is nearest (one finding at most). It is trained
once per process on first use (under a second), deterministically; its identity, recorded
with each policy version, names the corpora by SHA-256 and the version of scikit-learn, so
a replay can tell a retrained model.

Its findings route to review (the policy's outcome for it is ``queue``): a statistical
judgement is never the only ground for acting. It judges the form of acts, never opinions:
the corpus holds political and religious speech of every side as benign, and the test suite
fails if any of them is flagged.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import threading
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any, Final

import msgspec
import numpy as np

from goodstanding.detect.char_grams import CharGrams

DATA: Final = Path(__file__).parent / "data"
CORPUS: Final = DATA / "acts_corpus.jsonl"
"""Labelled texts: the development part of the evaluation set."""
WRITTEN: Final = (DATA / "acts_written.jsonl", DATA / "acts_written_2.jsonl")
"""Labelled texts written by hand as more examples, from the rules' texts alone."""
ORDINARY: Final = DATA / "acts_ordinary.jsonl"
"""Ordinary posts and group messages, all benign (see data/README.md for where they come
from): without them the model takes everyday chat for the acts it saw."""
BENIGN: Final = "benign"
STEEPNESS: Final = 4.0
"""Scores are ``1 / (1 + exp(-STEEPNESS * margin))``: 0.5 where a text is as near the rule's
examples as the benign ones."""


class LabelledText(msgspec.Struct, frozen=True, kw_only=True):
    """One text of the corpus and its label: a rule id, or ``benign``."""

    text: str
    label: str


class ActsModel:
    """The trained model over a corpus: per-rule scores for texts, computed once per batch
    for all the rules that ask."""

    def __init__(self, corpora: tuple[Path, ...] = (CORPUS, *WRITTEN, ORDINARY)):
        self.corpora = corpora
        self._lock = threading.Lock()
        self._fitted: tuple[CharGrams, Any, list[str]] | None = None
        self._last: tuple[list[str], dict[str, list[float]]] | None = None

    @cached_property
    def labels(self) -> frozenset[str]:
        """The labels the corpus teaches (rule ids and ``benign``)."""
        return frozenset(row.label for row in self._rows())

    def _rows(self) -> list[LabelledText]:
        decoder = msgspec.json.Decoder(LabelledText)
        return [
            decoder.decode(line)
            for corpus in self.corpora
            for line in corpus.read_bytes().splitlines()
            if line
        ]

    @cached_property
    def version(self) -> str:
        """What decides its scores: the corpora's SHA-256 and the scikit-learn version."""
        digest = hashlib.sha256()
        for corpus in self.corpora:
            digest.update(hashlib.sha256(corpus.read_bytes()).digest())
        sklearn = importlib.metadata.version("scikit-learn")
        return f"corpus sha256:{digest.hexdigest()[:16]} scikit-learn {sklearn}"

    def _fit(self) -> tuple[CharGrams, Any, list[str]]:
        from sklearn.svm import LinearSVC

        rows = self._rows()
        vectoriser = CharGrams()
        features = vectoriser.fit_transform([row.text for row in rows])
        model = LinearSVC(C=1.0, random_state=0).fit(features, [row.label for row in rows])
        return vectoriser, model, [str(label) for label in model.classes_]

    def scores(self, texts: list[str], label: str) -> list[float]:
        """Each text's score for `label`: ``1 / (1 + exp(-STEEPNESS * margin))`` of how much
        nearer the text is to that label's examples than to the benign ones, where that is
        the label it is nearest (0 elsewhere, and for ``benign`` itself). The last
        batch's scores are kept, so each rule asking about the same texts reuses them."""
        with self._lock:
            if self._fitted is None:
                self._fitted = self._fit()
            vectoriser, model, labels = self._fitted
            if self._last is None or self._last[0] != texts:
                margins = model.decision_function(vectoriser.transform(texts))
                benign = labels.index(BENIGN)
                nearer = margins - margins[:, [benign]]
                nearer[:, benign] = -np.inf
                squashed = 1.0 / (1.0 + np.exp(np.minimum(50.0, -STEEPNESS * nearer)))
                # only the rule a text is nearest scores: one finding per text at most
                squashed[nearer < nearer.max(axis=1, keepdims=True)] = 0.0
                self._last = (
                    list(texts),
                    {k: squashed[:, i].tolist() for i, k in enumerate(labels)},
                )
            return self._last[1][label]


MODEL: Final = ActsModel()
"""The model over the corpus that ships with the package (one per process)."""


class ActsClassifier:
    """The acts model's score of one rule: how much nearer each text is to that rule's
    examples than to benign text, as a probability-like score in [0, 1]."""

    def __init__(self, rule_id: str, model: ActsModel = MODEL):
        self.rule_id = rule_id
        self.model = model

    @property
    def name(self) -> str:
        """The model name, as a policy writes it."""
        return f"acts:{self.rule_id}"

    @property
    def version(self) -> str:
        """The corpus and trainer its scores come from."""
        return self.model.version

    def predict(self, texts: Sequence[str]) -> list[float]:
        """One score per text: above 0.5 where the text is nearer this rule than benign."""
        if not texts:
            return []
        return self.model.scores(list(texts), self.rule_id)
