"""The resolution engine's fixtures: the stand-in shop served over HTTP (tests/sandbox/shops.py),
a store, transactional mentions opened as conversations, and a customer who answers in private."""

from __future__ import annotations

import asyncio
import itertools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from connectors.base import RetryPolicy
from socialcx import ManualClock
from socialcx.care.conversations import advance, open_conversations
from socialcx.care.policy import Policy
from socialcx.care.private import file_private
from socialcx.care.systems import HttpCommerceSystem
from socialcx.channels import Channel
from socialcx.mention import PrivateMessage
from socialcx.sandbox import Sandbox
from socialcx.store import ConversationRow, Mention, MentionTriage, PrivateMessageRow
from tests.care.resolution.needs_stub import StubReader
from tests.sandbox.shops import NOW, shop, shop_sandbox

FAST = RetryPolicy(attempts=2, base_seconds=0.01, max_seconds=0.02)
_ids = itertools.count(5000)


@dataclass
class World:
    """A store, the shop behind its API, and the clock of the case."""

    engine: sa.Engine
    sandbox: Sandbox
    shop_url: str
    clock: ManualClock
    policy: Policy

    def post(self, text: str, *, handle: str = "jane_d", channel: str = "x") -> int:
        """A transactional mention stored and opened as a conversation; the conversation id."""
        mention_id = store_mention(self.engine, self.clock.now(), text, handle=handle, channel=channel)
        with self.engine.begin() as connection:
            row = connection.execute(sa.select(Mention.__table__).where(Mention.__table__.c.id == mention_id)).one()
            open_conversations(connection, [row], self.clock.now())
            table = ConversationRow.__table__
            return connection.execute(sa.select(table.c.id).where(table.c.mention_id == mention_id)).scalar_one()

    def answer(self, text: str, *, handle: str = "jane_d", channel: str = "x") -> None:
        """The customer answers in private (as `read_private` files it)."""
        message = PrivateMessage(str(next(_ids)), "dm1", f"u_{handle}", handle, text, self.clock.now())
        file_private(self.engine, Channel(channel), [message], None, self.clock.now())

    def advance(self, engine: sa.Engine | None = None) -> list[int]:
        async def go() -> list[int]:
            async with HttpCommerceSystem(self.shop_url, "t0ken", retry=FAST, rng=random.Random(1), timeout=2.0) as commerce:
                return await advance(engine or self.engine, commerce, self.policy, self.clock.now(), reader=StubReader())

        return asyncio.run(go())

    def conversation(self, conversation_id: int) -> Any:
        table = ConversationRow.__table__
        with self.engine.connect() as connection:
            return connection.execute(sa.select(table).where(table.c.id == conversation_id)).one()

    def told(self, conversation_id: int) -> list[str]:
        """The private messages queued for the customer, in order."""
        table = PrivateMessageRow.__table__
        with self.engine.connect() as connection:
            return list(connection.execute(
                sa.select(table.c.text).where(table.c.conversation_id == conversation_id, table.c.direction == "out").order_by(table.c.id)
            ).scalars())

    def later(self, hours: float) -> None:
        self.clock.advance(timedelta(hours=hours))


def store_mention(engine: sa.Engine, now: datetime, text: str, *, handle: str = "jane_d", channel: str = "x", risks: tuple[str, ...] = ()) -> int:
    """A mention stored with its triage (a confident billing problem), not routed; its id."""
    external_id = str(next(_ids))
    with engine.begin() as connection:
        mention_id = connection.execute(
            sa.insert(Mention.__table__).values(
                channel=channel, external_id=external_id, watch="acme", author_id=f"u_{handle}", author_handle=handle,
                text=text, created_at=now, fetched_at=now, conversation_id=external_id, raw={},
            ).returning(Mention.__table__.c.id)
        ).scalar_one()
        connection.execute(sa.insert(MentionTriage.__table__).values(
            mention_id=mention_id, intent="billing_problem", confidence=0.9, abstained=False, sentiment="negative",
            sentiment_score=-0.5, urgency="normal", risks=list(risks), routine=False,
        ))
    return mention_id


@pytest.fixture
def make_world(engine: sa.Engine) -> Iterator[Callable[..., World]]:
    """Build the world over a shop (the sample shop of tests/sandbox/shops.py, changed by `edit`)."""
    opened = []

    def make(edit: Callable[[dict[str, Any]], None] | None = None) -> World:
        state = shop()
        if edit is not None:
            edit(state)
        serving = shop_sandbox(state)
        sandbox, url = serving.__enter__()
        opened.append(serving)
        return World(engine, sandbox, url, ManualClock(NOW), Policy())

    yield make
    for serving in opened:
        serving.__exit__(None, None, None)


def single_charge_double(state: dict[str, Any], amount: float = 24.0) -> None:
    """Order A1042 is one line of 2 mugs at 12.00, charged twice 24.00 four seconds apart."""
    order = state["orders"][0]
    order["items"] = [{"sku": "MUG-01", "qty": 2, "price": 12.0}]
    order["charges"] = [
        {"id": "ch_1", "amount": amount, "at": "2026-11-28T09:00:05Z"},
        {"id": "ch_2", "amount": amount, "at": "2026-11-28T09:00:09Z"},
    ]
