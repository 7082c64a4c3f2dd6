"""Sealing at ingest: an ``identity.submitted`` event's raw value becomes fingerprints.

Platforms send ``{"type": "identity.submitted", "account": ..., "kind": ..., "value": ...,
"region": ...}``. Before the event is decoded, logged or folded, `seal_line` (or
`seal_submission` on a decoded object) validates the value, replaces ``value`` and
``region`` by ``fingerprints`` (the candidates under every active key, the current key's
first) or, for a value that is not valid, by ``invalid`` (a reason code) and
``invalid_message``. The raw value never reaches the event log, the store or an error message.

Pure given the key ring (no clock: the birth-date check uses the event's own ``at``).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Final

import msgspec

from goodstanding.identity.fingerprint import Fingerprint, candidates
from goodstanding.identity.keys import KeyRing
from goodstanding.identity.validate import Canonical, IdentifierError, canonical_kind, validate

SUBMITTED: Final = "identity.submitted"
VERIFIED: Final = "identity.verified"
REJECTED: Final = "identity.rejected"
RAW_FIELDS: Final = ("value", "region")
"""Fields of a submitted event that hold (or qualify) the raw value; never kept."""

_KIND_TEXT = re.compile(r"[a-z][a-z0-9_]{0,31}(?:\.[a-z][a-z0-9_]{0,31})?")
_decoder = msgspec.json.Decoder()
_encoder = msgspec.json.Encoder()


def identify(
    ring: KeyRing,
    kind: str,
    value: str,
    region: str | None = None,
    *,
    mobile_required: bool = False,
    as_of: date | None = None,
) -> tuple[Canonical, tuple[Fingerprint, ...]]:
    """Validates and fingerprints one identifier: its canonical form (keep it in memory only)
    and its candidate fingerprints, current key first. Raises IdentifierError."""
    canonical = validate(kind, value, region, mobile_required=mobile_required, as_of=as_of)
    return canonical, candidates(ring, canonical)


def seal_submission(
    ring: KeyRing, event: dict[str, Any], *, mobile_required: bool = False
) -> dict[str, Any]:
    """The loggable form of a decoded ``identity.submitted`` object (a new dict).

    ``value`` and ``region`` are removed whatever happens; ``fingerprints`` is added (empty
    when the value is invalid, with ``invalid`` and ``invalid_message`` then).
    """
    sealed = {k: v for k, v in event.items() if k not in RAW_FIELDS}
    value = event.get("value")
    region = event.get("region")
    kind = event.get("kind")
    as_of = _date_of(event.get("at"))
    sealed["fingerprints"] = []
    try:
        if not isinstance(kind, str):
            raise IdentifierError("unknown_kind", "`kind` must be a string")
        if value is None:
            raise IdentifierError("invalid_format", "`value` is missing", kind)
        if region is not None and not isinstance(region, str):
            raise IdentifierError("unknown_region", "`region` must be a string", kind)
        canonical, fps = identify(
            ring, kind, value, region, mobile_required=mobile_required, as_of=as_of
        )
    except IdentifierError as error:
        sealed["kind"] = _kind_text(kind)
        sealed["invalid"] = error.reason
        sealed["invalid_message"] = error.message
        return sealed
    sealed["kind"] = canonical.kind
    sealed["fingerprints"] = list(fps)
    sealed.pop("invalid", None)
    sealed.pop("invalid_message", None)
    return sealed


SEALED_FIELDS: Final = ("kind", "fingerprints", "invalid", "invalid_message")


def seal_registration(
    ring: KeyRing, event: dict[str, Any], *, mobile_required: bool = False
) -> dict[str, Any]:
    """The loggable form of an ``account.registered`` object that carries an ``identity``
    (``{"kind", "value", "region"}``): the identity keeps only its kind and fingerprints."""
    identity = event.get("identity")
    if not isinstance(identity, dict):
        return event
    sealed = seal_submission(
        ring, {**identity, "at": event.get("at")}, mobile_required=mobile_required
    )
    return {**event, "identity": {k: sealed[k] for k in SEALED_FIELDS if k in sealed}}


def needs_sealing(line: bytes | str) -> bool:
    """Whether a raw line may carry an identity value (and so needs a key to be logged)."""
    data = line.encode() if isinstance(line, str) else line
    return b"identity" in data or b"\\u" in data


def seal_line(ring: KeyRing, line: bytes | str, *, mobile_required: bool = False) -> bytes:
    """One JSON line as it may be logged: an ``identity.submitted`` event, or a registration
    with an ``identity``, is sealed; any other line (including malformed JSON, left for the
    event decoder to refuse) is returned unchanged, as bytes."""
    data = line.encode() if isinstance(line, str) else line
    if not needs_sealing(data):
        return data
    try:
        obj = _decoder.decode(data)
    except (msgspec.DecodeError, RecursionError):
        return data
    if not isinstance(obj, dict):
        return data
    if obj.get("type") == SUBMITTED:
        return _encoder.encode(seal_submission(ring, obj, mobile_required=mobile_required))
    if obj.get("type") == "account.registered" and "identity" in obj:
        return _encoder.encode(seal_registration(ring, obj, mobile_required=mobile_required))
    return data


def _kind_text(kind: object) -> str:
    """The kind to log for a refused submission: canonical if known, as given if it looks
    like a kind name, else ``unknown`` (it might be a value typed into the wrong field)."""
    if not isinstance(kind, str):
        return "unknown"
    try:
        return canonical_kind(kind)
    except IdentifierError:
        given = kind.strip().lower()
        return given if _KIND_TEXT.fullmatch(given) else "unknown"


def _date_of(at: object) -> date | None:
    if not isinstance(at, str):
        return None
    try:
        return datetime.fromisoformat(at).date()
    except ValueError:
        return None
