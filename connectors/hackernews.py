"""Hacker News through Algolia's search API (hn.algolia.com), with bare aiohttp.

Each of a watch's terms (keywords, handles and hashtags, without their `@` and `#`) is one search
by date over stories and comments. A search pages newest first, by `page` up to `nbPages`, back
to the stream's watermark: the newest `created_at_i` fully read, and the objectIDs seen at that
very second (many items share one). The first page fixes the top of the run, so that items posted
meanwhile do not shift the pages under us; past Algolia's 1000-hit paging limit the run continues
below the oldest second reached. A poll cut short keeps its place in the cursor.

Algolia matches words loosely (the last one as a prefix, with typos), so every hit is checked
against the watch's terms as whole words. Hacker News has no API to post with: the connector is
read-only, and each mention carries the item's page for a human to answer on the site.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import aiohttp

from connectors.base import (
    Capabilities,
    ChannelUnavailable,
    Connector,
    PollResult,
    Refused,
    Streams,
    Throttled,
    Watermark,
    http_session,
    oldest_first,
    plain_text,
    watch_pattern,
)
from socialcx.channels import Channel
from socialcx.config import WatchConfig
from socialcx.mention import Batch, Mention, Rejected

__all__ = ["HackerNewsConnector"]

API = "https://hn.algolia.com"
SITE = "https://news.ycombinator.com"
PAGE_SIZE = 100
TIMEOUT_SECONDS = 20.0


@dataclass
class _Stream:
    """Where one term's search stands. `since` is the watermark of what is behind us. With `top`,
    a run is under way: it reads items up to that second, page `page` next; `newest` is the
    watermark it reached, which becomes `since` once the run is done. `turn` numbers the poll
    that last read the stream."""

    since: Watermark = field(default_factory=Watermark)
    newest: Watermark = field(default_factory=Watermark)
    top: int | None = None
    page: int = 0
    turn: int = 0

    def __post_init__(self) -> None:
        if isinstance(self.since, dict):
            self.since = Watermark(**self.since)
        if isinstance(self.newest, dict):
            self.newest = Watermark(**self.newest)

    def filters(self) -> str:
        bounds = []
        if self.since.at is not None:
            bounds.append(f"created_at_i>={int(self.since.at)}")
        if self.top is not None:
            bounds.append(f"created_at_i<={self.top}")
        return ",".join(bounds)

    def page_read(self, hits: list[Any], pages: int, found: int) -> bool:
        """Move past a page, to the next one or to the end of the run; whether the run goes on."""
        times = [time for time in map(_created, hits) if time is not None]
        if times and self.top is None:
            self.top = int(max(times))  # later pages stay below it, whatever is posted meanwhile
        if times and self.page + 1 < pages:
            self.page += 1
            return True
        if times and found > (self.page + 1) * PAGE_SIZE:
            # Past Algolia's paging limit: read on below the oldest second reached (its items come
            # again and are told apart by id); a second with more hits than the limit is left.
            oldest = int(min(times))
            self.top = oldest if self.top is None or oldest < self.top else self.top - 1
            self.page = 0
            return True
        self.since.advance(self.newest)
        self.newest, self.top, self.page = Watermark(), None, 0
        return False


class HackerNewsConnector(Connector):
    """Hacker News via the Algolia search API (alias `hackernews`)."""

    channel = Channel.HACKERNEWS
    # One item per look-up: Algolia's items endpoint takes one id. Hacker News has no private
    # messages at all: a case that needs one goes to a person.
    capabilities = Capabilities(
        can_reply=False,
        can_search=True,
        cursor_kind="created_time",
        fetch_limit=1,
        private_messages=False,
    )
    description = """\
Follows Hacker News stories and comments through Algolia's search API (hn.algolia.com), with
aiohttp. Read-only: answer on news.ycombinator.com, from the link each mention carries.

Settings ([channels.hackernews]):
  credentials                      none: the API is open to all
  base_url                         default https://hn.algolia.com; the sandbox's URL in tests
  requests_per_window, window_minutes
                                   Algolia allows 10,000 requests an hour per IP address; polls
                                   never exceed the budget you set
What it follows: each of the watch's keywords, handles and hashtags (without @ and #), searched
by date in stories and comments, kept when the title, text or link names one as a whole word,
case-insensitive ("acme" finds "Acme's", never "acmecorp"). Subreddits and feeds are ignored.
A hit served without a field we need is dead-lettered and looked up again by id
(/api/v1/items/<id>) on later polls.
Sample mention:
  {"external_id": "41871552", "author_handle": "tptacek",
   "text": "Acme's checkout has been down for an hour and nobody says why",
   "url": "https://news.ycombinator.com/item?id=41871552", "created_at": "2026-11-23T17:33:40Z",
   "in_reply_to_id": "41871001", "conversation_id": "41870007"}"""

    async def poll(
        self, watch: WatchConfig, cursor: str | None, *, max_requests: int
    ) -> PollResult:
        streams = Streams(_Stream, cursor)
        pattern = watch_pattern(watch)
        found: list[Mention | Rejected] = []
        requests, throttled_until, errors = 0, None, []
        async with http_session(TIMEOUT_SECONDS) as session:
            for term, stream in streams.in_turn(_terms(watch)):
                try:
                    while requests < max_requests:
                        requests += 1
                        body = await self._search(session, term, stream)
                        hits = body.get("hits") if isinstance(body, dict) else None
                        if not isinstance(hits, list):
                            # The stream stays where it was, to ask for this page again.
                            found.append(Rejected(body, f"not a page of Hacker News hits ({term})"))
                            break
                        found += _new_mentions(hits, stream, pattern)
                        pages, total = _count(body, "nbPages"), _count(body, "nbHits")
                        if not stream.page_read(hits, pages, total):
                            break
                except Throttled as exc:
                    throttled_until = exc.until
                    break
                except (ChannelUnavailable, Refused) as exc:
                    errors.append(str(exc))
                if requests >= max_requests:
                    break
        return PollResult(
            Batch(self.channel, watch.name, oldest_first(found), cursor=streams.cursor()),
            requests=requests,
            throttled_until=throttled_until,
            error="; ".join(errors) or None,
        )

    async def fetch(self, watch: WatchConfig, ids: Sequence[str]) -> Batch:
        [item_id] = ids
        what = f"looking item {item_id} up again"
        url = f"{self.config.base_url or API}/api/v1/items/{quote(item_id, safe='')}"
        async with http_session(TIMEOUT_SECONDS) as session:
            answer = await self.http_get(session, what, url, gone_ok=True)
        if answer.status == 404:
            return Batch(self.channel, watch.name, [])
        try:
            item = json.loads(answer.body.decode("utf-8", "replace"))
        except ValueError as exc:
            message = f"hackernews answered {what} with something that is not JSON"
            raise ChannelUnavailable(message) from exc
        return Batch(self.channel, watch.name, [_mention(_as_hit(item))])

    async def _search(self, session: aiohttp.ClientSession, term: str, stream: _Stream) -> Any:
        """One page of a search by date, as JSON, or the text of an answer that is not JSON."""
        params = {
            "query": term,
            "tags": "(story,comment)",
            "hitsPerPage": str(PAGE_SIZE),
            "page": str(stream.page),
        }
        if filters := stream.filters():
            params["numericFilters"] = filters
        url = f"{self.config.base_url or API}/api/v1/search_by_date"
        answer = await self.http_get(session, f"search for {term}", url, params=params)
        text = answer.body.decode("utf-8", "replace")
        try:
            return json.loads(text)
        except ValueError:
            return text


def _terms(watch: WatchConfig) -> list[str]:
    """The distinct searches a watch needs: its terms without `@` and `#`, any case once."""
    terms = [
        *watch.keywords,
        *(handle.lstrip("@") for handle in watch.handles),
        *(tag.lstrip("#") for tag in watch.hashtags),
    ]
    return list(dict.fromkeys(term.lower() for term in terms if term.strip("@#")))


def _new_mentions(
    hits: list[Any], stream: _Stream, pattern: re.Pattern[str] | None
) -> list[Mention | Rejected]:
    """The hits of a page the stream has not read, as mentions when they name one of the
    watch's terms in their title, text or link; noted in the stream's run. A broken hit that
    names its item is noted too: its dead letter looks it up again by id."""
    new: list[Mention | Rejected] = []
    for hit in hits:
        created, mention = _created(hit), _mention(hit)
        if created is not None and mention.external_id is not None:
            if stream.since.behind(created, mention.external_id):
                continue
            stream.newest.note(created, mention.external_id)
        if isinstance(mention, Rejected) or pattern is None:
            new.append(mention)
        elif pattern.search(f"{mention.text}\n{mention.raw.get('url') or ''}"):
            new.append(mention)
    return new


def _as_hit(item: Any) -> Any:
    """An item of the items endpoint in the field names of a search hit, without its replies, so
    that one mapping (`_mention`) reads both."""
    if not isinstance(item, dict):
        return item
    story = item.get("type") != "comment"
    names = {"id": "objectID", "text": "story_text" if story else "comment_text"}
    hit = {names.get(key, key): value for key, value in item.items() if key != "children"}
    return hit | {"_tags": ["story" if story else "comment"]}


def _mention(hit: Any) -> Mention | Rejected:
    """A story or comment in our field names."""
    if not isinstance(hit, dict):
        return Rejected(hit, "Hacker News listed a hit that is not an object")
    item_id = None if hit.get("objectID") is None else str(hit["objectID"])
    missing = [key for key in ("objectID", "created_at_i", "author") if hit.get(key) is None]
    if missing:
        return Rejected(hit, f"Hacker News item without {', '.join(missing)}", external_id=item_id)
    created = _created(hit)
    is_comment = "comment" in (hit.get("_tags") or []) or hit.get("comment_text") is not None
    if is_comment:
        title, markup = None, hit.get("comment_text")
    else:
        title, markup = hit.get("title"), hit.get("story_text")
    if created is None or not all(isinstance(part, str | None) for part in (title, markup)):
        reason = "Hacker News item whose text or creation time is malformed"
        return Rejected(hit, reason, external_id=item_id)
    # Titles are plain text; story and comment texts are HTML.
    parts = ((title or "").strip(), plain_text(markup or ""))
    text = "\n\n".join(part for part in parts if part)
    if not text:
        return Rejected(hit, "Hacker News item without text", external_id=item_id)
    story_id = hit.get("story_id")
    return Mention(
        external_id=item_id,
        text=text,
        created_at=datetime.fromtimestamp(created, UTC),
        author_handle=str(hit["author"]),
        url=f"{SITE}/item?id={item_id}",
        in_reply_to_id=str(hit["parent_id"]) if is_comment and hit.get("parent_id") else None,
        conversation_id=str(story_id) if story_id is not None else item_id,
        raw=hit,
    )


def _created(hit: Any) -> float | None:
    created = hit.get("created_at_i") if isinstance(hit, dict) else None
    if isinstance(created, bool) or not isinstance(created, int | float):
        return None
    return float(created)


def _count(body: dict[str, Any], key: str) -> int:
    value = body.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
