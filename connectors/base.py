"""The connector contract: one module per channel, each a `Connector` subclass.

A connector turns a watch and a cursor into a `PollResult`: the new mentions (`socialcx.mention`),
oldest first, and the cursor to keep once they are stored. It never writes state: the core
stores the batch and its cursor in one transaction (ingest), owns the read budget,
and remembers throttling. Channel-specific things (client libraries, wire formats, pagination,
rate-limit headers) stay inside `connectors/`.

    ConnectorError (a SocialcxError)
    ├── AuthFailed            the platform refused the credentials
    ├── ChannelUnavailable    5xx answers or timeouts outlasted the retries
    ├── NotSupported          the channel cannot do this (a reply on a read-only channel)
    ├── Refused               the platform answered 4xx to a request we made
    └── Throttled             a reply or lookup hit a 429; try again after `until`

Throttling while polling is not an error: `poll` returns what it fetched so far with
`throttled_until`, and the core skips the watch until then.
"""

from __future__ import annotations

import asyncio
import html
import json
import random
import re
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar, Generic, Literal, Protocol, TypeVar

import aiohttp

from socialcx.channels import Channel
from socialcx.clock import Clock
from socialcx.config import ChannelConfig, Settings, WatchConfig
from socialcx.errors import SocialcxError
from socialcx.mention import (
    Batch,
    Mention,
    PostedReply,
    PrivateBatch,
    PrivateTarget,
    Rejected,
    ReplyTarget,
)

__all__ = [
    "AuthFailed",
    "Capabilities",
    "ChannelUnavailable",
    "Connector",
    "ConnectorError",
    "HttpAnswer",
    "IdStream",
    "MalformedAnswer",
    "NotSupported",
    "PageRead",
    "PollResult",
    "RateLimited",
    "Refused",
    "RetryPolicy",
    "Streams",
    "Throttled",
    "Watermark",
    "http_session",
    "oldest_first",
    "plain_text",
    "watch_pattern",
]

T = TypeVar("T")


class _Turned(Protocol):
    turn: int


S = TypeVar("S", bound=_Turned)


class ConnectorError(SocialcxError):
    """A channel could not do what was asked."""


class AuthFailed(ConnectorError):
    """The platform refused our credentials (HTTP 401 or 403)."""


class ChannelUnavailable(ConnectorError):
    """The platform kept failing (5xx, timeouts, broken answers) after every retry."""


class NotSupported(ConnectorError):
    """The channel has no such capability, e.g. replying on Hacker News."""


class Refused(ConnectorError):
    """The platform answered 4xx to a request we made: a bad query, an unknown account or
    subreddit, a reply to a deleted post, a missing permission."""


class Throttled(ConnectorError):
    """The platform answered 429 to a single action; it may be tried again after `until`."""

    def __init__(self, message: str, *, until: datetime) -> None:
        super().__init__(message)
        self.until = until


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a channel can do, declared once per connector and shown by `socialcx connectors`."""

    can_reply: bool
    can_search: bool
    cursor_kind: Literal["since_id", "created_time", "fullname", "etag"]
    fetch_limit: int = 0  # posts `fetch` looks up by id in one request; 0: it cannot
    private_messages: bool = False  # it can write to someone privately and read their answers


@dataclass(frozen=True, slots=True)
class PollResult:
    """One poll of one watch: the batch to ingest and what it cost.

    A poll cut short (by throttling, the request allowance or a failure) still returns what it
    fetched, with a cursor from which the next poll resumes without a gap.
    """

    batch: Batch
    requests: int
    throttled_until: datetime | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with full jitter for transient failures (5xx, timeouts)."""

    attempts: int = 4
    base_seconds: float = 0.5
    max_seconds: float = 30.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        """Seconds to wait before retry number `attempt` (1-based): uniform in [0, cap]."""
        return rng.uniform(0, min(self.max_seconds, self.base_seconds * 2 ** (attempt - 1)))


class Connector(ABC):
    """Base of every channel connector.

    Subclasses set `channel`, `capabilities` and `description` (a Huginn-style text naming each
    setting, its default, and a sample mention), and implement `poll`; channels that can reply
    implement `reply` and `find_reply`. Blocking client libraries run in worker threads, so one
    slow channel never stalls the others.
    """

    channel: ClassVar[Channel]
    capabilities: ClassVar[Capabilities]
    description: ClassVar[str]

    def __init__(
        self,
        config: ChannelConfig,
        settings: Settings,
        *,
        clock: Clock,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self.clock = clock
        self.retry = retry or RetryPolicy()
        self._settings = settings
        self._sleep = sleep
        self._rng = rng or random.Random()

    @abstractmethod
    async def poll(self, watch: WatchConfig, cursor: str | None, *, max_requests: int) -> PollResult:
        """New mentions for `watch` since `cursor`, oldest first, making at most `max_requests`."""

    async def fetch(self, watch: WatchConfig, ids: Sequence[str]) -> Batch:
        """The posts with these external ids (at most `capabilities.fetch_limit`) as the platform
        serves them now, in one request: each a mention, or `Rejected` (with its id) when it still
        cannot be read; a post the platform no longer has is left out. This is how dead letters
        are looked up again (`socialcx.collect.ingest.retry_dead_letters`)."""
        raise NotSupported(f"{self.channel} cannot look a post up by its id")

    async def reply(self, mention: ReplyTarget, text: str) -> PostedReply:
        """Post `text` as our account's reply to `mention`."""
        raise NotSupported(f"{self.channel} is read-only: answer this mention on the site itself")

    async def find_reply(self, mention: ReplyTarget) -> PostedReply | None:
        """Our account's reply to `mention`, if one exists (for crash recovery of the outbox)."""
        raise NotSupported(f"{self.channel} is read-only")

    async def send_private(self, to: PrivateTarget, text: str) -> PostedReply:
        """Send `text` privately to `to` from our account (a direct message); the answer names the
        conversation it went to. Never retried: after a failure the outbox asks `find_private`."""
        raise NotSupported(f"{self.channel} has no private messages: hand this case to a person")

    async def read_private(
        self, cursor: str | None, *, max_requests: int
    ) -> tuple[PrivateBatch, int]:
        """The private messages sent to our account since `cursor`, oldest first, making at most
        `max_requests`, and how many it made. Where the platform lists both sides of a
        conversation in one place (X), our own messages come too, marked `from_us`. A read cut
        short (by the allowance, a 429 or an outage) returns what it read and a cursor from which
        the next read resumes without a gap; one that read nothing raises `Throttled` or
        `ChannelUnavailable`."""
        raise NotSupported(f"{self.channel} has no private messages")

    async def find_private(
        self, to: PrivateTarget, text: str, since: datetime
    ) -> PostedReply | None:
        """Our own private message to `to` with exactly `text`, sent at or after `since`, if one
        exists (for crash recovery of the outbox: was it sent before the crash?)."""
        raise NotSupported(f"{self.channel} has no private messages")

    async def aclose(self) -> None:
        """Release network resources."""

    def credential(self, key: str) -> str:
        """The value of credential `key`, read from the variable the config names; never logged."""
        env_name = self.config.credentials.get(key)
        value = self._settings.secret(env_name) if env_name else None
        if not value:
            raise AuthFailed(
                f"[channels.{self.channel}] needs credentials.{key}: name the environment variable "
                "that holds it, and set that variable"
            )
        return value

    async def call(
        self, what: str, function: Callable[..., T], *args: Any, once: bool = False, **kwargs: Any
    ) -> T:
        """Run a blocking client call in a worker thread, retrying transient failures.

        The subclass says which exceptions are transient through `is_transient`; after the last
        attempt the failure is reported as `ChannelUnavailable` naming `what` was attempted. A
        write (`once`) is never retried: a timeout may hide a post the platform did make, so the
        outbox asks `find_reply` before sending again.
        """
        return await self.retrying(
            what, lambda: asyncio.to_thread(function, *args, **kwargs), once=once
        )

    async def retrying(
        self, what: str, attempt_once: Callable[[], Awaitable[T]], *, once: bool = False
    ) -> T:
        """Await `attempt_once()` until it succeeds, as `call` does for a blocking call."""
        attempts = 1 if once else self.retry.attempts
        for attempt in range(1, attempts + 1):
            try:
                return await attempt_once()
            except Exception as exc:
                if not self.is_transient(exc):
                    raise
                if once:
                    raise ChannelUnavailable(
                        f"{self.channel}: {what} failed with {_describe(exc)}; it may have gone through"
                    ) from exc
                if attempt == attempts:
                    raise ChannelUnavailable(
                        f"{self.channel}: {what} failed {attempt} times, last with {_describe(exc)}"
                    ) from exc
                await self._sleep(self.retry.delay(attempt, self._rng))
        raise AssertionError("unreachable")

    def is_transient(self, exc: Exception) -> bool:
        """Whether a failure is worth retrying; connectors name their client's 5xx and timeouts."""
        return isinstance(exc, TimeoutError | ConnectionError)

    @contextmanager
    def acting(self, what: str) -> Iterator[None]:
        """Outside a poll (a reply, a lookup), a 429 is `Throttled` and a malformed answer
        `ChannelUnavailable`, for the caller to act on."""
        try:
            yield
        except RateLimited as exc:
            message = f"{self.channel} is throttling {what} until {exc.until:%H:%M:%S} UTC"
            raise Throttled(message, until=exc.until) from exc
        except MalformedAnswer as exc:
            message = f"{self.channel} answered {what} with something that is not JSON"
            raise ChannelUnavailable(message) from exc

    async def poll_streams(
        self,
        watch: WatchConfig,
        streams: Streams[S],
        names: Iterable[str],
        read: Callable[[str, S], Awaitable[PageRead]],
        *,
        max_requests: int,
    ) -> PollResult:
        """Read the named streams page by page (`read` fetches one page of one stream, one request,
        and moves the stream past it), the one read longest ago first, until each is done or the
        poll is cut short by the allowance, a spent rate-limit window or a failure; what was read
        is kept either way."""
        found: list[Mention | Rejected] = []
        made, throttled_until, error = 0, None, None
        for name, stream in streams.in_turn(names):
            try:
                while made < max_requests:
                    made += 1
                    page = await read(name, stream)
                    found.extend(page.items)
                    if page.spent_until is not None:
                        throttled_until = page.spent_until
                    if page.done or throttled_until is not None:
                        break
            except RateLimited as exc:
                throttled_until = exc.until
            except (ChannelUnavailable, Refused) as exc:
                error = str(exc)
            if throttled_until is not None or error is not None:
                break
        return PollResult(
            Batch(self.channel, watch.name, oldest_first(found), cursor=streams.cursor()),
            requests=made,
            throttled_until=throttled_until,
            error=error,
        )

    async def http_get(
        self,
        session: aiohttp.ClientSession,
        what: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        gone_ok: bool = False,
    ) -> HttpAnswer:
        """GET `url` with bare aiohttp, for channels without a client library of their own.

        5xx answers, timeouts and broken connections are retried as `call` retries them. A 2xx or
        304 answer is returned, and with `gone_ok` a 404 too (a post looked up that is no more);
        429 raises `Throttled` until the `Retry-After` time (a minute when the answer gives none),
        401 and 403 `AuthFailed`, any other answer `Refused`.
        """

        async def attempt_once() -> HttpAnswer:
            try:
                async with session.get(url, params=params, headers=headers) as response:
                    answer = HttpAnswer(response.status, response.headers, await response.read())
                    reason = response.reason or ""
            except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError) as exc:
                raise ConnectionError(_describe(exc)) from exc
            except aiohttp.ClientError as exc:
                raise Refused(f"{self.channel}: {what} failed: {_describe(exc)}") from exc
            if answer.status >= 500:
                raise ServerError(f"{answer.status} {reason}".strip())
            return answer

        answer = await self.retrying(what, attempt_once)
        if answer.status == 429:
            now = self.clock.now()
            until = now + _retry_after(answer.headers.get("Retry-After"), now)
            message = f"{self.channel} is throttling {what} until {until:%H:%M:%S} UTC"
            raise Throttled(message, until=until)
        if answer.status in (401, 403):
            raise AuthFailed(f"{self.channel} refused {what} ({answer.status})")
        kept = 200 <= answer.status < 300 or answer.status == 304
        if not (kept or (gone_ok and answer.status == 404)):
            raise Refused(f"{self.channel} refused {what} ({answer.status})")
        return answer


@dataclass(frozen=True, slots=True)
class HttpAnswer:
    """A platform's answer to `Connector.http_get`: its status, headers and body as sent."""

    status: int
    headers: Mapping[str, str]
    body: bytes


def http_session(timeout: float) -> aiohttp.ClientSession:
    """An aiohttp session for `Connector.http_get`, each request cut off after `timeout` seconds.

    Open one per poll: a session belongs to the event loop it was opened on.
    """
    return aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=timeout), headers={"User-Agent": USER_AGENT}
    )


@dataclass
class Watermark:
    """How far a stream of timestamped items has been read: everything created before `at`
    (epoch seconds), and the `ids` created at `at` itself, is behind us. Platform times tie, so
    the time alone cannot say where a stream stands."""

    at: float | None = None
    ids: list[str] = field(default_factory=list)

    def behind(self, at: float, item_id: str) -> bool:
        """Whether an item was read before."""
        return self.at is not None and (at < self.at or (at == self.at and item_id in self.ids))

    def note(self, at: float, item_id: str) -> None:
        """Raise the mark to cover an item just read."""
        if self.at is None or at > self.at:
            self.at, self.ids = at, []
        if at == self.at and item_id not in self.ids:
            self.ids.append(item_id)

    def advance(self, newest: Watermark) -> None:
        """Move up to `newest`, the mark of items read since, once they are all read."""
        if newest.at is None or (self.at is not None and newest.at < self.at):
            return
        ids = newest.ids if newest.at != self.at else [*self.ids, *newest.ids]
        self.at, self.ids = newest.at, sorted(set(ids))


def oldest_first(
    found: Iterable[Mention | Rejected],
) -> list[Mention | Rejected]:
    """A batch's items from what a poll found: what was rejected, then each mention once (pages
    and searches overlap), oldest first."""
    found = list(found)
    mentions: dict[str, Mention] = {}
    for item in found:
        if not isinstance(item, Rejected):
            mentions.setdefault(str(item.external_id), item)
    return [
        *(item for item in found if isinstance(item, Rejected)),
        *sorted(mentions.values(), key=lambda item: (item.created_at, str(item.external_id))),
    ]


def watch_pattern(watch: WatchConfig) -> re.Pattern[str] | None:
    """A case-insensitive whole-word pattern for a watch's keywords, hashtags and handles (None
    when it names none): `acme` finds "Acme's" and "@acme", never "acmesupport"."""
    terms = [
        *watch.keywords,
        *(tag.lstrip("#") for tag in watch.hashtags),
        *(handle.lstrip("@") for handle in watch.handles),
    ]
    words = [r"\s+".join(map(re.escape, term.split())) for term in terms if term.strip("#@")]
    return re.compile(rf"(?<!\w)(?:{'|'.join(words)})(?!\w)", re.IGNORECASE) if words else None


def plain_text(markup: str) -> str:
    """The text of an HTML fragment: paragraphs become blank lines, line breaks new lines, other
    tags go, and entities are decoded."""
    text = _LINE_BREAK.sub("\n", _PARAGRAPH.sub("\n\n", markup))
    text = html.unescape(_TAG.sub("", text))
    return _BLANK_LINES.sub("\n\n", text).strip()


USER_AGENT = "socialcx (social-care mention monitor)"
_PARAGRAPH = re.compile(r"<p(?:\s[^>]*)?>", re.IGNORECASE)
_LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_BLANK_LINES = re.compile(r"\n\s*\n\s*")
_DEFAULT_PAUSE = timedelta(minutes=1)


class ServerError(ConnectionError):
    """A 5xx answer to `Connector.http_get`: the platform failed this time, and may not the next."""


def _retry_after(value: str | None, now: datetime) -> timedelta:
    """How long a `Retry-After` header (seconds, or an HTTP date) asks us to wait."""
    if value and value.strip().isdigit():
        return timedelta(seconds=int(value))
    try:
        return max(timedelta(0), parsedate_to_datetime(value) - now) if value else _DEFAULT_PAUSE
    except (TypeError, ValueError):
        return _DEFAULT_PAUSE


@dataclass(frozen=True, slots=True)
class PageRead:
    """One page of a stream as `Connector.poll_streams` takes it: its mentions (or the page,
    rejected), whether the stream is done for this poll, and when the rate-limit window resets
    if the page spent it."""

    items: list[Mention | Rejected]
    done: bool
    spent_until: datetime | None = None


class RateLimited(Exception):
    """A 429 while paging: the poll ends with what it read, throttled `until` the reset."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"rate limited until {until:%H:%M:%S} UTC")
        self.until = until


class MalformedAnswer(Exception):
    """A 2xx answer whose body is not what the API sends, kept as it came."""

    def __init__(self, payload: Any) -> None:
        super().__init__("malformed answer")
        self.payload = payload


class Streams(Generic[S]):
    """A poll's cursor over several newest-first streams: each stream's paging state by name, and
    the poll (`turn`) that last read it, so that a small request allowance reaches each in turn.

        streams = Streams(IdStream, cursor)
        for name, stream in streams.in_turn(["mentions", "search:acme"]):
            ...
        Batch(..., cursor=streams.cursor())
    """

    def __init__(self, kind: Callable[..., S], cursor: str | None) -> None:
        self._kind = kind
        self.states: dict[str, S] = {
            name: kind(**state) for name, state in json.loads(cursor or "{}").items()
        }
        self.turn = max((state.turn for state in self.states.values()), default=0) + 1

    def in_turn(self, names: Iterable[str]) -> Iterator[tuple[str, S]]:
        """The named streams, the one read longest ago first, each marked as read by this poll."""
        fresh = self._kind()
        for name in sorted(names, key=lambda name: self.states.get(name, fresh).turn):
            state = self.states.setdefault(name, self._kind())
            state.turn = self.turn
            yield name, state

    def cursor(self) -> str:
        states = {name: asdict(state) for name, state in self.states.items()}  # type: ignore[call-overload]
        return json.dumps(states, sort_keys=True)


@dataclass
class IdStream:
    """Where one newest-first timeline stands, on a platform whose ids grow with time (X,
    Mastodon): `since_id` is the newest post fully behind us; with a `token`, a paging run back to
    `since_id` is under way and `newest_id` is where it began. `turn` is the poll that last read
    it. A run cut short resumes from its token, so no post in between is missed."""

    since_id: str | None = None
    token: str | None = None
    newest_id: str | None = None
    turn: int = 0

    def advance(self, next_token: str | None, newest_id: str | None) -> None:
        """Move past a page: the first page of a run fixes where the run began; the last one makes
        that the new `since_id`."""
        if self.token is None and self.newest_id is None:
            self.newest_id = newest_id
        self.token = next_token
        if next_token is None:
            self.since_id = self.newest_id or self.since_id
            self.newest_id = None


def _describe(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
