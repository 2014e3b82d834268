"""The resolution policy: each rule at, under and over its limits, the edges the benchmark follows,
the arrival-date arithmetic across weekends, and the playbook's `policy:` section."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialcx.care.playbook import DEFAULT_PLAYBOOK, load_playbook
from socialcx.care.policy import (
    Facts,
    Need,
    Policy,
    Resolution,
    arrival,
    combine,
    decide,
    weekend_deadline,
)
from socialcx.care.systems import (
    Charge,
    Customer,
    Item,
    Order,
    Product,
    Refund,
    Shipment,
    ShippingSettings,
)
from socialcx.channels import Channel
from socialcx.errors import ConfigError

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)  # a Thursday
THURSDAY, FRIDAY, SUNDAY, MONDAY, TUESDAY = (date(2026, 12, d) for d in (3, 4, 6, 7, 8))
JANE = Customer("C1", "Jane Doe", "jane@example.com", {Channel.X: "jane_d"})
SHIPPING = ShippingSettings(standard_days=3, express_days=1, express_fee=Decimal("6.00"), dispatch_weekends=False)
PRODUCTS = {
    "MUG-01": Product("MUG-01", "Stoneware mug", Decimal("12.00"), 4),
    "POT-02": Product("POT-02", "Teapot", Decimal("40.00"), 0),
    "SCARF-03": Product("SCARF-03", "Wool scarf", Decimal("30.00"), 5),
}
POLICY = Policy()


def money(value: str | float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def order(
    id: str = "A1042",
    *,
    status: str = "delivered",
    items: tuple[tuple[str, int, float], ...] = (("MUG-01", 2, 12.0),),
    charges: tuple[tuple[float, datetime], ...] | None = None,
    refunds: tuple[tuple[str, float, datetime], ...] = (),
    fee: float = 0.0,
    eta: date = date(2026, 12, 1),
    delivered_at: datetime | None = datetime(2026, 12, 1, 12, 0, tzinfo=UTC),
    customer: str = "C1",
) -> Order:
    """An order; by default the issue's: two mugs at 12.00, delivered on Tuesday, one charge."""
    lines = tuple(Item(sku, qty, money(price)) for sku, qty, price in items)
    total = sum((line.price * line.qty for line in lines), money(fee))
    placed = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    charged = charges if charges is not None else ((float(total), placed + timedelta(seconds=5)),)
    return Order(
        id=id,
        customer=customer,
        placed_at=placed,
        status=status,  # type: ignore[arg-type]
        items=lines,
        shipping_fee=money(fee),
        charges=tuple(Charge(f"ch_{n}", money(amount), at) for n, (amount, at) in enumerate(charged, 1)),
        refunds=tuple(Refund(charge, money(amount), at) for charge, amount, at in refunds),
        shipment=None if status == "placed" else Shipment("DPD", "DP123", eta, delivered_at if status == "delivered" else None),
        address="1 High St, Leeds",
    )


def facts(*orders: Order, products: dict[str, Product] = PRODUCTS, today: float = 0) -> Facts:
    return Facts(JANE, orders or (order(),), products, SHIPPING, refunded_today=money(today))


def decided(*needs: Need, facts: Facts | None = None, policy: Policy = POLICY, **options) -> Resolution:
    return decide(needs, facts or globals()["facts"](), policy, NOW, **options)


def ledger(resolution: Resolution) -> list[tuple]:
    """The actions as (op, mode, order, charge, amount, sku, qty, shipping)."""
    return [
        (a.op, a.mode, a.order, a.charge, a.amount, a.sku, a.qty, a.shipping) for a in resolution.actions
    ]


def twice(amount: float, gap: timedelta, *, first: datetime = datetime(2026, 11, 28, 9, 0, 5, tzinfo=UTC)):
    return ((amount, first), (amount, first + gap))


def caps(**values: float | None) -> Policy:
    refund = {"mode": "auto", "max_amount": 50, "per_customer_30_days": 100} | values
    return Policy.model_validate({"actions": {"refund": refund}})


# Arrival arithmetic


@pytest.mark.parametrize(
    ("today", "days", "weekends", "arrives"),
    [
        (THURSDAY, 3, False, TUESDAY),  # Fri, Mon, Tue
        (THURSDAY, 1, False, FRIDAY),
        (FRIDAY, 1, False, MONDAY),  # over the weekend
        (date(2026, 12, 5), 1, False, MONDAY),  # sent on a Saturday
        (SUNDAY, 1, False, MONDAY),
        (FRIDAY, 5, False, date(2026, 12, 11)),
        (THURSDAY, 0, False, THURSDAY),
        (THURSDAY, 3, True, SUNDAY),  # calendar days when dispatched at weekends
        (FRIDAY, 1, True, date(2026, 12, 5)),
    ],
)
def test_arrival_counts_business_days_after_today(today: date, days: int, weekends: bool, arrives: date) -> None:
    assert arrival(today, days, weekends) == arrives


@given(today=st.dates(date(2000, 1, 1), date(2100, 1, 1)), days=st.integers(1, 40))
def test_arrival_is_a_weekday_with_exactly_the_business_days_between(today: date, days: int) -> None:
    arrives = arrival(today, days, False)
    between = [today + timedelta(days=n) for n in range(1, (arrives - today).days + 1)]
    assert arrives.weekday() < 5
    assert sum(day.weekday() < 5 for day in between) == days


@pytest.mark.parametrize(
    ("today", "deadline"),
    [(MONDAY - timedelta(days=7), date(2026, 12, 4)), (THURSDAY, FRIDAY), (FRIDAY, FRIDAY), (SUNDAY, date(2026, 12, 11))],
)
def test_before_the_weekend_means_the_coming_friday(today: date, deadline: date) -> None:
    assert weekend_deadline(today) == deadline


# Double charge


def test_the_issues_case_refunds_the_extra_charge_and_sends_the_mug_express_by_friday() -> None:
    case = facts(order(charges=twice(24.0, timedelta(seconds=4))))
    resolution = decided(
        Need("double_charge", "A1042"), Need("damaged_item", "A1042", "MUG-01", 1, deadline=SUNDAY), facts=case
    )
    assert resolution.outcome == "resolved"
    assert ledger(resolution) == [
        ("refund", "auto", "A1042", "ch_2", money(24), None, None, None),
        ("replace", "auto", "A1042", None, None, "MUG-01", 1, "express"),
    ]
    assert resolution.actions[1].arrives == FRIDAY and "Friday 4 December" in resolution.actions[1].reason


@pytest.mark.parametrize(
    ("gap", "refunded"),
    [(timedelta(hours=23, minutes=59), True), (timedelta(hours=24), True), (timedelta(hours=24, seconds=1), False)],
)
def test_a_double_charge_is_two_same_amounts_within_24_hours(gap: timedelta, refunded: bool) -> None:
    resolution = decided(Need("double_charge", "A1042"), facts=facts(order(charges=twice(24.0, gap))))
    assert resolution.outcome == "resolved"
    assert ledger(resolution) == ([("refund", "auto", "A1042", "ch_2", money(24), None, None, None)] if refunded else [])


def test_each_extra_charge_is_refunded_separately() -> None:
    at = datetime(2026, 11, 28, 9, tzinfo=UTC)
    charges = ((24.0, at), (24.0, at + timedelta(minutes=1)), (24.0, at + timedelta(hours=2)), (5.0, at))
    resolution = decided(Need("double_charge"), facts=facts(order(charges=charges)))
    assert [(a.charge, a.amount, a.mode) for a in resolution.actions] == [
        ("ch_2", money(24), "auto"),
        ("ch_3", money(24), "auto"),
    ]


@pytest.mark.parametrize(
    ("charges", "refunds", "explains"),
    [
        (((24.0, NOW - timedelta(days=5)),), (), "no two charges of the same amount"),
        (((24.0, NOW - timedelta(days=5)), (12.0, NOW - timedelta(days=5))), (), "no two charges"),
        (twice(24.0, timedelta(seconds=4)), (("ch_2", 24.0, NOW - timedelta(days=1)),), "already refunded"),
    ],
)
def test_a_double_charge_the_data_refutes_is_resolved_with_no_action(charges, refunds, explains: str) -> None:
    resolution = decided(Need("double_charge", "A1042"), facts=facts(order(charges=charges, refunds=refunds)))
    assert resolution.outcome == "resolved" and resolution.actions == ()
    assert explains in resolution.decisions[0].explanation


def test_a_partly_refunded_duplicate_gets_only_what_is_left() -> None:
    case = facts(order(charges=twice(24.0, timedelta(seconds=4)), refunds=(("ch_2", 10.0, NOW - timedelta(days=1)),)))
    assert [a.amount for a in decided(Need("double_charge", "A1042"), facts=case).actions] == [money(14)]


# Refund limits


@pytest.mark.parametrize(("amount", "mode"), [(49.99, "auto"), (50.00, "auto"), (50.01, "approve")])
def test_a_refund_is_automatic_up_to_and_including_50(amount: float, mode: str) -> None:
    resolution = decided(Need("double_charge"), facts=facts(order(charges=twice(amount, timedelta(seconds=4)))))
    assert [a.mode for a in resolution.actions] == [mode]
    assert resolution.outcome == ("resolved" if mode == "auto" else "needs_approval")
    if mode == "approve":
        assert "above the 50.00 a refund may be" in resolution.actions[0].reason


@pytest.mark.parametrize(("earlier", "mode"), [(49.99, "auto"), (50.00, "auto"), (50.01, "approve")])
def test_refunds_are_automatic_up_to_and_including_100_per_customer_in_30_days(earlier: float, mode: str) -> None:
    """50.00 now, on top of earlier refunds on another of the customer's orders."""
    other = order("A1000", refunds=(("ch_1", earlier, NOW - timedelta(days=29)),))
    case = facts(order(charges=twice(50.0, timedelta(seconds=4))), other)
    resolution = decided(Need("double_charge", "A1042"), facts=case)
    assert [a.mode for a in resolution.actions] == [mode]


@pytest.mark.parametrize(("age", "counted"), [(timedelta(days=30), True), (timedelta(days=30, seconds=1), False)])
def test_the_30_day_total_counts_refunds_with_now_minus_at_at_most_30_days(age: timedelta, counted: bool) -> None:
    other = order("A1000", items=(("SCARF-03", 3, 30.0),), refunds=(("ch_1", 60.0, NOW - age),))
    case = facts(order(charges=twice(50.0, timedelta(seconds=4))), other)
    assert [a.mode for a in decided(Need("double_charge", "A1042"), facts=case).actions] == (
        ["approve"] if counted else ["auto"]
    )


def test_refunds_of_one_case_count_against_the_cap_in_turn() -> None:
    at = datetime(2026, 11, 28, 9, tzinfo=UTC)
    charges = tuple((40.0, at + timedelta(minutes=n)) for n in range(4))
    resolution = decided(Need("double_charge"), facts=facts(order(charges=charges)))
    assert [(a.charge, a.mode) for a in resolution.actions] == [("ch_2", "auto"), ("ch_3", "auto"), ("ch_4", "approve")]
    assert resolution.outcome == "needs_approval"


@pytest.mark.parametrize(("today", "mode"), [(176.0, "auto"), (176.01, "approve")])
def test_the_days_cap_counts_every_customers_refunds(today: float, mode: str) -> None:
    case = facts(order(charges=twice(24.0, timedelta(seconds=4))), today=today)
    assert [a.mode for a in decided(Need("double_charge"), facts=case, policy=caps(per_day=200)).actions] == [mode]


# Damaged or wrong item


@pytest.mark.parametrize("kind", ["damaged_item", "wrong_item"])
def test_a_damaged_or_wrong_item_in_stock_is_replaced_by_the_ordered_sku(kind: str) -> None:
    resolution = decided(Need(kind, "A1042", "MUG-01", 2))  # type: ignore[arg-type]
    assert ledger(resolution) == [("replace", "auto", "A1042", None, None, "MUG-01", 2, "standard")]
    assert resolution.actions[0].arrives == TUESDAY and resolution.outcome == "resolved"


def test_a_wrong_item_named_by_what_arrived_is_replaced_by_the_sku_that_was_ordered() -> None:
    resolution = decided(Need("wrong_item", "A1042", "BWL-03"))  # the customer names the bowl they received
    assert ledger(resolution) == [("replace", "auto", "A1042", None, None, "MUG-01", 1, "standard")]


def test_a_damaged_item_the_order_does_not_hold_goes_to_a_person() -> None:
    resolution = decided(Need("damaged_item", "A1042", "BWL-03"))
    assert resolution.outcome == "handed_over" and not resolution.actions


@pytest.mark.parametrize(
    ("deadline", "shipping", "arrives"),
    [(TUESDAY, "standard", TUESDAY), (MONDAY, "express", FRIDAY), (FRIDAY, "express", FRIDAY)],
)
def test_express_is_used_only_when_standard_misses_the_deadline(deadline: date, shipping: str, arrives: date) -> None:
    resolution = decided(Need("damaged_item", "A1042", "MUG-01", deadline=deadline))
    assert [(a.op, a.qty, a.shipping, a.arrives) for a in resolution.actions] == [("replace", 1, shipping, arrives)]


@pytest.mark.parametrize(
    ("need", "products", "why"),
    [
        (Need("damaged_item", "A1042", "MUG-01", 2, deadline=THURSDAY), PRODUCTS, "no shipping meets the deadline"),
        (Need("damaged_item", "A1042", "MUG-01", 2), PRODUCTS | {"MUG-01": Product("MUG-01", "Mug", money(12), 1)}, "out of stock"),
    ],
)
def test_an_item_that_cannot_arrive_in_time_is_refunded_at_its_order_line_price(need: Need, products, why: str) -> None:
    resolution = decided(need, facts=facts(order(), products=products))
    assert ledger(resolution) == [("refund", "auto", "A1042", "ch_1", money(24), None, None, None)]
    assert why in resolution.decisions[0].explanation


def test_an_item_refund_above_50_waits_for_approval() -> None:
    case = facts(order(items=(("POT-02", 2, 40.0),)))
    resolution = decided(Need("damaged_item", "A1042", "POT-02", 2), facts=case)
    assert [(a.op, a.amount, a.mode) for a in resolution.actions] == [("refund", money(80), "approve")]
    assert resolution.outcome == "needs_approval"


@pytest.mark.parametrize(
    ("delivered", "outcome"),
    [(NOW - timedelta(days=30), "resolved"), (NOW - timedelta(days=30, seconds=1), "handed_over"), (None, "handed_over")],
)
def test_a_damaged_item_is_covered_when_delivered_within_30_days(delivered, outcome: str) -> None:
    case = facts(order(delivered_at=delivered, status="delivered" if delivered else "shipped"))
    assert decided(Need("damaged_item", "A1042", "MUG-01"), facts=case).outcome == outcome


def test_which_item_is_asked_when_the_order_has_several() -> None:
    case = facts(order(items=(("MUG-01", 1, 12.0), ("SCARF-03", 1, 30.0))))
    decision = decided(Need("damaged_item", "A1042"), facts=case).decisions[0]
    assert (decision.outcome, decision.ask) == ("awaiting_customer", ("item",))


def test_more_items_than_were_ordered_go_to_a_person() -> None:
    assert decided(Need("damaged_item", "A1042", "MUG-01", 3)).outcome == "handed_over"


# Late delivery


@pytest.mark.parametrize(
    ("eta", "fee", "refunds", "outcome", "amounts"),
    [
        (THURSDAY - timedelta(days=3), 4.5, (), "resolved", [money(4.5)]),
        (THURSDAY - timedelta(days=2), 4.5, (), "resolved", []),
        (THURSDAY - timedelta(days=10), 0.0, (), "resolved", []),
        (THURSDAY - timedelta(days=10), 4.5, (("ch_1", 4.5, NOW - timedelta(days=1)),), "resolved", []),
    ],
)
def test_a_shipment_3_days_late_gets_its_shipping_fee_back_and_the_tracking(eta, fee, refunds, outcome, amounts) -> None:
    case = facts(order(status="shipped", eta=eta, fee=fee, refunds=refunds))
    resolution = decided(Need("late_delivery", "A1042"), facts=case)
    assert resolution.outcome == outcome and [a.amount for a in resolution.actions] == amounts
    assert resolution.decisions[0].tracking.tracking == "DP123"
    assert "DPD DP123, due" in resolution.decisions[0].explanation


def test_marked_delivered_but_never_arrived_goes_to_a_person() -> None:
    resolution = decided(Need("late_delivery", "A1042"))
    assert resolution.outcome == "handed_over" and resolution.actions == ()


# Cancel, address change, account access


def test_a_placed_order_is_cancelled_and_every_charge_refunded() -> None:
    at = NOW - timedelta(hours=2)
    case = facts(order(status="placed", items=(("SCARF-03", 1, 30.0),), charges=((30.0, at), (4.5, at))))
    resolution = decided(Need("cancel", "A1042"), facts=case)
    assert ledger(resolution) == [
        ("cancel", "auto", "A1042", None, None, None, None, None),
        ("refund", "auto", "A1042", "ch_1", money(30), None, None, None),
        ("refund", "auto", "A1042", "ch_2", money(4.5), None, None, None),
    ]


def test_a_cancel_with_a_refund_above_the_cap_waits_whole() -> None:
    case = facts(order(status="placed", items=(("POT-02", 2, 40.0),)))
    resolution = decided(Need("cancel", "A1042"), facts=case)
    assert [(a.op, a.mode) for a in resolution.actions] == [("cancel", "approve"), ("refund", "approve")]
    assert resolution.outcome == "needs_approval"


@pytest.mark.parametrize("status", ["shipped", "delivered", "cancelled"])
@pytest.mark.parametrize("need", [Need("cancel", "A1042"), Need("address_change", "A1042", address="2 New St")])
def test_cancelling_or_readdressing_after_shipping_is_resolved_with_no_action(status: str, need: Need) -> None:
    resolution = decided(need, facts=facts(order(status=status)))
    assert resolution.outcome == "resolved" and resolution.actions == ()
    assert f"is {status}" in resolution.decisions[0].explanation


def test_a_placed_order_changes_address_once_the_customer_gives_it() -> None:
    placed = facts(order(status="placed"))
    resolution = decided(Need("address_change", "A1042", address="2 New St, Hull"), facts=placed)
    assert [(a.op, a.mode, a.address) for a in resolution.actions] == [("change_address", "auto", "2 New St, Hull")]
    assert decided(Need("address_change", "A1042"), facts=placed).decisions[0].ask == ("address",)


def test_a_password_reset_goes_to_the_account_not_an_address_in_the_post() -> None:
    resolution = decided(Need("account_access"))
    assert [(a.op, a.mode, a.customer) for a in resolution.actions] == [("password_reset", "auto", "C1")]


# Orders, outcomes, and never acting twice


def test_an_order_of_someone_else_goes_to_a_person_and_an_unnamed_one_is_asked_for() -> None:
    assert decided(Need("double_charge", "B2001")).outcome == "handed_over"
    two = facts(order(), order("A1043"))
    assert decided(Need("double_charge"), facts=two).decisions[0].ask == ("order_id",)


def test_a_blocked_need_does_not_stop_an_independent_one() -> None:
    case = facts(order(charges=twice(24.0, timedelta(seconds=4))), order("A1043", items=(("POT-02", 2, 40.0),)))
    resolution = decided(Need("damaged_item", "A1043", "POT-02", 2), Need("double_charge", "A1042"), facts=case)
    assert resolution.outcome == "needs_approval"
    assert [(a.op, a.amount, a.mode) for a in resolution.actions] == [
        ("refund", money(80), "approve"),
        ("refund", money(24), "auto"),
    ]


@pytest.mark.parametrize(("options", "reason"), [({"legal_threat": True}, "legal"), ({"private_messages": False}, "private")])
def test_a_legal_threat_or_a_channel_without_private_messages_hands_over_everything(options, reason: str) -> None:
    resolution = decided(Need("double_charge"), Need("account_access"), **options)
    assert resolution.outcome == "handed_over" and resolution.actions == () and reason in resolution.reason


def test_no_charge_is_ever_refunded_twice_in_one_case() -> None:
    """The duplicate is refunded for the double charge; the cancel then refunds only the other
    charge, and the double charge asked again finds nothing left to refund."""
    at = NOW - timedelta(hours=1)
    case = facts(order(status="placed", charges=((24.0, at), (24.0, at + timedelta(seconds=3)))))
    resolution = decided(Need("double_charge"), Need("cancel"), Need("double_charge"), facts=case)
    assert [(a.op, a.charge, a.amount) for a in resolution.actions] == [
        ("refund", "ch_2", money(24)),
        ("cancel", None, None),
        ("refund", "ch_1", money(24)),
    ]


@pytest.mark.parametrize(
    ("outcomes", "combined"),
    [
        (["resolved", "awaiting_customer", "needs_approval", "handed_over"], "handed_over"),
        (["resolved", "needs_approval", "awaiting_customer"], "needs_approval"),
        (["resolved", "awaiting_customer"], "awaiting_customer"),
        (["resolved", "resolved"], "resolved"),
    ],
)
def test_the_case_outcome_follows_the_precedence(outcomes, combined: str) -> None:
    assert combine(outcomes) == combined


@pytest.mark.parametrize(
    ("actions", "need", "outcome"),
    [
        ({"refund": {"mode": "never"}}, Need("double_charge"), "handed_over"),
        ({"replace": {"mode": "never"}}, Need("damaged_item", "A1042", "MUG-01"), "handed_over"),
        ({"replace": {"mode": "approve"}}, Need("damaged_item", "A1042", "MUG-01"), "needs_approval"),
        ({"refund": {"mode": "never"}}, Need("damaged_item", "A1042", "MUG-01", deadline=THURSDAY), "handed_over"),
        ({"password_reset": {"mode": "approve"}}, Need("account_access"), "needs_approval"),
    ],
)
def test_modes_approve_and_never_hold_what_auto_would_do(actions, need: Need, outcome: str) -> None:
    case = facts(order(charges=twice(24.0, timedelta(seconds=4))))
    resolution = decided(need, facts=case, policy=Policy.model_validate({"actions": actions}))
    assert resolution.outcome == outcome
    if outcome == "handed_over":
        assert resolution.actions == ()
    else:
        assert resolution.actions and all(a.mode == "approve" for a in resolution.actions)


# The playbook's policy section


def test_the_shipped_playbook_carries_the_default_retail_policy() -> None:
    policy = load_playbook(DEFAULT_PLAYBOOK).policy
    assert policy == Policy()
    assert policy.actions.refund.max_amount == 50 and policy.actions.refund.per_customer_30_days == 100


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("policy:\n  actions:\n    refund: {mode: sometimes}\n", r":3: policy.actions.refund.mode = 'sometimes': expected 'auto', 'approve' or 'never'"),
        ("policy:\n  actions:\n    refund:\n      max_amount: -5\n", r":4: policy.actions.refund.max_amount = -5: expected greater than 0"),
        ("policy:\n  actions:\n    refund: {max_amount: 12.345}\n", r":3: .*no more than 2 decimal places"),
        ("policy:\n  actions:\n    replace: {mode: auto, max_amount: 5}\n", r":3: policy.actions.replace: only refunds .* remove max_amount"),
        ("policy:\n  conditions:\n    late_after_days: 0\n", r":3: policy.conditions.late_after_days = 0"),
        ("policy:\n  refunds: {}\n", r":2: policy.refunds: unknown key 'refunds'"),
    ],
)
def test_a_wrong_policy_is_refused_naming_file_line_and_fix(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "playbook.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=f"^{path}{message}"):
        load_playbook(path)


def test_a_playbook_without_a_policy_does_nothing_in_the_shop(tmp_path: Path) -> None:
    path = tmp_path / "playbook.yaml"
    path.write_text("intents: {}\n", encoding="utf-8")
    assert load_playbook(path).policy is None
