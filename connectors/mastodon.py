"""Mastodon through Mastodon.py, with our account's access token on our instance.

A watch's handles are followed through the mention notifications of our account, its hashtags
through the instance's hashtag timelines, and its keywords through full-text search (API v2).
Each stream pages newest first back to its stored `since_id`, in that endpoint's own ids (a
notification id for notifications, a status id elsewhere), taking the next page from the `Link`
header; search, which has none, pages below its oldest status until a page comes back empty, as
its pages may be short with more behind them. A poll cut short (by the request allowance, a 429
or a failure) keeps its place, so the next poll continues where this one stopped and nothing in
between is missed.

Private messages are direct statuses (visibility `direct`), addressed by mentioning the customer:
we send them with `status_post`, read the ones sent to us from the same mention notifications
(kept apart: a direct status is never a public mention), and find our own among our account's
statuses. Mastodon names no conversation in a status: a private conversation is named by the
customer's account id.

Mastodon.py would sleep through a 429 in our worker thread; it is built with
`ratelimit_method="throw"` and the reset time is read from the answer's `X-RateLimit-Reset`
header, so a throttled watch is skipped until then while the daemon carries on.
"""

from __future__ import annotations

import json
import re
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
    ChannelUnavailable,
    Connector,
    ConnectorError,
    IdStream,
    MalformedAnswer,
    PageRead,
    PollResult,
    RateLimited,
    Refused,
    Streams,
    Throttled,
    plain_text,
)
from socialcx.channels import Channel, valid_handle
from socialcx.config import WatchConfig
from socialcx.mention import (
    Batch,
    Mention,
    PostedReply,
    PrivateBatch,
    PrivateMessage,
    PrivateTarget,
    Rejected,
    ReplyTarget,
)

__all__ = ["MastodonConnector"]

PAGE_SIZE = 40  # the most a Mastodon timeline or search page holds
_LEGACY = "mentions"  # where cursors kept the notifications stream, in status ids, before 16
TIMEOUT_SECONDS = 20.0
# The mentions a direct status opens with, which address it.
_ADDRESSED = re.compile(r"^(?:@[\w.-]+(?:@[\w.-]+)?\s+)+")
API_VERSION = (
    "4.2.0"  # assumed, not asked: Mastodon.py then uses search v2 and makes no call at start
)


class MastodonConnector(Connector):
    """Mastodon via Mastodon.py (alias `mastodon`)."""

    channel = Channel.MASTODON
    # One status per look-up: the batch form (GET /api/v1/statuses) needs Mastodon 4.3.
    capabilities = Capabilities(
        can_reply=True,
        can_search=True,
        cursor_kind="since_id",
        fetch_limit=1,
        private_messages=True,
    )
    description = """\
Follows Mastodon through the instance's REST API with Mastodon.py, as our account.

Settings ([channels.mastodon]):
  credentials.access_token         our account's access token, with the read and write:statuses
                                   scopes (required); direct statuses use the same scopes
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

    async def send_private(self, to: PrivateTarget, text: str) -> PostedReply:
        # A direct status reaches the accounts it mentions: the customer's handle opens it.
        author = valid_handle(Channel.MASTODON, to.author_handle)
        if author is None:
            raise Refused("mastodon needs the customer's handle to send a direct status")
        status = await self._act(
            "sending a direct status",
            self._mastodon().status_post,
            f"@{author} {text}",
            visibility="direct",
            once=True,
        )
        mentioned = [
            str(user.get("id")) for user in status.get("mentions") or [] if isinstance(user, dict)
        ]
        conversation = mentioned[0] if mentioned else (str(to.author_id) if to.author_id else None)
        posted = _posted(status, self.clock.now())
        return PostedReply(posted.external_id, posted.url, posted.posted_at, conversation)

    async def read_private(
        self, cursor: str | None, *, max_requests: int
    ) -> tuple[PrivateBatch, int]:
        stream = IdStream(**json.loads(cursor)) if cursor else IdStream()
        client = self._mastodon()
        found: list[PrivateMessage | Rejected] = []
        made = 0
        while made < max_requests:
            made += 1
            try:
                page, _ = await self._mention_page("our direct messages", stream)
            except ChannelUnavailable:
                if found:
                    break  # keep what was read; the next read resumes from the cursor
                raise
            except (RateLimited, MalformedAnswer) as exc:
                if found:
                    break
                raise _private_failure(exc) from exc
            statuses = [item.get("status") for item in page if isinstance(item, dict)]
            found += [_private(status) for status in statuses if _is_direct(status)]
            next_info = client.get_pagination_info(page, "next")
            next_token = str(next_info["max_id"]) if next_info and next_info.get("max_id") else None
            stream.advance(next_token, str(page[0]["id"]) if page else None)
            if next_token is None:
                break
        items = sorted(
            {str(getattr(item, "external_id", "")) or repr(item): item for item in found}.values(),
            key=_private_order,
        )
        return PrivateBatch(self.channel, items, json.dumps(vars(stream), sort_keys=True)), made

    async def find_private(
        self, to: PrivateTarget, text: str, since: datetime
    ) -> PostedReply | None:
        me = await self._my_id()
        client = self._mastodon()
        handle = (to.author_handle or "").lstrip("@").lower()
        max_id = None
        while True:
            page = await self._act(
                "looking for our direct status",
                client.account_statuses,
                me,
                max_id=max_id,
                limit=PAGE_SIZE,
            )
            for status in page:
                created = status.get("created_at")
                if isinstance(created, datetime) and created < since:
                    return None
                mentioned = status.get("mentions") or []
                addressed = any(
                    str(user.get("id")) == str(to.author_id)
                    or str(user.get("acct")).lower() == handle
                    for user in mentioned
                )
                if _is_direct(status) and addressed and _said(status) == text:
                    posted = _posted(status, self.clock.now())
                    conversation = str(mentioned[0].get("id"))
                    return PostedReply(
                        posted.external_id, posted.url, posted.posted_at, conversation
                    )
            next_info = client.get_pagination_info(page, "next")
            max_id = next_info.get("max_id") if next_info else None
            if not page or max_id is None:
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
            page, spent = await self._mention_page("our mention notifications", stream)
        except MalformedAnswer as exc:
            return _rejected(exc, "notifications")
        # A direct status that mentions us is a private message: `read_private` takes it.
        statuses = [
            item["status"] for item in page if item.get("status") and not _is_direct(item["status"])
        ]
        next_info = client.get_pagination_info(page, "next")
        if stream.since_id is None and read_status is not None:
            newer = [status for status in statuses if _above(status, read_status)]
            next_info = next_info if len(newer) == len(statuses) else None
            statuses = newer
        newest = str(page[0]["id"]) if page else None
        return self._advanced(stream, statuses, next_info, newest, spent)

    async def _mention_page(self, what: str, stream: IdStream) -> tuple[Any, datetime | None]:
        """One page of our mention notifications (public mentions and direct statuses alike),
        newest first, from where `stream` stands."""
        return await self._fetch(
            what,
            self._mastodon().notifications,
            types=["mention"],
            since_id=stream.since_id,
            max_id=stream.token,
            limit=PAGE_SIZE,
        )

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


def _status_id(status: Any) -> str | None:
    """A status's id as text; None when it has none, or something else (a list, an object)
    where the id belongs."""
    found = status.get("id") if isinstance(status, dict) else None
    if isinstance(found, bool) or not isinstance(found, str | int) or not found:
        return None
    return str(found)


def _mention(status: Any) -> Mention | Rejected:
    status_id = _status_id(status)
    if status_id is None:
        return Rejected(status, "Mastodon listed a status without an id")
    if not isinstance(status.get("created_at"), datetime):
        reason = "Mastodon status without a creation time"
        return Rejected(status, reason, external_id=status_id)
    account = status.get("account") or {}
    if not isinstance(account, dict):
        reason = "Mastodon status whose account is not an account object"
        return Rejected(status, reason, external_id=status_id)
    content = status.get("content")
    return Mention(
        external_id=status_id,
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


def _is_direct(status: Any) -> bool:
    """Whether a status is a direct message, seen only by the accounts it mentions."""
    return isinstance(status, dict) and status.get("visibility") == "direct"


def _said(status: dict[str, Any]) -> str | None:
    """What a direct status says, without the mentions that address it."""
    content = status.get("content")
    return _ADDRESSED.sub("", plain_text(content)) if isinstance(content, str) else None


def _private(status: dict[str, Any]) -> PrivateMessage | Rejected:
    status_id = _status_id(status)
    if status_id is None:
        return Rejected(status, "Mastodon listed a direct status without an id")
    account = status.get("account") if isinstance(status.get("account"), dict) else {}
    return PrivateMessage(
        external_id=status_id,
        conversation_id=account.get("id"),  # the customer's account names the conversation
        author_id=account.get("id"),
        author_handle=account.get("acct"),
        text=_said(status),
        created_at=status.get("created_at"),
        raw=status,
    )


def _private_order(item: PrivateMessage | Rejected) -> tuple[int, int, str]:
    """Rejected first, then oldest first (Mastodon status ids grow with time)."""
    if isinstance(item, Rejected):
        return (0, 0, "")
    external_id = str(item.external_id)
    return (1, len(external_id), external_id)


def _private_failure(exc: RateLimited | MalformedAnswer) -> ConnectorError:
    """A read of private messages that failed before it read anything, as the caller meets it."""
    what = "reading direct messages"
    if isinstance(exc, RateLimited):
        until = exc.until
        return Throttled(f"mastodon is throttling {what} until {until:%H:%M:%S} UTC", until=until)
    return ChannelUnavailable(f"mastodon answered {what} with something that is not JSON")


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
