"""The detection cache: what a detector found in a content item's text, keyed by the content
id and the detector's fingerprint (a digest of everything its findings depend on), so that a
replay under a policy whose detectors did not change does not run them again.

Not a projection: a replay keeps it and fills it. Only texts the log itself holds are cached
(never a group message, whose text lives in an encrypted record that a purge must be able
to shred)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Column, Connection, LargeBinary, String, Table, select

from goodstanding.store.database import Database
from goodstanding.store.schema import metadata

detection_cache = Table(
    "detection_cache",
    metadata,
    Column("content_id", String(200), primary_key=True),
    Column("detector", String(64), primary_key=True),
    Column("detection", LargeBinary, nullable=False),
)
_CHUNK = 500  # SQLite binds at most 999 parameters per statement


class DetectionCache(Database):
    """Cached detections by (content id, detector fingerprint), as encoded bytes."""

    def cached_detections(
        self, conn: Connection, detector: str, content_ids: Sequence[str]
    ) -> dict[str, bytes]:
        """The cached detections of these content items by the detector with this
        fingerprint (those cached), by content id."""
        table = detection_cache.c
        found: dict[str, bytes] = {}
        for start in range(0, len(content_ids), _CHUNK):
            chunk = content_ids[start : start + _CHUNK]
            query = select(table.content_id, table.detection).where(
                table.detector == detector, table.content_id.in_(chunk)
            )
            found.update((content_id, blob) for content_id, blob in conn.execute(query))
        return found

    def cache_detections(
        self, conn: Connection, detector: str, detections: Sequence[tuple[str, bytes]]
    ) -> None:
        """Stores detections (content id, encoded detection) of the detector with this
        fingerprint; one already cached is replaced."""
        rows = [(content_id, detector, blob) for content_id, blob in detections]
        self.insert_many(conn, detection_cache, rows, replace=True)
