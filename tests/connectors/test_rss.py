"""The RSS connector through aiohttp and feedparser against the sandbox's feeds: conditional GET,
watermarks per feed, whole-word filtering, one feed's trouble kept from the others, broken feeds
dead-lettered; and entry parsing that never crashes, whatever a feed holds."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

import feedparser
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

import connectors.rss
from connectors.base import HttpAnswer, NotSupported, PollResult, watch_pattern
from connectors.rss import _Feed, _read
from socialcx import Channel, ManualClock, ingest
from socialcx.care.outbox import reply_target
from socialcx.config import WatchConfig
from socialcx.mention import Batch, Rejected
from socialcx.sandbox import Sandbox
from socialcx.sandbox.posts import Post
from socialcx.sandbox.rss import FEED_ENTRIES
from socialcx.store import DeadLetter, Mention

ACME = re.compile(r"(?<!\w)acme(?!\w)", re.IGNORECASE)
FEEDS = {"reviews": "/feeds/reviews.xml", "blog": "/feeds/blog.atom"}  # the test watch's feeds
NOW = datetime(2026, 11, 23, 18, tzinfo=UTC)


def poll(connector, settings, cursor=None, max_requests=50) -> PollResult:
    return asyncio.run(connector.poll(settings.watches[0], cursor, max_requests=max_requests))


def post_ids(result: PollResult) -> list[str]:
    """The sandbox post behind each mention: the id its entry's link ends with."""
    return [item.url.rsplit("-", 1)[1] for item in result.batch.items if not isinstance(item, Rejected)]


def expected(sandbox: Sandbox, feeds=tuple(FEEDS)) -> set[str]:
    """The posts the watch's feeds list now (their newest visible ones) that name acme."""
    timeline = sandbox.timelines[Channel.RSS]
    now = sandbox.clock.now()
    found = set()
    for feed in feeds:
        posts = [p for p in timeline.posts() if p.community == feed and p.created_at <= now]
        listed = [post for post in reversed(posts) if not timeline.removal(post)][:FEED_ENTRIES]
        found |= {post.id for post in listed if ACME.search(f"{post.title}\n{post.text}")}
    return found


def add(sandbox: Sandbox, feed: str, title: str, text: str = "A post.") -> Post:
    """An entry published now in `feed`."""
    feeds = next(api for api in sandbox.apis if api.channel is Channel.RSS)
    return feeds.publish(text, None, title=title, community=feed)


@pytest.fixture
def settings(settings_for):
    return settings_for(Channel.RSS)


@pytest.fixture
def rss(connector_for):
    return connector_for(Channel.RSS)


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many documents feedparser was given to parse (a 304 gives it none)."""
    calls: list[int] = []
    parse = feedparser.parse

    def counting(*args, **kwargs):
        calls.append(1)
        return parse(*args, **kwargs)

    monkeypatch.setattr(connectors.rss.feedparser, "parse", counting)
    return calls


def test_a_first_poll_reads_each_feed_rss_and_atom_oldest_first(rss, settings, sandbox, served):
    result = poll(rss, settings)

    assert set(post_ids(result)) == expected(sandbox) and len(post_ids(result)) > 4
    assert {item.url.split("/")[2] for item in result.batch.items} == {
        "reviews.example.com",
        "blog.example.com",
    }
    created = [item.created_at for item in result.batch.items]
    assert created == sorted(created)
    assert result.requests == served["rss"] == 2 and result.error is None

    item = result.batch.items[0]
    post = sandbox.timelines[Channel.RSS].by_id(post_ids(result)[0])
    assert item.text == f"{post.title}\n\n{post.text}"
    assert item.external_id == item.url and item.author_name == post.author.name
    assert item.created_at == post.created_at.replace(microsecond=0)
    assert item.raw["link"] == item.url and item.raw["dated"]


def test_an_unchanged_feed_costs_a_304_and_yields_nothing(rss, settings, sandbox, served, parsed):
    first = poll(rss, settings)
    states = json.loads(first.batch.cursor)
    assert all(state["etag"] and state["modified"] for state in states.values())

    second = poll(rss, settings, first.batch.cursor)

    assert second.requests == 2 and served["rss"] == 4 and len(parsed) == 2
    assert not second.batch.items and second.error is None
    assert json.loads(second.batch.cursor).keys() == states.keys()


def test_only_new_entries_come_on_the_next_poll(rss, settings, sandbox, clock):
    first = poll(rss, settings)

    clock.advance(timedelta(hours=1))
    added = [add(sandbox, "reviews", "Acme lost my parcel"), add(sandbox, "blog", "Acme, again")]
    second = poll(rss, settings, first.batch.cursor)

    assert {post.id for post in added} <= set(post_ids(second))
    assert set(post_ids(second)) == expected(sandbox) - set(post_ids(first))


def test_a_small_allowance_reads_the_feeds_in_turn(rss, settings, sandbox):
    cursor, read = None, []
    for _ in range(2):
        result = poll(rss, settings, cursor, max_requests=1)
        assert result.requests == 1
        read.append({item.url.split("/")[2] for item in result.batch.items})
        cursor = result.batch.cursor

    assert read == [{"reviews.example.com"}, {"blog.example.com"}]


def test_only_whole_words_count(rss, settings, sandbox):
    first = poll(rss, settings)
    named = add(sandbox, "reviews", "ACME's new store opened", "Queues round the block.")
    in_text = add(sandbox, "reviews", "Weekend notes", "Bought a kettle at acme. Fine.")
    longer = add(sandbox, "reviews", "Acmetools launches a drill", "Nothing else.")
    inside = add(sandbox, "blog", "Weekend notes", "Tried the new tacmeal place.")

    found = post_ids(poll(rss, settings, first.batch.cursor))

    assert named.id in found and in_text.id in found
    assert longer.id not in found and inside.id not in found


def test_a_throttled_feed_waits_alone_and_the_watch_only_when_all_do(
    rss, settings, sandbox, clock
):
    start = clock.now()
    sandbox.faults.add(route="rss.xml", kind="429", seconds=300)

    first = poll(rss, settings)
    assert first.throttled_until is None and first.error is None
    assert {item.url.split("/")[2] for item in first.batch.items} == {"blog.example.com"}
    assert json.loads(first.batch.cursor)["/feeds/reviews.xml"]["resume_at"] == (
        start + timedelta(seconds=300)
    ).timestamp()

    sandbox.faults.add(route="rss.atom", kind="429", seconds=120)
    second = poll(rss, settings, first.batch.cursor)
    assert second.requests == 1, "the waiting feed is not asked"
    assert second.throttled_until == start + timedelta(seconds=120)

    clock.advance(timedelta(minutes=6))
    third = poll(rss, settings, second.batch.cursor)
    assert third.requests == 2 and third.throttled_until is None
    assert set(post_ids(first)) | set(post_ids(third)) == expected(sandbox)


def test_a_5xx_is_retried_and_one_that_persists_spares_the_other_feed(
    rss, settings, sandbox, sleeps
):
    sandbox.faults.add(route="rss.atom", kind="503", times=2)
    assert set(post_ids(poll(rss, settings))) == expected(sandbox) and len(sleeps.seconds) == 2

    sandbox.faults.add(route="rss.xml", kind="500", times=None)
    result = poll(rss, settings)

    assert result.error == (
        f"rss: fetching {settings.channels.rss.base_url}/feeds/reviews.xml failed 3 times, "
        "last with ServerError: 500 Internal Server Error"
    )
    assert set(post_ids(result)) == expected(sandbox, feeds=("blog",))


def test_a_feed_cut_short_is_dead_lettered_and_fetched_whole_next_time(
    rss, settings, sandbox, clock, db
):
    sandbox.faults.add(route="rss.xml", kind="malformed")

    first = poll(rss, settings)
    report = ingest(db, first.batch, clock=clock)
    second = poll(rss, settings, first.batch.cursor)
    ingest(db, second.batch, clock=clock)

    assert report.dead_letters == 1
    with db.connect() as connection:
        reason = connection.execute(sa.select(DeadLetter.reason)).scalar_one()
    assert reason.startswith("a feed cut short") and reason.endswith("(/feeds/reviews.xml)")
    assert json.loads(first.batch.cursor)["/feeds/reviews.xml"]["etag"] is None
    assert set(post_ids(second)) == expected(sandbox, feeds=("reviews",))


def test_an_entry_listed_twice_is_yielded_once(rss, settings, sandbox):
    sandbox.faults.add(route="rss.*", kind="duplicates", items=3, times=None)

    result = poll(rss, settings)

    assert sorted(post_ids(result)) == sorted(expected(sandbox))


def test_deleted_entries_are_skipped(rss, settings, sandbox):
    sandbox.faults.add(route="rss.xml", kind="deleted", items=2)

    result = poll(rss, settings)

    timeline = sandbox.timelines[Channel.RSS]
    gone = {post.id for post in timeline.posts() if timeline.removal(post)}
    assert len(gone) == 2 and not gone & set(post_ids(result))
    assert set(post_ids(result)) == expected(sandbox)


def test_entries_missing_a_date_id_or_title_still_count(rss, settings, sandbox, clock):
    sandbox.faults.add(route="rss.xml", kind="missing_fields", items=3)

    result = poll(rss, settings)

    assert set(post_ids(result)) == expected(sandbox)
    listed = [
        post
        for post in sandbox.timelines[Channel.RSS].posts()
        if post.community == "reviews" and post.created_at <= clock.now()
    ]
    undated, without_id, untitled = reversed(listed[-3:])
    by_post = {item.url.rsplit("-", 1)[1]: item for item in result.batch.items}
    assert by_post[undated.id].created_at == clock.now()
    assert not by_post[undated.id].raw["dated"]
    assert by_post[without_id.id].external_id == by_post[without_id.id].url
    assert by_post[untitled.id].text == untitled.text


def test_an_unknown_feed_is_reported_and_the_others_read(rss, settings, sandbox):
    settings.watches[0].feeds = ["/feeds/nowhere.xml", "/feeds/blog.atom"]

    result = poll(rss, settings)

    assert result.error == (
        f"rss refused fetching {settings.channels.rss.base_url}/feeds/nowhere.xml (404)"
    )
    assert set(post_ids(result)) == expected(sandbox, feeds=("blog",))


def test_a_feed_path_needs_a_base_url(connector_for, settings):
    rss = connector_for(Channel.RSS, base_url=None)

    result = poll(rss, settings)

    assert result.requests == 2 and not result.batch.items
    assert "feed '/feeds/reviews.xml' is not a URL" in result.error


def test_rss_is_read_only(rss, settings, clock, db):
    ingest(db, poll(rss, settings).batch, clock=clock)
    with db.connect() as connection:
        mention = reply_target(connection.execute(sa.select(Mention).limit(1)).mappings().one())

    assert not rss.capabilities.can_reply
    with pytest.raises(NotSupported, match="rss is read-only"):
        asyncio.run(rss.reply(mention, "Thanks!"))


# -- reading a fetched feed ---------------------------------------------------------------------

WATCH = WatchConfig(name="acme", keywords=["acme"])


def item(title: str, body: str = "", date: str | None = None, guid: str | None = None) -> str:
    parts = [f"<title>{escape(title)}</title>", f"<description>{escape(body)}</description>"]
    parts += [f"<pubDate>{escape(date)}</pubDate>"] if date is not None else []
    parts += [f"<guid>{escape(guid)}</guid>"] if guid is not None else []
    return f"<item>{''.join(parts)}</item>"


def document(*items: str) -> bytes:
    channel = f"<channel><title>Alerts</title>{''.join(items)}</channel>"
    xml = f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'>{channel}</rss>"
    return xml.encode("utf-8", "surrogatepass")  # a lone surrogate makes a broken byte sequence


def read(body: bytes, feed: _Feed, now: datetime = NOW) -> list:
    answer = HttpAnswer(200, {"ETag": '"v1"'}, body)
    return _read("https://alerts.example.com/feed", answer, feed, watch_pattern(WATCH), now)


def test_entries_without_a_date_are_remembered_while_the_feed_lists_them():
    feed = _Feed()
    body = document(item("Acme outage", guid="urn:alert:1"), item("Acme back", guid="urn:alert:2"))

    first = read(body, feed)
    again = read(body + b" ", feed, NOW + timedelta(hours=1))
    dropped = read(document(item("Acme back", guid="urn:alert:2")), feed)
    returned = read(body, feed, NOW + timedelta(hours=2))

    assert [m.external_id for m in first] == ["urn:alert:1", "urn:alert:2"]
    assert all(m.created_at == NOW and not m.raw["dated"] for m in first)
    assert again == [] and dropped == [] and feed.undated == ["urn:alert:1", "urn:alert:2"]
    assert [m.created_at for m in returned] == [NOW + timedelta(hours=2)]


def test_a_complete_feed_with_small_faults_is_read_for_what_feedparser_recovers():
    body = document(item("Acme & co", "fine", "Mon, 23 Nov 2026 10:00:00 GMT", "urn:1"))
    body = body.replace(b"Acme &amp; co", b"Acme & co")  # an unescaped ampersand: not XML

    found = read(body, _Feed())

    assert [m.text for m in found] == ["Acme & co\n\nfine"]


def test_plain_text_stays_as_written_and_html_becomes_text():
    body = document(item("Acme & <friends> <3", "<p>Acme &amp; co</p><p>a &lt; b</p>", guid="urn:1"))

    found = read(body, _Feed())

    assert [m.text for m in found] == ["Acme & <friends> <3\n\nAcme & co\n\na < b"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<html><body>Acme: moved to a new address</body></html>", "not a feed"),
        (b"", "not a feed"),
        (document(item("Acme one", "x", guid="urn:1"), item("Acme two"))[:-60], "a feed cut short"),
    ],
    ids=["a web page", "nothing", "cut short"],
)
def test_what_cannot_be_read_is_one_rejected_item_and_the_feed_stays(body, reason):
    feed = _Feed()

    found = read(body, feed)

    assert len(found) == 1 and isinstance(found[0], Rejected)
    assert found[0].reason.startswith(reason) and found[0].payload == body.decode()
    assert feed == _Feed(), "nothing is remembered, so the next poll fetches it whole"


dates = st.one_of(
    st.none(),
    st.datetimes(timezones=st.just(UTC)).map(lambda moment: format_datetime(moment, usegmt=True)),
    st.text(max_size=40),
)


@hypothesis_settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    entries=st.lists(
        st.tuples(
            st.text(max_size=80),
            st.text(max_size=300),
            dates,
            st.one_of(st.none(), st.text(max_size=300)),
        ),
        max_size=6,
    )
)
def test_any_titles_bodies_and_dates_are_stored_or_dead_lettered(db, entries):
    body = document(*(item(f"acme {title}", *rest) for title, *rest in entries))

    found = read(body, _Feed())
    report = ingest(db, Batch(Channel.RSS, "acme", found), clock=ManualClock(NOW))

    mentions = [item for item in found if not isinstance(item, Rejected)]
    assert report.dead_letters == len(found) - len(mentions)
    assert report.new + len(report.duplicates) == len(mentions)


@hypothesis_settings(max_examples=150, deadline=None)
@given(body=st.one_of(st.binary(max_size=400), st.text(max_size=400).map(str.encode)))
def test_any_bytes_at_all_never_crash_the_reader(body):
    found = read(body, _Feed())

    assert all(isinstance(item, dict | Rejected) for item in found)
