"""The stand-in shop: the commerce API of `docs/commerce-api.md` over a shop loaded from JSON.

A care team puts that API in front of its own systems; the sandbox serves it at `/shop/v1` beside
the channels' route sets, with the same fault menu (`500`, `503`, `slow`, `malformed`, `429`).
The shop's state is the `shop` object of a resolution case:

    {"currency": "GBP",
     "shipping": {"standard_days": 3, "express_days": 1, "express_fee": 6.0, "dispatch_weekends": false},
     "customers": [{"id": "C1", "name": "Jane Doe", "email": "jane@example.com", "handles": {"x": "jane_d"}}],
     "products": [{"sku": "MUG-01", "name": "Stoneware mug", "price": 12.0, "stock": 4}],
     "orders": [{"id": "A1042", "customer": "C1", "placed_at": "2026-11-28T09:00:00Z", "status": "delivered",
                 "items": [{"sku": "MUG-01", "qty": 2, "price": 12.0}], "shipping_fee": 0.0,
                 "charges": [{"id": "ch_1", "amount": 24.0, "at": "2026-11-28T09:00:05Z"}],
                 "refunds": [{"charge": "ch_1", "amount": 24.0, "at": "2026-11-29T10:00:00Z"}],
                 "shipment": {"carrier": "DPD", "tracking": "DP123", "eta": "2026-12-01",
                              "delivered_at": "2026-12-01T12:00:00Z"},
                 "address": "1 High St, Leeds"}]}

(`refunds` and `shipment` are optional.) Every write lands in `Shop.ledger` in the case format
(`{"op": "refund", "order", "amount", "charge"}`, …); a write repeated with the same
`Idempotency-Key` gets the first answer again and writes nothing.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from aiohttp import web
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    model_validator,
)

from socialcx.channels import Channel
from socialcx.clock import Clock
from socialcx.sandbox.base import ApiError, Route

__all__ = ["Shop", "ShopState", "ShopStateError", "parse_shop", "shop_state"]

PREFIX = "/shop/v1"
_CENTS = Decimal("0.01")
_CODES = {400: "invalid", 401: "unauthorized", 404: "not_found", 409: "refused", 422: "invalid"}

Money = Annotated[
    Decimal,
    Field(ge=0, decimal_places=2, allow_inf_nan=False),
    PlainSerializer(float, return_type=float, when_used="json"),
]
Name = Annotated[str, Field(min_length=1)]


class ShopStateError(ValueError):
    """A shop state file that cannot be loaded; the message names the field and the fix."""


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Shipping(_Record):
    standard_days: int = Field(ge=0)
    express_days: int = Field(ge=0)
    express_fee: Money
    dispatch_weekends: bool


class Customer(_Record):
    id: Name
    name: str
    email: Name
    handles: dict[Channel, Name] = Field(default_factory=dict)


class Product(_Record):
    sku: Name
    name: Name
    price: Money
    stock: int = Field(ge=0)


class Item(_Record):
    sku: Name
    qty: int = Field(ge=1)
    price: Money


class Charge(_Record):
    id: Name
    amount: Money
    at: AwareDatetime


class Refund(_Record):
    charge: Name
    amount: Money
    at: AwareDatetime


class Shipment(_Record):
    carrier: str
    tracking: str
    eta: date
    delivered_at: AwareDatetime | None = None


class Order(_Record):
    id: Name
    customer: Name
    placed_at: AwareDatetime
    status: Literal["placed", "shipped", "delivered", "cancelled"]
    items: list[Item] = Field(min_length=1)
    shipping_fee: Money
    charges: list[Charge]
    refunds: list[Refund] = Field(default_factory=list)
    shipment: Shipment | None = None
    address: str

    def left_on(self, charge: Charge) -> Decimal:
        """What can still be refunded of `charge`."""
        return charge.amount - sum((r.amount for r in self.refunds if r.charge == charge.id), Decimal(0))


class ShopState(_Record):
    """Everything the shop knows, validated: ids unique, every reference resolves."""

    currency: str = Field(pattern=r"^[A-Z]{3}$")
    shipping: Shipping
    customers: list[Customer]
    products: list[Product]
    orders: list[Order]

    @model_validator(mode="after")
    def _references_resolve(self) -> ShopState:
        for field, ids in (
            ("customers", [c.id for c in self.customers]),
            ("products", [p.sku for p in self.products]),
            ("orders", [o.id for o in self.orders]),
            ("charges", [c.id for o in self.orders for c in o.charges]),
        ):
            if len(set(ids)) != len(ids):
                raise ValueError(f"two {field} share an id; give each its own")
        customers = {c.id for c in self.customers}
        skus = {p.sku for p in self.products}
        for order in self.orders:
            if order.customer not in customers:
                raise ValueError(f"order {order.id} names customer {order.customer!r}, who is not under customers")
            for item in order.items:
                if item.sku not in skus:
                    raise ValueError(f"order {order.id} has sku {item.sku!r}, which is not under products")
            charges = {c.id for c in order.charges}
            for refund in order.refunds:
                if refund.charge not in charges:
                    raise ValueError(f"order {order.id} has a refund of charge {refund.charge!r}, not among its charges")
        return self


def parse_shop(text: str | bytes) -> ShopState:
    """A shop state from JSON text; raises `ShopStateError` naming what is wrong and where."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ShopStateError(f"the shop is not valid JSON ({exc}); fix the syntax there") from None
    return shop_state(data)


def shop_state(data: Any) -> ShopState:
    """A shop state from decoded JSON; raises `ShopStateError` naming the field and the fix."""
    if not isinstance(data, Mapping):
        raise ShopStateError("the shop must be a JSON object with currency, shipping, customers, products, orders")
    try:
        return ShopState.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = "shop" + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error["loc"])
        message = error["msg"].removeprefix("Value error, ").replace("Input should be", "expected")
        if error["type"] == "extra_forbidden":
            message = "unknown field; remove it or check its spelling"
        elif error["type"] == "missing":
            message = "missing; every record of this kind needs it"
        raise ShopStateError(f"{where}: {message}") from None


class Shop:
    """The stand-in of a team's commerce system: the API's routes over one `ShopState`.

    Writes need an `Idempotency-Key`; the first answer to a key is kept, and the same key on the
    same request gets that answer again (with `Idempotent-Replayed: true`) without writing.
    """

    def __init__(self, state: ShopState, *, clock: Clock) -> None:
        self.state = state
        self.clock = clock
        self.ledger: list[dict[str, Any]] = []
        self._answers: dict[str, tuple[str, int, dict[str, Any]]] = {}
        self._ids = itertools.count(1)

    def routes(self) -> list[Route]:
        """Every endpoint of the commerce API."""
        read, write = "shop.read", "shop.write"
        return [
            Route("shop.settings", "GET", f"{PREFIX}/settings", self._settings, read),
            Route("shop.customers", "GET", f"{PREFIX}/customers", self._customers, read),
            Route("shop.customer_orders", "GET", f"{PREFIX}/customers/{{id}}/orders", self._customer_orders, read),
            Route("shop.order", "GET", f"{PREFIX}/orders/{{id}}", self._order, read),
            Route("shop.product", "GET", f"{PREFIX}/products/{{sku}}", self._product, read),
            Route("shop.refund", "POST", f"{PREFIX}/orders/{{id}}/refunds", self._write(self._refund), write),
            Route("shop.replace", "POST", f"{PREFIX}/orders/{{id}}/replacements", self._write(self._replace), write),
            Route("shop.cancel", "POST", f"{PREFIX}/orders/{{id}}/cancel", self._write(self._cancel), write),
            Route("shop.address", "POST", f"{PREFIX}/orders/{{id}}/address", self._write(self._address), write),
            Route(
                "shop.password_reset",
                "POST",
                f"{PREFIX}/customers/{{id}}/password-reset",
                self._write(self._password_reset),
                write,
            ),
        ]

    def authorized(self, request: web.Request) -> bool:
        """Whether the request carries a bearer token (never verified)."""
        return request.headers.get("Authorization", "").startswith("Bearer ")

    def error(self, status: int, message: str) -> web.Response:
        """An error answer in the API's shape."""
        code = _CODES.get(status, "unavailable")
        return web.json_response({"error": {"code": code, "message": message}}, status=status)

    async def _settings(self, request: web.Request) -> web.Response:
        return _json(self.state.model_dump(mode="json", include={"currency", "shipping"}))

    async def _customers(self, request: web.Request) -> web.Response:
        query = request.query
        if "email" in query:
            email = query["email"].casefold()
            found = [c for c in self.state.customers if c.email.casefold() == email]
        elif "channel" in query and "handle" in query:
            wanted = (query["channel"], query["handle"])
            found = [c for c in self.state.customers if wanted in {(str(ch), h) for ch, h in c.handles.items()}]
        else:
            raise ApiError(400, "give either email, or channel and handle")
        return _json({"customers": [c.model_dump(mode="json") for c in found]})

    async def _customer_orders(self, request: web.Request) -> web.Response:
        customer = self._customer(request.match_info["id"])
        orders = [o.model_dump(mode="json") for o in self.state.orders if o.customer == customer.id]
        return _json({"orders": orders})

    async def _order(self, request: web.Request) -> web.Response:
        return _json(self._find_order(request.match_info["id"]).model_dump(mode="json"))

    async def _product(self, request: web.Request) -> web.Response:
        sku = request.match_info["sku"]
        product = next((p for p in self.state.products if p.sku == sku), None)
        if product is None:
            raise ApiError(404, f"no product {sku}")
        return _json(product.model_dump(mode="json"))

    def _write(
        self, write: Callable[[web.Request, dict[str, Any]], tuple[int, dict[str, Any]]]
    ) -> Callable[[web.Request], Any]:
        """A write route: the key's first answer if it has one, else the write, kept under the key.
        Refusals are kept too, so a retry is refused the same way."""

        async def handler(request: web.Request) -> web.Response:
            key = request.headers.get("Idempotency-Key", "").strip()
            if not key:
                raise ApiError(400, "every write needs an Idempotency-Key header")
            try:
                body = await request.json() if request.can_read_body else {}
            except json.JSONDecodeError:
                raise ApiError(400, "the body is not JSON") from None
            if not isinstance(body, dict):
                raise ApiError(400, "the body must be a JSON object")
            fingerprint = f"{request.method} {request.path} {json.dumps(body, sort_keys=True)}"
            if key in self._answers:
                seen, status, answer = self._answers[key]
                if seen != fingerprint:
                    raise ApiError(422, f"Idempotency-Key {key!r} was used for a different request")
                return _json(answer, status, headers={"Idempotent-Replayed": "true"})
            try:
                status, answer = write(request, body)
            except ApiError as exc:
                status, answer = exc.status, {"error": {"code": _CODES[exc.status], "message": exc.message}}
            self._answers[key] = (fingerprint, status, answer)
            return _json(answer, status)

        return handler

    def _refund(self, request: web.Request, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        order = self._find_order(request.match_info["id"])
        amount = _amount(body.get("amount"))
        charge = next((c for c in order.charges if c.id == body.get("charge")), None)
        if charge is None:
            raise ApiError(409, f"order {order.id} has no charge {body.get('charge')!r}")
        left = order.left_on(charge)
        if amount > left:
            raise ApiError(409, f"a refund of {amount:.2f} is above the {left:.2f} left on charge {charge.id}")
        refund = Refund(charge=charge.id, amount=amount, at=self.clock.now())
        order.refunds = [*order.refunds, refund]
        self.ledger.append({"op": "refund", "order": order.id, "amount": float(amount), "charge": charge.id})
        return 201, {"id": f"re_{next(self._ids)}", "order": order.id, **refund.model_dump(mode="json")}

    def _replace(self, request: web.Request, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        order = self._find_order(request.match_info["id"])
        sku, qty, shipping = body.get("sku"), body.get("qty"), body.get("shipping")
        if not isinstance(qty, int) or isinstance(qty, bool) or qty < 1:
            raise ApiError(422, "qty must be a whole number of at least 1")
        if shipping not in ("standard", "express"):
            raise ApiError(422, "shipping must be standard or express")
        ordered = sum(item.qty for item in order.items if item.sku == sku)
        if not ordered:
            raise ApiError(409, f"{sku!r} is not on order {order.id}")
        if qty > ordered:
            raise ApiError(409, f"order {order.id} has {ordered} of {sku}, fewer than {qty}")
        if order.status not in ("shipped", "delivered"):
            raise ApiError(409, f"order {order.id} is {order.status}; only what was shipped can be replaced")
        product = next(p for p in self.state.products if p.sku == sku)
        if product.stock < qty:
            raise ApiError(409, f"{sku} is out of stock ({product.stock} left, {qty} asked)")
        product.stock -= qty
        self.ledger.append({"op": "replace", "order": order.id, "sku": sku, "qty": qty, "shipping": shipping})
        return 201, {"id": f"rp_{next(self._ids)}", "order": order.id, "sku": sku, "qty": qty, "shipping": shipping}

    def _cancel(self, request: web.Request, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        order = self._find_order(request.match_info["id"])
        if order.status != "placed":
            raise ApiError(409, f"order {order.id} is {order.status}; only a placed order can be cancelled")
        order.status = "cancelled"
        self.ledger.append({"op": "cancel", "order": order.id})
        return 200, order.model_dump(mode="json")

    def _address(self, request: web.Request, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        order = self._find_order(request.match_info["id"])
        address = body.get("address")
        if not isinstance(address, str) or not address.strip():
            raise ApiError(422, "address must be a non-empty text")
        if order.status != "placed":
            raise ApiError(409, f"order {order.id} is {order.status}; only a placed order can change address")
        order.address = address.strip()
        self.ledger.append({"op": "change_address", "order": order.id, "address": order.address})
        return 200, order.model_dump(mode="json")

    def _password_reset(self, request: web.Request, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        customer = self._customer(request.match_info["id"])
        self.ledger.append({"op": "password_reset", "customer": customer.id})
        return 202, {"customer": customer.id, "status": "sent"}

    def _customer(self, customer_id: str) -> Customer:
        customer = next((c for c in self.state.customers if c.id == customer_id), None)
        if customer is None:
            raise ApiError(404, f"no customer {customer_id}")
        return customer

    def _find_order(self, order_id: str) -> Order:
        order = next((o for o in self.state.orders if o.id == order_id), None)
        if order is None:
            raise ApiError(404, f"no order {order_id}")
        return order


def _amount(value: Any) -> Decimal:
    """A refund amount from a request: a positive number with at most two decimals."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ApiError(422, "amount must be a number such as 24.00")
    try:
        amount = Decimal(str(value))
    except ArithmeticError:
        raise ApiError(422, "amount must be a number such as 24.00") from None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(_CENTS):
        raise ApiError(422, "amount must be above 0 with at most two decimals")
    return amount


def _json(body: dict[str, Any], status: int = 200, headers: Mapping[str, str] | None = None) -> web.Response:
    return web.json_response(body, status=status, headers=headers)

