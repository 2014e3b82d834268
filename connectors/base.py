"""The connector contract: one module per channel, each a `Connector` subclass.

A connector turns a watch and a cursor into a `PollResult`: the new mentions, oldest first, in
our field names, and the cursor to keep once they are stored. It never writes state: the core
stores the batch and its cursor in one transaction (`socialcx.ingest`), owns the read budget,
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
import random
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Literal, TypeVar

from socialcx.channels import Channel
from socialcx.clock import Clock
from socialcx.config import ChannelConfig, Settings, WatchConfig
from socialcx.errors import SocialcxError
from socialcx.ingest import Batch
from socialcx.store import Mention

__all__ = [
    "AuthFailed",
    "Capabilities",
    "ChannelUnavailable",
    "Connector",
    "ConnectorError",
    "NotSupported",
    "PollResult",
    "PostedReply",
    "Refused",
    "RetryPolicy",
    "Throttled",
]

T = TypeVar("T")


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
class PostedReply:
    """A reply our account posted, as the platform reports it."""

    external_id: str
    url: str | None
    posted_at: datetime


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

    async def reply(self, mention: Mention, text: str) -> PostedReply:
        """Post `text` as our account's reply to `mention`."""
        raise NotSupported(f"{self.channel} is read-only: answer this mention on the site itself")

    async def find_reply(self, mention: Mention) -> PostedReply | None:
        """Our account's reply to `mention`, if one exists (for crash recovery of the outbox)."""
        raise NotSupported(f"{self.channel} is read-only")

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
        attempts = 1 if once else self.retry.attempts
        for attempt in range(1, attempts + 1):
            try:
                return await asyncio.to_thread(function, *args, **kwargs)
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


def _describe(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
