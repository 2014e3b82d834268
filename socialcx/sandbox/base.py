"""The contract of a channel's route set, and the listing logic they all share.

A route set (`XApi` in `x.py`, `RedditApi` in `reddit.py`, …) speaks one platform's wire format
over that channel's `Timeline`: its routes, how it checks credentials, its error bodies and its
rate-limit headers. The app around it applies rate limits and faults the same way for all, so
adding a channel is one file and one line in `app.py`.

A channel's private messages live in a timeline of their own, never listed publicly: each is
kept as a `Post` whose `author` sent it to `parent_author`, in the conversation
`conversation_id` (the platform's own id for it).
"""

from __future__ import annotations

import zlib
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, ClassVar, Protocol

from aiohttp import web

from socialcx.channels import Channel
from socialcx.clock import Clock
from socialcx.sandbox.faults import Fault
from socialcx.sandbox.limits import Budget, RateState
from socialcx.sandbox.posts import Author, Page, Post, Predicate, Timeline, visible_key
from socialcx.sandbox.scenario import Scenario

__all__ = [
    "FAULT",
    "ApiError",
    "ChannelApi",
    "PrivateRecord",
    "Route",
    "World",
    "id_param",
    "iso_time",
    "limit_param",
    "stored",
    "valid_text",
]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

FAULT = web.RequestKey("sandbox.fault", Fault)  # the item fault a listing request must apply


@dataclass(frozen=True, slots=True)
class Route:
    """One endpoint: its fault and route name (`x.search`), and the rate-limit bucket it counts
    against. `lists_posts` marks the routes item faults apply to."""

    name: str
    method: str
    path: str
    handler: Handler
    bucket: str
    lists_posts: bool = False


class ApiError(Exception):
    """A request the platform refuses; the route set renders it in its own error shape."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True, slots=True)
class PrivateRecord:
    """A private message as tests and the benchmark's scripted customer see it, whatever the
    channel's wire format: its id and conversation, who sent it, its text, and when."""

    id: str
    conversation_id: str
    sender: str
    recipient: str
    text: str
    at: datetime

    @classmethod
    def of(cls, message: Post, name: Callable[[str], str]) -> PrivateRecord:
        """The record of a stored message, its ids as the platform writes them (`name`)."""
        recipient = message.parent_author.handle if message.parent_author else ""
        conversation = name(message.conversation_id or message.id)
        sender, text, at = message.author.handle, message.text, message.created_at
        return cls(name(message.id), conversation, sender, recipient, text, at)

    def to_json(self) -> dict[str, str]:
        return {
            "id": self.id,
            "conversation_id": self.conversation_id,
            "sender": self.sender,
            "recipient": self.recipient,
            "text": self.text,
            "at": iso_time(self.at),
        }


class World(Protocol):
    """What a route set reads of the sandbox serving it (`app.Sandbox`): the scenario, the clock,
    every channel's timeline and its private messages. A protocol, so that the channel modules
    never import the app that imports them."""

    scenario: Scenario
    clock: Clock
    timelines: Mapping[Channel, Timeline]
    private: Mapping[Channel, Timeline]


class ChannelApi(ABC):
    """One platform's HTTP API over the sandbox's posts of its channel."""

    channel: ClassVar[Channel]
    private_messages: ClassVar[bool] = False  # whether it serves the platform's private messages
    budgets: ClassVar[Mapping[str, Budget]]
    required_fields: ClassVar[tuple[str, ...]]  # what the `missing_fields` fault takes away

    def __init__(self, sandbox: World) -> None:
        self.sandbox = sandbox
        self.timeline = sandbox.timelines[self.channel]
        self.private = sandbox.private[self.channel]
        self._people: dict[str, Author] = {}
        self._handles: dict[str, Author] = {}
        self._people_seen = -1  # how many posts and messages the directory was built from

    @abstractmethod
    def routes(self) -> list[Route]:
        """Every endpoint of this platform the sandbox answers."""

    @abstractmethod
    def authorized(self, request: web.Request, route: Route) -> bool:
        """Whether the request carries credentials of the right kind (never verified)."""

    @abstractmethod
    def error(self, status: int, message: str) -> web.Response:
        """An error answer in the platform's shape."""

    @abstractmethod
    def rate_headers(self, state: RateState) -> dict[str, str]:
        """The platform's rate-limit headers for a window."""

    def now(self) -> datetime:
        return self.sandbox.clock.now()

    def find(self, post_id: str) -> Post | None:
        """The post with this id, if it exists yet and was not deleted or removed."""
        post = self.timeline.by_id(post_id)
        if post is None or post.created_at > self.now() or self.timeline.removal(post):
            return None
        return post

    def person(self, *, user_id: str | None = None, handle: str | None = None) -> Author | None:
        """Someone the channel knows, by id or by handle (any case, `@` or not, a Mastodon acct's
        instance or not): one of `people()`."""
        self.people()
        if user_id is not None:
            return self._people.get(user_id)
        wanted = (handle or "").lstrip("@").lower()  # a Mastodon acct may name the instance
        return self._handles.get(wanted) or self._handles.get(wanted.split("@")[0])

    def people(self) -> Mapping[str, Author]:
        """Everyone the channel knows, by id: our account, the author of any post, and anyone
        who wrote or was written to privately."""
        seen = len(self.timeline) + len(self.private)
        if seen != self._people_seen:
            authors = [self.sandbox.scenario.account]
            for post in [*self.timeline.posts(), *self.private.posts()]:
                authors += [post.author, *([post.parent_author] if post.parent_author else [])]
            self._people = {author.id: author for author in authors}
            self._handles = {author.handle.lower(): author for author in authors}
            self._people_seen = seen
        return self._people

    def newcomer(self, handle: str) -> Author:
        """Someone who has never posted on this channel, with a stable numeric id from the handle
        (a customer may write to us privately first)."""
        handle = handle.lstrip("@")
        return Author(str(10**9 + zlib.crc32(f"person:{handle}".encode())), handle, handle, 0)

    def conversation(self, sender: Author, recipient: Author, message_id: str) -> str:
        """The id of the private conversation a new message (`message_id`) from `sender` to
        `recipient` joins when the caller names none; channels name conversations their own way.
        Here, as on X, one per pair of people: `<smaller user id>-<larger user id>`."""
        ids = sorted((sender.id, recipient.id), key=lambda user_id: (len(user_id), user_id))
        return "-".join(ids)

    def deliver(
        self, sender: Author, recipient: Author, text: str, at: datetime, **fields: Any
    ) -> Post:
        """Store a private message from `sender` to `recipient`, sent at `at`; it is read once the
        clock reaches `at`. Its key comes from the public timeline, so no id is ever shared."""
        key, message_id = self.timeline.mint(at)
        fields.setdefault("conversation_id", self.conversation(sender, recipient, message_id))
        message = Post(
            channel=self.channel,
            key=key,
            id=message_id,
            created_at=at,
            author=sender,
            text=valid_text(text),
            parent_author=recipient,
            **fields,
        )
        self.private.add(message)
        return message

    def message_name(self, message_id: str) -> str:
        """A private message's id as the platform's API writes it (Reddit: its fullname)."""
        return message_id

    def written_to_us(self, handle: str, text: str, at: datetime) -> Post:
        """A private message from `handle` (someone who posted here, or a newcomer) to our
        account, as the platform stores one its user sent."""
        sender = self.person(handle=handle) or self.newcomer(handle)
        if sender.id == self.sandbox.scenario.account.id:
            raise ValueError(f"@{handle} is our own account: a customer writes to it, not as it")
        return self.deliver(sender, self.sandbox.scenario.account, text, at)

    def publish(self, text: str, parent: Post | None, **fields: Any) -> Post:
        """Post `text` as our account, now, in reply to `parent` if given; it shows up in later
        listings, as our posts do on the real platforms."""
        now = self.now()
        key, post_id = self.timeline.mint(now)
        post = Post(
            channel=self.channel,
            key=key,
            id=post_id,
            created_at=now,
            author=self.sandbox.scenario.account,
            text=valid_text(text),
            parent_author=parent.author if parent else None,
            **fields,
        )
        self.timeline.add(post)
        return post

    def listing(
        self,
        request: web.Request,
        view: Hashable,
        match: Predicate | None,
        *,
        above: int | None,
        below: int | None,
        limit: int,
        nearest: bool = False,
        timeline: Timeline | None = None,
    ) -> Page:
        """The visible posts a listing request asks for (see `Timeline.page`), of the public
        timeline or the one given, with the request's item fault applied: duplicates, an early
        end, or posts deleted or removed for good."""
        timeline = timeline or self.timeline
        page = timeline.page(
            view,
            match,
            until=visible_key(self.now()),
            above=above,
            below=below,
            limit=limit,
            nearest=nearest,
            overlap=self.overlap(request),
        )
        return self.spoil(request, page, timeline)

    def overlap(self, request: web.Request) -> int:
        """How many posts of the previous page a `duplicates` fault asks the listing to repeat."""
        fault = request.get(FAULT)
        return fault.items if fault and fault.kind == "duplicates" else 0

    def spoil(self, request: web.Request, page: Page, timeline: Timeline | None = None) -> Page:
        """A page with the request's `end_early`, `deleted` or `removed` fault applied (to the
        public timeline's posts, or the given timeline's)."""
        fault = request.get(FAULT)
        kind = fault.kind if fault else None
        if fault and kind == "end_early":
            return Page(page.posts[: fault.items], more=False)
        if fault and (kind == "deleted" or kind == "removed"):
            for post in page.posts[: fault.items]:
                (timeline or self.timeline).remove(post, kind)
        return page

    def strip_fields(
        self, request: web.Request, items: list[dict[str, Any]], required: tuple[str, ...] = ()
    ) -> None:
        """Under a `missing_fields` fault, take one required field (of `required`, else the
        channel's `required_fields`) from each of the first items."""
        fault = request.get(FAULT)
        if fault is None or fault.kind != "missing_fields":
            return
        for index, item in enumerate(items[: fault.items]):
            present = [name for name in required or self.required_fields if name in item]
            if present:
                del item[present[index % len(present)]]


def valid_text(text: str) -> str:
    """`text` as a platform stores it: valid Unicode, each lone surrogate (which JSON escapes can
    carry, and UTF-8 cannot) replaced by U+FFFD, as JavaScript's TextEncoder does."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def stored(post: Post) -> Post:
    """A post as the platform keeps it, every text in it valid Unicode (`valid_text`)."""
    author = post.author
    return replace(
        post,
        text=valid_text(post.text),
        title=None if post.title is None else valid_text(post.title),
        community=None if post.community is None else valid_text(post.community),
        author=replace(author, handle=valid_text(author.handle), name=valid_text(author.name)),
    )


def iso_time(moment: datetime) -> str:
    """A time as the JSON APIs write it: UTC, to the millisecond, with a `Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def id_param(request: web.Request, name: str) -> int | None:
    """A numeric post id in the query, as a key bound; anything else is a 400."""
    raw = request.query.get(name)
    if raw is None:
        return None
    if not raw.isdigit() or len(raw) > 19:
        raise ApiError(400, f"The `{name}` query parameter value [{raw}] is not valid")
    return int(raw)


def limit_param(request: web.Request, name: str, default: int, most: int, *, low: int = 1) -> int:
    """A page size in the query, brought within [`low`, `most`] as Mastodon and Reddit do."""
    raw = request.query.get(name, "")
    try:
        return max(low, min(most, int(raw))) if raw else default
    except ValueError:
        raise ApiError(400, f"The `{name}` parameter value [{raw}] is not a number") from None
