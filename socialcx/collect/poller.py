"""One polling pass: every enabled channel, every watch on it, through its connector into ingest.

Channels are polled concurrently, the watches of one channel one after another (rate limits
and budgets are per channel). The watch polled longest ago goes first, so a budget too small
for everyone is shared in turn. A throttled watch is skipped until its reset time; a failing
one is reported and retried on the next pass. What happened is kept in `poll_state`. After a
clean poll, the watch's due dead letters are looked up again (`ingest.retry_dead_letters`).
Each watch's poll holds the lease `poll:<channel>:<watch>` (see `PollTurn`): replicas sharing
the database never poll one watch at once, nor (with `keep`) twice in one interval.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from connectors import available, connector_class
from connectors.base import Connector, ConnectorError, PollResult
from socialcx.channels import Channel
from socialcx.clock import Clock
from socialcx.collect.budget import ReadBudget
from socialcx.collect.ingest import (
    IngestReport,
    RetryReport,
    Triager,
    ingest,
    load_cursor,
    retry_dead_letters,
)
from socialcx.config import Settings, WatchConfig
from socialcx.errors import IngestError
from socialcx.store import PollState, database_reason, dialect_insert
from socialcx.store.leases import release_lease, replica_id, take_lease

__all__ = ["POLL_LEASE", "PollTurn", "WatchPoll", "poll_once"]

_log = logging.getLogger(__name__)
_GIVE_UP_AT_ONCE = 1_000  # dead letters per poll handed to people on a channel that cannot look posts up
# A poll's lease, renewed every quarter of it while the poll runs: only a dead poller's lapses,
# and its watch is free for another replica within a minute.
POLL_LEASE = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class PollTurn:
    """Who polls: the replica that takes each watch's lease, and for how long after a poll
    starts the watch stays its own (the daemon keeps it for most of an interval, so that
    replicas poll each watch once an interval; a one-off poll gives it up when done)."""

    holder: str = field(default_factory=replica_id)
    keep: timedelta = timedelta(0)


@dataclass(frozen=True, slots=True)
class WatchPoll:
    """What one poll of one watch did, or why it did not run."""

    channel: Channel
    watch: str
    new: int = 0
    duplicates: int = 0
    dead_letters: int = 0
    requests: int = 0
    throttled_until: datetime | None = None
    error: str | None = None
    skipped: str | None = None


async def poll_once(
    settings: Settings,
    engine: Engine,
    clock: Clock,
    *,
    channels: tuple[Channel, ...] = (),
    watches: tuple[str, ...] = (),
    connectors: Mapping[Channel, Connector] | None = None,
    triage: Triager | None = None,
    on_result: Callable[[WatchPoll], None] | None = None,
    turn: PollTurn | None = None,
) -> list[WatchPoll]:
    """Poll each enabled channel (or only `channels`) for each of its watches (or only `watches`).

    `connectors` supplies ready connectors by channel; the others are built from the settings
    and closed afterwards. With `triage`, every new mention is stored with its triage. `on_result`
    is called as each watch finishes, for progress displays. A watch whose lease another
    replica holds is skipped (`turn`: whose poll this is).
    """
    turn = turn or PollTurn()
    jobs = []
    for channel in settings.channels.enabled():
        if (channels and channel not in channels) or channel not in available():
            continue
        pairs = [
            watch for watch in settings.watches
            if channel in watch.channels and (not watches or watch.name in watches)
        ]
        if pairs:
            jobs.append(_poll_channel(settings, engine, clock, channel, pairs, connectors or {}, triage, on_result, turn))
    results = await asyncio.gather(*jobs)
    return [poll for channel_polls in results for poll in channel_polls]


async def _poll_channel(
    settings: Settings,
    engine: Engine,
    clock: Clock,
    channel: Channel,
    watches: list[WatchConfig],
    given: Mapping[Channel, Connector],
    triage: Triager | None,
    on_result: Callable[[WatchPoll], None] | None,
    turn: PollTurn,
) -> list[WatchPoll]:
    config = settings.channels.get(channel)
    connector = given.get(channel) or connector_class(channel)(config, settings, clock=clock)
    budget = ReadBudget(engine, channel, config, clock)
    states = await asyncio.to_thread(_load_states, engine, channel)
    order = sorted(watches, key=lambda w: _polled_at_key(states.get(w.name)))
    polls = []
    try:
        for watch in order:
            poll = await _leased(turn, engine, clock, channel, watch.name, functools.partial(
                _poll_watch, settings, engine, clock, connector, budget, watch, len(order), states.get(watch.name), triage
            ))
            polls.append(poll)
            if on_result:
                on_result(poll)
    finally:
        if channel not in given:
            await connector.aclose()
    return polls


async def _leased(
    turn: PollTurn, engine: Engine, clock: Clock, channel: Channel, watch: str, poll: Callable[[], Awaitable[WatchPoll]]
) -> WatchPoll:
    """`poll` holding the watch's lease; skipped while another replica holds it. A database
    that refuses the lease fails the poll, as it would fail the poll itself."""
    lease, started = f"poll:{channel.value}:{watch}", clock.now()
    try:
        taken = await asyncio.to_thread(take_lease, engine, lease, turn.holder, now=started, until=started + POLL_LEASE)
    except SQLAlchemyError as exc:
        return WatchPoll(channel, watch, error=f"{channel}/{watch}: the database refused the poll ({database_reason(exc)})")
    if not taken:
        return WatchPoll(channel, watch, skipped="polled by another replica")
    done = asyncio.Event()
    renewing = asyncio.create_task(_renew(engine, lease, turn.holder, clock, done))
    try:
        return await poll()
    finally:
        done.set()
        await renewing  # a renewal in flight lands before the release, never after it
        keep = started + turn.keep if turn.keep else None
        try:
            await asyncio.to_thread(release_lease, engine, lease, turn.holder, keep_until=keep)
        except SQLAlchemyError:
            pass  # the lease runs out at POLL_LEASE instead


async def _renew(engine: Engine, lease: str, holder: str, clock: Clock, done: asyncio.Event) -> None:
    """Renew a poll's lease every quarter of POLL_LEASE (wall seconds) until `done`."""
    while True:
        try:
            await asyncio.wait_for(done.wait(), POLL_LEASE.total_seconds() / 4)
            return
        except TimeoutError:
            pass
        now = clock.now()
        try:
            await asyncio.to_thread(take_lease, engine, lease, holder, now=now, until=now + POLL_LEASE)
        except SQLAlchemyError:
            pass  # the database is away: the poll fails on its own, and the lease may lapse


async def _poll_watch(
    settings: Settings,
    engine: Engine,
    clock: Clock,
    connector: Connector,
    budget: ReadBudget,
    watch: WatchConfig,
    sharing: int,
    state: PollState | None,
    triage: Triager | None,
) -> WatchPoll:
    channel, now = connector.channel, clock.now()
    if state is not None and state.throttled_until is not None and state.throttled_until > now:
        return WatchPoll(channel, watch.name, throttled_until=state.throttled_until, skipped="throttled")
    granted = looked_up = 0
    retried = RetryReport()
    result: PollResult | None = None
    failure: str | None = None
    try:
        granted = await asyncio.to_thread(budget.reserve, budget.allowance(sharing))
        if granted == 0:
            status = await asyncio.to_thread(budget.status)
            resets = status.window_resets_at if status.window_left == 0 else status.month_resets_at
            return WatchPoll(channel, watch.name, skipped=f"budget spent until {resets:%Y-%m-%d %H:%M} UTC")
        cursor = await asyncio.to_thread(load_cursor, engine, channel, watch.name)
        result = await connector.poll(watch, cursor, max_requests=granted)
        report = await asyncio.to_thread(
            ingest,
            engine,
            result.batch,
            clock=clock,
            max_text_chars=settings.thresholds.max_text_chars,
            triage=triage,
            spike_bucket=settings.spikes.bucket,
        )
        if result.throttled_until is None and result.error is None:
            retried, looked_up = await _retry_dead_letters(
                settings, engine, clock, connector, watch, granted - result.requests, triage
            )
    # A busy or failing database fails the poll like a failing channel: the cursor stays, so the
    # next poll fetches the same items and ingest stores only what is still missing.
    except (ConnectorError, IngestError) as exc:
        failure = str(exc)
    except SQLAlchemyError as exc:  # reading the budget or the cursor
        failure = f"{channel}/{watch.name}: the database refused the poll ({database_reason(exc)})"
    finally:
        used = result.requests + looked_up if result is not None else granted
        await _refund(budget, granted - used)
    if failure is not None:
        error = await _record(engine, channel, watch.name, clock.now(), None, failure)
        return WatchPoll(channel, watch.name, error=error)
    error = await _record(engine, channel, watch.name, clock.now(), result, result.error)
    return _summary(report, result, retried, looked_up, error)


async def _retry_dead_letters(
    settings: Settings,
    engine: Engine,
    clock: Clock,
    connector: Connector,
    watch: WatchConfig,
    spare: int,
    triage: Triager | None,
) -> tuple[RetryReport, int]:
    """Look the posts of due dead letters up again, with one request the poll left unused (with
    none left they wait for a later poll); returns what it did and the requests it made. A failed
    look-up leaves them due, for the next poll."""
    limit = connector.capabilities.fetch_limit
    if limit and spare < 1:
        return RetryReport(), 0
    try:
        report = await retry_dead_letters(
            engine,
            connector.channel,
            watch.name,
            functools.partial(connector.fetch, watch) if limit else None,
            limit=limit or _GIVE_UP_AT_ONCE,
            clock=clock,
            max_text_chars=settings.thresholds.max_text_chars,
            triage=triage,
            spike_bucket=settings.spikes.bucket,
        )
    except ConnectorError as exc:
        _log.warning("%s/%s: dead letters not looked up again this time: %s", connector.channel, watch.name, exc)
        return RetryReport(), 1
    return report, 1 if report.asked else 0


def _summary(report: IngestReport, result: PollResult, retried: RetryReport, looked_up: int, error: str | None) -> WatchPoll:
    return WatchPoll(
        channel=report.channel,
        watch=report.watch,
        new=report.new + retried.new,
        duplicates=len(report.duplicates),
        dead_letters=report.dead_letters,
        requests=result.requests + looked_up,
        throttled_until=result.throttled_until,
        error=error,
    )


def _polled_at_key(state: PollState | None) -> float:
    if state is None or state.last_polled_at is None:
        return float("-inf")
    return state.last_polled_at.timestamp()


def _load_states(engine: Engine, channel: Channel) -> dict[str, PollState]:
    table = PollState.__table__
    with engine.connect() as connection:
        rows = connection.execute(sa.select(table).where(table.c.channel == channel.value)).mappings()
        return {row["watch"]: PollState(**row) for row in rows}


async def _record(
    engine: Engine, channel: Channel, watch: str, now: datetime, result: PollResult | None, error: str | None
) -> str | None:
    """Remember how the poll went: when it last completed cleanly, throttling, and failures in a row.

    Returns the poll's error, with why the poll state could not be saved when the database refused
    it; the state is only bookkeeping, so the poll's mentions and cursor stand either way."""
    try:
        await asyncio.to_thread(_save_poll_state, engine, channel, watch, now, result, error)
    except SQLAlchemyError as exc:
        unsaved = f"{channel}/{watch}: the poll state was not saved ({database_reason(exc)})"
        return unsaved if error is None else f"{error}; {unsaved}"
    return error


async def _refund(budget: ReadBudget, unused: int) -> None:
    """Give back unused requests; when the database refuses, they stay spent until the window ends."""
    try:
        await asyncio.to_thread(budget.refund, unused)
    except SQLAlchemyError:
        pass  # a budget spent too soon delays a later poll; it never overspends


def _save_poll_state(
    engine: Engine, channel: Channel, watch: str, now: datetime, result: PollResult | None, error: str | None
) -> None:
    table = PollState.__table__
    throttled_until = result.throttled_until if result is not None else None
    clean = error is None and throttled_until is None
    values = {"last_polled_at": now, "throttled_until": throttled_until, "last_error": error}
    with engine.begin() as connection:
        insert = dialect_insert(connection, table).values(
            channel=channel.value,
            watch=watch,
            last_success_at=now if clean else None,
            consecutive_failures=0 if error is None else 1,
            **values,
        )
        connection.execute(
            insert.on_conflict_do_update(
                index_elements=["channel", "watch"],
                set_={
                    **values,
                    "last_success_at": now if clean else table.c.last_success_at,
                    "consecutive_failures": 0 if error is None else table.c.consecutive_failures + 1,
                },
            )
        )
