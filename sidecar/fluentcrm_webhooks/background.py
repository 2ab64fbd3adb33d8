"""A job of the sidecar's own that runs on a thread beside the delivery engine (the pruner, the
hand-over from the plugin's outbox table) and stops when asked, within its current step."""

from __future__ import annotations

import threading


class BackgroundJob:
    """Subclasses set `thread_name` and write `_run`, which loops `while not self._stop.wait(...)`."""

    thread_name = "fcwh-job"

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        raise NotImplementedError
