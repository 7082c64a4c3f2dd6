"""The pipeline: ingesting events into the log and the fold, and replaying the log."""

from goodstanding.pipeline.ingest import Ingestor, IngestReport, load_policies
from goodstanding.pipeline.replay import replay

__all__ = ["IngestReport", "Ingestor", "load_policies", "replay"]
