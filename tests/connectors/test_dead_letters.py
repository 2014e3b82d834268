"""Dead letters looked up again, on every channel that can look a post up by its id: a post the
platform served once without a field we need is fetched by id on a later poll and stored,
triaged and routed like any mention; one that stays broken is looked up a bounded number of
times with growing waits, then shown to a person."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa

from socialcx import Channel
from socialcx.care.inbox import list_items, unreadable_posts
from socialcx.care.playbook import playbook_for
from socialcx.care.responder import route
from socialcx.collect.poller import WatchPoll, poll_once
from socialcx.ops.status import status_report
from socialcx.store import DeadLetter, Mention
from socialcx.triage import Triage


@dataclass(frozen=True)
class Case:
    """How one channel serves the `acme` watch by search alone: the listing the fault spoils, the
    route that looks posts up by id, and the reason a post that stays broken is shown with."""

    channel: Channel
    listing: str
    lookup: str
    reason: str

    def post_id(self, external_id: str) -> str:
        """The sandbox's id of the post a mention's external id names."""
        if self.channel is Channel.REDDIT:
            return external_id.partition("_")[2]
        return external_id.rsplit("/", 1)[-1]  # a Bluesky uri ends with the post's rkey


CASES = [
    Case(Channel.X, "x.search", "x.lookup", "text: Input should be a valid string"),
    Case(Channel.MASTODON, "mastodon.search", "mastodon.status", "text: Input should be a valid string"),
    Case(Channel.REDDIT, "reddit.search", "reddit.info", "Reddit submission without title"),
    Case(Channel.HACKERNEWS, "hackernews.search", "hackernews.item", "Hacker News item without author"),
    Case(
        Channel.BLUESKY,
        "bluesky.searchPosts",
        "bluesky.getPosts",
        "Bluesky post without its record's text and creation time",
    ),
]


@pytest.fixture(params=CASES, ids=lambda case: str(case.channel))
def case(request) -> Case:
    return request.param


@pytest.fixture
def settings(case, settings_for):
    """The `acme` watch followed by keyword search alone, so that no other stream (mentions,
    subreddits) brings the broken post whole."""
    settings = settings_for(case.channel)
    watch = settings.watches[0]
    watch.handles, watch.subreddits = [], []
    return settings


class _NeedsPerson:
    """Stands in for the triage model: every post is a complaint for a person."""

    version = "stub@1"

    def triage(self, texts):
        return [Triage("complaint", 0.9, False, "negative", -0.6, "normal", "en", (), False) for _ in texts]


def polled(connector, settings, clock, db) -> WatchPoll:
    """One polling pass over the `acme` watch with this connector, triaging what it stores."""
    [result] = asyncio.run(
        poll_once(settings, db, clock, connectors={connector.channel: connector}, triage=_NeedsPerson())
    )
    return result


def dead_letters(db) -> list[dict]:
    with db.connect() as connection:
        return [dict(row) for row in connection.execute(sa.select(DeadLetter.__table__)).mappings()]


def stored_mention(db, external_id: str) -> Mention:
    with db.connect() as connection:
        row = connection.execute(sa.select(Mention).where(Mention.external_id == external_id))
        return Mention(**row.mappings().one())


def test_a_post_served_once_broken_is_looked_up_again_and_reaches_the_inbox(
    case, settings, connector_for, sandbox, clock, db
):
    connector = connector_for(case.channel)
    sandbox.faults.add(route=case.listing, kind="missing_fields", items=1)

    result = polled(connector, settings, clock, db)

    [letter] = dead_letters(db)
    assert result.dead_letters == 1 and result.error is None
    assert letter["state"] == "recovered" and letter["attempts"] == 0
    mention = stored_mention(db, letter["external_id"])
    post = sandbox.timelines[case.channel].by_id(case.post_id(letter["external_id"]))
    assert post is not None and (post.title or post.text).split()[-1] in mention.text
    route(db, settings, playbook_for(settings), clock)
    with db.begin() as connection:
        assert mention.id in {entry.mention_id for entry in list_items(connection, limit=1_000)}
    clock.advance(timedelta(minutes=5))
    again = polled(connector, settings, clock, db)
    assert again.dead_letters == 0 and [row["state"] for row in dead_letters(db)] == ["recovered"]


def test_a_post_that_stays_broken_is_retried_with_growing_waits_then_shown_to_a_person(
    case, settings, connector_for, sandbox, clock, db
):
    connector = connector_for(case.channel)
    sandbox.faults.add(route=case.listing, kind="missing_fields", items=1)
    sandbox.faults.add(route=case.lookup, kind="missing_fields", items=1, times=None)

    history = []
    for wait in (0, 1, 1, 3, 16, 64, 300):  # minutes between polls
        clock.advance(timedelta(minutes=wait))
        polled(connector, settings, clock, db)
        [letter] = dead_letters(db)
        history.append((letter["state"], letter["attempts"]))

    assert history == [
        ("retrying", 1), ("retrying", 2), ("retrying", 2), ("retrying", 3), ("retrying", 4),
        ("unreadable", 5), ("unreadable", 5),
    ]
    assert sandbox.faults.active()[0].fired == 5  # one look-up per attempt, none after
    [summary] = status_report(db, settings, clock).dead_letters
    assert (summary.count, summary.retrying, summary.unreadable) == (1, 0, 1)
    assert summary.latest_reason.startswith(case.reason)
    with db.connect() as connection:
        [post] = unreadable_posts(connection)
    assert post.external_id == letter["external_id"] and post.attempts == 5
    assert post.reason.startswith(case.reason)
