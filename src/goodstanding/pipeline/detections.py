"""Detection outcomes cached per (content, detector fingerprint): a replay under a policy whose
detectors did not change reads what they found instead of running them again.

A detector's fingerprint is a digest of everything its findings depend on: the detection
code, each rule's detector declarations, the bytes of the files they name and the identity
of each classifier. Group messages are never cached (their text lives in an encrypted record
that a purge shreds; a cached excerpt would outlive it)."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import msgspec
from sqlalchemy import Connection

import goodstanding.detect as detect_package
from goodstanding.detect import Detection
from goodstanding.engine import Engine
from goodstanding.events import Event
from goodstanding.policy import Policy, PolicySet
from goodstanding.policy.references import encode_references, references_of
from goodstanding.store import Store

_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(Detection).decode


@cache
def _code_digest() -> bytes:
    """A digest of the detection code's source files (a change to any makes new
    fingerprints, so nothing cached by older code is reused)."""
    digest = hashlib.sha256()
    for file in sorted(Path(detect_package.__file__).resolve().parent.glob("*.py")):
        digest.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.digest()


def detector_fingerprint(policy: Policy, base_dir: Path | None) -> str:
    """The fingerprint of a policy version's detector: equal fingerprints, equal findings."""
    digest = hashlib.sha256(_code_digest())
    rules = [(rule.id, rule.detectors) for rule in policy.rules if rule.detectors]
    digest.update(msgspec.json.encode(rules))
    digest.update(encode_references(references_of(policy, base_dir)).encode())
    return digest.hexdigest()


class CachedDetections:
    """Prepares the engine's detections of a batch from the cache, running the detectors only
    on texts they have not judged; what they find is kept for `flush`."""

    def __init__(self, store: Store, policies: PolicySet):
        self.store = store
        self.fingerprints = {
            p.version: detector_fingerprint(p, policies.base_dirs.get(p.version))
            for p in policies.versions
        }
        self.fresh: dict[str, list[tuple[str, bytes]]] = {}
        self.hits = self.runs = 0

    def prepare(self, engine: Engine, conn: Connection, events: list[Event]) -> None:
        """Sets the engine's detections of the batch's texts, as `Engine.prepare` would:
        cached ones read from `conn`, the others detected (group messages always are)."""
        detections = engine.context.detections
        for version, posted in engine.texts_by_version(events).items():
            fingerprint = self.fingerprints[version]
            cacheable = [e.content_id for e in posted if e.group_id is None]
            cached = self.store.cached_detections(conn, fingerprint, cacheable)
            todo = [e for e in posted if e.content_id not in cached]
            for event in posted:
                if (blob := cached.get(event.content_id)) is not None:
                    detections[event.id] = _decode(blob)
            found = engine.context.detectors[version].detect_batch([e.text for e in todo])
            keep = self.fresh.setdefault(fingerprint, [])
            for event, detection in zip(todo, found, strict=True):
                detections[event.id] = detection
                if event.group_id is None:
                    keep.append((event.content_id, _encode(detection)))
            self.hits += len(cached)
            self.runs += len(todo)

    def flush(self, conn: Connection) -> None:
        """Writes what the detectors found since the last flush into the cache."""
        for fingerprint, rows in self.fresh.items():
            self.store.cache_detections(conn, fingerprint, rows)
        self.fresh.clear()
