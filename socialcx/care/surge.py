"""Surge mode: an incident per spike alert, one approved statement for all its members, and a
follow-up when it is over.

    alert opens ──▶ incident `drafted` (statement drafted from the playbook's `incidents:`)
                    │ approve (or `auto_statement: true`)
                    ▼
                  `approved`: every member gets the statement once per author, through the outbox
                    │ the alert resolves, or a person closes it
                    ▼
                  `following_up` (follow-up drafted) ── approve ──▶ the follow-up to every author
                    │                                               who got the statement, once
                    ▼
                  `closed`            (`stopped` by a person at any point: people answer)

Members (`care.membership`) are found by the responder, which records them here (`join`);
`deliver` then does what the incident's state allows: it queues the statement for the waiting
members of approved incidents within the limits (not while paused; one per author; risk flags,
threads a person holds and channels we cannot reply on go to a person; the incidents' per-channel
caps, each incident's budget and the hourly ceiling of all incidents), and keeps the members
still waiting grouped under one inbox item per incident. It runs on every routing pass, and
right after an approval.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from connectors import connector_class
from socialcx.care import inbox
from socialcx.care.handover import queue_follow_ups, queue_replies
from socialcx.care.membership import Candidate, Profile, build_profile
from socialcx.care.outbox import is_paused
from socialcx.care.playbook import Caps, Playbook
from socialcx.channels import Channel
from socialcx.config import InboxConfig
from socialcx.errors import UsageError
from socialcx.spikes.explain import BASELINE
from socialcx.store import Alert, IncidentMember, IncidentRow, InboxItem, Mention, MentionTriage, OutboxReply, dialect_insert

__all__ = [
    "OPEN",
    "STATES",
    "approve",
    "close",
    "deliver",
    "delivering",
    "find",
    "join",
    "list_incidents",
    "member_of",
    "stop",
    "sync",
]

STATES = ("drafted", "approved", "following_up", "closed", "stopped")
OPEN = ("drafted", "approved")  # taking members
_BASELINE_SAMPLE = 5_000


# -- opening and following up ---------------------------------------------------------------------


def sync(connection: Connection, playbook: Playbook, now: datetime) -> list[int]:
    """Open an incident for every open alert that has none, and draft the follow-up of every
    incident whose alert resolved (its members still waiting go to people: a holding statement
    is no answer once it is over); the ids of the incidents opened or moved."""
    alerts, incidents = Alert.__table__, IncidentRow.__table__
    fresh = connection.execute(
        sa.select(alerts).outerjoin(incidents, incidents.c.alert_id == alerts.c.id)
        .where(alerts.c.status != "resolved", incidents.c.id.is_(None)).order_by(alerts.c.opened_at)
    ).mappings().all()
    opened = (_open(connection, playbook, Alert(**alert), now) for alert in fresh)
    changed = [incident_id for incident_id in opened if incident_id is not None]
    over = connection.execute(
        sa.select(incidents.c.id).join(alerts, alerts.c.id == incidents.c.alert_id)
        .where(alerts.c.status == "resolved", incidents.c.state.in_(OPEN))
    ).scalars().all()
    for incident_id in over:
        _follow_up(connection, playbook, _incident(connection, incident_id), now)
        _release(connection, incident_id, now, "the alert resolved before the statement reached it")
    return changed + list(over)


def _open(connection: Connection, playbook: Playbook, alert: Alert, now: datetime) -> int | None:
    """Open the alert's incident and adopt its waiting members; None when another process (a
    `socialcx poll` beside the daemon) opened it first: the insert is one if absent."""
    explanation = alert.explanation or {}
    start, end = _window(alert, explanation)
    channel = None if alert.channel == "all" else alert.channel
    intent = explanation.get("intent")
    terms = [term["term"] for term in explanation.get("terms", [])]
    window = _candidates(connection, alert.watch, channel, start, max(end, now), limit=None)
    baseline = _candidates(connection, alert.watch, channel, start - BASELINE, start, limit=_BASELINE_SAMPLE)
    profile = build_profile(window, baseline, channel=channel)
    rules = playbook.incidents
    templates = rules.templates_for(intent, terms)
    auto = rules.auto(templates)
    topic = _topic(alert.topic)
    incident = connection.execute(
        dialect_insert(connection, IncidentRow.__table__).values(
            alert_id=alert.id, watch=alert.watch, topic=topic, intent=intent, terms=terms,
            samples=explanation.get("samples", []), profile=profile.to_json(), since=start,
            state="approved" if auto else "drafted", statement=_draft(templates.statement, playbook, topic),
            created_at=now, approved_by="playbook (auto_statement)" if auto else None, approved_at=now if auto else None,
        ).on_conflict_do_nothing(index_elements=["alert_id"]).returning(*IncidentRow.__table__.c)
    ).mappings().one_or_none()
    if incident is None:
        return None
    _adopt(connection, IncidentRow(**incident), profile, now)
    return incident["id"]


def _adopt(connection: Connection, incident: IncidentRow, profile: Profile, now: datetime) -> None:
    """Members routed before the incident opened (the alert is judged minutes after the surge
    began) that still wait for a person join it: they get the statement too, once approved.
    Those with a risk flag join for a person, in the inbox as they are."""
    taken = sa.select(IncidentMember.mention_id)
    replied = sa.select(OutboxReply.mention_id)
    rows = connection.execute(
        sa.select(
            Mention.id, Mention.channel, Mention.author_id, Mention.author_handle, Mention.text, MentionTriage.intent,
            MentionTriage.risks,
        )
        .join(MentionTriage, MentionTriage.mention_id == Mention.id)
        .join(InboxItem, InboxItem.mention_id == Mention.id)
        .where(
            Mention.watch == incident.watch, Mention.created_at >= incident.since, InboxItem.status.in_(("open", "escalated")),
            Mention.id.not_in(taken), Mention.id.not_in(replied),
        )
    ).all()
    join(connection, [
        (row, incident, "person" if row.risks else "waiting", "a risk flag: a person answers" if row.risks else None)
        for row in rows if profile.is_member(Candidate(row.text, row.intent, row.channel))
    ], now)


def _window(alert: Alert, explanation: Mapping[str, Any]) -> tuple[datetime, datetime]:
    if "window" in explanation:
        start, end = (datetime.fromisoformat(moment) for moment in explanation["window"])
        return start, end
    return alert.opened_at, alert.opened_at


def _topic(alert_topic: str) -> str:
    return alert_topic.strip().strip('"') or "our service"


def _candidates(
    connection: Connection, watch: str, channel: str | None, start: datetime, end: datetime, *, limit: int | None
) -> list[Candidate]:
    query = (
        sa.select(Mention.text, MentionTriage.intent, Mention.channel)
        .outerjoin(MentionTriage, MentionTriage.mention_id == Mention.id)
        .where(Mention.watch == watch, Mention.created_at >= start, Mention.created_at < end)
        .order_by(Mention.created_at.desc())
        .limit(limit)
    )
    if channel is not None:
        query = query.where(Mention.channel == channel)
    return [Candidate(*row) for row in connection.execute(query)]


class _Kept(dict[str, str]):
    """Format values that leave an unknown variable as it is, for the mention to fill."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _draft(template: str, playbook: Playbook, topic: str) -> str:
    """The incident's text with what is known now filled in; `{author}` waits for each mention."""
    values = _Kept({**playbook.variables, "status_page_url": playbook.incidents.status_page_url, "topic": topic})
    return template.format_map(values)


def _follow_up(connection: Connection, playbook: Playbook, incident: IncidentRow, now: datetime) -> None:
    """The incident is over: draft the follow-up if anyone got the statement, else close it."""
    answered = _count(connection, incident.id, "answered")
    if not answered:
        _update(connection, incident.id, state="closed", closed_at=now, closed_by=incident.closed_by)
        return
    templates = playbook.incidents.templates_for(incident.intent, incident.terms)
    _update(
        connection, incident.id, state="following_up", follow_up=_draft(templates.follow_up, playbook, incident.topic),
        follow_up_drafted_at=now,
    )


# -- what people do -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Summary:
    """An incident as `socialcx incident list` shows it."""

    id: int
    alert_id: int
    watch: str
    topic: str
    state: str
    created_at: datetime
    members: int
    waiting: int
    answered: int
    people: int  # members a person answers


@dataclass(frozen=True, slots=True)
class Detail:
    """An incident and its members that need a person."""

    incident: IncidentRow
    summary: Summary
    needs_person: tuple[tuple[int, str | None, str, str], ...]  # (mention id, handle, text, reason)
    follow_ups: int  # queued or sent


def list_incidents(connection: Connection, *, states: Iterable[str] = ()) -> list[Summary]:
    """Incidents, newest first, with their member counts."""
    incidents = IncidentRow.__table__
    query = sa.select(incidents.c.id).order_by(incidents.c.created_at.desc(), incidents.c.id.desc())
    if states := list(states):
        query = query.where(incidents.c.state.in_(states))
    return [_summary(connection, _incident(connection, incident_id)) for incident_id in connection.execute(query).scalars()]


def find(connection: Connection, incident_id: int) -> Detail:
    incident = _incident(connection, incident_id)
    members = IncidentMember.__table__
    people = connection.execute(
        sa.select(Mention.id, Mention.author_handle, Mention.text, members.c.reason)
        .join(members, members.c.mention_id == Mention.id)
        .where(members.c.incident_id == incident_id, members.c.status == "person")
        .order_by(Mention.created_at)
    ).all()
    follow_ups = connection.execute(
        sa.select(sa.func.count()).select_from(OutboxReply)
        .join(members, members.c.mention_id == OutboxReply.mention_id)
        .where(members.c.incident_id == incident_id, OutboxReply.kind == "follow_up", OutboxReply.state != "failed")
    ).scalar_one()
    return Detail(incident, _summary(connection, incident), tuple(tuple(row) for row in people), follow_ups)


def approve(
    connection: Connection, incident_id: int, *, agent: str, now: datetime, playbook: Playbook, text: str | None = None
) -> IncidentRow:
    """Approve the statement (drafted), or the follow-up (following_up), as drafted or as `text`."""
    incident = _incident(connection, incident_id, lock=True)
    if incident.state not in ("drafted", "following_up") or (incident.state == "following_up" and incident.follow_up_approved_at):
        raise UsageError(f"incident #{incident_id} is {incident.state.replace('_', ' ')}: there is nothing to approve")
    if text is not None:
        _check_text(playbook, text)
    if incident.state == "drafted":
        _update(connection, incident_id, state="approved", statement=text or incident.statement, approved_by=agent, approved_at=now)
    else:
        _update(connection, incident_id, follow_up=text or incident.follow_up, follow_up_by=agent, follow_up_approved_at=now)
    return _incident(connection, incident_id)


def close(
    connection: Connection, incident_id: int, *, agent: str, now: datetime, playbook: Playbook, follow_up: str | None = None
) -> IncidentRow:
    """Close an incident by hand: no more statements; the follow-up is drafted (or, with
    `follow_up`, written and approved by this person) for those who got the statement."""
    incident = _incident(connection, incident_id, lock=True)
    if incident.state not in OPEN:
        raise UsageError(f"incident #{incident_id} is {incident.state.replace('_', ' ')}: only a drafted or approved one can be closed")
    if follow_up is not None:
        _check_text(playbook, follow_up)
    _update(connection, incident_id, closed_by=agent)
    _follow_up(connection, playbook, _incident(connection, incident_id), now)
    if follow_up is not None and _incident(connection, incident_id).state == "following_up":
        _update(connection, incident_id, follow_up=follow_up, follow_up_by=agent, follow_up_approved_at=now)
    _release(connection, incident_id, now, "the incident was closed before the statement reached it")
    return _incident(connection, incident_id)


def stop(connection: Connection, incident_id: int, *, agent: str, now: datetime) -> IncidentRow:
    """Stop an incident: nothing more is sent for it, and its waiting members go to people."""
    incident = _incident(connection, incident_id, lock=True)
    if incident.state in ("closed", "stopped"):
        raise UsageError(f"incident #{incident_id} is already {incident.state}")
    _update(connection, incident_id, state="stopped", closed_by=agent, closed_at=now)
    _release(connection, incident_id, now, "the incident was stopped: a person answers")
    return _incident(connection, incident_id)


def _check_text(playbook: Playbook, text: str) -> None:
    rendered = playbook.render("", Channel.X, "0", "someone", text=text)
    if rendered.text is None and "characters" not in (rendered.problem or ""):
        raise UsageError(f"the text cannot be sent: {rendered.problem}; write {{{{ and }}}} for literal braces")
    if not text.strip():
        raise UsageError("the text is empty; write what people should read")


def _release(connection: Connection, incident_id: int, now: datetime, reason: str) -> None:
    """The waiting members go back to people, each its own inbox item again."""
    members = IncidentMember.__table__
    waiting = connection.execute(
        sa.select(members.c.mention_id).where(members.c.incident_id == incident_id, members.c.status == "waiting")
    ).scalars().all()
    connection.execute(
        sa.update(members).where(members.c.mention_id.in_(waiting)).values(status="person", reason=reason)
    )
    connection.execute(
        sa.update(InboxItem).where(InboxItem.mention_id.in_(waiting)).values(group_id=None, reason=reason)
    )


# -- members --------------------------------------------------------------------------------------


def member_of(connection: Connection, mentions: Sequence[Any]) -> dict[int, IncidentRow]:
    """The open incident each of these mentions (rows with id, watch, channel, text, intent,
    created_at) belongs to, if any: the oldest incident that takes it."""
    watches = {mention.watch for mention in mentions}
    incidents = [
        IncidentRow(**row) for row in connection.execute(
            sa.select(IncidentRow.__table__).where(IncidentRow.state.in_(OPEN), IncidentRow.watch.in_(watches))
            .order_by(IncidentRow.id)
        ).mappings()
    ]
    profiles = {incident.id: Profile.from_json(incident.profile) for incident in incidents}
    found: dict[int, IncidentRow] = {}
    for mention in mentions:
        for incident in incidents:
            candidate = Candidate(mention.text, mention.intent, mention.channel)
            if incident.watch == mention.watch and mention.created_at >= incident.since and profiles[incident.id].is_member(candidate):
                found[mention.id] = incident
                break
    return found


def join(connection: Connection, members: Sequence[tuple[Any, IncidentRow, str, str | None]], now: datetime) -> None:
    """Record mentions as members: (mention row, incident, status `waiting` or `person`, reason)."""
    if not members:
        return
    connection.execute(
        sa.insert(IncidentMember.__table__),
        [
            {
                "mention_id": mention.id, "incident_id": incident.id, "author": _author(mention), "status": status,
                "reason": reason, "joined_at": now,
            }
            for mention, incident, status, reason in members
        ],
    )


def _author(mention: Any) -> str:
    return f"{mention.channel}:{mention.author_id or (mention.author_handle or '').lower()}"


# -- delivery -------------------------------------------------------------------------------------


def deliver(connection: Connection, playbook: Playbook, now: datetime, sla: InboxConfig | None = None) -> int:
    """Queue what the incidents' states allow (module docstring); the number of outbox rows queued."""
    paused = is_paused(connection)
    if not _work(connection, paused):
        return 0  # nothing written: a pass with nothing new leaves the store's one write lock (SQLite) free
    _lock_open(connection)  # one deliverer at a time, reading what the one before it wrote
    _handled_by_people(connection)
    limits = _Limits.read(connection, playbook, now)
    queued = 0
    for incident in _incidents(connection, ("approved", "following_up")):
        incident = _incident(connection, incident.id, lock=True)  # one deliverer an incident at a time
        if incident.state == "approved" and not paused:
            queued += _statements(connection, playbook, incident, limits, now, sla)
        elif incident.state == "following_up" and incident.follow_up_approved_at and not paused:
            queued += _follow_ups(connection, playbook, incident, limits, now)
    for incident in _incidents(connection, OPEN):
        _group_waiting(connection, incident, now, sla)
    return queued


def _work(connection: Connection, paused: bool) -> bool:
    """Whether `deliver` has anything to do (read only)."""
    members = IncidentMember.__table__
    waiting = sa.select(members.c.incident_id).where(members.c.status == "waiting")
    due = sa.or_(
        sa.and_(IncidentRow.state == "approved", IncidentRow.id.in_(waiting)),
        sa.and_(IncidentRow.state == "following_up", IncidentRow.follow_up_approved_at.is_not(None)),
    )
    return (
        bool(_handled(connection))
        or (not paused and connection.execute(sa.select(IncidentRow.id).where(due).limit(1)).first() is not None)
        or any(_grouping(connection, incident).changes for incident in _incidents(connection, OPEN))
    )


def _lock_open(connection: Connection) -> None:
    """Lock the incidents still delivering: the write takes SQLite's lock on the whole store, and
    PostgreSQL's on these rows, until the pass commits."""
    table = IncidentRow.__table__
    connection.execute(sa.update(table).where(table.c.state.in_((*OPEN, "following_up"))).values(id=table.c.id))


def delivering(connection: Connection) -> bool:
    """Whether an incident's statement is approved: a routing pass then queues it for new members."""
    return connection.execute(sa.select(IncidentRow.id).where(IncidentRow.state == "approved").limit(1)).first() is not None


def _handled_by_people(connection: Connection) -> None:
    """Waiting members a person answered or closed in the inbox (one by one, or the incident's
    item in bulk) are theirs: the statement never follows."""
    members = IncidentMember.__table__
    for reason, theirs in _handled(connection).items():
        connection.execute(sa.update(members).where(members.c.mention_id.in_(theirs)).values(status="person", reason=reason))


def _handled(connection: Connection) -> dict[str, list[int]]:
    """The waiting members a person answered or closed, by why they are theirs now."""
    members = IncidentMember.__table__
    found = {}
    for reason, handled in (
        ("a person answered it", sa.select(OutboxReply.mention_id).where(OutboxReply.kind == "reply")),
        ("a person closed it in the inbox", sa.select(InboxItem.mention_id).where(InboxItem.status.in_(("resolved", "ignored", "replied")))),
    ):
        if theirs := connection.execute(
            sa.select(members.c.mention_id).where(members.c.status == "waiting", members.c.mention_id.in_(handled))
        ).scalars().all():
            found[reason] = list(theirs)
    return found


@dataclass
class _Limits:
    """The statements and follow-ups queued in the last hour and day: in all, by channel, by incident."""

    rules: Any
    now: datetime
    queued: list[tuple[datetime, str, int]]  # (when, channel, incident)

    @classmethod
    def read(cls, connection: Connection, playbook: Playbook, now: datetime) -> _Limits:
        members = IncidentMember.__table__
        rows = connection.execute(
            sa.select(OutboxReply.created_at, Mention.channel, members.c.incident_id)
            .join(Mention, Mention.id == OutboxReply.mention_id)
            .join(members, members.c.mention_id == OutboxReply.mention_id)
            .where(OutboxReply.origin == "incident", OutboxReply.state != "failed", OutboxReply.created_at > now - timedelta(days=1))
        ).all()
        return cls(playbook.incidents, now, [tuple(row) for row in rows])

    def refusal(self, channel: str, incident_id: int) -> str | None:
        """Why one more may not be queued now, if it may not."""
        hour = self.now - timedelta(hours=1)
        ceiling = sum(1 for at, _, _ in self.queued if at > hour)
        if ceiling >= self.rules.hourly_ceiling:
            return f"{ceiling} incident messages in the last hour reach the hourly ceiling of {self.rules.hourly_ceiling}"
        for label, caps, mine in (
            (f"of incident #{incident_id}", self.rules.budget, [at for at, _, incident in self.queued if incident == incident_id]),
            (f"on {channel}", self.rules.per_channel, [at for at, where, _ in self.queued if where == channel]),
        ):
            if (reached := _reached(caps, mine, self.now)) is not None:
                return f"incident messages {label} {reached}"
        return None

    def add(self, channel: str, incident_id: int) -> None:
        self.queued.append((self.now, channel, incident_id))


def _reached(caps: Caps, queued: list[datetime], now: datetime) -> str | None:
    for limit, span, unit in ((caps.hour, timedelta(hours=1), "hour"), (caps.day, timedelta(days=1), "day")):
        count = sum(1 for at in queued if at > now - span)
        if limit is not None and count >= limit:
            return f"in the last {unit} reach the cap of {limit}"
    return None


def _statements(
    connection: Connection, playbook: Playbook, incident: IncidentRow, limits: _Limits, now: datetime, sla: InboxConfig | None
) -> int:
    members = IncidentMember.__table__
    waiting = connection.execute(
        sa.select(
            Mention.id, Mention.channel, Mention.external_id, Mention.author_handle, Mention.author_id, Mention.in_reply_to_id,
            Mention.conversation_id, MentionTriage.intent,
        )
        .join(members, members.c.mention_id == Mention.id)
        .outerjoin(MentionTriage, MentionTriage.mention_id == Mention.id)
        .where(members.c.incident_id == incident.id, members.c.status == "waiting")
        .order_by(Mention.created_at, Mention.id)
    ).all()
    if not waiting:
        return 0
    got = set(connection.execute(
        sa.select(members.c.author).where(members.c.incident_id == incident.id, members.c.status == "answered")
    ).scalars())
    ours = _our_posts(connection, incident.id)
    held = set(inbox.thread_holders(connection, {m.id: (m.channel, m.conversation_id) for m in waiting}))
    replies, outcomes = [], {}
    for mention in waiting:
        author = _author(mention)
        if mention.in_reply_to_id in ours:
            outcomes[mention.id] = ("person", "a reply to our statement: a person answers")
        elif author in got:
            outcomes[mention.id] = ("covered", "the author already got the statement")
        elif not connector_class(Channel(mention.channel)).capabilities.can_reply:
            outcomes[mention.id] = ("person", f"socialcx cannot reply on {mention.channel}: answer on the site")
        elif mention.id in held:
            outcomes[mention.id] = ("person", "a person holds this thread")
        elif limits.refusal(mention.channel, incident.id) is not None:
            continue  # waits for a later pass
        else:
            rendered = playbook.render(
                mention.intent or "", Channel(mention.channel), mention.external_id, mention.author_handle,
                incident={"topic": incident.topic}, text=incident.statement,
            )
            if rendered.text is None:
                outcomes[mention.id] = ("person", f"the statement does not fit: {rendered.problem}")
                continue
            replies.append((mention.id, rendered.text, now))
            outcomes[mention.id] = ("answered", None)
            got.add(author)
            limits.add(mention.channel, incident.id)
    if replies:
        queue_replies(connection, replies, origin="incident", agent=incident.approved_by)
    _settle(connection, outcomes, now, sla)
    return len(replies)


def _our_posts(connection: Connection, incident_id: int) -> set[str]:
    """The platform ids of the statements sent for an incident: a reply to one is for a person."""
    members = IncidentMember.__table__
    return set(connection.execute(
        sa.select(OutboxReply.platform_id).join(members, members.c.mention_id == OutboxReply.mention_id)
        .where(members.c.incident_id == incident_id, OutboxReply.platform_id.is_not(None))
    ).scalars())


def _settle(connection: Connection, outcomes: Mapping[int, tuple[str, str | None]], now: datetime, sla: InboxConfig | None) -> None:
    """Write what became of each member; answered and covered ones leave the inbox with their
    first response recorded, those for a person get an item of their own."""
    members = IncidentMember.__table__
    for status in ("answered", "covered", "person"):
        ids = [mention_id for mention_id, (outcome, _) in outcomes.items() if outcome == status]
        if not ids:
            continue
        for mention_id in ids:
            connection.execute(
                sa.update(members).where(members.c.mention_id == mention_id)
                .values(status=status, reason=outcomes[mention_id][1], answered_at=now if status == "answered" else None)
            )
        if status == "person":
            for mention_id in ids:
                connection.execute(
                    sa.update(InboxItem).where(InboxItem.mention_id == mention_id).values(group_id=None, reason=outcomes[mention_id][1])
                )
            inbox.enqueue_all(connection, [inbox.Handover(i, outcomes[i][1] or "", now, None, None) for i in ids], sla=sla)
        else:
            connection.execute(
                sa.update(InboxItem).where(InboxItem.mention_id.in_(ids), InboxItem.status.in_(inbox.ACTIVE))
                .values(status="resolved", resolved_at=now, group_id=None, first_response_at=sa.func.coalesce(InboxItem.first_response_at, now))
            )


def _follow_ups(connection: Connection, playbook: Playbook, incident: IncidentRow, limits: _Limits, now: datetime) -> int:
    """Queue the approved follow-up to each member whose statement was sent; close the
    incident once every statement is sent or given up and every follow-up is queued."""
    members = IncidentMember.__table__
    statements = connection.execute(
        sa.select(OutboxReply.mention_id, OutboxReply.state, OutboxReply.platform_id, Mention.channel, Mention.external_id, Mention.author_handle)
        .join(members, members.c.mention_id == OutboxReply.mention_id)
        .join(Mention, Mention.id == OutboxReply.mention_id)
        .where(members.c.incident_id == incident.id, OutboxReply.kind == "reply", OutboxReply.origin == "incident")
    ).all()
    done = set(connection.execute(
        sa.select(OutboxReply.mention_id).join(members, members.c.mention_id == OutboxReply.mention_id)
        .where(members.c.incident_id == incident.id, OutboxReply.kind == "follow_up")
    ).scalars())
    follow_ups, unfinished = [], False
    for row in statements:
        if row.mention_id in done or row.state == "failed":
            continue
        if row.state != "sent" or limits.refusal(row.channel, incident.id) is not None:
            unfinished = True
            continue
        rendered = playbook.render(
            "", Channel(row.channel), row.external_id, row.author_handle, incident={"topic": incident.topic}, text=incident.follow_up,
        )
        if rendered.text is not None:
            follow_ups.append((row.mention_id, rendered.text, row.platform_id, now))
            limits.add(row.channel, incident.id)
    queued = queue_follow_ups(connection, follow_ups)
    if not unfinished:
        _update(connection, incident.id, state="closed", closed_at=now)
    return queued


@dataclass(frozen=True, slots=True)
class _Grouping:
    """An open incident's waiting members as one inbox item: the oldest leads, the others are
    grouped under it; and the items that are not so yet."""

    lead: int | None
    reason: str
    missing: list[int]  # members with no inbox item yet
    lead_changed: bool
    moved: list[int]  # members to group under the lead

    @property
    def changes(self) -> bool:
        return bool(self.missing or self.lead_changed or self.moved)


def _grouping(connection: Connection, incident: IncidentRow) -> _Grouping:
    members = IncidentMember.__table__
    waiting = connection.execute(
        sa.select(members.c.mention_id).join(Mention, Mention.id == members.c.mention_id)
        .where(members.c.incident_id == incident.id, members.c.status == "waiting")
        .order_by(Mention.created_at, Mention.id)
    ).scalars().all()
    if not waiting:
        return _Grouping(None, "", [], False, [])
    lead, *rest = waiting
    why = "the statement waits for approval" if incident.state == "drafted" else "the statement is held (pause or limits)"
    reason = (
        f"incident #{incident.id} ({incident.topic}): {len(waiting)} member{'s' * (len(waiting) != 1)} waiting; {why}. "
        f"See `socialcx incident show {incident.id}`"
    )
    items = {
        row.mention_id: (row.group_id, row.reason)
        for row in connection.execute(sa.select(InboxItem.mention_id, InboxItem.group_id, InboxItem.reason).where(InboxItem.mention_id.in_(waiting)))
    }
    return _Grouping(
        lead, reason, missing=[mention_id for mention_id in waiting if mention_id not in items],
        lead_changed=items.get(lead) != (None, reason) or incident.lead_mention_id != lead,
        moved=[mention_id for mention_id in rest if items.get(mention_id) != (lead, reason)],
    )


def _group_waiting(connection: Connection, incident: IncidentRow, now: datetime, sla: InboxConfig | None) -> None:
    """Keep the members still waiting in one inbox item (`_Grouping`), whose reason says how many
    wait and why; only what changed is written."""
    grouping = _grouping(connection, incident)
    if grouping.lead is None:
        return
    inbox.enqueue_all(connection, [inbox.Handover(mention_id, grouping.reason, now, None, None) for mention_id in grouping.missing], sla=sla)
    if grouping.lead_changed or grouping.missing:
        connection.execute(sa.update(InboxItem).where(InboxItem.mention_id == grouping.lead).values(group_id=None, reason=grouping.reason))
    if moved := grouping.moved + [mention_id for mention_id in grouping.missing if mention_id != grouping.lead]:
        connection.execute(sa.update(InboxItem).where(InboxItem.mention_id.in_(moved)).values(group_id=grouping.lead, reason=grouping.reason))
    if incident.lead_mention_id != grouping.lead:
        _update(connection, incident.id, lead_mention_id=grouping.lead)


# -- reading --------------------------------------------------------------------------------------


def _incident(connection: Connection, incident_id: int, *, lock: bool = False) -> IncidentRow:
    query = sa.select(IncidentRow.__table__).where(IncidentRow.id == incident_id)
    row = connection.execute(query.with_for_update() if lock else query).mappings().one_or_none()
    if row is None:
        raise UsageError(f"there is no incident #{incident_id}; `socialcx incident list` shows them")
    return IncidentRow(**row)


def _incidents(connection: Connection, states: Sequence[str]) -> list[IncidentRow]:
    rows = connection.execute(sa.select(IncidentRow.__table__).where(IncidentRow.state.in_(states)).order_by(IncidentRow.id))
    return [IncidentRow(**row) for row in rows.mappings()]


def _update(connection: Connection, incident_id: int, **values: Any) -> None:
    connection.execute(sa.update(IncidentRow.__table__).where(IncidentRow.id == incident_id).values(**values))


def _count(connection: Connection, incident_id: int, status: str) -> int:
    members = IncidentMember.__table__
    return connection.execute(
        sa.select(sa.func.count()).where(members.c.incident_id == incident_id, members.c.status == status)
    ).scalar_one()


def _summary(connection: Connection, incident: IncidentRow) -> Summary:
    members = IncidentMember.__table__
    counts = Counter(dict(connection.execute(
        sa.select(members.c.status, sa.func.count()).where(members.c.incident_id == incident.id).group_by(members.c.status)
    ).all()))
    return Summary(
        incident.id, incident.alert_id, incident.watch, incident.topic, incident.state, incident.created_at,
        members=sum(counts.values()), waiting=counts["waiting"], answered=counts["answered"], people=counts["person"],
    )
