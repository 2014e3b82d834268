"""Scenarios: reproducible streams with rhythm and incidents, truth kept out of the API, and
replays of JSONL files at their original pace."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from socialcx import ManualClock
from socialcx.channels import Channel
from socialcx.sandbox import Incident, Sandbox, ScenarioSpec, generate, load_scenario, replay
from socialcx.sandbox.scenario import ROUTINE_INTENTS

from .conftest import SMALL, START, x_client_for

WEEK = ScenarioSpec(days=7, mentions=6_000)
OUTAGE = Incident("checkout-outage", timedelta(hours=37), timedelta(hours=3), 300)
X_FIELDS = {
    "expansions": "author_id,in_reply_to_user_id",
    "tweet.fields": "created_at,author_id,conversation_id,lang,public_metrics,entities",
    "user.fields": "description,public_metrics",
}


def keys(value: Any) -> set[str]:
    """Every key of every object in a JSON document."""
    if isinstance(value, dict):
        return set(value) | {key for inner in value.values() for key in keys(inner)}
    if isinstance(value, list):
        return {key for inner in value for key in keys(inner)}
    return set()


def test_the_same_seed_gives_the_same_stream() -> None:
    first, again = generate(SMALL, start=START, seed=11), generate(SMALL, start=START, seed=11)
    assert first.posts == again.posts and first.truth == again.truth
    assert generate(SMALL, start=START, seed=12).posts != first.posts


def test_volume_follows_the_daily_and_weekly_rhythm() -> None:
    posts = generate(WEEK, start=START, seed=1).posts
    by_hour = Counter(post.created_at.hour for post in posts)
    assert by_hour[12] > 5 * by_hour[4]
    by_day = Counter(post.created_at.weekday() for post in posts)
    assert by_day[0] > 1.2 * by_day[6]  # Monday is busier than Sunday
    assert all(START <= post.created_at < START + timedelta(days=7) for post in posts)


def test_an_incident_is_a_surge_about_one_topic() -> None:
    scenario = generate(
        ScenarioSpec(days=2, mentions=1_000, incidents=(OUTAGE,)), start=START, seed=5
    )
    begins = START + OUTAGE.at

    def mentions_from(moment: Any) -> int:
        return sum(
            moment <= truth.created_at < moment + OUTAGE.duration
            for truth in scenario.truth.values()
        )

    assert mentions_from(begins) > 3 * mentions_from(begins - timedelta(days=1))
    surge = [truth for truth in scenario.truth.values() if truth.incident]
    assert len(surge) == OUTAGE.mentions
    assert {(truth.incident, truth.intent, truth.routine) for truth in surge} == {
        ("checkout-outage", "outage", False)
    }


def test_the_mix_reads_like_social_media() -> None:
    scenario = generate(WEEK, start=START, seed=2)
    truths = list(scenario.truth.values())
    assert {truth.intent for truth in truths} >= ROUTINE_INTENTS | {
        "complaint",
        "praise",
        "spam",
        "other",
    }
    assert {truth.language for truth in truths} >= {"en", "es", "fr", "de", "pt"}
    assert any(truth.risks for truth in truths)
    assert all(
        truth.routine == (truth.intent in ROUTINE_INTENTS and not truth.risks) for truth in truths
    )
    texts = [post.title or post.text for post in scenario.posts]
    assert any("#" in text for text in texts) and any("https://" in text for text in texts)
    assert any(not text.isascii() for text in texts)  # emojis and accents
    assert Counter(post.channel for post in scenario.posts)[Channel.REDDIT] > 1_000
    assert len({post.author.handle for post in scenario.posts}) > 1_000


def test_mentions_spread_over_every_channel_by_the_mix() -> None:
    scenario = generate(WEEK, start=START, seed=2)
    shares = Counter(post.channel for post in scenario.posts)
    assert set(shares) == set(Channel)
    assert shares[Channel.X] > shares[Channel.REDDIT] > shares[Channel.MASTODON]
    assert shares[Channel.MASTODON] > shares[Channel.BLUESKY] > shares[Channel.RSS]
    mastodon = [post.text.lower() for post in scenario.posts if post.channel is Channel.MASTODON]
    bluesky = [post.text.lower() for post in scenario.posts if post.channel is Channel.BLUESKY]
    assert sum("@acme" in text for text in mastodon) > len(mastodon) / 2
    assert any("#acme" in text for text in mastodon)
    assert sum("@acme.bsky.social" in text for text in bluesky) > len(bluesky) / 2
    only_x = generate(ScenarioSpec(days=1, mentions=100, channels={Channel.X: 1}), start=START)
    assert {post.channel for post in only_x.posts} == {Channel.X}


def test_truth_never_reaches_the_api(sandbox: Sandbox, base_url: str) -> None:
    calls = [
        ("/2/tweets/search/recent", {"query": "acme", "max_results": 100} | X_FIELDS, "Bearer t"),
        (
            f"/2/users/{sandbox.scenario.account.id}/mentions",
            {"max_results": 100} | X_FIELDS,
            "Bearer t",
        ),
        ("/r/all/comments", {"limit": 100}, "bearer t"),
        ("/r/all/new", {"limit": 100}, "bearer t"),
        ("/message/mentions", {"limit": 100}, "bearer t"),
    ]
    answers = [
        requests.get(base_url + path, params=params, headers={"Authorization": auth}).json()
        for path, params, auth in calls
    ]
    assert all(answer.get("data") for answer in answers)
    assert not set().union(*map(keys, answers)) & {
        "intent",
        "routine",
        "incident",
        "sentiment",
        "risks",
    }

    truths = sandbox.truth()
    assert truths and all(truth.created_at <= sandbox.clock.now() for truth in truths)
    served = requests.get(f"{base_url}/_sandbox/truth", params={"channel": "x"}).json()
    assert [item["external_id"] for item in served] == [
        truth.external_id for truth in sandbox.truth(Channel.X)
    ]
    assert {item["intent"] for item in served} >= {"order_status", "outage"}


def export_line(
    channel: str, external_id: str, minutes: float, text: str, url: str | None = None
) -> str:
    """A line as `socialcx mentions export --format jsonl` writes it, `minutes` into day two."""
    created_at = START + timedelta(days=1, minutes=minutes)
    mention = {
        "channel": channel,
        "external_id": external_id,
        "watch": "acme",
        "author_id": "jessm_92",
        "author_handle": "jessm_92",
        "author_name": "Jess M",
        "author_followers": 412,
        "text": text,
        "url": url,
        "created_at": created_at.isoformat().replace("+00:00", "Z"),
        "language": "en",
        "in_reply_to_id": None,
        "conversation_id": None,
    }
    return json.dumps(mention)


def test_a_replay_keeps_the_relative_timing_of_an_export(tmp_path: Path) -> None:
    path = tmp_path / "mentions.jsonl"
    lines = [
        export_line("x", "100", 0, "@acme where is my order #A1234?"),
        export_line("x", "101", 1.5, "@acme hello??"),
        export_line(
            "reddit",
            "t1_abc",
            60,
            "u/acme refund please",
            "https://reddit.com/r/acme/comments/x/_/abc/",
        ),
        export_line("x", "102", 120, "@acme never mind, it came").replace("Z", ""),  # UTC too
    ]
    path.write_text("\n".join(reversed(lines)) + "\n\n", encoding="utf-8")
    scenario = replay(path, start=START)
    assert scenario.account.handle == "acme" and scenario.name == "mentions"
    assert [post.created_at - START for post in scenario.posts] == [
        timedelta(0),
        timedelta(seconds=90),
        timedelta(hours=1),
        timedelta(hours=2),
    ]
    assert [post.channel for post in scenario.posts] == [
        Channel.X,
        Channel.X,
        Channel.REDDIT,
        Channel.X,
    ]
    reddit_post = scenario.posts[2]
    assert (reddit_post.kind, reddit_post.community, reddit_post.text) == (
        "comment",
        "acme",
        "u/acme refund please",
    )

    clock = ManualClock(START + timedelta(seconds=100))
    with Sandbox(scenario, clock=clock).in_thread() as base_url:
        x = x_client_for(base_url)
        first = x.search_recent_tweets("acme", tweet_fields=["created_at", "author_id"])
        assert [tweet.text for tweet in first.data] == [
            "@acme hello??",
            "@acme where is my order #A1234?",
        ]
        clock.advance(timedelta(hours=2))
        later = x.search_recent_tweets("acme", since_id=first.meta["newest_id"])
        assert [tweet.text for tweet in later.data] == ["@acme never mind, it came"]
        assert x.get_user(username="jessm_92").data.name == "Jess M"


def test_a_replay_reads_the_twcs_sample_format(tmp_path: Path) -> None:
    path = tmp_path / "twcs.jsonl"
    rows = [
        ("3", "Tue Oct 31 22:08:27 +0000 2017", "@sprintcare I have sent several private messages"),
        ("2", "Tue Oct 31 22:11:45 +0000 2017", "@sprintcare and how do you propose we do that"),
    ]
    lines = [
        json.dumps(
            {
                "tweet_id": tweet_id,
                "brand": "sprintcare",
                "created_at": at,
                "text": text,
                "brand_reply": None,
            }
        )
        for tweet_id, at, text in rows
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    scenario = load_scenario(path, start=START)
    assert scenario.account.handle == "sprintcare"
    assert [post.created_at - START for post in scenario.posts] == [
        timedelta(0),
        timedelta(seconds=198),
    ]
    assert scenario.posts[0].text.startswith("@sprintcare I have sent") and not scenario.truth


def test_replay_and_load_refuse_what_they_cannot_read(tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text(export_line("x", "1", 0, "fine") + "\n{not json\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"broken\.jsonl:2"):
        replay(path, start=START)
    with pytest.raises(ValueError, match="unknown scenario"):
        load_scenario("nonsense", start=START)
