"""The store's SQLModel tables, on SQLite (default) or PostgreSQL.

Every table is created by an Alembic migration (`socialcx/store/migrations/`), never by
`create_all`, so an upgrade always finds a known schema and never loses rows; the engine and
the migrations runner are in `socialcx.store.engine`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

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
    "Lease",
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
]
class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on every backend.

    PostgreSQL stores a `timestamptz`. SQLite has no time type: it stores fixed-width UTC text
    (`2026-11-25 08:30:00.000000`, the format SQLAlchemy itself uses), which sorts and compares
    in time order and is much cheaper to write than SQLAlchemy's generic formatter.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: sa.Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.String(26))
        return dialect.type_descriptor(sa.DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; times must be aware")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None).isoformat(" ", "microseconds")
        return value

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _utc_column(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(sa_column=sa.Column(UTCDateTime(), nullable=nullable, index=index))


class Mention(SQLModel, table=True):
    """One post, comment or entry that matched a watch, stored once per channel and external id."""

    __tablename__ = "mention"
    __table_args__ = (
        sa.UniqueConstraint("channel", "external_id", name="uq_mention_channel_external_id"),
        sa.Index("ix_mention_channel_created_at", "channel", "created_at"),
        sa.Index("ix_mention_watch_created_at", "watch", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    external_id: str = Field(max_length=255)
    watch: str = Field(max_length=100)
    author_id: str | None = Field(default=None, max_length=255)
    author_handle: str | None = Field(default=None, max_length=255)
    author_name: str | None = Field(default=None, max_length=255)
    author_followers: int | None = None
    text: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    url: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    created_at: datetime = _utc_column()
    fetched_at: datetime = _utc_column()
    language: str | None = Field(default=None, max_length=16)
    in_reply_to_id: str | None = Field(default=None, max_length=255)
    conversation_id: str | None = Field(default=None, max_length=255)
    raw: Any = Field(sa_column=sa.Column(sa.JSON, nullable=False))


class Cursor(SQLModel, table=True):
    """Where polling of one watch on one channel resumes, and when it last moved."""

    __tablename__ = "cursor"

    channel: str = Field(primary_key=True, max_length=16)
    watch: str = Field(primary_key=True, max_length=100)
    value: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    advanced_at: datetime = _utc_column()


class DeadLetter(SQLModel, table=True):
    """An item that could not be understood, kept with the reason so nothing is silently lost.

    One that names its post (`external_id`) is `retrying`: looked up again by id on later polls,
    `attempts` times so far, next at `next_attempt_at`; it is `recovered` once the post is stored,
    and `unreadable` (shown to a person) when the tries run out or the channel cannot look posts
    up. One without an id is `unreadable` from the start."""

    __tablename__ = "dead_letter"
    __table_args__ = (
        sa.UniqueConstraint("channel", "fingerprint", name="uq_dead_letter_channel_fingerprint"),
        sa.Index("ix_dead_letter_state_next_attempt_at", "state", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16, index=True)
    watch: str = Field(max_length=100)
    fingerprint: str = Field(max_length=64)  # sha256 of the payload: the same item is filed once
    payload: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    reason: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    created_at: datetime = _utc_column(index=True)
    external_id: str | None = Field(default=None, max_length=255)
    state: str = Field(default="unreadable", max_length=16)  # retrying, recovered, unreadable
    attempts: int = 0
    next_attempt_at: datetime | None = _utc_column(nullable=True)


class MentionTriage(SQLModel, table=True):
    """What triage said about a mention, stored with it by ingest."""

    __tablename__ = "triage"

    mention_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("mention.id", ondelete="CASCADE"), primary_key=True))
    intent: str = Field(max_length=64, index=True)
    confidence: float
    abstained: bool
    sentiment: str = Field(max_length=16)
    sentiment_score: float
    urgency: str = Field(max_length=16)
    language: str | None = Field(default=None, max_length=16)
    risks: list[str] = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    routine: bool
    model_version: str = Field(default="unknown", max_length=64, index=True)
    triaged_at: datetime | None = _utc_column(nullable=True)


class PollState(SQLModel, table=True):
    """How polling of one watch on one channel is going: for status, health and backoff."""

    __tablename__ = "poll_state"

    channel: str = Field(primary_key=True, max_length=16)
    watch: str = Field(primary_key=True, max_length=100)
    last_polled_at: datetime | None = _utc_column(nullable=True)
    last_success_at: datetime | None = _utc_column(nullable=True)
    throttled_until: datetime | None = _utc_column(nullable=True)
    last_error: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    consecutive_failures: int = 0


class ReadBudgetUsage(SQLModel, table=True):
    """Requests spent against a channel's read budget in one period (a rate window or a month)."""

    __tablename__ = "read_budget"

    channel: str = Field(primary_key=True, max_length=16)
    period: str = Field(primary_key=True, max_length=8)  # "window" or "month"
    period_start: datetime = Field(sa_column=sa.Column(UTCDateTime(), primary_key=True))
    used: int = 0


class SpikeCount(SQLModel, table=True):
    """Mentions per time bucket of one series: a watch, a channel (or `all`) and a slice (`all`,
    `human`, `negative`, `intent:<name>`), kept up to date as mentions are ingested."""

    __tablename__ = "spike_count"

    watch: str = Field(primary_key=True, max_length=100)
    channel: str = Field(primary_key=True, max_length=16)
    slice: str = Field(primary_key=True, max_length=80)
    bucket_start: datetime = Field(sa_column=sa.Column(UTCDateTime(), primary_key=True))
    count: int = 0


class SpikeSeries(SQLModel, table=True):
    """The detector's state for one series, and the bucket it has read up to, so detection
    resumes where it stopped after a restart."""

    __tablename__ = "spike_series"

    watch: str = Field(primary_key=True, max_length=100)
    channel: str = Field(primary_key=True, max_length=16)
    slice: str = Field(primary_key=True, max_length=80)
    bucket_seconds: int
    evaluated_until: datetime = _utc_column()  # the end of the last bucket read
    state: Any = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    last_expected: float = 0.0
    last_observed: float = 0.0


class Alert(SQLModel, table=True):
    """One incident: a surge on a watch, with every series that joined it and why it happened.

    The lifecycle is open → escalated → resolved; an alert is one thread however many slices
    and channels surge together."""

    __tablename__ = "alert"

    id: int | None = Field(default=None, primary_key=True)
    watch: str = Field(max_length=100, index=True)
    status: str = Field(max_length=16, index=True)  # open, escalated, resolved
    channel: str = Field(max_length=16)  # of the series that raised it
    slice: str = Field(max_length=80)
    topic: str = Field(max_length=200)  # what it is about, in a few words
    opened_at: datetime = _utc_column(index=True)  # the bucket that raised it
    updated_at: datetime = _utc_column()
    resolved_at: datetime | None = _utc_column(nullable=True)
    observed: float  # in the bucket that raised it
    expected: float
    score: float
    peak: float  # the most seen in one bucket since
    cold_start: bool  # raised while the baseline was still being learned
    explanation: Any = Field(sa_column=sa.Column(sa.JSON, nullable=False))


class AlertEvent(SQLModel, table=True):
    """A step in an alert's life: raised, joined or left by another series, escalated, resolved."""

    __tablename__ = "alert_event"

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("alert.id", ondelete="CASCADE"), index=True, nullable=False))
    kind: str = Field(max_length=16)  # raised, joined, left, escalated, resolved
    at: datetime = _utc_column()
    channel: str = Field(max_length=16)
    slice: str = Field(max_length=80)
    observed: float
    expected: float
    score: float


class Decision(SQLModel, table=True):
    """What the responder did with one mention, and why: the guardrail that stopped it, if any."""

    __tablename__ = "decision"

    id: int | None = Field(default=None, primary_key=True)
    mention_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("mention.id", ondelete="CASCADE"), unique=True, nullable=False))
    at: datetime = _utc_column(index=True)
    outcome: str = Field(max_length=16, index=True)  # auto_reply, draft, inbox, skipped
    guardrail: str | None = Field(default=None, max_length=32)
    reason: str = Field(sa_column=sa.Column(sa.Text, nullable=False))


class OutboxReply(SQLModel, table=True):
    """A reply to one mention, written before it is sent so that it is sent exactly once; an
    incident's follow-up is a second row of the mention (`kind`), answering our statement.

    pending → sending → sent, or failed when the platform refuses it for good. A row left in
    `sending` past its lease is uncertain: the platform is asked before any resend."""

    __tablename__ = "outbox"
    __table_args__ = (sa.UniqueConstraint("mention_id", "kind", name="uq_outbox_mention_id_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    mention_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("mention.id", ondelete="CASCADE"), nullable=False))
    kind: str = Field(default="reply", max_length=16)  # reply (one a mention), follow_up (an incident's, to our statement)
    in_reply_to: str | None = Field(default=None, max_length=255)  # the post answered, when not the mention: our statement
    text: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    origin: str = Field(max_length=16)  # auto, agent, approved, incident
    agent: str | None = Field(default=None, max_length=100)
    state: str = Field(max_length=16, index=True)  # pending, sending, sent, failed
    created_at: datetime = _utc_column(index=True)
    updated_at: datetime = _utc_column()
    attempts: int = 0
    next_attempt_at: datetime | None = _utc_column(nullable=True)
    lease_until: datetime | None = _utc_column(nullable=True)
    sender: str | None = Field(default=None, max_length=64)
    platform_id: str | None = Field(default=None, max_length=255)
    platform_url: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    sent_at: datetime | None = _utc_column(nullable=True)
    error: str | None = Field(default=None, sa_column=sa.Column(sa.Text))


class Control(SQLModel, table=True):
    """A switch every process reads before acting: `responder` paused stops auto-replies."""

    __tablename__ = "control"

    name: str = Field(primary_key=True, max_length=32)
    paused: bool
    reason: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    changed_at: datetime = _utc_column()


class Lease(SQLModel, table=True):
    """Who does a piece of work that must run once among several replicas (`leader`, or
    `poll:<channel>:<watch>`), until when; a lease past `expires_at` is free for anyone."""

    __tablename__ = "lease"

    name: str = Field(primary_key=True, max_length=140)
    holder: str = Field(max_length=120)
    expires_at: datetime = _utc_column()


class ActionSpend(SQLModel, table=True):
    """One call of a playbook action for a mention, and the amount it committed (for the daily
    budget); at most one per mention, so a refund is never requested twice."""

    __tablename__ = "action_spend"

    id: int | None = Field(default=None, primary_key=True)
    mention_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("mention.id", ondelete="CASCADE"), unique=True, nullable=False))
    intent: str = Field(max_length=64)
    at: datetime = _utc_column(index=True)
    amount: float
    status: str = Field(max_length=16)  # calling, ok, over_cap, over_budget, failed
    result: Any = Field(default=None, sa_column=sa.Column(sa.JSON))


class InboxItem(SQLModel, table=True):
    """A mention waiting for a person: why it is here, how urgent it is, when it is due, and
    what the agents did with it (`socialcx.care.inbox`). One per mention.

    open → claimed → replied → resolved, or escalated (priority raised) or ignored (spam)."""

    __tablename__ = "inbox_item"
    __table_args__ = (
        sa.Index("ix_inbox_item_status_due_at", "status", "due_at"),
        sa.Index("ix_inbox_item_claimed_by_status", "claimed_by", "status"),  # the inbox filtered by assignee
        sa.Index("ix_inbox_item_priority_status_due_at", "priority", "status", "due_at"),  # … by priority
    )

    mention_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("mention.id", ondelete="CASCADE"), primary_key=True))
    priority: str = Field(max_length=16)  # critical, high, normal, low
    status: str = Field(max_length=16)  # open, claimed, replied, resolved, escalated, ignored
    claimed_by: str | None = Field(default=None, max_length=100)
    reason: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    draft: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    action_result: Any = Field(default=None, sa_column=sa.Column(sa.JSON))
    created_at: datetime = _utc_column()
    due_at: datetime = _utc_column()
    first_response_at: datetime | None = _utc_column(nullable=True)
    resolved_at: datetime | None = _utc_column(nullable=True)
    group_id: int | None = Field(default=None, index=True)  # the item leading its cross-posts; None when it leads


class Feedback(SQLModel, table=True):
    """An agent's correction of what triage said about a mention, kept to retrain the model."""

    __tablename__ = "feedback"

    id: int | None = Field(default=None, primary_key=True)
    mention_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("mention.id", ondelete="CASCADE"), index=True, nullable=False))
    field: str = Field(max_length=16)  # intent, sentiment
    old: str | None = Field(default=None, max_length=64)
    new: str = Field(max_length=64)
    agent: str = Field(max_length=100)
    at: datetime = _utc_column()


class Email(SQLModel, table=True):
    """An alert, digest or silent-watch email, rendered and written before it is sent, so that it
    is sent exactly once (`socialcx.ops.alerts`). One per `key` (`alert:12:40`, `digest:2026-11-24`).

    pending → sending (claimed, leased) → sent, or failed when the server refuses it for good. A
    row left in `sending` past its lease is sent again with the same Message-ID."""

    __tablename__ = "mail"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, sa_column_kwargs={"unique": True})
    kind: str = Field(max_length=16)  # alert, digest, silent
    subject: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    message_id: str = Field(max_length=255)
    sender: str = Field(max_length=255)
    recipients: list[str] = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    message: str = Field(sa_column=sa.Column(sa.Text, nullable=False))  # RFC 5322, ASCII, CRLF
    state: str = Field(max_length=16, index=True)  # pending, sending, sent, failed
    created_at: datetime = _utc_column()
    attempts: int = 0
    next_attempt_at: datetime | None = _utc_column(nullable=True)
    lease_until: datetime | None = _utc_column(nullable=True)
    sent_at: datetime | None = _utc_column(nullable=True)
    last_error: str | None = Field(default=None, sa_column=sa.Column(sa.Text))



class IncidentRow(SQLModel, table=True):
    """An incident a person can act on: one per spike alert, with its members (`IncidentMember`),
    the holding statement they get once approved, and the follow-up once it is over
    (`socialcx.care.surge`).

    drafted → approved → following_up → closed, or stopped by a person at any point."""

    __tablename__ = "incident"

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("alert.id", ondelete="CASCADE"), unique=True, nullable=False))
    watch: str = Field(max_length=100, index=True)
    topic: str = Field(max_length=200)
    intent: str | None = Field(default=None, max_length=64)
    terms: list[str] = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    samples: Any = Field(sa_column=sa.Column(sa.JSON, nullable=False))  # the explanation's sample mentions
    profile: Any = Field(sa_column=sa.Column(sa.JSON, nullable=False))  # what members look like (`care.membership`)
    since: datetime = _utc_column()  # members are created from here: the start of the alert's window
    state: str = Field(max_length=16, index=True)  # drafted, approved, following_up, closed, stopped
    statement: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    follow_up: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    lead_mention_id: int | None = None  # the inbox item the waiting members are grouped under
    created_at: datetime = _utc_column()
    approved_by: str | None = Field(default=None, max_length=100)
    approved_at: datetime | None = _utc_column(nullable=True)
    follow_up_drafted_at: datetime | None = _utc_column(nullable=True)
    follow_up_by: str | None = Field(default=None, max_length=100)
    follow_up_approved_at: datetime | None = _utc_column(nullable=True)
    closed_by: str | None = Field(default=None, max_length=100)
    closed_at: datetime | None = _utc_column(nullable=True)


class IncidentMember(SQLModel, table=True):
    """A mention that belongs to an incident, and what became of it: `waiting` for the
    statement, `answered` by it, `covered` (its author already got it), or `person` (a
    person answers: `reason`)."""

    __tablename__ = "incident_member"

    mention_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("mention.id", ondelete="CASCADE"), primary_key=True))
    incident_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("incident.id", ondelete="CASCADE"), index=True, nullable=False))
    author: str = Field(max_length=300)  # channel and author id (or handle): one statement each
    status: str = Field(max_length=16)  # waiting, answered, covered, person
    reason: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    joined_at: datetime = _utc_column()
    answered_at: datetime | None = _utc_column(nullable=True)


class ConversationRow(SQLModel, table=True):
    """The private conversation opened for one transactional mention (`socialcx.care.conversations`):
    what was asked and answered, the verified customer, each need's decision, and when it is
    next due (an answer awaited, a reminder, a retry of the shop).

    new → working → awaiting_customer | needs_approval | resolved | handed_over."""

    __tablename__ = "conversation"

    id: int | None = Field(default=None, primary_key=True)
    mention_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("mention.id", ondelete="CASCADE"), unique=True, nullable=False))
    channel: str = Field(max_length=16)
    author_id: str | None = Field(default=None, max_length=255)
    author_handle: str | None = Field(default=None, max_length=255)
    private_conversation_id: str | None = Field(default=None, max_length=255)
    state: str = Field(max_length=24, index=True)
    outcome: str | None = Field(default=None, max_length=24)
    reason: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    asked: list[str] = Field(sa_column=sa.Column(sa.JSON, nullable=False))  # fields asked, in order
    answers: dict[str, Any] = Field(sa_column=sa.Column(sa.JSON, nullable=False))  # field → value given
    decisions: list[Any] = Field(sa_column=sa.Column(sa.JSON, nullable=False))  # one per need, as stored by care.plans
    customer_id: str | None = Field(default=None, max_length=255)  # the verified customer
    due_at: datetime | None = _utc_column(nullable=True, index=True)
    asked_at: datetime | None = _utc_column(nullable=True)
    reminded: bool = False
    lease_until: datetime | None = _utc_column(nullable=True)
    created_at: datetime = _utc_column()
    updated_at: datetime = _utc_column()


class PlanStep(SQLModel, table=True):
    """One step of a conversation's plan: ask, look_up, act or tell. An `act` is a write to the
    commerce system under its idempotency key (the mention and the step), so it happens once.

    act: pending → running → done | refused, or waiting (for approval) → pending | rejected."""

    __tablename__ = "plan_step"

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("conversation.id", ondelete="CASCADE"), index=True, nullable=False))
    seq: int
    kind: str = Field(max_length=16)  # ask, look_up, act, tell
    need: str = Field(max_length=64)  # the need it serves (`0:double_charge`)
    op: str | None = Field(default=None, max_length=32)  # refund, replace, cancel, change_address, password_reset
    params: Any = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    mode: str | None = Field(default=None, max_length=16)  # auto, approve, never: the policy's verdict
    reason: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    status: str = Field(max_length=16, index=True)
    key: str = Field(max_length=255, sa_column_kwargs={"unique": True})
    result: Any = Field(default=None, sa_column=sa.Column(sa.JSON))
    error: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    decided_by: str | None = Field(default=None, max_length=100)
    created_at: datetime = _utc_column()
    updated_at: datetime = _utc_column()


class PrivateMessageRow(SQLModel, table=True):
    """A private message of a conversation: `in` as read from the channel, `out` written before
    it is sent so that it is sent exactly once (pending → sending → sent | failed), like the
    reply outbox."""

    __tablename__ = "private_message"

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int | None = Field(default=None, sa_column=sa.Column(sa.Integer, sa.ForeignKey("conversation.id", ondelete="CASCADE"), index=True))
    channel: str = Field(max_length=16)
    direction: str = Field(max_length=8)  # in, out
    key: str = Field(max_length=255, sa_column_kwargs={"unique": True})  # out: conversation and step; in: channel and message id
    text: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    state: str = Field(max_length=16, index=True)  # in: new, read; out: pending, sending, sent, failed
    external_id: str | None = Field(default=None, max_length=255)
    author_id: str | None = Field(default=None, max_length=255)
    author_handle: str | None = Field(default=None, max_length=255)
    platform_conversation_id: str | None = Field(default=None, max_length=255)
    created_at: datetime = _utc_column(index=True)
    updated_at: datetime = _utc_column()
    attempts: int = 0
    next_attempt_at: datetime | None = _utc_column(nullable=True)
    lease_until: datetime | None = _utc_column(nullable=True)
    sender: str | None = Field(default=None, max_length=64)
    sent_at: datetime | None = _utc_column(nullable=True)
    error: str | None = Field(default=None, sa_column=sa.Column(sa.Text))


class WebUser(SQLModel, table=True):
    """A person who signs in to the web workspace (`socialcx.web`): an agent works the inbox, an
    approver also approves statements and plans up to `amount_limit`, an admin also pauses and
    resumes. Only the password's argon2 hash is stored."""

    __tablename__ = "web_user"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, sa_column_kwargs={"unique": True})
    role: str = Field(max_length=16)  # agent, approver, admin
    password_hash: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    amount_limit: float | None = None  # the largest amount an approver may approve; None: none
    created_at: datetime = _utc_column()
