"""Bluesky's XRPC API (the AppView and our PDS in one), as atproto's `Client` calls it.

    POST /xrpc/com.atproto.server.createSession       identifier (our handle or DID), password
    POST /xrpc/com.atproto.server.refreshSession      with the refresh token
    GET  /xrpc/app.bsky.actor.getProfile              actor
    GET  /xrpc/app.bsky.feed.searchPosts              q, sort, since, until, author, mentions,
                                                      lang, tag, limit (1-100), cursor
    GET  /xrpc/app.bsky.notification.listNotifications reasons, limit (1-100), cursor
    GET  /xrpc/app.bsky.feed.getPosts                 uris (up to 25); posts it cannot find are
                                                      left out
    GET  /xrpc/app.bsky.feed.getPostThread            uri, depth
    POST /xrpc/com.atproto.repo.createRecord          an app.bsky.feed.post record: our post
    GET  /xrpc/chat.bsky.convo.getConvoForMembers     members (DIDs): our direct conversation
    POST /xrpc/chat.bsky.convo.sendMessage            convoId, message {text}: our message
    GET  /xrpc/chat.bsky.convo.getMessages            convoId, limit (1-100), cursor: newest first
    GET  /xrpc/chat.bsky.convo.getLog                 cursor (a rev): what happened since, oldest
                                                      first, 100 entries at most

Posts are `PostView`s: `uri` (at://<did>/app.bsky.feed.post/<rkey>), `cid`, `author`, `record`
(`text`, `createdAt`, `langs`, `facets`, `reply` with `root` and `parent`), `indexedAt`. Listings
are newest first and page by an opaque `cursor`, given only when more may follow. A
`missing_fields` fault on a listing serves posts once without a field (their `record`, so their
text, first), and `getPosts` then serves them whole by uri, as the AppView does after a hiccup;
the same fault on `getPosts` keeps them broken there too. The session
has no `didDoc` (the client would move to the PDS it names) and its `accessJwt` is a JWT that
expires two hours ahead in wall time, which is what the client checks; signatures never are.
Every answer carries `ratelimit-limit`, `-remaining`, `-reset` (epoch seconds) and `-policy`.

Chat (direct messages) is served by Bluesky's chat service through our PDS: each `chat.bsky.*`
call must carry the `atproto-proxy: did:web:api.bsky.chat#bsky_chat` header, as the PDS needs
it to know where to send the call. Conversations are one per pair of members; messages are
`messageView`s whose `id` and `rev` are TIDs, and the log lists `logCreateMessage` entries (with
`relatedProfiles`), the only kind the sandbox makes.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from collections.abc import Hashable
from datetime import UTC, datetime
from typing import Any, ClassVar

from aiohttp import web

from socialcx.channels import Channel
from socialcx.sandbox.base import ApiError, ChannelApi, Route, World, iso_time
from socialcx.sandbox.limits import Budget, RateState
from socialcx.sandbox.posts import (
    Author,
    Post,
    Predicate,
    Timeline,
    base36,
    post_key,
    visible_key,
)
from socialcx.sandbox.query import Operator, QueryError, compile_query, word_pattern

__all__ = ["BlueskyApi"]

_POST = "app.bsky.feed.post"
_MAX_GRAPHEMES = 300
_SESSION_SECONDS = 7_200
_CURSOR_PREFIX = "sbx"
_CHAT_PROXY = "did:web:api.bsky.chat#bsky_chat"
_MAX_CHAT_TEXT = 10_000
_LOG_PAGE = 100
_MENTION = re.compile(r"(?<![\w@])@([a-z0-9][a-z0-9.-]*\.[a-z]+)", re.IGNORECASE)
_TAG = re.compile(r"(?<![\w#])#(\w+)")
_URL = re.compile(r"https?://\S+")
_ERRORS = {
    400: "InvalidRequest",
    401: "AuthenticationRequired",
    404: "NotFound",
    429: "RateLimitExceeded",
    500: "InternalServerError",
    502: "UpstreamFailure",
    503: "NotEnoughResources",
}


def handle_of(author: Author) -> str:
    """An author's Bluesky handle: their name under bsky.social, as a domain name allows it."""
    return f"{author.handle.lower().replace('_', '-')}.bsky.social"


def did_of(author: Author) -> str:
    """An author's stable `did:plc:` identifier."""
    digest = hashlib.sha256(f"did:{author.id}".encode("ascii")).digest()
    return "did:plc:" + base64.b32encode(digest).decode("ascii").lower()[:24]


class BlueskyApi(ChannelApi):
    """Bluesky (alias `bluesky`): sessions, post search, notifications, threads and posting."""

    channel = Channel.BLUESKY
    private_messages = True
    budgets: ClassVar[dict[str, Budget]] = {
        "bluesky": Budget(3_000, 300),  # 3000 requests per 5 minutes
        "bluesky.session": Budget(30, 300),  # createSession: 30 per 5 minutes
        "bluesky.post": Budget(1_666, 3_600),  # 5000 points an hour, 3 points a post
    }
    required_fields = ("record", "author", "indexedAt")

    def __init__(self, sandbox: World) -> None:
        super().__init__(sandbox)
        self._account = sandbox.scenario.account
        self._handle = handle_of(self._account)
        self._did = did_of(self._account)
        self._mentions_us = word_pattern(f"@{self._handle}")
        authors = {post.author.id: post.author for post in self.timeline.posts()}
        self._users = {did_of(user): user for user in authors.values()} | {self._did: self._account}
        self._by_handle = {handle_of(user): user for user in self._users.values()}
        self._convos: dict[str, Author] = {}  # each direct conversation's other member, by id
        self._operators: dict[str, Operator] = {
            "from": lambda value: self._by("author", value),
            "mentions": lambda value: self._by("mentions", value),
            "lang": lambda value: lambda post: post.language == value,
        }

    def routes(self) -> list[Route]:
        def xrpc(
            name: str, method: str, handler: Any, bucket: str = "bluesky", lists: bool = False
        ) -> Route:
            short = name.rsplit(".", 1)[1]
            return Route(
                f"bluesky.{short}", method, f"/xrpc/{name}", handler, bucket, lists_posts=lists
            )

        return [
            xrpc(
                "com.atproto.server.createSession", "POST", self.create_session, "bluesky.session"
            ),
            xrpc(
                "com.atproto.server.refreshSession", "POST", self.refresh_session, "bluesky.session"
            ),
            xrpc("app.bsky.actor.getProfile", "GET", self.profile),
            xrpc("app.bsky.feed.searchPosts", "GET", self.search, lists=True),
            xrpc("app.bsky.notification.listNotifications", "GET", self.notifications, lists=True),
            xrpc("app.bsky.feed.getPosts", "GET", self.get_posts, lists=True),
            xrpc("app.bsky.feed.getPostThread", "GET", self.thread),
            xrpc("com.atproto.repo.createRecord", "POST", self.create_record, "bluesky.post"),
            xrpc("chat.bsky.convo.getConvoForMembers", "GET", self.convo_for_members),
            xrpc("chat.bsky.convo.sendMessage", "POST", self.send_message),
            xrpc("chat.bsky.convo.getMessages", "GET", self.get_messages, lists=True),
            xrpc("chat.bsky.convo.getLog", "GET", self.get_log, lists=True),
        ]

    def authorized(self, request: web.Request, route: Route) -> bool:
        if route.name == "bluesky.createSession":
            return True
        return request.headers.get("Authorization", "").startswith("Bearer ")

    def error(self, status: int, message: str) -> web.Response:
        return web.json_response(
            {"error": _ERRORS.get(status, "InternalServerError"), "message": message}, status=status
        )

    def rate_headers(self, state: RateState) -> dict[str, str]:
        return {
            "ratelimit-limit": str(state.limit),
            "ratelimit-remaining": str(state.remaining),
            "ratelimit-reset": str(int(state.reset_at)),
            "ratelimit-policy": f"{state.limit};w={state.reset_in or 1}",
        }

    # -- sessions -----------------------------------------------------------------------------

    async def create_session(self, request: web.Request) -> web.Response:
        body = await _json(request)
        identifier = str(body.get("identifier") or "").lower().lstrip("@")
        if identifier not in (self._handle, self._did) or not body.get("password"):
            return web.json_response(
                {"error": "AuthenticationRequired", "message": "Invalid identifier or password"},
                status=401,
            )
        return web.json_response(self._session())

    async def refresh_session(self, request: web.Request) -> web.Response:
        return web.json_response(self._session())

    def _session(self) -> dict[str, Any]:
        # The client compares the token's expiry with its own wall clock, never the sandbox's.
        expires = int(time.time()) + _SESSION_SECONDS
        return {
            "accessJwt": _jwt({"scope": "com.atproto.appPass", "sub": self._did, "exp": expires}),
            "refreshJwt": _jwt(
                {"scope": "com.atproto.refresh", "sub": self._did, "exp": expires * 2}
            ),
            "handle": self._handle,
            "did": self._did,
            "active": True,
        }

    async def profile(self, request: web.Request) -> web.Response:
        user = self._user(request.query.get("actor", ""))
        if user is None:
            raise ApiError(400, "Profile not found")
        return web.json_response(
            self._author(user)
            | {
                "followersCount": user.followers,
                "followsCount": int(user.id) % 900,
                "postsCount": int(user.id) % 5_000,
                "description": "",
                "indexedAt": "2023-06-01T00:00:00.000Z",
                "createdAt": "2023-06-01T00:00:00.000Z",
            }
        )

    # -- listings -----------------------------------------------------------------------------

    async def search(self, request: web.Request) -> web.Response:
        query = request.query.get("q", "")
        if not query.strip():
            raise ApiError(400, 'Error: Params must have the property "q"')
        if request.query.get("sort", "latest") not in ("latest", "top"):
            raise ApiError(400, "Invalid sort: use latest or top")
        try:
            match = compile_query(query, self._operators, text=lambda post: post.text, strict=False)
        except QueryError as exc:
            raise ApiError(400, str(exc)) from None
        filters = [match]
        for name in ("author", "mentions"):
            if value := request.query.get(name):
                filters.append(self._by(name, value))
        if lang := request.query.get("lang"):
            filters.append(lambda post: post.language == lang)
        filters += [_finds(f"#{tag}") for tag in request.query.getall("tag", ())]
        since, until = _time_bound(request, "since"), _time_bound(request, "until")
        view = (
            "search",
            query,
            *(request.query.getall(name, ()) for name in ("author", "mentions", "lang", "tag")),
        )
        posts, cursor = self._page(
            request,
            tuple(map(str, view)),
            lambda post: all(test(post) for test in filters),
            above=None if since is None else since - 1,
            below=until,
        )
        items = [self._post_view(post) for post in posts]
        self.strip_fields(request, items)
        return web.json_response({"posts": items, "hitsTotal": len(items)} | _cursor(cursor))

    async def notifications(self, request: web.Request) -> web.Response:
        reasons = set(request.query.getall("reasons", ())) or {"mention", "reply"}
        us = self._account.id

        def reason(post: Post) -> str | None:
            if post.author.id == us:
                return None
            if post.parent_author is not None and post.parent_author.id == us:
                return "reply"
            return "mention" if self._mentions_us.search(post.text) else None

        posts, cursor = self._page(
            request,
            ("notifications", tuple(sorted(reasons))),
            lambda post: reason(post) in reasons,
            above=None,
            below=None,
        )
        items = [
            {
                "uri": self._uri(post),
                "cid": _cid(post),
                "author": self._author(post.author),
                "reason": reason(post),
                "record": self._record(post),
                "isRead": False,
                "indexedAt": iso_time(post.created_at),
                "labels": [],
            }
            for post in posts
        ]
        self.strip_fields(request, items)
        return web.json_response({"notifications": items} | _cursor(cursor))

    def _page(
        self,
        request: web.Request,
        view: Hashable,
        match: Predicate,
        *,
        above: int | None,
        below: int | None,
        timeline: Timeline | None = None,
        default_limit: str = "25",
    ) -> tuple[list[Post], str | None]:
        """One page of a listing of the public timeline, or of `timeline`, newest first."""
        timeline = timeline or self.timeline
        limit = request.query.get("limit", default_limit)
        if not limit.isdigit() or not 1 <= int(limit) <= 100:
            raise ApiError(400, "limit must be an integer between 1 and 100")
        raw = request.query.get("cursor")
        if raw is not None:
            try:
                token = int(raw.removeprefix(_CURSOR_PREFIX), 36)
            except ValueError:
                raise ApiError(400, "Malformed cursor") from None
            below = token if below is None else min(below, token)
        page = self.listing(
            request, view, match, above=above, below=below, limit=int(limit), timeline=timeline
        )
        posts = [post for post in page.posts if not timeline.removal(post)]
        cursor = _CURSOR_PREFIX + base36(page.posts[-1].key) if page.more else None
        return posts, cursor

    # -- threads and posting ------------------------------------------------------------------

    async def get_posts(self, request: web.Request) -> web.Response:
        uris = request.query.getall("uris", ())
        if len(uris) > 25:
            raise ApiError(400, "uris must not have more than 25 elements")
        posts = [post for uri in uris if (post := self._find_uri(uri))]
        items = [self._post_view(post) for post in posts]
        self.strip_fields(request, items)
        return web.json_response({"posts": items})

    async def thread(self, request: web.Request) -> web.Response:
        uri = request.query.get("uri", "")
        post = self._find_uri(uri)
        if post is None:
            return web.json_response(
                {"error": "NotFound", "message": f"Post not found: {uri}"}, status=400
            )
        replies = self.timeline.page(
            ("replies", post.id),
            lambda other: other.in_reply_to == post.id,
            until=visible_key(self.now()),
            limit=1_000,
        ).posts
        thread = {
            "$type": "app.bsky.feed.defs#threadViewPost",
            "post": self._post_view(post),
            "replies": [
                {
                    "$type": "app.bsky.feed.defs#threadViewPost",
                    "post": self._post_view(reply),
                    "replies": [],
                }
                for reply in reversed(replies)
                if not self.timeline.removal(reply)
            ],
        }
        return web.json_response({"thread": thread})

    async def create_record(self, request: web.Request) -> web.Response:
        body = await _json(request)
        record = body.get("record") or {}
        if body.get("repo") not in (self._did, self._handle) or body.get("collection") != _POST:
            raise ApiError(400, "Could not find repo or collection")
        text = record.get("text")
        if not isinstance(text, str) or not isinstance(record.get("createdAt"), str):
            raise ApiError(400, "Invalid app.bsky.feed.post record: must have text and createdAt")
        if len(text) > _MAX_GRAPHEMES:
            raise ApiError(
                400,
                f"Invalid app.bsky.feed.post record: text must not be longer than {_MAX_GRAPHEMES} graphemes",
            )
        parent, root = None, None
        if reply := record.get("reply"):
            parent = self._find_uri((reply.get("parent") or {}).get("uri", ""))
            root = self._find_uri((reply.get("root") or {}).get("uri", ""))
            if parent is None or root is None:
                raise ApiError(400, "Invalid reply: the post replied to was not found")
        languages = record.get("langs") or ["en"]
        post = self.publish(
            text,
            parent,
            language=languages[0],
            in_reply_to=parent.id if parent else None,
            conversation_id=root.id if root else None,
        )
        return web.json_response(
            {"uri": self._uri(post), "cid": _cid(post), "validationStatus": "valid"}
        )

    # -- chat -----------------------------------------------------------------------------------

    def person(self, *, user_id: str | None = None, handle: str | None = None) -> Author | None:
        """Someone known here, also by DID or by Bluesky handle (`jane-d.bsky.social`)."""
        if user_id is not None and user_id.startswith("did:"):
            return next((user for user in self.people().values() if did_of(user) == user_id), None)
        wanted = (handle or "").lstrip("@").lower()
        if "." in wanted:
            found = (user for user in self.people().values() if handle_of(user) == wanted)
            return next(found, None)
        return super().person(user_id=user_id, handle=handle)

    def conversation(self, sender: Author, recipient: Author, message_id: str) -> str:
        """A direct conversation's id, the same for both members whoever writes first."""
        pair = sorted((did_of(sender), did_of(recipient)))
        digest = hashlib.sha256("|".join(pair).encode("ascii")).digest()
        convo = base64.b32encode(digest).decode("ascii").lower()[:13]
        self._convos[convo] = recipient if sender.id == self._account.id else sender
        return convo

    async def convo_for_members(self, request: web.Request) -> web.Response:
        _chat(request)
        dids = [did for did in request.query.getall("members", ()) if did != self._did]
        members = [self.person(user_id=did) for did in dids]
        if len(dids) != 1 or members[0] is None:
            raise ApiError(400, "A direct conversation needs exactly one other member that exists")
        convo = self.conversation(self._account, members[0], "")
        return web.json_response({"convo": self._convo(convo)})

    async def send_message(self, request: web.Request) -> web.Response:
        _chat(request)
        body = await _json(request)
        other = self._convos.get(str(body.get("convoId")))
        message = body.get("message")
        text = message.get("text") if isinstance(message, dict) else None
        if other is None:
            raise ApiError(400, "Convo not found")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Input/message/text must be a non-empty string")
        if len(text) > _MAX_CHAT_TEXT:
            raise ApiError(
                400, f"Input/message/text must not be longer than {_MAX_CHAT_TEXT} characters"
            )
        message = self.deliver(self._account, other, text, self.now())
        return web.json_response(_message_view(message))

    async def get_messages(self, request: web.Request) -> web.Response:
        """One conversation's messages, newest first."""
        _chat(request)
        convo = request.query.get("convoId", "")
        if convo not in self._convos:
            raise ApiError(400, "Convo not found")
        messages, cursor = self._page(
            request,
            ("chat", convo),
            lambda message: message.conversation_id == convo,
            above=None,
            below=None,
            timeline=self.private,
            default_limit="50",
        )
        views = [_message_view(message) for message in messages]
        return web.json_response({"messages": views} | _cursor(cursor))

    async def get_log(self, request: web.Request) -> web.Response:
        """What happened in our conversations after the `cursor` rev, oldest first."""
        _chat(request)
        after = request.query.get("cursor")
        since = self.private.by_id(after) if after else None
        if after and since is None:
            raise ApiError(400, "Invalid cursor")
        page = self.listing(
            request,
            ("chat-log",),
            None,
            above=since.key if since else None,
            below=None,
            limit=_LOG_PAGE,
            nearest=True,
            timeline=self.private,
        )
        messages = list(reversed(page.posts))
        logs = [
            {
                "$type": "chat.bsky.convo.defs#logCreateMessage",
                "rev": message.id,
                "convoId": message.conversation_id,
                "message": _message_view(message),
                "relatedProfiles": [self._author(message.author)],
            }
            for message in messages
        ]
        self.strip_fields(request, [log["message"] for log in logs], ("text", "sender", "sentAt"))
        cursor = messages[-1].id if messages else after
        return web.json_response({"logs": logs} | ({"cursor": cursor} if cursor else {}))

    def _convo(self, convo: str) -> dict[str, Any]:
        other = self._convos[convo]
        return {
            "id": convo,
            "rev": convo,
            "members": [self._author(self._account), self._author(other)],
            "muted": False,
            "unreadCount": 0,
            "status": "accepted",
        }

    # -- rendering ----------------------------------------------------------------------------

    def _by(self, field: str, value: str) -> Predicate:
        """`from:`/`author` and `mentions:` take a handle or a DID."""
        user = self._user(value)
        if user is None:
            return lambda post: False
        if field == "author":
            return lambda post: post.author.id == user.id
        return _finds(f"@{handle_of(user)}")

    def _user(self, actor: str) -> Author | None:
        actor = actor.lower().lstrip("@")
        return self._users.get(actor) or self._by_handle.get(actor)

    def _uri(self, post: Post) -> str:
        return f"at://{did_of(post.author)}/{_POST}/{post.id}"

    def _find_uri(self, uri: str) -> Post | None:
        did, _, rkey = uri.removeprefix("at://").partition(f"/{_POST}/")
        post = self.find(rkey)
        return post if post is not None and did_of(post.author) == did else None

    def _author(self, user: Author) -> dict[str, Any]:
        return {
            "did": did_of(user),
            "handle": handle_of(user),
            "displayName": user.name,
            "avatar": f"https://cdn.bsky.app/img/avatar/plain/{did_of(user)}/avatar@jpeg",
            "labels": [],
            "createdAt": "2023-06-01T00:00:00.000Z",
        }

    def _record(self, post: Post) -> dict[str, Any]:
        record: dict[str, Any] = {
            "$type": _POST,
            "text": post.text,
            "createdAt": iso_time(post.created_at),
            "langs": [post.language or "en"],
        }
        if facets := self._facets(post.text):
            record["facets"] = facets
        parent = self.timeline.by_id(post.in_reply_to) if post.in_reply_to else None
        root = self.timeline.by_id(post.conversation_id) if post.conversation_id else None
        if parent is not None:
            root = root or parent
            record["reply"] = {
                "root": {"uri": self._uri(root), "cid": _cid(root)},
                "parent": {"uri": self._uri(parent), "cid": _cid(parent)},
            }
        return record

    def _post_view(self, post: Post) -> dict[str, Any]:
        return {
            "uri": self._uri(post),
            "cid": _cid(post),
            "author": self._author(post.author),
            "record": self._record(post),
            "replyCount": post.score // 11,
            "repostCount": post.score // 7,
            "likeCount": post.score,
            "quoteCount": post.score // 31,
            "indexedAt": iso_time(post.created_at),
            "labels": [],
        }

    def _facets(self, text: str) -> list[dict[str, Any]]:
        """Rich-text facets, as clients write them: byte ranges of mentions, tags and links."""
        facets = []
        for pattern, kind in ((_MENTION, "mention"), (_TAG, "tag"), (_URL, "link")):
            for found in pattern.finditer(text):
                if kind == "mention":
                    user = self._by_handle.get(found.group(1).lower())
                    if user is None:
                        continue
                    feature = {"$type": "app.bsky.richtext.facet#mention", "did": did_of(user)}
                elif kind == "tag":
                    feature = {"$type": "app.bsky.richtext.facet#tag", "tag": found.group(1)}
                else:
                    feature = {"$type": "app.bsky.richtext.facet#link", "uri": found.group()}
                start = len(text[: found.start()].encode("utf-8"))
                end = start + len(found.group().encode("utf-8"))
                facets.append(
                    {"index": {"byteStart": start, "byteEnd": end}, "features": [feature]}
                )
        return sorted(facets, key=lambda facet: facet["index"]["byteStart"])


def _finds(term: str) -> Predicate:
    """The posts whose text has `term` as a whole word."""
    pattern = word_pattern(term)
    return lambda post: pattern.search(post.text) is not None


def _cid(post: Post) -> str:
    """A content id that looks like Bluesky's (CIDv1, dag-cbor, sha-256, base 32)."""
    digest = hashlib.sha256(f"{post.channel}:{post.id}:{post.text}".encode()).digest()
    return "bafyrei" + base64.b32encode(digest).decode("ascii").lower().rstrip("=")[:52]


def _jwt(claims: dict[str, Any]) -> str:
    """A token shaped like a JWT, with a signature nobody checks."""

    def part(value: bytes) -> str:
        return base64.urlsafe_b64encode(value).decode("ascii").rstrip("=")

    header, payload = (
        json.dumps(value).encode() for value in ({"typ": "at+jwt", "alg": "ES256K"}, claims)
    )
    return ".".join((part(header), part(payload), part(hashlib.sha256(payload).digest())))


def _cursor(cursor: str | None) -> dict[str, str]:
    return {"cursor": cursor} if cursor else {}


def _time_bound(request: web.Request, name: str) -> int | None:
    """A datetime (or a date) in the query, as the smallest key of its millisecond."""
    raw = request.query.get(name)
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(400, f"{name} must be a datetime or a date") from None
    return post_key(moment if moment.tzinfo else moment.replace(tzinfo=UTC), 0)


def _chat(request: web.Request) -> None:
    """A chat call reaches the chat service only through the PDS's proxy, which the header names."""
    if request.headers.get("atproto-proxy") != _CHAT_PROXY:
        raise ApiError(
            404, f"chat.bsky.* is served by the chat service: send atproto-proxy: {_CHAT_PROXY}"
        )


def _message_view(message: Post) -> dict[str, Any]:
    return {
        "$type": "chat.bsky.convo.defs#messageView",
        "id": message.id,
        "rev": message.id,
        "text": message.text,
        "sender": {"did": did_of(message.author)},
        "sentAt": iso_time(message.created_at),
    }


async def _json(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise ApiError(400, "Request body is not JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400, "Request body must be an object")
    return body
