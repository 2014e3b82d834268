"""The care team's KPIs, computed from the store: one implementation for the CLI, the web pages
and notebooks (`pandas.DataFrame(report.response_times)` gives a table).

- First response time: from a mention being posted to the first reply to it being sent, as
  p50 and p90, overall, by channel, by intent (agents' corrections win) and by responder
  (`auto`, or `human` for agents' replies and approved drafts).
- Automation rate: replies sent automatically over mentions answered.
- SLA breach rate: inbox items (spam ignored aside) whose first response came after their due
  time, or is still missing past it; an item resolved without a reply counts as answered when
  it was resolved.
- Backlog: items waiting for a person, by priority, whenever they arrived.
- Per incident (`incident_kpis`): members, those answered by the statement (sent) and their
  share, p50 and p90 of their first response (from the mention's creation to the statement
  sent), the time from the alert to the statement's approval, members a person handled, and
  follow-ups sent.

    >>> report = kpis(connection, now=clock.now(), since=clock.now() - timedelta(days=7))
    >>> report.automation_rate, report.sla_breach_rate, report.backlog["critical"]
    (0.42, 0.05, 1)
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from socialcx.care.feedback import current_label
from socialcx.care.inbox import ACTIVE, PRIORITIES
from socialcx.store import Alert, IncidentMember, IncidentRow, InboxItem, Mention, MentionTriage, OutboxReply, UTCDateTime

__all__ = [
    "IncidentKpis",
    "KpiReport",
    "ResponseTimes",
    "answered",
    "backlog",
    "incident_kpis",
    "kpis",
    "percentiles",
    "posted_between",
    "sla_items",
]


@dataclass(frozen=True, slots=True)
class ResponseTimes:
    """First response times of one group of answered mentions."""

    group: str  # all, channel, intent or responder
    key: str
    replies: int
    p50: timedelta
    p90: timedelta


@dataclass(frozen=True, slots=True)
class KpiReport:
    """The KPIs of mentions posted since `since` (all time when None), as of `now`."""

    since: datetime | None
    now: datetime
    mentions: int
    answered: int  # mentions with a reply sent
    auto_sent: int
    response_times: tuple[ResponseTimes, ...]
    sla_items: int
    sla_breached: int
    backlog: dict[str, int]  # every priority, most urgent first

    @property
    def automation_rate(self) -> float | None:
        return self.auto_sent / self.answered if self.answered else None

    @property
    def sla_breach_rate(self) -> float | None:
        return self.sla_breached / self.sla_items if self.sla_items else None


def kpis(connection: Connection, *, now: datetime, since: datetime | None = None, until: datetime | None = None) -> KpiReport:
    """Compute every KPI in one pass over the store, for mentions posted in [since, until)."""
    mentions = connection.execute(
        sa.select(sa.func.count()).select_from(Mention).where(posted_between(since, until))
    ).scalar_one()
    replies = connection.execute(answered(since, until)).all()
    groups: dict[tuple[str, str], list[float]] = defaultdict(list)
    for reply in replies:
        seconds = (reply.sent_at - reply.posted_at).total_seconds()
        for key in (("all", "all"), ("channel", reply.channel), ("intent", reply.intent), ("responder", reply.responder)):
            groups[key].append(seconds)
    items = connection.execute(sla_items(now, since, until)).all()
    waiting = Counter(connection.execute(sa.select(backlog().c.priority)).scalars())
    return KpiReport(
        since=since,
        now=now,
        mentions=mentions,
        answered=len(replies),
        auto_sent=sum(reply.responder == "auto" for reply in replies),
        response_times=tuple(_times(group, key, seconds) for (group, key), seconds in sorted(groups.items(), key=_order)),
        sla_items=len(items),
        sla_breached=sum(item.breached for item in items),
        backlog={priority: waiting[priority] for priority in PRIORITIES},
    )


# The KPIs' definitions as queries, one row per counted thing, shared with `socialcx.ops.analytics`
# (which groups them any way an analyst asks): what counts, and from which times.

_SENT = (OutboxReply.state == "sent") & OutboxReply.sent_at.is_not(None) & (OutboxReply.kind == "reply")  # not follow-ups


def posted_between(since: datetime | None, until: datetime | None) -> sa.ColumnElement[bool]:
    """Mentions posted in [since, until); either end open when None."""
    return sa.and_(
        Mention.created_at >= since if since is not None else sa.true(),
        Mention.created_at < until if until is not None else sa.true(),
    )


def _intent() -> sa.ColumnElement[str]:
    return sa.func.coalesce(current_label("intent", Mention.id), "untriaged")  # agents' corrections win


def answered(since: datetime | None = None, until: datetime | None = None) -> sa.Select[Any]:
    """One row per answered mention: its first response was the reply sent at `sent_at`, by
    `responder` (`auto`, `statement` for an incident's, or `human` for agents' replies and
    approved drafts)."""
    return (
        sa.select(
            Mention.id.label("mention_id"), Mention.channel, Mention.watch, _intent().label("intent"),
            sa.case((OutboxReply.origin == "auto", "auto"), (OutboxReply.origin == "incident", "statement"), else_="human").label("responder"),
            OutboxReply.agent, Mention.created_at.label("posted_at"), OutboxReply.sent_at,
        )
        .join(OutboxReply, OutboxReply.mention_id == Mention.id)
        .outerjoin(MentionTriage, MentionTriage.mention_id == Mention.id)
        .where(posted_between(since, until), _SENT)
    )


def sla_items(now: datetime, since: datetime | None = None, until: datetime | None = None) -> sa.Select[Any]:
    """One row per inbox item held to its SLA (spam ignored aside): `breached` when its first
    response (a reply sent, else the item resolved) came after `due_at`, or is missing at `now`."""
    answered_at = sa.func.coalesce(OutboxReply.sent_at, InboxItem.resolved_at)
    return (
        sa.select(
            Mention.id.label("mention_id"), Mention.channel, Mention.watch, _intent().label("intent"),
            sa.func.coalesce(OutboxReply.agent, InboxItem.claimed_by).label("agent"), InboxItem.priority,
            InboxItem.due_at, answered_at.label("answered_at"),
            (sa.func.coalesce(answered_at, sa.literal(now, UTCDateTime())) > InboxItem.due_at).label("breached"),
        )
        .join(Mention, Mention.id == InboxItem.mention_id)
        .outerjoin(OutboxReply, (OutboxReply.mention_id == InboxItem.mention_id) & _SENT)
        .outerjoin(MentionTriage, MentionTriage.mention_id == Mention.id)
        .where(posted_between(since, until), InboxItem.status != "ignored")
    )


def backlog() -> sa.Subquery:
    """One row per item waiting for a person, whenever it arrived."""
    return (
        sa.select(
            Mention.id.label("mention_id"), Mention.channel, Mention.watch, _intent().label("intent"),
            InboxItem.claimed_by.label("agent"), InboxItem.priority, InboxItem.created_at, InboxItem.due_at,
        )
        .join(Mention, Mention.id == InboxItem.mention_id)
        .outerjoin(MentionTriage, MentionTriage.mention_id == Mention.id)
        .where(InboxItem.status.in_(ACTIVE))
        .subquery("backlog")
    )


def percentiles(seconds: Sequence[float]) -> tuple[float, float]:
    """The p50 and p90 of first response times, linear interpolation between ranks."""
    p50, p90 = np.percentile(seconds, [50, 90])
    return float(p50), float(p90)


_GROUPS = ("all", "responder", "channel", "intent")


def _order(entry: tuple[tuple[str, str], list[float]]) -> tuple[int, str]:
    (group, key), _ = entry
    return _GROUPS.index(group), key


def _times(group: str, key: str, seconds: list[float]) -> ResponseTimes:
    p50, p90 = percentiles(seconds)
    return ResponseTimes(group, key, len(seconds), timedelta(seconds=p50), timedelta(seconds=p90))


@dataclass(frozen=True, slots=True)
class IncidentKpis:
    """How surge mode did on one incident."""

    incident_id: int
    alert_id: int
    topic: str
    state: str
    members: int
    answered: int  # by the statement, sent
    handled_by_people: int
    follow_ups_sent: int
    p50: timedelta | None  # first response of the members answered by the statement
    p90: timedelta | None
    to_approval: timedelta | None  # from the alert to the statement's approval

    @property
    def share_answered(self) -> float | None:
        return self.answered / self.members if self.members else None


def incident_kpis(connection: Connection) -> list[IncidentKpis]:
    """The KPIs of every incident, oldest first."""
    incidents = connection.execute(
        sa.select(IncidentRow.id, IncidentRow.alert_id, IncidentRow.topic, IncidentRow.state, IncidentRow.approved_at, Alert.opened_at)
        .join(Alert, Alert.id == IncidentRow.alert_id).order_by(IncidentRow.id)
    ).all()
    return [_incident_kpis(connection, *incident) for incident in incidents]


def _incident_kpis(
    connection: Connection, incident_id: int, alert_id: int, topic: str, state: str, approved_at: datetime | None, opened_at: datetime
) -> IncidentKpis:
    members = IncidentMember.__table__
    statuses = Counter(connection.execute(sa.select(members.c.status).where(members.c.incident_id == incident_id)).scalars())
    sent = connection.execute(
        sa.select(OutboxReply.kind, Mention.created_at, OutboxReply.sent_at)
        .join(members, members.c.mention_id == OutboxReply.mention_id)
        .join(Mention, Mention.id == OutboxReply.mention_id)
        .where(members.c.incident_id == incident_id, OutboxReply.origin == "incident", OutboxReply.state == "sent")
    ).all()
    waits = [(row.sent_at - row.created_at).total_seconds() for row in sent if row.kind == "reply"]
    p50, p90 = percentiles(waits) if waits else (None, None)
    return IncidentKpis(
        incident_id, alert_id, topic, state, members=sum(statuses.values()), answered=len(waits), handled_by_people=statuses["person"],
        follow_ups_sent=sum(row.kind == "follow_up" for row in sent),
        p50=timedelta(seconds=p50) if p50 is not None else None, p90=timedelta(seconds=p90) if p90 is not None else None,
        to_approval=approved_at - opened_at if approved_at else None,
    )
