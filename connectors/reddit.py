"""Reddit through praw, logged in as our account (a script app).

A watch's subreddits are followed by their new comments and new submissions, its keywords by
site-wide search, and its handles by the mentions of our username in the inbox. Each listing
pages newest-first back to its stored cursor: a creation time and the fullnames seen at that very
instant (Reddit's times tie). A poll cut short (by the request allowance, a 429 or a failure) keeps
its place in the cursor, so the next poll continues where this one stopped and nothing between is
missed.

Private messages are Reddit's: composed to the customer's username with a subject (Reddit's
answer names no message, so ours is then read back from the sent box), continued as replies in
their thread, and read from the inbox's messages listing. A thread is named by the fullname of
its first message (`t4_…`).

praw's HTTP layer is replaced by `_Requestor`, through praw's own `requestor_class` option: it
counts every request against the poll that makes it, and turns what prawcore would otherwise wait
out with `time.sleep` in our worker thread (a spent rate-limit window, its own retries of 5xx
answers and timeouts) into exceptions the connector reports or retries with its own backoff.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit

import praw
import prawcore
import requests
from praw.exceptions import RedditAPIException
from requests.exceptions import ChunkedEncodingError

from connectors.base import (
    AuthFailed,
    Capabilities,
    ChannelUnavailable,
    Connector,
    ConnectorError,
    PollResult,
    Refused,
    Throttled,
)
from socialcx.channels import Channel
from socialcx.clock import Clock
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

__all__ = ["RedditConnector"]

SITE = "https://www.reddit.com"
PAGE_SIZE = 100
FETCH_LIMIT = 100  # fullnames /api/info takes at once
TIMEOUT_SECONDS = 20.0
USER_AGENT = "python:socialcx (by u/{username})"
SUBJECT = "About your post"  # the subject of a private thread we start

T = TypeVar("T")

# What a comment (t1) and a submission (t3) must carry to become a mention.
_REQUIRED = {
    "t1": ("name", "author", "created_utc", "body"),
    "t3": ("name", "author", "created_utc", "title"),
}
_GONE = ("[deleted]", "[removed]")
_MESSAGE_REQUIRED = ("name", "author", "created_utc", "body")
_THREAD = re.compile(r"/comments/([a-z0-9]+)/")


class RedditConnector(Connector):
    """Reddit via praw (alias `reddit`)."""

    channel = Channel.REDDIT
    capabilities = Capabilities(
        can_reply=True,
        can_search=True,
        cursor_kind="created_time",
        fetch_limit=FETCH_LIMIT,
        private_messages=True,
    )
    description = """\
Follows Reddit through its OAuth API with praw, logged in as our account (a "script" app).

Settings ([channels.reddit]):
  credentials.client_id, client_secret
                                   the script app's id and secret (required)
  credentials.username, password   our Reddit account: mentions of u/<username> and private
                                   messages are read from its inbox, and replies and private
                                   messages are sent as it (required)
  base_url                         default https://oauth.reddit.com (and www.reddit.com for
                                   tokens); the sandbox's URL in tests
  requests_per_window, requests_per_month
                                   your limits; polls never exceed them (Reddit allows about
                                   1000 requests per 10 minutes). Token requests count too.
What it follows: in each of the watch's subreddits, new comments and new submissions that name
a keyword, hashtag or handle as a whole word, case-insensitive (all of them when the watch names
none); the keywords across Reddit by search, newest first; and, when the watch has handles, the
mentions of our username in the inbox. Deleted and removed posts are skipped. A comment or
submission served without a field we need is dead-lettered and looked up again by fullname
(/api/info) on later polls.
Sample mention:
  {"external_id": "t1_g56t18t3qeb0", "author_handle": "ben4262", "author_id": "t2_1a2b3c",
   "text": "never ordering from u/acme again. backpack arrived damaged",
   "url": "https://www.reddit.com/r/acme/comments/g56jdt1rbovf/_/g56t18t3qeb0/",
   "created_at": "2026-11-23T17:33:40Z", "in_reply_to_id": "t3_g56jdt1rbovf",
   "conversation_id": "t3_g56jdt1rbovf"}"""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._client: praw.Reddit | None = None
        self._session: requests.Session | None = None
        self._username: str | None = None

    async def poll(
        self, watch: WatchConfig, cursor: str | None, *, max_requests: int
    ) -> PollResult:
        streams = {name: _Stream(**state) for name, state in json.loads(cursor or "{}").items()}
        turn = max((stream.turn for stream in streams.values()), default=0) + 1
        # The listing read longest ago goes first, so that a small allowance reaches each in turn.
        listings = sorted(
            self._listings(watch), key=lambda listing: streams.get(listing.name, _Stream()).turn
        )
        allowance = _Allowance(max_requests)
        token = _ALLOWANCE.set(allowance)
        found: list[Mention | Rejected] = []
        throttled_until, errors = None, []
        try:
            for listing in listings:
                stream = streams.setdefault(listing.name, _Stream())
                stream.turn = turn
                try:
                    await self._follow(listing, stream, found)
                except Refused as exc:
                    errors.append(str(exc))
        except _Spent:
            pass
        except Throttled as exc:
            throttled_until = exc.until
        except ChannelUnavailable as exc:
            errors.append(str(exc))
        finally:
            _ALLOWANCE.reset(token)
        new_cursor = json.dumps(
            {name: asdict(stream) for name, stream in streams.items()}, sort_keys=True
        )
        return PollResult(
            Batch(self.channel, watch.name, _oldest_first(found), cursor=new_cursor),
            requests=allowance.made,
            throttled_until=throttled_until,
            error="; ".join(errors) or None,
        )

    async def fetch(self, watch: WatchConfig, ids: Sequence[str]) -> Batch:
        # /api/info as praw's `info(fullnames=…)` asks it, read raw like every listing here.
        body = await self._get("looking posts up again", "api/info", {"id": ",".join(ids)})
        children, _ = _listing(body)
        mentions = [mention for child in children if (mention := _mention(child)) is not None]
        return Batch(self.channel, watch.name, mentions)

    async def reply(self, mention: ReplyTarget, text: str) -> PostedReply:
        kind, _, thing_id = mention.external_id.partition("_")
        reddit = self._reddit()
        things = {"t1": reddit.comment, "t3": reddit.submission}
        if kind not in things or not thing_id:
            raise Refused(
                f"reddit: {mention.external_id} is neither a comment nor a submission to reply to"
            )
        posted = await self._call("posting a reply", things[kind](thing_id).reply, text, once=True)
        if posted is None:  # made, but in a quarantined subreddit Reddit does not say which it is
            return await self._find_posted(mention)
        # vars(): praw would fetch the comment again for an attribute the answer lacks.
        return PostedReply(
            external_id=posted.fullname, url=_url(vars(posted)), posted_at=self.clock.now()
        )

    async def find_reply(self, mention: ReplyTarget) -> PostedReply | None:
        me = await self._me()
        body = await self._get("looking for our reply", f"user/{me}/comments", {"limit": PAGE_SIZE})
        children, _ = _listing(body)
        for child in children:
            data = _data(child)
            if data.get("parent_id") == mention.external_id and data.get("name"):
                created = _created(data)
                posted_at = datetime.fromtimestamp(created, UTC) if created is not None else None
                return PostedReply(data["name"], _url(data), posted_at or self.clock.now())
        return None

    async def send_private(self, to: PrivateTarget, text: str) -> PostedReply:
        if to.conversation_id:  # a reply in the thread, which Reddit answers with the message
            answer = await self._post(
                "replying to a private message",
                "api/comment/",
                {"thing_id": to.conversation_id, "text": text},
            )
            things = (answer.get("json", {}).get("data") or {}).get("things") or []
            data = _data(things[0]) if things else {}
            if not data.get("name"):
                raise ChannelUnavailable(
                    f"reddit took our reply in {to.conversation_id} but its answer names no "
                    "message; it may have gone through"
                )
            return _sent(data, self.clock.now())
        handle = (to.author_handle or "").removeprefix("u/").lstrip("@")
        if not handle:
            raise Refused("reddit needs the customer's username to send a private message")
        since = self.clock.now()
        await self._post(
            "sending a private message",
            "api/compose/",
            {"to": handle, "subject": SUBJECT, "text": text},
        )
        unseen = f"reddit took our private message to u/{handle} but cannot show it yet"
        try:
            # Reddit's clock and ours may differ a little: a minute's slack.
            found = await self.find_private(to, text, since - timedelta(minutes=1))
        except ConnectorError as exc:
            raise ChannelUnavailable(f"{unseen}: {exc}") from exc
        if found is None:
            raise ChannelUnavailable(unseen)
        return found

    async def read_private(
        self, cursor: str | None, *, max_requests: int
    ) -> tuple[PrivateBatch, int]:
        stream = _Stream(**json.loads(cursor)) if cursor else _Stream()
        allowance = _Allowance(max_requests)
        token = _ALLOWANCE.set(allowance)
        found: list[Mention | PrivateMessage | Rejected] = []
        try:
            await self._follow(_MESSAGES, stream, found, read=_private)
        except _Spent:
            pass
        except (Throttled, ChannelUnavailable):
            if not found:
                raise  # nothing read: the caller waits; else keep what was read
        finally:
            _ALLOWANCE.reset(token)
        cursor = json.dumps(asdict(stream), sort_keys=True)
        return PrivateBatch(self.channel, _oldest_first(found), cursor), allowance.made

    async def find_private(
        self, to: PrivateTarget, text: str, since: datetime
    ) -> PostedReply | None:
        handle = (to.author_handle or "").removeprefix("u/").lstrip("@").lower()
        after = None
        while True:
            params = {"limit": PAGE_SIZE, **({"after": after} if after else {})}
            body = await self._get("looking for our private message", "message/sent/", params)
            children, after = _listing(body)
            for child in children:
                data = _data(child)
                created = _created(data)
                if created is not None and created < since.timestamp():
                    return None
                if str(data.get("dest", "")).lower() == handle and data.get("body") == text:
                    return _sent(data, self.clock.now())
            if after is None or not children:
                return None

    async def aclose(self) -> None:
        self._drop_client()

    async def _find_posted(self, mention: Mention) -> PostedReply:
        """Our reply, just taken by Reddit without saying which it is. Any failure to find it is
        `ChannelUnavailable` (it may have gone through), never a throttle or a refusal that would
        have the outbox post it again: the outbox looks for it before any resend."""
        unseen = f"reddit took our reply to {mention.external_id} but cannot show it yet"
        try:
            found = await self.find_reply(mention)
        except ConnectorError as exc:
            raise ChannelUnavailable(f"{unseen}: {exc}") from exc
        if found is None:
            raise ChannelUnavailable(unseen)
        return found

    def is_transient(self, exc: Exception) -> bool:
        return super().is_transient(exc) or isinstance(exc, prawcore.ServerError)

    # -- paging -------------------------------------------------------------------------------

    def _listings(self, watch: WatchConfig) -> list[_Listing]:
        terms = _terms(watch)
        listings = []
        if watch.handles:
            listings.append(_Listing("mentions", "mentions in our inbox", "message/mentions"))
        for sub in dict.fromkeys(name.removeprefix("r/").lower() for name in watch.subreddits):
            listings += [
                _Listing(f"comments:{sub}", f"comments in r/{sub}", f"r/{sub}/comments/", terms),
                _Listing(f"submissions:{sub}", f"submissions in r/{sub}", f"r/{sub}/new/", terms),
            ]
        if watch.keywords:
            query = " OR ".join(f'"{term}"' if " " in term else term for term in watch.keywords)
            search = {"q": query, "sort": "new"}
            listings.append(_Listing("search", f"search for {query}", "search/", terms, search))
        return listings

    async def _follow(
        self,
        listing: _Listing,
        stream: _Stream,
        found: list[Any],
        read: Callable[[Any], Mention | PrivateMessage | Rejected | None] | None = None,
    ) -> None:
        """Page `listing` newest first back to the stream's cursor, adding what is new to `found`,
        each thing as `read` makes it (a mention, by default).

        A page that cannot be read is dead-lettered and the stream stays where it was, so the next
        poll asks for that page again.
        """
        while True:
            params = {**listing.params, "limit": PAGE_SIZE}
            if stream.after:
                params["after"] = stream.after
            try:
                children, after = _listing(await self._get(listing.what, listing.path, params))
            except _Malformed as exc:
                found.append(Rejected(exc.payload, f"{exc.reason} ({listing.what})"))
                return
            reached = False
            for child in children:
                data = _data(child)
                created = _created(data)
                if created is not None:
                    if stream.behind(created, data.get("name")):
                        reached = True
                        break
                    stream.note(created, data.get("name"))
                mention = (read or _mention)(child)
                if isinstance(mention, Rejected) or (
                    mention is not None and listing.wants(mention.text)
                ):
                    found.append(mention)
            stream.page_read(after, done=reached or after is None or not children)
            if stream.after is None:
                return

    # -- the client ---------------------------------------------------------------------------

    async def _get(self, what: str, path: str, params: dict[str, Any] | None = None) -> Any:
        """Reddit's JSON answer to a GET, as it came (praw's models would fetch missing fields)."""
        reddit = self._reddit()
        return await self._call(what, reddit.request, method="GET", path=path, params=params)

    async def _post(self, what: str, path: str, data: dict[str, str]) -> Any:
        """Reddit's JSON answer to a write (never retried), its `json.errors` a refusal."""
        reddit = self._reddit()
        form = {"api_type": "json", **data}
        answer = await self._call(
            what, reddit.request, method="POST", path=path, data=form, once=True
        )
        errors = (answer.get("json") or {}).get("errors") if isinstance(answer, dict) else None
        if errors:
            said = "; ".join(" ".join(map(str, error)) for error in errors)
            raise Refused(f"reddit refused {what}: {said}")
        return answer

    async def _call(
        self, what: str, function: Callable[..., T], *args: Any, once: bool = False, **kwargs: Any
    ) -> T:
        """Run a praw call through `Connector.call`, raising Reddit's failures as
        `ConnectorError`s. A refused login drops the client, so the next call logs in afresh."""
        try:
            return await self.call(what, function, *args, once=once, **kwargs)
        except (AuthFailed, prawcore.OAuthException) as exc:
            self._drop_client()
            if isinstance(exc, AuthFailed):
                raise
            raise AuthFailed(f"reddit refused our login: {exc}") from exc
        except ConnectorError:
            raise
        except Exception as exc:
            if isinstance(exc, prawcore.BadJSON):
                raise _Malformed(exc.response.text, "malformed JSON page from Reddit") from exc
            if isinstance(exc, prawcore.ResponseException | RedditAPIException):
                raise Refused(f"reddit refused {what}: {exc}") from exc
            raise

    async def _me(self) -> str:
        """Our account's name as Reddit spells it, asked once."""
        if self._username is None:
            me = await self._get("looking up our account", "api/v1/me")
            if not isinstance(me, dict) or not me.get("name"):
                raise _Malformed(me, "Reddit did not say who we are")
            self._username = str(me["name"])
        return self._username

    def _reddit(self) -> praw.Reddit:
        if self._client is None:
            base = self.config.base_url
            urls = {"oauth_url": base, "reddit_url": base, "short_url": base} if base else {}
            username = self.credential("username")
            self._session = requests.Session()
            self._client = praw.Reddit(
                client_id=self.credential("client_id"),
                client_secret=self.credential("client_secret"),
                username=username,
                password=self.credential("password"),
                user_agent=USER_AGENT.format(username=username),
                check_for_async=False,  # we call praw from worker threads, never on the event loop
                requestor_class=_Requestor,
                requestor_kwargs={
                    "clock": self.clock, "timeout": TIMEOUT_SECONDS, "session": self._session
                },
                **urls,
            )
        return self._client

    def _drop_client(self) -> None:
        if self._session is not None:
            self._session.close()
        self._client = self._session = None


class _Malformed(ConnectorError):
    """Reddit answered with a page we cannot read: not JSON, or not a listing."""

    def __init__(self, payload: Any, reason: str) -> None:
        super().__init__(f"reddit: {reason}")
        self.payload = payload
        self.reason = reason


class _Spent(ConnectorError):
    """The poll has made every request it was allowed."""


@dataclass
class _Allowance:
    """The requests one poll may make, and how many it made."""

    limit: int
    made: int = 0

    def spend(self) -> None:
        if self.made >= self.limit:
            raise _Spent(f"the poll's {self.limit} requests are spent")
        self.made += 1


# The allowance of the poll a request belongs to. `asyncio.to_thread` carries it into the worker
# thread, so a reply posted meanwhile from another task is neither counted nor capped with it.
_ALLOWANCE: ContextVar[_Allowance | None] = ContextVar("reddit_allowance", default=None)


class _Requestor(prawcore.Requestor):
    """praw's HTTP requests, made fit for a daemon.

    Each request is counted against the current poll's allowance and refused once it is spent.
    prawcore would sleep in our thread until a spent rate-limit window resets (up to ten minutes),
    pace requests by the headers (up to ten seconds each), and retry 5xx answers and timeouts
    after sleeping: instead, the window is remembered here and requests are refused with
    `Throttled` until it resets, the rate-limit headers are taken out of prawcore's sight, and
    5xx answers and timeouts are raised for `Connector.call` to retry. 401 and 403 are
    `AuthFailed`.
    """

    def __init__(self, *, clock: Clock, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._clock = clock
        self._resume_at: datetime | None = None

    def request(self, *args: Any, timeout: float | None = None, **kwargs: Any) -> requests.Response:
        # `timeout` is prawcore's fixed 16 s for API calls; ours (self.timeout) applies to all.
        if self._resume_at is not None and self._clock.now() < self._resume_at:
            raise _throttled(self._resume_at)
        allowance = _ALLOWANCE.get()
        if allowance is not None:
            allowance.spend()
        try:
            response = super().request(*args, **kwargs)
        except prawcore.RequestException as exc:
            cause = exc.original_exception
            if isinstance(cause, requests.Timeout):
                raise TimeoutError(f"reddit did not answer within {self.timeout:g} s") from cause
            if isinstance(cause, requests.ConnectionError | ChunkedEncodingError):
                name = type(cause).__name__
                raise ConnectionError(f"reddit could not be reached ({name})") from cause
            raise
        self._read_window(response)
        status = response.status_code
        if status == 429:
            raise _throttled(self._resume_at or self._clock.now())
        if status >= 500:
            raise prawcore.ServerError(response)
        if status in (401, 403):
            path = urlsplit(response.url).path
            raise AuthFailed(f"reddit refused our credentials ({status} on {path})")
        return response

    def _read_window(self, response: requests.Response) -> None:
        """Note when the rate-limit window is spent, and hide the headers from prawcore."""
        remaining = _number(response.headers.pop("x-ratelimit-remaining", None))
        reset = _number(response.headers.pop("x-ratelimit-reset", None))
        response.headers.pop("x-ratelimit-used", None)
        if response.status_code == 429 or (remaining is not None and remaining < 1):
            self._resume_at = self._clock.now() + timedelta(seconds=reset or 0)


def _throttled(until: datetime) -> Throttled:
    """Reddit's rate-limit window is spent until `until`: a poll stops there, and a reply waits
    for it in the outbox."""
    return Throttled(f"reddit is throttling us until {until:%Y-%m-%d %H:%M:%S} UTC", until=until)


@dataclass(frozen=True)
class _Listing:
    """One Reddit listing a watch follows: its key in the cursor, what it is (for messages), its
    path, the whole-word terms a thing must name to count (None: everything), its query."""

    name: str
    what: str
    path: str
    terms: re.Pattern[str] | None = None
    params: dict[str, str] = field(default_factory=dict)

    def wants(self, text: str) -> bool:
        return self.terms is None or self.terms.search(text) is not None


@dataclass
class _Stream:
    """Where one listing's paging stands. Everything created before `since`, and the `seen`
    fullnames created at `since` itself, is behind us. With `after`, a paging run back to `since`
    is under way: it resumes below that fullname, and `newest` with `newest_seen` is where the run
    began, which becomes the new `since` once the run is done. `turn` numbers the poll that last
    read the listing."""

    since: float | None = None
    seen: list[str] = field(default_factory=list)
    after: str | None = None
    newest: float | None = None
    newest_seen: list[str] = field(default_factory=list)
    turn: int = 0

    def behind(self, created: float, name: str | None) -> bool:
        """Whether a thing was fetched by an earlier run: there, paging back stops."""
        if self.since is None:
            return False
        return created < self.since or (created == self.since and name in self.seen)

    def note(self, created: float, name: str | None) -> None:
        """Keep the newest instant of this run, and the fullnames created at it."""
        if self.newest is None or created > self.newest:
            self.newest, self.newest_seen = created, []
        if created == self.newest and name and name not in self.newest_seen:
            self.newest_seen.append(name)

    def page_read(self, after: str | None, *, done: bool) -> None:
        """Continue below `after`, or, when the run is `done`, make its start the cursor."""
        if not done:
            self.after = after
            return
        if self.newest is not None:
            if self.newest == self.since:
                self.seen = sorted({*self.seen, *self.newest_seen})
            else:
                self.since, self.seen = self.newest, self.newest_seen
        self.after, self.newest, self.newest_seen = None, None, []


_MESSAGES = _Listing("messages", "our private messages", "message/messages/")


def _terms(watch: WatchConfig) -> re.Pattern[str] | None:
    """A case-insensitive whole-word pattern for the watch's keywords, hashtags and handles."""
    terms = [
        *watch.keywords,
        *(tag.lstrip("#") for tag in watch.hashtags),
        *(handle.lstrip("@") for handle in watch.handles),
    ]
    words = [r"\s+".join(map(re.escape, term.split())) for term in terms if term.strip("#@")]
    return re.compile(rf"(?<!\w)(?:{'|'.join(words)})(?!\w)", re.IGNORECASE) if words else None


def _listing(body: Any) -> tuple[list[Any], str | None]:
    """The children and the `after` token of a listing answer."""
    data = body.get("data") if isinstance(body, dict) and body.get("kind") == "Listing" else None
    if not isinstance(data, dict) or not isinstance(data.get("children"), list):
        raise _Malformed(body, "an answer from Reddit that is not a listing")
    return data["children"], data.get("after")


def _data(child: Any) -> dict[str, Any]:
    data = child.get("data") if isinstance(child, dict) else None
    return data if isinstance(data, dict) else {}


def _created(data: dict[str, Any]) -> float | None:
    created = data.get("created_utc")
    if isinstance(created, bool) or not isinstance(created, int | float):
        return None
    return float(created)


def _mention(child: Any) -> Mention | Rejected | None:
    """A comment (t1) or submission (t3) in our field names; None when it was deleted or removed."""
    kind = child.get("kind") if isinstance(child, dict) else None
    data = _data(child)
    if not isinstance(kind, str) or kind not in _REQUIRED or not data:
        return Rejected(child, "Reddit listed something that is neither a comment nor a submission")
    name = data.get("name") if isinstance(data.get("name"), str) else None
    noun = "comment" if kind == "t1" else "submission"
    missing = [key for key in _REQUIRED[kind] if key not in data]
    if missing:
        return Rejected(child, f"Reddit {noun} without {', '.join(missing)}", external_id=name)
    created, text = _created(data), data["body"] if kind == "t1" else data["title"]
    if name is None or created is None or not isinstance(text, str):
        reason = f"Reddit {noun} whose name, text or creation time is malformed"
        return Rejected(child, reason, external_id=name)
    own_text = text if kind == "t1" else data.get("selftext")
    if data["author"] in (None, "[deleted]") or own_text in _GONE:
        return None
    url = _url(data)
    if kind == "t1":
        thread = _THREAD.search(url or "")
        conversation = data.get("link_id") or (f"t3_{thread.group(1)}" if thread else None)
    else:
        parts = (text, data.get("selftext"))
        text = "\n\n".join(part for part in parts if isinstance(part, str) and part)
        conversation = data["name"]
    return Mention(
        external_id=name,
        text=text,
        created_at=datetime.fromtimestamp(created, UTC),
        author_id=data.get("author_fullname"),
        author_handle=data["author"],
        url=url,
        in_reply_to_id=data.get("parent_id") if kind == "t1" else None,
        conversation_id=conversation,
        raw=child,
    )


def _moment(data: dict[str, Any]) -> datetime | None:
    """A thing's creation time, if it is a time at all."""
    created = _created(data)
    try:
        return datetime.fromtimestamp(created, UTC) if created is not None else None
    except (OverflowError, OSError, ValueError):
        return None


def _private(child: Any) -> PrivateMessage | Rejected:
    """A private message (t4) sent to us, in our field names."""
    data = _data(child)
    if (child.get("kind") if isinstance(child, dict) else None) != "t4" or not data:
        return Rejected(child, "Reddit listed something in our messages that is not a message")
    name = data.get("name") if isinstance(data.get("name"), str) else None
    if missing := [key for key in _MESSAGE_REQUIRED if key not in data]:
        return Rejected(child, f"Reddit message without {', '.join(missing)}", external_id=name)
    created = _moment(data)
    if created is None:
        return Rejected(child, "Reddit message whose creation time is malformed", external_id=name)
    return PrivateMessage(
        external_id=name,
        conversation_id=data.get("first_message_name") or name,
        author_id=data.get("author_fullname"),
        author_handle=data.get("author"),
        text=data.get("body"),
        created_at=created,
        raw=child,
    )


def _sent(data: dict[str, Any], now: datetime) -> PostedReply:
    """Our private message as Reddit lists it, as a posted reply naming its thread."""
    return PostedReply(
        external_id=str(data["name"]),
        url=None,
        posted_at=_moment(data) or now,
        conversation_id=data.get("first_message_name") or str(data["name"]),
    )


def _url(data: dict[str, Any]) -> str | None:
    """The thing's page; inbox mentions carry a `context` link instead of a permalink."""
    path = data.get("permalink") or str(data.get("context") or "").split("?")[0]
    return f"{SITE}{path}" if path else None


def _oldest_first(found: list[Any]) -> list[Any]:
    """Rejected items, then each mention (or message) once (several listings and overlapping
    pages repeat them), oldest first."""
    rejected = [item for item in found if isinstance(item, Rejected)]
    mentions: dict[str, Any] = {}
    for item in found:
        if not isinstance(item, Rejected):
            mentions.setdefault(str(item.external_id), item)
    by_age = sorted(mentions.values(), key=lambda m: (m.created_at, str(m.external_id)))
    return [*rejected, *by_age]


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None
