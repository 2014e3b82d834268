"""The contract of a team's commerce system: what care reads of it, the writes it may ask for,
and the errors a member raises.

    CommerceError
    ├── CommerceRefused      the system answered and said no (a refund above what is left, an
    │                        order already shipped): retrying will not help, a person or the
    │                        customer must know
    └── CommerceUnavailable  no usable answer after the retries (5xx, timeouts, a broken body):
                             the write may or may not have happened; retry later with the same key

Every write takes an idempotency key (the mention and the step, e.g. `x:1864:refund:ch_2`): the
system acts on a key once, and a repeated key gets the first answer, so a retry never acts twice.
Money is `Decimal` in the shop's currency, to the penny.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Literal, Protocol

from socialcx.channels import Channel

__all__ = [
    "Charge",
    "CommerceError",
    "CommerceRefused",
    "CommerceSystem",
    "CommerceUnavailable",
    "Customer",
    "Item",
    "Order",
    "OrderStatus",
    "Product",
    "Refund",
    "Replacement",
    "Shipment",
    "ShippingSettings",
    "ShippingSpeed",
    "ShopSettings",
]

OrderStatus = Literal["placed", "shipped", "delivered", "cancelled"]
ShippingSpeed = Literal["standard", "express"]


class CommerceError(Exception):
    """Base of what a commerce system member raises."""


class CommerceRefused(CommerceError):
    """The system refused the request; `code` is its reason (`refused`, `not_found`, `invalid`,
    `unauthorized`) and the message its own words."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class CommerceUnavailable(CommerceError):
    """No usable answer after every retry; a write may have happened, so retry with the same key."""


@dataclass(frozen=True, slots=True)
class Customer:
    id: str
    name: str
    email: str
    handles: dict[Channel, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Product:
    sku: str
    name: str
    price: Decimal
    stock: int


@dataclass(frozen=True, slots=True)
class Item:
    """One order line: `qty` of `sku` at `price` each."""

    sku: str
    qty: int
    price: Decimal


@dataclass(frozen=True, slots=True)
class Charge:
    id: str
    amount: Decimal
    at: datetime


@dataclass(frozen=True, slots=True)
class Refund:
    """Money given back against one charge."""

    charge: str
    amount: Decimal
    at: datetime
    order: str = ""
    id: str = ""


@dataclass(frozen=True, slots=True)
class Shipment:
    carrier: str
    tracking: str
    eta: date
    delivered_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Order:
    id: str
    customer: str
    placed_at: datetime
    status: OrderStatus
    items: tuple[Item, ...]
    shipping_fee: Decimal
    charges: tuple[Charge, ...]
    refunds: tuple[Refund, ...]
    shipment: Shipment | None
    address: str

    def refunded(self, charge: str) -> Decimal:
        """What was already given back of one charge."""
        return sum((r.amount for r in self.refunds if r.charge == charge), Decimal(0))


@dataclass(frozen=True, slots=True)
class Replacement:
    """Items sent again, at the shop's cost."""

    id: str
    order: str
    sku: str
    qty: int
    shipping: ShippingSpeed


@dataclass(frozen=True, slots=True)
class ShippingSettings:
    """Standard arrives in `standard_days` business days, express in `express_days`; nothing is
    dispatched on weekends unless `dispatch_weekends`."""

    standard_days: int
    express_days: int
    express_fee: Decimal
    dispatch_weekends: bool


@dataclass(frozen=True, slots=True)
class ShopSettings:
    currency: str
    shipping: ShippingSettings


class CommerceSystem(Protocol):
    """A team's commerce system as care uses it. Lookups return None for what does not exist;
    writes raise `CommerceRefused` when the system says no and `CommerceUnavailable` when it
    cannot be reached."""

    async def settings(self) -> ShopSettings: ...

    async def find_customer(
        self, *, channel: Channel | None = None, handle: str | None = None, email: str | None = None
    ) -> Customer | None: ...

    async def get_order(self, order_id: str) -> Order | None: ...

    async def list_orders(self, customer_id: str) -> list[Order]: ...

    async def get_product(self, sku: str) -> Product | None: ...

    async def refund(self, order_id: str, charge_id: str, amount: Decimal, *, key: str) -> Refund: ...

    async def replace_item(
        self, order_id: str, sku: str, qty: int, shipping: ShippingSpeed, *, key: str
    ) -> Replacement: ...

    async def cancel_order(self, order_id: str, *, key: str) -> Order: ...

    async def change_address(self, order_id: str, address: str, *, key: str) -> Order: ...

    async def send_password_reset(self, customer_id: str, *, key: str) -> None: ...
