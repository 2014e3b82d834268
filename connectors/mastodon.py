"""Mastodon through Mastodon.py, with our account's access token on our instance.

A watch's handles are followed through the mention notifications of our account, its hashtags
through the instance's hashtag timelines, and its keywords through full-text search (API v2).
Each stream pages newest first back to its stored `since_id`, in that endpoint's own ids (a
notification id for notifications, a status id elsewhere), taking the next page from the `Link`
header; search, which has none, pages below its oldest status until a page comes back empty, as
its pages may be short with more behind them. A poll cut short (by the request allowance, a 429
or a failure) keeps its place, so the next poll continues where this one stopped and nothing in
between is missed.

Mastodon.py would sleep through a 429 in our worker thread; it is built with
`ratelimit_method="throw"` and the reset time is read from the answer's `X-RateLimit-Reset`
header, so a throttled watch is skipped until then while the daemon carries on.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import requests
from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from connectors.base import (
    AuthFailed,
    Capabilities,
    Connector,
    IdStream,
    MalformedAnswer,
    PageRead,
    PollResult,
    RateLimited,
    Refused,
    Streams,
    plain_text,
)
from socialcx.channels import Channel, valid_handle
from socialcx.config import WatchConfig
from socialcx.mention import Batch, Mention, PostedReply, Rejected, ReplyTarget

__all__ = ["MastodonConnector"]

PAGE_SIZE = 40  # the most a Mastodon timeline or search page holds
_LEGACY = "mentions"  # where cursors kept the notifications stream, in status ids, before 16
TIMEOUT_SECONDS = 20.0
API_VERSION = (
    "4.2.0"  # assumed, not asked: Mastodon.py then uses search v2 and makes no call at start
)


class MastodonConnector(Connector):
    """Mastodon via Mastodon.py (alias `mastodon`)."""

    channel = Channel.MASTODON
    # One status per look-up: the batch form (GET /api/v1/statuses) needs Mastodon 4.3.
    capabilities = Capabilities(
        can_reply=True, can_search=True, cursor_kind="since_id", fetch_limit=1
    )
    description = """\
Follows Mastodon through the instance's REST API with Mastodon.py, as our account.

Settings ([channels.mastodon]):
  credentials.access_token         our account's access token, with the read and write:statuses
                                   scopes (required)
  base_url                         our instance, e.g. https://mastodon.social (required); the
                                   sandbox's URL in tests
  requests_per_window, window_minutes
                                   your limits; polls never exceed them (Mastodon allows 300
                                   requests per 5 minutes per account)
What it follows: handles by our account's mention notifications (replies to us included), hashtags
by the instance's hashtag timelines, keywords by full-text search (API v2), each newest first
back to where the last poll stopped. Search finds what the instance has indexed: on Mastodon
4.2+, the public posts of people who opted in, and posts that mention us. A status served without
a field we need is dead-lettered and looked up again by id on later polls.
Sample mention:
  {"external_id": "113512345678901234", "author_handle": "jess@fosstodon.org",
   "author_name": "Jess", "author_followers": 412, "text": "@acme where is my order?",
   "url": "https://fosstodon.org/@jess/113512345678901234",
   "created_at": "2026-11-24T07:00:00Z", "in_reply_to_id": null, "language": "en"}"""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._client: Mastodon | None = None
        self._session: requests.Session | None = None
        self._seen = threading.local()  # the last answer in each worker thread
        self._me: str | None = None

    async def poll(
        self, watch: WatchConfig, cursor: str | None, *, max_requests: int
    ) -> PollResult:
        streams = Streams(IdStream, cursor)
        # Cursors stored before notifications kept their own ids hold a status id under
        # `mentions`: the notifications stream reads back to that status, then the old entry goes.
        legacy = streams.states.get(_LEGACY)

        async def read(name: str, stream: IdStream) -> PageRead:
            if name != "notifications":
                return await self._page(name, stream)
            page = await self._notifications(stream, legacy.since_id if legacy else None)
            if page.done and stream.token is None:
                streams.states.pop(_LEGACY, None)
            return page

        return await self.poll_streams(
            watch, streams, _stream_names(watch), read, max_requests=max_requests
        )

    async def fetch(self, watch: WatchConfig, ids: Sequence[str]) -> Batch:
        [status_id] = ids
        try:
            status = await self._act(
                "looking a status up again", self._mastodon().status, status_id
            )
        except _Gone:
            return Batch(self.channel, watch.name, [])
        return Batch(self.channel, watch.name, [_mention(status)])

    async def reply(self, mention: ReplyTarget, text: str) -> PostedReply:
        # Mastodon tells people of a reply only when it mentions them, as every client does; a
        # handle outside Mastodon's grammar is left out rather than let it add mentions or links.
        author = valid_handle(Channel.MASTODON, mention.author_handle)
        if author and f"@{author.lower()}" not in text.lower():
            text = f"@{author} {text}"
        status = await self._act(
            "posting a reply",
            self._mastodon().status_post,
            text,
            in_reply_to_id=mention.external_id,
            once=True,
        )
        return _posted(status, self.clock.now())

    async def find_reply(self, mention: ReplyTarget) -> PostedReply | None:
        me = await self._my_id()
        context = await self._act(
            "looking for our reply", self._mastodon().status_context, mention.external_id
        )
        for status in context["descendants"]:
            account = status.get("account") or {}
            if (
                str(account.get("id")) == me
                and str(status.get("in_reply_to_id")) == mention.external_id
            ):
                return _posted(status, self.clock.now())
        return None

    async def aclose(self) -> None:
        if self._session is not None:
            self._session.close()
        self._client = self._session = None

    def is_transient(self, exc: Exception) -> bool:
        return super().is_transient(exc) or isinstance(
            exc, MastodonServerError | MastodonNetworkError
        )

    # -- paging -------------------------------------------------------------------------------

    async def _notifications(self, stream: IdStream, read_status: str | None) -> PageRead:
        """One page of our mention notifications, paged by notification id. Without a `since_id`
        but with `read_status` (an old cursor's position), the run ends at the first notification
        of a status at or below it, keeping only the statuses above it."""
        client = self._mastodon()
        try:
            page, spent = await self._fetch(
                "our mention notifications",
                client.notifications,
                types=["mention"],
                since_id=stream.since_id,
                max_id=stream.token,
                limit=PAGE_SIZE,
            )
        except MalformedAnswer as exc:
            return _rejected(exc, "notifications")
        statuses = [item["status"] for item in page if item.get("status")]
        next_info = client.get_pagination_info(page, "next")
        if stream.since_id is None and read_status is not None:
            newer = [status for status in statuses if _above(status, read_status)]
            next_info = next_info if len(newer) == len(statuses) else None
            statuses = newer
        newest = str(page[0]["id"]) if page else None
        return self._advanced(stream, statuses, next_info, newest, spent)

    async def _page(self, name: str, stream: IdStream) -> PageRead:
        """One page of a hashtag timeline or a search, newest first. A page that cannot be read
        is rejected and the stream stays where it was, so the next poll asks for it again."""
        client = self._mastodon()
        kind, _, term = name.partition(":")
        bounds = {"max_id": stream.token, "limit": PAGE_SIZE}
        try:
            if kind == "tag":
                page, spent = await self._fetch(
                    f"the #{term} timeline",
                    client.timeline_hashtag,
                    term,
                    since_id=stream.since_id,
                    **bounds,
                )
                statuses, next_info = list(page), client.get_pagination_info(page, "next")
            else:
                # Search has no Link header and no since_id: min_id bounds it, and a page may be
                # short with more below its oldest status, so only an empty page ends the run.
                answer, spent = await self._fetch(
                    f"search for {term!r}",
                    client.search_v2,
                    term,
                    result_type="statuses",
                    resolve=False,
                    min_id=stream.since_id,
                    **bounds,
                )
                statuses = list(answer["statuses"])
                next_info = {"max_id": statuses[-1]["id"]} if statuses else None
        except MalformedAnswer as exc:
            return _rejected(exc, name)
        newest = str(statuses[0]["id"]) if statuses else None
        return self._advanced(stream, statuses, next_info, newest, spent)

    def _advanced(
        self,
        stream: IdStream,
        statuses: list[Any],
        next_info: dict[str, Any] | None,
        newest: str | None,
        spent: datetime | None,
    ) -> PageRead:
        """Move `stream` past a page whose newest item has the id `newest`; its statuses read."""
        next_token = str(next_info["max_id"]) if next_info and next_info.get("max_id") else None
        stream.advance(next_token, newest)
        return PageRead(
            [_mention(status) for status in statuses], done=stream.token is None, spent_until=spent
        )

    async def _fetch(
        self, what: str, function: Any, *args: Any, **kwargs: Any
    ) -> tuple[Any, datetime | None]:
        """A read and when its rate-limit window resets if it spent it, with Mastodon's refusals
        turned into connector errors."""
        try:
            return await self.call(what, self._request, function, *args, **kwargs)
        except (MastodonUnauthorizedError, _Forbidden) as exc:
            raise AuthFailed(f"mastodon refused our access token while reading {what}") from exc
        except MastodonAPIError as exc:
            raise Refused(f"mastodon refused reading {what}: {_api_message(exc)}") from exc

    async def _act(
        self, what: str, function: Any, *args: Any, once: bool = False, **kwargs: Any
    ) -> Any:
        """A call outside paging, with Mastodon's refusals turned into connector errors."""
        try:
            with self.acting(what):
                result, _ = await self.call(
                    what, self._request, function, *args, once=once, **kwargs
                )
            return result
        except (MastodonUnauthorizedError, _Forbidden) as exc:
            raise AuthFailed(f"mastodon refused our access token while {what}") from exc
        except MastodonNotFoundError as exc:
            raise _Gone(f"mastodon refused {what}: the status is gone (404)") from exc
        except MastodonAPIError as exc:
            raise Refused(f"mastodon refused {what}: {_api_message(exc)}") from exc

    def _request(self, function: Any, *args: Any, **kwargs: Any) -> tuple[Any, datetime | None]:
        """Make one client call in this worker thread and read its answer's headers where
        Mastodon.py does not: the answer, and the reset time when it spent the rate-limit window.
        A 429 raises `RateLimited` with its reset time, a body that is not JSON `MalformedAnswer`."""
        self._seen.response = None
        try:
            result = function(*args, **kwargs)
        except MastodonRatelimitError as exc:
            raise RateLimited(self._reset_time() or self.clock.now()) from exc
        except MastodonAPIError as exc:
            response: requests.Response | None = self._seen.response
            if response is not None and response.ok:
                raise MalformedAnswer(response.text) from exc
            if response is not None and response.status_code == 403:
                raise _Forbidden(str(exc)) from exc
            raise
        spent = (
            self._seen.response is not None
            and self._seen.response.headers.get("X-RateLimit-Remaining") == "0"
        )
        return result, (self._reset_time() or self.clock.now()) if spent else None

    def _reset_time(self) -> datetime | None:
        value = (
            self._seen.response.headers.get("X-RateLimit-Reset")
            if self._seen.response is not None
            else None
        )
        try:
            return datetime.fromisoformat(value) if value else None
        except ValueError:
            return None

    async def _my_id(self) -> str:
        if self._me is None:
            account = await self._act(
                "looking up our account", self._mastodon().account_verify_credentials
            )
            self._me = str(account["id"])
        return self._me

    def _mastodon(self) -> Mastodon:
        if self._client is None:
            if not self.config.base_url:
                raise Refused(
                    "[channels.mastodon] needs base_url: our instance, like https://mastodon.social"
                )
            session = requests.Session()
            session.hooks["response"].append(self._keep)
            self._client = Mastodon(
                access_token=self.credential("access_token"),
                api_base_url=self.config.base_url,
                mastodon_version=API_VERSION,
                version_check_mode="created",
                ratelimit_method="throw",
                request_timeout=TIMEOUT_SECONDS,
                session=session,
                user_agent="socialcx",
            )
            self._session = session
        return self._client

    def _keep(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self._seen.response = response


class _Gone(Refused):
    """Mastodon answered 404: the status was deleted, or is hidden from us."""


class _Forbidden(Exception):
    """Mastodon answered 403: the token lacks a scope, or the account is suspended."""


def _stream_names(watch: WatchConfig) -> list[str]:
    names = ["notifications"] if watch.handles else []
    names += [f"tag:{tag.lstrip('#').lower()}" for tag in dict.fromkeys(watch.hashtags)]
    names += [f"search:{term}" for term in dict.fromkeys(watch.keywords)]
    return names


def _rejected(exc: MalformedAnswer, name: str) -> PageRead:
    rejected = Rejected(exc.payload, f"malformed JSON page from Mastodon ({name})")
    return PageRead([rejected], done=True)


def _above(status: Any, status_id: str) -> bool:
    """Whether a status is newer than the status `status_id` (Mastodon ids grow with time)."""
    found = str(status.get("id") or "") if isinstance(status, dict) else ""
    return not (found.isdigit() and status_id.isdigit()) or int(found) > int(status_id)


def _mention(status: Any) -> Mention | Rejected:
    if not isinstance(status, dict) or not status.get("id"):
        return Rejected(status, "Mastodon listed a status without an id")
    if not isinstance(status.get("created_at"), datetime):
        reason = "Mastodon status without a creation time"
        return Rejected(status, reason, external_id=str(status["id"]))
    account = status.get("account") or {}
    content = status.get("content")
    return Mention(
        external_id=str(status["id"]),
        text=plain_text(content) if isinstance(content, str) else None,
        created_at=status["created_at"],
        author_id=account.get("id"),
        author_handle=account.get("acct"),
        author_name=account.get("display_name") or account.get("username"),
        author_followers=account.get("followers_count"),
        url=status.get("url") or status.get("uri"),
        language=status.get("language"),
        in_reply_to_id=status.get("in_reply_to_id"),
        # Mastodon names no thread root; a post that replies to none starts its own.
        conversation_id=None if status.get("in_reply_to_id") else str(status["id"]),
        raw=status,
    )


def _posted(status: Any, now: datetime) -> PostedReply:
    created = status.get("created_at")
    return PostedReply(
        external_id=str(status["id"]),
        url=status.get("url") or status.get("uri"),
        posted_at=created if isinstance(created, datetime) else now,
    )


def _api_message(exc: MastodonAPIError) -> str:
    args = [str(arg) for arg in exc.args[1:] if arg]  # status, reason, Mastodon's own message
    return " ".join(args) or str(exc)
