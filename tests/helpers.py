"""Small builders for events and engines used across the tests."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import msgspec

from goodstanding.detect.build import build_detectors
from goodstanding.engine import Effect, Engine
from goodstanding.event_lines import decode_event
from goodstanding.events import Event
from goodstanding.policy import PolicySet

DATA = Path(__file__).parent / "data"
POLICY_V1 = DATA / "policy_v1.toml"

_ids = itertools.count(1)


def fresh_ids() -> None:
    """Restarts event numbering (so two runs of the same script get the same ids)."""
    global _ids
    _ids = itertools.count(1)


def ev(type_: str, at: str, actor: str, **fields: Any) -> Event:
    """An event decoded through the same path as ingest (so validation applies)."""
    body = {"id": fields.pop("id", f"e{next(_ids)}"), "type": type_, "at": at, "actor": actor}
    body.update(fields)
    return decode_event(msgspec.json.encode(body))


def line(type_: str, at: str, actor: str, **fields: Any) -> bytes:
    """One JSON line of an event."""
    return msgspec.json.encode(ev(type_, at, actor, **fields))


def engine(*paths: Path) -> Engine:
    """An engine over the given policy files (default: the round-number test policy)."""
    policies = PolicySet.load(paths or (POLICY_V1,))
    return Engine(policies, build_detectors(policies))


def community(eng: Engine, at: str = "2026-01-02T00:00:00Z", members: int = 3) -> list[Effect]:
    """Registers members m1..mN and one moderator `mod`."""
    effects: list[Effect] = []
    for i in range(1, members + 1):
        effects += eng.apply(ev("account.registered", at, f"m{i}"))
    effects += eng.apply(ev("account.registered", at, "mod", role="moderator"))
    return effects
