"""The X route set, through tweepy's real `Client`: search, mentions, users, replies, rate limits
and every fault kind as a connector would meet it."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import pytest
import requests
import tweepy

from socialcx import ManualClock
from socialcx.sandbox import Budget, Sandbox

FIELDS = {
    "expansions": ["author_id"],
    "tweet_fields": ["created_at", "author_id", "conversation_id", "lang", "public_metrics"],
    "user_fields": ["username", "name", "public_metrics"],
}


def ids(pages: list[tweepy.Response]) -> list[int]:
    return [tweet.id for page in pages for tweet in page.data or ()]


def test_search_pages_back_newest_first_and_stops_at_since_id(x: tweepy.Client) -> None:
    pages = list(tweepy.Paginator(x.search_recent_tweets, "acme", max_results=10, limit=4))
    found = ids(pages)
    assert len(pages) == 4 and len(found) == 40
    assert found == sorted(set(found), reverse=True)
    assert all(page.meta["newest_id"] == str(page.data[0].id) for page in pages)
    assert all(page.meta["oldest_id"] == str(page.data[-1].id) for page in pages)
    assert all("next_token" in page.meta for page in pages)

    newer = x.search_recent_tweets("acme", since_id=found[5], max_results=100)
    assert [tweet.id for tweet in newer.data] == found[:5]
    assert "next_token" not in newer.meta


def test_search_sees_only_what_the_clock_has_reached(
    x: tweepy.Client, sandbox_clock: ManualClock
) -> None:
    before = x.search_recent_tweets("acme", max_results=100, tweet_fields=["created_at"])
    assert all(tweet.created_at <= sandbox_clock.now() for tweet in before.data)
    sandbox_clock.advance(timedelta(hours=2))
    after = x.search_recent_tweets("acme", since_id=before.meta["newest_id"], max_results=100)
    assert after.meta["result_count"] > 0
    assert min(tweet.id for tweet in after.data) > int(before.meta["newest_id"])


def test_search_answers_the_fields_and_expansions_asked_for(x: tweepy.Client) -> None:
    bare = x.search_recent_tweets("acme", max_results=10)
    assert set(bare.data[0].data) == {"id", "text", "edit_history_tweet_ids"}
    assert not bare.includes

    full = x.search_recent_tweets("acme", max_results=10, **FIELDS)
    tweet = full.data[0]
    assert tweet.created_at is not None and tweet.lang and tweet.public_metrics["like_count"] >= 0
    authors = {user.id: user for user in full.includes["users"]}
    assert {tweet.author_id for tweet in full.data} == set(authors)
    assert all(
        user.username and "followers_count" in user.public_metrics for user in authors.values()
    )


def test_search_operators_narrow_the_results(x: tweepy.Client) -> None:
    spanish = x.search_recent_tweets("acme lang:es", max_results=100, tweet_fields=["lang"])
    assert spanish.data and all(tweet.lang == "es" for tweet in spanish.data)
    outage = x.search_recent_tweets('(checkout OR payment) -"gift"', max_results=100)
    assert outage.data
    assert all(("checkout" in t.text.lower() or "payment" in t.text.lower()) for t in outage.data)


@pytest.mark.parametrize(
    "arguments",
    [
        {"query": "acme", "tweet_fields": ["no_such_field"]},
        {"query": "acme", "max_results": 5},
        {"query": "acme nosuch:operator"},
        {"query": "(acme"},
    ],
)
def test_invalid_requests_are_refused_as_x_refuses_them(x: tweepy.Client, arguments: dict) -> None:
    with pytest.raises(tweepy.BadRequest) as refused:
        x.search_recent_tweets(**arguments)
    assert refused.value.api_messages


def test_mentions_timeline_pages_with_pagination_token(x: tweepy.Client) -> None:
    me = x.get_me().data
    pages = list(tweepy.Paginator(x.get_users_mentions, me.id, max_results=5, limit=3))
    found = [tweet for page in pages for tweet in page.data]
    assert len(found) == 15 and len({tweet.id for tweet in found}) == 15
    assert all("@acme" in tweet.text.lower() for tweet in found)


def test_users_are_found_by_username(x: tweepy.Client) -> None:
    mention = x.search_recent_tweets("acme", max_results=10, expansions=["author_id"])
    author = mention.includes["users"][0]
    found = x.get_user(username=author.username, user_fields=["public_metrics"])
    assert (found.data.id, found.data.name) == (author.id, author.name)
    assert found.data.public_metrics["followers_count"] >= 0
    assert x.get_me().data.username == "acme"

    missing = x.get_user(username="nobody_here")
    assert missing.data is None and missing.errors[0]["title"] == "Not Found Error"


def test_a_reply_comes_back_as_our_post_replying_to_the_right_tweet(x: tweepy.Client) -> None:
    me = x.get_me().data
    target = x.get_users_mentions(me.id, max_results=5, tweet_fields=["author_id"]).data[2]
    posted = x.create_tweet(
        text="Sorry about that! DM us your order number.", in_reply_to_tweet_id=target.id
    )

    found = x.search_recent_tweets(
        f"conversation_id:{target.id} from:acme",
        max_results=10,
        expansions=["author_id"],
        tweet_fields=["referenced_tweets", "in_reply_to_user_id", "author_id"],
    )
    reply = found.data[0]
    assert reply.id == int(posted.data["id"])
    assert (
        reply.referenced_tweets[0].type == "replied_to"
        and reply.referenced_tweets[0].id == target.id
    )
    assert reply.in_reply_to_user_id == target.author_id
    assert found.includes["users"][0].username == "acme"
    ours = x.search_recent_tweets("DM", max_results=100).data
    others = x.search_recent_tweets("DM -from:acme", max_results=100).data or []
    assert int(posted.data["id"]) in {tweet.id for tweet in ours}
    assert {tweet.id for tweet in others} == {tweet.id for tweet in ours} - {int(posted.data["id"])}


def test_x_refuses_duplicate_replies_and_replies_to_missing_tweets(x: tweepy.Client) -> None:
    target = x.search_recent_tweets("acme", max_results=10).data[0]
    x.create_tweet(text="We're on it!", in_reply_to_tweet_id=target.id)
    with pytest.raises(tweepy.Forbidden, match="duplicate"):
        x.create_tweet(text="We're on it!", in_reply_to_tweet_id=target.id)
    with pytest.raises(tweepy.Forbidden, match="deleted or not visible"):
        x.create_tweet(text="Hello?", in_reply_to_tweet_id=1)


def test_every_answer_carries_rate_limit_headers(base_url: str) -> None:
    url = f"{base_url}/2/tweets/search/recent"
    answers = [
        requests.get(url, params={"query": "acme"}, headers={"Authorization": "Bearer t"}),
        requests.get(
            url, params={"query": "acme", "max_results": 1}, headers={"Authorization": "Bearer t"}
        ),
        requests.get(url, params={"query": "acme"}),
    ]
    assert [answer.status_code for answer in answers] == [200, 400, 401]
    remaining = [int(answer.headers["x-rate-limit-remaining"]) for answer in answers]
    assert remaining == [449, 448, 447]
    assert all(int(answer.headers["x-rate-limit-reset"]) > time.time() for answer in answers)


def test_a_spent_window_answers_429_until_it_resets(x: tweepy.Client, sandbox: Sandbox) -> None:
    sandbox.limits.set("x.search", Budget(2, 900))
    x.search_recent_tweets("acme")
    x.search_recent_tweets("acme")
    with pytest.raises(tweepy.TooManyRequests) as throttled:
        x.search_recent_tweets("acme")
    assert 890 <= throttled.value.reset_time - time.time() <= 901
    assert x.get_users_mentions(x.get_me().data.id).data  # other endpoints keep their own windows


def test_a_429_burst_carries_the_reset_time_and_passes(x: tweepy.Client, sandbox: Sandbox) -> None:
    fault = sandbox.faults.add(route="x.search", kind="429", times=2, seconds=30)
    for _ in range(2):
        with pytest.raises(tweepy.TooManyRequests) as throttled:
            x.search_recent_tweets("acme")
        assert 29 <= throttled.value.reset_time - time.time() <= 31
        assert throttled.value.response.headers["x-rate-limit-remaining"] == "0"
    assert x.search_recent_tweets("acme").data
    assert fault.fired == 2 and not sandbox.faults.active()


@pytest.mark.parametrize("kind", ["500", "503"])
def test_server_errors_reach_the_client(x: tweepy.Client, sandbox: Sandbox, kind: str) -> None:
    sandbox.faults.add(route="x.*", kind=kind)
    with pytest.raises(tweepy.TwitterServerError) as failed:
        x.search_recent_tweets("acme")
    assert failed.value.response.status_code == int(kind)
    assert failed.value.response.headers["x-rate-limit-remaining"] == "449"
    assert x.search_recent_tweets("acme").data


def test_a_slow_answer_runs_past_the_client_timeout(
    x_client: Callable[..., tweepy.Client], sandbox: Sandbox
) -> None:
    sandbox.faults.add(route="x.search", kind="slow", seconds=0.6)
    with pytest.raises(requests.exceptions.ReadTimeout):
        x_client(timeout=0.2).search_recent_tweets("acme")


def test_a_malformed_answer_is_not_json(x: tweepy.Client, sandbox: Sandbox) -> None:
    sandbox.faults.add(route="x.search", kind="malformed")
    with pytest.raises(requests.exceptions.JSONDecodeError):
        x.search_recent_tweets("acme")


def test_items_can_miss_required_fields(
    x_client: Callable[..., tweepy.Client], sandbox: Sandbox
) -> None:
    sandbox.faults.add(route="x.search", kind="missing_fields", items=3)
    raw = x_client(return_type=dict).search_recent_tweets("acme", **FIELDS)
    missing = [{"text", "created_at", "author_id"} - set(tweet) for tweet in raw["data"]]
    assert missing[:3] == [{"text"}, {"created_at"}, {"author_id"}] and not any(missing[3:])
    sandbox.faults.add(route="x.search", kind="missing_fields")
    with pytest.raises(KeyError):  # tweepy's Tweet needs `text`: a connector must guard each item
        x_client().search_recent_tweets("acme")


def test_pages_can_repeat_the_end_of_the_previous_page(x: tweepy.Client, sandbox: Sandbox) -> None:
    first = x.search_recent_tweets("acme", max_results=10)
    sandbox.faults.add(route="x.search", kind="duplicates", items=2)
    second = x.search_recent_tweets("acme", max_results=10, next_token=first.meta["next_token"])
    assert ids([second])[:2] == ids([first])[-2:]


def test_deleted_tweets_vanish_for_good(x: tweepy.Client, sandbox: Sandbox) -> None:
    whole = ids([x.search_recent_tweets("acme", max_results=10)])
    sandbox.faults.add(route="x.search", kind="deleted", items=3)
    spoiled = x.search_recent_tweets("acme", max_results=10)
    assert spoiled.meta["result_count"] == 7 and ids([spoiled]) == whole[3:]
    assert "next_token" in spoiled.meta
    later = ids([x.search_recent_tweets("acme", max_results=100)])
    assert later[:7] == whole[3:] and not set(whole[:3]) & set(later)


def test_a_page_can_end_early(x: tweepy.Client, sandbox: Sandbox) -> None:
    sandbox.faults.add(route="x.search", kind="end_early", items=2)
    pages = list(tweepy.Paginator(x.search_recent_tweets, "acme", max_results=10))
    assert (
        len(pages) == 1 and pages[0].meta["result_count"] == 2 and "next_token" not in pages[0].meta
    )
