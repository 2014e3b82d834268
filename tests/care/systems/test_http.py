"""HttpCommerceSystem against the stand-in shop on 127.0.0.1: every operation, what the shop's
ledger records, idempotent retries after lost answers, faults retried, refusals surfaced."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

import aiohttp
import pytest
from aiohttp import web

from connectors.base import RetryPolicy
from socialcx.care.systems import (
    CommerceRefused,
    CommerceUnavailable,
    HttpCommerceSystem,
)
from socialcx.channels import Channel
from socialcx.sandbox import Sandbox
from tests.sandbox.shops import shop, shop_sandbox

T = TypeVar("T")
FAST = RetryPolicy(attempts=3, base_seconds=0.01, max_seconds=0.05)


@pytest.fixture
def served() -> Iterator[tuple[Sandbox, str]]:
    with shop_sandbox() as found:
        yield found


def run(base_url: str, call: Callable[[HttpCommerceSystem], Awaitable[T]], timeout: float = 2.0) -> T:
    """Run one call with a fresh client, closed afterwards."""

    async def go() -> T:
        async with HttpCommerceSystem(base_url, "s3cret", timeout=timeout, retry=FAST, rng=random.Random(1)) as system:
            return await call(system)

    return asyncio.run(go())


def test_customers_are_found_by_their_exact_handle_on_its_own_channel_or_by_email(served) -> None:
    _, url = served
    assert run(url, lambda s: s.find_customer(channel=Channel.X, handle="jane_d")).id == "C1"
    assert run(url, lambda s: s.find_customer(channel=Channel.MASTODON, handle="jane_d")) is None
    assert run(url, lambda s: s.find_customer(channel=Channel.X, handle="Jane_D")) is None
    assert run(url, lambda s: s.find_customer(email="sam.roe@EXAMPLE.com")).id == "C2"
    assert run(url, lambda s: s.find_customer(email="nobody@example.com")) is None


def test_orders_products_and_settings_are_read_as_the_shop_holds_them(served) -> None:
    _, url = served
    order = run(url, lambda s: s.get_order("A1042"))
    assert (order.customer, order.status, order.address) == ("C1", "delivered", "1 High St, Leeds")
    assert [(c.id, c.amount) for c in order.charges] == [("ch_1", Decimal("64.00")), ("ch_2", Decimal("64.00"))]
    assert [(i.sku, i.qty, i.price) for i in order.items][0] == ("MUG-01", 2, Decimal("12.00"))
    assert order.shipment.eta == date(2026, 12, 1) and order.shipment.delivered_at is not None
    assert run(url, lambda s: s.get_order("B2001")).refunds[0].amount == Decimal("4.50")
    assert run(url, lambda s: s.get_order("NOPE")) is None
    assert [o.id for o in run(url, lambda s: s.list_orders("C1"))] == ["A1042", "A1043"]
    assert run(url, lambda s: s.get_product("POT-02")).stock == 0
    assert run(url, lambda s: s.get_product("NOPE")) is None
    settings = run(url, lambda s: s.settings())
    assert settings.currency == "GBP" and settings.shipping.express_fee == Decimal("6.00")
    assert settings.shipping.dispatch_weekends is False


def test_each_write_lands_in_the_ledger_in_the_case_format(served) -> None:
    sandbox, url = served
    refund = run(url, lambda s: s.refund("A1042", "ch_2", Decimal("64.00"), key="m1:refund:ch_2"))
    run(url, lambda s: s.replace_item("A1042", "MUG-01", 1, "express", key="m1:replace"))
    run(url, lambda s: s.cancel_order("A1043", key="m2:cancel"))
    run(url, lambda s: s.send_password_reset("C2", key="m3:reset"))
    assert refund.amount == Decimal("64.00") and refund.charge == "ch_2" and refund.order == "A1042"
    assert sandbox.shop.ledger == [
        {"op": "refund", "order": "A1042", "amount": 64.0, "charge": "ch_2"},
        {"op": "replace", "order": "A1042", "sku": "MUG-01", "qty": 1, "shipping": "express"},
        {"op": "cancel", "order": "A1043"},
        {"op": "password_reset", "customer": "C2"},
    ]
    assert run(url, lambda s: s.get_product("MUG-01")).stock == 3
    assert run(url, lambda s: s.get_order("A1043")).status == "cancelled"
    assert run(url, lambda s: s.get_order("A1042")).refunded("ch_2") == Decimal("64.00")


def test_an_address_changes_while_the_order_is_placed() -> None:
    state = shop()
    with shop_sandbox(state) as (sandbox, url):
        order = run(url, lambda s: s.change_address("A1043", "2 New St, Hull", key="m4:address"))
        assert order.address == "2 New St, Hull"
        assert sandbox.shop.ledger == [{"op": "change_address", "order": "A1043", "address": "2 New St, Hull"}]


@pytest.mark.parametrize(
    ("write", "message"),
    [
        (lambda s: s.refund("A1042", "ch_1", Decimal("64.01"), key="k"), "above the 64.00 left on charge ch_1"),
        (lambda s: s.refund("B2001", "ch_4", Decimal("60.01"), key="k"), "above the 60.00 left"),
        (lambda s: s.refund("A1042", "ch_4", Decimal("1"), key="k"), "no charge 'ch_4'"),
        (lambda s: s.cancel_order("B2001", key="k"), "B2001 is shipped"),
        (lambda s: s.change_address("B2001", "2 New St", key="k"), "B2001 is shipped"),
        (lambda s: s.replace_item("A1042", "POT-02", 1, "standard", key="k"), "out of stock"),
        (lambda s: s.replace_item("A1042", "SCARF-03", 1, "standard", key="k"), "not on order A1042"),
        (lambda s: s.replace_item("A1042", "MUG-01", 3, "standard", key="k"), "has 2 of MUG-01"),
        (lambda s: s.replace_item("A1043", "SCARF-03", 1, "standard", key="k"), "A1043 is placed"),
    ],
)
def test_what_the_data_refutes_is_refused_and_writes_nothing(served, write, message: str) -> None:
    sandbox, url = served
    with pytest.raises(CommerceRefused, match=message) as refused:
        run(url, write)
    assert refused.value.code == "refused" and sandbox.shop.ledger == []


def test_a_second_refund_of_one_charge_stops_at_its_amount(served) -> None:
    sandbox, url = served
    run(url, lambda s: s.refund("A1042", "ch_2", Decimal("40.00"), key="a"))
    with pytest.raises(CommerceRefused, match="above the 24.00 left"):
        run(url, lambda s: s.refund("A1042", "ch_2", Decimal("24.01"), key="b"))
    run(url, lambda s: s.refund("A1042", "ch_2", Decimal("24.00"), key="c"))
    assert [entry["amount"] for entry in sandbox.shop.ledger] == [40.0, 24.0]


def test_a_repeated_key_gets_the_first_answer_and_writes_nothing_new(served) -> None:
    sandbox, url = served
    first = run(url, lambda s: s.refund("A1042", "ch_2", Decimal("64.00"), key="m1:refund:ch_2"))
    again = run(url, lambda s: s.refund("A1042", "ch_2", Decimal("64.00"), key="m1:refund:ch_2"))
    assert again == first and len(sandbox.shop.ledger) == 1
    with pytest.raises(CommerceRefused, match="different request") as refused:
        run(url, lambda s: s.refund("A1042", "ch_1", Decimal("64.00"), key="m1:refund:ch_2"))
    assert refused.value.code == "invalid" and len(sandbox.shop.ledger) == 1


def test_a_retry_after_a_lost_answer_does_not_write_again(served) -> None:
    """The shop does the refund but its answer comes too late; the client times out and retries
    with the same key, and gets the first answer."""
    sandbox, url = served
    fault = sandbox.faults.add(route="shop.refund", kind="slow", seconds=1.0)
    refund = run(url, lambda s: s.refund("A1042", "ch_2", Decimal("64.00"), key="m1:refund:ch_2"), timeout=0.3)
    assert fault.fired == 1 and refund.amount == Decimal("64.00")
    assert sandbox.shop.ledger == [{"op": "refund", "order": "A1042", "amount": 64.0, "charge": "ch_2"}]
    assert run(url, lambda s: s.get_order("A1042")).refunded("ch_2") == Decimal("64.00")


@pytest.mark.parametrize("kind", ["500", "503", "429", "malformed"])
def test_transient_faults_are_retried_and_the_write_happens_once(served, kind: str) -> None:
    sandbox, url = served
    fault = sandbox.faults.add(route="shop.replace", kind=kind, times=2)
    run(url, lambda s: s.replace_item("A1042", "MUG-01", 1, "standard", key="m1:replace"))
    assert fault.fired == 2
    assert sandbox.shop.ledger == [{"op": "replace", "order": "A1042", "sku": "MUG-01", "qty": 1, "shipping": "standard"}]


def test_a_shop_that_stays_down_is_unavailable_not_refused(served) -> None:
    sandbox, url = served
    sandbox.faults.add(route="shop.*", kind="503", times=None)
    with pytest.raises(CommerceUnavailable, match="3 attempts .last: HTTP 503.; retry later with the same"):
        run(url, lambda s: s.cancel_order("A1043", key="m2:cancel"))
    with pytest.raises(CommerceUnavailable):
        run(url, lambda s: s.get_order("A1043"))
    assert sandbox.shop.ledger == []


def test_a_shop_that_cannot_be_reached_is_unavailable() -> None:
    with shop_sandbox() as (_, url):
        pass  # the server is gone
    with pytest.raises(CommerceUnavailable, match="ClientConnectorError"):
        run(url, lambda s: s.get_order("A1042"))


def test_an_answer_out_of_the_documented_shape_is_unavailable_never_a_crash() -> None:
    async def shapeless(request: web.Request) -> web.Response:
        return web.json_response({"customers": [{"id": "C1"}]})

    async def go() -> None:
        app = web.Application()
        app.router.add_get("/shop/v1/customers", shapeless)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/shop/v1"
        try:
            async with HttpCommerceSystem(url, "t", retry=FAST) as system:
                await system.find_customer(email="jane@example.com")
        finally:
            await runner.cleanup()

    with pytest.raises(CommerceUnavailable, match="not in the documented shape .KeyError: 'name'"):
        asyncio.run(go())


def test_the_ledger_is_served_to_other_processes(served) -> None:
    sandbox, url = served
    run(url, lambda s: s.send_password_reset("C1", key="m5:reset"))

    async def get() -> Any:
        async with aiohttp.ClientSession() as session:
            async with session.get(url.removesuffix("/shop/v1") + "/_sandbox/ledger") as response:
                return await response.json()

    assert asyncio.run(get()) == [{"op": "password_reset", "customer": "C1"}]


def test_the_shop_needs_a_token_and_a_key_on_every_write(served) -> None:
    sandbox, url = served

    async def post(headers: dict[str, str]) -> tuple[int, Any]:
        async with aiohttp.ClientSession() as session:
            async with session.post(f"{url}/orders/A1043/cancel", json={}, headers=headers) as response:
                return response.status, await response.json()

    assert asyncio.run(post({}))[0] == 401
    status, body = asyncio.run(post({"Authorization": "Bearer t"}))
    assert status == 400 and "Idempotency-Key" in body["error"]["message"]
    assert sandbox.shop.ledger == []
