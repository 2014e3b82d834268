"""The contract between a connector and the core: what a poll hands over, what a reply needs.

A connector (`connectors/`) builds `Mention`s, files what it cannot map as `Rejected`, and hands
both over in a `Batch` with the cursor to keep. It answers a `ReplyTarget` with a `PostedReply`.
These are plain values: a connector never learns how the core stores them.

Private messages take the same shape: `read_private` hands over `PrivateMessage`s (as read, junk
allowed) in a `PrivateBatch` with the cursor to keep, and `send_private` writes to a
`PrivateTarget`, answering with a `PostedReply` that names the conversation it went to.

    Batch(Channel.X, "acme", [Mention("1890", "where is my order @acme", "2026-11-25T08:00:00Z")],
          cursor="1890")

A `Mention` holds what the platform said, as read: its fields may be None, text where a time
belongs, or other junk. Ingest (`socialcx.collect.ingest`) validates every field and files a
mention that fails as a dead letter with the reason, so a connector need not check and must not
crash on a malformed post.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from socialcx.channels import Channel

__all__ = [
    "Batch",
    "Mention",
    "PostedReply",
    "PrivateBatch",
    "PrivateMessage",
    "PrivateTarget",
    "Rejected",
    "ReplyTarget",
]


@dataclass(frozen=True, slots=True)
class Mention:
    """One post as a connector read it, in our field names; `raw` is the platform's payload
    (stored as JSON; without it, these fields are). Times may be a datetime or the platform's
    ISO text (no offset means UTC); ids may be numbers."""

    external_id: str | int | None
    text: str | None
    created_at: datetime | str | int | None
    author_id: str | int | None = None
    author_handle: str | None = None
    author_name: str | None = None
    author_followers: int | None = None
    url: str | None = None
    language: str | None = None
    in_reply_to_id: str | int | None = None
    conversation_id: str | int | None = None
    raw: Any = None


@dataclass(frozen=True, slots=True)
class Rejected:
    """An item a connector could not even map to our fields, with why; it becomes a dead letter.
    `external_id`, when the item names its post, lets the post be looked up again later."""

    payload: Any
    reason: str
    external_id: str | None = None


@dataclass(frozen=True, slots=True)
class Batch:
    """What one poll of one watch on one channel fetched, and the cursor to keep once it is stored.

    Each item is a `Mention` or a `Rejected`. A `cursor` of None leaves the stored cursor as it was.
    """

    channel: Channel
    watch: str
    items: Sequence[Mention | Rejected]
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class ReplyTarget:
    """The stored mention a reply answers, as much of it as a connector needs to post or find
    that reply (`Connector.reply`, `Connector.find_reply`)."""

    channel: Channel
    external_id: str
    conversation_id: str | None = None
    author_id: str | None = None
    author_handle: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class PostedReply:
    """A reply or private message our account posted, as the platform reports it; a private
    message names the `conversation_id` it went to (the platform's own id)."""

    external_id: str
    url: str | None
    posted_at: datetime
    conversation_id: str | None = None


@dataclass(frozen=True, slots=True)
class PrivateTarget:
    """Whom to write to privately: the customer's id and handle on the channel (as their public
    post named them; either may be enough), and the private conversation when one is known."""

    channel: Channel
    author_id: str | None
    author_handle: str | None
    conversation_id: str | None = None


@dataclass(frozen=True, slots=True)
class PrivateMessage:
    """One private message between our account and someone, as read: like `Mention`, its fields
    may be None or junk for the core to check. `from_us` marks the ones our account sent."""

    external_id: str | int | None
    conversation_id: str | int | None
    author_id: str | int | None
    author_handle: str | None
    text: str | None
    created_at: datetime | str | int | None
    from_us: bool = False
    raw: Any = None


@dataclass(frozen=True, slots=True)
class PrivateBatch:
    """What one read of a channel's private messages fetched, oldest first, and the cursor to keep
    once they are stored (None leaves the stored cursor as it was)."""

    channel: Channel
    items: Sequence[PrivateMessage | Rejected]
    cursor: str | None = None
