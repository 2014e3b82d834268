"""Blogs, review sites and alert feeds, each served as RSS 2.0 and as Atom.

    GET /feeds/:name.xml     RSS 2.0 (`application/rss+xml`)
    GET /feeds/:name.atom    Atom 1.0 (`application/atom+xml`)

A feed is named after the `community` of the channel's posts (`reviews`, `blog`, `alerts`, …)
and lists the newest 50 visible ones, newest first, as real feeds keep only their latest entries.
An entry's title is the post's title, its body the post's text as HTML, its link (also its id)
a page on the feed's site. Every answer carries an `ETag` and a `Last-Modified` (the newest
entry's time); a request whose `If-None-Match`, or failing that `If-Modified-Since`, still holds
gets 304 and no body. Feeds need no credentials; a site that is asked too often answers 429 with
`Retry-After`. Deleted posts leave the feed. Under a `duplicates` fault the first entries are
listed twice; under `malformed` the XML is cut in half.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any, ClassVar
from xml.etree import ElementTree as ET

from aiohttp import web

from socialcx.channels import Channel
from socialcx.sandbox.base import FAULT, ApiError, ChannelApi, Route, World
from socialcx.sandbox.limits import Budget, RateState
from socialcx.sandbox.posts import Post
from socialcx.sandbox.scenario import FEEDS

__all__ = ["RssApi"]

FEED_ENTRIES = 50
_ATOM = "http://www.w3.org/2005/Atom"
_DC = "http://purl.org/dc/elements/1.1/"

Render = Callable[[str, list[dict[str, Any]], datetime], bytes]

ET.register_namespace("dc", _DC)


class RssApi(ChannelApi):
    """RSS 2.0 and Atom feeds (alias `rss`), with conditional GET."""

    channel = Channel.RSS
    budgets: ClassVar[dict[str, Budget]] = {"rss": Budget(1_000, 3600)}
    required_fields = ("published", "id", "title")

    def __init__(self, sandbox: World) -> None:
        super().__init__(sandbox)
        # The brand's usual feeds exist even on days nobody writes in them.
        self.feeds = sorted(set(FEEDS) | {post.community for post in self.timeline.posts() if post.community})

    def routes(self) -> list[Route]:
        return [
            Route("rss.xml", "GET", "/feeds/{name}.xml", self.rss, "rss", lists_posts=True),
            Route("rss.atom", "GET", "/feeds/{name}.atom", self.atom, "rss", lists_posts=True),
        ]

    def authorized(self, request: web.Request, route: Route) -> bool:
        return True  # feeds are public

    def error(self, status: int, message: str) -> web.Response:
        return web.Response(status=status, text=message)

    def rate_headers(self, state: RateState) -> dict[str, str]:
        return {"Retry-After": str(state.reset_in)} if state.remaining == 0 else {}

    async def rss(self, request: web.Request) -> web.Response:
        return self._feed(request, _rss, "application/rss+xml")

    async def atom(self, request: web.Request) -> web.Response:
        return self._feed(request, _atom, "application/atom+xml")

    def _feed(self, request: web.Request, render: Render, content_type: str) -> web.Response:
        name = request.match_info["name"]
        if name not in self.feeds:
            raise ApiError(404, f"no feed at {request.path}")
        page = self.listing(
            request,
            ("feed", name),
            lambda post: post.community == name,
            above=None,
            below=None,
            limit=FEED_ENTRIES,
        )
        posts = [post for post in page.posts if not self.timeline.removal(post)]
        fault = request.get(FAULT)
        if fault is not None and fault.kind == "duplicates":
            posts += posts[: fault.items]
        entries = [_entry(name, post) for post in posts]
        self.strip_fields(request, entries)
        modified = posts[0].created_at if posts else self.sandbox.scenario.start
        body = render(name, entries, modified)
        headers = {
            "ETag": f'"{hashlib.sha1(body).hexdigest()[:20]}"',
            "Last-Modified": format_datetime(modified.replace(microsecond=0), usegmt=True),
        }
        if _still_valid(request, headers["ETag"], modified):
            return web.Response(status=304, headers=headers)
        return web.Response(body=body, content_type=content_type, charset="utf-8", headers=headers)


def _site(name: str) -> str:
    return f"https://{name}.example.com"


def _entry(name: str, post: Post) -> dict[str, Any]:
    slug = re.sub(r"\W+", "-", (post.title or "").lower()).strip("-")[:60]
    link = f"{_site(name)}/{slug or 'post'}-{post.id}"
    paragraphs = (part for part in re.split(r"\n\s*\n", post.text.strip()) if part)
    return {
        "id": link,
        "link": link,
        "title": post.title or "",
        "published": post.created_at,
        "author": post.author.name,
        "summary": "".join(f"<p>{html.escape(part)}</p>" for part in paragraphs),
    }


def _still_valid(request: web.Request, etag: str, modified: datetime) -> bool:
    """Whether the client's copy is current: its ETag, or without one its date, still holds."""
    if "If-None-Match" in request.headers:
        listed = request.headers["If-None-Match"].split(",")
        tags = {tag.strip().removeprefix("W/") for tag in listed}
        return etag in tags or "*" in tags
    since = request.headers.get("If-Modified-Since")
    try:
        return since is not None and modified.replace(microsecond=0) <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False


def _rss(name: str, entries: list[dict[str, Any]], modified: datetime) -> bytes:
    root = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(root, "channel")
    _add(channel, "title", f"{name.title()} — latest posts")
    _add(channel, "link", _site(name))
    _add(channel, "description", f"What {name} says, newest first")
    _add(channel, "lastBuildDate", format_datetime(modified, usegmt=True))
    for entry in entries:
        item = ET.SubElement(channel, "item")
        if "title" in entry:
            _add(item, "title", entry["title"])
        _add(item, "link", entry["link"])
        if "id" in entry:
            ET.SubElement(item, "guid", {"isPermaLink": "true"}).text = entry["id"]
        if "published" in entry:
            _add(item, "pubDate", format_datetime(entry["published"], usegmt=True))
        _add(item, f"{{{_DC}}}creator", entry["author"])
        _add(item, "description", entry["summary"])
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _atom(name: str, entries: list[dict[str, Any]], modified: datetime) -> bytes:
    root = ET.Element("feed", {"xmlns": _ATOM})
    _add(root, "id", f"{_site(name)}/")
    _add(root, "title", f"{name.title()} — latest posts")
    _add(root, "updated", modified.isoformat())
    ET.SubElement(root, "link", {"rel": "alternate", "href": _site(name)})
    for entry in entries:
        item = ET.SubElement(root, "entry")
        if "id" in entry:
            _add(item, "id", entry["id"])
        if "title" in entry:
            _add(item, "title", entry["title"])
        ET.SubElement(item, "link", {"rel": "alternate", "href": entry["link"]})
        if "published" in entry:
            _add(item, "published", entry["published"].isoformat())
            _add(item, "updated", entry["published"].isoformat())
        _add(ET.SubElement(item, "author"), "name", entry["author"])
        ET.SubElement(item, "content", {"type": "html"}).text = entry["summary"]
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _add(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = text
    return element
