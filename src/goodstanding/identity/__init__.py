"""Identity numbers without storing them: validation, keyed fingerprints, a block list.

No raw identity value is ever stored: at ingest it is validated (`validate`), turned into
keyed fingerprints (`candidates`, under a `KeyRing` loaded by the shell) and dropped
(`seal_line`). See docs/identity.md for the threat model and the events.

Everything here is pure except `load_keyring`, which reads the environment and a key file.
"""

from __future__ import annotations

from goodstanding.identity.blocklist import (
    BlockEntry,
    BlockHit,
    BlockList,
    Hold,
    add_hold,
    carry_forward,
    check,
    prune,
    remove_hold,
)
from goodstanding.identity.fingerprint import (
    Fingerprint,
    candidates,
    fingerprint,
    is_fingerprint,
    kid_of,
    parse_fingerprint,
)
from goodstanding.identity.keys import (
    ENV_KEYFILE,
    ENV_KEYS,
    Key,
    KeyRing,
    KeyRingError,
    LoadedKeys,
    MissingKeyError,
    generate_key,
    key_line,
    load_keyring,
    parse_keyfile,
    parse_keys,
)
from goodstanding.identity.rotate import (
    count_by_kid,
    retirable,
    retire,
    rotate,
    rotation_plan,
)
from goodstanding.identity.seal import (
    REJECTED,
    SUBMITTED,
    VERIFIED,
    identify,
    seal_line,
    seal_submission,
)
from goodstanding.identity.validate import (
    REASONS,
    Canonical,
    IdentifierError,
    ReasonCode,
    canonical_kind,
    is_known_kind,
    validate,
)

__all__ = [
    "ENV_KEYFILE",
    "ENV_KEYS",
    "REASONS",
    "REJECTED",
    "SUBMITTED",
    "VERIFIED",
    "BlockEntry",
    "BlockHit",
    "BlockList",
    "Canonical",
    "Fingerprint",
    "Hold",
    "IdentifierError",
    "Key",
    "KeyRing",
    "KeyRingError",
    "LoadedKeys",
    "MissingKeyError",
    "ReasonCode",
    "add_hold",
    "candidates",
    "canonical_kind",
    "carry_forward",
    "check",
    "count_by_kid",
    "fingerprint",
    "generate_key",
    "identify",
    "is_fingerprint",
    "is_known_kind",
    "key_line",
    "kid_of",
    "load_keyring",
    "parse_fingerprint",
    "parse_keyfile",
    "parse_keys",
    "prune",
    "remove_hold",
    "retirable",
    "retire",
    "rotate",
    "rotation_plan",
    "seal_line",
    "seal_submission",
    "validate",
]
