"""The responder: for each new mention, answer it, draft an answer, or hand it to people.

Every guardrail below must pass for an auto-reply; the first that does not decides where the
mention goes, and the decision is logged with its reason (table `decision`, one per mention):

    own_account   our own posts (and our replies coming back in listings)       → skipped
    known_bot     a listed bot, or a handle that ends in "bot"                  → skipped
    answered      we or a person already replied to it                          → skipped
    incident      a member of an open incident (`care.surge`), no risk flag     → incident
    kill_switch   `socialcx pause` is on                                        → inbox
    resolution    needs the policy covers, on a channel with private messages,  → resolve
                  no risk flag, the thread not claimed, the global caps not reached
    triage        the classifier abstained, or raised a risk flag               → inbox
    playbook      the intent is not in the playbook, disabled, or `off`         → inbox
    confidence    below the intent's `min_confidence`                           → inbox
    channel       not an allowed channel, or one we cannot reply on             → inbox
    thread        our account already took `max_turns` turns in this thread     → inbox
    claimed       a person holds this thread                                    → inbox
    age           older than `max_age_minutes`                                  → inbox
    caps          per-author, per-channel or global replies per hour or day     → inbox
    quiet_hours   inside the intent's quiet hours                               → inbox
    mode          the intent is in `draft` (shadow mode)                        → draft
    action        the intent's action refused, failed or was over its limits    → inbox
    template      no reply fits the channel                                     → inbox

A mention to resolve gets a public reply that moves the case to private messages (it names
nothing of the case) and a conversation (`care.conversations`), which the pipeline's resolve
link takes from there. A mention that passes everything gets an outbox row (`socialcx.care.outbox`), sent by
`send_pending`; one stopped only by `mode` goes to the inbox with the rendered draft. A member of
an incident waits for the incident's statement (`care.surge.deliver`, which each pass runs and
which keeps the statement's own guardrails); a member with a risk flag goes to a person.
"""

from __future__ import annotations

import asyncio
import bisect
import json
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import aliased

from connectors import connector_class
from socialcx.care import conversations, inbox, surge, wording
from socialcx.care.handover import queue_replies
from socialcx.care.outbox import is_paused
from socialcx.care.playbook import ActionRules, Caps, IntentRules, Playbook
from socialcx.channels import Channel
from socialcx.clock import Clock
from socialcx.config import Settings
from socialcx.store import (
    ActionSpend,
    Decision,
    IncidentRow,
    Mention,
    MentionTriage,
    OutboxReply,
    dialect_insert,
)

__all__ = ["GUARDRAILS", "Verdict", "amount_in", "route"]

GUARDRAILS = (
    "own_account", "known_bot", "answered", "incident", "kill_switch", "resolution", "triage", "playbook", "confidence", "channel",
    "thread", "claimed", "age", "caps", "quiet_hours", "mode", "action", "template",
)
_SKIPPED = ("own_account", "known_bot", "answered")  # nothing for anyone to do


# A mention not routed yet, as the responder reads it: a row of these columns of the mention
# and of its triage (not the raw payload, the costliest column to read).
Unrouted = sa.Row[Any]
_MENTION_COLUMNS = (
    "id", "channel", "external_id", "watch", "author_id", "author_handle", "text", "url", "created_at",
    "in_reply_to_id", "conversation_id",
)
_TRIAGE_COLUMNS = ("intent", "confidence", "abstained", "risks")


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the guardrails said about one mention: the first one that stopped it, if any."""

    outcome: str  # auto_reply, resolve, draft, incident, inbox, skipped
    reason: str
    guardrail: str | None = None


_PAGE = 1000  # mentions judged together: bounds the lists of ids and keys each read sends


def route(
    engine: Engine,
    settings: Settings,
    playbook: Playbook,
    clock: Clock,
    mention_ids: Collection[int] | None = None,
) -> list[sa.Row[Any]]:
    """Decide, for each triaged mention not routed yet (or only those in `mention_ids`), oldest
    first, whether to answer it; queue the reply, hand it to the inbox or to its incident; return
    the decisions (rows of the `decision` table: `id`, `mention_id`, `at`, `outcome`, `reason`,
    `guardrail`). Incidents are opened for new alerts first, and their statements delivered last.

    Mentions are judged a page at a time: what the guardrails need is read for the whole page,
    then kept up to date in memory as each mention is decided (a reply queued counts towards the
    caps and the thread's turns of the mentions after it), and the page is written at once.

    Blocking (it may call a playbook action over HTTP): from async code, run it in a thread.
    """
    with engine.begin() as connection:
        surge.sync(connection, playbook, clock.now())
    with engine.connect() as connection:
        unrouted = _unrouted(connection, mention_ids)
        connection.commit()
        decisions = []
        for start in range(0, len(unrouted), _PAGE):
            page = unrouted[start : start + _PAGE]
            with connection.begin():
                context = _Context.read(connection, settings, playbook, page, clock.now())
            decisions += _route_page(connection, context, clock, page)
    with engine.begin() as connection:
        surge.deliver(connection, playbook, clock.now(), settings.inbox)
    return decisions


@dataclass(frozen=True, slots=True)
class _Routed:
    """A mention decided, waiting to be written."""

    mention: Unrouted
    verdict: Verdict
    draft: str | None
    action_result: dict[str, Any] | None
    now: datetime


def _route_page(connection: Connection, context: _Context, clock: Clock, page: list[Unrouted]) -> list[sa.Row[Any]]:
    playbook, decisions, routed = context.playbook, [], []
    for mention in page:
        now = clock.now()
        verdict = _judge(context, mention, now)
        rules = playbook.rules(mention.intent)
        draft = action_result = None
        if verdict.outcome == "draft":
            rendered = playbook.render(mention.intent, Channel(mention.channel), mention.external_id, mention.author_handle)
            draft = rendered.text
        elif verdict.outcome == "resolve":
            draft = wording.public_reply(_handle(mention.author_handle) or None)
            context.replied(mention, now)
        elif verdict.outcome == "auto_reply":
            assert rules is not None
            if rules.action is not None:
                action_result = _run_action(connection.engine, context.settings, rules.action, mention, mention.intent, now)
                if action_result["status"] != "ok":
                    verdict = Verdict("inbox", f"the {mention.intent} action did not go through: {action_result['detail']}", "action")
            if verdict.outcome == "auto_reply":
                rendered = playbook.render(
                    mention.intent, Channel(mention.channel), mention.external_id, mention.author_handle,
                    action=(action_result or {}).get("answer"),
                )
                draft = rendered.text
                if rendered.text is None:
                    verdict = Verdict("inbox", f"no reply fits: {rendered.problem}", "template")
        if verdict.outcome == "auto_reply":
            context.replied(mention, now)
        routed.append(_Routed(mention, verdict, draft, action_result, now))
        if action_result is not None:  # written at once: a crash must not lose what the action did
            decisions += _record(connection, context.settings, routed, context.members)
            routed = []
    return decisions + _record(connection, context.settings, routed, context.members)


@dataclass
class _Context:
    """What the mentions of one page of a routing pass are judged against: read once for the
    page, and kept up to date as its mentions are decided."""

    settings: Settings
    playbook: Playbook
    us: _Us
    members: Mapping[int, IncidentRow]  # the page's mentions that belong to an open incident
    paused: bool
    sent: set[str]  # the platform ids of our sent replies that are among the page's posts
    answered: dict[int, str]  # the page's mentions that have an outbox row: its state
    answered_by_people: set[int]  # the page's mentions a person answered in their thread
    claimed: set[int]  # the page's mentions whose thread a person holds
    turns: defaultdict[tuple[str, str], set[Any]]  # (channel, thread key) → our turns there
    replies: defaultdict[tuple[Any, ...], list[datetime]]  # cap scope → when its replies of the last day were queued, in order
    reader: conversations.Reader | None = None  # what reads a post's needs, once resolution is on

    @classmethod
    def read(
        cls,
        connection: Connection,
        settings: Settings,
        playbook: Playbook,
        page: list[Unrouted],
        now: datetime,
    ) -> _Context:
        ids = [mention.id for mention in page]
        threads = {mention.id: (mention.channel, mention.conversation_id) for mention in page}
        outbox = OutboxReply.__table__
        context = cls(
            settings=settings,
            playbook=playbook,
            us=_Us.read(connection, settings),
            members=surge.member_of(connection, page),
            paused=is_paused(connection),
            sent=set(connection.execute(
                sa.select(outbox.c.platform_id).where(
                    outbox.c.state == "sent", outbox.c.platform_id.in_({mention.external_id for mention in page})
                )
            ).scalars()),
            answered=dict(connection.execute(sa.select(outbox.c.mention_id, outbox.c.state).where(outbox.c.mention_id.in_(ids))).all()),
            answered_by_people=inbox.answered_by_humans(connection, threads),
            claimed=set(inbox.thread_holders(connection, threads)),
            turns=defaultdict(set),
            replies=defaultdict(list),
        )
        context._read_turns(connection, page)
        context._read_replies(connection, now)
        return context

    def _read_turns(self, connection: Connection, page: list[Unrouted]) -> None:
        """Our replies (not failed) and our own posts in the page's threads, by thread key."""
        keys = list({key for mention in page for key in _thread_ids(mention)})
        replies = connection.execute(
            sa.select(OutboxReply.mention_id, OutboxReply.platform_id, Mention.channel, Mention.conversation_id, Mention.external_id)
            .join(Mention, Mention.id == OutboxReply.mention_id)
            .where(
                OutboxReply.state != "failed",
                sa.or_(Mention.conversation_id.in_(keys), Mention.external_id.in_(keys), OutboxReply.platform_id.in_(keys)),
            )
        )
        for reply in replies:
            self._add_turn(reply.channel, reply.platform_id or ("outbox", reply.mention_id), reply.conversation_id, reply.external_id, reply.platform_id)
        if self.us.handles or self.us.ids:
            posts = connection.execute(
                sa.select(Mention.channel, Mention.conversation_id, Mention.external_id, Mention.author_id, Mention.author_handle)
                .where(sa.or_(Mention.conversation_id.in_(keys), Mention.external_id.in_(keys)))
            )
            for post in posts:
                if self.us.wrote(post):
                    self._add_turn(post.channel, post.external_id, post.conversation_id, post.external_id)

    def _add_turn(self, channel: str, turn: Any, *keys: str | None) -> None:
        for key in keys:
            if key:
                self.turns[channel, key].add(turn)

    def _read_replies(self, connection: Connection, now: datetime) -> None:
        """The replies queued or sent (not failed) in the last day, by the cap scopes they count in;
        incidents' statements have their own budget (`care.surge`), apart from these caps."""
        replies = connection.execute(
            sa.select(OutboxReply.created_at, Mention.channel, Mention.author_id, Mention.author_handle)
            .join(Mention, Mention.id == OutboxReply.mention_id)
            .where(
                OutboxReply.state != "failed", OutboxReply.origin != "incident", OutboxReply.created_at > now - _LONGEST_CAP
            )
            .order_by(OutboxReply.created_at)
        )
        for reply in replies:
            for scope in _scopes(reply):
                self.replies[scope].append(reply.created_at)

    def replied(self, mention: Unrouted, now: datetime) -> None:
        """Count a reply queued for `mention` in the caps and the thread's turns of the mentions after it."""
        self._add_turn(mention.channel, ("outbox", mention.id), mention.conversation_id, mention.external_id)
        for scope in _scopes(mention):
            bisect.insort(self.replies[scope], now)


_LONGEST_CAP = timedelta(days=1)


def _scopes(post: Any) -> tuple[tuple[Any, ...], ...]:
    """The cap scopes a reply to `post` counts in: all, its channel, its author on the channel
    (by id, and by handle for mentions that have no author id)."""
    scopes: tuple[tuple[Any, ...], ...] = (("all",), ("channel", post.channel), ("handle", post.channel, post.author_handle))
    return scopes + ((("id", post.channel, post.author_id),) if post.author_id is not None else ())


def _thread_ids(mention: Unrouted) -> set[str]:
    return {key for key in (mention.conversation_id, mention.in_reply_to_id, mention.external_id) if key}


def _judge(context: _Context, mention: Unrouted, now: datetime) -> Verdict:
    """Run the guardrails in order; the first refusal decides. `mode` only marks a draft, so that
    a drafted mention is one that passed everything else."""
    drafting = False
    for name, check in _CHECKS:
        refusal = check(context, mention, now)
        if refusal is None:
            continue
        if name == "mode":
            drafting = True
            continue
        if name == "incident":
            return Verdict("incident", refusal, name)
        if name == "resolution":
            return Verdict("resolve", refusal, name)
        return Verdict("skipped" if name in _SKIPPED else "inbox", refusal, name)
    if drafting:
        return Verdict("draft", "shadow mode: the intent is in draft, so a person approves the reply", "mode")
    return Verdict("auto_reply", "every guardrail passed")


# Each check returns None when the mention passes, else the reason it does not.
Check = Callable[[_Context, Unrouted, datetime], str | None]


@dataclass(frozen=True, slots=True)
class _Us:
    """Our accounts: by platform id on each channel (the authors of our sent replies, as they came
    back in listings), and by the watches' handles, normalised with their Mastodon instance."""

    ids: set[tuple[str, str]]  # (channel, author id)
    handles: set[str]  # as `_handle` normalises them
    instance: str | None  # our Mastodon instance, the home of a handle that names none

    @classmethod
    def read(cls, connection: Connection, settings: Settings) -> _Us:
        reply, replied = aliased(Mention), aliased(Mention)
        authors = connection.execute(
            sa.select(reply.channel, reply.author_id)
            .distinct()
            .join(OutboxReply, OutboxReply.platform_id == reply.external_id)
            .join(replied, sa.and_(replied.id == OutboxReply.mention_id, replied.channel == reply.channel))
            .where(OutboxReply.state == "sent", reply.author_id.is_not(None))
        )
        base_url = settings.channels.mastodon.base_url
        return cls(
            ids={(channel, str(author_id)) for channel, author_id in authors},
            handles={_handle(handle) for watch in settings.watches for handle in watch.handles},
            instance=(urlsplit(base_url).hostname or None) if base_url else None,
        )

    def wrote(self, post: Any) -> bool:
        """Whether our account wrote `post` (a mention row): its author id is ours, or its handle."""
        if post.author_id is not None and (post.channel, str(post.author_id)) in self.ids:
            return True
        account = self._account(post.channel, _handle(post.author_handle))
        return bool(account[0]) and any(account == self._account(post.channel, handle) for handle in self.handles)

    def _account(self, channel: str, handle: str) -> tuple[str, str | None]:
        """A handle as (name, home): on Mastodon `acme` is `acme` on our instance, so it equals
        `acme@ourinstance`, and `acme@other.instance` is someone else; elsewhere the name alone."""
        if channel != Channel.MASTODON:
            return handle, None
        name, _, home = handle.partition("@")
        return name, home or self.instance


def _own_account(context: _Context, mention: Unrouted, now: datetime) -> str | None:
    if mention.external_id in context.sent:
        return "this is one of our own replies, seen again in a listing"
    return f"posted by our own account @{_handle(mention.author_handle)}" if context.us.wrote(mention) else None


_BOT_NAME = re.compile(r"bot$|^bot[_\-.]|[_\-.]bot[_\-.]", re.IGNORECASE)


def _known_bot(context: _Context, mention: Unrouted, now: datetime) -> str | None:
    handle = _handle(mention.author_handle)
    if handle and handle in context.playbook.known_bots:
        return f"@{handle} is a known bot (playbook known_bots)"
    if handle and _BOT_NAME.search(handle):
        return f"@{handle} looks like a bot"
    return None


def _answered(context: _Context, mention: Unrouted, now: datetime) -> str | None:
    state = context.answered.get(mention.id)
    if state is not None:
        return f"already answered by us (outbox: {state})"
    if mention.id in context.answered_by_people:
        return "a person already answered in this thread"
    return None


def _kill_switch(context: _Context, mention: Unrouted, now: datetime) -> str | None:
    return "auto-replies are paused (socialcx resume turns them back on)" if context.paused else None


_PRIVATE_RISKS = {"personal_data"}  # what a private conversation is for: the public reply repeats none of it


def _resolution(context: _Context, mention: Unrouted, now: datetime) -> str | None:
    """Not a refusal: the mention is transactional (needs the policy covers) and goes to a
    private conversation, unless a guardrail stands in the way (then the checks after decide).
    A post that shows personal data (an email, an order) still goes: the public reply names none."""
    if context.playbook.policy is None or not context.settings.commerce.base_url or set(mention.risks) - _PRIVATE_RISKS:
        return None
    if mention.id in context.claimed or _over(context.replies.get(("all",), []), "in all", context.playbook.caps, now):
        return None
    try:
        private = connector_class(Channel(mention.channel)).capabilities.private_messages
    except LookupError:
        private = False
    if not private:
        return None
    if context.reader is None:
        context.reader = conversations.default_reader()
    needs = conversations.covered_needs(context.reader.understand(mention.text, mention.created_at).needs)
    if not needs:
        return None
    return f"{', '.join(needs)}: resolved in private messages within the policy"


def _triage(context: _Context, mention: Unrouted, now: datetime) -> str | None:
    if mention.risks:
        return f"risk flags: {', '.join(mention.risks)}"
    if mention.abstained:
        return f"triage was unsure of the intent ({mention.intent}, {mention.confidence:.2f})"
    return None


def _playbook(context: _Context, mention: Unrouted, now: datetime) -> str | None:
    rules = context.playbook.rules(mention.intent)
    if rules is None:
        return f"the playbook does not answer {mention.intent}"
    if not rules.enabled or rules.mode == "off":
        return f"{mention.intent} is turned off in the playbook"
    return None


def _confidence(context: _Context, mention: Unrouted, now: datetime) -> str | None:
    wanted = _rules(context, mention).min_confidence
    if mention.confidence < wanted:
        return f"confidence {mention.confidence:.2f} is below {wanted:.2f} for {mention.intent}"
    return None


def _channel(context: _Context, mention: Unrouted, now: datetime) -> str | None:
    channel = Channel(mention.channel)
    try:
        can_reply = connector_class(channel).capabilities.can_reply
    except LookupError:
        can_reply = False
    if not can_reply:
        return f"socialcx cannot reply on {channel}: answer on the site" + (f" ({mention.url})" if mention.url else "")
    if channel not in _rules(context, mention).channels:
        return f"the playbook does not answer {mention.intent} on {channel}"
    return None


def _thread(context: _Context, mention: Unrouted, now: datetime) -> str | None:
    """How many times our account has spoken in this mention's thread: our replies in the outbox,
    and posts by our handles that came back in listings (each counted once)."""
    turns = len(set().union(*(context.turns.get((mention.channel, key), ()) for key in _thread_ids(mention))))
    allowed = context.playbook.max_turns
    if turns >= allowed:
        return f"our account already took {turns} turn{'s' * (turns != 1)} in this thread (max_turns {allowed})"
    return None


def _claimed(context: _Context, mention: Unrouted, now: datetime) -> str | None:
    return "a person has claimed this thread" if mention.id in context.claimed else None


def _age(context: _Context, mention: Unrouted, now: datetime) -> str | None:
    limit = timedelta(minutes=context.playbook.max_age_minutes)
    age = now - mention.created_at
    if age > limit:
        return f"{_minutes(age)} old, older than the {_minutes(limit)} an auto-reply may be"
    return None


def _caps(context: _Context, mention: Unrouted, now: datetime) -> str | None:
    rules = _rules(context, mention)
    author = ("id", mention.channel, mention.author_id) if mention.author_id else ("handle", mention.channel, mention.author_handle)
    scopes = (
        (f"to @{_handle(mention.author_handle)}", rules.per_author, author),
        (f"on {mention.channel}", rules.per_channel, ("channel", mention.channel)),
        ("in all", context.playbook.caps, ("all",)),
    )
    for label, caps, scope in scopes:
        if (refusal := _over(context.replies.get(scope, []), label, caps, now)) is not None:
            return refusal
    return None


def _quiet_hours(context: _Context, mention: Unrouted, now: datetime) -> str | None:
    quiet = _rules(context, mention).quiet_hours
    if quiet is not None and quiet.contains(now):
        return f"quiet hours ({quiet.start:%H:%M}-{quiet.end:%H:%M} {quiet.timezone})"
    return None


def _incident(context: _Context, mention: Unrouted, now: datetime) -> str | None:
    incident = context.members.get(mention.id)
    if incident is None or mention.risks:
        return None  # a member with a risk flag goes to a person (the triage check)
    return f"a member of incident #{incident.id} ({incident.topic}): it gets the incident's statement once approved"


def _mode(context: _Context, mention: Unrouted, now: datetime) -> str | None:
    return None if _rules(context, mention).mode == "auto" else "draft"


_CHECKS: tuple[tuple[str, Check], ...] = (
    ("own_account", _own_account),
    ("known_bot", _known_bot),
    ("answered", _answered),
    ("incident", _incident),
    ("kill_switch", _kill_switch),
    ("resolution", _resolution),
    ("triage", _triage),
    ("playbook", _playbook),
    ("confidence", _confidence),
    ("channel", _channel),
    ("thread", _thread),
    ("claimed", _claimed),
    ("age", _age),
    ("caps", _caps),
    ("quiet_hours", _quiet_hours),
    ("mode", _mode),
)


def _rules(context: _Context, mention: Unrouted) -> IntentRules:
    rules = context.playbook.rules(mention.intent)
    assert rules is not None  # the playbook check runs first
    return rules


def _over(queued: list[datetime], label: str, caps: Caps, now: datetime) -> str | None:
    """Whether the replies already queued or sent (not failed), `queued` in time order, reach a cap."""
    for limit, span, unit in ((caps.hour, timedelta(hours=1), "hour"), (caps.day, timedelta(days=1), "day")):
        if limit is None:
            continue
        count = len(queued) - bisect.bisect_right(queued, now - span)
        if count >= limit:
            return f"{count} replies {label} in the last {unit} reach the cap of {limit}"
    return None


def _unrouted(connection: Connection, mention_ids: Collection[int] | None) -> list[Unrouted]:
    mention, triage, decision = Mention.__table__, MentionTriage.__table__, Decision.__table__
    query = (
        sa.select(*(mention.c[name] for name in _MENTION_COLUMNS), *(triage.c[name] for name in _TRIAGE_COLUMNS))
        .join(triage, triage.c.mention_id == mention.c.id)
        .outerjoin(decision, decision.c.mention_id == mention.c.id)
        .where(decision.c.id.is_(None))
        .order_by(mention.c.created_at, mention.c.id)
    )
    if mention_ids is not None:
        query = query.where(mention.c.id.in_(list(mention_ids)))
    return list(connection.execute(query))


def _record(
    connection: Connection, settings: Settings, routed: list[_Routed], members: Mapping[int, IncidentRow]
) -> list[sa.Row[Any]]:
    """Log the decisions and act on them in one transaction; a mention another process routed
    first (the decision is unique per mention) is left out, and so is what it would have done."""
    if not routed:
        return []
    table = Decision.__table__
    values = [
        {"mention_id": r.mention.id, "at": r.now, "outcome": r.verdict.outcome, "reason": r.verdict.reason, "guardrail": r.verdict.guardrail}
        for r in routed
    ]
    with connection.begin():
        decided = {
            decision.mention_id: decision
            for decision in connection.execute(
                dialect_insert(connection, table)
                .on_conflict_do_nothing(index_elements=["mention_id"])
                .returning(*table.c),
                values,
            )
        }
        ours = [r for r in routed if r.mention.id in decided]
        replies = [(r.mention.id, r.draft, r.now) for r in ours if r.verdict.outcome in ("auto_reply", "resolve")]
        if replies:
            queue_replies(connection, replies, origin="auto", agent=None)
        conversations.open_conversations(connection, [r.mention for r in ours if r.verdict.outcome == "resolve"], routed[0].now)
        inbox.enqueue_all(
            connection,
            [
                inbox.Handover(r.mention.id, r.verdict.reason, r.now, r.draft, r.action_result)
                for r in ours if r.verdict.outcome in ("draft", "inbox")
            ],
            sla=settings.inbox,
        )
        surge.join(
            connection,
            [
                (r.mention, members[r.mention.id], "waiting" if r.verdict.outcome == "incident" else "person", r.verdict.reason)
                for r in ours if r.mention.id in members and r.verdict.outcome in ("incident", "inbox")
            ],
            routed[0].now,
        )
    return [decided[r.mention.id] for r in ours]


# -- actions ---------------------------------------------------------------------------------

_AMOUNT = re.compile(
    r"[£$€]\s?(\d{1,6}(?:[.,]\d{1,2})?)\b|\b(\d{1,6}(?:[.,]\d{1,2})?)\s?(?:gbp|usd|eur|pounds?|dollars?|euros?)\b",
    re.IGNORECASE,
)


def amount_in(text: str) -> float | None:
    """The first sum of money a post names (£30, $12.50, 40 EUR), if any."""
    match = _AMOUNT.search(text)
    if match is None:
        return None
    return float((match.group(1) or match.group(2)).replace(",", "."))


def _run_action(
    engine: Engine, settings: Settings, action: ActionRules, mention: Unrouted, intent: str, now: datetime
) -> dict[str, Any]:
    """Call an intent's action once for this mention, within its cap and the day's budget.

    The result is `{"status": "ok", "answer": {…}}` or a refusal (`over_cap`, `over_budget`,
    `already_called`, `timeout`, `error`) with a `detail` for the person who takes over. The
    spend is reserved (committed) before the call, so concurrent routers never overspend and a
    crash never calls the action twice for one mention.
    """
    amount = amount_in(mention.text)
    if amount is not None and action.amount_cap is not None and amount > action.amount_cap:
        result = {"status": "over_cap", "amount": amount, "cap": action.amount_cap,
                  "detail": f"{amount:g} is above the action's cap of {action.amount_cap:g}"}
        _reserve(engine, mention, intent, now, 0.0, result)
        return result
    if not _reserve(engine, mention, intent, now, amount or 0.0, None):
        return {"status": "already_called", "detail": "the action was already called for this mention"}
    if amount is not None and action.daily_budget is not None:
        spent = _spent_today(engine, intent, now)
        if spent > action.daily_budget:
            result = {"status": "over_budget", "amount": amount, "spent_today": spent - amount, "budget": action.daily_budget,
                      "detail": f"{amount:g} would take today's spend to {spent:g}, over the budget of {action.daily_budget:g}"}
            _settle(engine, mention, result)
            return result
    result = asyncio.run(_call(settings, action, mention, intent, amount))
    _settle(engine, mention, result)
    return result


async def _call(settings: Settings, action: ActionRules, mention: Unrouted, intent: str, amount: float | None) -> dict[str, Any]:
    payload = {
        "mention": {
            "id": mention.id, "channel": mention.channel, "external_id": mention.external_id,
            "author_handle": mention.author_handle, "author_id": mention.author_id, "text": mention.text,
            "url": mention.url, "created_at": mention.created_at.isoformat(),
        },
        "intent": intent,
        "amount": amount,
    }
    token = settings.secret(action.token_env) if action.token_env else None
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=action.timeout_seconds)) as session:
            async with session.post(action.url, json=payload, headers=headers) as response:
                body = await response.text()
                status = response.status
    except TimeoutError:
        return {"status": "timeout", "detail": f"no answer within {action.timeout_seconds:g} s"}
    except aiohttp.ClientError as exc:
        return {"status": "error", "detail": f"{type(exc).__name__}: {exc}"}
    if not 200 <= status < 300:
        return {"status": "error", "http_status": status, "body": body[:500], "detail": f"the action answered {status}"}
    try:
        answer = _json_object(body)
    except ValueError:
        return {"status": "error", "http_status": status, "body": body[:500], "detail": "the action's answer is not a JSON object"}
    return {"status": "ok", "http_status": status, "answer": answer, "detail": "done"}


def _json_object(body: str) -> dict[str, Any]:
    value = json.loads(body) if body.strip() else {}
    if not isinstance(value, dict):
        raise ValueError("not an object")
    return value


def _reserve(engine: Engine, mention: Unrouted, intent: str, now: datetime, amount: float, result: dict[str, Any] | None) -> bool:
    """Write the action's row for this mention before calling it; False if it already has one."""
    table = ActionSpend.__table__
    status = "calling" if result is None else result["status"]
    with engine.begin() as connection:
        inserted = connection.execute(
            dialect_insert(connection, table)
            .values(mention_id=mention.id, intent=intent, at=now, amount=amount, status=status, result=result)
            .on_conflict_do_nothing(index_elements=["mention_id"]).returning(table.c.id)
        ).scalar()
    return inserted is not None


def _settle(engine: Engine, mention: Unrouted, result: dict[str, Any]) -> None:
    """Record how the call went; only calls that went through keep their amount in the budget."""
    table = ActionSpend.__table__
    values: dict[str, Any] = {"status": result["status"], "result": result}
    if result["status"] != "ok":
        values["amount"] = 0.0
    with engine.begin() as connection:
        connection.execute(sa.update(table).where(table.c.mention_id == mention.id).values(**values))


def _spent_today(engine: Engine, intent: str, now: datetime) -> float:
    """The amounts of the intent's calls today (UTC) that went through or are under way."""
    table = ActionSpend.__table__
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    with engine.connect() as connection:
        return float(connection.execute(
            sa.select(sa.func.coalesce(sa.func.sum(table.c.amount), 0.0))
            .where(
                table.c.intent == intent, table.c.at >= start, table.c.at < start + timedelta(days=1),
                table.c.status.in_(("calling", "ok")),
            )
        ).scalar_one())


def _handle(handle: str | None) -> str:
    return (handle or "").strip().lstrip("@").removeprefix("u/").lower()


def _minutes(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"
