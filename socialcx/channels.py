"""The channels socialcx follows, by the short names used everywhere: config, store, CLI, exports."""

from __future__ import annotations

import re
from enum import StrEnum


class Channel(StrEnum):
    """A social channel. The value is the fixed short name (`x`, `reddit`, …)."""

    X = "x"
    REDDIT = "reddit"
    MASTODON = "mastodon"
    BLUESKY = "bluesky"
    HACKERNEWS = "hackernews"
    RSS = "rss"


# A DNS hostname as atproto defines a handle: dot-separated labels of letters, digits and inner
# hyphens, the last one starting with a letter.
_HOSTNAME = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"

# Each channel's own handle grammar, as its connector stores the handle. A reply names an author
# only with a handle that matches it in full, so a handle can never add a mention, a link, a new
# line or markup to a reply. Reddit's [A-Za-z0-9_-]{3,20} is narrowed further: its Markdown may read an
# underscore at either end of a name, or beside a hyphen, as emphasis.
_HANDLE_GRAMMARS: dict[Channel, re.Pattern[str]] = {
    Channel.X: re.compile(r"[A-Za-z0-9_]{1,15}"),
    Channel.REDDIT: re.compile(r"(?!_)(?!.*(?:_-|-_|_\Z))[A-Za-z0-9_-]{3,20}"),
    Channel.MASTODON: re.compile(rf"[A-Za-z0-9_]+(?:@{_HOSTNAME})?"),
    Channel.BLUESKY: re.compile(rf"(?=[^\n]{{1,253}}\Z){_HOSTNAME}"),
}


def valid_handle(channel: Channel, author: str | None) -> str | None:
    """The author's handle without its leading @, if it is a whole handle in the channel's grammar;
    None for anything else (a handle that could add a mention, a link or a new line to a reply)."""
    grammar = _HANDLE_GRAMMARS.get(channel)
    handle = (author or "").removeprefix("@")
    return handle if grammar is not None and grammar.fullmatch(handle) else None
