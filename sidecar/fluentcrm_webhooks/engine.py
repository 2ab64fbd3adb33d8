"""The delivery loop: claim, send, decide, record. Nothing else lives here.

Two threads per process:
- the ledger thread owns the database work: each round it commits the outcomes gathered since the
  last one (a group commit: one transaction for many attempts), then claims as many due
  deliveries as there are free slots, shared fairly between webhooks (lanes.py);
- the sender thread runs an asyncio loop where every claimed delivery is one task: signed, POSTed
  (sender.py, a deadline on the whole attempt), decided (lifecycle.py), handed back for the commit.
So hundreds of attempts can wait on far receivers at once for a few KB each, while the database
sees a handful of statements per round, not per delivery.

What a crash can repeat: the attempts in flight and the outcomes not yet committed (at most
FLUSH_WITHIN old). Their leases run out and they are claimed again; receivers drop the doubles
by delivery id.
"""

from __future__ import annotations

import asyncio
import calendar
import contextlib
import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass, replace
from datetime import timedelta

from peewee import Database, InterfaceError, OperationalError

from . import custom_headers, intake, lanes, ledger, lifecycle, metrics, pause, recovery_store
from .config import Settings
from .lifecycle import AttemptFacts, Decision, Verdict, WebhookStatus
from .logs import about
from .models import Delivery, Webhook
from .payloads import build_headers, overlapping_secret
from .sender import AttemptResult, Sender
from .timeutil import utcnow

log = logging.getLogger("fluentcrm_webhooks.delivery")

# A claim's lease outlasts the attempt's deadline by this much: an attempt must start within
# START_WITHIN of its claim, and then ends by FCWH_TIMEOUT, so the lease is never shorter than it.
LEASE_MARGIN = 15.0
START_WITHIN = 5.0
GATHER = 0.005  # after a wake-up, let a few more completions arrive so they share one round
FLUSH_WITHIN = 0.05  # an outcome is committed at most about this long after its attempt ended
HOUSEKEEPING_EVERY = 3600.0
STOP_GRACE = 2.0  # past FCWH_TIMEOUT, how long a stop waits for attempts in flight
HEARTBEAT_EVERY = 1.0  # the sender loop notes it is alive this often (vitals(), /healthz)
PAUSE_LOOK_EVERY = 1.0  # the pause (pause.py) is read at most this often: one cheap query a second
RECOVERY_LOOK_EVERY = 1.0  # failed webhooks are looked at for due recovery probes this often


def lease_seconds(settings: Settings) -> float:
    return settings.timeout + LEASE_MARGIN


@dataclass(frozen=True)
class Claimed:
    delivery: Delivery
    webhook: Webhook
    start_by: float  # time.monotonic() after which the attempt must not start (its lease is too short)


@dataclass(frozen=True)
class Vitals:
    """What /healthz and /metrics read of a running engine (health.workers_state judges it)."""

    running: bool  # started, not stopped, and both threads alive
    round_busy_for: float | None  # seconds the ledger thread has been in its current round (None: waiting)
    loop_silent_for: float | None  # seconds since the sender loop's last heartbeat (None: not started)
    in_flight: int
    uncommitted: int  # outcomes held in memory, not yet committed


async def attempt_once(sender: Sender, settings: Settings, delivery: Delivery, webhook: Webhook,
                       test: bool = False) -> ledger.AttemptRecord:
    """Sign the stored body with the webhook's secrets now (both during a rotation's overlap), add
    the receiver's own headers, POST it, and decide what comes next. The attempt is logged with
    those headers' values masked: they are the receiver's credentials."""
    attempted_at = utcnow()
    body = delivery.body.encode("utf-8")
    custom = custom_headers.webhook_headers(webhook)
    headers = build_headers(event=delivery.event, webhook_id=webhook.id, delivery_id=delivery.id,
                            secret=webhook.secret, body=body, attempt_time=calendar.timegm(attempted_at.timetuple()),
                            previous_secret=overlapping_secret(webhook.previous_secret,
                                                               webhook.previous_secret_expires_at, attempted_at),
                            custom=custom)
    result = await sender.post(webhook.url, body, headers, timeout=settings.timeout)
    if not test:  # POST /test is the admin's check, not delivery: it is logged but not counted
        metrics.observe_attempt(webhook.id, result)
    return decided(settings, delivery, webhook.id, result, custom_headers.mask_sent_headers(headers, custom),
                   attempted_at, test)


async def send_test(settings: Settings, delivery: Delivery, webhook: Webhook) -> ledger.AttemptRecord:
    """POST /test's one attempt, on the HTTP server's event loop (so a slow receiver holds no request
    thread) and a session of its own; no retries. Record it with `record_test`."""
    sender = Sender(allow_private=settings.allow_private_targets)
    await sender.open()
    try:
        return await attempt_once(sender, settings, delivery, webhook, test=True)
    finally:
        await sender.close()


def record_test(settings: Settings, record: ledger.AttemptRecord) -> None:
    """Store a test attempt at once; it never counts toward disabling the webhook."""
    ledger.record([record], settings.retry_delays, counts_for_webhook=False)


def decided(settings: Settings, delivery: Delivery, webhook_id: int, result: AttemptResult,
            headers: dict[str, str], attempted_at, test: bool = False) -> ledger.AttemptRecord:
    attempt = delivery.attempts + 1
    if test:  # POST /test: one attempt, no retries, never disables
        decision = Decision(Verdict.SUCCESS if lifecycle.is_success(result.response_code) else Verdict.GIVE_UP)
    else:
        decision = lifecycle.decide(AttemptFacts(attempt, result.response_code,
                                                 lifecycle.parse_retry_after(result.retry_after)),
                                    settings.retry_delays)
    if decision.retry_in is not None:
        next_at = attempted_at + timedelta(seconds=decision.retry_in)
    elif decision.verdict is Verdict.DISABLE:
        next_at = attempted_at  # held with the webhook; due again the moment it is re-activated
    else:
        next_at = None
    return ledger.AttemptRecord(delivery.id, webhook_id, delivery.event, attempt, result, headers,
                                attempted_at, decision, next_at)


class Engine:
    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.db = db
        self.slots = settings.workers
        self._lock = threading.Lock()
        self._in_flight: Counter[int] = Counter()
        self._records: list[ledger.AttemptRecord] = []
        self._give_back: list[Delivery] = []
        self._idle: set[int] = set()  # webhooks found with nothing due since the last look
        self._wakes = 0  # counts wake-ups, so a round knows whether one came while it looked
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._rotation = 0
        self._next_poll = 0.0
        self._last_housekeeping = 0.0
        self._database_trouble = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sender: Sender | None = None
        self._tasks: set[asyncio.Task] = set()
        self._sender_thread: threading.Thread | None = None
        self._ledger_thread: threading.Thread | None = None
        self._round_started: float | None = None  # time.monotonic() when the ledger's current round began
        self._loop_beat: float | None = None  # time.monotonic() of the sender loop's last heartbeat
        self._paused = False  # delivery paused (pause.py), as last read
        self._pause_read_at: float | None = None  # time.monotonic() of that read
        self._next_recovery_look = 0.0
        self._probe_records: list[tuple[recovery_store.Probe, ledger.AttemptRecord]] = []

    # -- what others call ------------------------------------------------------------------------
    def wake(self) -> None:
        """New work may be due (intake, a re-activation, another process's doorbell): look now."""
        with self._lock:
            self._idle.clear()
            self._wakes += 1
        self._pause_read_at = None  # new work may come with a pause just set: read it again first
        self._wake.set()

    @property
    def in_flight(self) -> int:
        with self._lock:
            return sum(self._in_flight.values())

    def vitals(self) -> Vitals:
        now = time.monotonic()
        threads = (self._sender_thread, self._ledger_thread)
        running = not self._stop.is_set() and all(t is not None and t.is_alive() for t in threads)
        started, beat = self._round_started, self._loop_beat
        with self._lock:
            in_flight, uncommitted = sum(self._in_flight.values()), len(self._records)
        return Vitals(running, None if started is None else now - started, None if beat is None else now - beat,
                      in_flight, uncommitted)

    def start(self) -> None:
        ready = threading.Event()
        self._sender_thread = threading.Thread(target=self._run_sender_loop, args=(ready,),
                                               name="fcwh-sender", daemon=True)
        self._sender_thread.start()
        if not ready.wait(30):
            raise RuntimeError("the delivery loop did not start")
        self._ledger_thread = threading.Thread(target=self._run_ledger, name="fcwh-ledger", daemon=True)
        self._ledger_thread.start()

    def stop(self) -> None:
        """Claim nothing more, let attempts in flight end (up to FCWH_TIMEOUT), commit their outcomes."""
        self._stop.set()
        self._wake.set()
        if self._ledger_thread is not None:
            self._ledger_thread.join(timeout=self.settings.timeout + STOP_GRACE + 10)
        if self._loop is not None and self._sender_thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._sender_thread.join(timeout=10)

    def step(self) -> list[ledger.AttemptRecord]:
        """One round in the calling thread, start to finish: claim what is due, send it, commit the
        outcomes. For tests that walk a retry ladder one rung at a time. Due recovery probes are
        sent in the same round (their records are not returned: they are not deliveries)."""
        self._pause_read_at = None  # a test that just paused or resumed is answered at once
        claimed = self._claim_round()
        probes = self._lease_probes()

        async def run() -> tuple[list[ledger.AttemptRecord], list[ledger.AttemptRecord]]:
            sender = Sender(allow_private=self.settings.allow_private_targets)
            await sender.open()
            try:
                sent = await asyncio.gather(*(attempt_once(sender, self.settings, c.delivery, c.webhook)
                                              for c in claimed))
                probed = await asyncio.gather(*(attempt_once(sender, self.settings, p.delivery, p.webhook, test=True)
                                                for p in probes))
                return list(sent), list(probed)
            finally:
                await sender.close()

        records, probe_records = asyncio.run(run()) if claimed or probes else ([], [])
        with self._lock:
            for c in claimed:
                self._in_flight[c.webhook.id] -= 1
            self._records.extend(records)
            self._probe_records.extend(zip(probes, probe_records, strict=True))
        self._flush()
        return records

    # -- the sender thread -----------------------------------------------------------------------
    def _run_sender_loop(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        self._sender = Sender(allow_private=self.settings.allow_private_targets)
        loop.run_until_complete(self._sender.open())
        self._heartbeat()
        ready.set()
        try:
            loop.run_forever()
        finally:
            for task in list(self._tasks):
                task.cancel()
            loop.run_until_complete(asyncio.gather(*self._tasks, return_exceptions=True))
            loop.run_until_complete(self._sender.close())
            loop.close()

    def _heartbeat(self) -> None:
        """Runs on the sender loop every HEARTBEAT_EVERY: a loop blocked or dead stops beating."""
        self._loop_beat = time.monotonic()
        assert self._loop is not None
        self._loop.call_later(HEARTBEAT_EVERY, self._heartbeat)

    def _launch(self, claimed: list[Claimed]) -> None:
        for item in claimed:
            task = asyncio.ensure_future(self._attempt(item))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _launch_probes(self, probes: list[recovery_store.Probe]) -> None:
        for probe in probes:
            task = asyncio.ensure_future(self._probe(probe))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _probe(self, probe: recovery_store.Probe) -> None:
        """One recovery probe: a `webhook.test` attempt, handed to the ledger thread to store and judge."""
        assert self._sender is not None
        try:
            record = await attempt_once(self._sender, self.settings, probe.delivery, probe.webhook, test=True)
            with self._lock:
                self._probe_records.append((probe, record))
        except Exception:  # its lease runs out and the probe is sent again
            log.exception("webhook %s: recovery probe crashed; it will be sent again", probe.webhook.id,
                          extra=about(probe.delivery.id, probe.webhook.id, probe.delivery.event))
        finally:
            self._wake.set()

    async def _attempt(self, item: Claimed) -> None:
        assert self._sender is not None
        try:
            if time.monotonic() > item.start_by:
                with self._lock:  # too late to start inside the lease: give it back untried
                    self._give_back.append(item.delivery)
                return
            record = await attempt_once(self._sender, self.settings, item.delivery, item.webhook)
            with self._lock:
                self._records.append(record)
        except Exception:  # the lease runs out and the delivery is claimed again
            log.exception("delivery %s webhook %s: attempt crashed; it will be tried again",
                          item.delivery.id, item.webhook.id,
                          extra=about(item.delivery.id, item.webhook.id, item.delivery.event))
        finally:
            with self._lock:
                self._in_flight[item.webhook.id] -= 1
                if self._in_flight[item.webhook.id] <= 0:
                    del self._in_flight[item.webhook.id]
            self._wake.set()

    # -- the ledger thread -----------------------------------------------------------------------
    def _run_ledger(self) -> None:
        stop_deadline: float | None = None
        while True:
            stopping = self._stop.is_set()
            if stopping and stop_deadline is None:
                stop_deadline = time.monotonic() + self.settings.timeout + STOP_GRACE
            with self._lock:
                has_records = bool(self._records or self._probe_records)
            wait = FLUSH_WITHIN if has_records else max(0.0, self._next_poll - time.monotonic())
            if stopping:
                time.sleep(FLUSH_WITHIN)  # only outcomes to commit now, as attempts in flight end
            elif self._wake.wait(wait):
                time.sleep(GATHER)
            self._wake.clear()
            self._round_started = time.monotonic()
            try:
                self.db.connect(reuse_if_open=True)
                self._flush()
                if not stopping:
                    claimed = self._claim_round()
                    if claimed and self._loop is not None:
                        self._loop.call_soon_threadsafe(self._launch, claimed)
                    self._recovery_round()
                    self._housekeeping()
                if self._database_trouble:
                    log.info("database reachable again: deliveries go on")
                    self._database_trouble = False
            except (OperationalError, InterfaceError) as error:
                if not self._database_trouble:
                    log.warning("database unavailable (%s); outcomes are kept and committed once it is back",
                                error.__class__.__name__)
                self._database_trouble = True
                self._close_connection()
                self._stop.wait(min(1.0, self.settings.sweep_interval))
            except Exception:
                log.exception("delivery round failed; trying again")
                self._stop.wait(min(1.0, self.settings.sweep_interval))
            self._round_started = None
            if stopping and (self.in_flight == 0 or time.monotonic() > (stop_deadline or 0)):
                try:
                    self._flush()
                except Exception:
                    log.exception("could not commit the last outcomes; those deliveries will be sent again")
                self._close_connection()
                return

    def _close_connection(self) -> None:
        with contextlib.suppress(Exception):
            self.db.close()

    def _flush(self) -> None:
        with self._lock:
            records, self._records = self._records, []
            give_back, self._give_back = self._give_back, []
        if give_back:
            ledger.release(give_back)
        if records:
            self._commit(records)
        with self._lock:  # taken only now: an error above leaves them waiting for the next round
            probes, self._probe_records = self._probe_records, []
        if probes:
            self._finish_probes(probes)

    def _commit(self, records: list[ledger.AttemptRecord]) -> None:
        try:
            changes = ledger.record(records, self.settings.retry_delays,
                                    recovery_interval=self.settings.recovery_interval)
        except (OperationalError, InterfaceError):
            with self._lock:  # keep them for the next round: nothing is lost while the database is away
                self._records = records + self._records
            raise
        except Exception:
            # Not the database being away: something in one outcome cannot be stored. Keeping the
            # group for the next round would block every outcome behind it forever.
            changes = self._record_one_by_one(records)
        for r in records:
            result = r.result
            log.info("delivery %s webhook %s event %s attempt %s: %s (%s, %s ms)%s", r.delivery_id, r.webhook_id,
                     r.event, r.attempt, r.decision.delivery_status.value, result.response_code or result.error,
                     result.response_time, f", retry in {r.decision.retry_in:g}s" if r.decision.retry_in is not None else "",
                     extra=about(r.delivery_id, r.webhook_id, r.event, attempt=r.attempt,
                                 status=r.decision.delivery_status.value, response_code=result.response_code,
                                 duration_ms=result.response_time, retry_in=r.decision.retry_in))
        for change in changes:
            self._log_change(change)

    def _record_one_by_one(self, records: list[ledger.AttemptRecord]) -> list[ledger.WebhookChange]:
        """Commit each outcome alone; one that still fails is stored without the answer's text (the
        error says why), and one that fails even so is left to its lease (it is sent again)."""
        changes: list[ledger.WebhookChange] = []
        for r in records:
            try:
                changes += ledger.record([r], self.settings.retry_delays,
                                         recovery_interval=self.settings.recovery_interval)
                continue
            except (OperationalError, InterfaceError):
                with self._lock:
                    self._records.append(r)
                continue
            except Exception as error:
                log.warning("delivery %s: its outcome could not be stored (%s); storing it without the answer",
                            r.delivery_id, error.__class__.__name__, extra=about(r.delivery_id, r.webhook_id, r.event))
            bare = replace(r, result=replace(r.result, response_body=None,
                                             error=f"the answer could not be stored ({r.result.response_code})"),
                           headers={})
            try:
                changes += ledger.record([bare], self.settings.retry_delays,
                                         recovery_interval=self.settings.recovery_interval)
            except Exception:
                log.exception("delivery %s: outcome dropped; it will be sent again when its lease runs out",
                              r.delivery_id, extra=about(r.delivery_id, r.webhook_id, r.event))
        return changes

    @staticmethod
    def _log_change(change: ledger.WebhookChange) -> None:
        before, after = change.before, change.after
        if before.status is WebhookStatus.ACTIVE and after.status is WebhookStatus.FAILED:
            log.warning("webhook %s disabled (%s); its events are held until it is re-activated", change.webhook_id,
                        "410 Gone" if after.consecutive_failures < lifecycle.AUTO_DISABLE_AFTER
                        else f"{after.consecutive_failures} deliveries failed in a row",
                        extra=about(webhook_id=change.webhook_id))
        if not before.pace_failures and after.pace_failures:
            log.warning("webhook %s paced: its endpoint is in trouble, one attempt at a time", change.webhook_id,
                        extra=about(webhook_id=change.webhook_id))
        elif before.pace_failures and not after.pace_failures:
            log.info("webhook %s answers again: its backlog drains at full speed", change.webhook_id,
                     extra=about(webhook_id=change.webhook_id))

    def _claim_round(self) -> list[Claimed]:
        if self._delivery_paused():
            return []  # intake still records; everything waits, retries included, until resumed
        now_mono = time.monotonic()
        with self._lock:
            if now_mono >= self._next_poll:
                self._idle.clear()
                self._next_poll = now_mono + self.settings.sweep_interval
            in_flight = dict(self._in_flight)
            idle = set(self._idle)
            wakes = self._wakes
        free = self.slots - sum(in_flight.values())
        if free <= 0:
            return []
        webhooks = ledger.active_webhooks()
        now = utcnow()
        states = [lanes.LaneState(
            webhook.id, webhook.max_concurrency or self.settings.webhook_concurrency, in_flight.get(webhook.id, 0),
            paced=webhook.pace_failures > 0,
            probe_due=webhook.next_probe_at is None or webhook.next_probe_at <= now,
            has_work=webhook.id not in idle) for webhook in webhooks]
        fair = lanes.share(self.slots, states)
        wants: list[tuple[int, int]] = []
        candidates: dict[int, list[int]] = {}
        found_idle: set[int] = set()
        for state, webhook in zip(states, webhooks, strict=False):
            room = min(lanes.room(state, fair), free)
            if webhook.id in idle or room <= 0:
                continue
            ids = ledger.due_candidates(webhook.id, room, bool(webhook.ordered), now, retries_first=state.paced)
            if ids:
                candidates[webhook.id] = ids
                wants.append((webhook.id, len(ids)))
            else:
                found_idle.add(webhook.id)
        with self._lock:
            if self._wakes == wakes:  # a wake-up while we looked may have brought work: keep looking
                self._idle |= found_idle
        grants = lanes.allocate(free, wants, self._rotation)
        self._rotation += 1
        if not grants:
            return []
        chosen = {webhook_id: candidates[webhook_id][:n] for webhook_id, n in grants.items()}
        paced = {webhook.id for webhook in webhooks if webhook.pace_failures > 0 and webhook.id in chosen}
        rows = ledger.claim(chosen, paced, now + timedelta(seconds=lease_seconds(self.settings)), now)
        by_id = {webhook.id: webhook for webhook in webhooks}
        start_by = time.monotonic() + START_WITHIN
        with self._lock:
            for row in rows:
                self._in_flight[row.webhook_id] += 1
        return [Claimed(row, by_id[row.webhook_id], start_by) for row in rows]

    def _delivery_paused(self) -> bool:
        """Whether delivery is paused (pause.py). Every round asks, so the answer is kept for
        PAUSE_LOOK_EVERY, and read again sooner after a wake-up (intake, a re-activation, a resume:
        at most once per batch, never per attempt), so events recorded after a pause are held.
        Not thread-safe by design: only the ledger thread (and step()) asks."""
        now = time.monotonic()
        if self._pause_read_at is None or now - self._pause_read_at >= PAUSE_LOOK_EVERY:
            paused = pause.is_delivery_paused()
            self._pause_read_at = now
            if paused != self._paused:
                if paused:
                    log.warning("delivery paused: events are recorded and held, nothing is sent until it is resumed")
                else:
                    log.info("delivery resumed: held and due deliveries are sent")
                    with self._lock:
                        self._idle.clear()  # everything held meanwhile is due: look at every webhook
            self._paused = paused
        return self._paused

    # -- self-healing (recovery.py decides, recovery_store.py stores) ----------------------------
    def _recovery_round(self) -> None:
        now = time.monotonic()
        if now < self._next_recovery_look or self._loop is None:
            return
        self._next_recovery_look = now + RECOVERY_LOOK_EVERY
        probes = self._lease_probes()
        if probes:
            self._loop.call_soon_threadsafe(self._launch_probes, probes)

    def _lease_probes(self) -> list[recovery_store.Probe]:
        """Plan the first probe of failed webhooks that have none, and lease the due ones. While
        delivery is paused no probe goes out either: a copy of the site must not reach receivers."""
        if self._delivery_paused():
            return []
        now = utcnow()
        return recovery_store.lease_due_probes(now, now + timedelta(seconds=lease_seconds(self.settings)),
                                               self.settings.recovery_interval)

    def _finish_probes(self, probes: list[tuple[recovery_store.Probe, ledger.AttemptRecord]]) -> None:
        for position, (probe, record) in enumerate(probes):
            try:
                recovered = recovery_store.finish_probe(probe, record, self.settings.retry_delays,
                                                        self.settings.recovery_interval)
            except (OperationalError, InterfaceError):
                with self._lock:  # the database is away: keep them for the next round
                    self._probe_records = probes[position:] + self._probe_records
                raise
            except Exception:
                log.exception("webhook %s: the recovery probe's attempt could not be stored; it will be probed again",
                              probe.webhook.id, extra=about(record.delivery_id, probe.webhook.id, record.event))
                continue
            if recovered:
                self.wake()  # its held deliveries are due

    def _housekeeping(self) -> None:
        if time.monotonic() - self._last_housekeeping < HOUSEKEEPING_EVERY:
            return
        self._last_housekeeping = time.monotonic()
        forgotten = intake.forget_old_event_ids()
        if forgotten:
            log.info("forgot %d event ids older than %d days", forgotten, intake.SEEN_EVENT_DAYS)
