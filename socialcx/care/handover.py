"""The hand-over from people (or the responder) to the sender: a reply written into the outbox.

The inbox queues the replies agents write and approve, the responder its auto-replies, and the
outbox (`socialcx.care.outbox`) sends them; the outbox hands a reply it cannot send back to the
inbox. Queueing lives here, below both, so neither imports the other to hand over.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from socialcx.errors import UsageError
from socialcx.store import OutboxReply, dialect_insert

__all__ = ["ORIGINS", "Origin", "queue_follow_ups", "queue_replies", "queue_reply"]

Origin = Literal["auto", "agent", "approved", "incident"]
ORIGINS = ("auto", "agent", "approved", "incident")  # incident: an approved statement, held by `pause` like `auto`


def queue_reply(
    connection: Connection,
    mention_id: int,
    text: str,
    *,
    origin: Origin,
    agent: str | None,
    now: datetime,
) -> int:
    """Write the reply to a mention into the outbox, in the caller's transaction; its id.

    A mention gets one reply: if it already has a row, `UsageError` says which, unless that row
    failed for good (the platform refused it), in which case the new text takes its place.
    """
    [outbox_id] = queue_replies(connection, [(mention_id, text, now)], origin=origin, agent=agent)
    return outbox_id


def queue_replies(
    connection: Connection, replies: Sequence[tuple[int, str, datetime]], *, origin: Origin, agent: str | None
) -> list[int]:
    """`queue_reply` for many (mention id, text, time) at once, in one statement; their ids."""
    if origin not in ORIGINS:
        raise UsageError(f"a reply's origin is one of {', '.join(ORIGINS)}, not {origin!r}")
    if any(not text.strip() for _, text, _ in replies):
        raise UsageError("a reply needs some text")
    table = OutboxReply.__table__
    rows = {
        mention_id: {
            "text": text.strip(), "origin": origin, "agent": agent, "state": "pending", "updated_at": now,
            "attempts": 0, "next_attempt_at": None, "lease_until": None, "sender": None, "error": None, "created_at": now,
        }
        for mention_id, text, now in replies
    }
    ids = dict(
        connection.execute(
            dialect_insert(connection, table)
            .on_conflict_do_nothing(index_elements=["mention_id", "kind"])
            .returning(table.c.mention_id, table.c.id),
            [{"mention_id": mention_id, "kind": "reply", **values} for mention_id, values in rows.items()],
        ).all()
    )
    for mention_id in rows.keys() - ids.keys():
        existing = connection.execute(
            sa.select(table.c.id, table.c.state, table.c.origin).where(table.c.mention_id == mention_id, table.c.kind == "reply")
        ).one()
        if existing.state != "failed":
            raise UsageError(
                f"mention {mention_id} already has a reply (outbox #{existing.id}, {existing.origin}, "
                f"{existing.state}); a mention is answered once"
            )
        connection.execute(sa.update(table).where(table.c.id == existing.id).values(**rows[mention_id]))
        ids[mention_id] = existing.id
    return [ids[mention_id] for mention_id, _, _ in replies]


def queue_follow_ups(connection: Connection, follow_ups: Sequence[tuple[int, str, str, datetime]]) -> int:
    """Write an incident's follow-up for each (mention id, text, our statement's platform id,
    time) into the outbox, as a reply to our statement; a mention that already has one keeps
    it (a follow-up is sent once). Returns how many were written."""
    if not follow_ups:
        return 0
    if any(not text.strip() for _, text, _, _ in follow_ups):
        raise UsageError("a follow-up needs some text")
    table = OutboxReply.__table__
    written = connection.execute(
        dialect_insert(connection, table)
        .on_conflict_do_nothing(index_elements=["mention_id", "kind"])
        .returning(table.c.id),
        [
            {
                "mention_id": mention_id, "kind": "follow_up", "in_reply_to": statement, "text": text.strip(),
                "origin": "incident", "agent": None, "state": "pending", "created_at": now, "updated_at": now, "attempts": 0,
            }
            for mention_id, text, statement, now in follow_ups
        ],
    ).all()
    return len(written)
