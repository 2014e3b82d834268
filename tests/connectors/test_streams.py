"""Paging, throttling and faults as every stream-following connector meets them, run through the
real client against the sandbox for Mastodon and Bluesky alike: incremental and resumable polls,
a 429 that ends a poll with its reset time, 5xx retried by the connector, broken pages
dead-lettered, deleted posts skipped, and replies that are refused, throttled or never retried.
What only one channel does is in its own module."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from types import ModuleType

import pytest
import sqlalchemy as sa

import connectors.bluesky
import connectors.mastodon
from connectors.base import ConnectorError, PollResult, Throttled
from socialcx import Channel, connect, ingest
from socialcx.care.outbox import reply_target
from socialcx.mention import Rejected
from socialcx.sandbox import Budget
from socialcx.sandbox.bluesky import did_of
from socialcx.sandbox.posts import Post
from socialcx.store import Mention

ACME = re.compile(r"(?<![\w#@])[#@]?acme(?!\w)", re.IGNORECASE)


@dataclass(frozen=True)
class Profile:
    """What the shared tests need to know of a channel: its connector module, its listing routes
    (our notifications, then search) and posting route, its rate-limit bucket and the requests a
    login costs there, how it names a post, and how long a reply it refuses, with what status."""

    channel: Channel
    module: ModuleType
    routes: tuple[str, str]
    post_route: str
    bucket: str
    login_requests: int
    external_id: Callable[[Post], str]
    too_long: int
    refusal: str


PROFILES = [
    Profile(
        Channel.MASTODON,
        connectors.mastodon,
        ("mastodon.notifications", "mastodon.search"),
        "mastodon.post",
        "mastodon",
        0,
        lambda post: post.id,
        501,
        "422",
    ),
    Profile(
        Channel.BLUESKY,
        connectors.bluesky,
        ("bluesky.listNotifications", "bluesky.searchPosts"),
        "bluesky.createRecord",
        "bluesky",
        1,  # the profile lookup after createSession
        lambda post: f"at://{did_of(post.author)}/app.bsky.feed.post/{post.id}",
        301,
        "400",
    ),
]


@pytest.fixture(params=PROFILES, ids=lambda profile: str(profile.channel))
def profile(request) -> Profile:
    return request.param


@pytest.fixture
def settings(settings_for, profile):
    return settings_for(profile.channel)


@pytest.fixture
def connector(connector_for, profile):
    return connector_for(profile.channel)


@pytest.fixture
def engine(tmp_path):
    return connect(f"sqlite:///{tmp_path / 'db.sqlite'}")


@pytest.fixture
def expected(sandbox, profile) -> Callable[[], set[str]]:
    """What the `acme` watch follows, now: every visible post naming acme (search), our mentions
    among them (notifications)."""

    def visible() -> set[str]:
        timeline = sandbox.timelines[profile.channel]
        return {
            profile.external_id(post)
            for post in timeline.posts()
            if post.created_at <= sandbox.clock.now()
            and not timeline.removal(post)
            and ACME.search(post.text)
        }

    return visible


def poll(connector, settings, cursor=None, max_requests=50) -> PollResult:
    return asyncio.run(connector.poll(settings.watches[0], cursor, max_requests=max_requests))


def ids(result: PollResult) -> list[str]:
    return [item.external_id for item in result.batch.items if not isinstance(item, Rejected)]


def stored(engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(sa.select(Mention.external_id)).scalars())


def test_the_second_poll_fetches_only_what_is_new(connector, settings, clock, expected):
    first = poll(connector, settings)

    clock.advance(timedelta(hours=3))
    second = poll(connector, settings, first.batch.cursor)

    assert ids(second) and not set(ids(first)) & set(ids(second))
    assert set(ids(first)) | set(ids(second)) == expected()


def test_a_poll_cut_short_resumes_without_a_gap_and_every_request_counts(
    connector, settings, clock, engine, served, profile, expected, monkeypatch
):
    monkeypatch.setattr(profile.module, "PAGE_SIZE", 5)  # every stream takes several pages
    cursor, sizes, made = None, [], 0
    for _ in range(20):
        result = poll(connector, settings, cursor, max_requests=2)
        assert result.requests <= 2
        sizes.append(ingest(engine, result.batch, clock=clock).new)
        cursor, made = result.batch.cursor, made + result.requests

    assert sizes[0] < len(expected()) and sizes[-1] == 0
    assert set(stored(engine)) == expected()
    assert served[profile.bucket] == made + profile.login_requests


def test_overlapping_pages_store_each_post_once(
    connector, settings, sandbox, clock, engine, profile, expected, monkeypatch
):
    monkeypatch.setattr(profile.module, "PAGE_SIZE", 5)
    sandbox.faults.add(route=profile.routes[1], kind="duplicates", times=None, items=2)

    report = ingest(engine, poll(connector, settings).batch, clock=clock)

    assert len(stored(engine)) == len(set(stored(engine))) == report.new == len(expected())


def test_a_429_is_reported_with_its_reset_time_and_the_watch_resumes_after_it(
    connector, settings, sandbox, clock, profile, expected
):
    sandbox.faults.add(route=profile.routes[1], kind="429", seconds=300)

    throttled = poll(connector, settings)

    assert throttled.error is None
    assert timedelta(minutes=4) < throttled.throttled_until - clock.now() <= timedelta(minutes=5)
    clock.advance(timedelta(minutes=6))
    resumed = poll(connector, settings, throttled.batch.cursor)
    assert resumed.throttled_until is None
    assert set(ids(throttled)) | set(ids(resumed)) == expected()


def test_a_spent_window_stops_the_poll_before_the_platform_refuses(
    connector, settings, sandbox, clock, served, profile
):
    sandbox.limits.set(profile.bucket, Budget(1 + profile.login_requests, 300))

    result = poll(connector, settings)

    assert result.requests == 1 and served[profile.bucket] == 1 + profile.login_requests
    assert result.throttled_until is not None and result.throttled_until > clock.now()


def test_a_5xx_is_retried_with_backoff_by_the_connector(
    connector, settings, sandbox, sleeps, profile, expected
):
    sandbox.faults.add(route=profile.routes[0], kind="503", times=2)

    result = poll(connector, settings)

    assert result.error is None and set(ids(result)) == expected()
    assert len(sleeps.seconds) == 2


def test_a_5xx_that_persists_is_reported_and_what_was_fetched_is_kept(
    connector, settings, sandbox, profile
):
    sandbox.faults.add(route=profile.routes[1], kind="500", times=None)

    result = poll(connector, settings)

    assert result.error.startswith(
        f"{profile.channel}: search for 'acme' failed 3 times, last with"
    )
    assert ids(result)  # the notifications were read


def test_a_malformed_page_is_dead_lettered_and_asked_for_again(
    connector, settings, sandbox, clock, engine, profile, expected
):
    sandbox.faults.add(route=profile.routes[0], kind="malformed")

    first = poll(connector, settings)
    report = ingest(engine, first.batch, clock=clock)
    again = poll(connector, settings, first.batch.cursor)

    assert report.dead_letters == 1
    assert set(ids(first)) | set(ids(again)) == expected()  # the stream did not move past it


def test_deleted_posts_are_skipped(connector, settings, sandbox, profile, expected):
    sandbox.faults.add(route=profile.routes[0], kind="deleted", items=3)

    result = poll(connector, settings)

    timeline = sandbox.timelines[profile.channel]
    gone = {profile.external_id(post) for post in timeline.posts() if timeline.removal(post)}
    assert len(gone) == 3 and not gone & set(ids(result))
    assert set(ids(result)) == expected()


def test_refusing_or_throttling_a_reply_is_a_clear_connector_error(
    connector, settings, sandbox, clock, engine, sleeps, profile
):
    ingest(engine, poll(connector, settings).batch, clock=clock)
    with engine.connect() as connection:
        mention = reply_target(connection.execute(sa.select(Mention).limit(1)).mappings().one())

    with pytest.raises(ConnectorError, match=f"refused posting a reply: {profile.refusal}"):
        asyncio.run(connector.reply(mention, "x" * profile.too_long))
    sandbox.faults.add(route=profile.post_route, kind="429", seconds=120)
    with pytest.raises(Throttled) as throttled:
        asyncio.run(connector.reply(mention, "We're on it!"))
    assert throttled.value.until - clock.now() == timedelta(seconds=120)
    sandbox.faults.add(route=profile.post_route, kind="503")
    with pytest.raises(ConnectorError, match="may have gone through"):
        asyncio.run(connector.reply(mention, "We're on it!"))
    assert sleeps.seconds == []  # a post is never retried: the outbox asks find_reply first
