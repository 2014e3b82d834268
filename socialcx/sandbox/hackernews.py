"""The Algolia Hacker News search API, as hn.algolia.com serves it.

    GET /api/v1/search_by_date    query, tags, numericFilters, hitsPerPage (default 20, up to
                                  1000), page (from 0)
    GET /api/v1/items/:id         one story or comment with its replies as `children`; 404 when
                                  it is not in the index

Answers `{"hits": […], "nbHits", "page", "nbPages", "hitsPerPage", …}`, newest first. A hit is a
story (`title`, `url` or `story_text`) or a comment (`comment_text`, `story_id`, `parent_id`),
with `objectID`, `author`, `created_at`, `created_at_i` and `_tags` (`story` or `comment`,
`author_<name>`, `story_<id>`, `ask_hn`, `show_hn`). Texts are HTML, as Algolia keeps them.

As on Algolia, a query matches each word as a whole word, except the last, which matches as a
prefix (`acme` finds "acmecorp"); `tags` are ANDed, and ORed inside parentheses
(`(story,comment)`); `numericFilters` are ANDed comparisons on `created_at_i` and `points`.
An item has `id`, `type` (`story` or `comment`), `author`, `created_at`, `created_at_i`, `title`,
`url`, `text` (HTML), `points`, `parent_id`, `story_id`, `options` and `children`. A
`missing_fields` fault takes `author`, then `created_at_i`, then `objectID` away from hits (from an
item, what it has of them), so a hit broken once still names its item. Only the first 1000
hits of a query can be paged to (`nbPages` stops there, `nbHits` does not). No credentials are
needed; past 10,000 requests an hour from one address, Algolia answers 429 without rate-limit
headers. Deleted items leave the index.
"""

from __future__ import annotations

import html
import math
import operator
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar

from aiohttp import web

from socialcx.channels import Channel
from socialcx.sandbox.base import ApiError, ChannelApi, Route, World
from socialcx.sandbox.limits import Budget, RateState
from socialcx.sandbox.posts import Post, Predicate, post_key

__all__ = ["HackerNewsApi"]

_DEFAULT_HITS = 20
_MAX_HITS = 1000
_PAGINATION_LIMIT = 1000  # Algolia's paginationLimitedTo
_WORD = re.compile(r"\w+")
_NUMERIC = re.compile(r"^\s*(created_at_i|points)\s*(<=|>=|!=|<|>|=)\s*(-?\d+)\s*$")
_COMPARE: dict[str, Callable[[int, int], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    "=": operator.eq,
    "!=": operator.ne,
    ">=": operator.ge,
    ">": operator.gt,
}


class HackerNewsApi(ChannelApi):
    """Algolia's Hacker News search (alias `hackernews`): stories and comments by date."""

    channel = Channel.HACKERNEWS
    budgets: ClassVar[dict[str, Budget]] = {"hackernews": Budget(10_000, 3600)}
    required_fields = ("author", "created_at_i", "objectID")

    def __init__(self, sandbox: World) -> None:
        super().__init__(sandbox)
        self._words: dict[str, frozenset[str]] = {}  # searchable words by post id, made once

    def routes(self) -> list[Route]:
        return [
            Route(
                "hackernews.search",
                "GET",
                "/api/v1/search_by_date",
                self.search,
                "hackernews",
                lists_posts=True,
            ),
            Route(
                "hackernews.item",
                "GET",
                "/api/v1/items/{id}",
                self.item,
                "hackernews",
                lists_posts=True,
            ),
        ]

    def authorized(self, request: web.Request, route: Route) -> bool:
        return True  # the API is open to all

    def error(self, status: int, message: str) -> web.Response:
        return web.json_response({"message": message, "status": status}, status=status)

    def rate_headers(self, state: RateState) -> dict[str, str]:
        return {}  # Algolia publishes its limit, not the state of it

    async def search(self, request: web.Request) -> web.Response:
        query = request.query.get("query", "")
        tags = request.query.get("tags", "")
        hits_per_page = _integer(request, "hitsPerPage", _DEFAULT_HITS, 0, _MAX_HITS)
        page_number = _integer(request, "page", 0, 0, None)
        above, below, numeric = _numeric_filters(request.query.get("numericFilters", ""))
        words, tagged = self._query(query), _tags(tags)
        listed = self.listing(
            request,
            ("search", query.lower(), tags, tuple(sorted(numeric))),
            lambda post: (
                tagged(_post_tags(post))
                and words(post)
                and all(compare(post.score) for compare in numeric.values())
            ),
            above=above,
            below=below,
            limit=max(1, len(self.timeline)),
        )
        posts = [post for post in listed.posts if not self.timeline.removal(post)]
        reachable = min(len(posts), _PAGINATION_LIMIT)
        pages = math.ceil(reachable / hits_per_page) if hits_per_page else 0
        start = page_number * hits_per_page
        shown = posts[start : start + hits_per_page] if page_number < pages else []
        hits = [self._hit(post) for post in shown]
        self.strip_fields(request, hits)
        return web.json_response(
            {
                "hits": hits,
                "nbHits": len(posts),
                "page": page_number,
                "nbPages": pages,
                "hitsPerPage": hits_per_page,
                "exhaustiveNbHits": True,
                "exhaustiveTypo": True,
                "query": query,
                "params": request.query_string,
                "processingTimeMS": 1,
            }
        )

    async def item(self, request: web.Request) -> web.Response:
        """One item and the tree of replies below it, as the items endpoint answers."""
        post = self.find(request.match_info["id"])
        if post is None:
            raise ApiError(404, "Not Found")
        replies: dict[str | None, list[Post]] = {}
        for other in self.timeline.posts():
            if self.find(other.id) is not None:
                replies.setdefault(other.in_reply_to, []).append(other)
        item = self._item(post, replies)
        self.strip_fields(request, [item])
        return web.json_response(item)

    def _query(self, query: str) -> Predicate:
        """Every word of the query as a whole word of the post, the last one as a prefix."""
        words = _WORD.findall(query.lower())
        if not words:
            return lambda post: True
        *whole, last = words

        def match(post: Post) -> bool:
            found = self._words.get(post.id)
            if found is None:
                found = self._words[post.id] = frozenset(_WORD.findall(_searchable(post).lower()))
            return all(word in found for word in whole) and any(w.startswith(last) for w in found)

        return match

    def _item(self, post: Post, replies: dict[str | None, list[Post]]) -> dict[str, Any]:
        """An item of the items endpoint, its visible `replies` (by parent id) nested in
        `children`."""
        story_id = post.id if post.kind == "post" else post.conversation_id or post.id
        return {
            "id": int(post.id),
            "created_at": _timestamp(post.created_at),
            "created_at_i": int(post.created_at.timestamp()),
            "type": "story" if post.kind == "post" else "comment",
            "author": post.author.handle,
            "title": post.title if post.kind == "post" else None,
            "url": _link(post) if post.kind == "post" and not post.text else None,
            "text": _html(post.text) or None,
            "points": post.score + 1 if post.kind == "post" else None,
            "parent_id": None if post.kind == "post" else int(post.in_reply_to or story_id),
            "story_id": int(story_id),
            "options": [],
            "children": [self._item(reply, replies) for reply in replies.get(post.id, [])],
        }

    def _hit(self, post: Post) -> dict[str, Any]:
        seconds = int(post.created_at.timestamp())
        story_id = post.id if post.kind == "post" else post.conversation_id or post.id
        hit: dict[str, Any] = {
            "objectID": post.id,
            "author": post.author.handle,
            "created_at": _timestamp(post.created_at),
            "created_at_i": seconds,
            "updated_at": _timestamp(post.created_at),
            "story_id": int(story_id),
            "_tags": _post_tags(post),
        }
        if post.kind == "post":
            return hit | {
                "title": post.title or "",
                "url": None if post.text else _link(post),
                "story_text": _html(post.text) or None,
                "points": post.score + 1,
            }
        story = self.timeline.by_id(story_id)
        return hit | {
            "comment_text": _html(post.text),
            "parent_id": int(post.in_reply_to or story_id),
            "story_title": story.title if story else None,
            "story_url": _link(story) if story and not story.text else None,
            "points": None,
        }


def _searchable(post: Post) -> str:
    """What Algolia searches: the title, the text, and a link story's URL."""
    link = _link(post) if post.kind == "post" and not post.text else ""
    return f"{post.title or ''}\n{post.text}\n{link}"


def _link(post: Post) -> str:
    """Where a link story points: a page named after its title."""
    slug = re.sub(r"\W+", "-", (post.title or "").lower()).strip("-")[:60]
    return f"https://example.com/{slug or post.id}"


def _post_tags(post: Post) -> list[str]:
    story_id = post.id if post.kind == "post" else post.conversation_id or post.id
    tags = ["story" if post.kind == "post" else "comment", f"author_{post.author.handle}"]
    tags.append(f"story_{story_id}")
    title = (post.title or "").lower()
    tags += [kind.replace(" ", "_") for kind in ("ask hn", "show hn") if title.startswith(kind)]
    return tags


def _tags(value: str) -> Callable[[list[str]], bool]:
    """`tags` as Algolia reads it: comma-separated filters all apply; a parenthesised group of
    them applies when any one does."""
    groups: list[set[str]] = []
    for part in re.findall(r"\([^)]*\)|[^,()]+", value):
        names = {name.strip() for name in part.strip("()").split(",") if name.strip()}
        if names:
            groups.append(names)
    if value.count("(") != value.count(")"):
        raise ApiError(400, f"invalid tags syntax: {value}")
    return lambda tags: all(group & set(tags) for group in groups)


def _numeric_filters(
    value: str,
) -> tuple[int | None, int | None, dict[str, Callable[[int], bool]]]:
    """`numericFilters` as key bounds on `created_at_i` (exclusive, for `Timeline.page`) and
    predicates on `points`."""
    above: int | None = None
    below: int | None = None
    points: dict[str, Callable[[int], bool]] = {}
    for condition in filter(str.strip, value.split(",")):
        found = _NUMERIC.match(condition)
        if found is None:
            raise ApiError(400, f"invalid numericFilters: {condition.strip()}")
        name, sign, number = found.group(1), found.group(2), int(found.group(3))
        if name == "points":
            compare = _COMPARE[sign]
            points[condition.strip()] = lambda score, compare=compare, number=number: compare(
                score + 1, number
            )
            continue
        if sign == "!=":
            raise ApiError(400, "created_at_i cannot be filtered with !=")
        if sign in (">", ">=", "="):
            floor = _second_key(number + (sign == ">")) - 1
            above = floor if above is None else max(above, floor)
        if sign in ("<", "<=", "="):
            ceiling = _second_key(number + (sign != "<"))
            below = ceiling if below is None else min(below, ceiling)
    return above, below, points


def _second_key(seconds: int) -> int:
    """The smallest key of a post created at epoch second `seconds`."""
    return post_key(datetime.fromtimestamp(seconds, UTC), 0)


def _integer(request: web.Request, name: str, default: int, low: int, high: int | None) -> int:
    value = request.query.get(name)
    try:
        number = default if value is None else int(value)
    except ValueError:
        raise ApiError(400, f"{name} must be an integer") from None
    if number < low or (high is not None and number > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ApiError(400, f"{name} must be {bounds}")
    return number


def _html(text: str) -> str:
    """Text as Hacker News stores it: HTML-escaped, paragraphs joined by `<p>`."""
    return "<p>".join(html.escape(part) for part in re.split(r"\n\s*\n", text.strip()) if part)


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
