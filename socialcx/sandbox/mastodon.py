"""Mastodon's REST API (4.2), as Mastodon.py calls it.

    GET  /api/v1/accounts/verify_credentials   our account
    GET  /api/v1/notifications                 types[]=mention: statuses that mention us
    GET  /api/v1/timelines/tag/:hashtag        statuses carrying #hashtag
    GET  /api/v2/search                        q, type=statuses, offset: statuses matching q
    GET  /api/v1/statuses/:id                  one status; 404 when it is deleted or never was
    GET  /api/v1/statuses/:id/context          the statuses it replies to, and the replies to it
    GET  /api/v1/accounts/:id/statuses         the account's statuses, direct ones included
    POST /api/v1/statuses                      status, in_reply_to_id, visibility: our post

Listings are newest first and take `limit`, `max_id`, `since_id` and `min_id` (the page just
above it; in search, a lower bound). Timelines and notifications link their next page (only when
this one is full) and their previous page in a `Link` header, as Mastodon does. Notifications are
numbered in their own sequence, in the order they were made (when the clock reached the status),
as Mastodon's database numbers them: far smaller than status ids, and the ids their paging takes.
Search cuts its page from the index first and only then drops what is gone (deleted statuses),
as Mastodon's StatusesSearchService does, so a search page can be short with more behind it.
Statuses carry their text as HTML in `content`. A `missing_fields` fault on a listing serves
statuses once without a field (`content`, so their text, first), and a status asked for by id is
then whole; the same fault on the status route keeps it broken there too. Every answer carries
`X-RateLimit-Limit`, `-Remaining` and `-Reset` (an ISO time); deleted statuses vanish from
listings. Tokens must be present as `Authorization: Bearer …` but are never checked.

Private messages are direct statuses (`visibility: direct`), seen only by the people they
mention: never in search or hashtag timelines, but a direct status that mentions us is a mention
notification, as on Mastodon. A direct status we post goes to the first account it mentions;
one a customer writes (`write_private`) mentions us, as their app would.
"""

from __future__ import annotations

import dataclasses
import html
import re
import zlib
from collections.abc import Hashable
from datetime import UTC, datetime
from typing import Any, ClassVar

from aiohttp import web

from socialcx.channels import Channel
from socialcx.sandbox.base import (
    ApiError,
    ChannelApi,
    Route,
    World,
    id_param,
    iso_time,
    limit_param,
)
from socialcx.sandbox.limits import Budget, RateState
from socialcx.sandbox.posts import Author, Page, Post, Predicate, Timeline, visible_key
from socialcx.sandbox.query import Operator, QueryError, compile_query, word_pattern

__all__ = ["MastodonApi"]

_MAX_CHARS = 500
_VISIBILITIES = ("public", "unlisted", "private", "direct")
_ACCT = re.compile(r"(?<![\w@/])@\w+(?:@[\w.-]+\w)?")
_FIRST_NOTIFICATION = 1001  # the id of our account's first notification
_REMOTE = ("mastodon.social", "fosstodon.org", "mas.to", "hachyderm.io")  # where others live
_TOKEN = re.compile(
    r"(?P<mention>(?<![\w@/])@\w+(?:@[\w.-]+\w)?)|(?P<tag>(?<![\w#])#\w+)|(?P<url>https?://\S+)"
)


class MastodonApi(ChannelApi):
    """Mastodon (alias `mastodon`): mentions, hashtag timelines, search, threads and posting."""

    channel = Channel.MASTODON
    private_messages = True
    budgets: ClassVar[dict[str, Budget]] = {
        "mastodon": Budget(300, 300),  # 300 requests per 5 minutes per account
        "mastodon.post": Budget(300, 10_800),  # 300 statuses per 3 hours
    }
    required_fields = ("content", "created_at", "account")

    def __init__(self, sandbox: World) -> None:
        super().__init__(sandbox)
        self._account = sandbox.scenario.account
        self._mentions_us = word_pattern(f"@{self._account.handle}")
        # Our mention notifications, made up to the visible key `_notified_until`: paged as posts
        # keyed by notification id, each the status it is about.
        self._notifications = Timeline(self.channel)
        self._notified: dict[str, int] = {}  # status id → its notification's id
        self._about: dict[int, Post] = {}  # notification id → its status
        self._notified_until = -1
        self._operators: dict[str, Operator] = {
            "from": lambda value: (
                lambda post: self._acct(post.author).lower() == value.lstrip("@").lower()
            ),
            "language": lambda value: lambda post: post.language == value,
        }

    def routes(self) -> list[Route]:
        return [
            Route("mastodon.me", "GET", "/api/v1/accounts/verify_credentials", self.me, "mastodon"),
            Route(
                "mastodon.notifications",
                "GET",
                "/api/v1/notifications",
                self.notifications,
                "mastodon",
                lists_posts=True,
            ),
            Route(
                "mastodon.tag",
                "GET",
                "/api/v1/timelines/tag/{hashtag}",
                self.tag,
                "mastodon",
                lists_posts=True,
            ),
            Route(
                "mastodon.search",
                "GET",
                "/api/v2/search",
                self.search,
                "mastodon",
                lists_posts=True,
            ),
            Route(
                "mastodon.status",
                "GET",
                "/api/v1/statuses/{id:\\d+}",
                self.status,
                "mastodon",
                lists_posts=True,
            ),
            Route(
                "mastodon.context",
                "GET",
                "/api/v1/statuses/{id:\\d+}/context",
                self.context,
                "mastodon",
            ),
            Route(
                "mastodon.account_statuses",
                "GET",
                "/api/v1/accounts/{id}/statuses",
                self.account_statuses,
                "mastodon",
                lists_posts=True,
            ),
            Route("mastodon.post", "POST", "/api/v1/statuses", self.post, "mastodon.post"),
        ]

    def authorized(self, request: web.Request, route: Route) -> bool:
        header = request.headers.get("Authorization", "")
        return header.startswith("Bearer ") and bool(header.removeprefix("Bearer ").strip())

    def error(self, status: int, message: str) -> web.Response:
        messages = {401: "The access token is invalid", 429: "Too many requests"}
        return web.json_response({"error": messages.get(status, message)}, status=status)

    def rate_headers(self, state: RateState) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(state.limit),
            "X-RateLimit-Remaining": str(state.remaining),
            "X-RateLimit-Reset": iso_time(datetime.fromtimestamp(state.reset_at, UTC)),
        }

    async def me(self, request: web.Request) -> web.Response:
        return web.json_response(self._account_json(self._account, request))

    async def notifications(self, request: web.Request) -> web.Response:
        types = set(request.query.getall("types[]", ())) - set(
            request.query.getall("exclude_types[]", ())
        )
        if types and "mention" not in types:
            return web.json_response([])
        self._notify()
        page = self._notifications.page(
            None,
            None,
            until=_FIRST_NOTIFICATION + len(self._notifications),
            limit=limit_param(request, "limit", 40, 80),
            overlap=self.overlap(request),
            **_bounds(request),
        )
        about = [self._about[notification.key] for notification in page.posts]
        statuses = self.spoil(request, Page(about, page.more))
        posts = self._shown(statuses)
        items = [
            {
                "id": str(self._notified[post.id]),
                "type": "mention",
                "created_at": iso_time(post.created_at),
                "account": self._account_json(post.author, request),
                "status": status,
            }
            for post, status in zip(posts, self._statuses(posts, request), strict=True)
        ]
        ids = [str(self._notified[post.id]) for post in statuses.posts]
        return self._linked(request, ids, statuses.more, items)

    async def tag(self, request: web.Request) -> web.Response:
        hashtag = request.match_info["hashtag"].lstrip("#")
        pattern = word_pattern(f"#{hashtag}")
        page = self._page(
            request,
            ("tag", hashtag.lower()),
            lambda post: post.visibility == "public" and pattern.search(post.text) is not None,
            default=20,
            most=40,
        )
        ids = [post.id for post in page.posts]
        return self._linked(request, ids, page.more, self._statuses(self._shown(page), request))

    async def search(self, request: web.Request) -> web.Response:
        query = request.query.get("q", "")
        kind = request.query.get("type")
        if not query.strip():
            raise ApiError(400, "Search query is required")
        if kind not in (None, "statuses", "accounts", "hashtags"):
            raise ApiError(400, f"Invalid type: {kind}")
        answer: dict[str, list[Any]] = {"accounts": [], "statuses": [], "hashtags": []}
        if kind in (None, "statuses"):
            try:
                found = compile_query(
                    query, self._operators, text=lambda post: post.text, strict=False
                )
            except QueryError as exc:
                raise ApiError(400, str(exc)) from None

            def match(post: Post) -> bool:
                return post.visibility == "public" and found(post)

            limit = limit_param(request, "limit", 20, 40)
            offset = limit_param(request, "offset", 0, 10_000, low=0)
            page = self.listing(
                request,
                ("search", query),
                match,
                above=id_param(request, "min_id"),
                below=id_param(request, "max_id"),
                limit=offset + limit,
            )
            # The page is cut from the index, then what is gone drops out: it may come back short.
            hits = Page(page.posts[offset:], page.more)
            answer["statuses"] = self._statuses(self._shown(hits), request)
            self.strip_fields(request, answer["statuses"])
        return web.json_response(answer)

    async def status(self, request: web.Request) -> web.Response:
        post = self._found(request.match_info["id"])
        [status] = self._statuses([post], request)
        self.strip_fields(request, [status])
        return web.json_response(status)

    async def context(self, request: web.Request) -> web.Response:
        post = self._found(request.match_info["id"])
        ancestors: list[Post] = []
        parent = self.find(post.in_reply_to) if post.in_reply_to else None
        while parent is not None:
            ancestors.insert(0, parent)
            parent = self.find(parent.in_reply_to) if parent.in_reply_to else None
        thread = self.timeline.page(
            ("thread", post.conversation_id or post.id),
            lambda other: (other.conversation_id or other.id) == (post.conversation_id or post.id),
            until=visible_key(self.now()),
            limit=10_000,
        ).posts
        replies, below = [], {post.id}
        for other in reversed(thread):  # oldest first, so a reply comes after what it answers
            if other.in_reply_to in below and not self.timeline.removal(other):
                below.add(other.id)
                replies.append(other)
        return web.json_response(
            {
                "ancestors": self._statuses(ancestors, request),
                "descendants": self._statuses(replies, request),
            }
        )

    async def account_statuses(self, request: web.Request) -> web.Response:
        """The statuses an account posted, newest first, its direct messages (all of them with
        us, so ours to see) included."""
        account_id = request.match_info["id"]
        if self.person(user_id=account_id) is None:
            raise ApiError(404, "Record not found")
        page = self._page(
            request,
            ("account", account_id),
            lambda post: post.author.id == account_id,
            default=20,
            most=40,
        )
        ids = [post.id for post in page.posts]
        return self._linked(request, ids, page.more, self._statuses(self._shown(page), request))

    def deliver(
        self, sender: Author, recipient: Author, text: str, at: datetime, **fields: Any
    ) -> Post:
        """A direct status: a private message that is also a status of the instance, and a
        mention notification when it mentions us."""
        message = super().deliver(sender, recipient, text, at, visibility="direct", **fields)
        self.timeline.add(message)
        if recipient.id == self._account.id and message.key <= self._notified_until:
            self._notify_one(message)  # the clock already passed it: notify it now
        return message

    def written_to_us(self, handle: str, text: str, at: datetime) -> Post:
        if not self._mentions_us.search(text):
            text = f"@{self._account.handle} {text}"
        return super().written_to_us(handle, text, at)

    async def post(self, request: web.Request) -> web.Response:
        if request.content_type == "application/json":
            fields = await request.json()
        else:
            fields = dict(await request.post())
        text = str(fields.get("status") or "")
        if not text.strip():
            return web.json_response(
                {"error": "Validation failed: Text can't be blank"}, status=422
            )
        if len(text) > _MAX_CHARS:
            return web.json_response(
                {"error": f"Validation failed: Text character limit of {_MAX_CHARS} exceeded"},
                status=422,
            )
        visibility = str(fields.get("visibility") or "public")
        if visibility not in _VISIBILITIES:
            return web.json_response(
                {"error": f"Validation failed: Visibility is not one of {'/'.join(_VISIBILITIES)}"},
                status=422,
            )
        parent = None
        if reply_to := fields.get("in_reply_to_id"):
            parent = self._found(str(reply_to))
        if visibility == "direct":
            direct = self._direct(text, parent, fields)
            return web.json_response(self._statuses([direct], request)[0])
        post = self.publish(
            text,
            parent,
            language=str(fields.get("language") or "en"),
            in_reply_to=parent.id if parent else None,
            conversation_id=(parent.conversation_id or parent.id) if parent else None,
        )
        return web.json_response(self._statuses([post], request)[0])

    def _direct(self, text: str, parent: Post | None, fields: dict[str, Any]) -> Post:
        """Our direct status, to the first account it mentions (or to no one but us): a mention
        names a remote account as `@user@instance`, so the whole acct is looked up."""
        mentioned = (self.person(handle=found.group()) for found in _ACCT.finditer(text))
        recipient = next((user for user in mentioned if user and user.id != self._account.id), None)
        extra = {
            "language": str(fields.get("language") or "en"),
            "in_reply_to": parent.id if parent else None,
        }
        if recipient is None:
            return self.publish(text, parent, visibility="direct", **extra)
        return self.deliver(self._account, recipient, text, self.now(), **extra)

    # -- rendering ----------------------------------------------------------------------------

    def _found(self, status_id: str) -> Post:
        post = self.find(status_id)
        if post is None:
            raise ApiError(404, "Record not found")
        return post

    def _page(
        self, request: web.Request, view: Hashable, match: Predicate, *, default: int, most: int
    ) -> Page:
        """One page of a timeline."""
        return self.listing(
            request,
            view,
            match,
            limit=limit_param(request, "limit", default, most),
            **_bounds(request),
        )

    def _shown(self, page: Page) -> list[Post]:
        return [post for post in page.posts if not self.timeline.removal(post)]

    def _notify(self) -> None:
        """Make the notifications of the mentions of us the clock has reached since the last call,
        oldest first, each with the next id of the sequence."""
        until = visible_key(self.now())
        if until <= self._notified_until:
            return
        us = self._account.id
        new = self.timeline.page(
            ("mentions",),
            lambda post: post.author.id != us and self._mentions_us.search(post.text) is not None,
            until=until,
            above=self._notified_until,
            limit=len(self.timeline),
        )
        for post in reversed(new.posts):
            self._notify_one(post)
        self._notified_until = until

    def _notify_one(self, post: Post) -> None:
        """Make the notification of one mention of us, with the next id of the sequence."""
        number = _FIRST_NOTIFICATION + len(self._notifications)
        self._notifications.add(dataclasses.replace(post, key=number, id=str(number)))
        self._notified[post.id], self._about[number] = number, post

    def _linked(
        self, request: web.Request, ids: list[str], more: bool, items: list[Any]
    ) -> web.Response:
        """The answer with Mastodon's `Link` header: the next page below the oldest of the page's
        `ids`, when the page is full (`more`); the previous one above the newest."""
        self.strip_fields(request, [item.get("status", item) for item in items])
        links = []
        query = [
            (key, value)
            for key, value in request.query.items()
            if key not in ("max_id", "min_id", "since_id")
        ]
        if more and ids:
            below = request.url.with_query([*query, ("max_id", ids[-1])])
            links.append(f'<{below}>; rel="next"')
        if ids:
            above = request.url.with_query([*query, ("min_id", ids[0])])
            links.append(f'<{above}>; rel="prev"')
        headers = {"Link": ", ".join(links)} if links else {}
        return web.json_response(items, headers=headers)

    def _statuses(self, posts: list[Post], request: web.Request) -> list[dict[str, Any]]:
        return [self._status(post, request) for post in posts]

    def _status(self, post: Post, request: web.Request) -> dict[str, Any]:
        account = self._account_json(post.author, request)
        parent = self.timeline.by_id(post.in_reply_to) if post.in_reply_to else None
        mentions = [
            {
                "id": user.id,
                "username": _username(user),
                "acct": self._acct(user),
                "url": self._url(user, request),
            }
            for user in _mentioned(post, self._account, self._mentions_us.search(post.text))
        ]
        return {
            "id": post.id,
            "created_at": iso_time(post.created_at),
            "in_reply_to_id": post.in_reply_to,
            "in_reply_to_account_id": parent.author.id if parent else None,
            "sensitive": False,
            "spoiler_text": "",
            "visibility": post.visibility,
            "language": post.language,
            "uri": f"https://{self._domain(post.author, request)}/users/{_username(post.author)}/statuses/{post.id}",
            "url": f"{self._url(post.author, request)}/{post.id}",
            "replies_count": post.score // 11,
            "reblogs_count": post.score // 7,
            "favourites_count": post.score,
            "edited_at": None,
            "content": _html(post.text, f"http://{request.host}"),
            "reblog": None,
            "application": None,
            "account": account,
            "media_attachments": [],
            "mentions": mentions,
            "tags": [
                {
                    "name": tag.lstrip("#").lower(),
                    "url": f"http://{request.host}/tags/{tag.lstrip('#').lower()}",
                }
                for tag in re.findall(r"(?<![\w#])#\w+", post.text)
            ],
            "emojis": [],
            "card": None,
            "poll": None,
        }

    def _account_json(self, user: Author, request: web.Request) -> dict[str, Any]:
        seed = zlib.crc32(user.id.encode("ascii"))
        return {
            "id": user.id,
            "username": _username(user),
            "acct": self._acct(user),
            "display_name": user.name,
            "locked": False,
            "bot": False,
            "group": False,
            "discoverable": True,
            "created_at": iso_time(datetime.fromtimestamp(1_500_000_000 + seed % 250_000_000, UTC)),
            "note": "",
            "url": self._url(user, request),
            "avatar": f"https://files.example/avatars/{user.id}.png",
            "header": "",
            "followers_count": user.followers,
            "following_count": seed % 1_500,
            "statuses_count": seed % 20_000,
            "last_status_at": None,
            "emojis": [],
            "fields": [],
        }

    def _home(self, user: Author) -> str | None:
        """The instance a user lives on: the one their handle names (`tashby@mastodon.online`),
        else None for this one (ours and half the others)."""
        if user.id == self._account.id:
            return None
        if "@" in user.handle:
            return user.handle.split("@", 1)[1]
        index = zlib.crc32(user.id.encode("ascii")) % (2 * len(_REMOTE))
        return _REMOTE[index] if index < len(_REMOTE) else None

    def _acct(self, user: Author) -> str:
        """How Mastodon names an account: `user` on this instance, `user@instance` elsewhere
        (the instance written once, also when the stored handle already names it)."""
        home = self._home(user)
        return f"{_username(user)}@{home}" if home else user.handle

    def _domain(self, user: Author, request: web.Request) -> str:
        return self._home(user) or request.host

    def _url(self, user: Author, request: web.Request) -> str:
        scheme = "https" if self._home(user) else "http"
        return f"{scheme}://{self._domain(user, request)}/@{_username(user)}"


def _username(user: Author) -> str:
    """An account's username: its handle without the instance a remote handle names."""
    return user.handle.split("@", 1)[0]


def _mentioned(post: Post, account: Author, mentions_us: Any) -> list[Author]:
    """Whom a status mentions, as far as the sandbox tracks it: us, and the person a direct
    status was sent to."""
    users = [account] if mentions_us else []
    if post.visibility == "direct" and post.parent_author and post.parent_author not in users:
        users.append(post.parent_author)
    return users


def _bounds(request: web.Request) -> dict[str, Any]:
    """A listing's bounds: below `max_id`; `min_id` asks for the page just above it, `since_id`
    for the newest above it."""
    min_id = id_param(request, "min_id")
    return {
        "above": min_id if min_id is not None else id_param(request, "since_id"),
        "below": id_param(request, "max_id"),
        "nearest": min_id is not None,
    }


def _html(text: str, origin: str) -> str:
    """A status's text as Mastodon renders it: paragraphs, line breaks, and links for mentions,
    hashtags and URLs."""
    paragraphs = []
    for paragraph in re.split(r"\n{2,}", text.strip()):
        parts, at = [], 0
        for found in _TOKEN.finditer(paragraph):
            parts.append(html.escape(paragraph[at : found.start()], quote=False))
            word = found.group()
            if found.group("mention"):
                user = word[1:].split("@")[0]
                parts.append(
                    f'<span class="h-card" translate="no"><a href="{origin}/@{user}" '
                    f'class="u-url mention">@<span>{html.escape(word[1:])}</span></a></span>'
                )
            elif found.group("tag"):
                parts.append(
                    f'<a href="{origin}/tags/{word[1:].lower()}" class="mention hashtag" '
                    f'rel="tag">#<span>{html.escape(word[1:])}</span></a>'
                )
            else:
                parts.append(
                    f'<a href="{html.escape(word)}" target="_blank" rel="nofollow noopener" '
                    f'translate="no">{html.escape(word)}</a>'
                )
            at = found.end()
        parts.append(html.escape(paragraph[at:], quote=False))
        paragraphs.append("<p>" + "".join(parts).replace("\n", "<br />") + "</p>")
    return "".join(paragraphs)
