"""What goes wrong between socialcx and the shop: a crash after the shop acted but before the
store knew, a shop that cannot be reached, an answer lost on the way back, and the kill switch."""

from __future__ import annotations

from datetime import timedelta

import pytest

from socialcx.care import plans
from socialcx.care.outbox import set_paused
from tests.care.resolution.conftest import single_charge_double

REFUND = {"op": "refund", "order": "A1042", "amount": 24.0, "charge": "ch_2"}


class Crash(BaseException):
    """The process dies here (nothing after it runs, no handler catches it)."""


def test_a_crash_between_the_shop_call_and_the_store_write_acts_once_and_tells_the_refund(make_world, monkeypatch) -> None:
    world = make_world(single_charge_double)
    conversation = world.post("@acme I was charged twice on A1042")
    real_set = plans._set

    def crash_when_done(engine, step_id, now, **values):
        if values.get("status") == "done":
            raise Crash
        real_set(engine, step_id, now, **values)

    monkeypatch.setattr(plans, "_set", crash_when_done)
    with pytest.raises(Crash):
        world.advance()
    assert world.sandbox.shop.ledger == [REFUND]  # the shop acted; the store still says `running`
    monkeypatch.setattr(plans, "_set", real_set)
    world.clock.advance(timedelta(minutes=3))  # the dead worker's lease runs out
    world.advance()
    assert world.sandbox.shop.ledger == [REFUND]  # the retry with the same key was a no-op
    assert world.conversation(conversation).state == "resolved"
    assert [text for text in world.told(conversation) if "£24.00" in text]


def test_a_shop_outage_leaves_the_plan_waiting_and_the_next_pass_acts_once(make_world) -> None:
    world = make_world(single_charge_double)
    conversation = world.post("@acme I was charged twice on A1042")
    world.sandbox.faults.add(route="shop.refund", kind="503", times=None)
    world.advance()
    row = world.conversation(conversation)
    assert (row.state, world.sandbox.shop.ledger, world.told(conversation)) == ("working", [], [])
    world.advance()  # not due yet: nothing is hammered
    world.sandbox.faults.clear()
    world.clock.advance(timedelta(minutes=3))
    world.advance()
    assert world.conversation(conversation).state == "resolved"
    assert world.sandbox.shop.ledger == [REFUND]
    assert len(world.told(conversation)) == 1


def test_an_answer_lost_after_the_shop_acted_is_retried_with_the_same_key_and_acts_once(make_world) -> None:
    world = make_world(single_charge_double)
    conversation = world.post("@acme I was charged twice on A1042")
    world.sandbox.faults.add(route="shop.refund", kind="503", times=1)
    world.sandbox.faults.add(route="shop.refund", kind="500", times=1)  # both attempts fail: unavailable
    world.advance()
    assert world.sandbox.shop.ledger == []
    world.clock.advance(timedelta(minutes=3))
    world.advance()
    assert world.sandbox.shop.ledger == [REFUND]
    assert world.conversation(conversation).state == "resolved"


def test_the_kill_switch_stops_every_action_and_message_until_resumed(make_world) -> None:
    world = make_world(single_charge_double)
    conversation = world.post("@acme I was charged twice on A1042")
    set_paused(world.engine, True, now=world.clock.now(), reason="test")
    assert world.advance() == []
    assert (world.sandbox.shop.ledger, world.told(conversation)) == ([], [])
    set_paused(world.engine, False, now=world.clock.now())
    world.advance()
    assert world.sandbox.shop.ledger == [REFUND]


def test_two_replicas_never_move_one_conversation_both(make_world) -> None:
    world = make_world(single_charge_double)
    conversation = world.post("@acme I was charged twice on A1042")
    from socialcx.care import conversations

    assert conversations._claim(world.engine, conversation, "replica-a", world.clock.now())
    assert not conversations._claim(world.engine, conversation, "replica-b", world.clock.now())  # leased
    world.clock.advance(timedelta(minutes=3))  # replica A died: its lease ran out
    world.advance()
    assert world.conversation(conversation).state == "resolved"
    assert not conversations._claim(world.engine, conversation, "replica-b", world.clock.now())  # no longer due
    assert world.sandbox.shop.ledger == [REFUND]

