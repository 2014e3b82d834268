"""What each connector makes of a private message as the platform sent it: any JSON at all
becomes a `PrivateMessage` (fields as read, for the core to check) or a `Rejected` with a reason,
and never an exception that would lose the rest of the page."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from connectors import bluesky, mastodon, reddit, x
from socialcx.mention import PrivateMessage, Rejected

SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


def fields(*names: str):
    """Objects holding some of `names`, each any JSON, or anything at all."""
    return st.fixed_dictionaries({}, optional={name: JSON for name in names}) | JSON


@given(event=fields("id", "text", "sender_id", "created_at", "dm_conversation_id"))
def test_any_x_dm_event_is_a_message_or_rejected(event) -> None:
    item = x._private_message(event, {"1": {"username": "jess"}}, "42")
    assert isinstance(item, PrivateMessage | Rejected)


@given(status=fields("id", "content", "account", "created_at", "visibility"))
def test_any_mastodon_direct_status_is_a_message_or_rejected(status) -> None:
    if isinstance(status, dict):
        assert isinstance(mastodon._private(status), PrivateMessage | Rejected)


@given(child=fields("kind", "data"), data=fields("name", "author", "body", "created_utc", "first_message_name"))
def test_any_reddit_message_is_a_message_or_rejected(child, data) -> None:
    for thing in (child, {"kind": "t4", "data": data}):
        assert isinstance(reddit._private(thing), PrivateMessage | Rejected)


@given(log=fields("$type", "convoId", "message", "relatedProfiles"), message=fields("id", "text", "sender", "sentAt"))
def test_any_bluesky_chat_log_entry_is_a_message_or_rejected(log, message) -> None:
    for entry in (log, {"$type": bluesky._CREATE_MESSAGE, "convoId": "c", "message": message}):
        assert isinstance(bluesky._private(entry, "did:plc:us"), PrivateMessage | Rejected)


def test_a_well_formed_message_keeps_its_fields_as_read() -> None:
    event = {"id": "7", "text": "A1042", "sender_id": "1", "created_at": "2026-12-03T10:00:00.000Z",
             "dm_conversation_id": "1-42"}
    item = x._private_message(event, {"1": {"username": "jess"}}, "42")
    assert (item.external_id, item.text, item.author_handle, item.conversation_id, item.from_us) == (
        "7", "A1042", "jess", "1-42", False
    )
