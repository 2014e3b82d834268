"""RSS and Atom feeds (blogs, review sites, alert feeds) with aiohttp and feedparser.

Each of a watch's feeds is fetched with a conditional GET: the `ETag` and `Last-Modified` of the
last answer go back as `If-None-Match` and `If-Modified-Since`, so an unchanged feed costs a 304
and no parsing. A feed lists only its latest entries, in no promised order; what is new is told
by a watermark per feed: the newest entry time read, and the ids of the entries at that very
time. Entries without a date count as published when fetched; those are remembered by id for as
long as the feed lists them. Entries are kept when their title or text names one of the watch's
terms as a whole word.

A feed that cannot be read (no entries in it, or cut short) is dead-lettered whole, and asked for
again in full on the next poll; a readable feed with small faults (feedparser's "bozo" flag) is
taken for what feedparser recovers. A throttled or failing feed never holds the others back.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import re
from calendar import timegm
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aiohttp
import feedparser

from connectors.base import (
    Capabilities,
    ChannelUnavailable,
    Connector,
    HttpAnswer,
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

__all__ = ["RssConnector"]

TIMEOUT_SECONDS = 20.0
_ID_CHARS = 255  # the store's width for an external id
_CLOSED = re.compile(rb"</(?:[\w.-]+:)?(?:rss|feed|RDF)>\s*$")


@dataclass
class _Feed:
    """Where one feed stands: the validators of its last answer, the watermark of its dated
    entries, the ids of the undated ones it lists, when it may be asked again after a 429, and
    the poll that last read it."""

    etag: str | None = None
    modified: str | None = None
    read: Watermark = field(default_factory=Watermark)
    undated: list[str] = field(default_factory=list)
    resume_at: float | None = None
    turn: int = 0

    def __post_init__(self) -> None:
        if isinstance(self.read, dict):
            self.read = Watermark(**self.read)

    def waits(self, now: datetime) -> bool:
        """Whether the feed's site asked us to wait past `now`."""
        return self.resume_at is not None and self.resume_at > now.timestamp()

    def conditions(self) -> dict[str, str]:
        """The headers of a conditional GET."""
        headers = {"If-None-Match": self.etag} if self.etag else {}
        return headers | ({"If-Modified-Since": self.modified} if self.modified else {})


class RssConnector(Connector):
    """RSS and Atom feeds via aiohttp and feedparser (alias `rss`)."""

    channel = Channel.RSS
    capabilities = Capabilities(
        can_reply=False, can_search=False, cursor_kind="etag", private_messages=False
    )
    description = """\
Follows RSS and Atom feeds (blogs, review sites, app-store review feeds, alert feeds) with
aiohttp and feedparser. Read-only: answer on the site, from the entry's link.

Settings ([channels.rss]):
  credentials                      none: feeds are public
  base_url                         where feeds given as paths (/feeds/reviews.xml) live; unset
                                   by default, when every feed must be a full URL
  poll_interval_seconds            default 300; 900 or more is polite to small sites. An unchanged
                                   feed costs a 304 (conditional GET), and a 429 is waited out
                                   for that feed alone, as long as its Retry-After says
  requests_per_window, window_minutes
                                   a request per feed per poll; polls never exceed the budget
What it follows: each of the watch's `feeds`; an entry counts when its title or text names a
keyword, hashtag or handle as a whole word, case-insensitive (every entry when the watch names
none). Entries without a date count as published when first fetched.
Sample mention:
  {"external_id": "https://reviews.example.com/acme-lost-my-parcel-1861",
   "author_name": "Jess M", "text": "Acme lost my parcel\\n\\nThree weeks and still nothing...",
   "url": "https://reviews.example.com/acme-lost-my-parcel-1861",
   "created_at": "2026-11-23T17:33:40Z", "conversation_id": "https://reviews.example.com/..."}"""

    async def poll(
        self, watch: WatchConfig, cursor: str | None, *, max_requests: int
    ) -> PollResult:
        feeds, now = Streams(_Feed, cursor), self.clock.now()
        urls = list(dict.fromkeys(watch.feeds))
        due = [url for url in urls if not feeds.states.get(url, _Feed()).waits(now)]
        pattern = watch_pattern(watch)
        found: list[Mention | Rejected] = []
        requests, errors = 0, []
        async with http_session(TIMEOUT_SECONDS) as session:
            for url, feed in feeds.in_turn(due if max_requests > 0 else []):
                requests += 1
                try:
                    answer = await self._fetch(session, url, feed)
                except Throttled as exc:
                    feed.resume_at = exc.until.timestamp()
                except (ChannelUnavailable, Refused) as exc:
                    errors.append(str(exc))
                else:
                    feed.resume_at = None
                    if answer.status != 304:
                        found += await asyncio.to_thread(_read, url, answer, feed, pattern, now)
                if requests >= max_requests:
                    break
        # Throttling holds the watch back only when every one of its feeds is waiting.
        states = [feeds.states[url] for url in urls if url in feeds.states]
        waiting = [state.resume_at for state in states if state.waits(now)]
        throttled = bool(urls) and len(waiting) == len(urls)
        return PollResult(
            Batch(self.channel, watch.name, oldest_first(found), cursor=feeds.cursor()),
            requests=requests,
            throttled_until=datetime.fromtimestamp(min(waiting), UTC) if throttled else None,
            error="; ".join(errors) or None,
        )

    async def _fetch(self, session: aiohttp.ClientSession, url: str, feed: _Feed) -> HttpAnswer:
        if not url.startswith(("http://", "https://")):
            if not self.config.base_url or not url.startswith("/"):
                raise Refused(
                    f"rss: feed {url!r} is not a URL; give it in full, or as a path under "
                    "[channels.rss] base_url"
                )
            url = self.config.base_url + url
        return await self.http_get(session, f"fetching {url}", url, headers=feed.conditions())


def _read(
    url: str, answer: HttpAnswer, feed: _Feed, pattern: re.Pattern[str] | None, now: datetime
) -> list[Mention | Rejected]:
    """The new entries of a fetched feed that name the watch's terms; `feed` moves past them.

    A feed that cannot be read is one Rejected item, and `feed` stays as it was.
    """
    parsed = feedparser.parse(
        io.BytesIO(answer.body),  # bytes alone would be taken for a file name
        response_headers={key.lower(): value for key, value in answer.headers.items()},
    )
    problem = _unreadable(parsed, answer.body)
    if problem:
        return [Rejected(answer.body.decode("utf-8", "replace"), f"{problem} ({url})")]
    newest, undated, new = Watermark(), [], []
    for entry in parsed.entries:
        mention = _mention(url, entry, now)
        if isinstance(mention, Rejected):
            new.append(mention)
            continue
        external_id = mention.external_id
        if mention.raw["dated"]:
            at = mention.created_at.timestamp()
            if feed.read.behind(at, external_id):
                continue
            newest.note(at, external_id)
        else:
            undated.append(external_id)
            if external_id in feed.undated:
                continue
        if pattern is None or pattern.search(mention.text):
            new.append(mention)
    feed.read.advance(newest)
    feed.undated = sorted(set(undated))
    feed.etag = answer.headers.get("ETag")
    feed.modified = answer.headers.get("Last-Modified")
    return new


def _unreadable(parsed: Any, body: bytes) -> str | None:
    """Why a parsed feed cannot be used, if it cannot: it is no feed at all (a feed with no
    entries still says which kind it is), or it is broken and its end is missing."""
    problem = f": {parsed['bozo_exception']}" if parsed.get("bozo") else ""
    if not parsed.entries and (problem or not parsed.get("version")):
        return f"not a feed{problem}"
    if problem and not _CLOSED.search(body):
        return f"a feed cut short{problem}"
    return None


def _mention(url: str, entry: Any, fetched_at: datetime) -> Mention | Rejected:
    """A feed entry, as feedparser gives it, in our field names; `fetched_at` dates an undated
    one. The raw payload keeps the entry's own fields, as text."""
    contents = entry.get("content") or [entry.get("summary_detail")]
    parts = (_readable(entry.get("title_detail")), _readable(contents[0]))
    text = "\n\n".join(part for part in parts if part)
    if not text:
        return Rejected(_raw(entry, None), f"feed entry without a title or text ({url})")
    published = dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")
    try:
        created = datetime.fromtimestamp(timegm(published), UTC) if published else None
    except (OverflowError, ValueError, TypeError):
        created = None
    link = _text(entry.get("link")) or None
    return Mention(
        external_id=_external_id(url, _text(entry.get("id")) or link, text),
        text=text,
        created_at=created or fetched_at,
        author_name=_text(entry.get("author")) or None,
        url=link,
        raw=_raw(entry, created),
    )


def _external_id(feed_url: str, entry_id: str | None, text: str) -> str:
    """The entry's id when it is a URI that fits the store; else a digest of what names it."""
    if entry_id and ":" in entry_id and len(entry_id) <= _ID_CHARS:
        return entry_id
    named = f"{feed_url}\n{entry_id or text}".encode("utf-8", "surrogatepass")
    digest = hashlib.sha256(named).hexdigest()
    return f"sha256:{digest}"


def _raw(entry: Any, created: datetime | None) -> dict[str, Any]:
    fields = ("id", "title", "link", "published", "updated", "author", "summary")
    return {key: _text(dict.get(entry, key)) for key in fields if dict.get(entry, key)} | {
        "dated": created is not None
    }


def _readable(detail: Any) -> str:
    """The text of a feed field (a `title_detail`, a `content` item), without its markup when it
    is HTML: a plain-text title may well say "<3"."""
    if not isinstance(detail, dict):
        return ""
    value = _text(detail.get("value"))
    return plain_text(value) if "html" in _text(detail.get("type")) else value.strip()


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
