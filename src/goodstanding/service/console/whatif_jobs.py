"""What-if runs in the background, one at a time per service process: a run reads the whole
log and can take minutes, so it runs in its own thread and never holds a request; its page
shows progress until the result is in. The last few runs are kept in memory (not stored)."""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Final

from goodstanding.service import backend

KEPT: Final = 5
"""How many runs (finished or not) a process remembers."""


class Busy(Exception):
    """A run is already going; only one at a time."""


@dataclass
class Job:
    """One what-if run: who started it, on which draft, how far it got and what it found."""

    id: str
    by: str
    draft: str
    started: float
    events: int
    done: int = 0
    finished: float | None = None
    result: backend.WhatIf | None = None
    problems: list[backend.Problem] = field(default_factory=list)
    error: str = ""

    @property
    def running(self) -> bool:
        """Whether it has not finished yet."""
        return self.finished is None


class WhatIfJobs:
    """The what-if runs of one service process."""

    def __init__(self) -> None:
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, job_id: str) -> Job | None:
        """A run by its id."""
        with self._lock:
            return self._jobs.get(job_id)

    def recent(self) -> list[Job]:
        """The remembered runs, newest first."""
        with self._lock:
            return list(reversed(self._jobs.values()))

    def start(self, store: backend.Store, text: str, name: str, by: str, now: float) -> Job:
        """Starts a run of the draft `text` (already checked) over the live log; Busy when
        another is running."""
        with self._lock:
            if any(j.running for j in self._jobs.values()):
                raise Busy
            job = Job(secrets.token_urlsafe(12), by, name, now, backend.event_count(store))
            self._jobs[job.id] = job
            while len(self._jobs) > KEPT:
                self._jobs.popitem(last=False)
        threading.Thread(target=self._run, args=(job, store, text), daemon=True).start()
        return job

    def _run(self, job: Job, store: backend.Store, text: str) -> None:
        """The run itself: the draft in a scratch folder, the what-if, the outcome kept."""

        def advance(n: int) -> None:
            job.done += n

        try:
            with backend.draft_file(text) as path:
                try:
                    job.result = backend.what_if(store, path, advance)
                except backend.PolicyError as error:
                    job.problems = backend.named_problems(error, path, job.draft)
        except backend.ChainError as error:
            job.error = f"The log's hash chain is broken, so nothing can be replayed: {error}"
        except Exception as error:
            job.error = f"The what-if failed ({type(error).__name__})."
        finally:
            job.finished = time.time()


_MAKING = threading.Lock()


def jobs_of(state: Any) -> WhatIfJobs:
    """The app's what-if runs (made on first use)."""
    with _MAKING:
        found = getattr(state, "whatif_jobs", None)
        if not isinstance(found, WhatIfJobs):
            found = WhatIfJobs()
            state.whatif_jobs = found
        return found
