"""socialcx: a social-channel engagement monitor for customer-care teams.

The names a notebook or a plugin needs are exported here; everything else is free to change.
They are imported on first use, so that `import socialcx.mention` (a connector) or
`socialcx --help` does not load the store, pydantic or the triage model. `Mention` is the
contract a connector produces (`socialcx.mention`); the stored table is `socialcx.store.Mention`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from socialcx._exports import lazy_exports

if TYPE_CHECKING:
    from socialcx.channels import Channel
    from socialcx.clock import Clock, ManualClock, SystemClock
    from socialcx.collect.ingest import IngestReport, ingest, load_cursor, normalize_text
    from socialcx.config import Settings, load_settings
    from socialcx.errors import ConfigError, IngestError, SocialcxError, StoreError, UsageError
    from socialcx.mention import Batch, Mention, PostedReply, Rejected, ReplyTarget
    from socialcx.store import Cursor, DeadLetter, connect

__all__ = [
    "Batch",
    "Channel",
    "Clock",
    "ConfigError",
    "Cursor",
    "DeadLetter",
    "IngestError",
    "IngestReport",
    "ManualClock",
    "Mention",
    "PostedReply",
    "Rejected",
    "ReplyTarget",
    "Settings",
    "SocialcxError",
    "StoreError",
    "SystemClock",
    "UsageError",
    "connect",
    "ingest",
    "load_cursor",
    "load_settings",
    "normalize_text",
]

__getattr__ = lazy_exports(__name__, {
    "Channel": "socialcx.channels",
    **dict.fromkeys(("Clock", "ManualClock", "SystemClock"), "socialcx.clock"),
    **dict.fromkeys(("IngestReport", "ingest", "load_cursor", "normalize_text"), "socialcx.collect.ingest"),
    **dict.fromkeys(("Settings", "load_settings"), "socialcx.config"),
    **dict.fromkeys(("ConfigError", "IngestError", "SocialcxError", "StoreError", "UsageError"), "socialcx.errors"),
    **dict.fromkeys(("Batch", "Mention", "PostedReply", "Rejected", "ReplyTarget"), "socialcx.mention"),
    **dict.fromkeys(("Cursor", "DeadLetter", "connect"), "socialcx.store"),
})
