"""The Bluesky route set, through atproto's Client: a session the client keeps, post search and
notifications paged by cursor, posts with records and facets, threads, posting with root and
parent, rate limits and every fault kind."""

from __future__ import annotations

import time
from datetime import timedelta

import httpx
import pytest
from atproto import Client, models
from atproto_client.exceptions import (
    BadRequestError,
    RateLimitExceededError,
    RequestException,
    UnauthorizedError,
)

from socialcx import ManualClock
from socialcx.channels import Channel
from socialcx.sandbox import Budget, Sandbox
from socialcx.sandbox.bluesky import did_of, handle_of


@pytest.fixture
def bluesky(base_url: str) -> Client:
    client = Client(base_url=base_url)
    client.login("acme.bsky.social", "sand-boxa-ppps-swrd")
    return client


def rkeys(posts) -> list[str]:
    return [post.uri.rsplit("/", 1)[1] for post in posts]


def search(client: Client, q: str, **params):
    return client.app.bsky.feed.search_posts({"q": q, "sort": "latest", **params})


def test_a_session_is_made_once_and_kept(base_url: str, sandbox: Sandbox) -> None:
    client = Client(base_url=base_url)
    profile = client.login("@ACME.bsky.social", "sand-boxa-ppps-swrd")
    assert (profile.handle, profile.did) == ("acme.bsky.social", did_of(sandbox.scenario.account))
    assert client._session.pds_endpoint.startswith(base_url)  # no didDoc sent it elsewhere
    assert client.export_session_string()
    for _ in range(3):
        search(client, "acme", limit=1)
    assert sandbox.limits._windows["bluesky.session"][1] == 1  # no refresh before each call

    with pytest.raises(UnauthorizedError):
        Client(base_url=base_url).login("someone.bsky.social", "password")


def test_search_pages_back_newest_first_by_cursor(bluesky: Client) -> None:
    first = search(bluesky, "acme", limit=5)
    second = search(bluesky, "acme", limit=5, cursor=first.cursor)
    found = rkeys([*first.posts, *second.posts])

    assert len(found) == 10 and found == sorted(set(found), reverse=True)  # TIDs sort by time
    post = first.posts[0]
    assert post.uri.startswith(
        f"at://{post.author.did}/app.bsky.feed.post/"
    ) and post.cid.startswith("bafyrei")
    assert post.author.handle.endswith(".bsky.social") and post.record.created_at == post.indexed_at
    assert "acme" in post.record.text.lower()
    since = search(bluesky, "acme", since=first.posts[2].indexed_at)
    assert rkeys(since.posts) == rkeys(first.posts[:3]) and since.cursor is None


def test_invalid_requests_are_refused_as_bluesky_refuses_them(base_url: str) -> None:
    url, auth = f"{base_url}/xrpc/app.bsky.feed.searchPosts", {"Authorization": "Bearer t"}
    for params in ({"q": "acme", "limit": 101}, {"q": ""}, {"q": "acme", "cursor": "nonsense!"}):
        answer = httpx.get(url, params=params, headers=auth)
        assert answer.status_code == 400 and answer.json()["error"] == "InvalidRequest"


def test_search_filters_by_author_and_mentions(bluesky: Client, sandbox: Sandbox) -> None:
    mentioning = search(bluesky, "mentions:acme.bsky.social", limit=100)
    assert mentioning.posts and all(
        "@acme.bsky.social" in post.record.text.lower() for post in mentioning.posts
    )
    author = mentioning.posts[0].author
    by_author = search(bluesky, "acme", author=author.handle, limit=100)
    assert by_author.posts and {post.author.did for post in by_author.posts} == {author.did}
    mention = mentioning.posts[0].record
    facet = next(
        facet
        for facet in mention.facets
        if facet.features[0].py_type == "app.bsky.richtext.facet#mention"
    )
    text = mention.text.encode()
    assert (
        text[facet.index.byte_start : facet.index.byte_end].decode().lower() == "@acme.bsky.social"
    )
    assert facet.features[0].did == did_of(sandbox.scenario.account)


def test_notifications_are_mentions_and_replies_to_us(
    bluesky: Client, sandbox_clock: ManualClock
) -> None:
    mentions = bluesky.app.bsky.notification.list_notifications({"limit": 10})
    assert len(mentions.notifications) == 10 and mentions.cursor
    assert {item.reason for item in mentions.notifications} == {"mention"}
    target = mentions.notifications[0]
    ref = models.ComAtprotoRepoStrongRef.Main(uri=target.uri, cid=target.cid)
    ours = bluesky.send_post(
        "Sorry! We're on it.", reply_to=models.AppBskyFeedPost.ReplyRef(parent=ref, root=ref)
    )
    assert bluesky.get_post_thread(target.uri).thread.replies[0].post.uri == ours.uri

    later = bluesky.app.bsky.notification.list_notifications({"limit": 100})
    assert ours.uri not in {
        item.uri for item in later.notifications
    }  # our own post is no notification
    sandbox_clock.advance(timedelta(seconds=1))
    assert ours.uri in rkeys_uris(search(bluesky, "from:acme.bsky.social", limit=100).posts)


def rkeys_uris(posts) -> set[str]:
    return {post.uri for post in posts}


def test_a_reply_to_a_reply_keeps_the_root(bluesky: Client, sandbox: Sandbox) -> None:
    root = search(bluesky, "acme", limit=1).posts[0]
    root_ref = models.create_strong_ref(root)
    first = bluesky.send_post(
        "First", reply_to=models.AppBskyFeedPost.ReplyRef(parent=root_ref, root=root_ref)
    )
    first_ref = models.ComAtprotoRepoStrongRef.Main(uri=first.uri, cid=first.cid)
    second = bluesky.send_post(
        "Second", reply_to=models.AppBskyFeedPost.ReplyRef(parent=first_ref, root=root_ref)
    )

    [view] = bluesky.get_posts([second.uri]).posts
    assert (view.record.reply.parent.uri, view.record.reply.root.uri) == (first.uri, root.uri)
    post = sandbox.timelines[Channel.BLUESKY].by_id(second.uri.rsplit("/", 1)[1])
    assert post.conversation_id == rkeys([root])[0] and post.author.handle == "acme"
    with pytest.raises(BadRequestError, match="must not be longer than 300 graphemes"):
        bluesky.send_post("x" * 301)


def test_every_answer_carries_rate_limit_headers_and_a_spent_window_answers_429(
    bluesky: Client, sandbox: Sandbox, base_url: str
) -> None:
    answer = httpx.get(
        f"{base_url}/xrpc/app.bsky.feed.searchPosts",
        params={"q": "acme"},
        headers={"Authorization": "Bearer t"},
    )
    assert (
        answer.headers["ratelimit-limit"] == "3000"
        and answer.headers["ratelimit-policy"] == "3000;w=300"
    )
    assert int(answer.headers["ratelimit-reset"]) > time.time()
    assert (
        httpx.get(f"{base_url}/xrpc/app.bsky.feed.searchPosts", params={"q": "acme"}).status_code
        == 401
    )

    sandbox.limits.set("bluesky", Budget(1, 300))
    search(bluesky, "acme")
    with pytest.raises(RateLimitExceededError) as throttled:
        search(bluesky, "acme")
    assert (
        throttled.value.remaining == 0
        and 290 <= throttled.value.reset_at.timestamp() - time.time() <= 301
    )
    assert throttled.value.response.content.error == "RateLimitExceeded"


def test_answer_faults_reach_the_client(bluesky: Client, sandbox: Sandbox) -> None:
    sandbox.faults.add(route="bluesky.searchPosts", kind="500")
    sandbox.faults.add(route="bluesky.listNotifications", kind="malformed")
    with pytest.raises(RequestException) as failed:
        search(bluesky, "acme")
    assert failed.value.response.status_code == 500
    with pytest.raises(ValueError):  # the client cannot parse it: a connector must catch it
        bluesky.app.bsky.notification.list_notifications()


def test_item_faults_change_the_listed_posts(
    bluesky: Client, sandbox: Sandbox, base_url: str
) -> None:
    whole = search(bluesky, "acme", limit=10)
    sandbox.faults.add(route="bluesky.searchPosts", kind="missing_fields", items=3)
    raw = bluesky.invoke_query(
        "app.bsky.feed.searchPosts", params=models.AppBskyFeedSearchPosts.Params(q="acme", limit=10)
    )
    missing = [{"record", "author", "indexedAt"} - set(post) for post in raw.content["posts"]]
    assert missing[:3] == [{"record"}, {"author"}, {"indexedAt"}] and not any(missing[3:])

    sandbox.faults.add(route="bluesky.searchPosts", kind="duplicates", items=2)
    second = search(bluesky, "acme", limit=10, cursor=whole.cursor)
    assert rkeys(second.posts)[:2] == rkeys(whole.posts)[-2:]

    sandbox.faults.add(route="bluesky.searchPosts", kind="deleted", items=3)
    shorter = search(bluesky, "acme", limit=10)
    assert rkeys(shorter.posts) == rkeys(whole.posts)[3:] and shorter.cursor
    assert not bluesky.get_posts([post.uri for post in whole.posts[:3]]).posts

    sandbox.faults.add(route="bluesky.searchPosts", kind="end_early", items=5)
    early = search(bluesky, "acme", limit=10)
    assert rkeys(early.posts) == rkeys(whole.posts)[3:5] and early.cursor is None


def test_handles_and_dids_are_stable_and_well_formed(sandbox: Sandbox) -> None:
    authors = {post.author for post in sandbox.timelines[Channel.BLUESKY].posts()}
    handles = [handle_of(author) for author in authors]
    assert all(handle == handle.lower() and "_" not in handle for handle in handles)
    dids = {did_of(author) for author in authors}
    assert len(dids) == len(authors) and all(len(did) == len("did:plc:") + 24 for did in dids)
