"""What the daemon tells its operators over HTTP: `/healthz` for probes and `/metrics` for Prometheus.

`/healthz` answers 200 while every watch of every enabled channel polls cleanly, and 503 once
one has been silent longer than expected — twice its poll interval or
`thresholds.stale_after_minutes`, whichever is longer: `socialcx status`'s rule for stale, from
`socialcx.ops.status` — with each watch's last success, lag and throttling in the JSON either
way, and which replica (this one is `replica`) holds which lease. Silent channel death is what
operators of peers complain about most; a probe that fails is the cheapest cure.

`/metrics` serves a registry of its own (never prometheus-client's global one, so several
daemons in one test process do not collide). Counters of what this process did (polls,
mentions, errors, throttles, triage latency) are kept in memory; what the store knows for
every process (inbox depth, SLA breaches, budgets, auto-replies sent, alerts raised) is read
from it at each scrape.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.engine import Engine

from socialcx.care.inbox import ACTIVE
from socialcx.clock import Clock
from socialcx.collect.budget import ReadBudget
from socialcx.collect.poller import WatchPoll
from socialcx.config import Settings
from socialcx.ops.status import expected_within, lease_status, poll_lag
from socialcx.store import AlertEvent, InboxItem, OutboxReply, PollState

__all__ = ["DaemonMetrics", "WatchHealth", "health_app", "watch_health"]


@dataclass(frozen=True, slots=True)
class WatchHealth:
    """Whether one watch on one channel is being polled as often as it should be."""

    channel: str
    watch: str
    last_success_at: datetime | None
    lag_seconds: float  # since the last clean poll (or since the daemon started, before the first)
    expected_within_seconds: float
    throttled_until: datetime | None
    consecutive_failures: int
    last_error: str | None

    @property
    def silent(self) -> bool:
        return self.lag_seconds > self.expected_within_seconds


def watch_health(engine: Engine, settings: Settings, clock: Clock, since: datetime | None = None) -> list[WatchHealth]:
    """The health of every watch on every enabled channel. A watch never polled cleanly counts
    its lag from `since`, when the daemon started; without it, such a watch is silent once a
    poll of it has failed, and not before it was ever polled."""
    table = PollState.__table__
    with engine.connect() as connection:
        states = {(row["channel"], row["watch"]): row for row in connection.execute(sa.select(table)).mappings()}
    now = clock.now()
    report = []
    for channel in settings.channels.enabled():
        expected = expected_within(settings, channel).total_seconds()
        for watch in (watch for watch in settings.watches if channel in watch.channels):
            state = states.get((channel.value, watch.name), {})
            success = state.get("last_success_at")
            report.append(
                WatchHealth(
                    channel=channel.value,
                    watch=watch.name,
                    last_success_at=success,
                    lag_seconds=poll_lag(now, success, bool(state.get("last_error")), since),
                    expected_within_seconds=expected,
                    throttled_until=state.get("throttled_until"),
                    consecutive_failures=state.get("consecutive_failures", 0),
                    last_error=state.get("last_error"),
                )
            )
    return report


class DaemonMetrics:
    """The daemon's Prometheus metrics, in `registry`."""

    def __init__(self, engine: Engine, settings: Settings, clock: Clock) -> None:
        self.registry = CollectorRegistry()
        self.polls = Counter("socialcx_polls", "Polls of a watch that ran.", ["channel"], registry=self.registry)
        self.mentions = Counter("socialcx_mentions_ingested", "New mentions stored.", ["channel"], registry=self.registry)
        self.errors = Counter("socialcx_poll_errors", "Polls that failed.", ["channel"], registry=self.registry)
        self.throttles = Counter(
            "socialcx_throttles", "Polls the platform throttled (429 or rate-limit headers).", ["channel"], registry=self.registry
        )
        self.job_errors = Counter(
            "socialcx_job_errors", "Scheduled jobs that ended with an unexpected error.", ["job"], registry=self.registry
        )
        self.triage_seconds = Histogram(
            "socialcx_triage_seconds", "Time to triage one batch of new mentions.", registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
        )
        self.registry.register(_StoreCollector(engine, settings, clock))

    def count(self, poll: WatchPoll) -> None:
        """Count one watch's poll as the poller reported it."""
        channel = poll.channel.value
        if poll.skipped is not None:
            return
        self.polls.labels(channel).inc()
        self.mentions.labels(channel).inc(poll.new)
        if poll.error is not None:
            self.errors.labels(channel).inc()
        if poll.throttled_until is not None:
            self.throttles.labels(channel).inc()

    def exposition(self) -> bytes:
        """The Prometheus text format. Blocking: it reads the store."""
        return generate_latest(self.registry)


class _StoreCollector(Collector):
    """Figures read from the store at each scrape, the same whichever process serves them."""

    def __init__(self, engine: Engine, settings: Settings, clock: Clock) -> None:
        self._engine, self._settings, self._clock = engine, settings, clock

    def collect(self) -> Iterator[Metric]:
        now = self._clock.now()
        inbox, outbox, events = InboxItem.__table__, OutboxReply.__table__, AlertEvent.__table__
        depth = GaugeMetricFamily("socialcx_inbox_depth", "Inbox items waiting for a person.", labels=["priority"])
        overdue = GaugeMetricFamily("socialcx_sla_breaches", "Inbox items waiting past their SLA due time.", labels=["priority"])
        with self._engine.connect() as connection:
            waiting = sa.select(inbox.c.priority, sa.func.count()).where(inbox.c.status.in_(ACTIVE)).group_by(inbox.c.priority)
            counts = dict(connection.execute(waiting).all())
            late = dict(connection.execute(waiting.where(inbox.c.due_at < now)).all())
            auto = connection.execute(
                sa.select(sa.func.count()).where(outbox.c.origin == "auto", outbox.c.state == "sent")
            ).scalar_one()
            raised = connection.execute(sa.select(sa.func.count()).where(events.c.kind == "raised")).scalar_one()
        for priority in ("critical", "high", "normal", "low"):
            depth.add_metric([priority], counts.get(priority, 0))
            overdue.add_metric([priority], late.get(priority, 0))
        yield depth
        yield overdue
        yield CounterMetricFamily("socialcx_auto_replies_sent", "Automatic replies posted (all processes).", value=auto)
        yield CounterMetricFamily("socialcx_alerts_raised", "Spike alerts raised (all processes).", value=raised)
        budget = GaugeMetricFamily(
            "socialcx_read_budget_left", "Requests left in a channel's read budget.", labels=["channel", "period"]
        )
        for channel in self._settings.channels.enabled():
            status = ReadBudget(self._engine, channel, self._settings.channels.get(channel), self._clock).status()
            for period, left in (("window", status.window_left), ("month", status.month_left)):
                if left is not None:
                    budget.add_metric([channel.value, period], left)
        yield budget


def health_app(
    engine: Engine, settings: Settings, clock: Clock, metrics: DaemonMetrics, since: datetime, replica: str | None = None
) -> web.Application:
    """The daemon's HTTP face: `/healthz` and `/metrics`; the store is read in worker threads.
    `replica` names the daemon among the replicas sharing the store."""

    async def healthz(request: web.Request) -> web.Response:
        watches = await asyncio.to_thread(watch_health, engine, settings, clock, since)
        leases = await asyncio.to_thread(_leases, engine, clock)
        silent = [f"{watch.channel}/{watch.watch}" for watch in watches if watch.silent]
        body = {
            "status": "silent" if silent else "ok", "silent": silent, "watches": [_json(watch) for watch in watches],
            "replica": replica, "leases": leases,
        }
        return web.json_response(body, status=503 if silent else 200)

    async def metrics_page(request: web.Request) -> web.Response:
        body = await asyncio.to_thread(metrics.exposition)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics_page)
    return app


def _leases(engine: Engine, clock: Clock) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        return [_json(lease) for lease in lease_status(connection, clock.now())]


def _json(row: Any) -> dict[str, Any]:
    fields = asdict(row) | ({"silent": row.silent} if isinstance(row, WatchHealth) else {})
    return {key: value.isoformat() if isinstance(value, datetime) else value for key, value in fields.items()}
