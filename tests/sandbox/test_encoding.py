"""The sandbox stores text as the platforms do, as valid Unicode: a post carrying a lone surrogate
(from a replay file's broken JSON escape, or a reply we sent) is served with U+FFFD in its place,
and never breaks the listings around it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socialcx import Channel, ManualClock
from socialcx.sandbox import Sandbox
from socialcx.sandbox.bluesky import did_of
from socialcx.sandbox.posts import Author, Post, post_id, post_key
from socialcx.sandbox.scenario import Scenario

START = datetime(2026, 11, 23, tzinfo=UTC)
ACCOUNT = Author("1", "acme", "Acme", 10)
BEARER = {"Authorization": "Bearer sandbox"}
# Any text, with lone surrogates and controls often enough to matter.
ANY_TEXT = st.text(
    st.characters(codec=None, exclude_categories=()) | st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
    max_size=40,
)


def world(*texts: tuple[Channel, str]) -> Sandbox:
    """A sandbox whose scenario holds one post per (channel, text), an hour old, by one author
    whose name carries the same text."""
    posts = []
    for seq, (channel, text) in enumerate(texts):
        at = START - timedelta(hours=1)
        key = post_key(at, seq)
        author = Author("42", "jess", f"Jess {text}", 5)
        title = f"acme {text}" if channel in (Channel.REDDIT, Channel.HACKERNEWS, Channel.RSS) else None
        community = {"reddit": "acme", "rss": "reviews"}.get(channel.value)
        posts.append(Post(channel, key, post_id(channel, key), at, author, f"acme {text}", "en",
                          title=title, community=community, conversation_id=post_id(channel, key)))
    scenario = Scenario("encoding", START, ACCOUNT, tuple(posts), {})
    return Sandbox(scenario, clock=ManualClock(START), wall=lambda: START.timestamp())


def valid(text: str) -> str:
    """`text` as JavaScript's TextEncoder stores it: each lone surrogate becomes U+FFFD."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=ANY_TEXT)
def test_bluesky_search_serves_any_text_it_stored(text: str) -> None:
    sandbox = world((Channel.BLUESKY, text))
    with sandbox.in_thread() as base_url:
        answer = requests.get(f"{base_url}/xrpc/app.bsky.feed.searchPosts", params={"q": "acme"}, headers=BEARER)
    assert answer.status_code == 200, answer.text
    [post] = answer.json()["posts"]
    assert post["record"]["text"] == valid(f"acme {text}")
    assert post["author"]["displayName"] == valid(f"Jess {text}")


LISTINGS = {
    Channel.X: ("/2/tweets/search/recent", {"query": "acme"}),
    Channel.REDDIT: ("/r/acme/new", {}),
    Channel.MASTODON: ("/api/v2/search", {"q": "acme", "type": "statuses"}),
    Channel.BLUESKY: ("/xrpc/app.bsky.feed.searchPosts", {"q": "acme"}),
    Channel.HACKERNEWS: ("/api/v1/search_by_date", {"query": "acme"}),
    Channel.RSS: ("/feeds/reviews.xml", {}),
}


@pytest.mark.parametrize("channel", list(LISTINGS), ids=str)
def test_every_channel_lists_a_post_with_a_lone_surrogate(channel: Channel) -> None:
    sandbox = world((channel, "broken \ud83d escape"), (channel, "fine"))
    path, params = LISTINGS[channel]
    with sandbox.in_thread() as base_url:
        answer = requests.get(base_url + path, params=params, headers=BEARER)
    assert answer.status_code == 200, answer.text
    body = answer.content.decode("utf-8")  # strict: the answer is valid UTF-8
    if answer.headers["Content-Type"].startswith("application/json"):
        body = json.dumps(answer.json(), ensure_ascii=False)  # JSON escapes what it carries
    assert "acme broken \ufffd escape" in body and "acme fine" in body


def test_a_reply_we_post_with_a_lone_surrogate_is_stored_encoded() -> None:
    sandbox = world((Channel.BLUESKY, "hello"))
    record = {"text": "acme \ud800 ok", "createdAt": "2026-11-23T00:00:00.000Z"}
    with sandbox.in_thread() as base_url:
        posted = requests.post(
            f"{base_url}/xrpc/com.atproto.repo.createRecord",
            json={"repo": did_of(ACCOUNT), "collection": "app.bsky.feed.post", "record": record},
            headers=BEARER,
        )
        found = requests.get(f"{base_url}/xrpc/app.bsky.feed.searchPosts", params={"q": "acme"}, headers=BEARER)
    assert posted.status_code == 200, posted.text
    assert found.status_code == 200
    assert "acme \ufffd ok" in [post["record"]["text"] for post in found.json()["posts"]]
