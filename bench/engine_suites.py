"""The delivery engine's figures (issue 8, docs/delivery.md), each beside its ideal in the same run:
isolation from a dead neighbour, far receivers, fairness behind a backlog, intake under delivery
load, and memory at ten thousand attempts in flight. All on `serve`'s own defaults (bench/engine.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from fluentcrm_webhooks.config import Settings
from fluentcrm_webhooks.lanes import reserve

from .engine import fairness_run, far_run, intake_run, isolation_run, memory_run
from .measure import median
from .report import Report, Row, percent, ratio
from .stack import Bench
from .suites import Options, cpu_split

T = TypeVar("T")
DEFAULTS = Settings()
ISOLATION_EVENTS = 200
FAR_DELAYS = (0.05, 0.1, 0.2)  # seconds before the receiver answers: a receiver 50-200 ms away
FAR_TARGET_DELAY = 0.1  # the row: one receiver 100 ms away
FAIRNESS_DELAY = 0.05
MEMORY_HOLD_SECONDS = 15.0  # under the 30 s default timeout: every attempt ends in success


def interleaved(runs: int, baseline: Callable[[], T], ours: Callable[[], T]) -> tuple[list[T], list[T]]:
    """`runs` runs of the baseline and of ours, one after the other, so a noisy neighbour slows both alike."""
    baselines: list[T] = []
    measured: list[T] = []
    for _ in range(runs):
        baselines.append(baseline())
        measured.append(ours())
    return baselines, measured


def isolation(bench: Bench, report: Report, options: Options) -> None:
    """Webhook B answers at once; webhook A's receiver takes every request and never answers. Time
    until B has all its events, against B alone."""
    healthy = bench.receiver(tls=False, name="healthy")
    dead = bench.receiver(tls=False, hold=True, name="dead")
    alone, beside = interleaved(options.runs, lambda: isolation_run(bench, healthy, None, ISOLATION_EVENTS),
                                lambda: isolation_run(bench, healthy, dead, ISOLATION_EVENTS))
    bench.release(healthy)
    bench.release(dead)
    with_dead, without = median(r.seconds for r in beside), median(r.seconds for r in alone)
    report.add(Row(f"5. isolation: {ISOLATION_EVENTS} events to B while A's receiver never answers",
                   f"B has all in {with_dead:.2f} s", f"B alone {without:.2f} s", ratio(with_dead, without),
                   "<= 10 s; goal: as alone (+0.5 s at most)", with_dead <= 10,
                   goal_met=with_dead <= without + 0.5))
    report.note("isolation runs, B with dead A / alone (s): " + ", ".join(
        f"{b.seconds:.2f}/{a.seconds:.2f}" for b, a in zip(beside, alone))
        + "; attempts A's receiver held open: " + ", ".join(str(r.held) for r in beside))


def far_receivers(bench: Bench, report: Report, options: Options) -> None:
    """Deliveries per second to one webhook whose receiver answers after 50, 100 and 200 ms, against
    the same engine with a receiver that answers at once and against the concurrency-bound limit
    (attempts in flight per webhook / the delay)."""
    count = 500 if options.quick else 3000
    in_flight = min(DEFAULTS.workers, DEFAULTS.webhook_concurrency)
    runs: dict[float, list] = {delay: [] for delay in (0.0, *FAR_DELAYS)}
    receivers = {delay: bench.receiver(tls=False, delay=delay, name=f"far-{int(delay * 1000)}ms")
                 for delay in runs}
    uncapped: list = []  # the target delay again, with the per-webhook cap raised to FCWH_WORKERS
    for _ in range(options.runs):
        for delay, receiver in receivers.items():
            runs[delay].append(far_run(bench, receiver, count))
        uncapped.append(far_run(bench, receivers[FAR_TARGET_DELAY], count,
                                {"FCWH_WEBHOOK_CONCURRENCY": str(DEFAULTS.workers)}))
    for receiver in receivers.values():
        bench.release(receiver)
    instant = median(r.run.rate for r in runs[0.0])
    report.note(f"far receivers: the same engine against a receiver answering at once: "
                f"{', '.join(f'{r.run.rate:.0f}' for r in runs[0.0])}/s; CPU ms per delivery "
                f"(median run): {_cpu(runs[0.0])}")
    for delay in FAR_DELAYS:
        rate = median(r.run.rate for r in runs[delay])
        limit = in_flight / delay
        is_target = delay == FAR_TARGET_DELAY
        report.add(Row(f"6. far receiver {1000 * delay:.0f} ms away, {count} events, serve on defaults",
                       f"{rate:.0f}/s", f"limit {in_flight} in flight / {1000 * delay:.0f} ms = {limit:.0f}/s; "
                       f"receiver at 0 ms {instant:.0f}/s", percent(rate, limit),
                       ">= 500/s; goal >= 1,000/s" if is_target else "",
                       rate >= 500 if is_target else None, goal_met=rate >= 1000 if is_target else None))
        report.note(f"{1000 * delay:.0f} ms: {', '.join(f'{r.run.rate:.0f}' for r in runs[delay])}/s, most "
                    f"in flight at the receiver {max(r.max_in_flight for r in runs[delay])}; CPU ms per "
                    f"delivery (median run): {_cpu(runs[delay])}")
    rate = median(r.run.rate for r in uncapped)
    alone = DEFAULTS.workers - reserve(DEFAULTS.workers)  # a lone webhook's share (lanes.py)
    limit = alone / FAR_TARGET_DELAY
    report.add(Row(f"6. far receiver {1000 * FAR_TARGET_DELAY:.0f} ms away, FCWH_WEBHOOK_CONCURRENCY="
                   f"{DEFAULTS.workers} (one webhook may use its whole share)", f"{rate:.0f}/s",
                   f"limit {alone} in flight / {1000 * FAR_TARGET_DELAY:.0f} ms = {limit:.0f}/s; receiver at 0 ms "
                   f"{instant:.0f}/s", percent(rate, limit), ">= 500/s; goal >= 1,000/s", rate >= 500,
                   goal_met=rate >= 1000))
    report.note(f"{1000 * FAR_TARGET_DELAY:.0f} ms, cap {DEFAULTS.workers}: "
                f"{', '.join(f'{r.run.rate:.0f}' for r in uncapped)}/s, most in flight at the receiver "
                f"{max(r.max_in_flight for r in uncapped)}; CPU ms per delivery (median run): {_cpu(uncapped)}")


def fairness(bench: Bench, report: Report, options: Options) -> None:
    """One event for webhook B sent right after 5,000 for webhook A (receiver 50 ms away): B's
    latency, against the same event with no backlog ahead of it."""
    backlog = 1000 if options.quick else 5000
    slow = bench.receiver(tls=False, delay=FAIRNESS_DELAY, name="backlog")
    instant = bench.receiver(tls=False, name="instant")
    alone, behind = interleaved(options.runs, lambda: fairness_run(bench, slow, instant, 0),
                                lambda: fairness_run(bench, slow, instant, backlog))
    bench.release(slow)
    bench.release(instant)
    waited, unhindered = median(r.seconds for r in behind), median(r.seconds for r in alone)
    report.add(Row(f"7. fairness: 1 event for B behind {backlog:,} for A ({1000 * FAIRNESS_DELAY:.0f} ms away)",
                   f"{1000 * waited:.0f} ms", f"no backlog {1000 * unhindered:.0f} ms", ratio(waited, unhindered),
                   "<= 2 s; goal < 0.5 s", waited <= 2, goal_met=waited < 0.5))
    report.note("fairness runs, B's latency behind the backlog / alone (ms): " + ", ".join(
        f"{1000 * b.seconds:.0f}/{1000 * a.seconds:.0f}" for b, a in zip(behind, alone))
        + "; A's deliveries still to arrive when B's event was sent: " + ", ".join(str(r.backlog_left) for r in behind))


def intake_under_load(bench: Bench, report: Report, options: Options) -> None:
    """POST /v2/events from 4 threads on the SQLite default while the same process delivers every
    event, against the same POSTs with (almost) nothing delivered beside them."""
    batch_count = 200 if options.quick else 1000
    shape = {"batch_count": batch_count, "batch_size": 10, "threads": 4}
    receiver = bench.receiver(tls=False, name="intake")
    quiet_receiver = bench.receiver(tls=False, hold=True, name="intake-quiet")
    quiet, loaded = interleaved(options.runs, lambda: intake_run(bench, quiet_receiver, deliver=False, **shape),
                                lambda: intake_run(bench, receiver, deliver=True, **shape))
    bench.release(receiver)
    bench.release(quiet_receiver)
    refused = sum(sum(run.refused.values()) for run in loaded + quiet)
    loaded_rate, quiet_rate = median(r.rate for r in loaded), median(r.rate for r in quiet)
    report.add(Row(f"8. SQLite intake during deliveries: {batch_count} batches of 10 from 4 threads, per run",
                   f"{refused} refused in {len(loaded + quiet)} runs; {loaded_rate:.0f} batches/s",
                   f"no deliveries beside: {quiet_rate:.0f} batches/s", ratio(loaded_rate, quiet_rate),
                   "0 refused", refused == 0))
    report.note("intake runs, batches/s with deliveries (delivered meanwhile) / without: " + ", ".join(
        f"{b.rate:.0f} ({b.delivered_meanwhile}) / {a.rate:.0f}" for b, a in zip(loaded, quiet))
        + ("; refusals: " + ", ".join(str(dict(r.refused)) for r in loaded + quiet if r.refused) if refused else ""))


def memory(bench: Bench, report: Report, options: Options) -> None:
    """`serve`'s peak memory with 10,000 attempts in flight at once (FCWH_WORKERS and
    FCWH_WEBHOOK_CONCURRENCY raised to fit 10,000; the receiver holds each request 15 s), against
    the same process idle."""
    count = 2000 if options.quick else 10_000
    receiver = bench.receiver(tls=False, delay=MEMORY_HOLD_SECONDS, name="memory")
    # FCWH_WORKERS above the count by the reserve lanes.py keeps for newcomers, so one webhook may hold them all.
    run = memory_run(bench, receiver, count=count, workers=count * 8 // 7 + 2, concurrency=count)
    bench.release(receiver)
    report.add(Row(f"9. memory at {count:,} attempts in flight (serve, SQLite)",
                   f"peak {run.peak_mb:.0f} MB, {run.max_in_flight:,} in flight at once",
                   f"idle {run.idle_mb:.0f} MB", f"{run.kb_per_attempt:.0f} KB per attempt",
                   "all in flight at once; under 1 GB", run.max_in_flight == count and run.peak_mb < 1024))
    report.note(f"memory run: {count:,} delivered in {run.seconds:.1f} s; samples (s, in flight, RSS MB): "
                + ", ".join(f"{s:.0f}/{n}/{mb:.0f}" for s, n, mb in run.samples[::max(1, len(run.samples) // 12)]))


def clients(bench: Bench, report: Report, options: Options) -> None:
    """Why the sender is aiohttp on one asyncio thread: N signed ~1 KB POSTs, FCWH_WORKERS (256) in
    flight, to a receiver 100 ms away, by requests on 256 threads, by aiohttp coroutines on one
    asyncio loop (the sidecar's choice) and on uvloop; each client in a child process of its own,
    against the latency-bound limit (in flight / delay). bench/client_models.py has the clients."""
    import hashlib
    import hmac

    from .client_models import ClientRun, available, client_run, idle_peak_mb
    from .stack import SECRET
    from .workload import sample_body

    count, in_flight, delay = (600 if options.quick else 3000), DEFAULTS.workers, FAR_TARGET_DELAY
    labels = {"requests": f"requests + {in_flight} threads",
              "aiohttp": f"aiohttp, one asyncio event loop, {in_flight} coroutines",
              "uvloop": f"aiohttp on uvloop, {in_flight} coroutines"}
    models = [model for model in labels if available(model)]
    body = sample_body()
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    receiver = bench.receiver(tls=False, delay=delay, name="clients")
    runs: dict[str, list[ClientRun]] = {model: [] for model in models}
    idle: dict[str, list[float]] = {model: [] for model in models}
    try:
        for _ in range(options.runs):
            for model in models:
                idle[model].append(idle_peak_mb(model))
                runs[model].append(client_run(receiver, model, body, signature, count, in_flight))
    finally:
        bench.release(receiver)
    limit = in_flight / delay
    rounds_bound = count / (-(-count // in_flight) * delay)  # whole rounds of `in_flight` requests
    for model in models:
        rate = median(r.rate for r in runs[model])
        cpu, peak = median(r.cpu_ms for r in runs[model]), median(r.peak_rss_mb for r in runs[model])
        kb = 1024 * (peak - median(idle[model])) / in_flight
        report.add(Row(f"10. client model: {labels[model]}, receiver {1000 * delay:.0f} ms away ({count} POSTs)",
                       f"{rate:.0f}/s, {cpu:.2f} ms CPU each, {peak:.0f} MB peak, {kb:.0f} KB per attempt in flight",
                       f"limit {in_flight} in flight / {1000 * delay:.0f} ms = {limit:.0f}/s", percent(rate, limit),
                       "the sidecar's choice" if model == "aiohttp" else "", None))
        report.note(f"client {labels[model]}: runs (deliveries/s, CPU ms each, peak MB, most in flight at the "
                    f"receiver): " + "; ".join(f"{r.rate:.0f}, {r.cpu_ms:.2f}, {r.peak_rss_mb:.1f}, {r.max_in_flight}"
                                               for r in runs[model])
                    + "; idle child (library imported, nothing sent) peak MB: "
                    + ", ".join(f"{mb:.1f}" for mb in idle[model]))
    skipped = [labels[model] for model in labels if model not in models]
    report.note(f"clients: each a fresh child process, CPU = its user + system time over the run, peak = its "
                f"VmHWM, KB per attempt = (peak - the idle child's peak) / {in_flight}; {count} POSTs in whole "
                f"rounds of {in_flight} cannot beat {rounds_bound:.0f}/s. Not measured: gevent (Huey's greenlet "
                f"workers), which is not a dependency, and whose monkey-patching would have to cover PyMySQL "
                f"and Huey too" + (f"; skipped, not installed: {', '.join(skipped)}" if skipped else ""))


def _cpu(runs: list) -> str:
    return cpu_split([r.run for r in runs])


ENGINE_SUITES = {
    "isolation": isolation,
    "far": far_receivers,
    "fairness": fairness,
    "intake": intake_under_load,
    "memory": memory,
    "clients": clients,
}
