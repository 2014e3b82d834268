"""Every error socialcx raises on purpose. Each message is one sentence a person can act on.

    SocialcxError
    ├── ConfigError        a config file or SOCIALCX_* variable is wrong; names file, line, key, fix
    ├── StoreError         the database cannot be opened, migrated or written
    │   └── IngestError    a batch could not be stored whole; the cursor stayed, a retry dedupes
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
    """A batch failed to store. It is written 1,000 mentions a transaction with the cursor in the
    last one, so the cursor did not advance; chunks already stored are deduplicated on retry."""


class UsageError(SocialcxError):
    """A value given on the command line cannot be used."""
