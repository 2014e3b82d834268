"""Private messages of conversations: the outbox that sends ours exactly once, and the reading
of the customers' answers.

    queue_private (care.conversations) → pending → sending (committed, leased) → send_private → sent
                                                       ╰ found in `sending` after its lease: uncertain

A crash between sending and marking leaves a row in `sending`; once its lease has run out,
`connector.find_private` asks the platform whether the message is there before any resend, as
the reply outbox does with `find_reply`. A row is claimed by compare-and-set, so two replicas
never send it both. The kill switch holds private messages too.

`read_private` reads each channel's private messages since the stored cursor (the `cursor` row of
watch `_private`), files each answer under the open conversation with its author, and makes that
conversation due.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from connectors import connector_class
from connectors.base import ChannelUnavailable, Connector, ConnectorError, Throttled
from socialcx.care.conversations import OPEN
from socialcx.care.outbox import LEASE, is_paused
from socialcx.channels import Channel
from socialcx.clock import Clock
from socialcx.config import Settings
from socialcx.mention import PrivateMessage, PrivateTarget
from socialcx.store import ConversationRow, Cursor, PrivateMessageRow, dialect_insert

__all__ = ["PRIVATE_WATCH", "PrivateReport", "file_private", "read_private", "send_private"]

PRIVATE_WATCH = "_private"  # the cursor row of a channel's private messages
MAX_ATTEMPTS = 6
_READ_REQUESTS = 5


@dataclass(frozen=True, slots=True)
class PrivateReport:
    """What one pass did: messages sent, recovered (found sent after a crash), retrying, failed,
    held by the kill switch, and answers read."""

    sent: int = 0
    recovered: int = 0
    retrying: int = 0
    failed: int = 0
    held: int = 0
    read: int = 0


class _Connectors:
    """Connectors by channel: the ones given, else built from the settings and closed after."""

    def __init__(self, settings: Settings, clock: Clock, given: Mapping[Channel, Connector]) -> None:
        self.settings, self.clock, self.given, self.built = settings, clock, given, {}

    def get(self, channel: Channel) -> Connector:
        connector = self.given.get(channel) or self.built.get(channel)
        if connector is None:
            connector = connector_class(channel)(self.settings.channels.get(channel), self.settings, clock=self.clock)
            self.built[channel] = connector
        return connector

    async def aclose(self) -> None:
        for connector in self.built.values():
            await connector.aclose()


async def send_private(
    engine: Engine, settings: Settings, clock: Clock, connectors: Mapping[Channel, Connector] | None = None
) -> PrivateReport:
    """Send every private message that is due, oldest first, each exactly once (those of a
    channel not enabled in the settings wait)."""
    sender = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
    counts = dict.fromkeys(("sent", "recovered", "retrying", "failed", "held"), 0)
    pool = _Connectors(settings, clock, connectors or {})
    enabled = set(settings.channels.enabled())
    try:
        for row in _due(engine, clock.now()):
            if Channel(row.channel) not in enabled:
                continue  # waits until the channel is configured: nothing to send it with
            if _paused(engine):
                counts["held"] += 1
                continue
            outcome = await _send_one(engine, clock, row, sender, pool)
            if outcome:
                counts[outcome] += 1
    finally:
        await pool.aclose()
    return PrivateReport(**counts)


async def _send_one(engine: Engine, clock: Clock, row: Any, sender: str, pool: _Connectors) -> str | None:
    uncertain = row.state == "sending"
    if not _claim(engine, row, sender, clock.now()):
        return None
    target = PrivateTarget(Channel(row.channel), row.author_id, row.author_handle, row.platform_conversation_id)
    try:
        connector = pool.get(target.channel)
        posted = await connector.find_private(target, row.text, row.created_at) if uncertain else None
        outcome = "recovered" if posted is not None else "sent"
        if posted is None:
            posted = await connector.send_private(target, row.text)
    except Throttled as exc:
        _update(engine, row.id, clock.now(), state="pending", error=str(exc), next_attempt_at=exc.until, lease_until=None)
        return "retrying"
    except ChannelUnavailable as exc:
        if row.attempts + 1 >= MAX_ATTEMPTS:
            _update(engine, row.id, clock.now(), state="failed", error=f"gave up: {exc} (it may have been sent)")
            return "failed"
        later = clock.now() + timedelta(minutes=2 ** row.attempts)
        _update(engine, row.id, clock.now(), state="sending", error=str(exc), lease_until=later)
        return "retrying"
    except (ConnectorError, LookupError) as exc:
        _update(engine, row.id, clock.now(), state="failed", error=str(exc))
        return "failed"
    _update(
        engine, row.id, clock.now(), state="sent", external_id=posted.external_id, sent_at=posted.posted_at, error=None,
        lease_until=None, platform_conversation_id=posted.conversation_id or row.platform_conversation_id,
    )
    if posted.conversation_id and row.conversation_id is not None:
        table = ConversationRow.__table__
        with engine.begin() as connection:
            connection.execute(
                sa.update(table).where(table.c.id == row.conversation_id).values(private_conversation_id=str(posted.conversation_id))
            )
    return outcome


def _due(engine: Engine, now: datetime) -> list[Any]:
    table = PrivateMessageRow.__table__
    with engine.connect() as connection:
        return list(
            connection.execute(
                sa.select(table)
                .where(
                    table.c.direction == "out",
                    sa.or_(
                        sa.and_(table.c.state == "pending", sa.or_(table.c.next_attempt_at.is_(None), table.c.next_attempt_at <= now)),
                        sa.and_(table.c.state == "sending", table.c.lease_until <= now),
                    ),
                )
                .order_by(table.c.created_at, table.c.id)
            )
        )


def _claim(engine: Engine, row: Any, sender: str, now: datetime) -> bool:
    table = PrivateMessageRow.__table__
    with engine.begin() as connection:
        return connection.execute(
            sa.update(table)
            .where(table.c.id == row.id, table.c.state == row.state, table.c.updated_at == row.updated_at)
            .values(state="sending", sender=sender, lease_until=now + LEASE, attempts=table.c.attempts + 1, updated_at=now)
        ).rowcount == 1


def _update(engine: Engine, row_id: int, now: datetime, **values: Any) -> None:
    table = PrivateMessageRow.__table__
    with engine.begin() as connection:
        connection.execute(sa.update(table).where(table.c.id == row_id).values(updated_at=now, **values))


def _paused(engine: Engine) -> bool:
    with engine.connect() as connection:
        return is_paused(connection)


async def read_private(
    engine: Engine, settings: Settings, clock: Clock, connectors: Mapping[Channel, Connector] | None = None
) -> int:
    """Read the private messages of every channel with an open conversation and file the
    customers' answers under their conversations; how many were filed."""
    pool = _Connectors(settings, clock, connectors or {})
    filed = 0
    try:
        for channel in [channel for channel in _channels_waiting(engine) if channel in settings.channels.enabled()]:
            connector = pool.get(channel)
            try:
                batch, _ = await connector.read_private(_cursor(engine, channel), max_requests=_READ_REQUESTS)
            except ConnectorError:
                continue  # read again on the next pass; nothing was consumed
            filed += file_private(engine, channel, [m for m in batch.items if isinstance(m, PrivateMessage)], batch.cursor, clock.now())
    finally:
        await pool.aclose()
    return filed


def _channels_waiting(engine: Engine) -> list[Channel]:
    """The channels where a customer owes us an answer (a conversation awaiting them)."""
    table = ConversationRow.__table__
    with engine.connect() as connection:
        names = connection.execute(sa.select(table.c.channel).where(table.c.state == "awaiting_customer").distinct()).scalars()
        return [Channel(name) for name in sorted(names)]


def _cursor(engine: Engine, channel: Channel) -> str | None:
    table = Cursor.__table__
    with engine.connect() as connection:
        return connection.execute(
            sa.select(table.c.value).where(table.c.channel == channel.value, table.c.watch == PRIVATE_WATCH)
        ).scalar()


def file_private(engine: Engine, channel: Channel, messages: list[PrivateMessage], cursor: str | None, now: datetime) -> int:
    """Store the customers' answers under their open conversations (ours, and messages from
    someone with no open conversation, left out) and the cursor, in one transaction; how many
    were new. The conversations answered are due at once."""
    conversations, private, cursors = ConversationRow.__table__, PrivateMessageRow.__table__, Cursor.__table__
    filed = 0
    with engine.begin() as connection:
        for message in messages:
            if message.from_us or message.external_id is None or not message.text:
                continue
            author_id = None if message.author_id is None else str(message.author_id)
            handle = (message.author_handle or "").lstrip("@")
            match = sa.or_(
                conversations.c.author_id == author_id if author_id else sa.false(),
                sa.func.lower(conversations.c.author_handle) == handle.lower() if handle else sa.false(),
            )
            conversation = connection.execute(
                sa.select(conversations.c.id)
                .where(conversations.c.channel == channel.value, conversations.c.state.in_(OPEN), match)
                .order_by(conversations.c.created_at.desc())
                .limit(1)
            ).scalar()
            if conversation is None:
                continue
            inserted = connection.execute(
                dialect_insert(connection, private)
                .values(
                    conversation_id=conversation, channel=channel.value, direction="in", key=f"in:{channel.value}:{message.external_id}",
                    text=message.text, state="new", external_id=str(message.external_id), author_id=author_id, author_handle=handle or None,
                    platform_conversation_id=None if message.conversation_id is None else str(message.conversation_id),
                    created_at=_moment(message.created_at, now), updated_at=now, attempts=0,
                )
                .on_conflict_do_nothing(index_elements=["key"])
                .returning(private.c.id)
            ).scalar()
            if inserted is not None:
                filed += 1
                connection.execute(sa.update(conversations).where(conversations.c.id == conversation).values(due_at=now))
        if cursor is not None:
            values = {"value": cursor, "advanced_at": now}
            connection.execute(
                dialect_insert(connection, cursors)
                .values(channel=channel.value, watch=PRIVATE_WATCH, **values)
                .on_conflict_do_update(index_elements=["channel", "watch"], set_=values)
            )
    return filed


def _moment(value: Any, fallback: datetime) -> datetime:
    """A message's time as read (a datetime or ISO text), else when it was read."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str):
        try:
            return _moment(datetime.fromisoformat(value.replace("Z", "+00:00")), fallback)
        except ValueError:
            return fallback
    return fallback
