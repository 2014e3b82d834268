"""Connected systems: the team's own commerce system, behind one small protocol (`base.py`), one
module per member (`http.py`: the REST API of `docs/commerce-api.md`)."""

from __future__ import annotations

from socialcx.care.systems.base import (
    Charge,
    CommerceError,
    CommerceRefused,
    CommerceSystem,
    CommerceUnavailable,
    Customer,
    Item,
    Order,
    OrderStatus,
    Product,
    Refund,
    Replacement,
    Shipment,
    ShippingSettings,
    ShippingSpeed,
    ShopSettings,
)
from socialcx.care.systems.http import HttpCommerceSystem

__all__ = [
    "Charge",
    "CommerceError",
    "CommerceRefused",
    "CommerceSystem",
    "CommerceUnavailable",
    "Customer",
    "HttpCommerceSystem",
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
