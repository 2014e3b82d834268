"""The contract every connector keeps, run against the sandbox for each channel that has one.

A new connector joins by being registered in `connectors/__init__.py` and served by the sandbox.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
import sqlalchemy as sa

from connectors import available, connector_class
from socialcx import Channel, connect, ingest
from socialcx.care.outbox import reply_target
from socialcx.mention import Rejected
from socialcx.store import Mention


@pytest.fixture(params=available(), ids=str)
def channel(request) -> Channel:
    return request.param


def poll(connector, settings, cursor=None, max_requests=50):
    return asyncio.run(connector.poll(settings.watches[0], cursor, max_requests=max_requests))


def test_it_describes_itself(channel, settings_for):
    connector = connector_class(channel)
    assert connector.channel is channel
    assert str(channel) in connector.__doc__
    settings = settings_for(channel)
    for key in settings.channels.get(channel).credentials:
        assert key in connector.description, f"{channel}: the description must name credentials.{key}"
    assert "base_url" in connector.description
    assert "Sample mention" in connector.description


def test_a_poll_yields_a_batch_for_the_watch_oldest_first(channel, connector_for, settings_for):
    settings = settings_for(channel)

    result = poll(connector_for(channel), settings)

    assert result.batch.channel is channel and result.batch.watch == "acme"
    assert isinstance(result.batch.cursor, str)
    items = [item for item in result.batch.items if not isinstance(item, Rejected)]
    assert items, f"{channel}: the scenario has mentions of acme"
    times = [str(item.created_at) for item in items]
    assert times == sorted(times)
    for item in items:
        assert item.external_id and item.text is not None and item.raw


def test_the_request_allowance_is_never_exceeded(channel, connector_for, settings_for, served):
    settings = settings_for(channel)
    connector = connector_for(channel)
    cursor = poll(connector, settings, max_requests=1).batch.cursor  # logs in, once per process

    for allowance in (1, 2, 1, 3):
        before = served.total()
        result = poll(connector, settings, cursor, max_requests=allowance)
        answered = served.total() - before  # counted by the sandbox, not by the connector
        assert answered <= allowance and result.requests == answered
        cursor = result.batch.cursor


def test_polling_again_with_the_cursor_fetches_only_what_is_new(channel, connector_for, settings_for, clock, tmp_path):
    settings = settings_for(channel)
    connector = connector_for(channel)
    engine = connect(f"sqlite:///{tmp_path / 'db.sqlite'}")
    first = poll(connector, settings)
    ingest(engine, first.batch, clock=clock)

    clock.advance(timedelta(hours=3))
    second = poll(connector, settings, first.batch.cursor)
    report = ingest(engine, second.batch, clock=clock)

    assert report.new > 0 and not report.duplicates


def test_a_reply_can_be_found_again(channel, connector_for, settings_for, tmp_path, clock):
    if not connector_class(channel).capabilities.can_reply:
        pytest.skip(f"{channel} is read-only")
    settings = settings_for(channel)
    connector = connector_for(channel)
    engine = connect(f"sqlite:///{tmp_path / 'db.sqlite'}")
    ingest(engine, poll(connector, settings).batch, clock=clock)
    with engine.connect() as connection:
        mention = reply_target(connection.execute(sa.select(Mention).limit(1)).mappings().one())

    posted = asyncio.run(connector.reply(mention, "Thanks for telling us, we're on it."))

    found = asyncio.run(connector.find_reply(mention))
    assert found is not None and found.external_id == posted.external_id
