"""Private messages, the contract every connector keeps: a channel that declares them sends,
reads and finds them against the sandbox; one that does not refuses each with `NotSupported`,
so the engine hands its cases to a person."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from connectors import available, connector_class
from connectors.base import NotSupported
from socialcx.channels import Channel
from socialcx.mention import PrivateTarget

WITHOUT = [channel for channel in available() if not connector_class(channel).capabilities.private_messages]


@pytest.mark.parametrize("channel", WITHOUT, ids=str)
def test_a_channel_without_private_messages_refuses_each_call(channel, connector_for):
    connector = connector_for(channel)
    to = PrivateTarget(channel, "42", "jess")

    with pytest.raises(NotSupported, match="private messages"):
        asyncio.run(connector.send_private(to, "What is your order number?"))
    with pytest.raises(NotSupported):
        asyncio.run(connector.read_private(None, max_requests=5))
    with pytest.raises(NotSupported):
        asyncio.run(connector.find_private(to, "What is your order number?", datetime(2026, 11, 23, tzinfo=UTC)))


def test_hacker_news_and_rss_have_no_private_messages():
    assert {Channel.HACKERNEWS, Channel.RSS} <= set(WITHOUT)
