"""What agents do with items, and what they are refused: each refusal one clear sentence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from socialcx.care.feedback import relabel
from socialcx.care.inbox import (
    answered_by_human,
    approve,
    claim,
    enqueue,
    escalate,
    find_item,
    ignore,
    ignore_spam,
    is_claimed,
    list_items,
    reply,
    resolve,
)
from socialcx.care.playbook import Playbook
from socialcx.errors import UsageError
from socialcx.store import InboxItem, OutboxReply
from tests.care.inbox.conftest import add_mention


def _queued(db: sa.Connection, mention_id: int) -> OutboxReply:
    row = db.execute(sa.select(OutboxReply.__table__).where(OutboxReply.mention_id == mention_id)).one()
    return OutboxReply.model_validate(row._asdict())


def _item(db: sa.Connection, mention_id: int) -> InboxItem:
    return InboxItem.model_validate(db.execute(sa.select(InboxItem.__table__).where(InboxItem.mention_id == mention_id)).one()._asdict())


@pytest.fixture
def waiting(db, clock) -> int:
    """A mention from @sam in conversation c1, in the inbox with a draft."""
    mention_id = add_mention(db, posted=clock.now(), conversation="c1", url="https://x.com/sam/status/1")
    enqueue(db, mention_id, reason="shadow mode: draft for approval", now=clock.now(), draft="Hi @sam, here is your order: …")
    return mention_id


def test_claiming_takes_the_thread_and_refuses_a_second_agent(db, waiting, clock):
    later = add_mention(db, posted=clock.now(), conversation="c1")
    elsewhere = add_mention(db, posted=clock.now(), conversation="c2")
    assert not is_claimed(db, later)

    claim(db, waiting, agent="maya")
    claim(db, waiting, agent="maya")  # one's own claim again changes nothing

    assert (_item(db, waiting).status, _item(db, waiting).claimed_by) == ("claimed", "maya")
    assert is_claimed(db, later) and not is_claimed(db, elsewhere)
    with pytest.raises(UsageError, match=f"^cannot claim #{waiting}: maya has claimed it$"):
        claim(db, waiting, agent="omar")
    enqueue(db, later, reason="follow-up", now=clock.now())  # the follow-up goes to the thread's holder
    assert (_item(db, later).status, _item(db, later).claimed_by) == ("claimed", "maya")


def test_a_reply_goes_through_the_outbox_and_marks_the_thread_answered_by_a_human(db, waiting, clock):
    later = add_mention(db, posted=clock.now(), conversation="c1")
    assert not answered_by_human(db, later)
    clock.advance(timedelta(minutes=12))

    outbox_id = reply(db, waiting, "  Sorry Sam, it ships today.  ", agent="maya", now=clock.now())

    queued = _queued(db, waiting)
    assert (queued.id, queued.text, queued.origin, queued.agent, queued.state) == (
        outbox_id, "Sorry Sam, it ships today.", "agent", "maya", "pending",
    )
    item = _item(db, waiting)
    assert (item.status, item.claimed_by, item.first_response_at) == ("replied", "maya", datetime(2026, 11, 25, 9, 12, tzinfo=UTC))
    assert answered_by_human(db, waiting) and answered_by_human(db, later)
    with pytest.raises(UsageError, match="already has a reply"):
        reply(db, waiting, "Anything else?", agent="maya", now=clock.now())


def test_approving_sends_the_draft_as_it_stands(db, waiting, clock):
    approve(db, waiting, agent="omar", now=clock.now())

    queued = _queued(db, waiting)
    assert (queued.text, queued.origin, queued.agent) == ("Hi @sam, here is your order: …", "approved", "omar")
    assert answered_by_human(db, waiting)


def test_an_item_without_a_draft_cannot_be_approved(db, clock):
    mention_id = add_mention(db, posted=clock.now())
    enqueue(db, mention_id, reason="abstained", now=clock.now())

    with pytest.raises(UsageError, match=f"^#{mention_id} has no draft to approve"):
        approve(db, mention_id, agent="maya", now=clock.now())


def test_resolved_items_and_items_claimed_by_others_cannot_be_answered(db, waiting, clock):
    claim(db, waiting, agent="maya")
    with pytest.raises(UsageError, match=f"^cannot reply to #{waiting}: maya has claimed it$"):
        reply(db, waiting, "Hello", agent="omar", now=clock.now())
    with pytest.raises(UsageError, match="maya has claimed it"):
        resolve(db, waiting, agent="omar", now=clock.now())

    resolve(db, waiting, agent="maya", now=clock.now())

    assert (_item(db, waiting).status, _item(db, waiting).resolved_at) == ("resolved", clock.now())
    with pytest.raises(UsageError, match=f"^cannot reply to #{waiting}: it is resolved$"):
        reply(db, waiting, "Hello", agent="maya", now=clock.now())
    assert not is_claimed(db, waiting)  # a resolved thread is free again
    assert db.execute(sa.select(sa.func.count()).select_from(OutboxReply)).scalar_one() == 0


def test_a_read_only_channel_says_to_answer_on_the_site(db, clock):
    mention_id = add_mention(db, posted=clock.now(), channel="hackernews", url="https://news.ycombinator.com/item?id=42")
    enqueue(db, mention_id, reason="needs a human", now=clock.now())

    with pytest.raises(UsageError, match=r"on hackernews, where socialcx cannot reply; answer on the site: https://news\.ycombinator\.com/item\?id=42$"):
        reply(db, mention_id, "Thanks!", agent="maya", now=clock.now())


def test_actions_on_a_mention_not_in_the_inbox_are_refused(db, clock):
    mention_id = add_mention(db, posted=clock.now())
    with pytest.raises(UsageError, match=f"^#{mention_id} is not in the inbox$"):
        claim(db, mention_id, agent="maya")


def test_escalating_raises_priority_and_never_grants_more_time(db, clock):
    mention_id = add_mention(db, posted=clock.now())
    enqueue(db, mention_id, reason="needs a human", now=clock.now())  # normal: due 13:00
    clock.advance(timedelta(minutes=20))

    first = escalate(db, mention_id, now=clock.now())  # high: an hour from now
    clock.advance(timedelta(minutes=50))
    second = escalate(db, mention_id, now=clock.now())  # critical: 15 minutes from now would be later than 10:20
    third = escalate(db, mention_id, now=clock.now())

    assert (first.priority, first.status, first.due_at) == ("high", "escalated", datetime(2026, 11, 25, 10, 20, tzinfo=UTC))
    assert (second.priority, second.due_at) == ("critical", datetime(2026, 11, 25, 10, 20, tzinfo=UTC))
    assert third.priority == "critical"
    resolve(db, mention_id, agent="maya", now=clock.now())
    with pytest.raises(UsageError, match="is resolved; there is nothing to escalate"):
        escalate(db, mention_id, now=clock.now())


def test_ignoring_in_bulk_is_all_or_nothing(db, clock):
    ids = [add_mention(db, posted=clock.now(), intent="spam") for _ in range(3)]
    for mention_id in ids:
        enqueue(db, mention_id, reason="needs a human", now=clock.now())
    claim(db, ids[2], agent="maya")

    with pytest.raises(UsageError, match=f"cannot ignore #{ids[2]}: maya has claimed it"):
        ignore(db, ids, agent="omar")
    assert [_item(db, mention_id).status for mention_id in ids] == ["open", "open", "claimed"]

    assert ignore(db, ids[:2], agent="omar") == 2
    assert ignore(db, ids[:2], agent="omar") == 0  # already ignored
    assert [item.mention_id for item in list_items(db)] == [ids[2]]


def test_all_spam_follows_the_agents_corrections_and_spares_others_claims(db, clock):
    spam = add_mention(db, posted=clock.now(), intent="spam")
    relabelled_to_spam = add_mention(db, posted=clock.now(), intent="other")
    relabelled_away = add_mention(db, posted=clock.now(), intent="spam")
    held = add_mention(db, posted=clock.now(), intent="spam")
    customer = add_mention(db, posted=clock.now())
    for mention_id in (spam, relabelled_to_spam, relabelled_away, held, customer):
        enqueue(db, mention_id, reason="needs a human", now=clock.now())
    relabel(db, relabelled_to_spam, agent="omar", now=clock.now(), intent="spam")
    relabel(db, relabelled_away, agent="omar", now=clock.now(), intent="product_question")
    claim(db, held, agent="maya")

    assert ignore_spam(db, agent="omar") == [spam, relabelled_to_spam]
    assert sorted(item.mention_id for item in list_items(db)) == [relabelled_away, held, customer]


def test_show_gives_the_thread_with_our_replies_triage_draft_and_the_playbooks_suggestion(db, clock):
    start = clock.now()
    first = add_mention(db, posted=start - timedelta(minutes=10), conversation="c9", text="my order is late", author="@sam")
    ours = add_mention(db, posted=start - timedelta(minutes=5), conversation="c9", text="where is it now??", author="@sam",
                       sentiment="negative", followers=12_000)
    add_mention(db, posted=start, conversation="other", text="unrelated")
    enqueue(db, first, reason="needs a human", now=start)
    reply(db, first, "Checking now, Sam.", agent="maya", now=start)
    enqueue(db, ours, reason="abstained", now=start, draft="Hi again", action_result={"status": "shipped"})
    playbook = Playbook(intents={"order_status": {"templates": ["Hi @{author}, your order is {action.status}."]}})

    detail = find_item(db, ours, playbook=playbook)

    assert [(post.mention_id, post.text, post.reply) for post in detail.thread] == [
        (first, "my order is late", "Checking now, Sam."), (ours, "where is it now??", None),
    ]
    assert (detail.entry.intent, detail.entry.sentiment, detail.entry.priority, detail.entry.claimed_by) == (
        "order_status", "negative", "critical", "maya",
    )
    assert (detail.entry.draft, detail.action_result, detail.confidence) == ("Hi again", {"status": "shipped"}, 0.9)
    assert detail.suggestions == ("Hi @sam, your order is shipped.",)
