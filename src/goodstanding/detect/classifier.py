"""Text classifiers: a small protocol, the built-in profanity model, and a registry.

Built in: ``profanity`` (alt-profanity-check) and ``acts:<rule id>`` (detect/acts.py, trained
on the corpus that ships with the package). A classifier scores texts in batches:
``predict(texts)`` gives one probability in [0, 1] per text. ``classifier_for(name)`` finds
one by the name a policy uses (``model = ...``).
Plug-ins register a factory for a prefix: ``register_classifier("onnx", factory)`` makes
``model = "onnx:models/toxicity.onnx"`` call ``factory("models/toxicity.onnx")``.

Classifiers judge the form of a text (is it abusive, is it profane), never the opinion it
expresses; no political or religious classifier belongs here.
"""

from __future__ import annotations

import importlib.metadata
import threading
from collections.abc import Callable, Sequence
from typing import Any, Final, Protocol, runtime_checkable

from goodstanding.detect import acts
from goodstanding.detect.distinct import distinct
from goodstanding.detect.spec import module_available


class ClassifierUnavailable(LookupError):
    """A model name that no classifier answers to, or whose dependencies are missing."""


@runtime_checkable
class Classifier(Protocol):
    """Scores texts: the probability that each one is what the classifier detects."""

    @property
    def name(self) -> str:
        """The model name, as a policy writes it."""
        ...

    def predict(self, texts: Sequence[str]) -> list[float]:
        """One probability in [0, 1] per text, in order."""
        ...


class ProfanityClassifier:
    """``profanity``: alt-profanity-check's linear model (English; trained on insults and
    profanity). Its model ships inside the wheel and takes a moment to load, so it is
    loaded on first use, once per process."""

    name: Final = "profanity"
    _lock = threading.Lock()
    _predict_prob: Callable[[Sequence[str]], Any] | None = None

    def _load(self) -> Callable[[Sequence[str]], Any]:
        cls = type(self)
        with cls._lock:
            if cls._predict_prob is None:
                from profanity_check import predict_prob  # type: ignore[import-untyped]

                cls._predict_prob = predict_prob
            return cls._predict_prob

    def predict(self, texts: Sequence[str]) -> list[float]:
        if not texts:
            return []
        unique, rows = distinct(texts)  # the model scores each text on its own
        scores = [min(1.0, max(0.0, float(score))) for score in self._load()(unique)]
        return [scores[row] for row in rows]


ClassifierFactory = Callable[[str], Classifier]
_PROFANITY: Final = ProfanityClassifier()
_FACTORIES: dict[str, ClassifierFactory] = {}
_INSTANCES: dict[str, Classifier] = {}
_REGISTRY_LOCK: Final = threading.Lock()


def register_classifier(prefix: str, factory: ClassifierFactory) -> None:
    """Makes ``model = "<prefix>:<argument>"`` build ``factory(argument)``.

    Register before building detectors (for example where the service starts).
    """
    if not prefix or ":" in prefix:
        raise ValueError(f"a classifier prefix is a plain name, got {prefix!r}")
    if prefix == "acts":
        raise ValueError("'acts' is the built-in classifier of acts; register another prefix")
    with _REGISTRY_LOCK:
        _FACTORIES[prefix] = factory
        for name in [n for n in _INSTANCES if n.startswith(prefix + ":")]:
            del _INSTANCES[name]


def check_model(name: str) -> None:
    """Raises ClassifierUnavailable if ``classifier_for(name)`` could not work here."""
    if name == "profanity":
        if not module_available("profanity_check"):
            raise ClassifierUnavailable(
                "model 'profanity' needs the alt-profanity-check package, which is not installed"
            )
        return
    prefix, sep, argument = name.partition(":")
    if prefix == "acts" and sep:
        _check_acts(name, argument)
        return
    if not sep or not argument:
        raise ClassifierUnavailable(
            f"unknown model {name!r}; expected 'profanity' or '<plug-in>:<argument>' "
            f"(plug-ins: {', '.join(sorted(_FACTORIES)) or 'none registered'})"
        )
    if prefix in _FACTORIES:
        return
    if prefix == "onnx":
        if not module_available("onnxruntime"):
            raise ClassifierUnavailable(
                f"model {name!r} needs onnxruntime, which is not installed; install it and "
                "register an ONNX classifier with register_classifier('onnx', factory)"
            )
        raise ClassifierUnavailable(
            f"model {name!r}: no ONNX classifier is registered; call "
            "register_classifier('onnx', factory) first"
        )
    raise ClassifierUnavailable(
        f"model {name!r}: no classifier plug-in {prefix!r} is registered "
        f"(registered: {', '.join(sorted(_FACTORIES)) or 'none'})"
    )


def _check_acts(name: str, rule_id: str) -> None:
    if not module_available("sklearn"):
        raise ClassifierUnavailable(f"model {name!r} needs scikit-learn, which is not installed")
    if rule_id not in acts.MODEL.labels or rule_id == acts.BENIGN:
        raise ClassifierUnavailable(
            f"model {name!r}: the acts corpus has no examples of rule {rule_id!r}"
        )


def classifier_for(name: str) -> Classifier:
    """The classifier a policy names; raises ClassifierUnavailable if there is none."""
    if name == "profanity":
        check_model(name)
        return _PROFANITY
    check_model(name)
    with _REGISTRY_LOCK:
        found = _INSTANCES.get(name)
        if found is None:
            prefix, _, argument = name.partition(":")
            factory = _FACTORIES.get(prefix, acts.ActsClassifier)
            found = factory(argument)
            _INSTANCES[name] = found
        return found


def classifier_identity(name: str) -> str:
    """What answers to a model name here, as recorded with a policy version: the model and the
    version of what implements it (a plug-in's ``version`` attribute), or why none does."""
    try:
        found = classifier_for(name)
    except ClassifierUnavailable as error:
        return f"{name} unavailable: {error}"
    if isinstance(found, ProfanityClassifier):
        return f"{name} alt-profanity-check {importlib.metadata.version('alt-profanity-check')}"
    version = getattr(found, "version", None)
    return f"{name} {type(found).__qualname__} {version if version is not None else 'unversioned'}"
