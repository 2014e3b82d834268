"""Conversations end to end against the stand-in shop over HTTP: who the customer is, what is
done in the shop (its ledger), and what the customer is told in private."""

from __future__ import annotations

from functools import partial

from socialcx import connect
from tests.care.resolution.conftest import single_charge_double


def test_a_linked_handle_is_verified_and_a_double_charge_refunded_once_with_the_amount_told(make_world) -> None:
    world = make_world(single_charge_double)
    conversation = world.post("@acme I was charged twice for order A1042")
    world.advance()
    assert world.sandbox.shop.ledger == [{"op": "refund", "order": "A1042", "amount": 24.0, "charge": "ch_2"}]
    row = world.conversation(conversation)
    assert (row.state, row.customer_id, row.asked) == ("resolved", "C1", [])
    assert any("£24.00" in text for text in world.told(conversation))
    world.later(1)
    assert world.advance() == []  # nothing is due: nothing is done twice
    assert len(world.sandbox.shop.ledger) == 1


def test_an_unlinked_customer_is_asked_in_private_and_verified_by_order_and_email_in_any_case(make_world) -> None:
    world = make_world(single_charge_double)
    conversation = world.post("@acme charged twice for my mugs", handle="jd_elsewhere")
    world.advance()
    row = world.conversation(conversation)
    assert (row.state, row.asked) == ("awaiting_customer", ["order_id", "email"])
    assert world.sandbox.shop.ledger == []
    assert "order number" in world.told(conversation)[0] and "email" in world.told(conversation)[0]
    world.answer("it's A1042", handle="jd_elsewhere")
    world.answer("JANE@Example.com", handle="jd_elsewhere")
    world.advance()
    assert world.conversation(conversation).state == "resolved"
    assert world.sandbox.shop.ledger == [{"op": "refund", "order": "A1042", "amount": 24.0, "charge": "ch_2"}]


def test_an_email_that_does_not_match_the_order_hands_over_with_no_action(make_world) -> None:
    world = make_world(single_charge_double)
    conversation = world.post("@acme charged twice!", handle="stranger")
    world.advance()
    world.answer("A1042 and sam.roe@example.com", handle="stranger")  # C2's email, C1's order
    world.advance()
    row = world.conversation(conversation)
    assert row.state == "handed_over" and "another customer" in row.reason
    assert world.sandbox.shop.ledger == []


def test_an_unknown_email_hands_over(make_world) -> None:
    world = make_world(single_charge_double)
    conversation = world.post("@acme charged twice!", handle="stranger")
    world.advance()
    world.answer("A1042 nobody@example.com", handle="stranger")
    world.advance()
    assert world.conversation(conversation).state == "handed_over"
    assert world.sandbox.shop.ledger == []


def test_a_linked_customer_naming_an_order_of_someone_else_is_handed_over(make_world) -> None:
    world = make_world(single_charge_double)
    conversation = world.post("@acme cancel order B2001 please")
    world.advance()
    assert world.conversation(conversation).state == "handed_over"
    assert world.sandbox.shop.ledger == []


def test_a_customer_who_never_answers_gets_one_reminder_then_a_person(make_world) -> None:
    world = make_world(single_charge_double)
    conversation = world.post("@acme charged twice", handle="quiet_one")
    world.advance()
    world.later(23)
    assert world.advance() == []
    world.later(1)
    world.advance()
    assert world.conversation(conversation).state == "awaiting_customer"
    assert len(world.told(conversation)) == 2 and "still need" in world.told(conversation)[1]
    world.later(48)
    world.advance()
    row = world.conversation(conversation)
    assert row.state == "handed_over" and "did not answer" in row.reason
    assert world.sandbox.shop.ledger == []


def test_the_conversation_continues_after_a_restart_on_a_new_engine(make_world) -> None:
    world = make_world(single_charge_double)
    conversation = world.post("@acme charged twice", handle="jd_elsewhere")
    world.advance()
    url = world.engine.url.render_as_string(hide_password=False)
    world.engine.dispose()
    restarted = connect(url)
    world.engine = restarted
    world.answer("A1042", handle="jd_elsewhere")
    world.answer("jane@example.com", handle="jd_elsewhere")
    world.advance()
    assert world.conversation(conversation).state == "resolved"
    assert len(world.sandbox.shop.ledger) == 1
    restarted.dispose()


def test_a_damaged_item_is_replaced_by_express_to_meet_the_deadline_and_the_date_told(make_world) -> None:
    world = make_world(partial(single_charge_double, amount=24.0))
    conversation = world.post("@acme my mug arrived smashed, need it by Friday")
    world.advance()
    assert {"op": "replace", "order": "A1042", "sku": "MUG-01", "qty": 1, "shipping": "express"} in world.sandbox.shop.ledger
    assert any("Friday 4 December" in text for text in world.told(conversation))


def test_a_verified_customer_whose_post_names_an_order_of_someone_else_is_handed_over(make_world) -> None:
    world = make_world(single_charge_double)
    conversation = world.post("@acme cancel B2001 now", handle="jd_elsewhere")
    world.advance()
    world.answer("A1042 jane@example.com", handle="jd_elsewhere")  # proves C1; B2001 is C2's
    world.advance()
    assert world.conversation(conversation).state == "handed_over"
    assert world.sandbox.shop.ledger == []


def test_two_orders_named_for_two_needs_each_go_to_the_order_that_fits(make_world) -> None:
    def late_second(state):
        single_charge_double(state)
        state["orders"][1] |= {"status": "shipped", "shipment": {"carrier": "DPD", "tracking": "DP9", "eta": "2026-11-27"}}

    world = make_world(late_second)
    conversation = world.post("@acme A1042 arrived with a smashed mug and A1043 is still not here")
    world.advance()
    assert sorted(entry["op"] for entry in world.sandbox.shop.ledger) == ["refund", "replace"]
    assert {entry["order"] for entry in world.sandbox.shop.ledger} == {"A1042", "A1043"}
    assert any("DP9" in text for text in world.told(conversation))


def test_a_need_acted_on_before_an_answer_is_not_decided_again_so_its_refund_counts_once(make_world) -> None:
    def out_of_stock(state):
        state["products"][0] |= {"price": 45.0, "stock": 0}
        order = state["orders"][0]
        order["items"] = [{"sku": "MUG-01", "qty": 1, "price": 45.0}]
        order["charges"] = [{"id": "ch_1", "amount": 45.0, "at": "2026-11-28T09:00:05Z"}, {"id": "ch_2", "amount": 45.0, "at": "2026-11-28T09:00:09Z"}]
        state["orders"][1]["refunds"] = [{"charge": "ch_3", "amount": 20.0, "at": "2026-12-01T10:00:00Z"}]

    world = make_world(out_of_stock)
    conversation = world.post("@acme the mug arrived smashed and I was charged twice")
    world.advance()  # the mug is on one order only: refunded (out of stock); which order was charged twice?
    assert world.sandbox.shop.ledger == [{"op": "refund", "order": "A1042", "amount": 45.0, "charge": "ch_1"}]
    world.answer("A1042")
    world.advance()  # 20 + 45 already refunded in 30 days: another 45 passes the 100.00 cap
    assert world.conversation(conversation).state == "needs_approval"
    assert len(world.sandbox.shop.ledger) == 1
