"""The Reddit connector through praw against the sandbox: subreddits, search and the inbox followed
incrementally, page by page and resumably; throttling, failures and broken answers met without
sleeping in praw; replies posted and found again."""

from __future__ import annotations

import asyncio
import json
import re
import time
from datetime import UTC, datetime, timedelta

import praw.reddit
import prawcore.rate_limit
import prawcore.sessions
import pytest
import sqlalchemy as sa

import connectors.reddit
from connectors.base import AuthFailed, ChannelUnavailable, PollResult
from connectors.reddit import _mention
from socialcx import Channel, connect, ingest
from socialcx.care.outbox import reply_target
from socialcx.mention import Rejected, ReplyTarget
from socialcx.sandbox import Budget
from socialcx.store import DeadLetter, Mention

ACME = re.compile(r"(?<!\w)acme(?!\w)", re.IGNORECASE)
LISTINGS = {"mentions", "comments:acme", "submissions:acme", "search"}


def poll(connector, settings, cursor=None, max_requests=50) -> PollResult:
    return asyncio.run(connector.poll(settings.watches[0], cursor, max_requests=max_requests))


def ids(result: PollResult) -> list[str]:
    return [item.external_id for item in result.batch.items if not isinstance(item, Rejected)]


def fullname(post) -> str:
    return f"{'t1' if post.kind == 'comment' else 't3'}_{post.id}"


def visible(sandbox) -> list:
    """The Reddit posts the clock has reached, not deleted or removed."""
    timeline = sandbox.timelines[Channel.REDDIT]
    now = sandbox.clock.now()
    return [
        post for post in timeline.posts() if post.created_at <= now and not timeline.removal(post)
    ]


def expected(sandbox) -> set[str]:
    """What the `acme` watch follows: posts in r/acme naming acme, submissions anywhere naming it
    (search), and comments mentioning u/acme (the inbox)."""
    found = set()
    for post in visible(sandbox):
        text = f"{post.title or ''}\n{post.text}"
        in_subreddit = post.community == "acme" and ACME.search(text)
        searched = post.kind == "post" and ACME.search(text)
        by_others = post.author.handle != "acme"
        mentioned = post.kind == "comment" and "u/acme" in post.text.lower() and by_others
        if in_subreddit or searched or mentioned:
            found.add(fullname(post))
    return found


def stored(engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(sa.select(Mention.external_id)).scalars())


def stored_mention(engine, prefix: str) -> ReplyTarget:
    with engine.connect() as connection:
        in_acme = sa.and_(Mention.external_id.startswith(prefix), Mention.url.contains("/r/acme/"))
        row = connection.execute(sa.select(Mention).where(in_acme).limit(1)).mappings().one()
    return reply_target(row)


def listings_done(cursor: str) -> bool:
    streams = json.loads(cursor)
    return set(streams) == LISTINGS and all(stream["after"] is None for stream in streams.values())


@pytest.fixture
def settings(settings_for):
    return settings_for(Channel.REDDIT)


@pytest.fixture
def reddit(connector_for):
    return connector_for(Channel.REDDIT)


class _PrawTime:
    """The `time` module as praw and prawcore see it: real, except that a sleep is recorded, not
    slept, so a test sees what praw asked for instead of timing how long it took."""

    def __init__(self) -> None:
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)

    def __getattr__(self, name: str):
        return getattr(time, name)


@pytest.fixture
def praw_sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The sleeps praw and prawcore asked for (none are slept)."""
    recorder = _PrawTime()
    for module in (praw.reddit, prawcore.rate_limit, prawcore.sessions):
        monkeypatch.setattr(module, "time", recorder)
    return recorder.slept


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ten things a page, so that every listing of the scenario takes several pages."""
    monkeypatch.setattr(connectors.reddit, "PAGE_SIZE", 10)


@pytest.fixture
def db(tmp_path):
    engine = connect(f"sqlite:///{tmp_path / 'db.sqlite'}")
    yield engine
    engine.dispose()


def test_a_first_poll_finds_subreddit_search_and_inbox_mentions_oldest_first(
    reddit, settings, sandbox, served
):
    result = poll(reddit, settings)

    found = ids(result)
    assert set(found) == expected(sandbox) and len(found) == len(set(found))
    created = [item.created_at for item in result.batch.items]
    assert created == sorted(created)
    assert result.requests == served.total() and served["reddit.token"] == 1
    assert result.error is None and result.throttled_until is None

    timeline = sandbox.timelines[Channel.REDDIT]
    comment = next(item for item in result.batch.items if item.external_id.startswith("t1_"))
    post = timeline.by_id(comment.external_id[3:])
    assert comment.text == post.text and comment.author_handle == post.author.handle
    assert comment.in_reply_to_id == post.in_reply_to
    assert comment.conversation_id == f"t3_{post.conversation_id}"
    thread = f"https://www.reddit.com/r/acme/comments/{post.conversation_id}"
    assert comment.url == f"{thread}/_/{post.id}/"
    assert comment.raw["data"]["name"] == comment.external_id
    submission = next(item for item in result.batch.items if item.external_id.startswith("t3_"))
    post = timeline.by_id(submission.external_id[3:])
    assert submission.text.startswith(post.title)
    assert submission.conversation_id == submission.external_id
    assert submission.in_reply_to_id is None


def test_the_second_poll_fetches_only_what_is_new(reddit, settings, sandbox, clock):
    first = poll(reddit, settings)

    clock.advance(timedelta(hours=2))
    second = poll(reddit, settings, first.batch.cursor)

    assert second.batch.items, "two more hours of the scenario bring new mentions"
    assert not set(ids(first)) & set(ids(second))
    assert set(ids(first)) | set(ids(second)) == expected(sandbox)
    assert second.requests < first.requests


@pytest.mark.usefixtures("small_pages")
def test_a_poll_cut_short_resumes_where_it_stopped_without_a_gap(
    reddit, settings, sandbox, clock, db
):
    cursor, polls = None, 0
    while cursor is None or not listings_done(cursor):
        result = poll(reddit, settings, cursor, max_requests=2)
        assert result.requests <= 2 and result.error is None
        ingest(db, result.batch, clock=clock)
        cursor, polls = result.batch.cursor, polls + 1
        assert polls < 60, "the listings never finished"

    assert polls > 10  # 110 comments in r/acme alone take eleven pages
    rows = stored(db)
    assert set(rows) == expected(sandbox) and len(rows) == len(set(rows))


def test_the_same_instant_is_told_apart_by_fullname(reddit, settings, clock, db):
    first = poll(reddit, settings)
    ingest(db, first.batch, clock=clock)
    thread = stored_mention(db, "t3_")

    early = asyncio.run(reddit.reply(thread, "Acme here: sorry about this, we're on it."))
    second = poll(reddit, settings, first.batch.cursor)
    # The clock has not moved: both replies are created at the same instant.
    late = asyncio.run(reddit.reply(thread, "Acme here again: a fix is rolling out."))
    third = poll(reddit, settings, second.batch.cursor)

    assert ids(second) == [early.external_id] and ids(third) == [late.external_id]
    seen = json.loads(third.batch.cursor)["comments:acme"]["seen"]
    assert seen == sorted([early.external_id, late.external_id])


@pytest.mark.usefixtures("small_pages")
def test_overlapping_pages_store_each_post_once(reddit, settings, sandbox, clock, engine):
    sandbox.faults.add(route="reddit.*", kind="duplicates", times=None, items=4)

    report = ingest(engine, poll(reddit, settings).batch, clock=clock)

    rows = stored(engine)
    assert len(rows) == len(set(rows)) == report.new
    assert set(rows) == expected(sandbox) and not report.duplicates


def test_a_429_is_reported_with_its_reset_time_and_the_watch_resumes_after_it(
    reddit, settings, sandbox, clock, served, praw_sleeps
):
    sandbox.faults.add(route="reddit.comments", kind="429", seconds=600)
    start = clock.now()

    throttled = poll(reddit, settings)
    again = poll(reddit, settings, throttled.batch.cursor)
    clock.advance(timedelta(minutes=11))
    resumed = poll(reddit, settings, again.batch.cursor)

    assert praw_sleeps == [], "praw must not sleep through the window"
    assert throttled.throttled_until == start + timedelta(seconds=600)
    assert throttled.error is None and ids(throttled), "the inbox, read first, is kept"
    assert again.throttled_until == throttled.throttled_until and again.requests == 0
    assert resumed.throttled_until is None and resumed.error is None
    assert set(ids(throttled)) | set(ids(resumed)) == expected(sandbox)
    assert served.total() == throttled.requests + resumed.requests


def test_a_spent_rate_limit_window_stops_the_poll_before_reddit_refuses(
    reddit, settings, sandbox, clock, served, praw_sleeps
):
    sandbox.limits.set("reddit", Budget(3, 600))
    start = clock.now()

    spent = poll(reddit, settings)
    sent = served["reddit"]
    sandbox.limits.set("reddit", Budget(1_000_000, 600))
    clock.advance(timedelta(minutes=11))
    resumed = poll(reddit, settings, spent.batch.cursor)

    assert praw_sleeps == [], "praw must not sleep through the window"
    assert sent == 3, "nothing is sent into a spent window"
    assert spent.throttled_until == start + timedelta(seconds=600) and spent.error is None
    assert resumed.throttled_until is None
    assert set(ids(spent)) | set(ids(resumed)) == expected(sandbox)


def test_a_5xx_is_retried_with_backoff_by_the_connector_not_by_praw(
    reddit, settings, sandbox, sleeps, served
):
    sandbox.faults.add(route="reddit.comments", kind="503", times=2)

    result = poll(reddit, settings)

    assert result.error is None and set(ids(result)) == expected(sandbox)
    assert len(sleeps.seconds) == 2 and all(0 <= s <= 30 for s in sleeps.seconds)
    assert result.requests == served.total()


def test_a_5xx_that_persists_is_reported_and_what_was_fetched_is_kept(reddit, settings, sandbox):
    sandbox.faults.add(route="reddit.search", kind="500", times=None)

    failed = poll(reddit, settings)
    sandbox.faults.clear()
    recovered = poll(reddit, settings, failed.batch.cursor)

    assert failed.error == (
        "reddit: search for acme failed 3 times, last with ServerError: received 500 HTTP response"
    )
    assert ids(failed), "the inbox and r/acme, read before the search, are kept"
    assert recovered.error is None
    assert set(ids(failed)) | set(ids(recovered)) == expected(sandbox)


def test_a_timeout_is_retried(reddit, settings, sandbox, sleeps, monkeypatch):
    monkeypatch.setattr(connectors.reddit, "TIMEOUT_SECONDS", 0.3)
    sandbox.faults.add(route="reddit.mentions", kind="slow", seconds=1)

    result = poll(reddit, settings)

    assert result.error is None and set(ids(result)) == expected(sandbox)
    assert len(sleeps.seconds) == 1


def test_items_missing_fields_are_dead_lettered_and_the_rest_lands(
    reddit, settings, sandbox, clock, db
):
    sandbox.faults.add(route="reddit.comments", kind="missing_fields", items=3)

    report = ingest(db, poll(reddit, settings).batch, clock=clock)

    assert report.dead_letters == 3
    with db.connect() as connection:
        letters = connection.execute(sa.select(DeadLetter.payload, DeadLetter.reason)).all()
    assert sorted(reason for _, reason in letters) == [
        "Reddit comment without author",
        "Reddit comment without body",
        "Reddit comment without created_utc",
    ]
    spoiled = {json.loads(payload)["data"]["name"] for payload, _ in letters}
    assert expected(sandbox) - spoiled <= set(stored(db))


def test_a_malformed_page_is_dead_lettered_and_asked_for_again(
    reddit, settings, sandbox, clock, db
):
    sandbox.faults.add(route="reddit.search", kind="malformed")

    first = poll(reddit, settings)
    report = ingest(db, first.batch, clock=clock)
    ingest(db, poll(reddit, settings, first.batch.cursor).batch, clock=clock)

    assert report.dead_letters == 1 and report.new > 0
    assert set(stored(db)) == expected(sandbox)


@pytest.mark.parametrize("kind", ["deleted", "removed"])
def test_deleted_and_removed_posts_are_skipped(reddit, settings, sandbox, kind):
    sandbox.faults.add(route="reddit.mentions", kind=kind, items=2)

    result = poll(reddit, settings)

    timeline = sandbox.timelines[Channel.REDDIT]
    gone = {fullname(post) for post in timeline.posts() if timeline.removal(post) == kind}
    assert len(gone) == 2 and not gone & set(ids(result))
    assert set(ids(result)) == expected(sandbox)


def test_a_watch_of_subreddits_alone_takes_all_of_them_and_reads_no_inbox(
    connector_for, settings, sandbox
):
    settings.watches[0].handles, settings.watches[0].keywords = [], []

    result = poll(connector_for(Channel.REDDIT), settings)

    in_acme = {fullname(post) for post in visible(sandbox) if post.community == "acme"}
    assert set(ids(result)) == in_acme
    assert set(json.loads(result.batch.cursor)) == {"comments:acme", "submissions:acme"}


@pytest.mark.parametrize("kind", ["t1_", "t3_"])
def test_a_reply_lands_as_our_comment_under_the_right_thing_and_is_found_again(
    reddit, settings, sandbox, clock, db, kind
):
    ingest(db, poll(reddit, settings).batch, clock=clock)
    mention = stored_mention(db, kind)

    assert asyncio.run(reddit.find_reply(mention)) is None
    posted = asyncio.run(reddit.reply(mention, "Sorry about that! Could you DM us your order?"))
    found = asyncio.run(reddit.find_reply(mention))

    reply = sandbox.timelines[Channel.REDDIT].by_id(posted.external_id.removeprefix("t1_"))
    assert reply.author.handle == "acme" and reply.in_reply_to == mention.external_id
    assert posted.posted_at == clock.now()
    assert posted.url.startswith("https://www.reddit.com/r/acme/comments/")
    assert found == posted


def test_a_reply_that_meets_a_5xx_is_reported_not_sent_again(
    reddit, settings, sandbox, clock, db, sleeps, served
):
    ingest(db, poll(reddit, settings).batch, clock=clock)
    mention = stored_mention(db, "t1_")
    sandbox.faults.add(route="reddit.reply", kind="503")
    before = served["reddit"]

    unsure = "posting a reply failed with ServerError.*may have gone through"
    with pytest.raises(ChannelUnavailable, match=unsure):
        asyncio.run(reddit.reply(mention, "Sorry about that!"))

    assert served["reddit"] == before + 1 and not sleeps.seconds


@pytest.mark.usefixtures("small_pages")
def test_max_requests_is_never_exceeded_and_every_request_is_counted(reddit, settings, served):
    cursor, made = None, 0
    for allowance in (1, 2, 1, 3, 1, 1, 1, 5, 2):
        result = poll(reddit, settings, cursor, max_requests=allowance)
        assert result.requests <= allowance
        cursor, made = result.batch.cursor, made + result.requests

    assert served.total() == made and served["reddit.token"] == 1
    assert set(json.loads(cursor)) == LISTINGS, "a small allowance reaches every listing in turn"


TOKEN = {"access_token": "t", "token_type": "bearer", "expires_in": 86400, "scope": "*"}


@pytest.mark.parametrize(
    "answers",
    [
        {"/api/v1/access_token": (401, {"message": "Unauthorized", "error": 401})},
        {"/api/v1/access_token": (200, {"error": "invalid_grant"})},
        {
            "/api/v1/access_token": (200, TOKEN),
            "/message/mentions": (403, {"message": "Forbidden", "error": 403}),
        },
    ],
    ids=["bad-app-credentials", "bad-password", "forbidden"],
)
def test_refused_credentials_are_auth_failures(connector_for, settings, refusing, answers):
    refusing.answers.update(answers)
    reddit = connector_for(Channel.REDDIT, base_url=refusing.url)

    with pytest.raises(AuthFailed, match="reddit refused our"):
        poll(reddit, settings)


def test_an_inbox_mention_as_reddit_sends_it_knows_its_page_and_thread():
    message = {
        "kind": "t1",
        "data": {
            "name": "t1_k2x9q1",
            "author": "jess_m",
            "body": "u/acme my parcel never came",
            "created_utc": 1795455220.0,
            "parent_id": "t3_k2w001",
            "context": "/r/acme/comments/k2w001/where_is_it/k2x9q1/?context=3",
            "was_comment": True,
        },
    }

    mention = _mention(message)

    assert mention.url == "https://www.reddit.com/r/acme/comments/k2w001/where_is_it/k2x9q1/"
    assert mention.conversation_id == "t3_k2w001" and mention.in_reply_to_id == "t3_k2w001"
    assert mention.created_at == datetime(2026, 11, 23, 17, 33, 40, tzinfo=UTC)
