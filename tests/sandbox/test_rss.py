"""The RSS and Atom route set, through feedparser over aiohttp as the connector reads it: feeds
built from the timeline, conditional GET, 429 with Retry-After, and faults."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import aiohttp
import feedparser
import pytest
from multidict import CIMultiDict

from socialcx.channels import Channel
from socialcx.sandbox import Budget, Sandbox
from socialcx.sandbox.posts import Post
from socialcx.sandbox.rss import FEED_ENTRIES


def fetch(base_url: str, path: str, **headers: str) -> tuple[int, CIMultiDict[str], bytes]:
    async def get() -> tuple[int, CIMultiDict[str], bytes]:
        async with aiohttp.ClientSession() as session:
            async with session.get(base_url + path, headers=headers) as response:
                return response.status, response.headers.copy(), await response.read()

    return asyncio.run(get())


def parse(body: bytes) -> feedparser.FeedParserDict:
    return feedparser.parse(io.BytesIO(body))


def in_feed(sandbox: Sandbox, name: str) -> list[Post]:
    """The posts a feed lists now: its newest visible ones, newest first."""
    timeline = sandbox.timelines[Channel.RSS]
    now = sandbox.clock.now()
    posts = [p for p in timeline.posts() if p.community == name and p.created_at <= now]
    return [post for post in reversed(posts) if not timeline.removal(post)][:FEED_ENTRIES]


def add(sandbox: Sandbox, feed: str, title: str, text: str) -> Post:
    """An entry published now in `feed`."""
    feeds = next(api for api in sandbox.apis if api.channel is Channel.RSS)
    return feeds.publish(text, None, title=title, community=feed)


@pytest.mark.parametrize("path", ["/feeds/reviews.xml", "/feeds/reviews.atom"])
def test_a_feed_lists_its_newest_visible_posts_in_either_format(
    sandbox: Sandbox, base_url: str, path: str
) -> None:
    status, headers, body = fetch(base_url, path)

    assert status == 200 and not parse(body).bozo
    assert headers["Content-Type"].startswith(
        "application/rss+xml" if path.endswith(".xml") else "application/atom+xml"
    )
    entries, posts = parse(body).entries, in_feed(sandbox, "reviews")
    assert len(entries) == len(posts) > 0
    for entry, post in zip(entries, posts, strict=True):
        assert entry.title == post.title and entry.id == entry.link
        assert entry.link.startswith("https://reviews.example.com/") and post.id in entry.link
        assert datetime(*entry.published_parsed[:6], tzinfo=UTC) == post.created_at.replace(
            microsecond=0
        )
        assert entry.author == post.author.name
        assert entry.summary == f"<p>{post.text}</p>".replace("&", "&amp;")


def test_feeds_keep_only_their_latest_entries(sandbox: Sandbox, base_url: str) -> None:
    for number in range(FEED_ENTRIES + 5):
        add(sandbox, "blog", f"Post {number} about Acme", "text")

    entries = parse(fetch(base_url, "/feeds/blog.xml")[2]).entries

    assert len(entries) == FEED_ENTRIES
    assert entries[0].title == f"Post {FEED_ENTRIES + 4} about Acme"


def test_texts_are_escaped_html(sandbox: Sandbox, base_url: str) -> None:
    add(sandbox, "blog", "Acme & <friends>", 'Their "support" is <b>slow</b>.\n\nReally.')

    entry = parse(fetch(base_url, "/feeds/blog.atom")[2]).entries[0]

    assert entry.title == "Acme & <friends>"
    assert entry.content[0].value == (
        "<p>Their &quot;support&quot; is &lt;b&gt;slow&lt;/b&gt;.</p><p>Really.</p>"
    )


def test_an_unknown_feed_is_not_found(base_url: str) -> None:
    status, _, body = fetch(base_url, "/feeds/nothing.xml")

    assert status == 404 and b"/feeds/nothing.xml" in body


def test_a_conditional_get_of_an_unchanged_feed_is_answered_304(
    sandbox: Sandbox, base_url: str
) -> None:
    _, headers, _ = fetch(base_url, "/feeds/reviews.xml")
    newest = in_feed(sandbox, "reviews")[0].created_at.replace(microsecond=0)
    modified = headers["Last-Modified"]
    assert modified == format_datetime(newest, usegmt=True)

    by_tag = fetch(base_url, "/feeds/reviews.xml", **{"If-None-Match": headers["ETag"]})
    by_date = fetch(base_url, "/feeds/reviews.xml", **{"If-Modified-Since": modified})
    other = fetch(base_url, "/feeds/reviews.xml", **{"If-None-Match": '"something-else"'})

    assert (by_tag[0], by_tag[2], by_tag[1]["ETag"]) == (304, b"", headers["ETag"])
    assert by_date[0] == 304 and other[0] == 200

    sandbox.clock.advance(timedelta(minutes=1))
    add(sandbox, "reviews", "Acme, again", "Still waiting.")
    changed = fetch(base_url, "/feeds/reviews.xml", **{"If-None-Match": headers["ETag"]})
    assert changed[0] == 200 and changed[1]["ETag"] != headers["ETag"]
    assert fetch(base_url, "/feeds/reviews.xml", **{"If-Modified-Since": modified})[0] == 200


def test_a_busy_site_answers_429_with_retry_after(sandbox: Sandbox, base_url: str) -> None:
    sandbox.limits.set("rss", Budget(1, 600))
    fetch(base_url, "/feeds/reviews.xml")

    status, headers, _ = fetch(base_url, "/feeds/blog.xml")

    assert status == 429 and 0 < int(headers["Retry-After"]) <= 600

    sandbox.limits.set("rss", Budget(100, 600))
    sandbox.faults.add(route="rss.atom", kind="429", seconds=120)
    status, headers, _ = fetch(base_url, "/feeds/blog.atom")
    assert status == 429 and headers["Retry-After"] == "120"


def test_a_malformed_feed_is_xml_cut_short(sandbox: Sandbox, base_url: str) -> None:
    sandbox.faults.add(route="rss.xml", kind="malformed")

    status, headers, body = fetch(base_url, "/feeds/reviews.xml")

    assert status == 200 and headers["Content-Type"].startswith("application/rss+xml")
    assert parse(body).bozo and not body.rstrip().endswith(b"</rss>")


def test_item_faults_change_the_entries(sandbox: Sandbox, base_url: str) -> None:
    for number in range(4):
        add(sandbox, "reviews", f"Acme review {number}", "Fine.")
    whole = [entry.id for entry in parse(fetch(base_url, "/feeds/reviews.xml")[2]).entries]

    sandbox.faults.add(route="rss.xml", kind="duplicates", items=2)
    assert [e.id for e in parse(fetch(base_url, "/feeds/reviews.xml")[2]).entries] == (
        whole + whole[:2]
    )

    sandbox.faults.add(route="rss.*", kind="missing_fields", items=3)
    entries = parse(fetch(base_url, "/feeds/reviews.atom")[2]).entries
    assert "published_parsed" not in entries[0] and "id" not in entries[1]
    assert "title" not in entries[2] and {"published_parsed", "id", "title"} <= set(entries[3])

    sandbox.faults.add(route="rss.xml", kind="end_early", items=2)
    assert [e.id for e in parse(fetch(base_url, "/feeds/reviews.xml")[2]).entries] == whole[:2]

    sandbox.faults.add(route="rss.xml", kind="deleted", items=1)
    for _ in range(2):
        assert [e.id for e in parse(fetch(base_url, "/feeds/reviews.xml")[2]).entries] == whole[1:]
