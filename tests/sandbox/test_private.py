"""Private messages in the sandbox: X's direct messages as its API v2 documents them, seen
through tweepy; Mastodon's direct statuses through Mastodon.py; Reddit's messages through praw;
Bluesky chat through atproto (with the chat proxy); and the world helpers tests and the benchmark's scripted customer use
(`write_private`, `private_messages_to`, `private_messages_from`, the `/_sandbox/private`
routes)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import praw
import pytest
import requests
import tweepy
from atproto import Client, models
from atproto_client.exceptions import RequestException
from mastodon import Mastodon

from connectors.base import plain_text
from socialcx import Channel
from socialcx.sandbox import Sandbox
from socialcx.sandbox.bluesky import did_of, handle_of
from socialcx.sandbox.posts import Author
from tests.sandbox.test_mastodon import client as mastodon_client

RAW = {"return_type": requests.Response}


@pytest.fixture
def customer(sandbox: Sandbox) -> Author:
    """Someone who exists only as the author of a post on X."""
    return next(post.author for post in sandbox.timelines[Channel.X].posts() if post.author.handle != "acme")


@pytest.fixture
def dm(x_client: Callable[..., tweepy.Client]) -> tweepy.Client:
    return x_client(**RAW)


def test_a_direct_message_to_a_post_author_opens_their_one_to_one_conversation(dm, sandbox, customer):
    account = sandbox.scenario.account

    answer = dm.create_direct_message(participant_id=customer.id, text="What is your order number?")

    assert answer.status_code == 201
    data = answer.json()["data"]
    low, high = sorted((account.id, customer.id), key=lambda user_id: (len(user_id), user_id))
    assert data["dm_conversation_id"] == f"{low}-{high}"
    [sent] = sandbox.private_messages_to(Channel.X, customer.handle)
    assert (sent.id, sent.sender, sent.recipient, sent.text) == (
        data["dm_event_id"], "acme", customer.handle, "What is your order number?"
    )
    assert sent.at == sandbox.clock.now()


def test_dm_events_give_id_type_and_text_unless_more_is_asked(dm, sandbox, customer):
    message_id = sandbox.write_private(Channel.X, customer.handle, "it's A1042")

    plain = dm.get_direct_message_events().json()
    full = dm.get_direct_message_events(
        dm_event_fields=["created_at", "sender_id", "dm_conversation_id"], expansions=["sender_id"], user_fields=["username"]
    ).json()

    assert plain["data"] == [{"id": message_id, "event_type": "MessageCreate", "text": "it's A1042"}]
    [event] = full["data"]
    assert event["sender_id"] == customer.id and event["created_at"].endswith("Z")
    assert full["includes"]["users"] == [{"id": customer.id, "name": customer.name, "username": customer.handle}]
    assert sandbox.private_messages_from(Channel.X, customer.handle)[0].text == "it's A1042"


def test_dm_events_page_newest_first_by_pagination_token(dm, sandbox, customer):
    written = [sandbox.write_private(Channel.X, customer.handle, f"message {n}") for n in range(25)]

    pages = list(tweepy.Paginator(dm.get_direct_message_events, max_results=10))

    found = [event["id"] for page in pages for event in page.json()["data"]]
    assert found == list(reversed(written)) and len(pages) == 3
    assert "next_token" not in pages[-1].json()["meta"]


def test_a_conversation_lists_only_its_own_messages(dm, sandbox, customer):
    other = next(
        post.author for post in sandbox.timelines[Channel.X].posts() if post.author.handle not in ("acme", customer.handle)
    )
    sandbox.write_private(Channel.X, customer.handle, "mine")
    sandbox.write_private(Channel.X, other.handle, "theirs")

    by_participant = dm.get_direct_message_events(participant_id=customer.id).json()
    conversation = dm.create_direct_message(participant_id=other.id, text="hello").json()["data"]["dm_conversation_id"]
    by_id = dm.get_direct_message_events(dm_conversation_id=conversation).json()

    assert [event["text"] for event in by_participant["data"]] == ["mine"]
    assert [event["text"] for event in by_id["data"]] == ["hello", "theirs"]


def test_a_message_written_for_later_shows_when_the_clock_gets_there(dm, sandbox, customer):
    sandbox.write_private(Channel.X, customer.handle, "later", sandbox.clock.now() + timedelta(minutes=5))

    before = dm.get_direct_message_events().json()
    sandbox.clock.advance(timedelta(minutes=5))
    after = dm.get_direct_message_events().json()

    assert "data" not in before and before["meta"]["result_count"] == 0
    assert [event["text"] for event in after["data"]] == ["later"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda dm, _: dm.create_direct_message(participant_id="12345", text="hi"), "participant_id"),
        (lambda dm, to: dm.create_direct_message(participant_id=to, text=""), "text"),
        (lambda dm, _: dm.get_direct_message_events(dm_event_fields=["colour"]), "dm_event.fields"),
        (lambda dm, _: dm.get_direct_message_events(max_results=101), "max_results"),
        (lambda dm, _: dm.get_direct_message_events(pagination_token="nonsense"), "pagination_token"),
    ],
    ids=["unknown participant", "no text", "unknown field", "page too large", "bad token"],
)
def test_what_x_refuses_is_a_400_naming_the_parameter(x_client, customer, call, message):
    with pytest.raises(tweepy.BadRequest, match=message):
        call(x_client(), customer.id)


def test_the_control_routes_write_and_read_private_messages(base_url, dm, sandbox, customer):
    written = requests.post(
        f"{base_url}/_sandbox/private", json={"channel": "x", "from": customer.handle, "text": "A1042"}, timeout=5
    )
    dm.create_direct_message(participant_id=customer.id, text="Thanks!")
    sent = requests.get(f"{base_url}/_sandbox/private", params={"channel": "x", "to": customer.handle}, timeout=5)
    refused = requests.post(f"{base_url}/_sandbox/private", json={"channel": "hackernews", "from": "a", "text": "b"}, timeout=5)

    assert written.status_code == 201 and written.json()["id"]
    assert [record["text"] for record in sent.json()] == ["Thanks!"]
    assert refused.status_code == 400 and "no private messages" in refused.json()["error"]


def test_a_customer_cannot_write_as_our_account(sandbox):
    with pytest.raises(ValueError, match="our own account"):
        sandbox.write_private(Channel.X, "acme", "hello")


# -- Mastodon: direct statuses ----------------------------------------------------------------


@pytest.fixture
def mastodon(base_url: str) -> Mastodon:
    return mastodon_client(base_url)


@pytest.fixture
def fan(sandbox: Sandbox) -> Author:
    """Someone who exists only as the author of a post on Mastodon."""
    return next(post.author for post in sandbox.timelines[Channel.MASTODON].posts() if post.author.handle != "acme")


def test_a_direct_status_goes_to_the_account_it_mentions_and_no_one_else(mastodon, sandbox, fan):
    status = mastodon.status_post(f"@{fan.handle} What is your order number? #acme", visibility="direct")

    [sent] = sandbox.private_messages_to(Channel.MASTODON, fan.handle)
    assert status["visibility"] == "direct" and sent.id == str(status["id"])
    assert [user["id"] for user in status["mentions"]] == [fan.id]
    assert str(status["id"]) not in {str(found["id"]) for found in mastodon.timeline_hashtag("acme", limit=40)}
    assert not mastodon.search_v2("order number", result_type="statuses")["statuses"]
    assert mastodon.account_statuses(sandbox.scenario.account.id, limit=1)[0]["id"] == status["id"]


def test_a_customer_direct_status_is_a_mention_notification_that_search_never_shows(mastodon, sandbox, fan):
    message_id = sandbox.write_private(Channel.MASTODON, fan.handle, "my order is A1042")

    [latest] = mastodon.notifications(types=["mention"], limit=1)
    found = mastodon.search_v2("A1042", result_type="statuses")["statuses"]

    assert str(latest["status"]["id"]) == message_id and latest["status"]["visibility"] == "direct"
    assert plain_text(latest["status"]["content"]) == "@acme my order is A1042"
    assert found == []
    assert [record.text for record in sandbox.private_messages_from(Channel.MASTODON, fan.handle)] == [
        "@acme my order is A1042"
    ]


def test_a_direct_status_to_user_at_instance_reaches_the_account_stored_with_its_instance(mastodon, sandbox):
    sandbox.write_private(Channel.MASTODON, "tashby@mastodon.online", "the teapot arrived broken")

    mastodon.status_post("@tashby@mastodon.online What is your order number?", visibility="direct")

    [sent] = sandbox.private_messages_to(Channel.MASTODON, "tashby@mastodon.online")
    assert sent.text == "@tashby@mastodon.online What is your order number?"


def test_an_account_stored_with_its_instance_is_named_once_as_user_at_instance(mastodon, sandbox):
    sandbox.write_private(Channel.MASTODON, "ali@mas.to", "wrong colour arrived")

    [latest] = mastodon.notifications(types=["mention"], limit=1)
    status = mastodon.status_post("@ali@mas.to Sorry to hear that", visibility="direct")

    account = latest["status"]["account"]
    assert (account["acct"], account["username"]) == ("ali@mas.to", "ali")
    assert account["url"] == "https://mas.to/@ali"
    assert [(user["acct"], user["username"]) for user in status["mentions"]] == [("ali@mas.to", "ali")]


def test_a_status_with_an_unknown_visibility_is_refused(base_url, sandbox, fan):
    answer = requests.post(
        f"{base_url}/api/v1/statuses",
        data={"status": f"@{fan.handle} hello", "visibility": "secret"},
        headers={"Authorization": "Bearer sandbox-token"},
        timeout=5,
    )

    assert answer.status_code == 422 and "Visibility" in answer.json()["error"]
    assert sandbox.private_messages_to(Channel.MASTODON, fan.handle) == []


# -- Reddit: private messages -----------------------------------------------------------------


@pytest.fixture
def redditor(sandbox: Sandbox) -> Author:
    """Someone who exists only as the author of a post on Reddit."""
    return next(post.author for post in sandbox.timelines[Channel.REDDIT].posts() if post.author.handle != "acme")


def test_praw_composes_a_message_and_reads_it_back_from_the_sent_box(reddit, sandbox, redditor):
    reddit.redditor(redditor.handle).message(subject="About your post", message="Your order number, please?")

    [sent] = reddit.inbox.sent(limit=5)
    [record] = sandbox.private_messages_to(Channel.REDDIT, redditor.handle)
    assert (sent.subject, sent.body, sent.dest, sent.author.name) == (
        "About your post", "Your order number, please?", redditor.handle, "acme"
    )
    assert sent.fullname == record.id == record.conversation_id and sent.first_message_name is None


def test_a_customer_answers_in_the_thread_and_our_reply_joins_it(reddit, sandbox, redditor):
    reddit.redditor(redditor.handle).message(subject="About your post", message="Your order number, please?")
    sandbox.write_private(Channel.REDDIT, redditor.handle, "A1042")

    [answer] = reddit.inbox.messages(limit=5)
    reply = answer.reply("Thanks! And the email on the order?")

    [first, ours] = sandbox.private_messages_to(Channel.REDDIT, redditor.handle)
    assert (answer.author.name, answer.body, answer.subject) == (redditor.handle, "A1042", "re: About your post")
    assert answer.first_message_name == first.id == ours.conversation_id
    assert reply.body == "Thanks! And the email on the order?" and ours.id == reply.fullname


def test_reddit_refuses_a_message_to_no_one_or_without_a_subject(reddit, redditor):
    with pytest.raises(praw.exceptions.RedditAPIException, match="USER_DOESNT_EXIST"):
        reddit.redditor("nobody_at_all_here").message(subject="Hi", message="hello")
    with pytest.raises(praw.exceptions.RedditAPIException, match="NO_SUBJECT"):
        reddit.redditor(redditor.handle).message(subject="", message="hello")


# -- Bluesky: chat through the PDS's proxy ----------------------------------------------------


@pytest.fixture
def bluesky(base_url: str) -> Client:
    client = Client(base_url=base_url)
    client.login("acme.bsky.social", "app-password")
    return client


@pytest.fixture
def skeeter(sandbox: Sandbox) -> Author:
    """Someone who exists only as the author of a post on Bluesky."""
    return next(post.author for post in sandbox.timelines[Channel.BLUESKY].posts() if post.author.handle != "acme")


def test_chat_calls_need_the_chat_proxy_header(bluesky):
    with pytest.raises(RequestException, match="atproto-proxy"):
        bluesky.chat.bsky.convo.get_log()


def test_a_conversation_opened_from_either_side_is_the_same_one(bluesky, sandbox, skeeter):
    chat = bluesky.with_bsky_chat_proxy()
    sandbox.write_private(Channel.BLUESKY, handle_of(skeeter), "hello?")

    params = models.ChatBskyConvoGetConvoForMembers.Params(members=[did_of(skeeter)])
    convo = chat.chat.bsky.convo.get_convo_for_members(params).convo
    sent = chat.chat.bsky.convo.send_message(
        models.ChatBskyConvoSendMessage.Data(
            convo_id=convo.id, message=models.ChatBskyConvoDefs.MessageInput(text="Your order number?")
        )
    )
    messages = chat.chat.bsky.convo.get_messages(models.ChatBskyConvoGetMessages.Params(convo_id=convo.id))

    assert sorted(member.did for member in convo.members) == sorted([did_of(skeeter), bluesky.me.did])
    assert [message.text for message in messages.messages] == ["Your order number?", "hello?"]
    assert sent.sender.did == bluesky.me.did
    [record] = sandbox.private_messages_to(Channel.BLUESKY, skeeter.handle)
    assert record.id == sent.id and record.conversation_id == convo.id


def test_the_chat_log_reads_on_from_its_cursor(bluesky, sandbox, skeeter):
    chat = bluesky.with_bsky_chat_proxy()
    written = [sandbox.write_private(Channel.BLUESKY, skeeter.handle, f"message {n}") for n in range(130)]

    first = chat.chat.bsky.convo.get_log()
    second = chat.chat.bsky.convo.get_log(models.ChatBskyConvoGetLog.Params(cursor=first.cursor))
    third = chat.chat.bsky.convo.get_log(models.ChatBskyConvoGetLog.Params(cursor=second.cursor))

    revs = [log.rev for log in [*first.logs, *second.logs]]
    assert revs == written and len(first.logs) == 100
    assert third.logs == [] and third.cursor == second.cursor
    assert all(log.related_profiles[0].did == did_of(skeeter) for log in first.logs)


def test_a_message_is_written_between_two_answers_of_the_serving_thread(base_url, sandbox, customer, monkeypatch):
    """The scripted customer writes from the test's thread while the sandbox answers from its own;
    the timelines are for one thread at a time, so the write runs on the serving thread."""
    [api] = [api for api in sandbox.apis if api.channel is Channel.X]
    threads = []
    written_to_us = api.written_to_us

    def recording(*args):
        threads.append(threading.current_thread().name)
        return written_to_us(*args)

    monkeypatch.setattr(api, "written_to_us", recording)

    sandbox.write_private(Channel.X, customer.handle, "A1042")

    assert threads == ["socialcx-sandbox"]
    assert [record.text for record in sandbox.private_messages_from(Channel.X, customer.handle)] == ["A1042"]
