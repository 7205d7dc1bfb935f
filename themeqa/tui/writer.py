"""One background thread that performs the TUI's writes, in the order they were asked for.

Why: a committed write (SQLite, synchronous=FULL) takes tens of milliseconds, longer than a
repaint may. The coding screen shows the result at once (an optimistic update) and queues the
write here; one thread keeps writes in order, so "apply, then remove" cannot be reordered, and
the app waits for the queue to drain before it closes, so nothing asked for is lost.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

__all__ = ["Writer"]


class Writer:
    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="themeqa-writer")
        self._lock = threading.Lock()
        self._pending = 0

    @property
    def pending(self) -> int:
        """Writes queued or running (tests and the bench wait for 0)."""
        with self._lock:
            return self._pending

    def submit(self, job: Callable[[], object]) -> Future:
        with self._lock:
            self._pending += 1

        def run() -> object:
            try:
                return job()
            finally:
                with self._lock:
                    self._pending -= 1

        return self._pool.submit(run)

    def close(self) -> None:
        """Finish every queued write, then stop the thread."""
        self._pool.shutdown(wait=True)
