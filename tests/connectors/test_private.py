"""Private messages, the contract every connector keeps: a channel that declares them sends,
reads and finds them against the sandbox; one that does not refuses each with `NotSupported`,
so the engine hands its cases to a person.

The customer is always the author of a mention the connector itself polled, written to as the
engine would write to them (the mention's author id and handle), and answers through the
sandbox's world helpers (`write_private`, `private_messages_to`)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from connectors import available, connector_class
from connectors.base import ChannelUnavailable, NotSupported, Throttled
from socialcx.channels import Channel
from socialcx.mention import Mention, PrivateMessage, PrivateTarget, Rejected

WITH = [channel for channel in available() if connector_class(channel).capabilities.private_messages]
WITHOUT = [channel for channel in available() if channel not in WITH]
# The sandbox's fault routes for sending and for reading private messages, per channel.
ROUTES = {
    Channel.X: ("x.dm_send", "x.dm_events"),
    Channel.MASTODON: ("mastodon.post", "mastodon.notifications"),
    Channel.REDDIT: ("reddit.compose", "reddit.messages"),
    Channel.BLUESKY: ("bluesky.sendMessage", "bluesky.getLog"),
}
# Channels whose inbox lists our own messages too (flagged `from_us`); the others list only theirs.
LISTS_OURS = {Channel.X, Channel.BLUESKY}
ASK = "Sorry about that! Could you send us your order number and the email on the order?"


@pytest.fixture(params=WITH, ids=str)
def channel(request) -> Channel:
    return request.param


def run(coroutine):
    return asyncio.run(coroutine)


def customer_of(connector, settings) -> Mention:
    """A mention the connector polled, by someone other than our account: the customer."""
    result = run(connector.poll(settings.watches[0], None, max_requests=50))
    return next(item for item in result.batch.items if isinstance(item, Mention) and item.author_handle != "acme")


def target(mention: Mention, channel: Channel, conversation_id: str | None = None) -> PrivateTarget:
    return PrivateTarget(channel, str(mention.author_id), mention.author_handle, conversation_id)


def said(record) -> str:
    """What a private message says to its reader: on Mastodon, without the mention that
    addresses a direct status to them."""
    return record.text.removeprefix(f"@{record.recipient} ")


def read_all(connector, cursor=None, max_requests=50):
    batch, made = run(connector.read_private(cursor, max_requests=max_requests))
    return batch, made


def texts(batch, *, from_us: bool) -> list[str]:
    return [item.text for item in batch.items if isinstance(item, PrivateMessage) and item.from_us is from_us]


def test_a_private_message_goes_to_the_customer_and_their_answer_comes_back(
    channel, connector_for, settings_for, sandbox
):
    settings = settings_for(channel)
    connector = connector_for(channel)
    customer = customer_of(connector, settings)

    sent = run(connector.send_private(target(customer, channel), ASK))
    sandbox.write_private(channel, customer.author_handle, "it's A1042, jane@example.com")
    batch, made = read_all(connector)

    [record] = sandbox.private_messages_to(channel, customer.author_handle)
    assert said(record) == ASK and record.id == sent.external_id
    assert sent.conversation_id and sent.posted_at == sandbox.clock.now()
    [answer] = [item for item in batch.items if not item.from_us]
    assert answer.text == "it's A1042, jane@example.com"
    assert answer.author_handle == customer.author_handle
    assert str(answer.author_id) == str(customer.author_id)
    assert str(answer.conversation_id) == sent.conversation_id
    assert texts(batch, from_us=True) == ([ASK] if channel in LISTS_OURS else [])
    assert batch.channel is channel and batch.cursor and made >= 1


def test_the_answer_continues_the_conversation_it_was_asked_in(channel, connector_for, settings_for, sandbox):
    settings = settings_for(channel)
    connector = connector_for(channel)
    customer = customer_of(connector, settings)
    first = run(connector.send_private(target(customer, channel), ASK))
    sandbox.write_private(channel, customer.author_handle, "A1042")

    second = run(connector.send_private(target(customer, channel, first.conversation_id), "Thanks, and the email?"))

    assert second.conversation_id == first.conversation_id
    assert [said(record) for record in sandbox.private_messages_to(channel, customer.author_handle)] == [
        ASK,
        "Thanks, and the email?",
    ]


def test_a_private_answer_is_never_polled_as_a_public_mention(channel, connector_for, settings_for, sandbox, clock):
    settings = settings_for(channel)
    connector = connector_for(channel)
    first = run(connector.poll(settings.watches[0], None, max_requests=50))
    customer = next(item for item in first.batch.items if isinstance(item, Mention))
    run(connector.send_private(target(customer, channel), ASK))
    sandbox.write_private(channel, customer.author_handle, "@acme my order is A1042, email jane@example.com")
    clock.advance(timedelta(minutes=1))

    later = run(connector.poll(settings.watches[0], first.batch.cursor, max_requests=50))

    public = [item.text for item in later.batch.items if isinstance(item, Mention)]
    assert not any("A1042" in (text or "") or ASK in (text or "") for text in public)


def test_reading_in_small_steps_resumes_without_loss_or_duplicates(channel, connector_for, settings_for, sandbox, clock):
    settings = settings_for(channel)
    connector = connector_for(channel)
    customer = customer_of(connector, settings)
    run(connector.send_private(target(customer, channel), ASK))
    written = [sandbox.write_private(channel, customer.author_handle, f"answer {n}") for n in range(230)]

    seen, cursor, reads = [], None, 0
    while reads < 40:
        batch, made = read_all(connector, cursor, max_requests=1)
        assert made <= 1 or (reads == 0 and made <= 2)  # the first read may look our account up
        seen += [item.external_id for item in batch.items if not item.from_us]
        cursor, reads = batch.cursor, reads + 1
        if reads == 2:  # more arrive while the first run is under way
            clock.advance(timedelta(seconds=1))
            written += [sandbox.write_private(channel, customer.author_handle, f"late {n}") for n in range(5)]
        if len(seen) >= len(written) and not batch.items:
            break

    assert sorted(map(str, seen)) == sorted(written)  # every message once: none lost, none twice


def test_a_read_with_nothing_new_brings_nothing(channel, connector_for, settings_for, sandbox):
    settings = settings_for(channel)
    connector = connector_for(channel)
    customer = customer_of(connector, settings)
    sandbox.write_private(channel, customer.author_handle, "A1042")
    first, _ = read_all(connector)

    again, made = read_all(connector, first.cursor)

    assert texts(first, from_us=False) == ["A1042"]
    assert again.items == [] and made >= 1


def test_messages_come_oldest_first(channel, connector_for, settings_for, sandbox, clock):
    settings = settings_for(channel)
    connector = connector_for(channel)
    customer = customer_of(connector, settings)
    for n in range(3):
        sandbox.write_private(channel, customer.author_handle, f"message {n}")
        clock.advance(timedelta(seconds=30))

    batch, _ = read_all(connector)

    assert texts(batch, from_us=False) == ["message 0", "message 1", "message 2"]


def test_a_message_sent_before_a_crash_is_found_after_it(channel, connector_for, settings_for, sandbox, clock):
    settings = settings_for(channel)
    customer = customer_of(connector_for(channel), settings)
    before = clock.now()
    sent = run(connector_for(channel).send_private(target(customer, channel), ASK))
    clock.advance(timedelta(minutes=2))
    sandbox.write_private(channel, customer.author_handle, "A1042")

    restarted = connector_for(channel)  # a new process: nothing remembered
    found = run(restarted.find_private(target(customer, channel), ASK, before))

    assert found is not None and found.external_id == sent.external_id
    assert found.conversation_id == sent.conversation_id
    assert run(restarted.find_private(target(customer, channel), "Another text", before)) is None
    assert run(restarted.find_private(target(customer, channel), ASK, clock.now())) is None


def test_a_send_the_platform_failed_is_not_found_so_it_may_go_again(channel, connector_for, settings_for, sandbox):
    settings = settings_for(channel)
    connector = connector_for(channel)
    customer = customer_of(connector, settings)
    before = sandbox.clock.now()
    sandbox.faults.add(route=ROUTES[channel][0], kind="503")

    with pytest.raises(ChannelUnavailable, match="may have gone through"):
        run(connector.send_private(target(customer, channel), ASK))

    assert sandbox.private_messages_to(channel, customer.author_handle) == []
    assert run(connector.find_private(target(customer, channel), ASK, before)) is None


def test_a_throttled_read_raises_until_and_the_next_read_loses_nothing(
    channel, connector_for, settings_for, sandbox, clock
):
    settings = settings_for(channel)
    connector = connector_for(channel)
    customer = customer_of(connector, settings)
    sandbox.write_private(channel, customer.author_handle, "A1042")
    read_all(connector)  # logged in, our account known
    sandbox.write_private(channel, customer.author_handle, "jane@example.com")
    cursor = read_all(connector)[0].cursor
    sandbox.write_private(channel, customer.author_handle, "just one")
    sandbox.faults.add(route=ROUTES[channel][1], kind="429", seconds=120)

    throttled_at = clock.now()
    with pytest.raises(Throttled) as throttled:
        read_all(connector, cursor)
    clock.advance(throttled.value.until - clock.now() + timedelta(seconds=1))  # waited it out
    batch, _ = read_all(connector, cursor)

    assert throttled.value.until >= throttled_at + timedelta(seconds=119)  # the window's reset
    assert texts(batch, from_us=False) == ["just one"]


def test_server_errors_are_retried_and_an_outage_is_reported(channel, connector_for, settings_for, sandbox, sleeps):
    settings = settings_for(channel)
    connector = connector_for(channel)
    customer = customer_of(connector, settings)
    sandbox.write_private(channel, customer.author_handle, "A1042")
    read_all(connector)
    sandbox.faults.add(route=ROUTES[channel][1], kind="503", times=2)

    batch, _ = read_all(connector)
    sandbox.faults.add(route=ROUTES[channel][1], kind="500", times=None)
    with pytest.raises(ChannelUnavailable):
        read_all(connector)

    assert texts(batch, from_us=False) == ["A1042"] and len(sleeps.seconds) >= 2


def test_a_customer_may_write_first(channel, connector_for, settings_for, sandbox):
    sandbox.write_private(channel, "someone_new", "hi, I never posted but my order is late")

    batch, _ = read_all(connector_for(channel))

    [message] = [item for item in batch.items if not isinstance(item, Rejected)]
    [record] = sandbox.private_messages_from(channel, message.author_handle)  # the same person
    assert record.sender == "someone_new" and not message.from_us


@pytest.mark.parametrize("channel", WITHOUT, ids=str)
def test_a_channel_without_private_messages_refuses_each_call(channel, connector_for):
    connector = connector_for(channel)
    to = PrivateTarget(channel, "42", "jess")

    with pytest.raises(NotSupported, match="private messages"):
        run(connector.send_private(to, ASK))
    with pytest.raises(NotSupported):
        run(connector.read_private(None, max_requests=5))
    with pytest.raises(NotSupported):
        run(connector.find_private(to, ASK, datetime(2026, 11, 23, tzinfo=UTC)))


def test_hacker_news_and_rss_have_no_private_messages():
    assert {Channel.HACKERNEWS, Channel.RSS} <= set(WITHOUT)
    assert Channel.X in WITH
