"""Reddit's OAuth API, as praw calls it.

    POST /api/v1/access_token          grant_type=password or client_credentials, Basic auth
    GET  /api/v1/me
    GET  /r/:subreddit/comments/       comments, newest first (`a+b` and `all` work too)
    GET  /r/:subreddit/new/            submissions, newest first
    GET  /r/:subreddit/search/         submissions matching `q`, within the subreddit when
    GET  /search/                      `restrict_sr` is on; always newest first
    GET  /message/mentions             comments that name u/<our account>
    GET  /user/:name/comments/         one user's comments (how our own replies are found again)
    GET  /api/info                     id=t1_…,t3_… (fullnames, comma-separated): those things,
                                       as a listing; a fullname Reddit does not know is left out
    POST /api/comment/                 thing_id=t1_…|t3_…, text: our reply, a new comment;
                                       thing_id=t4_…: our reply to a private message
    POST /api/compose/                 to, subject, text: a private message from our account
    GET  /message/messages/            the private messages sent to us, newest first
    GET  /message/sent/                the private messages we sent, newest first

Listings are `{"kind": "Listing", "data": {"children": […], "after": …, "before": …}}` and honour
`limit` (up to 100, default 25), `after` and `before`; trailing slashes are optional and
`raw_json` is accepted, as on reddit.com. Every answer carries `x-ratelimit-used`,
`-remaining` and `-reset`. Deleted and removed posts stay in listings as `[deleted]` and
`[removed]`, as Reddit shows them.

Private messages are `t4` things. A composed message starts a thread (`first_message_name` is
null on it, and names it on every reply); compose answers `{"json": {"errors": []}}` and says
nothing of the message, as Reddit's does. A customer who writes (`write_private`) replies in the
latest thread they have with us, or starts one.
"""

from __future__ import annotations

import html
import re
import secrets
import zlib
from collections.abc import Callable, Hashable
from datetime import datetime
from http import HTTPStatus
from typing import Any, ClassVar

from aiohttp import web

from socialcx.channels import Channel
from socialcx.sandbox.base import ApiError, ChannelApi, Route, World
from socialcx.sandbox.limits import Budget, RateState
from socialcx.sandbox.posts import Author, Post, Predicate, base36
from socialcx.sandbox.query import Operator, QueryError, compile_query, word_pattern

__all__ = ["RedditApi"]

_MESSAGE_FIELDS = ("body", "author", "created_utc")  # what `missing_fields` takes from a message

_DEFAULT_LIMIT = 25
_MAX_LIMIT = 100
_TOKEN_SECONDS = 86_400
_ON = ("1", "on", "true", "yes")
_MAX_SUBJECT = 100
_MAX_MESSAGE = 10_000
_NO_SUBJECT = "(no subject)"  # the subject of a thread a customer starts


class RedditApi(ChannelApi):
    """Reddit (alias `reddit`): subreddit comments and submissions, search, mentions and replies."""

    channel = Channel.REDDIT
    private_messages = True
    budgets: ClassVar[dict[str, Budget]] = {
        "reddit": Budget(1000, 600),
        "reddit.token": Budget(300, 600),
    }
    required_fields = ("body", "title", "author", "created_utc")

    def __init__(self, sandbox: World) -> None:
        super().__init__(sandbox)
        account = sandbox.scenario.account.handle
        self._mention = word_pattern(f"u/{account}")
        self._operators: dict[str, Operator] = {
            "author": lambda value: lambda post: post.author.handle.lower() == value.lower(),
            "subreddit": lambda value: lambda post: (post.community or "").lower() == value.lower(),
            "title": lambda value: _finds(value, lambda post: post.title or ""),
            "selftext": lambda value: _finds(value, lambda post: post.text),
        }

    def routes(self) -> list[Route]:
        listings = {
            "reddit.comments": ("/r/{sub}/comments", self.comments),
            "reddit.new": ("/r/{sub}/new", self.new),
            "reddit.search": ("/{scope:(?:r/[^/]+/)?}search", self.search),
            "reddit.mentions": ("/message/mentions", self.mentions),
            "reddit.user_comments": ("/user/{name}/comments", self.user_comments),
        }
        # Reddit answers with or without the trailing slash; praw uses both forms.
        return [
            Route("reddit.token", "POST", "/api/v1/access_token", self.token, "reddit.token"),
            Route("reddit.me", "GET", "/api/v1/me", self.me, "reddit"),
            Route(
                "reddit.info", "GET", "/api/info{slash:/?}", self.info, "reddit", lists_posts=True
            ),
            Route("reddit.reply", "POST", "/api/comment{slash:/?}", self.reply, "reddit"),
            Route("reddit.compose", "POST", "/api/compose{slash:/?}", self.compose, "reddit"),
        ] + [
            Route(name, "GET", path + "{slash:/?}", handler, "reddit", lists_posts=True)
            for name, (path, handler) in listings.items()
        ] + [
            Route(
                name, "GET", f"/message/{box}{{slash:/?}}", self.messages, "reddit", lists_posts=True
            )
            for name, box in (("reddit.messages", "messages"), ("reddit.sent", "sent"))
        ]

    def authorized(self, request: web.Request, route: Route) -> bool:
        header = request.headers.get("Authorization", "")
        if route.name == "reddit.token":
            return header.startswith("Basic ")
        return header.lower().startswith("bearer ")

    def error(self, status: int, message: str) -> web.Response:
        return web.json_response(
            {"message": HTTPStatus(status).phrase, "error": status, "reason": message},
            status=status,
        )

    def rate_headers(self, state: RateState) -> dict[str, str]:
        return {
            "x-ratelimit-used": str(state.used),
            "x-ratelimit-remaining": f"{state.remaining:.1f}",
            "x-ratelimit-reset": str(state.reset_in),
        }

    async def token(self, request: web.Request) -> web.Response:
        grant = (await request.post()).get("grant_type")
        if grant not in ("password", "client_credentials"):
            return web.json_response({"error": "unsupported_grant_type"}, status=400)
        token = f"sandbox-{secrets.token_hex(12)}"
        return web.json_response(
            {
                "access_token": token,
                "token_type": "bearer",
                "expires_in": _TOKEN_SECONDS,
                "scope": "*",
            }
        )

    async def me(self, request: web.Request) -> web.Response:
        account = self.sandbox.scenario.account
        me = {
            "name": account.handle,
            "id": _base36_id(account),
            "created_utc": 1_400_000_000.0,
            "link_karma": 120,
            "comment_karma": 4_800,
            "has_verified_email": True,
            "is_employee": False,
        }
        return web.json_response(me)

    async def comments(self, request: web.Request) -> web.Response:
        subs = _subreddits(request.match_info["sub"])
        return self._listing(
            request,
            ("comments", subs),
            lambda post: post.kind == "comment" and _in(post, subs),
        )

    async def new(self, request: web.Request) -> web.Response:
        subs = _subreddits(request.match_info["sub"])
        return self._listing(
            request, ("new", subs), lambda post: post.kind == "post" and _in(post, subs)
        )

    async def search(self, request: web.Request) -> web.Response:
        query = request.query.get("q", "")
        scope = request.match_info["scope"].removeprefix("r/").rstrip("/")
        subs = (
            _subreddits(scope)
            if scope and request.query.get("restrict_sr", "").lower() in _ON
            else None
        )
        if not query.strip():
            return self._listing(request, ("nothing",), lambda post: False)
        try:
            match = compile_query(query, self._operators, text=_searchable, strict=False)
        except QueryError as exc:
            raise ApiError(400, str(exc)) from None
        return self._listing(
            request,
            ("search", subs, query),
            lambda post: post.kind == "post" and _in(post, subs) and match(post),
        )

    async def mentions(self, request: web.Request) -> web.Response:
        account = self.sandbox.scenario.account
        return self._listing(
            request,
            ("mentions",),
            lambda post: (
                post.kind == "comment"
                and post.author.id != account.id
                and self._mention.search(post.text) is not None
            ),
            message=True,
        )

    async def user_comments(self, request: web.Request) -> web.Response:
        name = request.match_info["name"].lower()
        return self._listing(
            request,
            ("user", name),
            lambda post: post.kind == "comment" and post.author.handle.lower() == name,
        )

    async def info(self, request: web.Request) -> web.Response:
        """The comments and submissions named in `id`, in that order, deleted and removed ones as
        `[deleted]` and `[removed]`, as `/api/info` lists them: one page, without `after`."""
        names = dict.fromkeys(name for name in request.query.get("id", "").split(",") if name)
        posts = [post for name in names if (post := self._named(name))]
        things = [self._thing(post) for post in posts]
        self.strip_fields(request, things)
        children = [
            {"kind": _fullname(post)[:2], "data": thing}
            for post, thing in zip(posts, things, strict=True)
        ]
        listing = {"after": None, "before": None, "dist": len(children), "modhash": None,
                   "geo_filter": "", "children": children}
        return web.json_response({"kind": "Listing", "data": listing})

    async def messages(self, request: web.Request) -> web.Response:
        """Our private messages, newest first: those sent to us, or (`sent`) those we sent."""
        us = self.sandbox.scenario.account.id
        sent = request.path.rstrip("/").endswith("/sent")
        return self._listing(
            request,
            ("messages", sent),
            lambda message: (message.author.id == us) is sent,
            private=True,
        )

    async def compose(self, request: web.Request) -> web.Response:
        form = await request.post()
        to = str(form.get("to", "")).removeprefix("/u/").removeprefix("u/")
        subject, text = str(form.get("subject", "")), str(form.get("text", ""))
        recipient = self.person(handle=to)
        if recipient is None or recipient.id == self.sandbox.scenario.account.id:
            return _errors("USER_DOESNT_EXIST", "that user doesn't exist", "to")
        if not subject.strip():
            return _errors("NO_SUBJECT", "please enter a subject", "subject")
        if len(subject) > _MAX_SUBJECT:
            return _errors("TOO_LONG", f"this is too long (max: {_MAX_SUBJECT})", "subject")
        if not text.strip():
            return _errors("NO_TEXT", "we need something here", "text")
        if len(text) > _MAX_MESSAGE:
            return _errors("TOO_LONG", f"this is too long (max: {_MAX_MESSAGE})", "text")
        self.deliver(self.sandbox.scenario.account, recipient, text, self.now(), title=subject)
        return web.json_response({"json": {"errors": []}})

    def message_name(self, message_id: str) -> str:
        return f"t4_{message_id}"

    def conversation(self, sender: Author, recipient: Author, message_id: str) -> str:
        """A message that answers none starts its own thread."""
        return message_id

    def written_to_us(self, handle: str, text: str, at: datetime) -> Post:
        """The customer's message: a reply in their latest thread with us, or a new thread."""
        sender = self.person(handle=handle) or self.newcomer(handle)
        latest = self._latest_with(sender)
        if latest is None:
            return super().written_to_us(handle, text, at)
        return self._answer(sender, latest, text, at)

    def _latest_with(self, person: Author) -> Post | None:
        """The newest private message between `person` and us."""
        between = [
            message
            for message in self.private.posts()
            if person.id in (message.author.id, message.parent_author and message.parent_author.id)
        ]
        return between[-1] if between else None

    def _answer(self, sender: Author, message: Post, text: str, at: datetime) -> Post:
        """`sender`'s reply to a private message, in its thread."""
        recipient = message.author if message.author.id != sender.id else message.parent_author
        subject = message.title or _NO_SUBJECT
        return self.deliver(
            sender,
            recipient or self.sandbox.scenario.account,
            text,
            at,
            title=subject if subject.startswith("re: ") else f"re: {subject}",
            in_reply_to=f"t4_{message.id}",
            conversation_id=message.conversation_id,
        )

    async def reply(self, request: web.Request) -> web.Response:
        form = await request.post()
        thing_id, text = str(form.get("thing_id", "")), str(form.get("text", ""))
        if not text.strip():
            return _errors("NO_TEXT", "we need something here", "text")
        if thing_id.startswith("t4_"):
            return self._reply_privately(thing_id.removeprefix("t4_"), text)
        prefix, _, target_id = thing_id.partition("_")
        parent = self.find(target_id) if prefix in ("t1", "t3") else None
        if parent is None or _fullname(parent) != thing_id:
            return _errors("DELETED_COMMENT", "that comment has been deleted", "parent")
        post = self.publish(
            text,
            parent,
            kind="comment",
            community=parent.community,
            in_reply_to=thing_id,
            conversation_id=parent.id if parent.kind == "post" else parent.conversation_id,
        )
        things = [{"kind": "t1", "data": self._thing(post)}]
        return web.json_response({"json": {"errors": [], "data": {"things": things}}})

    def _reply_privately(self, message_id: str, text: str) -> web.Response:
        """Our reply to a private message we can see, in its thread."""
        message = self.private.by_id(message_id)
        if message is None or message.created_at > self.now():
            return _errors("NO_THING_ID", "that message does not exist", "parent")
        answer = self._answer(self.sandbox.scenario.account, message, text, self.now())
        things = [{"kind": "t4", "data": self._private_message(answer)}]
        return web.json_response({"json": {"errors": [], "data": {"things": things}}})

    def _listing(
        self,
        request: web.Request,
        view: Hashable,
        match: Predicate,
        *,
        message: bool = False,
        private: bool = False,
    ) -> web.Response:
        """One page of a listing: `after` pages back in time, `before` forward, as on Reddit."""
        try:
            limit = min(_MAX_LIMIT, max(1, int(request.query.get("limit", _DEFAULT_LIMIT))))
        except ValueError:
            limit = _DEFAULT_LIMIT
        after, before = _key(request.query.get("after")), _key(request.query.get("before"))
        nearest = after is None and before is not None
        page = self.listing(
            request,
            view,
            match,
            above=before if nearest else None,
            below=after,
            limit=limit,
            nearest=nearest,
            timeline=self.private if private else None,
        )
        render = self._private_message if private else self._message if message else self._thing
        things = [render(post) for post in page.posts]
        self.strip_fields(request, things, _MESSAGE_FIELDS if private else ())
        names = [f"t4_{post.id}" if private else _fullname(post) for post in page.posts]
        if nearest:
            newer, older = names[0] if names and page.more else None, names[-1] if names else None
        else:
            newer, older = (
                names[0] if names and after is not None else None,
                names[-1] if page.more else None,
            )
        children = [
            {"kind": name[:2], "data": thing} for name, thing in zip(names, things, strict=True)
        ]
        listing = {
            "after": older,
            "before": newer,
            "dist": len(children),
            "modhash": None,
            "geo_filter": "",
            "children": children,
        }
        return web.json_response({"kind": "Listing", "data": listing})

    def _named(self, fullname: str) -> Post | None:
        """The comment or submission with this fullname, if the clock has reached it."""
        post = self.timeline.by_id(fullname[3:]) if fullname[:3] in ("t1_", "t3_") else None
        if post is None or post.created_at > self.now() or _fullname(post) != fullname:
            return None
        return post

    def _thing(self, post: Post) -> dict[str, Any]:
        """A comment (t1) or submission (t3) as Reddit lists it."""
        removal = self.timeline.removal(post)
        community = post.community or ""
        seconds = post.created_at.timestamp()
        thing: dict[str, Any] = {
            "id": post.id,
            "name": _fullname(post),
            "author": "[deleted]" if removal else post.author.handle,
            "created_utc": seconds,
            "created": seconds,
            "subreddit": community,
            "subreddit_id": f"t5_{zlib.crc32(community.lower().encode()):x}",
            "subreddit_name_prefixed": f"r/{community}",
            "score": post.score,
            "ups": post.score,
            "downs": 0,
            "permalink": _permalink(post),
            "edited": False,
            "distinguished": None,
            "stickied": False,
            "locked": False,
            "archived": False,
        }
        if not removal:
            thing["author_fullname"] = f"t2_{_base36_id(post.author)}"
        text = f"[{removal}]" if removal else post.text
        if post.kind == "post":
            return thing | {
                "title": post.title or "",
                "selftext": text,
                "is_self": True,
                "domain": f"self.{community}",
                "url": f"https://www.reddit.com{thing['permalink']}",
                "over_18": False,
                "spoiler": False,
                "link_flair_text": None,
                "upvote_ratio": 1.0,
            }
        thread = self.timeline.by_id(post.conversation_id or "")
        return thing | {
            "body": text,
            "link_id": f"t3_{post.conversation_id}",
            "parent_id": post.in_reply_to,
            "link_title": thread.title if thread else "",
            "is_submitter": thread is not None and thread.author.id == post.author.id,
            "controversiality": 0,
            "replies": "",
        }

    def _private_message(self, message: Post) -> dict[str, Any]:
        """A private message (t4) as the inbox lists it."""
        seconds = message.created_at.timestamp()
        first = message.conversation_id if message.conversation_id != message.id else None
        return {
            "id": message.id,
            "name": f"t4_{message.id}",
            "author": message.author.handle,
            "author_fullname": f"t2_{_base36_id(message.author)}",
            "dest": message.parent_author.handle if message.parent_author else "",
            "subject": message.title or _NO_SUBJECT,
            "body": message.text,
            "body_html": f'<div class="md"><p>{html.escape(message.text)}</p></div>',
            "created": seconds,
            "created_utc": seconds,
            "context": "",
            "first_message": int(first, 36) if first else None,
            "first_message_name": f"t4_{first}" if first else None,
            "parent_id": message.in_reply_to,
            "new": True,
            "was_comment": False,
            "type": "unknown",
            "replies": "",
            "subreddit": None,
            "distinguished": None,
            "likes": None,
        }

    def _message(self, post: Post) -> dict[str, Any]:
        """A comment as the inbox lists it: a username mention, with its context link."""
        return self._thing(post) | {
            "context": f"{_permalink(post)}?context=3",
            "subject": "username mention",
            "was_comment": True,
            "new": True,
            "type": "username_mention",
            "dest": self.sandbox.scenario.account.handle,
            "first_message": None,
            "first_message_name": None,
        }


def _subreddits(path: str) -> frozenset[str] | None:
    """The subreddits of a path segment like `acme+AskUK`; None for `all`."""
    names = frozenset(name.lower() for name in path.split("+") if name)
    return None if not names or "all" in names else names


def _in(post: Post, subs: frozenset[str] | None) -> bool:
    return subs is None or (post.community or "").lower() in subs


def _searchable(post: Post) -> str:
    return f"{post.title or ''}\n{post.text}"


def _finds(words: str, text: Callable[[Post], str]) -> Predicate:
    pattern = word_pattern(words)
    return lambda post: pattern.search(text(post)) is not None


def _fullname(post: Post) -> str:
    return f"{'t1' if post.kind == 'comment' else 't3'}_{post.id}"


def _key(fullname: str | None) -> int | None:
    """The key behind a fullname cursor; Reddit ignores a cursor it cannot read, and so do we."""
    if not fullname or fullname[:3] not in ("t1_", "t3_", "t4_"):
        return None
    try:
        return int(fullname[3:], 36)
    except ValueError:
        return None


def _permalink(post: Post) -> str:
    if post.kind == "comment":
        return f"/r/{post.community}/comments/{post.conversation_id}/_/{post.id}/"
    slug = re.sub(r"\W+", "_", (post.title or "").lower()).strip("_")[:50]
    return f"/r/{post.community}/comments/{post.id}/{slug}/"


def _base36_id(author: Author) -> str:
    """Reddit's base-36 account id, from the author's numeric id."""
    return base36(int(author.id))


def _errors(code: str, message: str, field: str) -> web.Response:
    """A refused write, the way Reddit's `api_type=json` endpoints say it: 200 with errors."""
    return web.json_response({"json": {"errors": [[code, message, field]]}})
