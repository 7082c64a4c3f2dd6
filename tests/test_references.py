"""What a policy version references (term files by SHA-256, classifiers by identity) is
recorded with it, and a replay under it refuses, naming the file, once a file changed."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import pytest

from goodstanding.detect import classifier_identity, register_classifier
from goodstanding.pipeline import Ingestor, load_policies, replay
from goodstanding.policy import PolicyError
from goodstanding.policy.references import References, decode_references, encode_references
from goodstanding.store import Store
from helpers import POLICY_V1, line

T0 = "2026-01-02T00:00:00Z"
NEXT_RULE = '[[rules]]\nid = "threat.violence"'


class VersionedClassifier:
    """A plug-in classifier that says which version it is."""

    name = "versioned:model"
    version = "2.1"

    def predict(self, texts: Sequence[str]) -> list[float]:
        return [0.0 for _ in texts]


def policy_naming(folder: Path, detectors: str) -> Path:
    """The test policy with `detectors` added to the insults rule."""
    text = POLICY_V1.read_text()
    assert NEXT_RULE in text
    path = folder / "policy.toml"
    path.write_text(text.replace(NEXT_RULE, detectors + "\n" + NEXT_RULE))
    return path


TERMS = '[[rules.detectors]]\nkind = "terms"\nterms_file = "insults.txt"\noutcome = "queue"\n'


def test_round_trip_of_references() -> None:
    refs = References(files={"a.txt": "0" * 64}, classifiers={"profanity": "profanity x 1"})
    assert decode_references(encode_references(refs)) == refs


def test_the_sha256_of_every_referenced_file_is_recorded(tmp_path: Path) -> None:
    (tmp_path / "insults.txt").write_text("dimwit\n")
    store = Store.open(f"sqlite:///{tmp_path}/gs.db")
    load_policies(store, [str(policy_naming(tmp_path, TERMS))])
    [(_, _, refs)] = store.stored_policies()
    assert refs is not None
    assert refs.files == {"insults.txt": hashlib.sha256(b"dimwit\n").hexdigest()}


def test_replay_refuses_naming_the_file_once_it_changed(tmp_path: Path) -> None:
    terms = tmp_path / "insults.txt"
    terms.write_text("dimwit\n")
    store = Store.open(f"sqlite:///{tmp_path}/gs.db")
    policies = load_policies(store, [str(policy_naming(tmp_path, TERMS))])
    Ingestor(store, policies).ingest(
        [
            line("account.registered", T0, "m1", id="r1"),
            line("content.posted", T0, "m1", id="p1", content_id="c1", kind="post", text="dimwit"),
        ]
    )
    replay(store, load_policies(store))  # the same file: replays
    terms.write_text("dimwit\nnitwit\n")
    with pytest.raises(PolicyError) as refused:
        replay(store, load_policies(store))
    message = str(refused.value)
    assert str(terms) in message
    assert "changed since policy" in message
    with pytest.raises(PolicyError, match=r"insults\.txt"):
        Ingestor(store, load_policies(store))


def test_the_identity_of_every_classifier_is_recorded(tmp_path: Path) -> None:
    register_classifier("versioned", lambda argument: VersionedClassifier())
    detectors = (
        '[[rules.detectors]]\nkind = "classifier"\nmodel = "versioned:model"\n'
        'threshold = 0.9\noutcome = "queue"\n'
    )
    store = Store.open(f"sqlite:///{tmp_path}/gs.db")
    load_policies(store, [str(policy_naming(tmp_path, detectors))])
    [(_, _, refs)] = store.stored_policies()
    assert refs is not None
    assert refs.classifiers == {"versioned:model": "versioned:model VersionedClassifier 2.1"}
    assert classifier_identity("profanity").startswith("profanity ")
