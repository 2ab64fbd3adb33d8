"""Wait for a condition with a generous deadline: the machine is shared, so never assert on time."""

from __future__ import annotations

import time
from typing import Callable, TypeVar

T = TypeVar("T")


def wait_until(condition: Callable[[], T], timeout: float = 30.0, interval: float = 0.1,
               message: str | Callable[[], str] = "condition") -> T:
    """Return the first truthy value of `condition()`; raise AssertionError after `timeout` s.

    `message` (or what it returns, so it can describe the last state seen) explains the failure.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            text = message() if callable(message) else message
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {text}")
        time.sleep(interval)
