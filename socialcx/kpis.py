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

    >>> report = kpis(connection, now=clock.now(), since=clock.now() - timedelta(days=7))
    >>> report.automation_rate, report.sla_breach_rate, report.backlog["critical"]
    (0.42, 0.05, 1)
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from socialcx.feedback import current_label
from socialcx.inbox import ACTIVE, PRIORITIES
from socialcx.store import InboxItem, Mention, MentionTriage, OutboxReply

__all__ = ["KpiReport", "ResponseTimes", "kpis"]


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


def kpis(connection: Connection, *, now: datetime, since: datetime | None = None) -> KpiReport:
    """Compute every KPI in one pass over the store."""
    posted = Mention.created_at >= since if since is not None else sa.true()
    mentions = connection.execute(sa.select(sa.func.count()).select_from(Mention).where(posted)).scalar_one()
    sent = (OutboxReply.state == "sent") & OutboxReply.sent_at.is_not(None)
    replies = connection.execute(
        sa.select(Mention.channel, current_label("intent", Mention.id).label("intent"), OutboxReply.origin,
                  Mention.created_at, OutboxReply.sent_at)
        .join(OutboxReply, OutboxReply.mention_id == Mention.id)
        .outerjoin(MentionTriage, MentionTriage.mention_id == Mention.id)
        .where(posted, sent)
    ).all()
    groups: dict[tuple[str, str], list[float]] = defaultdict(list)
    for reply in replies:
        seconds = (reply.sent_at - reply.created_at).total_seconds()
        responder = "auto" if reply.origin == "auto" else "human"
        for key in (("all", "all"), ("channel", reply.channel), ("intent", reply.intent or "untriaged"), ("responder", responder)):
            groups[key].append(seconds)
    items = connection.execute(
        sa.select(InboxItem.due_at, InboxItem.resolved_at, OutboxReply.sent_at)
        .join(Mention, Mention.id == InboxItem.mention_id)
        .outerjoin(OutboxReply, (OutboxReply.mention_id == InboxItem.mention_id) & sent)
        .where(posted, InboxItem.status != "ignored")
    ).all()
    waiting = Counter(
        connection.execute(sa.select(InboxItem.priority).where(InboxItem.status.in_(ACTIVE))).scalars()
    )
    return KpiReport(
        since=since,
        now=now,
        mentions=mentions,
        answered=len(replies),
        auto_sent=sum(reply.origin == "auto" for reply in replies),
        response_times=tuple(_times(group, key, seconds) for (group, key), seconds in sorted(groups.items(), key=_order)),
        sla_items=len(items),
        sla_breached=sum((item.sent_at or item.resolved_at or now) > item.due_at for item in items),
        backlog={priority: waiting[priority] for priority in PRIORITIES},
    )


_GROUPS = ("all", "responder", "channel", "intent")


def _order(entry: tuple[tuple[str, str], list[float]]) -> tuple[int, str]:
    (group, key), _ = entry
    return _GROUPS.index(group), key


def _times(group: str, key: str, seconds: list[float]) -> ResponseTimes:
    p50, p90 = np.percentile(seconds, [50, 90])  # linear interpolation between ranks
    return ResponseTimes(group, key, len(seconds), timedelta(seconds=float(p50)), timedelta(seconds=float(p90)))
