"""Channel connectors: one module per channel, all implementing `connectors.base.Connector`.

Adding a channel means adding its module and one line to `_REGISTRY`.
"""

from __future__ import annotations

from importlib import import_module

from connectors.base import Connector
from socialcx.channels import Channel

__all__ = ["available", "connector_class"]

_REGISTRY: dict[Channel, str] = {
    Channel.X: "connectors.x:XConnector",
    Channel.REDDIT: "connectors.reddit:RedditConnector",
    Channel.MASTODON: "connectors.mastodon:MastodonConnector",
    Channel.BLUESKY: "connectors.bluesky:BlueskyConnector",
    Channel.HACKERNEWS: "connectors.hackernews:HackerNewsConnector",
    Channel.RSS: "connectors.rss:RssConnector",
}


def available() -> list[Channel]:
    """The channels that have a connector, in the fixed channel order."""
    return [channel for channel in Channel if channel in _REGISTRY]


def connector_class(channel: Channel) -> type[Connector]:
    """The connector class for a channel, imported on first use (client libraries are heavy)."""
    try:
        module, name = _REGISTRY[channel].split(":")
    except KeyError:
        raise LookupError(f"no connector for {channel} yet") from None
    return getattr(import_module(module), name)
