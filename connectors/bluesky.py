"""Bluesky through atproto's `Client`, logged in as our account with an app password: once a
process, for every connector of the account (see `_CLIENTS`).

Our handle is followed through the account's notifications (mentions, and replies to our posts);
keywords, hashtags and other accounts' handles through post search, newest first. Each stream pages
back by the API's opaque cursor to where the last poll stopped: the newest `indexedAt` time read and
the posts read at that instant (times tie). A poll cut short keeps its place in the cursor, so the
next poll continues where this one stopped and nothing in between is missed.

Private messages are Bluesky chat (`chat.bsky.convo.*`), which our PDS proxies to the chat
service when a call names it (`Client.with_bsky_chat_proxy()`, atproto 0.0.73): a message goes
to the conversation `getConvoForMembers` opens with the customer, and what was said in every
conversation is read from the chat log, whose cursor is the last `rev` read. The app password
must be allowed to access direct messages.

Listings are read as the JSON the API sent (through the client's own `invoke_query`, with its
session and refresh), so one broken post is dead-lettered alone instead of failing its page.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from atproto import Client, models
from atproto_client.exceptions import (
    BadRequestError,
    NetworkError,
    RateLimitExceededError,
    RequestException,
    UnauthorizedError,
)
from atproto_client.request import Request

from connectors.base import (
    AuthFailed,
    Capabilities,
    ChannelUnavailable,
    Connector,
    MalformedAnswer,
    PageRead,
    PollResult,
    RateLimited,
    Refused,
    Streams,
    Throttled,
    Watermark,
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

__all__ = ["BlueskyConnector"]

API_URL = "https://bsky.social"  # our PDS, which also answers the AppView's queries for us
PAGE_SIZE = 100
FETCH_LIMIT = 25  # app.bsky.feed.getPosts takes at most 25 uris
TIMEOUT_SECONDS = 20.0
DEFAULT_DOMAIN = "bsky.social"  # a handle without a dot lives here
_GET_POSTS = "app.bsky.feed.getPosts"

# This process's logged-in clients, by PDS and handle, kept for every connector of the account:
# `socialcx poll` reads with one connector and sends the replies with another, the daemon keeps
# one for each, and Bluesky allows few logins (30 in 5 minutes, 300 a day). Threads may share a
# client: it refreshes its session under a lock of its own.
_CLIENTS: dict[tuple[str, str], Client] = {}
_CLIENTS_LOCK = threading.Lock()
_SEEN = threading.local()  # the last answer in each worker thread
# Each logged-in client's twin for chat, made once: it shares the session but not the connections.
_CHATS: weakref.WeakKeyDictionary[Client, Client] = weakref.WeakKeyDictionary()
_CREATE_MESSAGE = "chat.bsky.convo.defs#logCreateMessage"


class BlueskyConnector(Connector):
    """Bluesky via atproto (alias `bluesky`)."""

    channel = Channel.BLUESKY
    capabilities = Capabilities(
        can_reply=True,
        can_search=True,
        cursor_kind="created_time",
        fetch_limit=FETCH_LIMIT,
        private_messages=True,
    )
    description = """\
Follows Bluesky through the AT Protocol with atproto's Client, logged in once as our account.

Settings ([channels.bluesky]):
  credentials.handle               our account's handle, e.g. acme.bsky.social (required)
  credentials.app_password         an app password made for socialcx in Settings > App passwords
                                   (required; never the account password), allowed to access
                                   direct messages for private messages
  base_url                         default https://bsky.social; the sandbox's URL in tests
  requests_per_window, window_minutes
                                   your limits; polls never exceed them (Bluesky allows 3000
                                   requests per 5 minutes, and 30 logins per 5 minutes)
What it follows: our handle by the account's notifications (mentions and replies to our posts);
keywords and hashtags by post search, latest first; other handles (a handle without a dot is
<handle>.bsky.social) by searching for posts that mention them. A post served without its text
is dead-lettered and looked up again by uri (getPosts) on later polls.
Sample mention:
  {"external_id": "at://did:plc:kx724whcz2twewrh4xljmz6j/app.bsky.feed.post/3n2yohmboakjg",
   "author_handle": "jess-m92.bsky.social", "author_id": "did:plc:kx724whcz2twewrh4xljmz6j",
   "text": "@acme.bsky.social where is my order?",
   "url": "https://bsky.app/profile/jess-m92.bsky.social/post/3n2yohmboakjg",
   "created_at": "2026-11-24T07:00:00.000Z", "in_reply_to_id": null,
   "conversation_id": "at://did:plc:kx724whcz2twewrh4xljmz6j/app.bsky.feed.post/3n2yohmboakjg"}"""

    async def poll(
        self, watch: WatchConfig, cursor: str | None, *, max_requests: int
    ) -> PollResult:
        names = self._stream_names(watch, await self._logged_in())
        return await self.poll_streams(
            watch, Streams(_Stream, cursor), names, self._page, max_requests=max_requests
        )

    async def fetch(self, watch: WatchConfig, ids: Sequence[str]) -> Batch:
        client = await self._logged_in()
        what = "looking posts up again"
        params = models.AppBskyFeedGetPosts.Params(uris=list(ids))
        with self.acting(what):  # the views as sent, so a broken one is rejected alone
            response = await self._read(what, client.invoke_query, _GET_POSTS, params=params)
        body = response.content
        if not isinstance(body, dict) or not isinstance(body.get("posts"), list):
            raise ChannelUnavailable(f"bluesky answered {what} without posts")
        return Batch(self.channel, watch.name, [_mention(view) for view in body["posts"]])

    async def reply(self, mention: ReplyTarget, text: str) -> PostedReply:
        client = await self._logged_in()
        found = await self._act(
            "looking up the post to answer", client.get_posts, [mention.external_id]
        )
        if not found.posts:
            raise Refused(f"bluesky: {mention.external_id} is gone, there is nothing to reply to")
        parent = models.create_strong_ref(found.posts[0])
        thread = getattr(found.posts[0].record, "reply", None)
        # The root is where the thread began; replying to a reply must keep it.
        reply_to = models.AppBskyFeedPost.ReplyRef(
            parent=parent, root=thread.root if thread else parent
        )
        posted = await self._act(
            "posting a reply", client.send_post, text, reply_to=reply_to, once=True
        )
        return PostedReply(posted.uri, _url(client.me.handle, posted.uri), self.clock.now())

    async def find_reply(self, mention: ReplyTarget) -> PostedReply | None:
        client = await self._logged_in()
        answer = await self._act(
            "looking for our reply", client.get_post_thread, mention.external_id, depth=1
        )
        for reply in getattr(answer.thread, "replies", None) or []:
            post = getattr(reply, "post", None)
            if post is not None and post.author.did == client.me.did:
                posted_at = _time(post.indexed_at)
                when = (
                    datetime.fromtimestamp(posted_at, UTC)
                    if posted_at is not None
                    else self.clock.now()
                )
                return PostedReply(post.uri, _url(post.author.handle, post.uri), when)
        return None

    async def send_private(self, to: PrivateTarget, text: str) -> PostedReply:
        chat = await self._chat()
        convo = to.conversation_id or await self._convo_with(chat, to)
        message = await self._act(
            "sending a chat message",
            chat.chat.bsky.convo.send_message,
            models.ChatBskyConvoSendMessage.Data(
                convo_id=convo, message=models.ChatBskyConvoDefs.MessageInput(text=text)
            ),
            once=True,
        )
        sent_at = _time(message.sent_at)
        when = datetime.fromtimestamp(sent_at, UTC) if sent_at is not None else self.clock.now()
        return PostedReply(message.id, None, when, conversation_id=convo)

    async def read_private(
        self, cursor: str | None, *, max_requests: int
    ) -> tuple[PrivateBatch, int]:
        chat = await self._chat()
        found: list[PrivateMessage | Rejected] = []
        made = 0
        while made < max_requests:
            made += 1
            params = models.ChatBskyConvoGetLog.Params(cursor=cursor)
            try:
                with self.acting("reading the chat log"):
                    response = await self._read(
                        "the chat log", chat.invoke_query, "chat.bsky.convo.getLog", params=params
                    )
            except (Throttled, ChannelUnavailable):
                if found:
                    break  # keep what was read; the next read resumes from the cursor
                raise
            body = response.content
            logs = body.get("logs") if isinstance(body, dict) else None
            if not isinstance(logs, list):
                payload = body if isinstance(body, dict) else repr(body)
                found.append(Rejected(payload, "a chat log page from Bluesky without logs"))
                break
            found += [_private(log, chat.me.did) for log in logs if _created_message(log)]
            if not logs or not body.get("cursor"):
                break
            cursor = str(body["cursor"])
        return PrivateBatch(self.channel, found, cursor), made

    async def find_private(
        self, to: PrivateTarget, text: str, since: datetime
    ) -> PostedReply | None:
        chat = await self._chat()
        convo = to.conversation_id or await self._convo_with(chat, to)
        page_cursor = None
        while True:
            params = models.ChatBskyConvoGetMessages.Params(
                convo_id=convo, limit=PAGE_SIZE, cursor=page_cursor
            )
            page = await self._act(
                "looking for our chat message", chat.chat.bsky.convo.get_messages, params
            )
            for message in page.messages:
                sent_at = _time(getattr(message, "sent_at", None))
                if sent_at is not None and sent_at < since.timestamp():
                    return None
                sender = getattr(getattr(message, "sender", None), "did", None)
                if sender == chat.me.did and getattr(message, "text", None) == text and sent_at:
                    when = datetime.fromtimestamp(sent_at, UTC)
                    return PostedReply(message.id, None, when, conversation_id=convo)
            page_cursor = page.cursor
            if not page_cursor:
                return None

    def is_transient(self, exc: Exception) -> bool:
        if isinstance(exc, RateLimitExceededError):
            return False
        server_error = (
            isinstance(exc, RequestException)
            and exc.response is not None
            and exc.response.status_code >= 500
        )
        return super().is_transient(exc) or server_error or isinstance(exc, NetworkError)

    # -- paging -------------------------------------------------------------------------------

    def _stream_names(self, watch: WatchConfig, client: Client) -> list[str]:
        names = []
        for handle in dict.fromkeys(_full_handle(handle) for handle in watch.handles):
            names.append(
                "notifications" if handle == client.me.handle else f"search:mentions:{handle}"
            )
        names += [f"search:{term}" for term in dict.fromkeys(watch.keywords)]
        names += [f"search:#{tag.lstrip('#')}" for tag in dict.fromkeys(watch.hashtags)]
        return list(dict.fromkeys(names))

    async def _page(self, name: str, stream: _Stream) -> PageRead:
        """One page of a stream, newest first, back to what was read before. A page that cannot
        be read is rejected and the stream stays where it was, so the next poll asks again."""
        if name == "notifications":
            nsid, key, what = (
                "app.bsky.notification.listNotifications",
                "notifications",
                "our notifications",
            )
            params: Any = models.AppBskyNotificationListNotifications.Params(
                reasons=["mention", "reply"], limit=PAGE_SIZE, cursor=stream.cursor
            )
        else:
            query = name.removeprefix("search:")
            nsid, key, what = "app.bsky.feed.searchPosts", "posts", f"search for {query!r}"
            since = stream.read.at
            params = models.AppBskyFeedSearchPosts.Params(
                q=f'"{query}"' if " " in query else query,
                sort="latest",
                limit=PAGE_SIZE,
                cursor=stream.cursor,
                since=_iso(since) if since is not None else None,
            )
        client = await self._logged_in()
        try:
            response = await self._read(what, client.invoke_query, nsid, params=params)
        except MalformedAnswer as exc:
            return PageRead(
                [Rejected(exc.payload, f"malformed JSON page from Bluesky ({what})")], done=True
            )
        body = response.content
        if not isinstance(body, dict) or not isinstance(body.get(key), list):
            rejected = Rejected(
                body if isinstance(body, dict) else repr(body),
                f"an answer from Bluesky without {key} ({what})",
            )
            return PageRead([rejected], done=True)
        spent = None
        if response.headers.get("ratelimit-remaining") == "0":
            spent = _reset(response.headers) or self.clock.now()
        found: list[Mention | Rejected] = []
        if _take(stream, body[key], found) or not body.get("cursor"):
            stream.finish()
        else:
            stream.cursor = body["cursor"]
        return PageRead(found, done=stream.cursor is None, spent_until=spent)

    async def _read(self, what: str, function: Any, *args: Any, **kwargs: Any) -> Any:
        """A read, with Bluesky's refusals turned into connector errors and a 429 `RateLimited`."""
        try:
            return await self.call(what, self._request, function, *args, **kwargs)
        except RateLimitExceededError as exc:
            raise RateLimited(exc.reset_at or self.clock.now()) from exc
        except UnauthorizedError as exc:
            raise AuthFailed(f"bluesky refused our session while reading {what}: {exc}") from exc
        except (BadRequestError, RequestException) as exc:
            raise Refused(f"bluesky refused {what}: {exc}") from exc

    async def _act(
        self, what: str, function: Any, *args: Any, once: bool = False, **kwargs: Any
    ) -> Any:
        """A call outside paging: see `Connector.acting`."""
        with self.acting(what):
            return await self._read(what, function, *args, once=once, **kwargs)

    def _request(self, function: Any, *args: Any, **kwargs: Any) -> Any:
        """Make one client call in this worker thread; an answer that is not JSON (which the
        client cannot parse) is `MalformedAnswer`, with the body as it came."""
        _SEEN.response = None
        try:
            return function(*args, **kwargs)
        except ValueError as exc:
            response: httpx.Response | None = _SEEN.response
            if response is None:
                raise
            raise MalformedAnswer(response.text) from exc

    async def _chat(self) -> Client:
        """The logged-in client's twin that sends its calls to the chat service."""
        client = await self._logged_in()
        with _CLIENTS_LOCK:
            if client not in _CHATS:
                _CHATS[client] = client.with_bsky_chat_proxy()
            return _CHATS[client]

    async def _convo_with(self, chat: Client, to: PrivateTarget) -> str:
        """The id of our direct conversation with the customer (Bluesky opens it if need be)."""
        member = str(to.author_id or "")
        if not member.startswith("did:"):
            if not to.author_handle:
                raise Refused("bluesky needs the customer's DID or handle to write to them")
            resolved = await self._act(
                "looking the customer up", chat.resolve_handle, _full_handle(to.author_handle)
            )
            member = resolved.did
        params = models.ChatBskyConvoGetConvoForMembers.Params(members=[member])
        answer = await self._act(
            "opening the conversation", chat.chat.bsky.convo.get_convo_for_members, params
        )
        return str(answer.convo.id)

    async def _logged_in(self) -> Client:
        """The client logged in as our account, shared by this process's connectors (`_CLIENTS`)."""
        base_url, handle = self.config.base_url or API_URL, _full_handle(self.credential("handle"))
        password = self.credential("app_password")
        try:
            return await self.call("logging in", _client_for, base_url, handle, password)
        except (UnauthorizedError, BadRequestError) as exc:
            raise AuthFailed(f"bluesky refused our login as {handle}: {exc}") from exc
        except RateLimitExceededError as exc:
            until = exc.reset_at or self.clock.now()
            raise Throttled(
                f"bluesky is throttling logins until {until:%H:%M:%S} UTC", until=until
            ) from exc


def _client_for(base_url: str, handle: str, password: str) -> Client:
    """The account's client from `_CLIENTS`, logged in (one `createSession`) if it is not there."""
    with _CLIENTS_LOCK:
        client = _CLIENTS.get((base_url, handle))
        if client is None:
            request = Request(timeout=TIMEOUT_SECONDS, event_hooks={"response": [_keep]})
            client = Client(base_url=base_url, request=request)
            try:
                client.login(handle, password)
            except Exception:
                request.close()
                raise
            _CLIENTS[(base_url, handle)] = client
        return client


def _keep(response: httpx.Response) -> None:
    _SEEN.response = response


@dataclass
class _Stream:
    """Where one listing stands: `read` marks everything earlier runs read; with a `cursor`, a
    run back to it is under way and `run` marks the newest post it has read."""

    read: Watermark = field(default_factory=Watermark)
    run: Watermark = field(default_factory=Watermark)
    cursor: str | None = None
    turn: int = 0

    def __post_init__(self) -> None:
        if isinstance(self.read, dict):
            self.read = Watermark(**self.read)
        if isinstance(self.run, dict):
            self.run = Watermark(**self.run)

    def finish(self) -> None:
        """The run reached what was read before: what it read is now behind us."""
        self.read.advance(self.run)
        self.run, self.cursor = Watermark(), None


def _take(stream: _Stream, items: list[Any], found: list[Mention | Rejected]) -> bool:
    """Add a page's new posts to `found`, newest first; whether the page reached posts read
    before (or ended), so the run is over."""
    for item in items:
        at = _time(item.get("indexedAt")) if isinstance(item, dict) else None
        uri = item.get("uri") if isinstance(item, dict) else None
        if at is not None and isinstance(uri, str):
            if stream.read.behind(at, uri):
                return True
            stream.run.note(at, uri)
        found.append(_mention(item))
    return not items


def _mention(view: Any) -> Mention | Rejected:
    """A post view (or a notification, which has the same fields) in our field names."""
    if not isinstance(view, dict) or not isinstance(view.get("uri"), str):
        return Rejected(view, "Bluesky listed a post without a uri")
    record = view.get("record")
    if (
        not isinstance(record, dict)
        or not isinstance(record.get("text"), str)
        or not record.get("createdAt")
    ):
        return Rejected(
            view, "Bluesky post without its record's text and creation time", external_id=view["uri"]
        )
    author = view.get("author") if isinstance(view.get("author"), dict) else {}
    reply = record.get("reply") if isinstance(record.get("reply"), dict) else {}
    languages = record.get("langs") or [None]
    return Mention(
        external_id=view["uri"],
        text=record["text"],
        created_at=record["createdAt"],
        author_id=author.get("did"),
        author_handle=author.get("handle"),
        author_name=author.get("displayName") or None,
        url=_url(author.get("handle") or author.get("did"), view["uri"]),
        language=languages[0],
        in_reply_to_id=(reply.get("parent") or {}).get("uri"),
        conversation_id=(reply.get("root") or {}).get("uri") or view["uri"],
        raw=view,
    )


def _created_message(log: Any) -> bool:
    """Whether a chat log entry is a message being sent (the rest, reads or mutes, are not)."""
    return not isinstance(log, dict) or log.get("$type") == _CREATE_MESSAGE


def _private(log: Any, me: str) -> PrivateMessage | Rejected:
    """A chat log's `logCreateMessage` entry in our field names."""
    message = log.get("message") if isinstance(log, dict) else None
    if not isinstance(message, dict) or not message.get("id"):
        return Rejected(log, "a Bluesky chat log entry without its message")
    sender = message.get("sender")
    sender = sender.get("did") if isinstance(sender, dict) else None
    profiles = log.get("relatedProfiles") or []
    handles = {p.get("did"): p.get("handle") for p in profiles if isinstance(p, dict)}
    return PrivateMessage(
        external_id=str(message["id"]),
        conversation_id=log.get("convoId"),
        author_id=sender,
        author_handle=handles.get(sender),
        text=message.get("text"),
        created_at=message.get("sentAt"),
        from_us=sender == me,
        raw=log,
    )


def _url(profile: str | None, uri: str) -> str | None:
    """The post's page on bsky.app."""
    rkey = uri.rsplit("/", 1)[-1]
    return f"https://bsky.app/profile/{profile}/post/{rkey}" if profile else None


def _full_handle(handle: str) -> str:
    handle = handle.strip().lstrip("@").lower()
    return handle if "." in handle or handle.startswith("did:") else f"{handle}.{DEFAULT_DOMAIN}"


def _time(value: Any) -> float | None:
    try:
        return (
            datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp() if value else None
        )
    except ValueError:
        return None


def _iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _reset(headers: dict[str, Any]) -> datetime | None:
    value = headers.get("ratelimit-reset")
    return datetime.fromtimestamp(int(value), UTC) if value and str(value).isdigit() else None
