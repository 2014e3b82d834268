"""The posts the sandbox serves, and the index every route set pages through.

Ids follow time, as X's snowflakes do: milliseconds since the X epoch, then a sequence number.
So "visible at `now`", "since this id" and "before this id" are all bisections of one sorted
list, and a page costs O(log n + page size) even with 50,000 mentions loaded.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from socialcx.channels import Channel

__all__ = [
    "Author",
    "Page",
    "Post",
    "PostKind",
    "Predicate",
    "Timeline",
    "Visibility",
    "base36",
    "post_id",
    "post_key",
    "visible_key",
]

PostKind = Literal["post", "comment"]
Visibility = Literal["public", "direct"]
Predicate = Callable[["Post"], bool]
Removal = Literal["deleted", "removed"]

_X_EPOCH_MS = 1288834974657
_SEQ_BITS = 22
_SEQ_MASK = (1 << _SEQ_BITS) - 1
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
_TID_DIGITS = "234567abcdefghijklmnopqrstuvwxyz"
_MAX_VIEWS = 256  # cached filtered views per channel; the least recently used goes first


@dataclass(frozen=True, slots=True)
class Author:
    """Who wrote a post. `id` is numeric text, as X user ids are; Reddit shows it in base 36."""

    id: str
    handle: str
    name: str
    followers: int


@dataclass(frozen=True, slots=True)
class Post:
    """One post on one channel, as the platform would store it.

    `kind` tells Reddit submissions (`post`) from comments. `in_reply_to` and `conversation_id`
    use the platform's own references (an X tweet id; a Reddit fullname and submission id).
    A `direct` post is a Mastodon direct message: a status only the people in it see.
    """

    channel: Channel
    key: int
    id: str
    created_at: datetime
    author: Author
    text: str
    language: str | None = None
    kind: PostKind = "post"
    title: str | None = None
    community: str | None = None
    in_reply_to: str | None = None
    parent_author: Author | None = None
    conversation_id: str | None = None
    score: int = 0
    visibility: Visibility = "public"


@dataclass(frozen=True, slots=True)
class Page:
    """Posts of one listing request, newest first, and whether more lie beyond them."""

    posts: list[Post]
    more: bool


def base36(number: int) -> str:
    """`number` in base 36, the alphabet of Reddit ids."""
    digits = []
    while True:
        number, digit = divmod(number, 36)
        digits.append(_DIGITS[digit])
        if not number:
            return "".join(reversed(digits))


def post_key(created_at: datetime, seq: int) -> int:
    """The sort key of a post: a snowflake from its creation time and a sequence number."""
    milliseconds = int(created_at.timestamp() * 1000) - _X_EPOCH_MS
    return milliseconds << _SEQ_BITS | (seq & _SEQ_MASK)


def visible_key(now: datetime) -> int:
    """The largest key a post created at or before `now` can have."""
    return post_key(now, _SEQ_MASK)


def post_id(channel: Channel, key: int) -> str:
    """The id a platform shows for a key: base 36 on Reddit, a record key (TID) on Bluesky,
    decimal elsewhere (as X does)."""
    if channel is Channel.REDDIT:
        return base36(key)
    if channel is Channel.BLUESKY:
        return _tid(key)
    return str(key)


def _tid(key: int) -> str:
    """A Bluesky TID for a key: microseconds since 1970 and a 10-bit clock id, in sortable base
    32, thirteen characters. Keys of one millisecond keep their order for the first million."""
    milliseconds, seq = (key >> _SEQ_BITS) + _X_EPOCH_MS, key & _SEQ_MASK
    value = (milliseconds * 1000 + seq // 1024 % 1000) << 10 | seq % 1024
    return "".join(_TID_DIGITS[value >> shift & 31] for shift in range(60, -1, -5))


class Timeline:
    """The posts of one channel sorted by key, with lazily built, cached filtered views.

    A view is the sorted keys of the posts one predicate accepts (a search query, the mentions
    of one user, the comments of one subreddit). It is built on first use and kept up to date as
    posts are added, so repeated polls of the same query never scan the whole channel again.
    """

    def __init__(self, channel: Channel, posts: Iterable[Post] = ()) -> None:
        self.channel = channel
        self._posts = {post.key: post for post in posts}
        self._keys = sorted(self._posts)
        self._by_id = {post.id: post for post in self._posts.values()}
        self._views: OrderedDict[Hashable, tuple[Predicate, list[int]]] = OrderedDict()
        self._removed: dict[int, Removal] = {}
        self._seq = 0

    def __len__(self) -> int:
        return len(self._keys)

    def posts(self) -> Iterable[Post]:
        """Every post, visible or not, in key order."""
        return (self._posts[key] for key in self._keys)

    def count(self, until: int) -> int:
        """How many posts have a key up to `until`."""
        return bisect.bisect_right(self._keys, until)

    def by_id(self, post_id: str) -> Post | None:
        return self._by_id.get(post_id)

    def mint(self, created_at: datetime) -> tuple[int, str]:
        """A fresh key and id for a post created now on this channel."""
        while True:
            key = post_key(created_at, self._seq)
            self._seq += 1
            if key not in self._posts:
                return key, post_id(self.channel, key)

    def add(self, post: Post) -> None:
        """Store a new post and file it in every cached view that accepts it."""
        self._posts[post.key] = post
        self._by_id[post.id] = post
        bisect.insort(self._keys, post.key)
        for match, keys in self._views.values():
            if match(post):
                bisect.insort(keys, post.key)

    def remove(self, post: Post, how: Removal) -> None:
        """Mark a post deleted by its author or removed by a moderator; it keeps its place."""
        self._removed[post.key] = how

    def removal(self, post: Post) -> Removal | None:
        return self._removed.get(post.key)

    def page(
        self,
        view: Hashable,
        match: Predicate | None,
        *,
        until: int,
        above: int | None = None,
        below: int | None = None,
        limit: int,
        nearest: bool = False,
        overlap: int = 0,
    ) -> Page:
        """Up to `limit` posts accepted by `match` with `above < key < below` and `key <= until`,
        newest first.

        The newest such posts come back, or with `nearest` the ones just above `above` (Reddit's
        `before`). `overlap` widens the range by that many posts on the side the client already
        read: back over `below` when it is set (the previous page), else under `above` (the
        previous poll), so those posts come again, as duplicates across pages do on real APIs.
        """
        keys = self._keys if match is None else self._view(view, match)
        newest = bisect.bisect_right(keys, until)
        low = 0 if above is None else bisect.bisect_right(keys, above)
        high = newest if below is None else min(newest, bisect.bisect_left(keys, below))
        if overlap and below is not None:
            high = min(newest, high + overlap)
        elif overlap:
            low = max(0, low - overlap)
        if nearest:
            chosen, more = keys[low : min(high, low + limit)], low + limit < high
        else:
            chosen, more = keys[max(low, high - limit) : high], high - limit > low
        return Page([self._posts[key] for key in reversed(chosen)], more)

    def _view(self, view: Hashable, match: Predicate) -> list[int]:
        if view in self._views:
            self._views.move_to_end(view)
            return self._views[view][1]
        keys = [key for key in self._keys if match(self._posts[key])]
        self._views[view] = (match, keys)
        if len(self._views) > _MAX_VIEWS:
            self._views.popitem(last=False)
        return keys
