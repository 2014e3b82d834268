"""Mentions with triage written straight to the store, so inbox tests say only what matters."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa

from socialcx.store import Mention, MentionTriage, OutboxReply

_ids = itertools.count(1)


def add_mention(
    connection: sa.Connection,
    *,
    posted: datetime,
    channel: str = "x",
    text: str = "where is my order?",
    author: str = "@sam",
    followers: int | None = 100,
    conversation: str | None = None,
    url: str | None = None,
    intent: str | None = "order_status",
    sentiment: str = "neutral",
    urgency: str = "normal",
    risks: tuple[str, ...] = (),
) -> int:
    """Store a mention (with its triage, unless `intent` is None) and return its id."""
    external_id = f"m{next(_ids)}"
    mention_id = connection.execute(
        sa.insert(Mention).returning(Mention.id),
        {
            "channel": channel, "external_id": external_id, "watch": "acme", "author_handle": author,
            "author_followers": followers, "text": text, "url": url, "created_at": posted, "fetched_at": posted,
            "conversation_id": conversation, "raw": {},
        },
    ).scalar_one()
    if intent is not None:
        connection.execute(
            sa.insert(MentionTriage),
            {
                "mention_id": mention_id, "intent": intent, "confidence": 0.9, "abstained": False, "sentiment": sentiment,
                "sentiment_score": 0.0, "urgency": urgency, "language": "en", "risks": list(risks), "routine": False,
            },
        )
    return mention_id


def mark_sent(connection: sa.Connection, mention_id: int, at: datetime) -> None:
    """What the outbox's sender does once the platform took the reply."""
    connection.execute(
        sa.update(OutboxReply).where(OutboxReply.mention_id == mention_id).values(state="sent", sent_at=at, platform_id="p1")
    )


@pytest.fixture
def db(engine: sa.Engine) -> Any:
    """One connection in a transaction that is committed at the end of the test's block."""
    with engine.begin() as connection:
        yield connection
