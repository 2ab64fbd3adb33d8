"""HTTP client concurrency models for webhook POSTs to a far receiver, each in a child process of its own.

Why this exists: the sidecar's sender (sidecar/fluentcrm_webhooks/sender.py) keeps its attempts in
flight as aiohttp coroutines on one asyncio thread, not as `requests` calls on a thread each. This
puts a number on that choice: the same N POSTs, C in flight at once, to a receiver 100 ms away, by
  - "requests": C threads, a requests.Session each, pulling indexes from one shared iterator;
  - "aiohttp": one asyncio loop, one aiohttp.ClientSession (TCPConnector(limit=C)), C worker
    coroutines, each request under asyncio.timeout(30);
  - "uvloop": the same on uvloop (shipped with uvicorn[standard]).
Each runs in a fresh child (`python -m bench.client_models MODEL ...`, body on stdin) so its CPU
time (getrusage, all its threads, from its threads or loop starting to the last one done) and peak
memory (VmHWM) are the client's alone; it prints one JSON line. `--idle` imports the model's
library and sends nothing: the memory a model costs before any attempt is in flight. The child
imports nothing but the standard library, the model's HTTP library and bench.measure.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .measure import peak_rss_mb

if TYPE_CHECKING:
    from .stack import FastReceiver

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 30.0  # seconds per attempt, the sidecar's FCWH_TIMEOUT default
MODULES = {"requests": ("requests",), "aiohttp": ("aiohttp",), "uvloop": ("aiohttp", "uvloop")}


@dataclass(frozen=True)
class ClientRun:
    count: int
    seconds: float  # first POST -> last answer read, in the child
    cpu_seconds: float  # the child's user + system CPU, its threads' or loop's start and end included
    peak_rss_mb: float  # the child's VmHWM at the end
    max_in_flight: int = 0  # the most requests the receiver held at once

    @property
    def rate(self) -> float:
        return self.count / self.seconds

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu_seconds / self.count


def available(model: str) -> bool:
    return all(importlib.util.find_spec(name) is not None for name in MODULES[model])


def client_run(receiver: FastReceiver, model: str, body: bytes, signature: str, count: int,
               concurrency: int) -> ClientRun:
    """`count` POSTs by `model` in a fresh child; checks the receiver got each one once, well signed."""
    receiver.reset()
    run = _child([model, "--url", receiver.url, "--signature", signature, "--count", str(count),
                  "--concurrency", str(concurrency)], body, timeout=120 + count / 20)
    stats = receiver.stats()
    if stats["unique"] != count or stats["duplicates"] or stats["bad_signatures"]:
        raise AssertionError(f"{model}: receiver saw {stats}, expected {count} unique, correctly signed deliveries")
    return ClientRun(count, run["seconds"], run["cpu_seconds"], run["peak_rss_mb"], stats["max_in_flight"])


def idle_peak_mb(model: str) -> float:
    """The peak memory of a child that imports `model`'s library and sends nothing."""
    return _child([model, "--idle"], b"", timeout=60)["peak_rss_mb"]


def _child(args: list[str], body: bytes, timeout: float) -> dict:
    done = subprocess.run([sys.executable, "-m", "bench.client_models", *args], input=body, capture_output=True,
                          cwd=ROOT, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"client child {args[0]} exited {done.returncode}: {done.stderr.decode()[-2000:]}")
    return json.loads(done.stdout.decode().strip().splitlines()[-1])


# --- in the child ---------------------------------------------------------------------------------

def _headers(signature: str) -> dict[str, str]:
    return {"Content-Type": "application/json", "X-FluentCRM-Signature": signature}


def with_requests(url: str, body: bytes, signature: str, count: int, concurrency: int) -> float:
    import requests

    indexes = iter(range(count))  # next() on it is one C call under the GIL: safe from every thread
    go = threading.Event()
    failures: list[str] = []

    def work() -> None:
        with requests.Session() as session:
            headers = _headers(signature)
            go.wait()
            for index in indexes:
                headers["X-FluentCRM-Delivery"] = str(index)
                try:
                    response = session.post(url, data=body, headers=headers, timeout=TIMEOUT)
                    if response.status_code != 200:
                        failures.append(f"HTTP {response.status_code}")
                except requests.RequestException as error:
                    failures.append(repr(error))

    threads = [threading.Thread(target=work, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    go.set()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    if failures:
        raise SystemExit(f"{len(failures)} requests failed, first: {failures[0]}")
    return seconds


def with_aiohttp(url: str, body: bytes, signature: str, count: int, concurrency: int) -> float:
    import asyncio

    import aiohttp

    async def main() -> float:
        indexes = iter(range(count))
        failures: list[str] = []
        connector = aiohttp.TCPConnector(limit=concurrency)
        async with aiohttp.ClientSession(connector=connector, skip_auto_headers=("User-Agent",)) as session:
            async def work() -> None:
                for index in indexes:
                    headers = {**_headers(signature), "X-FluentCRM-Delivery": str(index)}
                    try:
                        async with asyncio.timeout(TIMEOUT):
                            async with session.post(url, data=body, headers=headers) as response:
                                await response.read()
                                if response.status != 200:
                                    failures.append(f"HTTP {response.status}")
                    except (aiohttp.ClientError, OSError, TimeoutError) as error:
                        failures.append(repr(error))

            started = time.perf_counter()
            await asyncio.gather(*(work() for _ in range(concurrency)))
            seconds = time.perf_counter() - started
        if failures:
            raise SystemExit(f"{len(failures)} requests failed, first: {failures[0]}")
        return seconds

    return asyncio.run(main())


def with_uvloop(url: str, body: bytes, signature: str, count: int, concurrency: int) -> float:
    import uvloop

    uvloop.install()
    return with_aiohttp(url, body, signature, count, concurrency)


RUNNERS: dict[str, Callable[[str, bytes, str, int, int], float]] = {
    "requests": with_requests, "aiohttp": with_aiohttp, "uvloop": with_uvloop,
}


def _cpu_now() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", choices=list(RUNNERS))
    parser.add_argument("--url")
    parser.add_argument("--signature", default="sha256=" + "0" * 64)
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument("--concurrency", type=int, default=256)
    parser.add_argument("--idle", action="store_true", help="import the model's library, send nothing")
    args = parser.parse_args()
    if args.idle:
        for name in MODULES[args.model]:
            __import__(name)
        print(json.dumps({"seconds": 0.0, "cpu_seconds": 0.0, "peak_rss_mb": peak_rss_mb(os.getpid())}))
        return
    body = sys.stdin.buffer.read()
    cpu = _cpu_now()
    seconds = RUNNERS[args.model](args.url, body, args.signature, args.count, args.concurrency)
    cpu = _cpu_now() - cpu
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "peak_rss_mb": peak_rss_mb(os.getpid())}))


if __name__ == "__main__":
    main()
