"""The process's open-file limit, raised to fit the attempts in flight.

Each attempt in flight holds a socket, and Debian starts services with a soft limit of 1,024
descriptors (the hard limit is far higher): FCWH_WORKERS above about 900 would fail with EMFILE
("Too many open files") under load. Like nginx's worker_rlimit_nofile, raise the soft limit at start,
never above the hard one, and say so when even the hard limit is too low.
"""

from __future__ import annotations

import logging
import resource

log = logging.getLogger("fluentcrm_webhooks")

# Descriptors beside the attempts: the database, the queue, the API's clients, log files, imports.
HEADROOM = 512


def wanted_open_files(in_flight: int, soft: int, hard: int) -> int:
    """The soft limit to ask for: room for `in_flight` sockets plus HEADROOM, within the hard limit,
    and never lower than today's soft limit."""
    needed = in_flight + HEADROOM
    ceiling = hard if hard != resource.RLIM_INFINITY else max(needed, soft)
    if soft == resource.RLIM_INFINITY:
        return soft
    return max(soft, min(needed, ceiling))


def fit_open_files(in_flight: int) -> int:
    """Raise the soft RLIMIT_NOFILE for `in_flight` attempts; returns the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = wanted_open_files(in_flight, soft, hard)
    if wanted != soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    if wanted != resource.RLIM_INFINITY and wanted < in_flight + HEADROOM:
        log.warning("open-file limit %d (hard) is too low for %d attempts in flight: raise it (ulimit -n, "
                    "LimitNOFILE= in systemd) or lower FCWH_WORKERS", wanted, in_flight)
    return wanted
