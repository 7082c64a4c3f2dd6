"""Signed checkpoints of the logs' heads, kept outside the database (like Certificate
Transparency's signed tree heads): signing one, reading and writing checkpoint files, and
proving that the log still extends every given checkpoint."""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import stat
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import select
from sqlalchemy.sql.schema import Table

from goodstanding.keyfiles import KeyFileError, check_private, write_new_key_file
from goodstanding.store import schema
from goodstanding.store.log import Log, verify

FORMAT = "goodstanding-checkpoint/1"
KEYFILE_ENV = "GOODSTANDING_CHECKPOINT_KEYFILE"
_KEY_PREFIX = "ed25519:"


class CheckpointError(ValueError):
    """A checkpoint, or a key for one, that cannot be made, read or trusted, and why."""


class Checkpoint(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The signed heads of the event log and the audit log at a moment."""

    format: str
    seq: int
    hash: str
    audit_seq: int
    audit_hash: str
    at: float
    key_id: str
    public_key: str
    signature: str = ""

    def signed_bytes(self) -> bytes:
        """What the signature covers: every field but the signature, as canonical JSON."""
        fields = {f: getattr(self, f) for f in self.__struct_fields__ if f != "signature"}
        return msgspec.json.encode(dict(sorted(fields.items())))

    def to_json(self) -> str:
        """The checkpoint file's text."""
        return msgspec.json.format(msgspec.json.encode(self).decode()) + "\n"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> str:
    """A public key's id: the first 16 hex digits of the SHA-256 of its raw bytes."""
    return hashlib.sha256(_raw_public(key)).hexdigest()[:16]


def public_key_text(key: Ed25519PublicKey) -> str:
    """A public key as `ed25519:<base64>`, the form --public-key takes."""
    return _KEY_PREFIX + _b64(_raw_public(key))


def parse_public_key(text: str) -> Ed25519PublicKey:
    """A public key from its `ed25519:<base64>` form (the prefix may be left out)."""
    try:
        raw = base64.b64decode(text.strip().removeprefix(_KEY_PREFIX), validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError):
        raise CheckpointError(
            "not an Ed25519 public key: expected 'ed25519:' and the base64 of 32 bytes"
        ) from None


def generate_key(path: Path) -> Ed25519PublicKey:
    """Creates a new signing key file (mode 0600, never over an existing file); returns the
    public key to publish."""
    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes_raw()
    write_new_key_file(path, _KEY_PREFIX + _b64(raw) + "\n")
    return key.public_key()


def load_signing_key(path: Path) -> Ed25519PrivateKey:
    """The signing key in `path`; refused when others may read it or it is malformed."""
    try:
        mode = path.stat().st_mode
        if not stat.S_ISREG(mode):
            raise CheckpointError(f"checkpoint key file {path} is not a regular file")
        check_private(path, mode, "checkpoint key file")
        text = path.read_text(encoding="ascii").strip()
    except OSError as error:
        raise CheckpointError(f"cannot read checkpoint key file {path}: {error.strerror}") from None
    except KeyFileError as error:
        raise CheckpointError(str(error)) from None
    except UnicodeDecodeError:
        raise CheckpointError(f"checkpoint key file {path} is not ASCII text") from None
    try:
        raw = base64.b64decode(text.removeprefix(_KEY_PREFIX), validate=True)
        if not text.startswith(_KEY_PREFIX) or len(raw) != 32:
            raise ValueError
        return Ed25519PrivateKey.from_private_bytes(raw)
    except (binascii.Error, ValueError):
        raise CheckpointError(
            f"checkpoint key file {path} does not hold a key made by "
            "'goodstanding checkpoint keygen' (expected 'ed25519:' and base64 of 32 bytes)"
        ) from None


def signing_key_from_env() -> Ed25519PrivateKey:
    """The signing key named by GOODSTANDING_CHECKPOINT_KEYFILE."""
    name = os.environ.get(KEYFILE_ENV)
    if not name:
        raise CheckpointError(
            f"no checkpoint signing key: set {KEYFILE_ENV} to a key file made by "
            "'goodstanding checkpoint keygen'"
        )
    return load_signing_key(Path(name))


def sign_checkpoint(store: Log, key: Ed25519PrivateKey, now: float) -> Checkpoint:
    """Signs the current heads of both logs; refuses when the log does not verify."""
    report = verify(store)
    if not report.ok:
        raise CheckpointError(f"refusing to sign a broken log: {report.problem}")
    with store.engine.connect() as conn:
        seq, digest = store.head(conn)
        audit_seq, audit_hash = store.head(conn, schema.audit_log)
    public = key.public_key()
    unsigned = Checkpoint(
        FORMAT, seq, digest, audit_seq, audit_hash, now, key_id(public), _b64(_raw_public(public))
    )
    signature = _b64(key.sign(unsigned.signed_bytes()))
    return msgspec.structs.replace(unsigned, signature=signature)


def read_checkpoint(path: Path) -> Checkpoint:
    """A checkpoint file, parsed (its signature is checked by verify_checkpoints)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CheckpointError(f"cannot read checkpoint {path}: {error.strerror}") from None
    try:
        checkpoint = msgspec.json.decode(data, type=Checkpoint)
    except msgspec.ValidationError as error:
        raise CheckpointError(f"checkpoint {path} is malformed: {error}") from None
    except msgspec.DecodeError:
        raise CheckpointError(f"checkpoint {path} is not JSON") from None
    if checkpoint.format != FORMAT:
        raise CheckpointError(f"checkpoint {path} has format {checkpoint.format!r}, not {FORMAT!r}")
    return checkpoint


def write_checkpoint(directory: Path, checkpoint: Checkpoint) -> Path:
    """Writes a checkpoint into `directory` (created if needed) under a name that sorts by
    position; returns its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"checkpoint-{checkpoint.seq:012d}-{checkpoint.audit_seq:012d}.json"
    partial = path.with_suffix(".part")
    partial.write_text(checkpoint.to_json(), encoding="ascii")
    os.replace(partial, path)
    return path


def latest_checkpoint(directory: Path) -> Checkpoint | None:
    """The newest checkpoint written into `directory` (None when there is none): what the
    operator publishes."""
    if not directory.is_dir():
        return None
    names = sorted(directory.glob("checkpoint-*.json"))
    return read_checkpoint(names[-1]) if names else None


@dataclass
class CheckpointReport:
    """The outcome of checking the log against signed checkpoints."""

    ok: bool
    checkpoints: int
    problem: str | None = None
    entries_after_latest_checkpoint: int = 0

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return asdict(self)


def _check_signature(
    name: str, checkpoint: Checkpoint, trusted: Ed25519PublicKey | None, pinned: str | None
) -> None:
    if trusted is None and pinned is None:
        raise CheckpointError("give the public key (--public-key) or pin its key id (--key-id)")
    try:
        embedded = parse_public_key(checkpoint.public_key)
    except CheckpointError as error:
        raise CheckpointError(f"checkpoint {name}: {error}") from None
    wanted = key_id(trusted) if trusted is not None else pinned
    if key_id(embedded) != wanted or checkpoint.key_id != wanted:
        raise CheckpointError(
            f"checkpoint {name} is signed by key {checkpoint.key_id!r}, not the trusted key "
            f"{wanted!r}: refused"
        )
    key = trusted or embedded
    try:
        key.verify(base64.b64decode(checkpoint.signature, validate=True), checkpoint.signed_bytes())
    except (InvalidSignature, binascii.Error, ValueError):
        raise CheckpointError(
            f"checkpoint {name}: its signature does not verify (the file was altered): refused"
        ) from None


def _hash_at(store: Log, table: Table, seq: int) -> str | None:
    with store.engine.connect() as conn:
        found = conn.execute(select(table.c.hash).where(table.c.seq == seq)).scalar()
    return None if found is None else str(found)


def verify_checkpoints(
    store: Log,
    checkpoints: Sequence[tuple[str, Checkpoint]],
    trusted: Ed25519PublicKey | None = None,
    pinned_key_id: str | None = None,
) -> CheckpointReport:
    """Proves the log still extends every (name, checkpoint): each signature verifies with
    the trusted key, the entries at the signed positions still have the signed hashes, and
    the chains verify from there to the head. Refuses (CheckpointError) untrusted files."""
    for name, checkpoint in checkpoints:
        _check_signature(name, checkpoint, trusted, pinned_key_id)
    count = len(checkpoints)
    report = verify(store)
    if not report.ok:
        return CheckpointReport(False, count, report.problem)
    logs = (
        (schema.events, "entry", "seq", "hash"),
        (schema.audit_log, "audit entry", "audit_seq", "audit_hash"),
    )
    for name, checkpoint in checkpoints:
        for table, label, seq_field, hash_field in logs:
            seq, signed = getattr(checkpoint, seq_field), getattr(checkpoint, hash_field)
            if seq == 0:
                continue
            found = _hash_at(store, table, seq)
            if found is None:
                return CheckpointReport(
                    False,
                    count,
                    f"checkpoint {name} signed {label} {seq}, but the log now ends before it: "
                    "entries were removed",
                )
            if found != signed:
                return CheckpointReport(
                    False,
                    count,
                    f"checkpoint {name} signed {label} {seq} with hash {signed[:12]}..., but "
                    f"the log now has {found[:12]}... there: the log was rewritten at or "
                    f"before {label} {seq}",
                )
    covered = max((c.seq for _, c in checkpoints), default=0)
    return CheckpointReport(True, count, None, max(report.entries - covered, 0))
