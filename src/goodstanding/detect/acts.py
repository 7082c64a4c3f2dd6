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

import contextlib
import hashlib
import importlib.metadata
import os
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Final

import msgspec
import numpy as np

from goodstanding.detect import char_grams
from goodstanding.detect.char_grams import CharGrams
from goodstanding.detect.distinct import distinct

Array = np.ndarray[Any, Any]

DATA: Final = Path(__file__).parent / "data"
CORPUS: Final = DATA / "acts_corpus.jsonl"
"""Labelled texts: the development part of the evaluation set."""
WRITTEN: Final = tuple(DATA / f"acts_written{n}.jsonl" for n in ("", "_2", "_3", "_4", "_5"))
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


@dataclass(frozen=True)
class Fitted:
    """A trained model: its features, and one linear function of them per label."""

    grams: CharGrams
    coef: Array
    intercept: Array
    labels: list[str]

    def margins(self, texts: Sequence[str]) -> Array:
        """Each text's value of each label's function (texts by labels)."""
        return np.asarray(self.grams.transform(texts) @ self.coef.T) + self.intercept

    def save(self, path: Path) -> None:
        """Writes the model to `path` (NumPy arrays, no pickled objects), atomically."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".npz", delete=False) as out:
            np.savez(
                out,
                seen=self.grams.seen,
                idf=self.grams.idf,
                coef=self.coef,
                intercept=self.intercept,
                labels=np.array(self.labels),
            )
        os.replace(out.name, path)

    @classmethod
    def load(cls, path: Path) -> Fitted:
        """The model `save` wrote to `path`."""
        with np.load(path, allow_pickle=False) as arrays:
            return cls(
                CharGrams.restored(arrays["seen"], arrays["idf"]),
                arrays["coef"],
                arrays["intercept"],
                [str(label) for label in arrays["labels"]],
            )


def cache_dir() -> Path:
    """Where trained models are kept between processes: ``GOODSTANDING_CACHE_DIR``, else the
    user's cache folder (``XDG_CACHE_HOME`` or ``~/.cache``) under ``goodstanding``."""
    named = os.environ.get("GOODSTANDING_CACHE_DIR")
    if named:
        return Path(named)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "goodstanding"


KEPT: Final = 4
"""How many trained models the cache keeps: the most recently used (two installs of
different versions side by side must not evict each other's model on every run)."""


def _evict(folder: Path) -> None:
    """Removes the cached models beyond the `KEPT` most recently used."""
    models = sorted(folder.glob("acts-*.npz"), key=lambda path: path.stat().st_mtime)
    for older in models[:-KEPT]:
        older.unlink(missing_ok=True)


class ActsModel:
    """The trained model over a corpus: per-rule scores for texts, computed once per batch
    for all the rules that ask. Trained on first use, or read back from the cache where a
    process trained it from the same corpora before."""

    def __init__(self, corpora: tuple[Path, ...] = (CORPUS, *WRITTEN, ORDINARY)):
        self.corpora = corpora
        self._lock = threading.Lock()
        self._fitted: Fitted | None = None
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
        """What decides its scores: the SHA-256 of the corpora and of the code that reads
        and trains on them, and the scikit-learn version."""
        corpora = hashlib.sha256()
        for corpus in self.corpora:
            corpora.update(hashlib.sha256(corpus.read_bytes()).digest())
        code = hashlib.sha256()
        for module in (Path(__file__), Path(char_grams.__file__)):
            code.update(hashlib.sha256(module.read_bytes()).digest())
        sklearn = importlib.metadata.version("scikit-learn")
        return (
            f"corpus sha256:{corpora.hexdigest()[:16]} code sha256:{code.hexdigest()[:16]} "
            f"scikit-learn {sklearn}"
        )

    @property
    def cached(self) -> Path:
        """The cache file of this model (named by everything its weights depend on)."""
        key = hashlib.sha256(self.version.encode()).hexdigest()[:24]
        return cache_dir() / f"acts-{key}.npz"

    def _fitted_model(self) -> Fitted:
        try:
            fitted = Fitted.load(self.cached)
        except (OSError, ValueError, KeyError):
            pass  # not cached yet, or unreadable: train
        else:
            with contextlib.suppress(OSError):
                os.utime(self.cached)  # used now: the last to be evicted
            return fitted
        fitted = self._fit()
        with contextlib.suppress(OSError):  # a read-only home: train again next time
            fitted.save(self.cached)
            _evict(self.cached.parent)
        return fitted

    def _fit(self) -> Fitted:
        from sklearn.svm import LinearSVC

        rows = self._rows()
        grams = CharGrams()
        features = grams.fit_transform([row.text for row in rows])
        model = LinearSVC(C=1.0, random_state=0).fit(features, [row.label for row in rows])
        labels = [str(label) for label in model.classes_]
        return Fitted(grams, np.asarray(model.coef_), np.asarray(model.intercept_), labels)

    def scores(self, texts: list[str], label: str) -> list[float]:
        """Each text's score for `label`: ``1 / (1 + exp(-STEEPNESS * margin))`` of how much
        nearer the text is to that label's examples than to the benign ones, where that is
        the label it is nearest (0 elsewhere, and for ``benign`` itself). The last
        batch's scores are kept, so each rule asking about the same texts reuses them."""
        with self._lock:
            if self._fitted is None:
                self._fitted = self._fitted_model()
            fitted = self._fitted
            if self._last is None or self._last[0] != texts:
                unique, rows = distinct(texts)  # a text's score depends on the text alone
                margins = fitted.margins(unique)[rows]
                benign = fitted.labels.index(BENIGN)
                nearer = margins - margins[:, [benign]]
                nearer[:, benign] = -np.inf
                squashed = 1.0 / (1.0 + np.exp(np.minimum(50.0, -STEEPNESS * nearer)))
                # only the rule a text is nearest scores: one finding per text at most
                squashed[nearer < nearer.max(axis=1, keepdims=True)] = 0.0
                self._last = (
                    list(texts),
                    {k: squashed[:, i].tolist() for i, k in enumerate(fitted.labels)},
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
