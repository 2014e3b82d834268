"""KPIs on a known data set, with the numbers worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from socialcx.care.feedback import relabel
from socialcx.care.handover import queue_reply
from socialcx.care.inbox import approve, enqueue, ignore, reply, resolve
from socialcx.care.kpis import ResponseTimes, kpis
from tests.care.inbox.conftest import add_mention, mark_sent

T0 = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def _known_data_set(db) -> None:
    def auto(mention_id: int, after: float) -> None:
        queue_reply(db, mention_id, "Here you go", origin="auto", agent=None, now=T0)
        mark_sent(db, mention_id, T0 + minutes(after))

    def queued(urgency: str, **fields) -> int:
        mention_id = add_mention(db, posted=T0, urgency=urgency, **fields)
        enqueue(db, mention_id, reason="needs a human", now=T0, draft="Hi")
        return mention_id

    auto(add_mention(db, posted=T0), after=2)  # 120 s, x, order_status
    relabelled = add_mention(db, posted=T0)
    auto(relabelled, after=4)  # 240 s, x, store_info after the agent's correction
    relabel(db, relabelled, agent="maya", now=T0, intent="store_info")
    refund = queued("high", channel="reddit", intent="return_refund")  # due 07:00
    reply(db, refund, "DM us?", agent="maya", now=T0 + minutes(29))
    mark_sent(db, refund, T0 + minutes(30))  # 1800 s, in time
    approved = queued("normal", intent="return_refund")  # due 10:00
    approve(db, approved, agent="omar", now=T0 + minutes(88))
    mark_sent(db, approved, T0 + minutes(90))  # 5400 s, in time
    billing = queued("critical", intent="billing_problem")  # due 06:15
    reply(db, billing, "Refunding the double charge now.", agent="maya", now=T0 + minutes(19))
    mark_sent(db, billing, T0 + minutes(20))  # 1200 s: breached
    queued("normal")  # due 10:00, waiting: not breached yet
    queued("high")  # due 07:00, waiting: breached
    ignore(db, [queued("low", intent="spam")], agent="omar")  # not counted
    resolve(db, queued("normal", intent="praise"), agent="omar", now=T0 + minutes(10))  # closed in time
    queue_reply(db, add_mention(db, posted=T0), "Pending", origin="auto", agent=None, now=T0)  # not sent: not answered
    old = add_mention(db, posted=T0 - timedelta(hours=2))
    queue_reply(db, old, "Old", origin="auto", agent=None, now=T0)
    mark_sent(db, old, T0 - minutes(100))  # before --since


def test_kpis_on_a_known_data_set(engine):
    with engine.begin() as db:
        _known_data_set(db)

    with engine.begin() as db:
        report = kpis(db, now=NOW, since=T0 - timedelta(hours=1))

    assert (report.mentions, report.answered, report.auto_sent, report.automation_rate) == (10, 5, 2, 0.4)
    assert (report.sla_items, report.sla_breached) == (6, 2)
    assert report.sla_breach_rate == 2 / 6
    assert report.backlog == {"critical": 0, "high": 1, "normal": 1, "low": 0}
    s = lambda seconds: timedelta(seconds=seconds)  # noqa: E731
    assert report.response_times == (
        ResponseTimes("all", "all", 5, s(1200), s(3960)),
        ResponseTimes("responder", "auto", 2, s(180), s(228)),
        ResponseTimes("responder", "human", 3, s(1800), s(4680)),
        ResponseTimes("channel", "reddit", 1, s(1800), s(1800)),
        ResponseTimes("channel", "x", 4, s(720), s(4140)),
        ResponseTimes("intent", "billing_problem", 1, s(1200), s(1200)),
        ResponseTimes("intent", "order_status", 1, s(120), s(120)),
        ResponseTimes("intent", "return_refund", 2, s(3600), s(5040)),
        ResponseTimes("intent", "store_info", 1, s(240), s(240)),
    )


def test_without_since_every_mention_counts_and_an_empty_store_has_no_rates(engine):
    with engine.begin() as db:
        empty = kpis(db, now=NOW)
        _known_data_set(db)
        everything = kpis(db, now=NOW)

    assert (empty.mentions, empty.automation_rate, empty.sla_breach_rate, empty.response_times) == (0, None, None, ())
    assert (everything.mentions, everything.answered, everything.auto_sent) == (11, 6, 3)
