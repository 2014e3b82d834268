"""The Reddit route set, through praw: listings and their cursors, search, mentions, replies, rate
limits and faults as a connector would meet them."""

from __future__ import annotations

import praw
import prawcore
import pytest
import requests

from socialcx.channels import Channel
from socialcx.sandbox import Sandbox


def fullnames(things: list) -> list[str]:
    return [thing.fullname for thing in things]


def test_comments_page_back_with_after(reddit: praw.Reddit, sandbox: Sandbox) -> None:
    listing = reddit.subreddit("acme").comments(limit=None, request_limit=10)
    comments = list(listing)
    now = sandbox.clock.now()
    posts = sandbox.timelines[Channel.REDDIT].posts()
    served = [post.id for post in posts if post.kind == "comment" and post.created_at <= now]
    assert len(comments) == len(served) > 30  # several pages of ten
    assert [comment.id for comment in comments] == served[::-1]
    assert all(comment.subreddit.display_name == "acme" for comment in comments)
    assert all(comment.link_id.startswith("t3_") for comment in comments)


def test_before_pages_forward_from_a_fullname(reddit: praw.Reddit, base_url: str) -> None:
    newest = fullnames(list(reddit.subreddit("acme").comments(limit=12)))
    answer = requests.get(
        f"{base_url}/r/acme/comments/",
        params={"before": newest[-1], "limit": 5, "raw_json": 1},
        headers={"Authorization": "bearer token"},
    ).json()
    children = [child["data"]["name"] for child in answer["data"]["children"]]
    assert children == newest[-6:-1]
    assert answer["data"]["before"] == newest[-6] and answer["data"]["after"] == newest[-2]


def test_new_and_search_list_submissions(reddit: praw.Reddit) -> None:
    new = list(reddit.subreddit("acme").new(limit=10))
    assert new and all(post.subreddit.display_name == "acme" and post.title for post in new)
    everywhere = list(reddit.subreddit("all").new(limit=100))
    assert {post.subreddit.display_name for post in everywhere} > {"acme"}

    found = list(reddit.subreddit("all").search("refund OR order", sort="new", limit=100))
    assert found and all(
        "refund" in post.title.lower() or "order" in post.title.lower() for post in found
    )
    inside = list(reddit.subreddit("acme").search("order", sort="new", limit=100))
    assert {post.subreddit.display_name for post in inside} == {"acme"}


def test_mentions_are_comments_naming_our_account(reddit: praw.Reddit) -> None:
    mentions = list(reddit.inbox.mentions(limit=20))
    assert mentions and all("u/acme" in comment.body.lower() for comment in mentions)
    assert all(comment.context.startswith("/r/acme/comments/") for comment in mentions)
    assert reddit.user.me().name == "acme"


def test_a_reply_lands_as_our_comment_under_the_right_parent(reddit: praw.Reddit) -> None:
    mention = next(iter(reddit.inbox.mentions(limit=1)))
    reply = mention.reply("Sorry to hear that! Could you DM us your order number?")
    assert reply.parent_id == mention.fullname and reply.author.name == "acme"

    newest = next(iter(reddit.subreddit("acme").comments(limit=1)))
    assert (newest.id, newest.parent_id, newest.author.name) == (reply.id, mention.fullname, "acme")
    ours = list(reddit.redditor("acme").comments.new(limit=10))
    assert fullnames(ours) == [reply.fullname]

    thread = next(iter(reddit.subreddit("acme").new(limit=1)))
    on_thread = thread.reply("Thanks for posting, we're looking into it.")
    assert on_thread.parent_id == thread.fullname and on_thread.link_id == thread.fullname


def test_a_reply_to_something_gone_is_refused(reddit: praw.Reddit) -> None:
    with pytest.raises(praw.exceptions.RedditAPIException, match="DELETED_COMMENT"):
        reddit.comment("zzzzzz").reply("hello?")


def test_every_answer_carries_rate_limit_headers(base_url: str, reddit: praw.Reddit) -> None:
    answer = requests.get(f"{base_url}/r/acme/new", headers={"Authorization": "bearer token"})
    refused = requests.get(f"{base_url}/r/acme/new")
    assert (answer.status_code, refused.status_code) == (200, 401)
    for headers in (answer.headers, refused.headers):
        assert float(headers["x-ratelimit-remaining"]) > 0
        assert int(headers["x-ratelimit-used"]) >= 1 and int(headers["x-ratelimit-reset"]) > 0


def test_a_429_burst_raises_too_many_requests(reddit: praw.Reddit, sandbox: Sandbox) -> None:
    reddit.user.me()  # fetch the token first: the fault is for the listing
    sandbox.faults.add(route="reddit.comments", kind="429", seconds=0)
    with pytest.raises(prawcore.TooManyRequests) as throttled:
        list(reddit.subreddit("acme").comments(limit=5))
    assert throttled.value.response.headers["x-ratelimit-remaining"] == "0.0"


def test_server_errors_are_retried_by_praw_then_raised(
    reddit: praw.Reddit, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(prawcore.sessions.FiniteRetryStrategy, "_sleep_seconds", lambda self: None)
    once = sandbox.faults.add(route="reddit.new", kind="503")
    assert list(reddit.subreddit("acme").new(limit=5))
    assert once.fired == 1
    sandbox.faults.add(route="reddit.new", kind="500", times=3)
    with pytest.raises(prawcore.ServerError):
        list(reddit.subreddit("acme").new(limit=5))


def test_a_malformed_answer_is_bad_json(reddit: praw.Reddit, sandbox: Sandbox) -> None:
    sandbox.faults.add(route="reddit.mentions", kind="malformed")
    with pytest.raises(prawcore.BadJSON):
        list(reddit.inbox.mentions(limit=5))


@pytest.mark.parametrize("kind", ["deleted", "removed"])
def test_deleted_and_removed_comments_show_as_reddit_shows_them(
    reddit: praw.Reddit, sandbox: Sandbox, kind: str
) -> None:
    sandbox.faults.add(route="reddit.comments", kind=kind, items=2)
    first = list(reddit.subreddit("acme").comments(limit=5))
    again = list(reddit.subreddit("acme").comments(limit=5))
    for comments in (first, again):
        assert [(comment.author, comment.body) for comment in comments[:2]] == [
            (None, f"[{kind}]")
        ] * 2
        assert all(comment.author is not None for comment in comments[2:])


def test_items_can_miss_required_fields(reddit: praw.Reddit, sandbox: Sandbox) -> None:
    sandbox.faults.add(route="reddit.comments", kind="missing_fields", items=3)
    comments = list(reddit.subreddit("acme").comments(limit=5))
    missing = [{"body", "author", "created_utc"} - set(vars(comment)) for comment in comments]
    assert missing == [{"body"}, {"author"}, {"created_utc"}, set(), set()]


def test_duplicates_and_early_ends_show_in_a_praw_listing(
    reddit: praw.Reddit, sandbox: Sandbox
) -> None:
    whole = fullnames(list(reddit.subreddit("acme").comments(limit=20, request_limit=10)))
    sandbox.faults.add(route="reddit.comments", kind="duplicates", items=3)
    sandbox.faults.add(route="reddit.comments", kind="duplicates", items=3)
    repeated = fullnames(list(reddit.subreddit("acme").comments(limit=20, request_limit=10)))
    assert repeated == whole[:10] + whole[7:17]

    sandbox.faults.add(route="reddit.comments", kind="end_early", items=4)
    assert (
        fullnames(list(reddit.subreddit("acme").comments(limit=None, request_limit=10)))
        == whole[:4]
    )
