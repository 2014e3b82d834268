"""`HttpCommerceSystem`: the commerce system behind the REST API of `docs/commerce-api.md`.

    async with HttpCommerceSystem("https://shop.internal/shop/v1", token) as shop:
        customer = await shop.find_customer(channel=Channel.X, handle="jane_d")
        await shop.refund("A1042", "ch_2", Decimal("24.00"), key="x:1864:refund:ch_2")

Every write sends its key as `Idempotency-Key`, so the retries here (and any later retry with the
same key) act once. 429, 5xx, timeouts, dropped connections and unreadable bodies are retried
with exponential backoff and full jitter; what is still failing after the last attempt raises
`CommerceUnavailable`. Any other 4xx raises `CommerceRefused` at once.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Awaitable, Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar
from urllib.parse import quote

import aiohttp

from connectors.base import RetryPolicy
from socialcx.care.systems.base import (
    Charge,
    CommerceRefused,
    CommerceUnavailable,
    Customer,
    Item,
    Order,
    Product,
    Refund,
    Replacement,
    Shipment,
    ShippingSettings,
    ShippingSpeed,
    ShopSettings,
)
from socialcx.channels import Channel

__all__ = ["HttpCommerceSystem"]

_CENTS = Decimal("0.01")
T = TypeVar("T")


class HttpCommerceSystem:
    """A commerce system reached over HTTP (alias `http`); `base_url` ends with the API's prefix
    (`…/shop/v1`), `token` is sent as a bearer token and never logged. Each attempt may take
    `timeout` seconds."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 5.0,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> HttpCommerceSystem:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def settings(self) -> ShopSettings:
        return await self._call("GET", "/settings", _settings)

    async def find_customer(
        self, *, channel: Channel | None = None, handle: str | None = None, email: str | None = None
    ) -> Customer | None:
        """The customer whose `handle` on `channel` is exactly this one, or whose email is
        `email` (compared case-insensitively); give one or the other."""
        if email is not None:
            query = {"email": email}
        elif channel is not None and handle is not None:
            query = {"channel": str(channel), "handle": handle}
        else:
            raise ValueError("find_customer needs an email, or a channel and a handle")
        return await self._call("GET", "/customers", _first_customer, params=query)

    async def get_order(self, order_id: str) -> Order | None:
        return await self._call("GET", f"/orders/{_segment(order_id)}", _order, missing_ok=True)

    async def list_orders(self, customer_id: str) -> list[Order]:
        path = f"/customers/{_segment(customer_id)}/orders"
        return await self._call("GET", path, _orders, missing_ok=True) or []

    async def get_product(self, sku: str) -> Product | None:
        return await self._call("GET", f"/products/{_segment(sku)}", _product, missing_ok=True)

    async def refund(self, order_id: str, charge_id: str, amount: Decimal, *, key: str) -> Refund:
        body = {"charge": charge_id, "amount": float(amount.quantize(_CENTS))}
        return await self._call("POST", f"/orders/{_segment(order_id)}/refunds", _refund, body=body, key=key)

    async def replace_item(
        self, order_id: str, sku: str, qty: int, shipping: ShippingSpeed, *, key: str
    ) -> Replacement:
        body = {"sku": sku, "qty": qty, "shipping": shipping}
        path = f"/orders/{_segment(order_id)}/replacements"
        return await self._call("POST", path, _replacement, body=body, key=key)

    async def cancel_order(self, order_id: str, *, key: str) -> Order:
        return await self._call("POST", f"/orders/{_segment(order_id)}/cancel", _order, body={}, key=key)

    async def change_address(self, order_id: str, address: str, *, key: str) -> Order:
        body = {"address": address}
        return await self._call("POST", f"/orders/{_segment(order_id)}/address", _order, body=body, key=key)

    async def send_password_reset(self, customer_id: str, *, key: str) -> None:
        path = f"/customers/{_segment(customer_id)}/password-reset"
        await self._call("POST", path, _nothing, body={}, key=key)

    async def _call(
        self,
        method: str,
        path: str,
        parse: Callable[[Any], T],
        *,
        params: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
        key: str | None = None,
        missing_ok: bool = False,
    ) -> T | None:
        """One request, retried while the failure is transient: the answer as `parse` reads it,
        or None for a 404 when `missing_ok`. An answer `parse` cannot read counts as transient."""
        headers = self._headers | ({"Idempotency-Key": key} if key is not None else {})
        problem = ""
        for attempt in range(1, self._retry.attempts + 1):
            if attempt > 1:
                await self._sleep(self._retry.delay(attempt - 1, self._rng))
            try:
                status, data = await self._attempt(method, path, params, body, headers)
            except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
                problem = _problem(exc)
                continue
            if status == 429 or status >= 500:
                problem = f"HTTP {status}"
                continue
            if status == 404 and missing_ok:
                return None
            if status >= 400:
                error = data.get("error", {}) if isinstance(data, dict) else {}
                raise CommerceRefused(error.get("code", f"http_{status}"), error.get("message", f"HTTP {status}"))
            try:
                return parse(data)
            except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
                problem = f"an answer not in the documented shape ({type(exc).__name__}: {exc})"
        raise CommerceUnavailable(
            f"{method} {path}: the commerce system gave no usable answer in {self._retry.attempts} attempts "
            f"(last: {problem}); retry later with the same idempotency key"
        )

    async def _attempt(
        self,
        method: str,
        path: str,
        params: Mapping[str, str] | None,
        body: Mapping[str, Any] | None,
        headers: Mapping[str, str],
    ) -> tuple[int, Any]:
        """One HTTP exchange: the status and the decoded body (ValueError when unreadable)."""
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        async with self._session.request(
            method, self._base_url + path, params=params, json=body, headers=headers
        ) as response:
            raw = await response.read()
            return response.status, json.loads(raw, parse_float=Decimal)


def _problem(exc: Exception) -> str:
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, ValueError):
        return "an unreadable answer"
    return type(exc).__name__


def _segment(value: str) -> str:
    """An id as one path segment, so an id with `/` or `?` cannot reach another endpoint."""
    return quote(value, safe="")


def _money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(_CENTS)


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _settings(data: Mapping[str, Any]) -> ShopSettings:
    shipping = data["shipping"]
    return ShopSettings(
        currency=data["currency"],
        shipping=ShippingSettings(
            standard_days=int(shipping["standard_days"]),
            express_days=int(shipping["express_days"]),
            express_fee=_money(shipping["express_fee"]),
            dispatch_weekends=bool(shipping["dispatch_weekends"]),
        ),
    )


def _first_customer(data: Mapping[str, Any]) -> Customer | None:
    found = data["customers"]
    return _customer(found[0]) if found else None


def _orders(data: Mapping[str, Any]) -> list[Order]:
    return [_order(order) for order in data["orders"]]


def _product(data: Mapping[str, Any]) -> Product:
    return Product(data["sku"], data["name"], _money(data["price"]), int(data["stock"]))


def _refund(data: Mapping[str, Any]) -> Refund:
    return Refund(data["charge"], _money(data["amount"]), _time(data["at"]), order=data["order"], id=data["id"])


def _replacement(data: Mapping[str, Any]) -> Replacement:
    return Replacement(data["id"], data["order"], data["sku"], int(data["qty"]), data["shipping"])


def _nothing(data: Any) -> None:
    return None


def _customer(data: Mapping[str, Any]) -> Customer:
    handles = {Channel(channel): handle for channel, handle in data.get("handles", {}).items()}
    return Customer(data["id"], data["name"], data["email"], handles)


def _order(data: Mapping[str, Any]) -> Order:
    shipment = data.get("shipment")
    return Order(
        id=data["id"],
        customer=data["customer"],
        placed_at=_time(data["placed_at"]),
        status=data["status"],
        items=tuple(Item(i["sku"], int(i["qty"]), _money(i["price"])) for i in data["items"]),
        shipping_fee=_money(data["shipping_fee"]),
        charges=tuple(Charge(c["id"], _money(c["amount"]), _time(c["at"])) for c in data["charges"]),
        refunds=tuple(
            Refund(r["charge"], _money(r["amount"]), _time(r["at"]), order=data["id"])
            for r in data.get("refunds", [])
        ),
        shipment=None
        if shipment is None
        else Shipment(
            shipment["carrier"],
            shipment["tracking"],
            date.fromisoformat(shipment["eta"]),
            _time(shipment["delivered_at"]) if shipment.get("delivered_at") else None,
        ),
        address=data["address"],
    )
