"""Encryption at rest: AES-256-GCM bodies under per-(group, period) data keys, wrapped by a
master key that never enters the database.

- A record body is encrypted with AES-256-GCM under its period's data key, with a fresh
  96-bit random nonce; the associated data binds the record id, group, author and time, so a
  ciphertext moved to another row (or a row whose metadata was altered) fails to decrypt.
- A data key is stored only wrapped: AES-256-GCM under the master key, with associated data
  binding the data key's id, group, period and the master key's id.
- The master key comes from ``GOODSTANDING_RECORDS_MASTER_KEY`` (base64 of 32 bytes) or from
  the file named by ``GOODSTANDING_RECORDS_MASTER_KEYFILE`` (base64 text, or 32 raw bytes);
  ``GOODSTANDING_RECORDS_MASTER_KEY_ID`` optionally names it (the default id is a
  fingerprint of the key). Without one, `MissingMasterKeyError`: records are never stored
  in plaintext.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
import struct
from collections.abc import Mapping
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from goodstanding.keyfiles import KeyFileError, check_private

ENV_KEY = "GOODSTANDING_RECORDS_MASTER_KEY"
ENV_KEYFILE = "GOODSTANDING_RECORDS_MASTER_KEYFILE"
ENV_KEY_ID = "GOODSTANDING_RECORDS_MASTER_KEY_ID"
KEY_BYTES = 32
NONCE_BYTES = 12
_GENERATE = 'python -c "import base64, os; print(base64.b64encode(os.urandom(32)).decode())"'


class RecordsError(RuntimeError):
    """A records operation cannot be carried out, and why."""


class MasterKeyError(RecordsError):
    """The master key is malformed, ambiguous or not the one a data key was wrapped with."""


class MissingMasterKeyError(MasterKeyError):
    """No master key is configured: records cannot be stored or read (never in plaintext)."""


class RecordIntegrityError(RecordsError):
    """A ciphertext or wrapped key failed authentication: altered, moved or the wrong key."""


def _field(value: str | bytes) -> bytes:
    data = value.encode() if isinstance(value, str) else value
    return struct.pack(">I", len(data)) + data


def key_fingerprint(key: bytes) -> str:
    """The default id of a master key: a short, one-way fingerprint of it."""
    digest = hashlib.sha256(b"goodstanding.records.master-key-id\x00" + key).hexdigest()
    return f"mk-{digest[:16]}"


def generate_master_key() -> str:
    """A new random master key, base64-encoded (the value for the environment or key file)."""
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()


class MasterKey:
    """The key that wraps data keys. Kept outside the database; its bytes never print."""

    __slots__ = ("_aead", "key_id")

    def __init__(self, key: bytes, key_id: str | None = None):
        if not isinstance(key, bytes) or len(key) != KEY_BYTES:
            raise MasterKeyError(f"a master key is exactly {KEY_BYTES} bytes")
        if (key_id is not None and not (0 < len(key_id) <= 100)) or key_id == "":
            raise MasterKeyError("a master key id is 1 to 100 characters")
        self.key_id: str = key_fingerprint(key) if key_id is None else key_id
        self._aead = AESGCM(key)

    def __repr__(self) -> str:
        return f"MasterKey(key_id={self.key_id!r})"

    @classmethod
    def from_base64(cls, text: str, key_id: str | None = None, *, source: str = "key") -> MasterKey:
        """A master key from its base64 text; `source` names where it came from in errors."""
        try:
            key = base64.b64decode(text.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise MasterKeyError(f"{source} is not valid base64") from None
        if len(key) != KEY_BYTES:
            raise MasterKeyError(
                f"{source} decodes to {len(key)} bytes; a master key is {KEY_BYTES} bytes "
                f"(make one with: {_GENERATE})"
            )
        return cls(key, key_id)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], key_id: str | None = None) -> MasterKey:
        """A master key from a private (0600) file: base64 text, or exactly 32 raw bytes."""
        try:
            mode = Path(path).stat().st_mode
            data = Path(path).read_bytes()
        except OSError as error:
            raise MasterKeyError(f"cannot read master key file {path}: {error.strerror}") from None
        try:
            check_private(Path(path), mode, "master key file")
        except KeyFileError as error:
            raise MasterKeyError(str(error)) from None
        if len(data) == KEY_BYTES:
            return cls(data, key_id)
        try:
            text = data.decode("ascii")
        except UnicodeDecodeError:
            raise MasterKeyError(
                f"master key file {path} holds neither base64 text nor {KEY_BYTES} raw bytes"
            ) from None
        return cls.from_base64(text, key_id, source=f"master key file {path}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> MasterKey:
        """The configured master key; `MissingMasterKeyError` when there is none."""
        env = os.environ if environ is None else environ
        value, path = env.get(ENV_KEY, ""), env.get(ENV_KEYFILE, "")
        key_id = env.get(ENV_KEY_ID) or None
        if value and path:
            raise MasterKeyError(f"both {ENV_KEY} and {ENV_KEYFILE} are set; set only one")
        if value:
            return cls.from_base64(value, key_id, source=ENV_KEY)
        if path:
            return cls.from_file(path, key_id)
        raise MissingMasterKeyError(
            "no records master key: set "
            f"{ENV_KEY} to a base64-encoded 32-byte key (make one with: {_GENERATE}), or "
            f"{ENV_KEYFILE} to the path of a file holding one; optionally name it with "
            f"{ENV_KEY_ID}. Group-chat records are stored only encrypted, so nothing is "
            "stored or read without it. Keep it outside the database and its backups."
        )

    def wrap(self, data_key: bytes, key_id: int, group_id: str, period: str) -> bytes:
        """The data key encrypted under this master key (nonce + ciphertext + tag)."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        aad = _key_aad(key_id, group_id, period, self.key_id)
        return nonce + self._aead.encrypt(nonce, data_key, aad)

    def unwrap(self, wrapped: bytes, key_id: int, group_id: str, period: str) -> bytes:
        """The data key from its wrapped form; `MasterKeyError` when it does not unwrap."""
        aad = _key_aad(key_id, group_id, period, self.key_id)
        try:
            return self._aead.decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], aad)
        except InvalidTag:
            raise MasterKeyError(
                f"data key {key_id} ({group_id} {period}) does not unwrap with master key "
                f"{self.key_id!r}: a different key under the same id, or an altered row"
            ) from None


def _key_aad(key_id: int, group_id: str, period: str, master_key_id: str) -> bytes:
    return (
        b"goodstanding.records.key.v1"
        + _field(str(key_id))
        + _field(group_id)
        + _field(period)
        + _field(master_key_id)
    )


def record_aad(content_id: str, group_id: str, author_id: str, at: float) -> bytes:
    """The associated data of a record body: binds its id, group, author and time."""
    return (
        b"goodstanding.records.body.v1"
        + _field(content_id)
        + _field(group_id)
        + _field(author_id)
        + struct.pack(">d", at)
    )


def new_data_key() -> bytes:
    """A fresh random 256-bit data key."""
    return AESGCM.generate_key(bit_length=256)


class DataKey:
    """An unwrapped data key in memory, ready to encrypt and decrypt record bodies."""

    __slots__ = ("_aead", "id")

    def __init__(self, key_id: int, key: bytes):
        self.id = key_id
        self._aead = AESGCM(key)

    def __repr__(self) -> str:
        return f"DataKey(id={self.id})"

    def encrypt(self, text: str, aad: bytes) -> tuple[bytes, bytes]:
        """(nonce, ciphertext with tag) of a body."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        return nonce, self._aead.encrypt(nonce, text.encode("utf-8"), aad)

    def decrypt(self, nonce: bytes, ciphertext: bytes, aad: bytes, *, what: str) -> str:
        """The body; `RecordIntegrityError` naming `what` when it fails authentication."""
        try:
            return self._aead.decrypt(nonce, ciphertext, aad).decode("utf-8")
        except InvalidTag:
            raise RecordIntegrityError(
                f"{what} fails authentication: its ciphertext, nonce, id, group, author or "
                "time was altered, or the row was moved"
            ) from None
