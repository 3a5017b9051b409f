"""Admission control for the public SPARQL endpoint, so that slow queries cannot starve the rest.

Each ``/sparql`` query holds a WSGI thread and a query worker process until it ends. Without a
limit, 16 slow queries would hold every waitress thread (``/health`` and the canned questions
queue behind them) and every worker. So at most ``KLASTER_QUERY_WORKERS`` endpoint queries run at
once; the executor starts one worker process more than that (:class:`kg.executor.ProcessExecutor`),
which stays free for the canned questions, the pages and ``/health``. Up to half of
``KLASTER_THREADS`` more requests wait up to :data:`WAIT_SECONDS` for a slot (a burst of fast
queries from a few clients is queued, not refused); beyond that the answer is ``503 Server busy``
at once, with ``Retry-After``. The other half of the threads stays free for everything else. Canned questions are not limited here: they are known queries with bound
parameters, and they still have the executor's timeout.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from kg.errors import Busy

#: Longest a query waits for a free slot before the server answers 503.
WAIT_SECONDS = 10.0
RETRY_AFTER = 5


@dataclass
class Admission:
    running: threading.BoundedSemaphore
    waiting: threading.BoundedSemaphore
    slots: int

    @classmethod
    def for_settings(cls, settings) -> "Admission":
        slots = max(1, settings.query_workers)
        return cls(threading.BoundedSemaphore(slots),
                   threading.BoundedSemaphore(max(1, settings.threads // 2)), slots)

    @contextlib.contextmanager
    def slot(self) -> Iterator[None]:
        if not self.running.acquire(blocking=False):
            if not self.waiting.acquire(blocking=False):
                raise self._busy()
            try:
                if not self.running.acquire(timeout=WAIT_SECONDS):
                    raise self._busy()
            finally:
                self.waiting.release()
        try:
            yield
        finally:
            self.running.release()

    def _busy(self) -> Busy:
        return Busy(f"all {self.slots} SPARQL query slot(s) are in use; try again in a few "
                    "seconds (KLASTER_QUERY_WORKERS sets how many queries run at once)",
                    retry_after=RETRY_AFTER)


def admission(app) -> Admission:
    """The app's admission control (made on first use)."""
    found = app.extensions.get("klaster.admission")
    if found is None:
        found = app.extensions.setdefault(
            "klaster.admission", Admission.for_settings(app.extensions["klaster"].settings))
    return found
