"""Hostile input for fuzzing: mutated event lines (dropped fields, wrong types, giant and
control-laden strings, extreme dates, truncation, stray bytes, NaN, duplicated keys)."""

from __future__ import annotations

import json

from hypothesis import strategies as st

BASE = {"id": "e1", "type": "account.registered", "at": "2026-01-01T00:00:00Z", "actor": "a1"}
POST = {
    "id": "p1",
    "type": "content.posted",
    "at": "2026-01-01T00:00:00Z",
    "actor": "a1",
    "content_id": "c1",
    "kind": "post",
    "text": "hello",
}

VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=50),
    st.sampled_from(
        ["\x00", "\u202e", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00+01:00", "x" * 300]
    ),
    st.lists(st.integers(), max_size=3),
)


@st.composite
def mutated(draw: st.DrawFn, base: dict[str, object] | None = None) -> bytes:
    """One event line, mutated so that it is most likely (not always) invalid."""
    body: dict[str, object] = dict(base or draw(st.sampled_from([BASE, POST])))
    for _ in range(draw(st.integers(0, 3))):
        action = draw(st.sampled_from(["drop", "set", "add"]))
        key = draw(st.sampled_from([*body, "extra", "kind", "identity"]))
        if action == "drop":
            body.pop(key, None)
        else:
            body[key] = draw(VALUES)
    data = json.dumps(body, ensure_ascii=draw(st.booleans())).encode()
    cut = draw(st.sampled_from(["none", "truncate", "byte", "nan", "dup", "deep"]))
    if cut == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif cut == "byte":
        at = draw(st.integers(0, len(data) - 1))
        data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1 :]
    elif cut == "nan":
        data = data.replace(b'"a1"', b"NaN").replace(b'"hello"', b"Infinity")
    elif cut == "dup":
        data = data[:-1] + b', "id": "other"}'
    elif cut == "deep":
        data = data[:-1] + b', "extra": ' + b"[" * 3000 + b"]" * 3000 + b"}"
    return data
