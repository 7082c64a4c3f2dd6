"""HMAC keys for identity fingerprints: a `KeyRing`, and loading it from the environment.

A ring holds keys by key id (kid). The first key is *current*: new fingerprints are made
with it. Every key in the ring is *active*: fingerprints made under it are still recognised
(checks compute a candidate under each). A retired key is simply removed from the ring.

`KeyRing`, `parse_keys` and `parse_keyfile` are pure. `load_keyring` reads environment
variables and a file and is meant to be called by the shell (the CLI or a service) only:

* ``GOODSTANDING_IDENTITY_KEYS``: ``k2:<base64 key>,k1:<base64 key>`` (the first is current);
* ``GOODSTANDING_IDENTITY_KEYFILE``: a path to a file (mode 0600: a file its group or others
  may read is refused) of lines ``kid:base64key`` or ``kid base64key`` (``#`` comments; the
  first is current), or a TOML file with a ``[keys]`` table (``kid = "key"``,
  in order, the first current unless a top-level ``current = "kid"`` names another).

There is no fallback: without a key, `MissingKeyError` says how to set one. Identity values
are never hashed without a key, because an unkeyed hash of a resident number is reversed by
brute force (see docs/identity.md).
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from goodstanding.keyfiles import KeyFileError, check_private

ENV_KEYS: Final = "GOODSTANDING_IDENTITY_KEYS"
ENV_KEYFILE: Final = "GOODSTANDING_IDENTITY_KEYFILE"
MIN_KEY_BYTES: Final = 32
MIN_DISTINCT_BYTES: Final = 8
"""A key with fewer distinct byte values is a placeholder (all zeros, 'aaaa...'), not random."""

_KID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}")
_TOML_ASSIGNMENT = re.compile(r"[A-Za-z0-9_.\"'-]+\s*=")

HOW_TO_SET: Final = (
    f"set {ENV_KEYS}='k1:<base64 key>' (several as 'k2:<key>,k1:<key>', the first is "
    f"current) or {ENV_KEYFILE}=/path/to/keyfile (lines 'kid:base64key', the first is "
    "current; mode 600); make one with `goodstanding identity generate-key --out FILE`"
)


class KeyRingError(ValueError):
    """Keys that cannot be used: malformed, too short, duplicated. Never contains key bytes."""


class MissingKeyError(KeyRingError):
    """No identity key is configured; identity values are never fingerprinted without one."""


@dataclass(frozen=True, slots=True)
class Key:
    """An HMAC key and its id. `repr` hides the secret."""

    kid: str
    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.kid, str) or not _KID.fullmatch(self.kid):
            raise KeyRingError(  # not echoed: a misplaced secret must not reach a log
                "a key id is not allowed: use 1-32 letters, digits, '_', '.' or '-' "
                "(no ':' or ','), as in 'k1'"
            )
        if not isinstance(self.secret, bytes):
            raise KeyRingError(f"key {self.kid!r}: the secret must be bytes")
        if len(self.secret) < MIN_KEY_BYTES:
            raise KeyRingError(
                f"key {self.kid!r} is {len(self.secret)} bytes; identity keys must be at least "
                f"{MIN_KEY_BYTES} bytes (256 bits) of random data: make one with "
                "`goodstanding identity generate-key`"
            )
        if len(set(self.secret)) < MIN_DISTINCT_BYTES:
            raise KeyRingError(
                f"key {self.kid!r} is not random (fewer than {MIN_DISTINCT_BYTES} distinct "
                "byte values): make one with `goodstanding identity generate-key`"
            )


class KeyRing:
    """Keys by id: the first is current (new fingerprints), all are active (checks)."""

    __slots__ = ("_keys",)

    def __init__(self, keys: Iterable[Key]):
        ordered = tuple(keys)
        if not ordered:
            raise MissingKeyError(f"the key ring is empty: {HOW_TO_SET}")
        kids: set[str] = set()
        secrets_seen: set[bytes] = set()
        for key in ordered:
            if not isinstance(key, Key):
                raise KeyRingError("a key ring holds Key objects")
            if key.kid in kids:
                raise KeyRingError(f"key id {key.kid!r} appears twice")
            if key.secret in secrets_seen:
                raise KeyRingError(f"key {key.kid!r} has the same secret as another key")
            kids.add(key.kid)
            secrets_seen.add(key.secret)
        self._keys = ordered

    @classmethod
    def of(cls, *pairs: tuple[str, bytes]) -> KeyRing:
        """A ring from (kid, secret) pairs, the first current."""
        return cls(Key(kid, secret) for kid, secret in pairs)

    @property
    def current(self) -> Key:
        """The key new fingerprints are made with."""
        return self._keys[0]

    @property
    def active(self) -> tuple[Key, ...]:
        """Every key fingerprints are checked under, the current one first."""
        return self._keys

    @property
    def kids(self) -> tuple[str, ...]:
        """The ids of the active keys, the current one first."""
        return tuple(key.kid for key in self._keys)

    def get(self, kid: str) -> Key | None:
        """The active key with this id, or None (unknown or retired)."""
        for key in self._keys:
            if key.kid == kid:
                return key
        return None

    def __contains__(self, kid: object) -> bool:
        return any(key.kid == kid for key in self._keys)

    def __iter__(self) -> Iterator[Key]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, KeyRing) and self._keys == other._keys

    def __hash__(self) -> int:
        return hash(self._keys)

    def __repr__(self) -> str:
        return f"KeyRing(current={self.current.kid!r}, active={self.kids!r})"

    def with_current(self, key: Key) -> KeyRing:
        """A ring where `key` is current and every key of this ring stays active."""
        return KeyRing((key, *self._keys))

    def without(self, kid: str) -> KeyRing:
        """A ring with key `kid` retired; the current key cannot be retired."""
        if kid not in self:
            raise KeyRingError(f"key {_shown(kid)} is not in the ring {self.kids}")
        if kid == self.current.kid:
            raise KeyRingError(
                f"key {kid!r} is current: make another key current before retiring it"
            )
        return KeyRing(key for key in self._keys if key.kid != kid)


def generate_key(nbytes: int = MIN_KEY_BYTES) -> str:
    """A new random key, base64-encoded, for an operator to put in the key file or variable."""
    if nbytes < MIN_KEY_BYTES:
        raise KeyRingError(f"identity keys must be at least {MIN_KEY_BYTES} bytes")
    return base64.b64encode(secrets.token_bytes(nbytes)).decode("ascii")


def decode_key(kid: str, text: str) -> Key:
    """A Key from its base64 text (standard or URL-safe alphabet, padding optional)."""
    cleaned = text.strip().replace("-", "+").replace("_", "/")
    cleaned += "=" * (-len(cleaned) % 4)
    try:
        secret = base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError):
        raise KeyRingError(f"key {_shown(kid)} is not valid base64") from None
    return Key(kid, secret)


def _shown(kid: str) -> str:
    """A key id for a message, if it looks like one (a misplaced secret is not echoed)."""
    return repr(kid) if _KID.fullmatch(kid) else "(with a malformed id)"


def format_keys(ring: KeyRing) -> str:
    """The ring in the GOODSTANDING_IDENTITY_KEYS form. It contains the secrets."""
    return ",".join(f"{k.kid}:{base64.b64encode(k.secret).decode('ascii')}" for k in ring)


def parse_keys(text: str) -> KeyRing:
    """A ring from the GOODSTANDING_IDENTITY_KEYS form ``k2:<base64>,k1:<base64>``."""
    keys: list[Key] = []
    for number, item in enumerate(text.split(","), start=1):
        item = item.strip()
        if not item:
            continue
        kid, colon, encoded = item.partition(":")
        if not colon or not kid.strip() or not encoded.strip():
            raise KeyRingError(
                f"{ENV_KEYS}: item {number} is not 'kid:base64key' (items are separated by ',')"
            )
        keys.append(decode_key(kid.strip(), encoded))
    if not keys:
        raise MissingKeyError(f"{ENV_KEYS} holds no key: {HOW_TO_SET}")
    return KeyRing(keys)


def parse_keyfile(text: str, toml: bool | None = None) -> KeyRing:
    """A ring from a key file: lines ``kid base64key`` or TOML (detected if `toml` is None)."""
    if toml is None:
        first = next(_significant(text), "")
        toml = first.startswith("[") or bool(_TOML_ASSIGNMENT.match(first))
    return _parse_toml(text) if toml else _parse_lines(text)


def _significant(text: str) -> Iterator[str]:
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            yield stripped


def _parse_lines(text: str) -> KeyRing:
    keys: list[Key] = []
    for number, line in enumerate(text.splitlines(), start=1):
        content = line.split("#", 1)[0].strip()
        if not content:
            continue
        kid, colon, encoded = content.partition(":")
        parts = [kid.strip(), encoded.strip()] if colon else content.split()
        if len(parts) != 2 or not all(parts) or " " in parts[1]:
            raise KeyRingError(f"key file line {number}: expected 'kid:base64key'")
        keys.append(decode_key(parts[0], parts[1]))
    if not keys:
        raise MissingKeyError(f"the key file holds no key: {HOW_TO_SET}")
    return KeyRing(keys)


def _parse_toml(text: str) -> KeyRing:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise KeyRingError(f"the key file is not valid TOML: {error}") from None
    unknown = set(data) - {"keys", "current"}
    if unknown:
        raise KeyRingError(
            f"the key file has unknown entries {sorted(unknown)}; expected [keys] and current"
        )
    table = data.get("keys")
    if not isinstance(table, dict) or not table:
        raise MissingKeyError(f"the key file has no [keys] table with a key: {HOW_TO_SET}")
    keys: list[Key] = []
    for kid, encoded in table.items():
        if not isinstance(encoded, str):
            raise KeyRingError(f"key file: [keys] key {_shown(kid)} must be a base64 string")
        keys.append(decode_key(kid, encoded))
    current = data.get("current")
    if current is not None:
        chosen = [k for k in keys if k.kid == current]
        if not isinstance(current, str) or not chosen:
            raise KeyRingError(f"key file: current = {_shown(str(current))} names no key of [keys]")
        keys = chosen + [k for k in keys if k.kid != current]
    return KeyRing(keys)


def key_line(kid: str, key: str) -> str:
    """One key as written by `identity generate-key`: a key-file line and a
    GOODSTANDING_IDENTITY_KEYS item alike."""
    return f"{kid}:{key}"


@dataclass(frozen=True, slots=True)
class LoadedKeys:
    """A ring loaded by the shell and where it came from."""

    ring: KeyRing
    source: str


def load_keyring(environ: Mapping[str, str] | None = None) -> LoadedKeys:
    """The key ring from GOODSTANDING_IDENTITY_KEYS or GOODSTANDING_IDENTITY_KEYFILE.

    Reads the environment (`environ`, default os.environ) and the key file. Raises
    MissingKeyError when neither is set, KeyRingError when both are or a key is bad.
    """
    env = os.environ if environ is None else environ
    inline = env.get(ENV_KEYS, "").strip()
    file_name = env.get(ENV_KEYFILE, "").strip()
    if inline and file_name:
        raise KeyRingError(f"set {ENV_KEYS} or {ENV_KEYFILE}, not both")
    if inline:
        return LoadedKeys(parse_keys(inline), f"${ENV_KEYS}")
    if not file_name:
        raise MissingKeyError(f"no identity key is configured: {HOW_TO_SET}")
    path = Path(file_name).expanduser()
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MissingKeyError(
            f"{ENV_KEYFILE} names {path}, which does not exist: {HOW_TO_SET}"
        ) from None
    except UnicodeDecodeError:
        raise KeyRingError(f"the key file {path} is not UTF-8 text") from None
    except OSError as error:
        raise KeyRingError(f"cannot read the key file {path}: {error.strerror}") from None
    try:
        check_private(path, mode, "identity key file")
    except KeyFileError as error:
        raise KeyRingError(
            f"{error} (anyone who reads it can reverse identity fingerprints)"
        ) from None
    ring = parse_keyfile(text, toml=True if path.suffix == ".toml" else None)
    return LoadedKeys(ring, str(path))
