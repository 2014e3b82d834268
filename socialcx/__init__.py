"""socialcx: a social-channel engagement monitor for customer-care teams.

The names a notebook or a plugin needs are exported here; everything else is free to change.
"""

from __future__ import annotations

from socialcx.channels import Channel
from socialcx.clock import Clock, ManualClock, SystemClock
from socialcx.config import Settings, load_settings
from socialcx.errors import ConfigError, IngestError, SocialcxError, StoreError, UsageError
from socialcx.collect.ingest import Batch, IngestReport, Rejected, ingest, load_cursor, normalize_text
from socialcx.store import Cursor, DeadLetter, Mention, connect

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
    "Rejected",
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
