"""Properties over random streams of every event type: replay is deterministic whatever the
hash seed, the batch size changes nothing, a refused event changes nothing, and a later
policy version changes nothing before it starts."""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from goodstanding.detect.build import build_detectors
from goodstanding.engine import Effect, Engine, Rejected
from goodstanding.events import TYPE_NAMES, Event
from goodstanding.policy import PolicySet
from helpers import POLICY_V1
from helpers import engine as make_engine
from streams import (
    GARBAGE,
    START,
    Stream,
    ingest_lines,
    run_cli,
    streams,
)

SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_the_streams_use_every_event_type() -> None:
    """A long enough stream uses all of them (the properties below then cover them all)."""
    seen: set[str] = set()

    @settings(
        max_examples=30,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(streams(max_acts=150))
    def collect(stream: Stream) -> None:
        seen.update(stream.types())

    collect()
    assert set(TYPE_NAMES) - seen == set()


@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(streams())
def test_replay_is_the_same_under_another_hash_seed(stream: Stream) -> None:
    digests = []
    with tempfile.TemporaryDirectory() as tmp:
        events = Path(tmp) / "events.jsonl"
        events.write_bytes(b"\n".join([*stream.lines(), *GARBAGE]) + b"\n")
        for seed in ("0", "12345"):
            ingest = ["ingest", str(events), "--policy", str(POLICY_V1)]
            (_, ingested), (printed, replayed) = run_cli(
                Path(tmp) / f"gs-{seed}.db", [ingest, ["replay", "--json"]], hash_seed=seed
            )
            assert json.loads(printed)["digest"] == replayed == ingested
            digests.append(ingested)
    assert digests[0] == digests[1]


@SETTINGS
@given(streams())
def test_batch_size_changes_nothing(stream: Stream) -> None:
    lines = [*stream.lines(), *GARBAGE]
    with tempfile.TemporaryDirectory() as tmp:
        runs = [ingest_lines(Path(tmp) / f"gs-{n}.db", lines, batch=n) for n in (1, 7, 1000)]
    assert len({run.digest for run in runs}) == 1
    assert {(run.accepted, run.errors) for run in runs} == {
        (len(stream.events) - stream.invalid, stream.invalid + len(GARBAGE))
    }


def _encoded(engine: Engine) -> dict[str, bytes]:
    """Every key of the engine's state, msgspec-encoded."""
    state = engine.state
    tables: dict[str, Mapping[str, object]] = {
        "account": state.accounts,
        "content": state.contents,
        "group": state.groups,
        "decision": state.decisions,
        "appeal": state.appeals,
        "identity": state.identities,
    }
    return {
        f"{kind} {key}": msgspec.msgpack.encode(value)
        for kind, table in tables.items()
        for key, value in table.items()
    }


@SETTINGS
@given(streams(), st.data())
def test_a_refused_event_changes_no_state(stream: Stream, data: st.DataObject) -> None:
    engine = make_engine()
    events = stream.decoded()
    engine.prepare(events)
    again = data.draw(st.lists(st.sampled_from(events), max_size=5))
    refused = 0
    for n, event in enumerate([*events, *again]):  # events again, out of place: refused mostly
        before = _encoded(engine)
        try:
            engine.apply(event)
        except Rejected:
            refused += n < len(events)
            assert _encoded(engine) == before, event
    assert refused == stream.invalid


def _later_version(tmp: Path, starts: datetime) -> Path:
    """The test policy as a version `t2` from `starts`, with every weight and penalty
    doubled (so that it would change what it judges)."""
    text = POLICY_V1.read_text(encoding="utf-8")
    text = text.replace('version = "t1"', 'version = "t2"', 1)
    text = re.sub(
        r"^effective_from = .*$",
        f"effective_from = {starts:%Y-%m-%dT%H:%M:%SZ}",
        text,
        count=1,
        flags=re.M,
    )
    text = re.sub(
        r"^(\w+) = (-?\d+\.\d+)$",
        lambda m: f"{m[1]} = {float(m[2]) * 2}" if m[1] not in ("min", "max", "start") else m[0],
        text,
        flags=re.M,
    )
    path = tmp / "policy_t2.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _effects_before(events: list[Event], policies: PolicySet, cutoff: float) -> list[bytes]:
    """Every effect dated before `cutoff` and every refusal of an event before it, encoded."""
    engine = Engine(policies, build_detectors(policies))
    engine.prepare(events)
    seen: list[bytes] = []
    for event in events:
        try:
            effects: list[Effect] | str = engine.apply(event)
        except Rejected as refusal:
            effects = str(refusal)
        if isinstance(effects, str):
            if event.at.timestamp() < cutoff:
                seen.append(f"{event.id}: {effects}".encode())
            continue
        seen += [msgspec.json.encode(e) for e in effects if e.at < cutoff]
    return seen


@SETTINGS
@given(streams(), st.integers(0, 40 * 3600))
def test_a_later_policy_version_changes_nothing_before_it_starts(
    stream: Stream, offset: int
) -> None:
    events = stream.decoded()
    starts = START + timedelta(seconds=offset)
    with tempfile.TemporaryDirectory() as tmp:
        later = _later_version(Path(tmp), starts)
        one = PolicySet.load([POLICY_V1])
        two = PolicySet.load([POLICY_V1, later])
    assert [p.version for p in two.versions] == ["t1", "t2"]
    cutoff = starts.timestamp()
    assert _effects_before(events, two, cutoff) == _effects_before(events, one, cutoff)
