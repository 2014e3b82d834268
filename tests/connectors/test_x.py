"""The X connector through tweepy against the sandbox: incremental, paginated, resumable,
throttle- and failure-aware, and able to reply."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from connectors.base import ConnectorError, PollResult, Throttled
from socialcx import Channel, connect, ingest
from socialcx.care.outbox import reply_target
from socialcx.mention import Rejected, ReplyTarget
from socialcx.store import DeadLetter, Mention


def poll(connector, settings, cursor=None, max_requests=50) -> PollResult:
    return asyncio.run(connector.poll(settings.watches[0], cursor, max_requests=max_requests))


def visible_x_mentions(sandbox) -> set[str]:
    """Ids of X posts visible now that mention @acme (what the watch should find)."""
    return {
        post.id
        for post in sandbox.timelines[Channel.X].posts()
        if post.created_at <= sandbox.clock.now() and "@acme" in post.text.lower()
    }


def polled_mentions(x, settings, tmp_path, clock, count: int) -> list[ReplyTarget]:
    """The first `count` mentions a poll stores, as the outbox would read them back."""
    engine = connect(f"sqlite:///{tmp_path / 'db.sqlite'}")
    ingest(engine, poll(x, settings).batch, clock=clock)
    with engine.connect() as connection:
        return [reply_target(row) for row in connection.execute(sa.select(Mention).limit(count)).mappings()]


def ids(result: PollResult) -> list[str]:
    return [item.external_id for item in result.batch.items if not isinstance(item, Rejected)]


def test_a_first_poll_fetches_every_mention_oldest_first(connector_for, settings_for, sandbox):
    settings = settings_for(Channel.X)
    x = connector_for(Channel.X)

    result = poll(x, settings)

    found = ids(result)
    assert visible_x_mentions(sandbox) <= set(found)
    created = [item.created_at for item in result.batch.items]
    assert created == sorted(created)
    assert result.requests >= 2 and result.error is None and result.throttled_until is None
    first = result.batch.items[0]
    assert first.author_handle and first.url.startswith(f"https://x.com/{first.author_handle}/status/")
    assert first.raw["tweet"]["id"] == first.external_id


def test_the_second_poll_fetches_only_what_is_new(connector_for, settings_for, sandbox, clock):
    settings = settings_for(Channel.X)
    x = connector_for(Channel.X)
    first = poll(x, settings)
    before = set(ids(first))

    clock.advance(timedelta(hours=2))
    second = poll(x, settings, first.batch.cursor)

    assert second.batch.items, "two more hours of the scenario bring new mentions"
    assert not before & set(ids(second))
    assert visible_x_mentions(sandbox) <= before | set(ids(second))
    assert second.requests < first.requests


def test_a_poll_cut_short_resumes_where_it_stopped_without_a_gap(connector_for, settings_for, sandbox, tmp_path, clock):
    settings = settings_for(Channel.X)
    x = connector_for(Channel.X)
    engine = connect(f"sqlite:///{tmp_path / 'db.sqlite'}")
    cursor, sizes = None, []
    for _ in range(12):
        result = poll(x, settings, cursor, max_requests=2)
        assert result.requests <= 2
        sizes.append(ingest(engine, result.batch, clock=clock).new)
        cursor = result.batch.cursor

    with engine.connect() as connection:
        stored = set(connection.execute(sa.select(Mention.external_id)).scalars())
    assert sizes[0] < len(visible_x_mentions(sandbox))  # one poll was not enough
    assert visible_x_mentions(sandbox) <= stored
    assert sizes[-1] == 0  # and nothing is fetched twice once it is caught up


def test_overlapping_pages_store_each_post_once(connector_for, settings_for, sandbox, tmp_path, clock):
    settings = settings_for(Channel.X)
    x = connector_for(Channel.X)
    clean = set(ids(poll(x, settings)))
    sandbox.faults.add(route="x.*", kind="duplicates", times=None, items=5)
    engine = connect(f"sqlite:///{tmp_path / 'db.sqlite'}")

    report = ingest(engine, poll(x, settings).batch, clock=clock)

    with engine.connect() as connection:
        rows = connection.execute(sa.select(Mention.external_id)).scalars().all()
    assert set(rows) == clean and report.new == len(clean)  # every post once, none lost
    assert report.duplicates and set(report.duplicates) <= clean


def test_a_429_is_reported_with_its_reset_time_and_the_watch_resumes_after_it(connector_for, settings_for, sandbox, clock):
    settings = settings_for(Channel.X)
    x = connector_for(Channel.X)
    sandbox.faults.add(route="x.search", kind="429", seconds=600)

    throttled = poll(x, settings)

    assert throttled.throttled_until is not None
    assert timedelta(minutes=9) < throttled.throttled_until - clock.now() <= timedelta(minutes=11)
    assert throttled.error is None
    clock.advance(timedelta(minutes=11))
    resumed = poll(x, settings, throttled.batch.cursor)
    assert resumed.throttled_until is None
    assert visible_x_mentions(sandbox) <= set(ids(throttled)) | set(ids(resumed))


def test_a_5xx_is_retried_with_backoff(connector_for, settings_for, sandbox, sleeps):
    settings = settings_for(Channel.X)
    x = connector_for(Channel.X)
    sandbox.faults.add(route="x.search", kind="503", times=2)

    result = poll(x, settings)

    assert result.error is None and result.batch.items
    assert len(sleeps.seconds) == 2
    assert all(0 <= s <= 30 for s in sleeps.seconds)


def test_a_5xx_that_persists_is_reported_and_what_was_fetched_is_kept(connector_for, settings_for, sandbox):
    settings = settings_for(Channel.X)
    x = connector_for(Channel.X)
    sandbox.faults.add(route="x.mentions", kind="500", times=None)

    result = poll(x, settings)

    assert result.error == "x: mentions of @acme failed 3 times, last with TwitterServerError: 500 Internal Server Error"
    assert ids(result)  # the search stream's mentions are still there


def test_malformed_items_are_dead_lettered_and_the_rest_lands(connector_for, settings_for, sandbox, tmp_path, clock):
    settings = settings_for(Channel.X)
    x = connector_for(Channel.X)
    # the first three posts each lose one field: text, created_at, author_id
    sandbox.faults.add(route="x.search", kind="missing_fields", items=3)
    engine = connect(f"sqlite:///{tmp_path / 'db.sqlite'}")

    report = ingest(engine, poll(x, settings).batch, clock=clock)

    assert report.dead_letters == 2  # no text or no time: not a mention we can use
    assert report.new > 100
    with engine.connect() as connection:
        reasons = sorted(connection.execute(sa.select(DeadLetter.reason)).scalars())
        anonymous = connection.execute(
            sa.select(sa.func.count()).select_from(Mention).where(Mention.author_id.is_(None))
        ).scalar_one()
    assert reasons[0].startswith("created_at:") and reasons[1].startswith("text:")
    assert anonymous == 1  # no author: stored, the author unknown


def test_a_malformed_page_is_dead_lettered_whole(connector_for, settings_for, sandbox, tmp_path, clock):
    settings = settings_for(Channel.X)
    x = connector_for(Channel.X)
    sandbox.faults.add(route="x.mentions", kind="malformed")
    engine = connect(f"sqlite:///{tmp_path / 'db.sqlite'}")

    result = poll(x, settings)
    report = ingest(engine, result.batch, clock=clock)

    assert report.dead_letters == 1
    assert report.new > 0


def test_a_reply_lands_as_our_post_replying_to_the_right_id(connector_for, settings_for, sandbox, tmp_path, clock):
    settings = settings_for(Channel.X)
    x = connector_for(Channel.X)
    [mention] = polled_mentions(x, settings, tmp_path, clock, 1)

    assert asyncio.run(x.find_reply(mention)) is None
    posted = asyncio.run(x.reply(mention, "Sorry about that! DM us your order number and we'll look."))
    found = asyncio.run(x.find_reply(mention))

    assert found is not None and found.external_id == posted.external_id
    reply = sandbox.timelines[Channel.X].by_id(posted.external_id)
    assert reply.author.handle == "acme" and reply.in_reply_to == mention.external_id


def test_a_watch_with_only_subreddits_costs_nothing_on_x(connector_for, settings_for):
    settings = settings_for(Channel.X)
    settings.watches[0].handles, settings.watches[0].keywords = [], []
    x = connector_for(Channel.X)

    result = poll(x, settings)

    assert result.requests == 0 and result.batch.items == []


def test_x_refusing_a_reply_is_a_clear_connector_error(connector_for, settings_for, sandbox, tmp_path, clock):
    settings = settings_for(Channel.X)
    x = connector_for(Channel.X)
    first, second = polled_mentions(x, settings, tmp_path, clock, 2)
    asyncio.run(x.reply(first, "We're on it!"))

    with pytest.raises(ConnectorError, match="x refused posting a reply: 403"):
        asyncio.run(x.reply(second, "We're on it!"))  # X refuses the same text twice

    sandbox.faults.add(route="x.post", kind="429", seconds=120)
    with pytest.raises(Throttled) as throttled:
        asyncio.run(x.reply(second, "Sorry for the wait, we're looking into it."))
    assert throttled.value.until - clock.now() == timedelta(seconds=120)


def test_a_reply_that_times_out_is_not_sent_again(connector_for, settings_for, sandbox, tmp_path, clock, sleeps):
    settings = settings_for(Channel.X)
    x = connector_for(Channel.X)
    [mention] = polled_mentions(x, settings, tmp_path, clock, 1)
    sandbox.faults.add(route="x.post", kind="503")

    with pytest.raises(ConnectorError, match="posting a reply failed with TwitterServerError.*may have gone through"):
        asyncio.run(x.reply(mention, "We're looking into it."))
    assert sleeps.seconds == []  # no retry: the outbox decides, after asking find_reply


def test_a_small_allowance_reaches_every_timeline_in_turn(connector_for, settings_for):
    settings = settings_for(Channel.X)
    x = connector_for(Channel.X)

    first = poll(x, settings, max_requests=1)
    second = poll(x, settings, first.batch.cursor, max_requests=1)

    streams = json.loads(second.batch.cursor)
    assert set(streams) == {"search", "mentions:acme"}  # the second poll went to the other timeline


def test_our_own_replies_are_not_stored_as_mentions(connector_for, settings_for, sandbox, tmp_path, clock):
    settings = settings_for(Channel.X)
    x = connector_for(Channel.X)
    [mention] = polled_mentions(x, settings, tmp_path, clock, 1)
    posted = asyncio.run(x.reply(mention, "Sorry about that! The acme team is on it."))  # names acme, not @acme

    clock.advance(timedelta(minutes=1))
    result = poll(x, settings)

    assert sandbox.timelines[Channel.X].by_id(posted.external_id).author.handle == "acme"
    assert posted.external_id not in ids(result)
    assert mention.external_id in ids(result)
