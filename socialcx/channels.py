"""The channels socialcx follows, by the short names used everywhere: config, store, CLI, exports."""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    """A social channel. The value is the fixed short name (`x`, `reddit`, …)."""

    X = "x"
    REDDIT = "reddit"
    MASTODON = "mastodon"
    BLUESKY = "bluesky"
    HACKERNEWS = "hackernews"
    RSS = "rss"
