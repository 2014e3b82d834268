"""Telling cross-posts apart: the same words from the same person on two channels, or two posts
sharing the same link (a blog post shared to Hacker News and Reddit).

The inbox groups them into one conversation, so an agent answers once; every original is kept.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["author_key", "links_of", "same_words"]

SIMILAR = 0.7  # Jaccard similarity of word 3-grams from which two texts say the same thing
_URL = re.compile(r"https?://[^\s<>\"')\]]+", re.IGNORECASE)
_WORD = re.compile(r"\w+", re.UNICODE)
_HANDLE = re.compile(r"(?<!\w)[@#]\w[\w.-]*")
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|ref|ref_src|s|t|si)$", re.IGNORECASE)
# Short-link hosts say nothing about the page they lead to; platform permalinks are the post itself.
_NOT_A_PAGE = frozenset({"t.co", "bit.ly", "news.ycombinator.com", "x.com", "twitter.com", "bsky.app", "www.reddit.com", "reddit.com"})


def links_of(text: str, url: str | None = None, *, own_page: bool = False) -> set[str]:
    """The pages a post links to, normalised (no scheme, `www.`, fragment, tracking parameters
    or trailing slash), so the same article shared twice compares equal. With `own_page`, the
    post's own `url` counts too (a blog entry's address is the page others share)."""
    found = set(_URL.findall(text or ""))
    if own_page and url:
        found.add(url)
    return {page for page in map(_normal, found) if page is not None}


def author_key(handle: str | None) -> str | None:
    """A handle without its platform decoration, to recognise one person across channels:
    `@Jess_M`, `jess_m.bsky.social`, `jess_m@mastodon.social` and `u/jess_m` all give `jess_m`."""
    if not handle:
        return None
    name = handle.strip().lower().removeprefix("u/").lstrip("@")
    name = name.split("@", 1)[0].split(".", 1)[0]
    return name or None


def same_words(a: str, b: str) -> bool:
    """Whether two texts say the same thing in nearly the same words, handles, hashtags' marks
    and links aside (a post mirrored from Mastodon to Bluesky)."""
    left, right = _shingles(a), _shingles(b)
    if not left or not right:
        return False
    return len(left & right) / len(left | right) >= SIMILAR


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = _WORD.findall(_HANDLE.sub(" ", _URL.sub(" ", text or "")).lower())
    if len(words) < 3:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


def _normal(url: str) -> str | None:
    try:
        parts = urlsplit(url.rstrip(".,;:!?"))
    except ValueError:
        return None
    host = (parts.hostname or "").removeprefix("www.")
    if not host or host in _NOT_A_PAGE or f"www.{host}" in _NOT_A_PAGE:
        return None
    query = urlencode(sorted((key, value) for key, value in parse_qsl(parts.query) if not _TRACKING.match(key)))
    return urlunsplit(("", host, parts.path.rstrip("/"), query, "")).removeprefix("//")
