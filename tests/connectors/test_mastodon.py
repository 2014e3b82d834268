"""The Mastodon connector through Mastodon.py against the sandbox: mention notifications and search
followed incrementally, page by page along the `Link` header and resumably; throttling, failures
and broken answers met without sleeping in Mastodon.py; replies posted and found again."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from connectors.base import AuthFailed, PollResult
from socialcx import Channel, connect, ingest
from socialcx.care.outbox import reply_target
from socialcx.mention import Rejected, ReplyTarget
from socialcx.store import DeadLetter, Mention

ACME = re.compile(r"(?<![\w#@])[#@]?acme(?!\w)", re.IGNORECASE)


def poll(connector, settings, cursor=None, max_requests=50) -> PollResult:
    return asyncio.run(connector.poll(settings.watches[0], cursor, max_requests=max_requests))


def ids(result: PollResult) -> list[str]:
    return [item.external_id for item in result.batch.items if not isinstance(item, Rejected)]


def expected(sandbox) -> set[str]:
    """What the `acme` watch follows: every visible status naming acme (search), mentions of
    @acme among them (notifications)."""
    timeline = sandbox.timelines[Channel.MASTODON]
    now = sandbox.clock.now()
    return {
        post.id
        for post in timeline.posts()
        if post.created_at <= now and not timeline.removal(post) and ACME.search(post.text)
    }


def first_mentions(connector, settings, engine, clock, count: int) -> list[ReplyTarget]:
    ingest(engine, poll(connector, settings).batch, clock=clock)
    with engine.connect() as connection:
        rows = connection.execute(sa.select(Mention).order_by(Mention.external_id).limit(count))
        return [reply_target(row) for row in rows.mappings()]


@pytest.fixture
def settings(settings_for):
    return settings_for(Channel.MASTODON)


@pytest.fixture
def mastodon(connector_for):
    return connector_for(Channel.MASTODON)


@pytest.fixture
def engine(tmp_path):
    return connect(f"sqlite:///{tmp_path / 'db.sqlite'}")


def test_a_first_poll_finds_mentions_and_search_results_oldest_first(mastodon, settings, sandbox):
    result = poll(mastodon, settings)

    assert set(ids(result)) == expected(sandbox)
    assert result.error is None and result.throttled_until is None
    times = [item.created_at for item in result.batch.items]
    assert times == sorted(times)
    first = result.batch.items[0]
    post = sandbox.timelines[Channel.MASTODON].by_id(first.external_id)
    assert first.text == post.text  # the HTML content, back to the text as written
    assert first.author_handle.split("@")[0] == post.author.handle
    assert first.url.endswith(f"/@{post.author.handle}/{post.id}")
    assert set(json.loads(result.batch.cursor)) == {"notifications", "search:acme"}


def test_statuses_missing_fields_are_dead_lettered_and_the_rest_lands(
    mastodon, settings, sandbox, clock, engine
):
    settings.watches[0].handles = []  # search alone, so that no other stream brings them whole
    # the first three statuses each lose one field: content, created_at, account
    sandbox.faults.add(route="mastodon.search", kind="missing_fields", items=3)

    report = ingest(engine, poll(mastodon, settings).batch, clock=clock)

    assert report.dead_letters == 2  # no text or no time: not a mention we can use
    with engine.connect() as connection:
        reasons = sorted(connection.execute(sa.select(DeadLetter.reason)).scalars())
        anonymous = connection.execute(
            sa.select(sa.func.count()).select_from(Mention).where(Mention.author_id.is_(None))
        ).scalar_one()
    assert reasons[0] == "Mastodon status without a creation time" and reasons[1].startswith(
        "text:"
    )
    assert anonymous == 1 and report.new == len(expected(sandbox)) - 2


def test_a_reply_mentions_the_author_lands_under_the_status_and_is_found_again(
    mastodon, settings, sandbox, clock, engine
):
    [mention] = first_mentions(mastodon, settings, engine, clock, 1)

    assert asyncio.run(mastodon.find_reply(mention)) is None
    posted = asyncio.run(mastodon.reply(mention, "Sorry about that! Acme will DM you."))
    found = asyncio.run(mastodon.find_reply(mention))

    assert found is not None and found.external_id == posted.external_id
    reply = sandbox.timelines[Channel.MASTODON].by_id(posted.external_id)
    assert reply.author.handle == "acme" and reply.in_reply_to == mention.external_id
    assert reply.text == f"@{mention.author_handle} Sorry about that! Acme will DM you."
    clock.advance(timedelta(minutes=1))
    later = poll(mastodon, settings)
    assert posted.external_id in ids(later)  # our own reply names acme: search finds it too


def test_a_refused_token_is_an_auth_failure(connector_for, settings, refusing):
    refusing.answers["/api/v1/notifications"] = (401, {"error": "The access token is invalid"})
    mastodon = connector_for(Channel.MASTODON, base_url=refusing.url)

    with pytest.raises(AuthFailed, match="mastodon refused our access token"):
        poll(mastodon, settings)


def test_a_watch_with_hashtags_follows_their_timelines(connector_for, settings_for, sandbox):
    settings = settings_for(Channel.MASTODON)
    settings.watches[0].handles, settings.watches[0].keywords = [], []
    settings.watches[0].hashtags = ["#acme"]
    mastodon = connector_for(Channel.MASTODON)

    result = poll(mastodon, settings)

    tagged = {
        post.id
        for post in sandbox.timelines[Channel.MASTODON].posts()
        if post.created_at <= sandbox.clock.now()
        and re.search(r"#acme\b", post.text, re.IGNORECASE)
    }
    assert tagged and set(ids(result)) == tagged
    assert set(json.loads(result.batch.cursor)) == {"tag:acme"}


def search_only(settings):
    settings.watches[0].handles = []
    return settings


def delete_every_third(sandbox) -> None:
    """Delete a third of the statuses naming acme: they stay in the search index, so search pages
    come back short with more behind them, as Mastodon's do."""
    timeline = sandbox.timelines[Channel.MASTODON]
    naming = [post for post in timeline.posts() if ACME.search(post.text)]
    for post in naming[::3]:
        timeline.remove(post, "deleted")


def test_short_search_pages_lose_nothing(mastodon, settings, sandbox):
    delete_every_third(sandbox)

    result = poll(mastodon, search_only(settings))

    assert result.error is None and set(ids(result)) == expected(sandbox)


def test_short_search_pages_lose_nothing_while_statuses_arrive(
    mastodon, settings, sandbox, clock, engine
):
    delete_every_third(sandbox)
    cursor = None
    for _ in range(40):  # two requests a poll, a minute apart, while the day goes on
        result = poll(mastodon, search_only(settings), cursor, max_requests=2)
        ingest(engine, result.batch, clock=clock)
        cursor = result.batch.cursor
        clock.advance(timedelta(minutes=1))
    result = poll(mastodon, settings, cursor)  # catch up with the last minute
    ingest(engine, result.batch, clock=clock)

    with engine.connect() as connection:
        stored = set(connection.execute(sa.select(Mention.external_id)).scalars())
    assert stored == expected(sandbox)


def notifications_only(settings):
    settings.watches[0].keywords = []
    return settings


def mentions_of_us(sandbox) -> list[str]:
    """The visible statuses that mention @acme, not by us, oldest first."""
    timeline, now = sandbox.timelines[Channel.MASTODON], sandbox.clock.now()
    return [
        post.id
        for post in timeline.posts()
        if post.created_at <= now
        and not timeline.removal(post)
        and post.author.id != sandbox.scenario.account.id
        and re.search(r"(?<![\w@])@acme(?!\w)", post.text, re.IGNORECASE)
    ]


def test_notifications_resume_from_their_own_ids_poll_after_poll(
    mastodon, settings, sandbox, clock
):
    first = poll(mastodon, notifications_only(settings))
    clock.advance(timedelta(hours=3))
    second = poll(mastodon, settings, first.batch.cursor)

    assert set(ids(first)) == set(mentions_of_us(sandbox)) - set(ids(second))
    assert ids(second) and not set(ids(first)) & set(ids(second))
    stream = json.loads(second.batch.cursor)["notifications"]
    assert int(stream["since_id"]) < 10**9  # a notification id, not a status id


def test_a_cursor_stored_before_notifications_had_their_own_lose_nothing(
    mastodon, settings, sandbox
):
    mentions = mentions_of_us(sandbox)
    read = mentions[len(mentions) // 2]  # the old cursor: a status id, where the last poll stopped
    old = {"mentions": {"since_id": read, "token": None, "newest_id": None, "turn": 4}}

    result = poll(mastodon, notifications_only(settings), json.dumps(old))

    assert set(ids(result)) == {status for status in mentions if int(status) > int(read)}
    assert set(json.loads(result.batch.cursor)) == {"notifications"}


@pytest.mark.parametrize(
    "handle", ["evil https://spam.example/win @victim", "evil\n@victim", "@victim@evil.example x"]
)
def test_a_reply_never_puts_a_hostile_handle_in_front_of_the_text(
    mastodon, settings, sandbox, clock, engine, handle
):
    [stored] = first_mentions(mastodon, settings, engine, clock, 1)
    mention = dataclasses.replace(stored, author_handle=handle)

    posted = asyncio.run(mastodon.reply(mention, "Sorry about that! Acme will DM you."))

    reply = sandbox.timelines[Channel.MASTODON].by_id(posted.external_id)
    assert reply.text == "Sorry about that! Acme will DM you."
