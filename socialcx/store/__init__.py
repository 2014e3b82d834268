"""The store: the tables, the engine and its migrations, and the query helpers over them.

`from socialcx.store import Mention, connect` keeps working: the tables and the engine's
functions are re-exported here; the query helpers are imported from their module
(`socialcx.store.mentions`). Nothing below this room but `errors` and `channels`.
"""

from __future__ import annotations

from socialcx.store.engine import (
    connect,
    connect_reader,
    current_revision,
    database_reason,
    dialect_insert,
    head_revision,
    redact,
    upgrade,
)
from socialcx.store.tables import (
    ActionSpend,
    Alert,
    AlertEvent,
    Control,
    ConversationRow,
    Cursor,
    DeadLetter,
    Decision,
    Email,
    Feedback,
    InboxItem,
    IncidentMember,
    IncidentRow,
    Mention,
    MentionTriage,
    OutboxReply,
    PlanStep,
    PollState,
    PrivateMessageRow,
    ReadBudgetUsage,
    SpikeCount,
    SpikeSeries,
    UTCDateTime,
    WebUser,
)

__all__ = [
    "ActionSpend",
    "Alert",
    "AlertEvent",
    "Control",
    "ConversationRow",
    "Cursor",
    "DeadLetter",
    "Decision",
    "Email",
    "Feedback",
    "InboxItem",
    "IncidentMember",
    "IncidentRow",
    "Mention",
    "MentionTriage",
    "OutboxReply",
    "PlanStep",
    "PollState",
    "PrivateMessageRow",
    "ReadBudgetUsage",
    "SpikeCount",
    "SpikeSeries",
    "UTCDateTime",
    "WebUser",
    "connect",
    "connect_reader",
    "current_revision",
    "database_reason",
    "dialect_insert",
    "head_revision",
    "redact",
    "upgrade",
]
