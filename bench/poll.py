"""Polling throughput and request economy, through the real clients against the sandbox.

The sandbox serves the `bench` scenario (50,000 mentions over a week, about 55% on X). For
each channel, the full poller (budget, connector, ingest into a fresh SQLite file) runs passes
until one finds nothing new. It prints mentions stored per second, and the requests made
against the fewest pages that could carry those mentions (100 a page; 40 on Mastodon). The
baseline, from the same run, pages the same listing with the bare client and stores nothing.

    python bench/poll.py [--channels x reddit]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from connectors import available, connector_class
from socialcx import Channel, ManualClock, connect
from socialcx.collect.poller import poll_once
from socialcx.config import Settings
from socialcx.sandbox import Budget, Sandbox, load_scenario
from socialcx.store import Mention

START = datetime(2026, 11, 16, tzinfo=UTC)
CREDENTIALS = {
    Channel.X: ("bearer_token", "consumer_key", "consumer_secret", "access_token", "access_token_secret"),
    Channel.REDDIT: ("client_id", "client_secret", "username", "password"),
    Channel.MASTODON: ("access_token",),
    Channel.BLUESKY: ("handle", "app_password"),
}
# The most posts a page holds, where it is not 100.
PAGE_SIZES = {Channel.MASTODON: 40, Channel.RSS: 50}  # a feed lists its latest 50 entries
# Credentials the sandbox checks; the others take any value.
VALUES = {"username": "acme", "handle": "acme.bsky.social"}
# The fields the X connector asks for, so the baseline pages carry the same weight.
X_TWEET_FIELDS = ["created_at", "author_id", "conversation_id", "in_reply_to_user_id", "referenced_tweets", "lang", "public_metrics"]
X_USER_FIELDS = ["username", "name", "public_metrics"]
WATCH = {
    "name": "acme",
    "handles": ["@acme"],
    "keywords": ["acme"],
    "subreddits": ["acme"],
    "feeds": ["/feeds/reviews.xml", "/feeds/blog.atom", "/feeds/alerts.xml"],
}


def settings_for(channel: Channel, base_url: str) -> Settings:
    credentials = {}
    for key in CREDENTIALS.get(channel, ()):
        name = f"BENCH_{channel.upper()}_{key.upper()}"
        os.environ[name] = VALUES.get(key, f"bench-{key}")
        credentials[key] = name
    options = {"enabled": True, "base_url": base_url, "credentials": credentials, "max_requests_per_poll": 100}
    return Settings(channels={channel.value: options}, watches=[{**WATCH, "channels": [channel.value]}])


def poll_until_caught_up(channel: Channel, base_url: str, folder: Path, clock: ManualClock) -> tuple[int, int, float]:
    """Stored mentions, requests made, and seconds taken to catch up with everything visible."""
    settings = settings_for(channel, base_url)
    engine = connect(f"sqlite:///{folder / f'{channel}.db'}")
    connector_class(channel)  # import the client library (atproto's takes seconds) before timing
    requests = 0
    started = time.perf_counter()
    while True:
        polls = asyncio.run(poll_once(settings, engine, clock))
        requests += sum(poll.requests for poll in polls)
        if any(poll.error for poll in polls):
            raise SystemExit(f"{channel}: {[poll.error for poll in polls]}")
        if not any(poll.new for poll in polls):
            break
    elapsed = time.perf_counter() - started
    with engine.connect() as connection:
        stored = connection.execute(sa.select(sa.func.count()).select_from(Mention)).scalar_one()
    engine.dispose()
    return stored, requests, elapsed


def bare_paging(channel: Channel, base_url: str) -> tuple[int, float]:
    """The baseline: the channel's main listing paged to the end with the bare client."""
    started = time.perf_counter()
    bare = {
        Channel.X: _bare_x,
        Channel.REDDIT: _bare_reddit,
        Channel.MASTODON: _bare_mastodon,
        Channel.BLUESKY: _bare_bluesky,
        Channel.HACKERNEWS: _bare_hackernews,
        Channel.RSS: _bare_rss,
    }
    count = bare[channel](base_url)
    return count, time.perf_counter() - started


def _bare_x(base_url: str) -> int:
    import requests
    import tweepy

    class _ToSandbox(requests.adapters.HTTPAdapter):
        def send(self, request, **kwargs):
            request.url = base_url + request.url.removeprefix("https://api.twitter.com")
            return super().send(request, **kwargs)

    client = tweepy.Client(bearer_token="bench", return_type=requests.Response)
    client.session.trust_env = False
    client.session.mount("https://api.twitter.com", _ToSandbox())
    user_id = client.get_user(username="acme").json()["data"]["id"]
    count, token = 0, None
    while True:
        body = client.get_users_mentions(
            user_id, max_results=100, pagination_token=token, expansions=["author_id"],
            tweet_fields=X_TWEET_FIELDS, user_fields=X_USER_FIELDS,
        ).json()
        count += len(body.get("data") or [])
        token = body.get("meta", {}).get("next_token")
        if not token:
            return count


def _bare_reddit(base_url: str) -> int:
    import praw

    reddit = praw.Reddit(
        client_id="bench", client_secret="bench", username="acme", password="bench", user_agent="bench",
        oauth_url=base_url, reddit_url=base_url, short_url=base_url, check_for_async=False,
    )
    return sum(1 for _ in reddit.subreddit("acme").comments(limit=None))


def _bare_mastodon(base_url: str) -> int:
    from mastodon import Mastodon

    client = Mastodon(
        access_token="bench", api_base_url=base_url, mastodon_version="4.2.0", version_check_mode="created"
    )
    page, count = client.notifications(types=["mention"], limit=40), 0
    while page:
        count += len(page)
        page = client.fetch_next(page)
    return count


def _bare_bluesky(base_url: str) -> int:
    from atproto import Client

    client = Client(base_url=base_url)
    client.login("acme.bsky.social", "bench-app-password")
    count, cursor = 0, None
    while True:
        page = client.app.bsky.feed.search_posts({"q": "acme", "sort": "latest", "limit": 100, "cursor": cursor})
        count += len(page.posts)
        cursor = page.cursor
        if not cursor:
            return count


def _bare_hackernews(base_url: str) -> int:
    """Algolia's search by date paged with aiohttp, as far as its paging limit allows."""
    import aiohttp

    async def page_through() -> int:
        count, page = 0, 0
        async with aiohttp.ClientSession() as session:
            while True:
                params = {"query": "acme", "tags": "(story,comment)", "hitsPerPage": "100", "page": str(page)}
                async with session.get(f"{base_url}/api/v1/search_by_date", params=params) as response:
                    body = await response.json()
                count, page = count + len(body["hits"]), page + 1
                if page >= body["nbPages"]:
                    return count

    return asyncio.run(page_through())


def _bare_rss(base_url: str) -> int:
    """The watch's feeds fetched with aiohttp and parsed by feedparser."""
    import io

    import aiohttp
    import feedparser

    async def fetch_all() -> list[bytes]:
        async with aiohttp.ClientSession() as session:
            bodies = []
            for path in WATCH["feeds"]:
                async with session.get(base_url + path) as response:
                    bodies.append(await response.read())
            return bodies

    return sum(len(feedparser.parse(io.BytesIO(body)).entries) for body in asyncio.run(fetch_all()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", nargs="*", default=[str(c) for c in available()])
    args = parser.parse_args()
    world = load_scenario("bench", start=START, seed=1)
    clock = ManualClock(START + timedelta(days=7))
    sandbox = Sandbox(world, clock=clock, wall=lambda: clock.now().timestamp())
    for bucket in sandbox.limits.budgets():
        sandbox.limits.set(bucket, Budget(10_000_000, 60))  # measure our speed, not the window
    print(f"scenario: {len(world.posts):,} mentions over 7 days ({world.name})")
    with sandbox.in_thread() as base_url, tempfile.TemporaryDirectory() as folder:
        for name in args.channels:
            channel = Channel(name)
            stored, requests, elapsed = poll_until_caught_up(channel, base_url, Path(folder), clock)
            bare_count, bare_elapsed = bare_paging(channel, base_url)
            pages = math.ceil(stored / PAGE_SIZES.get(channel, 100))
            ours, bare = stored / elapsed, bare_count / bare_elapsed
            print(f"\n[{channel}] {stored:,} mentions stored by the poller in {elapsed:.1f} s")
            print(f"  poller (connector + budget + ingest): {ours:>8,.0f} mentions/s")
            print(f"  bare client paging, nothing stored:  {bare:>8,.0f} mentions/s  (baseline)")
            print(f"  ratio poller/bare: {ours / bare:.2f}")
            print(f"  requests made: {requests}; fewest pages that could carry them: {pages}; "
                  f"ratio {requests / pages:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
