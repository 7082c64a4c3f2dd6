"""Fingerprints: keyed, one-way, kind-separated stand-ins for identity values.

``fingerprint = kid ":" hex(HMAC-SHA256(key[kid], kind "\\0" canonical))``

The kind is part of the MAC input, so the same digits as a resident number and as a tax
number give unrelated fingerprints. Without the key a fingerprint reveals nothing about
the value, however few values are plausible. Nothing here returns, stores or logs the value.
A fingerprint is a plain `str` (a dict key, a JSON string, a database column as is).
"""

from __future__ import annotations

import hmac
import re
from typing import Final, NewType

from goodstanding.identity.keys import Key, KeyRing
from goodstanding.identity.validate import Canonical

Fingerprint = NewType("Fingerprint", str)
"""``kid:hex``: a key id, a colon and 64 lower-case hex digits."""

DIGEST_BYTES: Final = 32
_FINGERPRINT = re.compile(r"([A-Za-z0-9][A-Za-z0-9_.-]{0,31}):([0-9a-f]{64})")


def _message(canonical: Canonical) -> bytes:
    return f"{canonical.kind}\0{canonical.value}".encode()


def fingerprint_with(key: Key, canonical: Canonical) -> Fingerprint:
    """The fingerprint of `canonical` under one key."""
    if not isinstance(canonical, Canonical):
        raise TypeError("fingerprints are made from a Canonical (see validate())")
    digest = hmac.digest(key.secret, _message(canonical), "sha256")
    return Fingerprint(f"{key.kid}:{digest.hex()}")


def fingerprint(ring: KeyRing, canonical: Canonical) -> Fingerprint:
    """The fingerprint of `canonical` under the ring's current key (to store)."""
    return fingerprint_with(ring.current, canonical)


def candidates(ring: KeyRing, canonical: Canonical) -> tuple[Fingerprint, ...]:
    """Its fingerprints under every active key, the current one first (to check)."""
    message = _message(canonical) if isinstance(canonical, Canonical) else None
    if message is None:
        raise TypeError("fingerprints are made from a Canonical (see validate())")
    return tuple(
        Fingerprint(f"{key.kid}:{hmac.digest(key.secret, message, 'sha256').hex()}")
        for key in ring.active
    )


def parse_fingerprint(text: str) -> tuple[str, bytes]:
    """The key id and the 32-byte digest of a fingerprint; ValueError if it is not one."""
    match = _FINGERPRINT.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError("not a fingerprint: expected 'kid:' and 64 lower-case hex digits")
    return match[1], bytes.fromhex(match[2])


def is_fingerprint(text: object) -> bool:
    """Whether `text` has the form of a fingerprint."""
    return isinstance(text, str) and _FINGERPRINT.fullmatch(text) is not None


def kid_of(fp: str) -> str:
    """The id of the key a fingerprint was made under."""
    return parse_fingerprint(fp)[0]
