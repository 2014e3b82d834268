"""Private messages in the sandbox: X's direct messages as its API v2 documents them, seen
through tweepy, and the world helpers tests and the benchmark's scripted customer use
(`write_private`, `private_messages_to`, `private_messages_from`, the `/_sandbox/private`
routes)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import requests
import tweepy

from socialcx import Channel
from socialcx.sandbox import Sandbox
from socialcx.sandbox.posts import Author

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
