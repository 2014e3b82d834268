"""Plans above the policy's limits wait for a person: listed with the write filled in, done once
when approved (the customer told), nothing done when rejected (the case to a person)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from socialcx.care.plans import PlanNotFound, approve_plan, list_plans, reject_plan, show_plan
from socialcx.store import InboxItem

REFUND_64 = {"op": "refund", "order": "A1042", "amount": 64.0, "charge": "ch_2"}


def _waiting(world) -> int:
    conversation = world.post("@acme I was charged twice for A1042")  # two charges of 64.00: above the 50.00 cap
    world.advance()
    return conversation


def test_a_refund_above_the_cap_waits_filled_in_and_the_customer_is_told_it_waits(make_world) -> None:
    world = make_world()
    plan_id = _waiting(world)
    assert world.sandbox.shop.ledger == []
    [plan] = list_plans(world.engine)
    assert (plan.id, plan.state) == (plan_id, "needs_approval")
    [step] = plan.waiting
    assert (step["op"], step["params"]["amount"], step["params"]["charge"], step["mode"]) == ("refund", "64.00", "ch_2", "approve")
    assert "above the 50.00" in step["reason"]
    assert "approve a refund of £64.00" in world.told(plan_id)[-1]
    with world.engine.connect() as connection:
        assert connection.execute(sa.select(InboxItem.__table__.c.reason).where(InboxItem.__table__.c.mention_id == plan.mention_id)).scalar()


def test_approving_does_the_write_once_and_tells_the_customer_the_amount(make_world) -> None:
    world = make_world()
    plan_id = _waiting(world)
    approve_plan(world.engine, plan_id, agent="ana", now=world.clock.now())
    world.advance()
    assert world.sandbox.shop.ledger == [REFUND_64]
    plan = show_plan(world.engine, plan_id)
    assert plan.state == "resolved" and plan.waiting == ()
    assert "We've refunded £64.00" in world.told(plan_id)[-1]
    with pytest.raises(PlanNotFound, match="no step waiting"):
        approve_plan(world.engine, plan_id, agent="ana", now=world.clock.now())
    world.advance()
    assert world.sandbox.shop.ledger == [REFUND_64]
    assert list_plans(world.engine) == []


def test_rejecting_does_nothing_in_the_shop_and_hands_the_case_over(make_world) -> None:
    world = make_world()
    plan_id = _waiting(world)
    reject_plan(world.engine, plan_id, agent="ana", now=world.clock.now())
    world.advance()
    assert world.sandbox.shop.ledger == []
    plan = show_plan(world.engine, plan_id)
    assert plan.state == "handed_over"
    assert [step["status"] for step in plan.steps if step["kind"] == "act"] == ["rejected"]
    assert "member of our team" in world.told(plan_id)[-1]


def test_an_unknown_plan_is_refused_with_the_command_that_lists_them(make_world) -> None:
    world = make_world()
    with pytest.raises(PlanNotFound, match="plans list"):
        show_plan(world.engine, 999)
