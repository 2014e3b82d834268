"""`socialcx run`: one asyncio process that polls, triages, spots spikes, answers and mails, unattended.

    poll:<channel>:<watch>  every poll_interval_seconds (+ up to 10% jitter)
        └─ poll_once (triage inside ingest, one transaction)
    route       every 15 s, and at once when a poll stored something ─▶ Pipeline.route
    spikes      every [spikes] bucket_minutes: judge the buckets that closed ─▶ alert emails, sent at once (Pipeline.judge_spikes)
    outbox      every 15 s, and at once when routing queued a reply or a statement ─▶ Pipeline.send
    mail        every minute: yesterday's digest (once, in the inbox's time zone), then deliver
    health      every minute: a silent watch is logged and mailed (queue_silent_watches)
    retention   every hour: raw payloads older than [retention] raw_payload_days become {}
    lead        every 2 s: take or renew the leader lease

Several replicas (processes on one PostgreSQL database) share the work through leases
(`socialcx.store.leases`), never a shared job store: each watch's poll holds its lease and keeps
it for most of an interval, so each watch is polled once an interval by whichever replica comes
first; route, spikes, mail, health and retention run only on the replica holding the `leader`
lease, which moves to another within `LEADER_SECONDS` when its holder dies; every replica sends
from the outbox, whose rows are claimed one sender each.

The route, spikes and outbox jobs are the links of `socialcx.pipeline`, the chain `socialcx poll`
runs in one go. APScheduler 3's `AsyncIOScheduler` runs the jobs on the event loop; everything that blocks
(the store, smtplib, the synchronous platform clients) runs in worker threads, so one slow or
throttled channel never holds up the others. The watches of one channel take turns, as in
`poll_once`: rate limits and read budgets are per channel. Routing runs one pass at a time,
never alongside judging spikes (each opens an incident for a new alert).

The schedule runs on the wall clock, divided by the clock's `speed` when it has one (the
demo's `SimulatedClock`), so intervals keep their meaning in simulated time; every job reads
"now" from the injected clock.

On SIGTERM or SIGINT nothing new starts; the jobs in flight get `STOP_GRACE` seconds to end
(a batch is stored with its cursor in one transaction, or not at all), the rest are
cancelled, and the process exits well within 10 s. The next start resumes from the stored
cursors; the outbox and the mail queue make sure nothing is sent twice.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
import signal
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from prometheus_client import Histogram
from sqlalchemy.engine import Engine

from connectors import available, connector_class
from connectors.base import Connector
from socialcx.care import surge
from socialcx.care.outbox import LANES
from socialcx.care.playbook import Playbook, playbook_for
from socialcx.channels import Channel
from socialcx.clock import Clock
from socialcx.collect.ingest import Triager
from socialcx.collect.poller import PollTurn, WatchPoll, poll_once
from socialcx.config import Settings
from socialcx.errors import ConfigError
from socialcx.ops.alerts import deliver, queue_digest, queue_silent_watches
from socialcx.ops.health import DaemonMetrics, health_app, watch_health
from socialcx.ops.logs import log_context
from socialcx.pipeline import Pipeline
from socialcx.store import Mention
from socialcx.store.leases import LEADER, release_lease, replica_id, take_lease

__all__ = ["Daemon", "prune_raw_payloads", "run_until_stopped"]

logger = logging.getLogger(__name__)

POLL_JITTER = 0.1  # of the interval: watches on one schedule drift apart instead of bunching up
ROUTE_SECONDS = 15
OUTBOX_SECONDS = 15
RESOLVE_SECONDS = 30  # conversations: customers' answers read, plans moved, private messages sent
MAIL_SECONDS = 60
HEALTH_SECONDS = 60
RETENTION_SECONDS = 3600
# On an accelerated clock no job is scheduled more often than this (a wake runs it at once): a
# poll four times a wall second, the others once, so bookkeeping does not eat the time for work.
MIN_POLL_WALL_SECONDS = 0.25
MIN_JOB_WALL_SECONDS = 1.0
SPARE_THREADS = 6  # worker threads for the store and SMTP besides one a watch
STOP_GRACE = 5.0  # wall seconds for the jobs in flight after SIGTERM; the rest of 10 s is for closing
LEAD_SECONDS = 2.0  # wall seconds between renewals of the leader lease (and tries to take it over)
LEADER_SECONDS = 10.0  # wall seconds an unrenewed leader lease lasts: how long a dead leader's work waits
LEADER_JOBS = frozenset({"spikes", "route", "mail", "health", "retention"})  # run by one replica for all
PRUNE_CHUNK = 1000  # mentions per transaction, so that pruning never holds the store for long


class Daemon:
    """The scheduler and its jobs over one store. `run` serves until `stop` is set; the job
    methods (`poll`, `judge_spikes`, `send_replies`, `mail`, `check_health`, `prune`) can also be called
    directly, which is how tests drive a daemon on a manual clock.

    Without `triage`, mentions are stored untriaged and nothing is routed.
    """

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        clock: Clock,
        *,
        triage: Triager | None = None,
        playbook: Playbook | None = None,
    ) -> None:
        self.settings, self.engine, self.clock = settings, engine, clock
        self.metrics = DaemonMetrics(engine, settings, clock)
        self.triage = _TimedTriager(triage, self.metrics.triage_seconds) if triage is not None else None
        self.playbook = playbook or playbook_for(settings)
        self.pipeline = Pipeline(settings, engine, clock, self.playbook)
        self.started_at = clock.now()
        self.replica = replica_id()  # this process among the replicas sharing the store
        self.leading = False  # whether it held the leader lease when it last looked
        self.address: str | None = None  # the base URL of /healthz and /metrics, once `run` listens
        self.ready = asyncio.Event()
        self._speed = float(getattr(clock, "speed", 1.0))
        self._connectors: dict[Channel, Connector] = {}  # for polling, one poll of a channel at a time
        self._senders: dict[Channel, list[Connector]] = {}  # for the outbox, `LANES` a channel: clients are not shared across threads
        self._channel_turns: defaultdict[Channel, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._routing = asyncio.Lock()  # routing and judging spikes take turns: both open incidents
        self._send_again = False  # replies were queued while the outbox's pass ran (`send_soon`)
        self._running: set[asyncio.Task[Any]] = set()
        self._busy: set[str] = set()  # the names of the jobs running now
        self._scheduler: AsyncIOScheduler | None = None

    # --- Running -------------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Serve health and metrics, run the schedule until `stop` is set, then stop cleanly."""
        runner = web.AppRunner(
            health_app(self.engine, self.settings, self.clock, self.metrics, self.started_at, self.replica), access_log=None
        )
        await runner.setup()
        try:
            host, port = self.settings.daemon.http_host, self.settings.daemon.http_port
            try:
                await web.TCPSite(runner, host, port).start()
            except OSError as exc:
                raise ConfigError(
                    f"[daemon] cannot listen on {host}:{port} ({exc.strerror or exc}); set another http_port"
                ) from None
            host, port = runner.addresses[0][:2]
            self.address = f"http://{host}:{port}"
            await self._open_connectors()
            self._scheduler = self._schedule()
            self._scheduler.start()
            polls = len([job for job in self._scheduler.get_jobs() if job.id.startswith("poll:")])
            logger.info("daemon started: %d watches to poll; /healthz and /metrics on %s", polls, self.address)
            self.ready.set()
            await stop.wait()
            logger.info("daemon stopping: no new jobs; waiting up to %.0f s for %d running", STOP_GRACE, len(self._running))
        finally:
            if self._scheduler is not None and self._scheduler.running:
                self._scheduler.pause()  # no new runs; shutdown() would cancel the ones in flight
            await self._finish_running()
            await self._resign()
            if self._scheduler is not None and self._scheduler.running:
                self._scheduler.shutdown(wait=False)
            for connector in [*self._connectors.values(), *itertools.chain.from_iterable(self._senders.values())]:
                await connector.aclose()
            self._connectors.clear()
            self._senders.clear()
            await runner.cleanup()
        logger.info("daemon stopped")

    def _schedule(self) -> AsyncIOScheduler:
        scheduler = AsyncIOScheduler(timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1})
        start = datetime.now(UTC)  # the scheduler's own time is the wall clock
        for channel in self.settings.channels.enabled():
            if channel not in available():
                continue
            interval = self._wall_seconds(self.settings.channels.get(channel).poll_interval_seconds, MIN_POLL_WALL_SECONDS)
            for watch in self.settings.watches:
                if channel in watch.channels:
                    scheduler.add_job(
                        self._job, IntervalTrigger(seconds=interval, jitter=interval * POLL_JITTER),
                        args=(f"poll:{channel.value}:{watch.name}", self.poll, channel, watch.name),
                        id=f"poll:{channel.value}:{watch.name}", name=f"poll {channel.value}/{watch.name}", next_run_time=start,
                        misfire_grace_time=max(1, math.ceil(interval)),  # a late poll still beats none
                    )
        for name, seconds, work in (
            ("spikes", self.settings.spikes.bucket.total_seconds(), self.judge_spikes),
            ("route", ROUTE_SECONDS, self.route),
            ("resolve", RESOLVE_SECONDS, self.resolve),
            ("outbox", OUTBOX_SECONDS, self.send_replies),
            ("mail", MAIL_SECONDS, self.mail),
            ("health", HEALTH_SECONDS, self.check_health),
            ("retention", RETENTION_SECONDS, self.prune),
        ):
            every = self._wall_seconds(seconds, MIN_JOB_WALL_SECONDS)
            scheduler.add_job(
                self._job, IntervalTrigger(seconds=every), args=(name, work), id=name, name=name,
                next_run_time=start, misfire_grace_time=max(1, math.ceil(every)),
            )
        scheduler.add_job(
            self._job, IntervalTrigger(seconds=LEAD_SECONDS), args=("lead", self.lead), id="lead", name="lead",
            next_run_time=start, misfire_grace_time=1,
        )
        return scheduler

    def _wall_seconds(self, seconds: float, floor: float) -> float:
        """An interval of the clock's time in wall seconds, at least `floor` on an accelerated clock."""
        return max(seconds / self._speed, floor) if self._speed != 1.0 else seconds

    async def _job(self, name: str, work: Callable[..., Awaitable[Any]], *args: Any) -> None:
        """Run one job, known to the shutdown; an unexpected error is logged and counted, and the
        job runs again on schedule."""
        task = asyncio.current_task()
        assert task is not None
        self._running.add(task)
        self._busy.add(name)
        try:
            with log_context(job=name.split(":")[0]):
                if name not in LEADER_JOBS or await self.lead():
                    await work(*args)
        except asyncio.CancelledError:  # cut short by the shutdown: its batch committed or rolled back
            logger.info("job %s stopped by the shutdown", name)
        except Exception:
            self.metrics.job_errors.labels(name.split(":")[0]).inc()
            logger.exception("job %s failed; it runs again on schedule", name)
        finally:
            self._running.discard(task)
            self._busy.discard(name)

    async def _finish_running(self) -> None:
        running = set(self._running)
        if not running:
            return
        _, late = await asyncio.wait(running, timeout=STOP_GRACE)
        for task in late:
            task.cancel()  # a batch being stored finishes in its thread: committed or rolled back
        if late:
            logger.warning("daemon stopping: %d jobs cut short; they resume from the stored cursors", len(late))
            await asyncio.wait(late, timeout=1.0)

    def _wake(self, job_id: str) -> None:
        """Run a job now instead of at its next turn."""
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.modify_job(job_id, next_run_time=datetime.now(UTC))

    async def _resign(self) -> None:
        """Give the leader lease up on the way out, so that another replica leads at once."""
        if self.leading:
            try:
                await asyncio.to_thread(release_lease, self.engine, LEADER, self.replica)
            except sa.exc.SQLAlchemyError as exc:
                logger.warning("leader lease not given up (%s); it runs out in %.0f s", exc.__class__.__name__, LEADER_SECONDS)
            self.leading = False

    # --- Jobs --------------------------------------------------------------------------------

    async def lead(self) -> bool:
        """Take or renew the leader lease; whether this replica leads now. A replica that has
        just become the leader runs the leader's jobs at once (those not running already)."""
        now = self.clock.now()
        until = now + timedelta(seconds=LEADER_SECONDS * self._speed)
        leading = await asyncio.to_thread(take_lease, self.engine, LEADER, self.replica, now=now, until=until)
        if leading != self.leading:
            self.leading = leading
            logger.info("replica %s %s", self.replica, "leads: it runs spikes, routing, mail, health and retention" if leading else "no longer leads")
            for job in LEADER_JOBS - self._busy if leading else ():
                self._wake(job)
        return leading

    async def poll(self, channel: Channel, watch: str) -> list[WatchPoll]:
        """Poll one watch on one channel (unless another replica polled it this interval), and
        have what came in routed at once."""
        interval = timedelta(seconds=self.settings.channels.get(channel).poll_interval_seconds)
        turn = PollTurn(self.replica, keep=interval * (1 - POLL_JITTER))
        with log_context(channel=channel.value, watch=watch):
            async with self._channel_turns[channel]:
                polls = await poll_once(
                    self.settings, self.engine, self.clock, channels=(channel,), watches=(watch,),
                    connectors={channel: self._connector(channel)}, triage=self.triage, turn=turn,
                )
            for result in polls:
                self.metrics.count(result)
                _log_poll(result)
        if self.triage is not None and any(result.new for result in polls):
            self._wake("route")
        return polls

    async def route(self) -> None:
        """Route every triaged mention not routed yet, one pass at a time (each reads all that is
        stored), and send at once if that queued an auto-reply or a statement (a new member of an
        approved incident). Untriaged stores route nothing."""
        if self.triage is None:
            return
        async with self._routing:
            decisions = await asyncio.to_thread(self.pipeline.route)
        outcomes = {decision.outcome for decision in decisions}
        if outcomes & {"auto_reply", "resolve"} or ("incident" in outcomes and await asyncio.to_thread(self._delivering)):
            self.send_soon()
        if "resolve" in outcomes:
            self._wake("resolve")

    async def resolve(self) -> None:
        """Move the conversations of transactional mentions: read the customers' private answers,
        act in the commerce system within the policy, send the private messages."""
        resolved = await self.pipeline.resolve({channel: lanes[0] for channel, lanes in self._senders.items()})
        if resolved.moved or resolved.read:
            logger.info(
                "resolve: %d answers read, %d conversations moved, %d private messages sent",
                resolved.read, len(resolved.moved), resolved.private.sent,
            )

    def _delivering(self) -> bool:
        with self.engine.connect() as connection:
            return surge.delivering(connection)

    def send_soon(self) -> None:
        """Have the outbox send now what was queued (by a routing pass, or by an approval): at
        once, or right after the pass running now, which read what was due before it was queued."""
        self._send_again = True
        self._wake("outbox")

    async def judge_spikes(self) -> None:
        """Judge the buckets that closed and settled, and send the alert emails that follow at
        once: the care team learns of an incident (and its statement to approve) in this pass."""
        async with self._routing:
            judged = await asyncio.to_thread(self.pipeline.judge_spikes)
        for incident in judged.changed:
            logger.warning("spike alert #%s on %s (%s · %s): %s", incident.id, incident.watch, incident.channel, incident.slice, incident.status)
        if judged.mail_queued:
            await asyncio.to_thread(deliver, self.engine, self.settings, self.clock)


    async def send_replies(self) -> None:
        """Send what is due; once more at once if `send_soon` was called meanwhile."""
        self._send_again = True
        while self._send_again:
            self._send_again = False
            report = await self.pipeline.send(self._senders)
            if report.sent or report.recovered or report.retrying or report.failed:
                logger.info(
                    "outbox: %d sent, %d found already posted, %d to retry, %d failed, %d held",
                    report.sent, report.recovered, report.retrying, report.failed, report.held,
                )

    async def mail(self) -> None:
        """Queue yesterday's digest (once: its key is the day; not for a day before the store
        held any mention), then send every email due."""
        today = self.clock.now().astimezone(self.settings.inbox.zone).replace(hour=0, minute=0, second=0, microsecond=0)
        yesterday = (today - timedelta(days=1)).date()
        if await asyncio.to_thread(_monitored_before, self.engine, today) and await asyncio.to_thread(
            queue_digest, self.engine, self.settings, self.clock, yesterday
        ):
            logger.info("mail: digest of %s queued", yesterday)
        await asyncio.to_thread(deliver, self.engine, self.settings, self.clock)

    async def check_health(self) -> None:
        """Log the watches gone silent and mail each silence once."""
        for watch in await asyncio.to_thread(watch_health, self.engine, self.settings, self.clock, self.started_at):
            if watch.silent:
                with log_context(channel=watch.channel, watch=watch.watch):
                    logger.error(
                        "silent: no clean poll for %.0f s (expected within %.0f s); last error: %s",
                        watch.lag_seconds, watch.expected_within_seconds, watch.last_error or "none",
                    )
        if await asyncio.to_thread(queue_silent_watches, self.engine, self.settings, self.clock, self.started_at):
            self._wake("mail")

    async def prune(self) -> None:
        before = self.clock.now() - timedelta(days=self.settings.retention.raw_payload_days)
        if pruned := await asyncio.to_thread(prune_raw_payloads, self.engine, before):
            logger.info("retention: dropped the raw payloads of %d mentions fetched before %s", pruned, before.date())

    def _connector(self, channel: Channel) -> Connector:
        """One connector per channel for the daemon's life: its session and token are reused."""
        if channel not in self._connectors:
            self._connectors[channel] = self._new_connector(channel)
        return self._connectors[channel]

    def _new_connector(self, channel: Channel) -> Connector:
        return connector_class(channel)(self.settings.channels.get(channel), self.settings, clock=self.clock)

    async def _open_connectors(self) -> None:
        """Make every channel's connectors, for polling and for sending, before the first poll and
        in worker threads: importing a client library takes seconds and must not hold up the event
        loop. Blocking work gets a thread per watch to poll, one per sending client, and some for the other jobs."""
        channels = [channel for channel in self.settings.channels.enabled() if channel in available()]
        watches = sum(channel in watch.channels for channel in channels for watch in self.settings.watches)
        threads = watches + LANES * len(channels) + SPARE_THREADS
        asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=threads))
        for channel in channels:
            await asyncio.to_thread(self._connector, channel)
            self._senders[channel] = [await asyncio.to_thread(self._new_connector, channel) for _ in range(LANES)]


class _TimedTriager:
    """A triager that reports how long each batch took to the triage-latency histogram."""

    def __init__(self, triager: Triager, seconds: Histogram) -> None:
        self._triager, self._seconds = triager, seconds
        self.version = triager.version

    def triage(self, texts: Sequence[str]) -> Sequence[Any]:
        started = time.perf_counter()
        try:
            return self._triager.triage(texts)
        finally:
            self._seconds.observe(time.perf_counter() - started)


def _log_poll(result: WatchPoll) -> None:
    if result.error is not None:
        logger.warning("poll failed: %s", result.error)
    elif result.skipped is not None:
        logger.info("poll skipped: %s", result.skipped)
    else:
        throttled = f"; throttled until {result.throttled_until:%H:%M:%S} UTC" if result.throttled_until else ""
        logger.info(
            "polled: %d new, %d duplicates, %d dead letters in %d requests%s",
            result.new, result.duplicates, result.dead_letters, result.requests, throttled,
        )


def _monitored_before(engine: Engine, moment: datetime) -> bool:
    """Whether any mention was fetched before `moment`: a fresh store has no yesterday to digest."""
    with engine.connect() as connection:
        return connection.execute(sa.select(Mention.id).where(Mention.fetched_at < moment).limit(1)).first() is not None


def prune_raw_payloads(engine: Engine, before: datetime) -> int:
    """Replace the raw payload of every mention fetched before `before` with `{}`; the mention,
    its triage, counts and alerts stay. Returns how many were pruned."""
    table = Mention.__table__
    kept = sa.and_(table.c.fetched_at < before, sa.cast(table.c.raw, sa.Text) != "{}")
    pruned = 0
    while True:
        with engine.begin() as connection:
            ids = connection.execute(sa.select(table.c.id).where(kept).limit(PRUNE_CHUNK)).scalars().all()
            if not ids:
                return pruned
            connection.execute(sa.update(table).where(table.c.id.in_(ids)).values(raw={}))
        pruned += len(ids)


async def run_until_stopped(settings: Settings, engine: Engine, clock: Clock) -> None:
    """What `socialcx run` runs: load the playbook and the triage model, then serve until
    SIGTERM or SIGINT."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, _stopping, signum, stop)
    playbook = playbook_for(settings)  # a broken playbook stops the start, before anything is fetched
    from socialcx import triage

    logger.info("loading the triage model")
    model = await asyncio.to_thread(triage.default_model)
    if stop.is_set():
        return
    await Daemon(settings, engine, clock, triage=model, playbook=playbook).run(stop)


def _stopping(signum: int, stop: asyncio.Event) -> None:
    logger.info("%s received: stopping", signal.Signals(signum).name)
    stop.set()
