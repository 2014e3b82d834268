"""The benchmark's shape of a case, on every channel with private messages: a world that holds one
injected post by a customer who exists nowhere else, our private question to that post's author,
and their answer through the sandbox's world helper, read back by the connector."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from connectors import available, connector_class
from socialcx import Channel, ManualClock
from socialcx.mention import Mention, PrivateMessage, PrivateTarget
from socialcx.sandbox import Sandbox
from socialcx.sandbox.posts import Author, Post, post_id, post_key
from socialcx.sandbox.scenario import Scenario

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
CUSTOMER = Author("5551234", "jane_d", "Jane Doe", 12)
TEXT = {
    Channel.X: "@acme charged twice AND the mug arrived smashed",
    Channel.MASTODON: "@acme charged twice AND the mug arrived smashed",
    Channel.BLUESKY: "@acme.bsky.social charged twice AND the mug arrived smashed",
    Channel.REDDIT: "u/acme charged twice AND the mug arrived smashed",
}
CHANNELS = [channel for channel in available() if connector_class(channel).capabilities.private_messages]


@pytest.fixture(params=CHANNELS, ids=str)
def channel(request) -> Channel:
    return request.param


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def sandbox(channel: Channel, clock: ManualClock) -> Sandbox:
    """A world of one post, five minutes old, by a customer who posted nothing else."""
    at = NOW - timedelta(minutes=5)
    key = post_key(at, 0)
    external_id = post_id(channel, key)
    reddit = {"kind": "comment", "community": "acme", "conversation_id": external_id}
    fields = reddit if channel is Channel.REDDIT else {"conversation_id": external_id}
    post = Post(channel, key, external_id, at, CUSTOMER, TEXT[channel], "en", **fields)
    scenario = Scenario("case", NOW, Author("4242", "acme", "Acme Support", 0), (post,), {})
    return Sandbox(scenario, clock=clock, wall=lambda: clock.now().timestamp())


def test_the_author_of_the_one_post_is_asked_privately_and_answers(channel, sandbox, connector_for, settings_for, clock):
    settings = settings_for(channel)
    connector = connector_for(channel)
    polled = asyncio.run(connector.poll(settings.watches[0], None, max_requests=20))
    [mention] = [item for item in polled.batch.items if isinstance(item, Mention)]
    to = PrivateTarget(channel, str(mention.author_id), mention.author_handle)

    sent = asyncio.run(connector.send_private(to, "Sorry! What is your order number?"))
    clock.advance(timedelta(minutes=3))
    sandbox.write_private(channel, "jane_d", "it's A1042")
    batch, _ = asyncio.run(connector.read_private(None, max_requests=10))

    [asked] = sandbox.private_messages_to(channel, "jane_d")
    assert asked.id == sent.external_id and asked.text.endswith("Sorry! What is your order number?")
    [answer] = [item for item in batch.items if isinstance(item, PrivateMessage) and not item.from_us]
    assert (answer.text, answer.author_handle) == ("it's A1042", mention.author_handle)
    assert str(answer.conversation_id) == sent.conversation_id
