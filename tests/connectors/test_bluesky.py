"""The Bluesky connector through atproto's Client against the sandbox: one login kept, notifications
and post search followed incrementally by cursor and resumably; throttling, failures and broken
answers; replies that keep their thread's root, found again."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from connectors.base import AuthFailed, PollResult
from socialcx import Channel, connect, ingest
from socialcx.care.handover import queue_reply
from socialcx.care.outbox import reply_target, send_pending
from socialcx.collect.poller import poll_once
from socialcx.mention import Rejected, ReplyTarget
from socialcx.sandbox.bluesky import did_of
from socialcx.sandbox.posts import Author, Post
from socialcx.store import DeadLetter, Mention

ACME = re.compile(r"(?<![\w#@])[#@]?acme(?!\w)", re.IGNORECASE)


def poll(connector, settings, cursor=None, max_requests=50) -> PollResult:
    return asyncio.run(connector.poll(settings.watches[0], cursor, max_requests=max_requests))


def ids(result: PollResult) -> list[str]:
    return [item.external_id for item in result.batch.items if not isinstance(item, Rejected)]


def uri(post: Post) -> str:
    return f"at://{did_of(post.author)}/app.bsky.feed.post/{post.id}"


def expected(sandbox) -> set[str]:
    """What the `acme` watch follows: every visible post naming acme (search), our mentions among
    them (notifications)."""
    timeline = sandbox.timelines[Channel.BLUESKY]
    now = sandbox.clock.now()
    return {
        uri(post)
        for post in timeline.posts()
        if post.created_at <= now and not timeline.removal(post) and ACME.search(post.text)
    }


def stored_mention(engine, external_id: str) -> ReplyTarget:
    with engine.connect() as connection:
        row = connection.execute(sa.select(Mention).where(Mention.external_id == external_id))
        return reply_target(row.mappings().one())


def answered(sandbox, parent: Post, text: str, *, by: Author) -> Post:
    """A reply to `parent` by someone else, posted a minute ago."""
    timeline = sandbox.timelines[Channel.BLUESKY]
    at = sandbox.clock.now() - timedelta(minutes=1)
    key, rkey = timeline.mint(at)
    post = Post(
        Channel.BLUESKY,
        key,
        rkey,
        at,
        by,
        text,
        "en",
        in_reply_to=parent.id,
        parent_author=parent.author,
        conversation_id=parent.conversation_id or parent.id,
    )
    timeline.add(post)
    return post


@pytest.fixture
def settings(settings_for):
    return settings_for(Channel.BLUESKY)


@pytest.fixture
def bluesky(connector_for):
    return connector_for(Channel.BLUESKY)


@pytest.fixture
def engine(tmp_path):
    return connect(f"sqlite:///{tmp_path / 'db.sqlite'}")


def test_a_first_poll_finds_notifications_and_search_results_oldest_first(
    bluesky, settings, sandbox
):
    result = poll(bluesky, settings)

    assert set(ids(result)) == expected(sandbox)
    assert result.error is None and result.throttled_until is None
    times = [item.created_at for item in result.batch.items]
    assert times == sorted(times)
    first = result.batch.items[0]
    rkey = first.external_id.rsplit("/", 1)[1]
    post = sandbox.timelines[Channel.BLUESKY].by_id(rkey)
    assert first.text == post.text and first.author_id == did_of(post.author)
    assert first.url == f"https://bsky.app/profile/{first.author_handle}/post/{rkey}"
    assert first.conversation_id == first.external_id
    assert set(json.loads(result.batch.cursor)) == {"notifications", "search:acme"}


def test_the_session_is_made_once_and_kept_across_polls(bluesky, settings, clock, served):
    cursor = None
    for _ in range(4):
        cursor = poll(bluesky, settings, cursor, max_requests=1).batch.cursor
        clock.advance(timedelta(minutes=20))

    assert served["bluesky.session"] == 1  # Bluesky allows 30 logins in 5 minutes


def test_a_poll_and_the_replies_sent_after_it_log_in_once(settings, sandbox, clock, served, engine):
    # As `socialcx poll` does: the poller and then the outbox, each with a connector of its own.
    asyncio.run(poll_once(settings, engine, clock))
    with engine.begin() as connection:
        mention_id = connection.execute(
            sa.select(Mention.id).where(Mention.author_handle != "acme.bsky.social").limit(1)
        ).scalar_one()
        queue_reply(connection, mention_id, "Sorry about that! We're on it.", origin="auto", agent=None, now=clock.now())

    sent = asyncio.run(send_pending(engine, settings, clock))

    assert sent.sent == 1
    assert served["bluesky.session"] == 1


def test_posts_missing_fields_are_dead_lettered_and_the_rest_lands(
    bluesky, settings, sandbox, clock, engine
):
    settings.watches[0].handles = []  # search alone, so that no other stream brings them whole
    # the first three posts each lose one field: record, author, indexedAt
    sandbox.faults.add(route="bluesky.searchPosts", kind="missing_fields", items=3)

    report = ingest(engine, poll(bluesky, settings).batch, clock=clock)

    with engine.connect() as connection:
        reasons = list(connection.execute(sa.select(DeadLetter.reason)).scalars())
        anonymous = connection.execute(
            sa.select(sa.func.count()).select_from(Mention).where(Mention.author_id.is_(None))
        ).scalar_one()
    assert reasons == ["Bluesky post without its record's text and creation time"]
    assert anonymous == 1 and report.new == len(expected(sandbox)) - 1


def test_a_reply_keeps_the_thread_root_and_is_found_again(
    bluesky, settings, sandbox, clock, engine
):
    timeline = sandbox.timelines[Channel.BLUESKY]
    root = next(
        post
        for post in timeline.posts()
        if post.created_at < clock.now() and ACME.search(post.text)
    )
    answer = answered(sandbox, root, "@acme.bsky.social still nothing, any news?", by=root.author)
    ingest(engine, poll(bluesky, settings).batch, clock=clock)
    mention = stored_mention(engine, uri(answer))
    with engine.connect() as connection:
        thread = connection.execute(
            sa.select(Mention.in_reply_to_id, Mention.conversation_id).where(Mention.external_id == uri(answer))
        ).one()
    assert tuple(thread) == (uri(root), uri(root)) == (uri(root), mention.conversation_id)

    assert asyncio.run(bluesky.find_reply(mention)) is None
    posted = asyncio.run(bluesky.reply(mention, "Sorry for the wait, we're looking into it."))
    found = asyncio.run(bluesky.find_reply(mention))

    assert found is not None and found.external_id == posted.external_id
    ours = timeline.by_id(posted.external_id.rsplit("/", 1)[1])
    assert ours.author.handle == "acme" and ours.in_reply_to == answer.id
    assert ours.conversation_id == root.id  # the root is where the thread began, not the parent
    assert posted.url == f"https://bsky.app/profile/acme.bsky.social/post/{ours.id}"


def test_a_reply_to_our_post_comes_as_a_notification(bluesky, settings, sandbox, clock, engine):
    first = poll(bluesky, settings)
    ingest(engine, first.batch, clock=clock)
    mention = stored_mention(engine, ids(first)[0])
    posted = asyncio.run(bluesky.reply(mention, "Thanks for telling us!"))
    ours = sandbox.timelines[Channel.BLUESKY].by_id(posted.external_id.rsplit("/", 1)[1])
    clock.advance(timedelta(minutes=2))
    thanks = answered(sandbox, ours, "thank you, fixed now", by=ours.parent_author)

    later = poll(bluesky, settings, first.batch.cursor)

    assert uri(thanks) in ids(later)  # no acme in it: only the notification brings it


def test_a_refused_login_is_an_auth_failure(bluesky, settings, monkeypatch):
    monkeypatch.setenv("SANDBOX_BLUESKY_HANDLE", "someone-else.bsky.social")

    with pytest.raises(AuthFailed, match="bluesky refused our login as someone-else.bsky.social"):
        poll(bluesky, settings)
