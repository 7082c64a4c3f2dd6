"""Replay and the detectors: a replay refuses, naming what changed, when a term file or a
classifier differs from what a recorded version was recorded with (unless told to accept
it); detection outcomes are cached per (content, detector fingerprint), so a replay under
unchanged detectors runs none of them and gives the same projections."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy import delete
from typer.testing import CliRunner

from goodstanding.cli import app
from goodstanding.detect import register_classifier
from goodstanding.pipeline import Ingestor, load_policies, replay
from goodstanding.pipeline.whatif import what_if
from goodstanding.policy import PolicyError
from goodstanding.store import Store
from goodstanding.store.detection_cache import detection_cache
from helpers import POLICY_V1, line

T0 = "2026-01-02T00:00:00Z"
NEXT_RULE = '[[rules]]\nid = "threat.violence"'
runner = CliRunner()


class Counting:
    """A plug-in classifier that counts the texts it scores; its version is its identity."""

    def __init__(self, version: str) -> None:
        self.version = version
        self.scored = 0

    def predict(self, texts: Sequence[str]) -> list[float]:
        self.scored += len(texts)
        return [0.95 if "dimwit" in text else 0.0 for text in texts]


def installed(version: str) -> Counting:
    """Installs version `version` of the counting classifier (model "counting:insults")."""
    classifier = Counting(version)
    register_classifier("counting", lambda argument: classifier)
    return classifier


def policy(folder: Path, version: str = "t1", *changes: tuple[str, str]) -> Path:
    """The test policy whose insults rule uses the counting classifier and a term file; a
    version other than t1 starts at 05:00 on the day of the posts, with `changes` made."""
    detectors = (
        '[[rules.detectors]]\nkind = "classifier"\nmodel = "counting:insults"\n'
        'threshold = 0.9\noutcome = "queue"\n'
        '[[rules.detectors]]\nkind = "terms"\nterms_file = "insults.txt"\noutcome = "queue"\n'
    )
    text = POLICY_V1.read_text().replace(NEXT_RULE, detectors + "\n" + NEXT_RULE)
    if version != "t1":
        text = text.replace('version = "t1"', f'version = "{version}"', 1)
        text = text.replace("2026-01-01T00:00:00Z", "2026-01-02T05:00:00Z", 1)
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = folder / f"{version}.toml"
    path.write_text(text)
    return path


def posts(count: int) -> list[bytes]:
    out = [line("account.registered", T0, "m1", id="r1")]
    for n in range(count):
        text = "you dimwit" if n % 2 else "hello there"
        at = f"2026-01-02T{n % 24:02d}:{n // 24:02d}:00Z"
        out.append(
            line("content.posted", at, "m1", id=f"p{n}", content_id=f"c{n}", kind="post", text=text)
        )
    return out


@pytest.fixture
def store(tmp_path: Path) -> Store:
    installed("1")
    (tmp_path / "insults.txt").write_text("nitwit\n")
    opened = Store.open(f"sqlite:///{tmp_path}/gs.db")
    Ingestor(opened, load_policies(opened, [str(policy(tmp_path))])).ingest(posts(10))
    return opened


def test_replay_refuses_a_changed_classifier_naming_both_identities(
    store: Store, tmp_path: Path
) -> None:
    replay(store, load_policies(store))  # the same classifier: replays
    installed("2")
    with pytest.raises(PolicyError) as refused:
        replay(store, load_policies(store))
    message = str(refused.value)
    assert "classifier 'counting:insults' changed since policy 't1' was recorded" in message
    assert "'counting:insults Counting 1' recorded" in message
    assert "'counting:insults Counting 2' now" in message
    assert "--accept-changed-detectors" in message
    with pytest.raises(PolicyError, match="counting:insults"):
        what_if(store, [policy(tmp_path, "t2")])  # t1 is still judged by the recorded inputs


def test_accepting_changed_detectors_replays_with_what_is_installed(
    store: Store, tmp_path: Path
) -> None:
    digest = store.digest()
    (tmp_path / "insults.txt").write_text("nitwit\nhello\n")
    with pytest.raises(PolicyError, match=r"insults\.txt"):
        replay(store, load_policies(store))
    assert store.digest() == digest
    replay(store, load_policies(store), accept_changed_detectors=True)
    assert store.digest() != digest  # "hello" is an insult now


def test_the_command_refuses_and_accepts_saying_what_changed(store: Store) -> None:
    url = str(store.engine.url)
    installed("2")
    refused = runner.invoke(app, ["--db", url, "replay"])
    assert refused.exit_code == 1
    assert "counting:insults" in refused.output
    accepted = runner.invoke(app, ["--db", url, "replay", "--accept-changed-detectors"])
    assert accepted.exit_code == 0, accepted.output
    assert "accepted:" in accepted.output
    assert "'counting:insults Counting 2' now" in accepted.output


def test_a_replay_under_unchanged_detectors_runs_none_of_them(store: Store, tmp_path: Path) -> None:
    classifier = installed("1")
    replay(store, load_policies(store))  # fills the cache
    cold = store.digest()
    assert classifier.scored == 10
    replay(store, load_policies(store))
    assert (classifier.scored, store.digest()) == (10, cold)
    # a version that differs only in a scoring weight has the same detectors
    weight = policy(tmp_path, "t2", ("post = 1.0", "post = 2.0"))
    replay(store, load_policies(store, [str(weight)]))
    assert classifier.scored == 10


def test_a_changed_detector_runs_again_and_an_emptied_cache_changes_nothing(
    store: Store, tmp_path: Path
) -> None:
    classifier = installed("1")
    replay(store, load_policies(store))
    warm = store.digest()
    with store.engine.begin() as conn:
        conn.execute(delete(detection_cache))
    replay(store, load_policies(store))
    assert store.digest() == warm
    assert classifier.scored == 20
    stricter = policy(tmp_path, "t2", ("threshold = 0.9", "threshold = 0.8"))
    replay(store, load_policies(store, [str(stricter)]))
    assert classifier.scored == 25  # the posts from 05:00 on, under the new threshold
