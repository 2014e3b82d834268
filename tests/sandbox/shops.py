"""A small shop for the stand-in shop's tests and its clients': the issue's double-charged,
damaged order, a placed order, a shipped one of another customer, and a product out of stock."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from socialcx import ManualClock
from socialcx.sandbox import Sandbox, Scenario, shop_state
from socialcx.sandbox.posts import Author

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)  # a Thursday

SHOP: dict[str, Any] = {
    "currency": "GBP",
    "shipping": {"standard_days": 3, "express_days": 1, "express_fee": 6.0, "dispatch_weekends": False},
    "customers": [
        {"id": "C1", "name": "Jane Doe", "email": "jane@example.com", "handles": {"x": "jane_d"}},
        {"id": "C2", "name": "Sam Roe", "email": "Sam.Roe@example.com", "handles": {"reddit": "sam_r"}},
    ],
    "products": [
        {"sku": "MUG-01", "name": "Stoneware mug", "price": 12.0, "stock": 4},
        {"sku": "POT-02", "name": "Teapot", "price": 40.0, "stock": 0},
        {"sku": "SCARF-03", "name": "Wool scarf", "price": 30.0, "stock": 5},
    ],
    "orders": [
        {
            "id": "A1042", "customer": "C1", "placed_at": "2026-11-28T09:00:00Z", "status": "delivered",
            "items": [{"sku": "MUG-01", "qty": 2, "price": 12.0}, {"sku": "POT-02", "qty": 1, "price": 40.0}],
            "shipping_fee": 0.0,
            "charges": [
                {"id": "ch_1", "amount": 64.0, "at": "2026-11-28T09:00:05Z"},
                {"id": "ch_2", "amount": 64.0, "at": "2026-11-28T09:00:09Z"},
            ],
            "shipment": {"carrier": "DPD", "tracking": "DP123", "eta": "2026-12-01",
                         "delivered_at": "2026-12-01T12:00:00Z"},
            "address": "1 High St, Leeds",
        },
        {
            "id": "A1043", "customer": "C1", "placed_at": "2026-12-02T18:00:00Z", "status": "placed",
            "items": [{"sku": "SCARF-03", "qty": 1, "price": 30.0}], "shipping_fee": 4.5,
            "charges": [{"id": "ch_3", "amount": 34.5, "at": "2026-12-02T18:00:02Z"}],
            "address": "1 High St, Leeds",
        },
        {
            "id": "B2001", "customer": "C2", "placed_at": "2026-11-20T08:00:00Z", "status": "shipped",
            "items": [{"sku": "SCARF-03", "qty": 2, "price": 30.0}], "shipping_fee": 4.5,
            "charges": [{"id": "ch_4", "amount": 64.5, "at": "2026-11-20T08:00:01Z"}],
            "refunds": [{"charge": "ch_4", "amount": 4.5, "at": "2026-11-29T08:00:00Z"}],
            "shipment": {"carrier": "Royal Mail", "tracking": "RM9", "eta": "2026-11-25"},
            "address": "9 Low Rd, York",
        },
    ],
}


def shop() -> dict[str, Any]:
    """A fresh copy of the sample shop, to change in a test."""
    return copy.deepcopy(SHOP)


@contextmanager
def shop_sandbox(state: dict[str, Any] | None = None) -> Iterator[tuple[Sandbox, str]]:
    """A sandbox with no posts and the shop, served from a thread: the sandbox and the API's
    base URL."""
    clock = ManualClock(NOW)
    scenario = Scenario("shop", NOW, Author("1", "acme", "Acme", 0), (), {})
    sandbox = Sandbox(scenario, clock=clock, shop=shop_state(state or shop()))
    with sandbox.in_thread() as base_url:
        yield sandbox, f"{base_url}/shop/v1"
