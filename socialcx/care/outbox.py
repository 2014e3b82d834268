"""The outbox: every reply is written down before it is sent, so it is sent exactly once.

    queue_reply  →  pending  →  sending (committed, leased)  →  connector.reply  →  sent
                                     │                                   ╰→ failed (refused for good:
                                     ╰ found in `sending` after its lease: uncertain                back to the inbox)

Replies are written by `socialcx.care.handover.queue_reply`. A crash between posting and
marking leaves a row in `sending`. Once its lease has run out it is *uncertain*: before any
resend, `connector.find_reply` asks the platform whether our reply is there; if it is, the
row is marked sent with that id, and only if it is not is the reply sent.
The lease also keeps two senders (replicas) off one row: a row is claimed by a compare-and-set
on its state, so only one of them posts; on PostgreSQL a row being claimed is skipped by the others.

The kill switch (`pause`, `resume`) lives here too: a `control` row every process reads before
routing and before each send, so it takes effect at once everywhere.
"""

from __future__ import annotations

import asyncio
import math
import os
import secrets
import socket
import time
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from connectors import connector_class
from connectors.base import (
    AuthFailed,
    ChannelUnavailable,
    Connector,
    ConnectorError,
    Throttled,
)
from socialcx.care.inbox import enqueue
from socialcx.channels import Channel
from socialcx.clock import Clock
from socialcx.config import Settings
from socialcx.mention import PostedReply, ReplyTarget
from socialcx.store import Control, Mention, OutboxReply, dialect_insert

__all__ = [
    "LEASE",
    "SendReport",
    "is_paused",
    "send_pending",
    "set_paused",
]


LEASE = timedelta(minutes=5)  # longer than any single post or lookup takes, timeouts included
LANES = 4  # replies a channel posts at once, each with a client of its own (clients are not shared across threads)
CHUNK = 8  # replies a client claims, and then marks sent, in one transaction: the store has one writer at a time
MAX_ATTEMPTS = 6  # failed tries (auth, outages) before a reply goes back to people
_RESPONDER = "responder"  # the control row of the kill switch
_HELD_BY_PAUSE = ("auto", "incident")  # what nobody approved for this very mention

# Test hook for the crash matrix: stop (forever) at this step, after writing the ready file,
# so that a test can `kill -9` the process exactly there.
PAUSE_AT_ENV = "SOCIALCX_TEST_PAUSE_AT"
READY_FILE_ENV = "SOCIALCX_TEST_READY_FILE"


@dataclass(frozen=True, slots=True)
class SendReport:
    """What one pass over the outbox did."""

    sent: int = 0
    recovered: int = 0  # uncertain rows whose reply was found on the platform, not sent again
    retrying: int = 0
    failed: int = 0
    held: int = 0  # auto-replies held back by the kill switch


def set_paused(engine: Engine, paused: bool, *, now: datetime, reason: str | None = None) -> None:
    """Pause or resume automatic replies for every process sharing this database."""
    table = Control.__table__
    values = {"paused": paused, "reason": reason, "changed_at": now}
    with engine.begin() as connection:
        connection.execute(
            dialect_insert(connection, table)
            .values(name=_RESPONDER, **values)
            .on_conflict_do_update(index_elements=["name"], set_=values)
        )


def is_paused(connection: Connection) -> bool:
    """Whether the kill switch is on: no auto-reply is routed or sent while it is."""
    table = Control.__table__
    paused = connection.execute(sa.select(table.c.paused).where(table.c.name == _RESPONDER)).scalar()
    return bool(paused)


async def send_pending(
    engine: Engine,
    settings: Settings,
    clock: Clock,
    connectors: Mapping[Channel, Connector | Sequence[Connector]] | None = None,
) -> SendReport:
    """Send every reply that is due, each exactly once (see the module docstring): the channels
    at the same time, and on each channel, oldest first, a chunk of `CHUNK` at a time a client, up
    to `LANES` clients at once, so that a surge's statements go out in one go and one slow platform
    does not hold up the others. A platform's rate limit still holds: a reply it throttles waits
    for the reset.

    `connectors` supplies ready connectors by channel, one or several (a client each, at most
    `LANES`); for the other channels `LANES` are built from the settings as needed and closed
    afterwards. Transient failures are retried on a later pass with backoff; a reply the
    platform refuses for good is marked failed and goes back to the inbox.
    """
    sender = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
    counts = {"sent": 0, "recovered": 0, "retrying": 0, "failed": 0, "held": 0}
    queues: dict[Channel, deque[Any]] = {}
    for row in await asyncio.to_thread(_due, engine, clock.now()):
        queues.setdefault(Channel(row.m_channel), deque()).append(row)
    lanes = [
        _Lane(channel, connector, settings, clock)
        for channel, rows in queues.items()
        for connector in _clients((connectors or {}).get(channel))[: math.ceil(len(rows) / CHUNK)]  # a chunk a lane at least
    ]

    async def take_turns(lane: _Lane) -> None:
        rows = queues[lane.channel]
        while rows:
            chunk = [rows.popleft() for _ in range(min(CHUNK, len(rows)))]
            for outcome in await _send_chunk(engine, settings, clock, chunk, sender, lane):
                counts[outcome] += 1

    try:
        async with asyncio.TaskGroup() as running:
            for lane in lanes:
                running.create_task(take_turns(lane))
    except ExceptionGroup as failed:
        raise failed.exceptions[0] from None  # the others were cancelled: their rows wait for their lease
    finally:
        for lane in lanes:
            await lane.aclose()
    return SendReport(**counts)


def _clients(given: Connector | Sequence[Connector] | None) -> list[Connector | None]:
    """A channel's lanes: the connectors given, or `LANES` to build (None)."""
    if given is None:
        return [None] * LANES
    return list(given) if isinstance(given, Sequence) else [given]


class _Lane:
    """One client of a channel, posting one reply at a time: given by the caller, or built from
    the settings on first use (and then closed after the pass)."""

    def __init__(self, channel: Channel, connector: Connector | None, settings: Settings, clock: Clock) -> None:
        self.channel, self._connector, self._settings, self._clock = channel, connector, settings, clock
        self._built = False

    def connector(self) -> Connector:
        if self._connector is None:
            channel = self.channel
            self._connector = connector_class(channel)(self._settings.channels.get(channel), self._settings, clock=self._clock)
            self._built = True
        return self._connector

    async def aclose(self) -> None:
        if self._built and self._connector is not None:
            await self._connector.aclose()


async def _send_chunk(engine: Engine, settings: Settings, clock: Clock, rows: list[Any], sender: str, lane: _Lane) -> list[str]:
    """Some rows of one channel through their states: claimed together, posted one by one (the
    kill switch read before each), and marked sent together; their `SendReport` counts."""
    outcomes, posted = [], []
    claimed = await asyncio.to_thread(_claim, engine, rows, sender, clock.now())  # the others: another sender took them first
    _pause_at("marked_sending")
    for row in claimed:
        if row.origin in _HELD_BY_PAUSE and await asyncio.to_thread(_paused, engine):
            await asyncio.to_thread(_unclaim, engine, row, sender, clock.now())
            outcomes.append("held")
            continue
        outcome, reply = await _send_one(engine, settings, clock, row, sender, lane)
        outcomes.append(outcome)
        if reply is not None:
            posted.append((row.id, reply))
    if posted:
        await asyncio.to_thread(_mark_sent, engine, posted, sender, clock.now())
        _pause_at("marked_sent")
    return outcomes


async def _send_one(
    engine: Engine, settings: Settings, clock: Clock, row: Any, sender: str, lane: _Lane
) -> tuple[str, PostedReply | None]:
    """Post one claimed row, or find it posted; its `SendReport` count, and the reply to mark
    sent (None when it failed: retried later, or given up)."""
    mention = reply_target({name: row._mapping[f"m_{name}"] for name in _TARGET_FIELDS})
    try:
        connector = lane.connector()
        posted = await connector.find_reply(mention) if row.state == "sending" else None  # uncertain: ask first
        outcome = "recovered" if posted is not None else "sent"
        if posted is None:
            posted = await connector.reply(mention, row.text)
            _pause_at("posted")
    except Throttled as exc:
        await asyncio.to_thread(_retry, engine, row.id, sender, clock.now(), str(exc), state="pending", at=exc.until)
        return "retrying", None
    except (ChannelUnavailable, AuthFailed) as exc:
        # ChannelUnavailable: the post may have gone through, so the row stays `sending` and is
        # uncertain once the backoff (its new lease) ends. AuthFailed: nothing was posted, and
        # someone must fix the credentials; the row waits for them.
        if row.attempts + 1 >= MAX_ATTEMPTS:
            error = f"gave up after {row.attempts + 1} tries: {exc}"
            if isinstance(exc, ChannelUnavailable):
                error += " (it may have been posted: look at the thread before replying)"
            await asyncio.to_thread(_fail, engine, settings, row.id, sender, clock.now(), error, row.text)
            return "failed", None
        state = "sending" if isinstance(exc, ChannelUnavailable) else "pending"
        at = clock.now() + _backoff(row.attempts + 1)
        await asyncio.to_thread(_retry, engine, row.id, sender, clock.now(), str(exc), state=state, at=at)
        return "retrying", None
    except (ConnectorError, LookupError) as exc:  # Refused, NotSupported, no connector: for good
        await asyncio.to_thread(_fail, engine, settings, row.id, sender, clock.now(), str(exc), row.text)
        return "failed", None
    return outcome, posted


def reply_target(mention: Mapping[str, Any]) -> ReplyTarget:
    """What a connector needs to post or find the reply to a stored mention, from its columns."""
    return ReplyTarget(**{name: mention[name] for name in _TARGET_FIELDS} | {"channel": Channel(mention["channel"])})


_TARGET_FIELDS = [field.name for field in fields(ReplyTarget)]


def _due(engine: Engine, now: datetime) -> list[Any]:
    """Rows to send now: pending ones whose time has come, and `sending` ones whose lease ran out
    (uncertain), oldest first, each with its mention (a follow-up with our statement as the post
    it answers)."""
    outbox, mention = OutboxReply.__table__, Mention.__table__
    query = (
        sa.select(
            outbox,
            *(
                (sa.func.coalesce(outbox.c.in_reply_to, mention.c[name]) if name == "external_id" else mention.c[name]).label(f"m_{name}")
                for name in _TARGET_FIELDS
            ),
        )
        .join(mention, mention.c.id == outbox.c.mention_id)
        .where(
            sa.or_(
                sa.and_(outbox.c.state == "pending", sa.or_(outbox.c.next_attempt_at.is_(None), outbox.c.next_attempt_at <= now)),
                sa.and_(outbox.c.state == "sending", outbox.c.lease_until <= now),
            )
        )
        .order_by(outbox.c.created_at, outbox.c.id)
    )
    with engine.connect() as connection:
        return list(connection.execute(query))


def _claim(engine: Engine, rows: list[Any], sender: str, now: datetime) -> list[Any]:
    """Take the rows for this sender, each if nobody changed it since it was read (compare-and-set);
    the rows taken. On PostgreSQL a row another sender is claiming right now is skipped, not waited
    for (`FOR UPDATE SKIP LOCKED`); SQLite, with one writer at a time, needs the compare-and-set only."""
    table = OutboxReply.__table__
    claimed = []
    if not rows:
        return claimed
    with engine.begin() as connection:
        for row in rows:
            unchanged = (table.c.id == row.id, table.c.state == row.state, table.c.updated_at == row.updated_at)
            if connection.execute(sa.select(table.c.id).where(*unchanged).with_for_update(skip_locked=True)).first() is None:
                continue
            taken = connection.execute(
                sa.update(table)
                .where(*unchanged)
                .values(state="sending", sender=sender, lease_until=now + LEASE, attempts=table.c.attempts + 1, updated_at=now)
            )
            if taken.rowcount == 1:
                claimed.append(row)
    return claimed


def _mark_sent(engine: Engine, posted: list[tuple[int, PostedReply]], sender: str, now: datetime) -> None:
    table = OutboxReply.__table__
    with engine.begin() as connection:
        for outbox_id, reply in posted:
            connection.execute(
                sa.update(table)
                .where(table.c.id == outbox_id, table.c.sender == sender, table.c.state == "sending")
                .values(
                    state="sent", platform_id=reply.external_id, platform_url=reply.url, sent_at=reply.posted_at,
                    lease_until=None, next_attempt_at=None, error=None, updated_at=now,
                )
            )


def _unclaim(engine: Engine, row: Any, sender: str, now: datetime) -> None:
    """Give a claimed row back as it was (the kill switch went on before its turn)."""
    table = OutboxReply.__table__
    with engine.begin() as connection:
        connection.execute(
            sa.update(table)
            .where(table.c.id == row.id, table.c.sender == sender, table.c.state == "sending")
            .values(
                state=row.state, sender=row.sender, lease_until=row.lease_until, attempts=row.attempts, updated_at=now,
            )
        )


def _retry(engine: Engine, outbox_id: int, sender: str, now: datetime, error: str, *, state: str, at: datetime) -> None:
    table = OutboxReply.__table__
    with engine.begin() as connection:
        connection.execute(
            sa.update(table)
            .where(table.c.id == outbox_id, table.c.sender == sender)
            .values(state=state, error=error, next_attempt_at=at, lease_until=at, updated_at=now)
        )


def _fail(engine: Engine, settings: Settings, outbox_id: int, sender: str, now: datetime, error: str, text: str) -> None:
    """Give the reply up and hand the mention back to people, with the reply as a draft."""
    table = OutboxReply.__table__
    with engine.begin() as connection:
        changed = connection.execute(
            sa.update(table)
            .where(table.c.id == outbox_id, table.c.sender == sender)
            .values(state="failed", error=error, lease_until=None, next_attempt_at=None, updated_at=now)
            .returning(table.c.mention_id)
        ).scalar()
        if changed is not None:
            enqueue(
                connection, changed, reason=f"our reply could not be sent: {error}", now=now, draft=text, sla=settings.inbox
            )


def _paused(engine: Engine) -> bool:
    with engine.connect() as connection:
        return is_paused(connection)


def _backoff(attempt: int) -> timedelta:
    return min(timedelta(minutes=1) * 2 ** (attempt - 1), timedelta(hours=1))


def _pause_at(step: str) -> None:
    if os.environ.get(PAUSE_AT_ENV) != step:
        return
    Path(os.environ[READY_FILE_ENV]).write_text(step, encoding="utf-8")
    while True:  # until the test kills us
        time.sleep(3600)
