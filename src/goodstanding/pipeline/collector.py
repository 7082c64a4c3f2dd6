"""The cyclic garbage collector, paused while a batch is folded.

The fold allocates many small objects that reference counting frees, and holds keyed state
(and the detectors) that lives for the whole run. Left on, the collector's full passes rescan
all of that long-lived state again and again: measured, about 13 % of a replay's CPU time and
over a quarter of an ingest's. Paused for a batch and resumed after it, it collects at most
once per batch, and what a batch leaves in cycles is bounded by the batch."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def quiet_collector() -> Iterator[None]:
    """Pauses the cyclic garbage collector for the block (as it was after it)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
