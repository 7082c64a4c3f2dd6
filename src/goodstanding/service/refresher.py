"""The background thread that keeps a worker's in-memory reads current: every refresh
interval it runs each of its tasks (the checks' read model, the verified tokens) in turn."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

log = logging.getLogger("goodstanding.service")


class Refresher:
    """Runs each task every `interval` seconds, in one daemon thread, from `start` to `stop`.
    A task that fails is logged and tried again the next round (answers stay as stale as the
    documented bound allows, never wrong)."""

    def __init__(self, interval: float, tasks: Sequence[Callable[[], object]]):
        self.interval, self.tasks = interval, tuple(tasks)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Starts the background thread."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True, name="refresher")
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            for task in self.tasks:
                try:
                    task()
                except Exception:
                    log.exception("a background refresh failed")

    def stop(self) -> None:
        """Stops the background thread (waits for the round under way)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
