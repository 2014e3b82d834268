"""Every error socialcx raises on purpose. Each message is one sentence a person can act on.

    SocialcxError
    ├── ConfigError        a config file or SOCIALCX_* variable is wrong; names file, line, key, fix
    ├── StoreError         the database cannot be opened, migrated or written
    │   └── IngestError    a batch could not be stored; nothing of it landed, the cursor stayed
    └── UsageError         a command-line value is wrong (a date, a format, a path)
"""

from __future__ import annotations

__all__ = ["ConfigError", "IngestError", "SocialcxError", "StoreError", "UsageError"]


class SocialcxError(Exception):
    """Base of the errors socialcx reports to a person instead of a stack trace."""


class ConfigError(SocialcxError):
    """The configuration is invalid; raised before anything runs."""


class StoreError(SocialcxError):
    """The database could not be opened, upgraded or written."""


class IngestError(StoreError):
    """A batch failed to store; the transaction was rolled back, so its cursor did not advance."""


class UsageError(SocialcxError):
    """A value given on the command line cannot be used."""
