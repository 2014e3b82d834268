"""The inbox: every mention not answered automatically waits here for a person, most urgent first.

An item's priority comes from the mention's triage (urgency, sentiment, risk flags), its
author's reach and its age; its SLA due time from the priority, counted in business hours
when the team sets them. Agents list, show, claim, reply (through the outbox), approve
drafts, resolve, escalate and ignore items; each refusal is one sentence saying why.

    >>> enqueue(connection, 42, reason="needs a human: refund owed", now=now)
    >>> claim(connection, 42, agent="maya", now=now)
    >>> reply(connection, 42, "Sorry about that, Sam: DM us your order number?", agent="maya", now=now)

The responder asks `is_claimed` and `answered_by_human` before it answers anything by itself:
once a person is in a thread, the bot stays out of it.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.orm import aliased

from socialcx.care.crossposts import author_key, links_of, same_words
from socialcx.care.feedback import current_label
from socialcx.care.handover import queue_reply
from socialcx.channels import Channel
from socialcx.config import BusinessHours, InboxConfig
from socialcx.errors import UsageError
from socialcx.store import DeadLetter, Feedback, IncidentMember, InboxItem, Mention, MentionTriage, OutboxReply, dialect_insert

__all__ = [
    "ACTIVE",
    "PRIORITIES",
    "InboxEntry",
    "Handover",
    "ItemDetail",
    "UnreadablePost",
    "answered_by_human",
    "answered_by_humans",
    "approve",
    "claim",
    "due_at",
    "enqueue",
    "enqueue_all",
    "escalate",
    "find_item",
    "ignore",
    "ignore_spam",
    "is_claimed",
    "list_items",
    "priority_of",
    "reply",
    "resolve",
    "thread_holders",
    "unreadable_posts",
]

ACTIVE = ("open", "claimed", "escalated")  # waiting for a person: the backlog
CLOSED = ("resolved", "ignored")
HUMAN_ORIGINS = ("agent", "approved")

BIG_AUDIENCE = 10_000  # followers from which an unanswered post is seen by many
STALE_AFTER = timedelta(hours=24)  # a post found this late has lost most of its moment
CROSSPOST_WINDOW = timedelta(days=3)  # how far back a cross-post is looked for among waiting items
_CROSSPOST_CANDIDATES = 500
_LEVELS = ("low", "normal", "high", "critical")  # urgency and priority, least urgent first
PRIORITIES = _LEVELS[::-1]  # most urgent first


def priority_of(
    *, urgency: str | None, sentiment: str | None, risks: Sequence[str], followers: int | None, age: timedelta
) -> str:
    """The inbox priority of a mention.

    Start from its urgency (normal when untriaged); negative sentiment raises it one level, to
    high at most; an author with a big audience raises it one level; a post older than a day
    when it arrives loses a level. Any risk flag keeps it at high or above, and a risk is never
    lowered for age (triage already made safety and legal threats critical).
    """
    level = _LEVELS.index(urgency) if urgency in _LEVELS else _LEVELS.index("normal")
    if sentiment == "negative":
        level = max(level, min(level + 1, _LEVELS.index("high")))
    if followers is not None and followers >= BIG_AUDIENCE:
        level = min(level + 1, _LEVELS.index("critical"))
    if age > STALE_AFTER and not risks:
        level = max(level - 1, 0)
    if risks:
        level = max(level, _LEVELS.index("high"))
    return _LEVELS[level]


def due_at(start: datetime, priority: str, sla: InboxConfig) -> datetime:
    """When the first response to an item of `priority` arriving at `start` is due: the SLA's
    minutes later, counted only inside business hours when the team set them."""
    allowed = timedelta(minutes=getattr(sla.sla_minutes, priority))
    hours = sla.hours
    if hours is None:
        return start + allowed
    return _after_working_time(start.astimezone(UTC), allowed, hours, sla.zone)


def _after_working_time(start: datetime, allowed: timedelta, hours: BusinessHours, zone: Any) -> datetime:
    # Walk day by day in the team's time zone; arithmetic stays in UTC so DST days are right.
    moment, left = start, allowed
    while True:
        day = moment.astimezone(zone).date()
        opens = datetime.combine(day, hours.opens, zone).astimezone(UTC)
        closes = datetime.combine(day, hours.closes, zone).astimezone(UTC)
        if day.weekday() in hours.days and moment < closes:
            begin = max(moment, opens)
            if left <= closes - begin:
                return begin + left
            left -= closes - begin
        moment = datetime.combine(day + timedelta(days=1), datetime.min.time(), zone).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Handover:
    """A mention handed to people: why, when, and what the responder prepared for them."""

    mention_id: int
    reason: str
    now: datetime
    draft: str | None = None
    action_result: dict | None = None


def enqueue(
    connection: Connection,
    mention_id: int,
    *,
    reason: str,
    now: datetime,
    draft: str | None = None,
    action_result: dict | None = None,
    sla: InboxConfig | None = None,
) -> None:
    """Put a mention in the inbox, with its priority and SLA due time (from `sla`, the
    `[inbox]` settings; the defaults without). A mention already there is left as it is.

    A mention in a thread a person has claimed goes straight to that person."""
    enqueue_all(connection, [Handover(mention_id, reason, now, draft, action_result)], sla=sla)


def enqueue_all(connection: Connection, handovers: Sequence[Handover], *, sla: InboxConfig | None = None) -> None:
    """`enqueue` for many mentions at once, in order: each is a cross-post candidate for the
    ones after it, as if they had been enqueued one by one."""
    if not handovers:
        return
    ids = [handover.mention_id for handover in handovers]
    found = {
        row.mention_id: row
        for row in connection.execute(
            sa.select(
                Mention.id.label("mention_id"), Mention.channel, Mention.conversation_id, Mention.author_handle, Mention.text, Mention.url,
                Mention.created_at, Mention.author_followers, MentionTriage.urgency, MentionTriage.sentiment, MentionTriage.risks,
            )
            .outerjoin(MentionTriage, MentionTriage.mention_id == Mention.id)
            .where(Mention.id.in_(ids))
        )
    }
    if missing := [mention_id for mention_id in ids if mention_id not in found]:
        raise UsageError(f"no mention #{missing[0]} to put in the inbox")
    there = set(connection.execute(sa.select(InboxItem.mention_id).where(InboxItem.mention_id.in_(ids))).scalars())
    holders = thread_holders(connection, {mention_id: _thread_key(found[mention_id]) for mention_id in ids})
    waiting = _Waiting.load(connection, min(handover.now for handover in handovers))
    sla = sla or InboxConfig()
    rows = []
    for handover in handovers:
        if handover.mention_id in there:
            continue  # left as it is
        there.add(handover.mention_id)
        this, now = found[handover.mention_id], handover.now
        priority = priority_of(
            urgency=this.urgency, sentiment=this.sentiment, risks=this.risks or (),
            followers=this.author_followers, age=now - this.created_at,
        )
        holder = holders.get(this.mention_id)
        post = _Post.of(this)
        group_id = waiting.leader(post, now)
        waiting.add(post, group_id, now)
        rows.append({
            "mention_id": this.mention_id, "priority": priority, "status": "claimed" if holder else "open", "claimed_by": holder,
            "reason": handover.reason, "draft": handover.draft, "action_result": handover.action_result, "created_at": now,
            "due_at": due_at(now, priority, sla), "group_id": group_id,
        })
    if rows:
        connection.execute(dialect_insert(connection, InboxItem).on_conflict_do_nothing(index_elements=["mention_id"]), rows)


@dataclass(frozen=True, slots=True)
class _Post:
    """What a cross-post is recognised by."""

    mention_id: int
    channel: str
    author: str | None
    text: str
    links: frozenset[str]

    @classmethod
    def of(cls, row: Any) -> _Post:
        links = links_of(row.text, row.url, own_page=row.channel == Channel.RSS)
        return cls(row.mention_id, row.channel, author_key(row.author_handle), row.text, frozenset(links))


class _Waiting:
    """The waiting items a new one may be a cross-post of: the newest `_CROSSPOST_CANDIDATES`
    active ones, indexed by author and by page so a new item is compared only with the few that
    could match."""

    def __init__(self) -> None:
        self._order: list[tuple[datetime, int]] = []  # (created_at, mention_id), oldest first
        self._items: dict[int, tuple[_Post, int | None, datetime]] = {}  # by mention id: post, group, created_at
        self._by_author: defaultdict[str, list[int]] = defaultdict(list)
        self._by_link: defaultdict[str, list[int]] = defaultdict(list)

    @classmethod
    def load(cls, connection: Connection, now: datetime) -> _Waiting:
        waiting = cls()
        # The newest items first, then their mentions: joining before the limit reads every item's.
        newest = (
            sa.select(InboxItem.mention_id, InboxItem.group_id, InboxItem.created_at)
            .where(InboxItem.status.in_(ACTIVE), InboxItem.created_at >= now - CROSSPOST_WINDOW)
            .order_by(InboxItem.created_at.desc(), InboxItem.mention_id.desc())
            .limit(_CROSSPOST_CANDIDATES)
            .subquery()
        )
        rows = connection.execute(
            sa.select(newest, Mention.channel, Mention.author_handle, Mention.text, Mention.url)
            .join(Mention, Mention.id == newest.c.mention_id)
            .order_by(newest.c.created_at, newest.c.mention_id)
        )
        for row in rows:
            waiting.add(_Post.of(row), row.group_id, row.created_at)
        return waiting

    def add(self, post: _Post, group_id: int | None, created_at: datetime) -> None:
        bisect.insort(self._order, (created_at, post.mention_id))
        self._items[post.mention_id] = (post, group_id, created_at)
        if post.author is not None:
            self._by_author[post.author].append(post.mention_id)
        for link in post.links:
            self._by_link[link].append(post.mention_id)
        if len(self._order) > _CROSSPOST_CANDIDATES:
            del self._items[self._order.pop(0)[1]]  # no longer among the newest

    def leader(self, this: _Post, now: datetime) -> int | None:
        """The item `this` is a cross-post of, if any: on another channel, the same person saying
        nearly the same words, or a post sharing the same page, in the last few days; the newest
        such item's leader leads both."""
        same_author = self._by_author.get(this.author, []) if this.author is not None else []
        sharing = [mention_id for link in this.links for mention_id in self._by_link.get(link, ())]
        best: tuple[datetime, int] | None = None
        for mention_id in {*same_author, *sharing}:
            if mention_id == this.mention_id or mention_id not in self._items:
                continue
            other, _, created_at = self._items[mention_id]
            if other.channel == this.channel or created_at < now - CROSSPOST_WINDOW:
                continue  # on one channel, a conversation is its thread
            if (best is None or (created_at, mention_id) > best) and (
                (this.author is not None and other.author == this.author and same_words(this.text, other.text))
                or this.links & other.links
            ):
                best = (created_at, mention_id)
        if best is None:
            return None
        return self._items[best[1]][1] or best[1]


def is_claimed(connection: Connection, mention_id: int) -> bool:
    """Whether a person holds this mention's thread (the same conversation on its channel):
    an item in it is claimed and not yet resolved or ignored."""
    return mention_id in thread_holders(connection, _thread_keys(connection, [mention_id]))


def answered_by_human(connection: Connection, mention_id: int) -> bool:
    """Whether a person replied (or approved a draft) anywhere in this mention's thread."""
    return mention_id in answered_by_humans(connection, _thread_keys(connection, [mention_id]))


ThreadKey = tuple[str, str | None]  # a mention's channel and conversation id


def thread_holders(connection: Connection, threads: Mapping[int, ThreadKey]) -> dict[int, str]:
    """Who holds each of these mentions' threads (`is_claimed`), by mention id: the agent of
    the newest claimed item in it that is not resolved or ignored."""
    held: dict[int, tuple[datetime, str]] = {}
    query = (
        sa.select(InboxItem.claimed_by, InboxItem.created_at)
        .join(Mention, Mention.id == InboxItem.mention_id)
        .where(InboxItem.claimed_by.is_not(None), InboxItem.status.not_in(CLOSED))
    )
    for mention_id, row in _in_threads(connection, threads, query):
        if mention_id not in held or row.created_at > held[mention_id][0]:
            held[mention_id] = (row.created_at, row.claimed_by)
    return {mention_id: agent for mention_id, (_, agent) in held.items()}


def answered_by_humans(connection: Connection, threads: Mapping[int, ThreadKey]) -> set[int]:
    """Which of these mentions a person answered in their thread (`answered_by_human`)."""
    query = sa.select(OutboxReply.id).join(Mention, Mention.id == OutboxReply.mention_id).where(OutboxReply.origin.in_(HUMAN_ORIGINS))
    return {mention_id for mention_id, _ in _in_threads(connection, threads, query)}


def _in_threads(connection: Connection, threads: Mapping[int, ThreadKey], query: sa.Select[Any]) -> Iterator[tuple[int, Any]]:
    """The rows of `query` (which joins `Mention`) about a post in the thread of one of
    `threads`' mentions (the same conversation on its channel, or the mention itself), each
    with that mention's id."""
    by_thread: defaultdict[ThreadKey, list[int]] = defaultdict(list)
    for mention_id, (channel, conversation) in threads.items():
        if conversation is not None:
            by_thread[channel, conversation].append(mention_id)
    if not threads:
        return
    rows = connection.execute(
        query.add_columns(Mention.id.label("post_id"), Mention.channel.label("post_channel"), Mention.conversation_id.label("post_conversation"))
        .where(sa.or_(Mention.id.in_(list(threads)), Mention.conversation_id.in_([conversation for _, conversation in by_thread])))
    )
    for row in rows:
        matched = set(by_thread.get((row.post_channel, row.post_conversation), ()))
        if row.post_id in threads:
            matched.add(row.post_id)
        for mention_id in matched:
            yield mention_id, row


def _thread_key(row: Any) -> ThreadKey:
    return (row.channel, row.conversation_id)


def _thread_keys(connection: Connection, mention_ids: Iterable[int]) -> dict[int, ThreadKey]:
    rows = connection.execute(sa.select(Mention.id, Mention.channel, Mention.conversation_id).where(Mention.id.in_(list(mention_ids))))
    return {row.id: _thread_key(row) for row in rows}


@dataclass(frozen=True, slots=True)
class InboxEntry:
    """One line of the inbox."""

    mention_id: int
    priority: str
    status: str
    due_at: datetime
    claimed_by: str | None
    reason: str
    draft: str | None
    channel: str
    author_handle: str | None
    author_followers: int | None
    text: str
    url: str | None
    posted_at: datetime
    intent: str | None
    sentiment: str | None
    urgency: str | None
    risks: tuple[str, ...]
    copies: int  # cross-posts grouped under this item, answered with it


def _entries() -> sa.Select[Any]:
    copy = aliased(InboxItem)
    copies = sa.select(sa.func.count()).where(copy.group_id == InboxItem.mention_id).scalar_subquery()
    return (
        sa.select(
            InboxItem.mention_id, InboxItem.priority, InboxItem.status, InboxItem.due_at, InboxItem.claimed_by,
            InboxItem.reason, InboxItem.draft, Mention.channel, Mention.author_handle, Mention.author_followers,
            Mention.text, Mention.url, Mention.created_at.label("posted_at"),
            current_label("intent", Mention.id).label("intent"), current_label("sentiment", Mention.id).label("sentiment"),
            MentionTriage.urgency, MentionTriage.risks, copies.label("copies"),
        )
        .join(Mention, Mention.id == InboxItem.mention_id)
        .outerjoin(MentionTriage, MentionTriage.mention_id == Mention.id)
    )


def _entry(values: dict[str, Any]) -> InboxEntry:
    return InboxEntry(**{field.name: values[field.name] for field in fields(InboxEntry)} | {"risks": tuple(values["risks"] or ())})


@dataclass(frozen=True, slots=True)
class UnreadablePost:
    """A post socialcx could not read, however often it looked it up (a dead letter given up):
    for a person to open on the site, since it never became a mention."""

    channel: str
    watch: str
    external_id: str
    reason: str
    attempts: int
    found_at: datetime


def unreadable_posts(connection: Connection, *, channels: Iterable[Channel] = (), limit: int = 50) -> list[UnreadablePost]:
    """The posts socialcx gave up reading, newest first (only dead letters naming a post: the
    others, a broken page the next poll asks for again, are counted in `socialcx status`)."""
    query = sa.select(
        DeadLetter.channel, DeadLetter.watch, DeadLetter.external_id, DeadLetter.reason, DeadLetter.attempts,
        DeadLetter.created_at.label("found_at"),
    ).where(DeadLetter.state == "unreadable", DeadLetter.external_id.is_not(None))
    if channels := [str(channel) for channel in channels]:
        query = query.where(DeadLetter.channel.in_(channels))
    query = query.order_by(DeadLetter.created_at.desc(), DeadLetter.id.desc()).limit(limit)
    return [UnreadablePost(**row._asdict()) for row in connection.execute(query)]


def list_items(
    connection: Connection,
    *,
    statuses: Iterable[str] = ACTIVE,
    priorities: Iterable[str] = (),
    channels: Iterable[Channel] = (),
    intents: Iterable[str] = (),
    claimed_by: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[InboxEntry]:
    """Items by priority, the soonest due first within a priority; empty filters match all;
    `offset` skips that many (a page further). Cross-posts are listed once, under the item that
    leads them (`copies`).

    The page is chosen from the items alone (joining a mention only to filter on it), then its
    few rows are read in full: sorting every waiting item with its text and labels costs more
    than the rest of the page."""
    page = sa.select(InboxItem.mention_id).where(InboxItem.group_id.is_(None))
    if statuses := list(statuses):
        page = page.where(InboxItem.status.in_(statuses))
    if priorities := list(priorities):
        page = page.where(InboxItem.priority.in_(priorities))
    channels, intents = [str(channel) for channel in channels], list(intents)
    if channels:
        page = page.join(Mention, Mention.id == InboxItem.mention_id).where(Mention.channel.in_(channels))
    if intents:
        # The model's label or a correction must be one of them: a cheap test that spares most
        # items the newest-correction lookup of `current_label`, which decides.
        corrected = sa.select(Feedback.mention_id).where(Feedback.field == "intent", Feedback.new.in_(intents))
        page = page.outerjoin(MentionTriage, MentionTriage.mention_id == InboxItem.mention_id).where(
            sa.or_(MentionTriage.intent.in_(intents), InboxItem.mention_id.in_(corrected)),
            current_label("intent", InboxItem.mention_id).in_(intents),
        )
    if claimed_by is not None:
        page = page.where(InboxItem.claimed_by == claimed_by)
    rank = sa.case({name: index for index, name in enumerate(PRIORITIES)}, value=InboxItem.priority, else_=len(PRIORITIES))
    order = (rank, InboxItem.due_at, InboxItem.mention_id)
    chosen = page.order_by(*order).limit(limit).offset(offset).subquery()
    query = _entries().join(chosen, chosen.c.mention_id == InboxItem.mention_id).order_by(*order)
    return [_entry(row._asdict()) for row in connection.execute(query)]


@dataclass(frozen=True, slots=True)
class ThreadPost:
    """A post of the conversation an item belongs to, and our reply to it, if any."""

    mention_id: int
    author_handle: str | None
    posted_at: datetime
    text: str
    reply: str | None
    reply_state: str | None


@dataclass(frozen=True, slots=True)
class ItemDetail:
    """Everything an agent needs to answer an item."""

    entry: InboxEntry
    confidence: float | None
    abstained: bool | None
    action_result: Any
    thread: tuple[ThreadPost, ...]
    suggestions: tuple[str, ...]


def find_item(connection: Connection, mention_id: int, *, playbook: Any = None) -> ItemDetail:
    """An item with its mention's thread (stored mentions of the same conversation, oldest
    first, with our replies), its triage, and the reply the playbook suggests for its intent."""
    row = connection.execute(
        _entries().add_columns(MentionTriage.confidence, MentionTriage.abstained, InboxItem.action_result, Mention.external_id)
        .where(InboxItem.mention_id == mention_id)
    ).one_or_none()
    if row is None:
        raise UsageError(f"#{mention_id} is not in the inbox")
    values = row._asdict()
    entry = _entry(values)
    thread = [row.post_id for _, row in _in_threads(connection, _thread_keys(connection, [mention_id]), sa.select(Mention.id))]
    posts = connection.execute(
        sa.select(Mention.id, Mention.author_handle, Mention.created_at, Mention.text, OutboxReply.text, OutboxReply.state)
        .outerjoin(OutboxReply, OutboxReply.mention_id == Mention.id)
        .where(sa.or_(Mention.id.in_(thread), Mention.id.in_(_group(mention_id))))
        .order_by(Mention.created_at, Mention.id)
    ).all()
    suggestions: tuple[str, ...] = ()
    if playbook is not None and entry.intent and playbook.rules(entry.intent) is not None:
        rendered = playbook.render(entry.intent, Channel(entry.channel), values["external_id"], entry.author_handle, values["action_result"])
        suggestions = tuple(text for text in (rendered.text,) if text and text != entry.draft)
    return ItemDetail(
        entry=entry, confidence=values["confidence"], abstained=values["abstained"], action_result=values["action_result"],
        thread=tuple(ThreadPost(*post) for post in posts), suggestions=suggestions,
    )


def claim(connection: Connection, mention_id: int, *, agent: str) -> None:
    """Take an item (and so its thread: the bot stays out of it). Claiming one's own is a no-op."""
    taken = connection.execute(
        sa.update(InboxItem)
        .where(
            InboxItem.mention_id == mention_id, InboxItem.status.not_in(CLOSED),
            sa.or_(InboxItem.claimed_by.is_(None), InboxItem.claimed_by == agent),
        )
        .values(claimed_by=agent, status=sa.case((InboxItem.status == "open", "claimed"), else_=InboxItem.status))
    ).rowcount
    if not taken:
        _refuse(_item(connection, mention_id), agent, "claim")


def reply(connection: Connection, mention_id: int, text: str, *, agent: str, now: datetime) -> int:
    """Answer an item through the outbox (so it is sent exactly once); returns the outbox id."""
    return _respond(connection, mention_id, text, origin="agent", agent=agent, now=now)


def approve(connection: Connection, mention_id: int, *, agent: str, now: datetime) -> int:
    """Send the draft the responder wrote for this item, as it stands; returns the outbox id."""
    item = _item(connection, mention_id)
    if not item.draft:
        raise UsageError(f"#{mention_id} has no draft to approve; write a reply with `socialcx inbox reply`")
    return _respond(connection, mention_id, item.draft, origin="approved", agent=agent, now=now)


def _respond(connection: Connection, mention_id: int, text: str, *, origin: str, agent: str, now: datetime) -> int:
    from connectors import connector_class

    item = _item(connection, mention_id, lock=True)
    _refuse(item, agent, "reply to")
    channel, url = connection.execute(sa.select(Mention.channel, Mention.url).where(Mention.id == mention_id)).one()
    if not connector_class(Channel(channel)).capabilities.can_reply:
        where = f": {url}" if url else ""
        raise UsageError(f"#{mention_id} is on {channel}, where socialcx cannot reply; answer on the site{where}")
    outbox_id = queue_reply(connection, mention_id, text, origin=origin, agent=agent, now=now)
    connection.execute(
        sa.update(InboxItem)
        .where(InboxItem.mention_id == mention_id)
        .values(status="replied", claimed_by=agent, first_response_at=sa.func.coalesce(InboxItem.first_response_at, now))
    )
    _close_copies(
        connection, mention_id, members_too=False, status="resolved", resolved_at=now,
        first_response_at=sa.func.coalesce(InboxItem.first_response_at, now),
    )
    return outbox_id


def resolve(connection: Connection, mention_id: int, *, agent: str, now: datetime) -> None:
    """Close an item: nothing more to do for it."""
    _refuse(_item(connection, mention_id, lock=True), agent, "resolve")
    connection.execute(
        sa.update(InboxItem).where(InboxItem.mention_id == mention_id).values(status="resolved", resolved_at=now)
    )
    _close_copies(connection, mention_id, status="resolved", resolved_at=now)


def escalate(connection: Connection, mention_id: int, *, now: datetime, sla: InboxConfig | None = None) -> InboxItem:
    """Raise an item's priority one level (critical stays critical) and bring its due time
    forward to what the new priority allows from now; an escalation never grants more time."""
    item = _item(connection, mention_id, lock=True)
    if item.status in CLOSED:
        raise UsageError(f"#{mention_id} is {item.status}; there is nothing to escalate")
    priority = PRIORITIES[max(PRIORITIES.index(item.priority) - 1, 0)]
    due = min(item.due_at, due_at(now, priority, sla or InboxConfig()))
    connection.execute(
        sa.update(InboxItem).where(InboxItem.mention_id == mention_id).values(status="escalated", priority=priority, due_at=due)
    )
    return _item(connection, mention_id)


def ignore(connection: Connection, mention_ids: Sequence[int], *, agent: str) -> int:
    """Mark items as spam, all or none: any one that cannot be ignored refuses the lot.
    Returns how many changed (items already ignored are left as they are)."""
    items = [_item(connection, mention_id, lock=True) for mention_id in dict.fromkeys(mention_ids)]
    for item in items:
        if item.status != "ignored":
            _refuse(item, agent, "ignore")
    changing = [item.mention_id for item in items if item.status != "ignored"]
    if changing:
        connection.execute(sa.update(InboxItem).where(InboxItem.mention_id.in_(changing)).values(status="ignored"))
        connection.execute(
            sa.update(InboxItem).where(InboxItem.group_id.in_(changing), InboxItem.status.not_in(CLOSED)).values(status="ignored")
        )
    return len(changing)


def ignore_spam(connection: Connection, *, agent: str) -> list[int]:
    """Ignore every waiting item whose intent is spam, except those another agent holds."""
    ids = list(
        connection.execute(
            sa.select(InboxItem.mention_id)
            .join(Mention, Mention.id == InboxItem.mention_id)
            .outerjoin(MentionTriage, MentionTriage.mention_id == Mention.id)
            .where(
                InboxItem.status.in_(ACTIVE),
                current_label("intent", Mention.id) == "spam",
                sa.or_(InboxItem.claimed_by.is_(None), InboxItem.claimed_by == agent),
            )
            .order_by(InboxItem.mention_id)
        ).scalars()
    )
    ignore(connection, ids, agent=agent)
    return ids


def _group(mention_id: int) -> sa.Select[Any]:
    """The mention ids of the cross-posts an item leads."""
    return sa.select(InboxItem.mention_id).where(InboxItem.group_id == mention_id)


def _close_copies(connection: Connection, mention_id: int, *, members_too: bool = True, **values: Any) -> None:
    """Cross-posts follow the item leading them: answered, resolved or ignored with it. The
    members of an incident grouped under it are resolved or ignored with it (in bulk), but a
    reply to one of them answers that one only: the others still wait for the statement."""
    query = sa.update(InboxItem).where(InboxItem.group_id == mention_id, InboxItem.status.not_in(CLOSED))
    if not members_too:
        query = query.where(InboxItem.mention_id.not_in(sa.select(IncidentMember.mention_id)))
    connection.execute(query.values(**values))


def _item(connection: Connection, mention_id: int, *, lock: bool = False) -> InboxItem:
    query = sa.select(InboxItem.__table__).where(InboxItem.mention_id == mention_id)
    row = connection.execute(query.with_for_update() if lock else query).one_or_none()
    if row is None:
        raise UsageError(f"#{mention_id} is not in the inbox")
    return InboxItem.model_validate(row._asdict())


def _refuse(item: InboxItem, agent: str, action: str) -> None:
    """Raise the reason an agent may not act on an item, if there is one."""
    if item.status in CLOSED:
        raise UsageError(f"cannot {action} #{item.mention_id}: it is {item.status}")
    if item.claimed_by is not None and item.claimed_by != agent:
        raise UsageError(f"cannot {action} #{item.mention_id}: {item.claimed_by} has claimed it")
