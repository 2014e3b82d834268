"""What `socialcx status` shows: how much is stored per channel and watch, how polling is
going, what is left of each read budget, what went to dead letters, and which replica holds
which lease. The rule for a stale watch (`poll_lag`, `expected_within`) lives here and `/healthz`
uses it too, so the two never disagree."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from socialcx.channels import Channel
from socialcx.clock import Clock
from socialcx.collect.budget import BudgetStatus, ReadBudget
from socialcx.config import Settings
from socialcx.store import Cursor, DeadLetter, Mention, MentionTriage, PollState, current_revision, redact
from socialcx.store.leases import holders

__all__ = [
    "DeadLetterSummary",
    "IntentSummary",
    "LeaseStatus",
    "StatusReport",
    "WatchStatus",
    "expected_within",
    "lease_status",
    "poll_lag",
    "status_report",
]


def expected_within(settings: Settings, channel: Channel) -> timedelta:
    """How long a watch may go without a clean poll before it is stale: twice its channel's
    poll interval or `thresholds.stale_after_minutes`, whichever is longer."""
    interval = timedelta(seconds=settings.channels.get(channel).poll_interval_seconds)
    return max(2 * interval, timedelta(minutes=settings.thresholds.stale_after_minutes))


def poll_lag(now: datetime, last_success_at: datetime | None, failed: bool, since: datetime | None = None) -> float:
    """Seconds since the last clean poll. A watch never polled cleanly counts from `since` (when
    the daemon started); without it, it is late for good once a poll of it failed, and not late
    before any poll ran. Stale means a lag longer than `expected_within`."""
    if last_success_at or since:
        return max((now - (last_success_at or since)).total_seconds(), 0.0)  # type: ignore[operator]
    return math.inf if failed else 0.0


@dataclass(frozen=True, slots=True)
class LeaseStatus:
    """One lease: the work (`leader`, or `poll:<channel>:<watch>`), the replica holding it, until when."""

    name: str
    holder: str
    expires_at: datetime
    held: bool  # false once expired: free for any replica


def lease_status(connection: sa.Connection, now: datetime) -> list[LeaseStatus]:
    """Every lease in the store, and whether it is still held at `now`."""
    return [LeaseStatus(row.name, row.holder, row.expires_at, row.expires_at > now) for row in holders(connection)]


@dataclass(frozen=True, slots=True)
class WatchStatus:
    """One watch on one channel: what is stored and whether polling is keeping up."""

    channel: str
    watch: str
    enabled: bool
    mentions: int
    newest: datetime | None
    cursor_advanced_at: datetime | None
    last_success_at: datetime | None
    throttled_until: datetime | None
    last_error: str | None
    stale: bool


@dataclass(frozen=True, slots=True)
class DeadLetterSummary:
    """The dead letters of one watch on one channel: how many, how many are still being looked
    up again, how many a person must look at (`socialcx inbox list` shows those with a post id),
    and the newest one's reason."""

    channel: str
    watch: str
    count: int
    retrying: int
    unreadable: int
    latest_at: datetime
    latest_reason: str


@dataclass(frozen=True, slots=True)
class IntentSummary:
    """How many stored mentions triage gave an intent, and how many of them a person must see."""

    intent: str
    mentions: int
    routine: int
    abstained: int
    risky: int


@dataclass(frozen=True, slots=True)
class StatusReport:
    database: str
    revision: str | None
    watches: list[WatchStatus]
    dead_letters: list[DeadLetterSummary]
    budgets: list[BudgetStatus]
    intents: list[IntentSummary]
    leases: list[LeaseStatus]

    @property
    def total_mentions(self) -> int:
        return sum(watch.mentions for watch in self.watches)


def status_report(engine: Engine, settings: Settings, clock: Clock) -> StatusReport:
    """Status of every configured (channel, watch) pair and of any other pair found in the store.

    A pair is stale when its channel is enabled and its `poll_lag` is longer than
    `expected_within`, the rule `/healthz` uses.
    """
    mention, cursor, dead, poll = Mention.__table__, Cursor.__table__, DeadLetter.__table__, PollState.__table__
    with engine.connect() as connection:
        counts = {
            (row.channel, row.watch): (row.count, row.newest)
            for row in connection.execute(
                sa.select(
                    mention.c.channel,
                    mention.c.watch,
                    sa.func.count().label("count"),
                    sa.func.max(mention.c.created_at).label("newest"),
                ).group_by(mention.c.channel, mention.c.watch)
            )
        }
        cursors = {
            (row.channel, row.watch): row.advanced_at
            for row in connection.execute(sa.select(cursor.c.channel, cursor.c.watch, cursor.c.advanced_at))
        }
        polls = {
            (row["channel"], row["watch"]): row
            for row in connection.execute(sa.select(poll)).mappings()
        }
        dead_letters = _dead_letters(connection, dead)
        intents = _intents(connection)
        leases = lease_status(connection, clock.now())

    configured = {
        (channel.value, watch.name) for watch in settings.watches for channel in watch.channels
    }
    now = clock.now()
    rows = []
    for pair in sorted(configured | counts.keys() | cursors.keys() | polls.keys(), key=_pair_order):
        channel, watch = pair
        enabled = pair in configured and settings.channels.get(Channel(channel)).enabled
        count, newest = counts.get(pair, (0, None))
        state = polls.get(pair, {})
        success = state.get("last_success_at")
        rows.append(
            WatchStatus(
                channel=channel,
                watch=watch,
                enabled=enabled,
                mentions=count,
                newest=newest,
                cursor_advanced_at=cursors.get(pair),
                last_success_at=success,
                throttled_until=state.get("throttled_until"),
                last_error=state.get("last_error"),
                stale=enabled and _stale(settings, channel, now, state),
            )
        )
    return StatusReport(
        database=redact(engine.url.render_as_string(hide_password=False)),
        revision=current_revision(engine),
        watches=rows,
        dead_letters=dead_letters,
        budgets=[
            ReadBudget(engine, channel, settings.channels.get(channel), clock).status()
            for channel in settings.channels.enabled()
        ],
        intents=intents,
        leases=leases,
    )


def _stale(settings: Settings, channel: str, now: datetime, state: Any) -> bool:
    lag = poll_lag(now, state.get("last_success_at"), bool(state.get("last_error")))
    return lag > expected_within(settings, Channel(channel)).total_seconds()


def _intents(connection: sa.Connection) -> list[IntentSummary]:
    triage = MentionTriage.__table__
    risky = sa.func.sum(sa.case((sa.cast(triage.c.risks, sa.String) != "[]", 1), else_=0))
    query = (
        sa.select(
            triage.c.intent,
            sa.func.count(),
            sa.func.sum(sa.case((triage.c.routine, 1), else_=0)),
            sa.func.sum(sa.case((triage.c.abstained, 1), else_=0)),
            risky,
        )
        .group_by(triage.c.intent)
        .order_by(sa.func.count().desc(), triage.c.intent)
    )
    return [IntentSummary(*row) for row in connection.execute(query)]


def _dead_letters(connection: sa.Connection, dead: sa.Table) -> list[DeadLetterSummary]:
    latest = (
        sa.select(
            dead.c.channel,
            dead.c.watch,
            sa.func.count().label("count"),
            _in_state(dead, "retrying").label("retrying"),
            _in_state(dead, "unreadable").label("unreadable"),
            sa.func.max(dead.c.id).label("latest_id"),
        )
        .group_by(dead.c.channel, dead.c.watch)
        .subquery()
    )
    query = sa.select(
        latest.c.channel, latest.c.watch, latest.c.count, latest.c.retrying, latest.c.unreadable,
        dead.c.created_at, dead.c.reason,
    ).join(dead, dead.c.id == latest.c.latest_id)
    return [
        DeadLetterSummary(
            row.channel, row.watch, row.count, row.retrying, row.unreadable, row.created_at, row.reason
        )
        for row in connection.execute(query.order_by(latest.c.channel, latest.c.watch))
    ]


def _in_state(dead: sa.Table, state: str) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((dead.c.state == state, 1), else_=0)), 0)


def _pair_order(pair: tuple[str, str]) -> tuple[int, str]:
    channel, watch = pair
    order = [c.value for c in Channel]
    return (order.index(channel) if channel in order else len(order), watch)
