"""The Hacker News connector through aiohttp against the sandbox's Algolia search: incremental,
paged and resumable, exact about items sharing a second, strict about whole words where Algolia
is loose, throttle- and failure-aware, and read-only."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

import connectors.hackernews
import socialcx.sandbox.hackernews
from connectors.base import NotSupported, PollResult
from socialcx import Channel, ingest
from socialcx.care.outbox import reply_target
from socialcx.mention import Rejected
from socialcx.sandbox import Sandbox
from socialcx.sandbox.posts import Post
from socialcx.store import DeadLetter, Mention

ACME = re.compile(r"(?<!\w)acme(?!\w)", re.IGNORECASE)


def poll(connector, settings, cursor=None, max_requests=50) -> PollResult:
    return asyncio.run(connector.poll(settings.watches[0], cursor, max_requests=max_requests))


def ids(result: PollResult) -> list[str]:
    return [item.external_id for item in result.batch.items if not isinstance(item, Rejected)]


def expected(sandbox: Sandbox) -> set[str]:
    """The stories and comments visible now that name acme as a whole word."""
    timeline = sandbox.timelines[Channel.HACKERNEWS]
    now = sandbox.clock.now()
    return {
        post.id
        for post in timeline.posts()
        if post.created_at <= now
        and not timeline.removal(post)
        and ACME.search(f"{post.title or ''}\n{post.text}")
    }


def story(sandbox: Sandbox, title: str, text: str = "") -> Post:
    """A story posted now (by the brand's account, which Algolia does not tell apart)."""
    hackernews = next(api for api in sandbox.apis if api.channel is Channel.HACKERNEWS)
    return hackernews.publish(text, None, title=title)


def stored(engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(sa.select(Mention.external_id)).scalars())


@pytest.fixture
def settings(settings_for):
    return settings_for(Channel.HACKERNEWS)


@pytest.fixture
def hn(connector_for):
    return connector_for(Channel.HACKERNEWS)


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Three hits a page, so that the scenario's search takes several pages."""
    monkeypatch.setattr(connectors.hackernews, "PAGE_SIZE", 3)


def test_a_first_poll_finds_stories_and_comments_naming_the_brand_oldest_first(
    hn, settings, sandbox, served
):
    result = poll(hn, settings)

    found = ids(result)
    assert set(found) == expected(sandbox) and len(found) == len(set(found)) > 5
    created = [item.created_at for item in result.batch.items]
    assert created == sorted(created)
    assert result.requests == served["hackernews"] == 1 and result.error is None

    timeline = sandbox.timelines[Channel.HACKERNEWS]
    comment = next(i for i in result.batch.items if "comment" in i.raw["_tags"])
    post = timeline.by_id(comment.external_id)
    assert comment.text == post.text and comment.author_handle == post.author.handle
    assert comment.url == f"https://news.ycombinator.com/item?id={post.id}"
    assert comment.in_reply_to_id == comment.conversation_id == post.conversation_id
    item = next(i for i in result.batch.items if "story" in i.raw["_tags"])
    post = timeline.by_id(item.external_id)
    assert item.text == "\n\n".join(part for part in (post.title, post.text) if part)
    assert item.conversation_id == item.external_id and item.in_reply_to_id is None


def test_the_second_poll_fetches_only_what_is_new(hn, settings, sandbox, clock):
    first = poll(hn, settings)

    clock.advance(timedelta(hours=4))
    second = poll(hn, settings, first.batch.cursor)

    assert second.batch.items, "four more hours of the scenario bring new items"
    assert not set(ids(first)) & set(ids(second))
    assert set(ids(first)) | set(ids(second)) == expected(sandbox)


@pytest.mark.usefixtures("small_pages")
def test_pages_are_read_to_the_end_and_a_poll_cut_short_resumes_without_a_gap(
    hn, settings, sandbox, clock, db, served
):
    whole = poll(hn, settings)
    assert set(ids(whole)) == expected(sandbox) and whole.requests > 3

    cursor, polls = None, 0
    while True:
        result = poll(hn, settings, cursor, max_requests=1)
        ingest(db, result.batch, clock=clock)
        cursor, polls = result.batch.cursor, polls + 1
        if json.loads(cursor)["acme"]["top"] is None:
            break
        clock.advance(timedelta(minutes=20))  # new items meanwhile do not shift the pages read
        assert polls < 40, "the search never finished"

    assert polls == whole.requests and set(ids(whole)) <= set(stored(db))
    ingest(db, poll(hn, settings, cursor).batch, clock=clock)  # what was posted meanwhile
    rows = stored(db)
    assert len(rows) == len(set(rows)) and set(rows) == expected(sandbox)


@pytest.mark.usefixtures("small_pages")
def test_past_algolias_paging_limit_the_search_reads_on_below_the_oldest_second(
    hn, settings, sandbox, monkeypatch
):
    monkeypatch.setattr(socialcx.sandbox.hackernews, "_PAGINATION_LIMIT", 6)

    result = poll(hn, settings)

    assert set(ids(result)) == expected(sandbox) and len(expected(sandbox)) > 6
    assert result.error is None


def test_items_of_the_same_second_are_told_apart_by_id(hn, settings, sandbox):
    first = poll(hn, settings)
    early = story(sandbox, "Acme status page is green, checkout is not")
    second = poll(hn, settings, first.batch.cursor)
    late = story(sandbox, "Acme support answered in two minutes")  # the clock has not moved
    third = poll(hn, settings, second.batch.cursor)

    assert ids(second) == [early.id] and ids(third) == [late.id]
    assert json.loads(third.batch.cursor)["acme"]["since"]["ids"] == sorted([early.id, late.id])


def test_only_whole_words_count_though_algolia_matches_prefixes(hn, settings, sandbox):
    first = poll(hn, settings)
    named = story(sandbox, "Acme's checkout is down for everyone")
    linked = story(sandbox, "Show HN: a status page for acme.com")
    longer = story(sandbox, "AcmeCorp raises a Series B")
    inside = story(sandbox, "Ask HN: who uses Acmetools?", "Looking at acmetools for our shop.")

    found = ids(poll(hn, settings, first.batch.cursor))

    assert named.id in found and linked.id in found
    assert longer.id not in found and inside.id not in found


def test_titles_are_read_as_plain_text_and_texts_as_html(hn, settings, sandbox):
    first = poll(hn, settings)
    story(sandbox, "Tell HN: Acme <3 & co", 'Their "support" is <b>slow</b>.\n\nReally.')

    [item] = poll(hn, settings, first.batch.cursor).batch.items

    assert item.text == 'Tell HN: Acme <3 & co\n\nTheir "support" is <b>slow</b>.\n\nReally.'


def test_a_429_is_waited_out_and_the_search_resumes_after_it(hn, settings, sandbox, clock):
    sandbox.faults.add(route="hackernews.search", kind="429", seconds=600)
    started = clock.now()

    throttled = poll(hn, settings)
    clock.advance(timedelta(minutes=2))
    resumed = poll(hn, settings, throttled.batch.cursor)

    # Algolia sends no Retry-After: the connector waits a minute.
    assert throttled.throttled_until == started + timedelta(minutes=1)
    assert throttled.error is None and not throttled.batch.items and throttled.requests == 1
    assert resumed.throttled_until is None and set(ids(resumed)) == expected(sandbox)


def test_a_5xx_is_retried_with_backoff(hn, settings, sandbox, sleeps, served):
    sandbox.faults.add(route="hackernews.search", kind="503", times=2)

    result = poll(hn, settings)

    assert result.error is None and set(ids(result)) == expected(sandbox)
    assert len(sleeps.seconds) == 2 and served["hackernews"] == 3 and result.requests == 1


def test_a_5xx_that_persists_is_reported_and_the_cursor_stays(hn, settings, sandbox):
    sandbox.faults.add(route="hackernews.search", kind="500", times=None)

    failed = poll(hn, settings)
    sandbox.faults.clear()
    recovered = poll(hn, settings, failed.batch.cursor)

    assert failed.error == (
        "hackernews: search for acme failed 3 times, last with ServerError: "
        "500 Internal Server Error"
    )
    assert not failed.batch.items and set(ids(recovered)) == expected(sandbox)


def test_a_timeout_is_retried(hn, settings, sandbox, sleeps, monkeypatch):
    monkeypatch.setattr(connectors.hackernews, "TIMEOUT_SECONDS", 0.3)
    sandbox.faults.add(route="hackernews.search", kind="slow", seconds=1)

    result = poll(hn, settings)

    assert result.error is None and set(ids(result)) == expected(sandbox)
    assert len(sleeps.seconds) == 1


def test_a_malformed_page_is_dead_lettered_and_asked_for_again(hn, settings, sandbox, clock, db):
    sandbox.faults.add(route="hackernews.search", kind="malformed")

    first = poll(hn, settings)
    report = ingest(db, first.batch, clock=clock)
    again = poll(hn, settings, first.batch.cursor)
    ingest(db, again.batch, clock=clock)

    assert report.dead_letters == 1 and report.new == 0
    assert set(stored(db)) == expected(sandbox)


def test_items_missing_fields_are_dead_lettered_and_the_rest_lands(
    hn, settings, sandbox, clock, db
):
    sandbox.faults.add(route="hackernews.search", kind="missing_fields", items=3)

    report = ingest(db, poll(hn, settings).batch, clock=clock)

    with db.connect() as connection:
        reasons = sorted(connection.execute(sa.select(DeadLetter.reason)).scalars())
    assert reasons == [
        "Hacker News item without author",
        "Hacker News item without created_at_i",
        "Hacker News item without objectID",
    ]
    assert report.dead_letters == 3 and report.new == len(expected(sandbox)) - 3


@pytest.mark.usefixtures("small_pages")
def test_repeated_hits_are_stored_once(hn, settings, sandbox, clock, db):
    first = poll(hn, settings)
    ingest(db, first.batch, clock=clock)
    clock.advance(timedelta(hours=4))
    sandbox.faults.add(route="hackernews.search", kind="duplicates", times=None, items=2)

    second = poll(hn, settings, first.batch.cursor)
    report = ingest(db, second.batch, clock=clock)

    assert not set(ids(first)) & set(ids(second)) and not report.duplicates
    rows = stored(db)
    assert len(rows) == len(set(rows)) and set(rows) == expected(sandbox)


def test_deleted_items_are_never_read(hn, settings, sandbox):
    sandbox.faults.add(route="hackernews.search", kind="deleted", items=2)

    result = poll(hn, settings)

    timeline = sandbox.timelines[Channel.HACKERNEWS]
    gone = {post.id for post in timeline.posts() if timeline.removal(post)}
    assert len(gone) == 2 and not gone & set(ids(result))
    assert set(ids(result)) == expected(sandbox)


def test_a_watch_without_terms_asks_nothing(connector_for, settings, served):
    settings.watches[0].handles, settings.watches[0].keywords = [], []

    result = poll(connector_for(Channel.HACKERNEWS), settings)

    assert result.requests == served.total() == 0 and not result.batch.items


def test_each_distinct_term_is_one_search(hn, settings, served):
    settings.watches[0].keywords = ["acme", "Acme store"]
    settings.watches[0].hashtags = ["#acme"]

    result = poll(hn, settings)

    assert set(json.loads(result.batch.cursor)) == {"acme", "acme store"}
    assert served["hackernews"] == result.requests == 2


def test_hacker_news_is_read_only(hn, settings, clock, db):
    ingest(db, poll(hn, settings).batch, clock=clock)
    with db.connect() as connection:
        mention = reply_target(connection.execute(sa.select(Mention).limit(1)).mappings().one())

    assert not hn.capabilities.can_reply
    with pytest.raises(NotSupported, match="hackernews is read-only"):
        asyncio.run(hn.reply(mention, "Thanks!"))
    with pytest.raises(NotSupported):
        asyncio.run(hn.find_reply(mention))
