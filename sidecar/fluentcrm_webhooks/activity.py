"""How busy this process's HTTP API is, so background work (the pruner) can step aside for it.

Intake is what a site waits on: the plugin posts events at the end of its visitors' requests. The
pruner's deletes share the database's disk and CPU with it, so it runs a batch only once the API
has been quiet a moment, and waits no longer than MAX_YIELD for that, so a steady stream of
requests slows pruning down without stopping it.
"""

from __future__ import annotations

import threading
import time

QUIET = 0.02  # seconds without a request that count as a gap to prune in
MAX_YIELD = 1.0  # the longest the pruner waits for a gap before it takes one batch anyway


class RequestActivity:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._in_flight = 0
        self._last_end = 0.0
        self._changed = threading.Condition(self._lock)

    def begin(self) -> None:
        with self._lock:
            self._in_flight += 1

    def end(self) -> None:
        with self._lock:
            self._in_flight -= 1
            self._last_end = time.monotonic()
            self._changed.notify_all()

    def wait_for_gap(self, stop: threading.Event, quiet: float = QUIET, longest: float = MAX_YIELD) -> None:
        """Return once no request has run for `quiet` seconds, after `longest` at most, or on `stop`."""
        give_up = time.monotonic() + longest
        with self._lock:
            while not stop.is_set():
                now = time.monotonic()
                idle_for = now - self._last_end
                if now >= give_up or (self._in_flight == 0 and idle_for >= quiet):
                    return
                wait = give_up - now if self._in_flight else min(quiet - idle_for, give_up - now)
                self._changed.wait(max(0.001, wait))


# The API requests this process serves (api/plumbing.py counts them).
REQUESTS = RequestActivity()
