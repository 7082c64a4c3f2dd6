"""Hostile input: every bound on an event is a precise refusal of that line, never a crash."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings

from goodstanding.event_lines import decode_event, encode_event, read_lines
from goodstanding.events import MAX_ID_LENGTH, EventError, id_problem
from hostile import BASE, POST, mutated


def refusal(raw: bytes | dict[str, object], **kwargs: int) -> str:
    data = raw if isinstance(raw, bytes) else json.dumps(raw).encode()
    with pytest.raises(EventError) as caught:
        decode_event(data, line=3, **kwargs)
    assert caught.value.line == 3
    return str(caught.value)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        ("0001-01-01T00:00:00+01:00", "outside the accepted range"),
        ("9999-12-31T23:59:59Z", "outside the accepted range"),
        ("1969-12-31T23:59:59Z", "outside the accepted range"),
        ("2100-01-01T00:00:00Z", "outside the accepted range"),
        ("2026-01-01T00:00:00+0800", "is not an RFC 3339 timestamp"),
        ("2026-01-01 00:00:00Z", "is not an RFC 3339 timestamp"),
        ("2026-01-01T00:00Z", "field `at`"),
    ],
)
def test_at_outside_the_range_or_not_rfc3339_is_refused(at: str, expected: str) -> None:
    assert expected in refusal({**BASE, "at": at})


def test_the_edges_of_the_range_and_rfc3339_forms_are_accepted() -> None:
    for at in ("1970-01-01T00:00:00Z", "2099-12-31T23:59:59.999999Z", "2026-01-01t08:00:00+08:00"):
        assert decode_event(json.dumps({**BASE, "at": at})).id == "e1"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("x" * (MAX_ID_LENGTH + 1), f"at most {MAX_ID_LENGTH} are allowed"),
        ("a\x00b", "U+0000"),
        ("a\u202eb", "U+202E"),
        ("a\u200bb", "U+200B"),
        ("a\x1b[31mb", "U+001B"),
        ("a b", "U+0020"),
        ("", "must not be empty"),
    ],
)
@pytest.mark.parametrize("field", ["id", "actor", "content_id"])
def test_identifiers_are_bounded_in_length_and_alphabet(
    field: str, value: str, expected: str
) -> None:
    assert expected in refusal({**POST, field: value})


def test_a_nul_in_text_is_refused_but_other_text_is_kept() -> None:
    assert "NUL" in refusal({**POST, "text": "bad\x00text"})
    event = decode_event(json.dumps({**POST, "text": "tabs\tand\nnew lines, 中文 \u202e"}))
    assert "中文" in getattr(event, "text", "")


def test_an_offending_value_is_quoted_only_by_a_short_prefix() -> None:
    message = refusal({**POST, "content_id": "c" * 5_000_000}, max_bytes=10_000_000)
    assert len(message) < 300 and "5,000,000" in message


def test_a_line_over_the_limit_is_refused_before_decoding() -> None:
    message = refusal({**POST, "text": "x" * 2000}, max_bytes=1000)
    assert "at most 1,000 are accepted" in message


def test_deep_nesting_is_a_refusal_not_a_recursion_error() -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    refusal(deep)
    nested = json.dumps({**BASE, "identity": 0}).replace("0}", "[" * 5000 + "]" * 5000 + "}")
    refusal(nested.encode())


def test_read_lines_applies_the_limit_per_line() -> None:
    lines = [json.dumps(BASE), json.dumps({**POST, "text": "x" * 500}), json.dumps(POST)]
    parsed = list(read_lines(lines, max_bytes=300))
    assert [p.error is None for p in parsed] == [True, False, True]


def test_id_problem_accepts_ordinary_identifiers() -> None:
    for value in ("a000042", "c:1400:2", "用户-42", "x" * MAX_ID_LENGTH):
        assert id_problem(value) is None


@settings(max_examples=400, deadline=None)
@given(mutated())
def test_mutated_lines_decode_or_are_refused_precisely(data: bytes) -> None:
    try:
        event = decode_event(data, line=1)
    except EventError as error:
        assert error.line == 1 and error.message and len(str(error)) < 600
        return
    assert decode_event(encode_event(event)) == event
    assert id_problem(event.id) is None and id_problem(event.actor) is None
