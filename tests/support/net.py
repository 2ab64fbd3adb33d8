"""Loopback ports for the servers the tests start (several people run tests on one machine)."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A TCP port nobody listens on right now; the caller binds it soon after (a small race)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
