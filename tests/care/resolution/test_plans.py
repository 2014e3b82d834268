"""Plans above the policy's limits wait for a person: listed with the write filled in, done once
when approved (the customer told), nothing done when rejected (the case to a person)."""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest
import sqlalchemy as sa

from socialcx.care.plans import PlanNotFound, approve_plan, edit_amount, list_plans, reject_plan, show_plan
from socialcx.errors import UsageError
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


def _refund_step(world, plan_id: int) -> int:
    """The number `plans show` gives the waiting refund."""
    [step] = show_plan(world.engine, plan_id).waiting
    return step["seq"] + 1


@pytest.mark.parametrize("amount", ["64.00", "40", "0.01"])
def test_an_approver_may_lower_a_waiting_refund_and_the_shop_refunds_that_once(make_world, amount) -> None:
    world = make_world()
    plan_id = _waiting(world)
    plan = edit_amount(world.engine, plan_id, _refund_step(world, plan_id), amount, agent="ana", now=world.clock.now(), limit=Decimal(64))
    [step] = plan.waiting
    assert (step["params"]["amount"], step["params"]["policy_amount"], step["params"]["edited_by"]) == (f"{Decimal(amount):.2f}", "64.00", "ana")
    assert world.sandbox.shop.ledger == []
    approve_plan(world.engine, plan_id, agent="ana", now=world.clock.now())
    world.advance()
    world.advance()
    assert world.sandbox.shop.ledger == [REFUND_64 | {"amount": float(amount)}]
    assert f"We've refunded £{Decimal(amount):.2f}" in world.told(plan_id)[-1]


@pytest.mark.parametrize(("amount", "why"), [
    ("64.01", "above the 64.00 the policy computed; a higher refund needs a new plan"),
    ("50.01", "above your approval limit of 50.00"),
    ("0", "give at least 0.01"),
    ("-5", "give at least 0.01"),
    ("12.345", "not an amount to the penny"),
    ("NaN", "not an amount to the penny"),
    ("1e999999", "not an amount to the penny"),
    ("forty", "not an amount to the penny"),
])
def test_an_amount_above_the_policy_or_the_limit_or_below_a_penny_is_refused_and_nothing_changes(make_world, amount, why) -> None:
    world = make_world()
    plan_id = _waiting(world)
    with pytest.raises(UsageError, match=why):
        edit_amount(world.engine, plan_id, _refund_step(world, plan_id), amount, agent="ana", now=world.clock.now(), limit=Decimal(50))
    [step] = show_plan(world.engine, plan_id).waiting
    assert step["params"]["amount"] == "64.00" and "edited_by" not in step["params"]


def test_a_lowered_refund_cannot_be_raised_again_above_the_policy(make_world) -> None:
    world = make_world()
    plan_id = _waiting(world)
    number = _refund_step(world, plan_id)
    edit_amount(world.engine, plan_id, number, "30.00", agent="ana", now=world.clock.now())
    edit_amount(world.engine, plan_id, number, "64.00", agent="bo", now=world.clock.now())  # back up to the policy's, not beyond
    with pytest.raises(UsageError, match="above the 64.00 the policy computed"):
        edit_amount(world.engine, plan_id, number, "64.01", agent="bo", now=world.clock.now())
    assert show_plan(world.engine, plan_id).waiting[0]["params"]["amount"] == "64.00"


def test_only_a_waiting_refund_can_be_edited(make_world) -> None:
    world = make_world()
    plan_id = _waiting(world)
    number = _refund_step(world, plan_id)
    with pytest.raises(PlanNotFound, match=f"step {number - 1} of plan {plan_id} is no refund waiting"):
        edit_amount(world.engine, plan_id, number - 1, "10.00", agent="ana", now=world.clock.now())
    approve_plan(world.engine, plan_id, agent="ana", now=world.clock.now())
    with pytest.raises(PlanNotFound, match="plans show"):
        edit_amount(world.engine, plan_id, number, "10.00", agent="ana", now=world.clock.now())
    world.advance()
    assert world.sandbox.shop.ledger == [REFUND_64]


def test_the_edit_is_logged_with_who_and_both_amounts(make_world, caplog) -> None:
    world = make_world()
    plan_id = _waiting(world)
    with caplog.at_level(logging.INFO, logger="socialcx.care.plans"):
        edit_amount(world.engine, plan_id, _refund_step(world, plan_id), "40.00", agent="ana", now=world.clock.now())
    assert "ana changed the refund from 64.00 to 40.00" in caplog.text


def test_approving_with_a_limit_checks_the_amount_as_it_stands_when_approved(make_world) -> None:
    world = make_world()
    plan_id = _waiting(world)
    number = _refund_step(world, plan_id)
    edit_amount(world.engine, plan_id, number, "50.00", agent="lee", now=world.clock.now(), limit=Decimal(50))
    edit_amount(world.engine, plan_id, number, "64.00", agent="alex", now=world.clock.now())  # meanwhile, before lee approves
    with pytest.raises(UsageError, match="plan .* moves 64.00, above your approval limit of 50.00"):
        approve_plan(world.engine, plan_id, agent="lee", now=world.clock.now(), limit=Decimal(50))
    world.advance()
    assert world.sandbox.shop.ledger == [] and show_plan(world.engine, plan_id).waiting
