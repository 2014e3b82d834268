"""A reply names its author only when the handle is a real one on that channel: a hostile handle
(a link, another account, a newline, markup) never reaches what the bot posts. The reply then
uses a template without the name, or goes to a person when every template names the author."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from socialcx.channels import Channel
from socialcx.care.playbook import Playbook, load_playbook
from socialcx.care.responder import route
from tests.care.responder.conftest import PLAYBOOK, decision_of, inbox_of, outbox_of

NAMELESS = "Thanks for asking! Follow your order at {order_link}"
WITH_FALLBACK = PLAYBOOK.replace(
    '      - "@{author} your order\'s tracking is at {order_link}"\n',
    f'      - "@{{author}} your order\'s tracking is at {{order_link}}"\n      - "{NAMELESS}"\n',
)
ORDER_LINK = "https://acme.example/orders"
REPLY_CHANNELS = (Channel.X, Channel.REDDIT, Channel.MASTODON, Channel.BLUESKY)

# Handles that made the bot post someone else's mention, a link or a new line.
HOSTILE_HANDLES = (
    "evil https://spam.example/win @victim",
    "evil\n@victim",
    "evil\r\nhttps://spam.example",
    "evil@victim",
    "@@victim",
    "evil @victim",
    "[win](https://spam.example)",
    "<a href='https://spam.example'>evil</a>",
    "evil\u2028@victim",
    "evil\u202e@victim",
    "www.spam.example/win",
    "",
)
HOSTILE_TEXT = "@acme hi https://spam.example/win @victim\n\n@everyone"

# A real handle on each channel, written as the connector stores it.
VALID_HANDLES = {
    Channel.X: ("jessm_92", "a", "_"),
    Channel.REDDIT: ("ben4262", "Ben-42", "jess_m"),
    Channel.MASTODON: ("jess", "jess@fosstodon.org", "Jess_M@social.example.co.uk"),
    Channel.BLUESKY: ("jess-m92.bsky.social", "jess.example.com", "xn--bcher-kva.tld"),
}

# Valid by a neighbouring channel's grammar, or too long, but not on this one.
INVALID_HANDLES = {
    Channel.X: ("jessica_is_sixteen", "jess-m", "jess.bsky.social", "jess@fosstodon.org"),
    Channel.REDDIT: ("jo", "a" * 21, "jess.m", "jess@fosstodon.org", "_jess_", "jess-_m"),
    Channel.MASTODON: ("jess-m", "jess.m", "jess@", "jess@-bad.example", "jess@fosstodon.org@victim"),
    Channel.BLUESKY: ("jess", "jess_m.bsky.social", "-jess.bsky.social", "jess.123", "jess..social", "a." * 127 + "com"),
}


@pytest.fixture(scope="module")
def fallback_playbook(tmp_path_factory: pytest.TempPathFactory) -> Playbook:
    """A playbook whose order_status also has a template without the author's name."""
    path = tmp_path_factory.mktemp("rendering") / "playbook.yaml"
    path.write_text(WITH_FALLBACK, encoding="utf-8")
    return load_playbook(path)


def _mentions(text: str) -> list[str]:
    """Every @mention a reader (or the platform) would see in a reply."""
    return [match.rstrip(".") for match in re.findall(r"(?<![\w@.])@[\w.@-]+", text)]


def _links(text: str) -> list[str]:
    """Every link in a reply: anything with a scheme, or a bare www. that is not part of a handle."""
    return re.findall(r"[a-z][a-z0-9+.-]*://\S*|(?<![\w@.])www\.\S+", text, flags=re.IGNORECASE)


@pytest.mark.parametrize("channel", REPLY_CHANNELS)
@pytest.mark.parametrize("handle", HOSTILE_HANDLES)
def test_a_hostile_handle_is_left_out_of_the_reply(fallback_playbook, channel, handle):
    for external_id in map(str, range(12)):  # every template the hash may choose
        rendered = fallback_playbook.render("order_status", channel, external_id, handle)

        assert rendered.text == NAMELESS.format(order_link=ORDER_LINK)


@pytest.mark.parametrize("channel", REPLY_CHANNELS)
def test_a_handle_valid_on_another_channel_is_left_out_on_this_one(fallback_playbook, channel):
    for handle in INVALID_HANDLES[channel]:
        for external_id in map(str, range(12)):
            rendered = fallback_playbook.render("order_status", channel, external_id, handle)

            assert rendered.text == NAMELESS.format(order_link=ORDER_LINK), handle


@pytest.mark.parametrize("channel", REPLY_CHANNELS)
def test_a_real_handle_is_named_in_the_reply(playbook, channel):
    for handle in VALID_HANDLES[channel]:
        for stored in (handle, f"@{handle}"):
            rendered = playbook.render("order_status", channel, "1", stored)

            assert rendered.text is not None and (f"@{handle}," in rendered.text or f"@{handle} " in rendered.text)
            assert _mentions(rendered.text) == [f"@{handle}"]


@pytest.mark.parametrize("channel", REPLY_CHANNELS)
def test_without_a_nameless_template_a_hostile_handle_goes_to_a_person(playbook, channel):
    rendered = playbook.render("order_status", channel, "1", "evil https://spam.example/win @victim")

    assert rendered.text is None
    assert "not a valid" in rendered.problem and "a person" in rendered.problem
    assert "spam.example" not in rendered.problem


@pytest.mark.parametrize("channel", REPLY_CHANNELS)
def test_the_responder_never_queues_a_hostile_handle_or_text(engine, settings, write_playbook, clock, add_mention, channel):
    hostile = add_mention(channel=str(channel), author_handle="evil https://spam.example/win @victim", text=HOSTILE_TEXT)
    newline = add_mention(channel=str(channel), author_handle="evil\n@victim", text=HOSTILE_TEXT)

    route(engine, settings, write_playbook(WITH_FALLBACK), clock)

    for mention_id in (hostile, newline):
        reply = outbox_of(engine, mention_id)
        assert reply is not None and reply.text == NAMELESS.format(order_link=ORDER_LINK)


@pytest.mark.parametrize("channel", REPLY_CHANNELS)
def test_the_responder_hands_a_hostile_handle_to_a_person_when_every_template_names_the_author(
    engine, settings, playbook, clock, add_mention, channel
):
    mention_id = add_mention(channel=str(channel), author_handle="evil https://spam.example/win @victim", text=HOSTILE_TEXT)

    route(engine, settings, playbook, clock)

    assert outbox_of(engine, mention_id) is None
    assert inbox_of(engine, mention_id) is not None
    decision = decision_of(engine, mention_id)
    assert decision.outcome == "inbox" and "not a valid" in decision.reason


_grammar_like = st.one_of(
    st.from_regex(r"\A[A-Za-z0-9_-]{1,22}\Z"),
    st.from_regex(r"\A[a-z0-9-]{1,8}(\.[a-z0-9-]{1,8}){1,3}\Z"),
    st.from_regex(r"\A[A-Za-z0-9_]{1,10}@[a-z0-9-]{1,8}(\.[a-z]{1,5}){1,2}\Z"),
)
_handles = st.one_of(
    st.text(max_size=40),
    _grammar_like,
    st.tuples(_grammar_like, st.sampled_from(HOSTILE_HANDLES + ("\n", " ", "@", "/", ":", "\u2028")), _grammar_like).map("".join),
    st.tuples(st.sampled_from(("", "@")), _grammar_like).map("".join),
)


@given(channel=st.sampled_from(list(Channel)), handle=_handles, external_id=st.text(min_size=1, max_size=12))
@hypothesis_settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_whatever_the_handle_a_reply_mentions_only_its_author_and_links_only_the_playbook(
    fallback_playbook, channel, handle, external_id
):
    rendered = fallback_playbook.render("order_status", channel, external_id, handle)

    assert rendered.text is not None
    author = handle.removeprefix("@")
    assert set(_mentions(rendered.text)) <= {f"@{author}"}
    assert _links(rendered.text) == [ORDER_LINK]
    assert not any(character in rendered.text for character in "\n\r\u2028\u2029\x0b\x0c\x85")
    if _mentions(rendered.text):
        assert rendered.text.replace(f"@{author}", "@X") in {
            template.format(author="X", order_link=ORDER_LINK)
            for template in fallback_playbook.intents["order_status"].templates
        }
