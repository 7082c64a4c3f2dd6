"""Keyed fingerprints (goodstanding.identity.fingerprint) and sealing at ingest."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric as stdnum_ric

from goodstanding.identity import (
    Canonical,
    Key,
    KeyRing,
    candidates,
    fingerprint,
    is_fingerprint,
    kid_of,
    parse_fingerprint,
    seal_line,
    seal_submission,
    validate,
)

RING = KeyRing.of(("k1", bytes(range(1, 33))))
OTHER = KeyRing.of(("k1", bytes(range(101, 133))))


def make_ric(area: str, born: dt.date, seq: int) -> str:
    body = f"{area}{born:%Y%m%d}{seq:03d}"
    return body + stdnum_ric.calc_check_digit(body + "0")


def test_fingerprint_is_hmac_of_kind_nul_value() -> None:
    canonical = validate("cn.ric", make_ric("110101", dt.date(1990, 3, 7), 123))
    fp = fingerprint(RING, canonical)
    expected = hmac.new(
        bytes(range(1, 33)), f"cn.ric\0{canonical.value}".encode(), hashlib.sha256
    ).hexdigest()
    assert fp == f"k1:{expected}"
    assert is_fingerprint(fp) and kid_of(fp) == "k1"
    assert parse_fingerprint(fp) == ("k1", bytes.fromhex(expected))


def test_unkeyed_hash_is_not_what_is_stored() -> None:
    canonical = validate("phone", "+86 138 0013 8000")
    fp = fingerprint(RING, canonical)
    for plain in (canonical.value, f"phone\0{canonical.value}"):
        assert hashlib.sha256(plain.encode()).hexdigest() not in fp


def test_different_keys_give_different_fingerprints() -> None:
    canonical = validate("email", "someone@example.org")
    assert fingerprint(RING, canonical) != fingerprint(OTHER, canonical)
    assert fingerprint(RING, canonical).split(":")[1] != fingerprint(OTHER, canonical).split(":")[1]


def test_domain_separation_by_kind() -> None:
    # The same digits as two kinds of identifier give unrelated fingerprints.
    same = "123456782"
    a = fingerprint(RING, Canonical("nl.bsn", same))
    b = fingerprint(RING, Canonical("phone", same))
    assert a != b


def test_same_identity_typed_differently_same_fingerprint() -> None:
    phones = [("+86 138 0013 8000", None), ("138-0013-8000", "CN"), ("0086 13800138000", "CN")]
    assert len({fingerprint(RING, validate("phone", v, r)) for v, r in phones}) == 1
    mails = ["John.Doe+x@gmail.com", "johndoe@googlemail.com", "JOHNDOE@GMAIL.COM"]
    assert len({fingerprint(RING, validate("email", v)) for v in mails}) == 1
    number = make_ric("310104", dt.date(1985, 12, 1), 7)
    rics = [number, number.lower(), f"{number[:6]} {number[6:14]} {number[14:]}"]
    assert len({fingerprint(RING, validate("cn.ric", v)) for v in rics}) == 1


def test_candidates_current_first() -> None:
    ring = RING.with_current(Key("k2", bytes(range(201, 233))))
    canonical = validate("phone", "+86 138 0013 8000")
    fps = candidates(ring, canonical)
    assert [kid_of(fp) for fp in fps] == ["k2", "k1"]
    assert fps[0] == fingerprint(ring, canonical)
    assert fps[1] == fingerprint(RING, canonical)


def test_parse_fingerprint_refuses_other_text() -> None:
    for text in ("k1", "k1:abc", "k1:" + "A" * 64, ":" + "a" * 64, "k1:" + "g" * 64):
        assert not is_fingerprint(text)
        with pytest.raises(ValueError):
            parse_fingerprint(text)


def test_fingerprint_needs_a_canonical() -> None:
    with pytest.raises(TypeError):
        fingerprint(RING, "110101199003071233")  # type: ignore[arg-type]


# -- property ----------------------------------------------------------------------------------

AREAS = ("110101", "110102", "120101", "310101", "310104", "440106", "510104")
SEPARATORS = ("", " ", "-", " - ", "  ")


@st.composite
def rics(draw: st.DrawFn) -> str:
    area = draw(st.sampled_from(AREAS))
    born = draw(st.dates(dt.date(1900, 1, 1), dt.date(2024, 12, 31)))
    return make_ric(area, born, draw(st.integers(0, 999)))


@st.composite
def typed(draw: st.DrawFn, number: str) -> str:
    cuts = sorted(draw(st.lists(st.integers(1, 17), max_size=4, unique=True)))
    parts = [number[i:j] for i, j in zip([0, *cuts], [*cuts, 18], strict=True)]
    text = "".join(part + draw(st.sampled_from(SEPARATORS)) for part in parts).strip()
    if draw(st.booleans()):
        text = text.lower()
    if draw(st.booleans()):
        text = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in text)
    return draw(st.sampled_from(("", " ", "\t"))) + text + draw(st.sampled_from(("", " ")))


@settings(max_examples=200, deadline=None)
@given(data=st.data(), number=rics())
def test_property_formatting_variants_map_to_one_fingerprint(
    data: st.DataObject, number: str
) -> None:
    expected = fingerprint(RING, validate("cn.ric", number))
    variant = data.draw(typed(number))
    fp = fingerprint(RING, validate("cn.ric", variant))
    assert fp == expected
    digits = fp.split(":", 1)[1]
    assert number not in fp and number[:-1] not in digits
    assert number[6:14] not in digits  # not even the birth date
    assert number not in repr(validate("cn.ric", variant))


# -- sealing at ingest --------------------------------------------------------------------------

NUMBER = make_ric("110101", dt.date(1990, 3, 7), 123)


def submitted(**fields: object) -> dict[str, object]:
    event: dict[str, object] = {
        "id": "e1",
        "type": "identity.submitted",
        "at": "2025-03-01T10:00:00Z",
        "actor": "acct-1",
        "account": "acct-1",
        "kind": "cn.ric",
        "value": NUMBER,
    }
    event.update(fields)
    return event


def test_seal_replaces_value_by_fingerprints() -> None:
    ring = RING.with_current(Key("k2", bytes(range(201, 233))))
    line = msgspec.json.encode(submitted(region="CN"))
    sealed_bytes = seal_line(ring, line)
    assert NUMBER.encode() not in sealed_bytes
    sealed = msgspec.json.decode(sealed_bytes)
    assert "value" not in sealed and "region" not in sealed
    assert sealed["fingerprints"] == list(candidates(ring, validate("cn.ric", NUMBER)))
    assert sealed["kind"] == "cn.ric" and sealed["account"] == "acct-1"
    assert "invalid" not in sealed


def test_seal_invalid_value_keeps_only_the_reason() -> None:
    bad = NUMBER[:-1] + ("0" if NUMBER[-1] != "0" else "1")
    sealed = seal_submission(RING, submitted(value=bad))
    assert sealed["fingerprints"] == [] and sealed["invalid"] == "bad_check_digit"
    assert bad not in msgspec.json.encode(sealed).decode()
    future = seal_submission(RING, submitted(at="1989-01-01T00:00:00Z"))
    assert future["invalid"] == "impossible_birth_date"
    assert seal_submission(RING, submitted(kind="AR.VAT", value="1"))["kind"] == "ar.cuit"
    assert seal_submission(RING, submitted(kind="xx.yy"))["kind"] == "xx.yy"
    for fields in ({"value": 110101199003071233}, {"kind": NUMBER}, {"value": None}):
        sealed = seal_submission(RING, submitted(**fields))
        text = msgspec.json.encode(sealed).decode()
        assert "value" not in sealed and NUMBER not in text and "110101199003071233" not in text
        assert sealed["invalid"] in ("invalid_format", "unknown_kind")


def test_seal_line_leaves_other_lines_alone() -> None:
    other = b'{"id":"e2","type":"content.posted","at":"2025-03-01T10:00:00Z","actor":"a"}'
    assert seal_line(RING, other) == other
    assert seal_line(RING, b"{not json identity") == b"{not json identity"
    # An escaped type is still recognised.
    escaped = msgspec.json.encode(submitted()).replace(
        b"identity.submitted", b"identity\\u002esubmitted"
    )
    assert NUMBER.encode() not in seal_line(RING, escaped)
