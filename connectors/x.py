"""X (Twitter) through tweepy's `Client`, API v2.

Keywords and hashtags are followed with recent search; brand handles with each handle's
mentions timeline. Both page newest-first back to the stored `since_id`; a poll cut short
(by the request allowance, a 429 or a failure) keeps its place in a resumable cursor, so the
next poll continues where this one stopped and no post in between is missed.

Private messages are X's direct messages (API v2, user context): sent to the customer's user id,
read from our account's DM events newest first back to the last event read, resumably too.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import requests
import tweepy
from requests.adapters import HTTPAdapter

from connectors.base import (
    AuthFailed,
    Capabilities,
    ChannelUnavailable,
    Connector,
    IdStream,
    PollResult,
    Refused,
    Throttled,
)
from socialcx.channels import Channel
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

__all__ = ["XConnector"]

API_HOST = "https://api.twitter.com"
PAGE_SIZE = 100
FETCH_LIMIT = 100  # GET /2/tweets takes at most 100 ids
TIMEOUT_SECONDS = 20.0
_TWEET_FIELDS = ["created_at", "author_id", "conversation_id", "in_reply_to_user_id", "referenced_tweets", "lang", "public_metrics"]
_USER_FIELDS = ["username", "name", "public_metrics"]
# What every read asks to see of a post and its author.
_FIELDS: dict[str, Any] = {
    "expansions": ["author_id"],
    "tweet_fields": _TWEET_FIELDS,
    "user_fields": _USER_FIELDS,
}

# What every read of direct messages asks to see of an event and its sender.
_DM_FIELDS: dict[str, Any] = {
    "dm_event_fields": [
        "id", "text", "event_type", "created_at", "dm_conversation_id", "sender_id"
    ],
    "event_types": "MessageCreate",
    "expansions": ["sender_id"],
    "user_fields": ["username"],
    "max_results": PAGE_SIZE,
    "user_auth": True,
}

# tweepy logs request headers, bearer token included, at DEBUG: keep it above that, always.
logging.getLogger("tweepy").setLevel(logging.INFO)


class _Rebase(HTTPAdapter):
    """Sends api.twitter.com requests to `base_url` (the sandbox) and gives every request a
    timeout, which tweepy itself never sets."""

    def __init__(self, base_url: str | None, timeout: float) -> None:
        super().__init__()
        self._base_url = base_url
        self._timeout = timeout

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        if self._base_url and request.url and request.url.startswith(API_HOST):
            request.url = self._base_url + request.url[len(API_HOST) :]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self._timeout
        return super().send(request, **kwargs)


@dataclass
class _Stream(IdStream):
    """Where one timeline's paging stands (see `IdStream`), and for a mentions timeline the
    handle's account id, looked up once."""

    user_id: str | None = None


@dataclass
class _Page:
    mentions: list[Mention | Rejected]
    next_token: str | None
    newest_id: str | None
    throttled_until: datetime | None


class XConnector(Connector):
    """X via tweepy (alias `x`)."""

    channel = Channel.X
    capabilities = Capabilities(
        can_reply=True,
        can_search=True,
        cursor_kind="since_id",
        fetch_limit=FETCH_LIMIT,
        private_messages=True,
    )
    description = """\
Follows X (Twitter) through API v2 with tweepy.

Settings ([channels.x]):
  credentials.bearer_token         app bearer token, for search and timelines (required)
  credentials.consumer_key, consumer_secret, access_token, access_token_secret
                                   user context, needed only to post replies and to send
                                   and read direct messages
  base_url                         default https://api.twitter.com; the sandbox's URL in tests
  requests_per_window, requests_per_month
                                   your plan's limits; polls never exceed them
What it follows: keywords and hashtags by recent search (last 7 days), handles by each
handle's mentions timeline. A post served without a field we need is dead-lettered and looked
up again by id (GET /2/tweets) on later polls.
Sample mention:
  {"external_id": "1861000000000000000", "author_handle": "jessm_92", "author_followers": 412,
   "text": "@acme where is my order?", "url": "https://x.com/jessm_92/status/1861000000000000000",
   "created_at": "2026-11-24T07:00:00Z", "conversation_id": "1861000000000000000", "language": "en"}"""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._client: tweepy.Client | None = None
        self._username: str | None = None
        self._user_id_: str | None = None

    async def poll(self, watch: WatchConfig, cursor: str | None, *, max_requests: int) -> PollResult:
        streams = {name: _Stream(**state) for name, state in json.loads(cursor or "{}").items()}
        turn = max((stream.turn for stream in streams.values()), default=0) + 1
        mentions: list[Mention | Rejected] = []
        requests_made, throttled_until, error = 0, None, None
        # The timeline read longest ago goes first, so that a small allowance reaches each in turn.
        for name in sorted(self._stream_names(watch), key=lambda name: streams.get(name, _Stream()).turn):
            stream = streams.setdefault(name, _Stream())
            stream.turn = turn
            try:
                while requests_made < max_requests:
                    if name.startswith("mentions:") and stream.user_id is None:
                        requests_made += 1
                        stream.user_id = await self._user_id(name.split(":", 1)[1])
                        continue
                    requests_made += 1
                    page = await self._page(name, watch, stream)
                    mentions.extend(page.mentions)
                    _advance(stream, page)
                    if page.throttled_until is not None:
                        throttled_until = page.throttled_until
                        break
                    if stream.token is None:
                        break
            except (ChannelUnavailable, Refused) as exc:
                error = str(exc)
            if throttled_until is not None or error is not None:
                break
        new_cursor = json.dumps({name: vars(stream) for name, stream in streams.items()}, sort_keys=True)
        items = sorted(mentions, key=_age_order)
        return PollResult(
            Batch(self.channel, watch.name, items, cursor=new_cursor),
            requests=requests_made,
            throttled_until=throttled_until,
            error=error,
        )

    async def fetch(self, watch: WatchConfig, ids: Sequence[str]) -> Batch:
        what = "looking posts up again"
        response = await self._act(what, self._client_().get_tweets, list(ids), **_FIELDS)
        try:
            body = response.json()
        except ValueError as exc:
            raise ChannelUnavailable(f"x answered {what} with something that is not JSON") from exc
        return Batch(self.channel, watch.name, _mentions(body))

    async def reply(self, mention: ReplyTarget, text: str) -> PostedReply:
        # Every lookup comes before the post: once X has taken it, a failure (a 429 above all)
        # would have the outbox post it again.
        me = await self._me()
        response = await self._act(
            "posting a reply",
            self._user_client().create_tweet,
            text=text,
            in_reply_to_tweet_id=mention.external_id,
            user_auth=True,
            once=True,
        )
        reply_id = _posted_id(response, mention)
        return PostedReply(
            external_id=reply_id,
            url=f"https://x.com/{me}/status/{reply_id}",
            posted_at=self.clock.now(),
        )

    async def find_reply(self, mention: ReplyTarget) -> PostedReply | None:
        me = await self._me()
        query = f"conversation_id:{mention.conversation_id or mention.external_id} from:{me}"
        response = await self._act(
            "looking for our reply",
            self._client_().search_recent_tweets,
            query,
            max_results=PAGE_SIZE,
            tweet_fields=_TWEET_FIELDS,
        )
        for tweet in response.json().get("data") or []:
            replied_to = {ref.get("id") for ref in tweet.get("referenced_tweets") or [] if ref.get("type") == "replied_to"}
            if mention.external_id in replied_to:
                return PostedReply(
                    external_id=str(tweet["id"]),
                    url=f"https://x.com/{me}/status/{tweet['id']}",
                    posted_at=_parse_time(tweet.get("created_at")) or self.clock.now(),
                )
        return None

    async def send_private(self, to: PrivateTarget, text: str) -> PostedReply:
        participant = await self._participant(to)  # every lookup before the send, as in reply
        response = await self._act(
            "sending a direct message",
            self._user_client().create_direct_message,
            participant_id=participant,
            text=text,
            user_auth=True,
            once=True,
        )
        try:
            data = response.json()["data"]
            event_id, conversation = str(data["dm_event_id"]), str(data["dm_conversation_id"])
        except (ValueError, LookupError, TypeError) as exc:
            raise ChannelUnavailable(
                f"x took our direct message to {participant} but its answer names no event; "
                "it may have gone through"
            ) from exc
        return PostedReply(
            external_id=event_id,
            url=f"https://x.com/messages/{conversation}",
            posted_at=self.clock.now(),
            conversation_id=conversation,
        )

    async def read_private(
        self, cursor: str | None, *, max_requests: int
    ) -> tuple[PrivateBatch, int]:
        # DM events come newest first and take no since_id: page back to the newest event of the
        # last read (an `IdStream` run, resumable from its token) and keep what is newer.
        stream = IdStream(**json.loads(cursor)) if cursor else IdStream()
        made = 0 if self._user_id_ else 1
        me = await self._my_id()
        found: dict[str, PrivateMessage | Rejected] = {}
        while made < max_requests:
            made += 1
            try:
                body = await self._dm_page("reading direct messages", stream.token)
            except (Throttled, ChannelUnavailable):
                if found:
                    break  # keep what was read; the next read resumes from the cursor
                raise
            events = body.get("data") or []
            fresh = [event for event in events if not _at_or_before(event, stream.since_id)]
            users = _users(body)
            for event in fresh:
                item = _private_message(event, users, me)
                found.setdefault(str(item.external_id) if item.external_id else repr(event), item)
            meta = body.get("meta") or {}
            next_token = None if len(fresh) < len(events) else meta.get("next_token")
            stream.advance(next_token, _event_id(fresh[0]) if fresh else None)
            if next_token is None:
                break
        items = sorted(found.values(), key=_age_order)
        cursor = json.dumps(vars(stream), sort_keys=True)
        return PrivateBatch(self.channel, items, cursor=cursor), made

    async def find_private(
        self, to: PrivateTarget, text: str, since: datetime
    ) -> PostedReply | None:
        participant = await self._participant(to)
        me = await self._my_id()
        token = None
        while True:
            body = await self._dm_page("looking for our direct message", token, participant)
            for event in body.get("data") or []:
                if not isinstance(event, dict):
                    continue
                sent_at = _parse_time(event.get("created_at"))
                if sent_at is not None and sent_at < since:
                    return None
                if event.get("sender_id") == me and event.get("text") == text and sent_at:
                    conversation = str(event.get("dm_conversation_id"))
                    return PostedReply(
                        external_id=str(event["id"]),
                        url=f"https://x.com/messages/{conversation}",
                        posted_at=sent_at,
                        conversation_id=conversation,
                    )
            token = (body.get("meta") or {}).get("next_token")
            if token is None:
                return None

    async def aclose(self) -> None:
        if self._client is not None:
            self._client.session.close()

    def is_transient(self, exc: Exception) -> bool:
        return isinstance(exc, tweepy.TwitterServerError | requests.Timeout | requests.ConnectionError)

    # -- paging -------------------------------------------------------------------------------

    def _stream_names(self, watch: WatchConfig) -> list[str]:
        names = [f"mentions:{handle.lstrip('@').lower()}" for handle in watch.handles]
        if watch.keywords or watch.hashtags:
            names.insert(0, "search")
        return names

    async def _page(self, name: str, watch: WatchConfig, stream: _Stream) -> _Page:
        client = self._client_()
        common: dict[str, Any] = {"since_id": stream.since_id, "max_results": PAGE_SIZE, **_FIELDS}
        try:
            if name == "search":
                response = await self.call(
                    "recent search", client.search_recent_tweets, _query(watch), next_token=stream.token, **common
                )
            else:
                response = await self.call(
                    f"mentions of @{name.split(':', 1)[1]}",
                    client.get_users_mentions,
                    stream.user_id,
                    pagination_token=stream.token,
                    **common,
                )
        except tweepy.TooManyRequests as exc:
            return _Page([], stream.token, None, _reset_time(exc.response) or self.clock.now())
        except (tweepy.Unauthorized, tweepy.Forbidden) as exc:
            raise AuthFailed(f"x refused our credentials ({exc.response.status_code})") from exc
        except tweepy.BadRequest as exc:
            if stream.token is None:
                raise Refused(f"x refused the request: {_api_message(exc)}") from exc
            # An expired paging token: start the run again from since_id; ingest drops repeats.
            stream.token = stream.newest_id = None
            return _Page([], None, None, None)
        except tweepy.HTTPException as exc:
            raise Refused(f"x refused the request: {_api_message(exc)}") from exc
        return self._read_page(response)

    def _read_page(self, response: requests.Response) -> _Page:
        try:
            body = response.json()
        except ValueError:
            return _Page([Rejected(response.text, "malformed JSON page from X")], None, None, None)
        mentions = _mentions(body)
        meta = body.get("meta") or {}
        throttled = None
        if response.headers.get("x-rate-limit-remaining") == "0":
            throttled = _reset_time(response)
        return _Page(mentions, meta.get("next_token"), meta.get("newest_id"), throttled)

    async def _user_id(self, handle: str) -> str:
        response = await self._act(f"looking up @{handle}", self._client_().get_user, username=handle)
        data = response.json().get("data") or {}
        if "id" not in data:
            raise Refused(f"x has no account @{handle}; check the watch's handles")
        return str(data["id"])

    async def _me(self) -> str:
        if self._username is None:
            response = await self._act("looking up our account", self._user_client().get_me, user_auth=True)
            self._username = str(response.json()["data"]["username"])
        return self._username

    async def _dm_page(
        self, what: str, token: str | None, participant: str | None = None
    ) -> dict[str, Any]:
        """One page of our direct message events, newest first: all, or one participant's."""
        response = await self._act(
            what,
            self._user_client().get_direct_message_events,
            participant_id=participant,
            pagination_token=token,
            **_DM_FIELDS,
        )
        try:
            body = response.json()
        except ValueError as exc:
            raise ChannelUnavailable(f"x answered {what} with something that is not JSON") from exc
        if not isinstance(body, dict):
            raise ChannelUnavailable(f"x answered {what} with something that is not an object")
        return body

    async def _my_id(self) -> str:
        if self._user_id_ is None:
            response = await self._act(
                "looking up our account", self._user_client().get_me, user_auth=True
            )
            self._user_id_ = str(response.json()["data"]["id"])
        return self._user_id_

    async def _participant(self, to: PrivateTarget) -> str:
        """The user id to write to: as the mention gave it, else looked up by handle."""
        if to.author_id:
            return str(to.author_id)
        if not to.author_handle:
            raise Refused("x needs the customer's user id or handle to send a direct message")
        return await self._user_id(to.author_handle.lstrip("@"))

    async def _act(
        self, what: str, function: Any, *args: Any, once: bool = False, **kwargs: Any
    ) -> requests.Response:
        """A client call outside paging, with X's refusals turned into connector errors."""
        try:
            return await self.call(what, function, *args, once=once, **kwargs)
        except tweepy.TooManyRequests as exc:
            until = _reset_time(exc.response) or self.clock.now()
            raise Throttled(f"x is throttling {what} until {until:%H:%M:%S} UTC", until=until) from exc
        except tweepy.Unauthorized as exc:
            raise AuthFailed(f"x refused our credentials while {what} (401)") from exc
        except tweepy.HTTPException as exc:
            raise Refused(f"x refused {what}: {_api_message(exc)}") from exc

    def _client_(self) -> tweepy.Client:
        if self._client is None:
            self._client = self._make_client(bearer_token=self.credential("bearer_token"))
        return self._client

    def _user_client(self) -> tweepy.Client:
        return self._make_client(
            consumer_key=self.credential("consumer_key"),
            consumer_secret=self.credential("consumer_secret"),
            access_token=self.credential("access_token"),
            access_token_secret=self.credential("access_token_secret"),
        )

    def _make_client(self, **credentials: str) -> tweepy.Client:
        client = tweepy.Client(**credentials, return_type=requests.Response, wait_on_rate_limit=False)
        client.session.trust_env = False
        adapter = _Rebase(self.config.base_url, TIMEOUT_SECONDS)
        client.session.mount(API_HOST, adapter)
        if self.config.base_url:
            client.session.mount(self.config.base_url, adapter)
        return client


def _api_message(exc: tweepy.HTTPException) -> str:
    messages = exc.api_messages or exc.api_errors
    return f"{exc.response.status_code} {'; '.join(map(str, messages))}".strip()


def _posted_id(response: requests.Response, mention: Mention) -> str:
    """The id of the post X just made. An answer without it is `ChannelUnavailable`: the post
    may be there, so the outbox looks for it before any resend."""
    try:
        return str(response.json()["data"]["id"])
    except (ValueError, LookupError, TypeError) as exc:
        raise ChannelUnavailable(
            f"x took our reply to {mention.external_id} but its answer has no post id; "
            "it may have gone through"
        ) from exc


def _advance(stream: _Stream, page: _Page) -> None:
    """Move a stream past a page; a 429 that brought nothing leaves it where it was."""
    if page.throttled_until is None or page.mentions:
        stream.advance(page.next_token, page.newest_id)


def _query(watch: WatchConfig) -> str:
    """The recent-search query for a watch's keywords and hashtags. Posts mentioning one of its
    handles are left out (the mentions timelines bring those, and reading them twice costs
    budget), and so are posts from them: our own replies are not mentions."""
    terms = [f'"{term}"' if " " in term else term for term in watch.keywords]
    terms += [tag if tag.startswith("#") else f"#{tag}" for tag in watch.hashtags]
    query = " OR ".join(terms)
    handles = [handle.lstrip("@") for handle in watch.handles]
    excluded = [f"-@{handle} -from:{handle}" for handle in handles]
    return f"({query}) {' '.join(excluded)}" if handles else query


def _users(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The users an answer includes, by id."""
    users = (body.get("includes") or {}).get("users") or []
    return {user.get("id"): user for user in users if isinstance(user, dict)}


def _mentions(body: dict[str, Any]) -> list[Mention | Rejected]:
    """The posts of an answer (`data`), each with its author from `includes`."""
    users = _users(body)
    return [_mention(tweet, users) for tweet in body.get("data") or []]


def _private_message(
    event: Any, users: dict[str, dict[str, Any]], me: str
) -> PrivateMessage | Rejected:
    if not isinstance(event, dict):
        return Rejected(event, "X returned a direct message event that is not an object")
    sender = event.get("sender_id")
    author = users.get(sender) if isinstance(sender, str) else None
    return PrivateMessage(
        external_id=event.get("id"),
        conversation_id=event.get("dm_conversation_id"),
        author_id=sender,
        author_handle=author.get("username") if isinstance(author, dict) else None,
        text=event.get("text"),
        created_at=event.get("created_at"),
        from_us=sender == me,
        raw=event,
    )


def _event_id(event: Any) -> str | None:
    event_id = event.get("id") if isinstance(event, dict) else None
    return str(event_id) if isinstance(event_id, str | int) else None


def _at_or_before(event: Any, since_id: str | None) -> bool:
    """Whether an event was read before: its id (X ids grow with time) is at or before
    `since_id`."""
    event_id = _event_id(event)
    if since_id is None or event_id is None:
        return False
    return (len(event_id), event_id) <= (len(since_id), since_id)


def _mention(tweet: dict[str, Any], users: dict[str, dict[str, Any]]) -> Mention | Rejected:
    if not isinstance(tweet, dict):
        return Rejected(tweet, "X returned a post that is not an object")
    author = users.get(tweet.get("author_id")) or {}
    username = author.get("username")
    tweet_id = tweet.get("id")
    replied_to = next(
        (ref.get("id") for ref in tweet.get("referenced_tweets") or [] if ref.get("type") == "replied_to"), None
    )
    return Mention(
        external_id=tweet_id,
        text=tweet.get("text"),
        created_at=tweet.get("created_at"),
        author_id=tweet.get("author_id"),
        author_handle=username,
        author_name=author.get("name"),
        author_followers=(author.get("public_metrics") or {}).get("followers_count"),
        url=f"https://x.com/{username or 'i/web'}/status/{tweet_id}",
        language=tweet.get("lang"),
        in_reply_to_id=replied_to,
        conversation_id=tweet.get("conversation_id"),
        raw={"tweet": tweet, "author": author or None},
    )


def _age_order(item: Mention | PrivateMessage | Rejected) -> tuple[int, str]:
    if isinstance(item, Rejected):
        return (0, "")
    external_id = str(item.external_id or "")
    return (len(external_id), external_id)  # X ids grow with time; compare as numbers


def _reset_time(response: requests.Response | None) -> datetime | None:
    value = response.headers.get("x-rate-limit-reset") if response is not None else None
    try:
        return datetime.fromtimestamp(int(value), UTC) if value else None
    except (TypeError, ValueError):
        return None


def _parse_time(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
