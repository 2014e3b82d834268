"""The stand-in shop's state loader: a valid shop loads whole; anything malformed is refused with
one error naming the field, never another exception."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialcx.sandbox import ShopStateError, parse_shop, shop_state
from tests.sandbox.shops import SHOP, shop

OPTIONAL = {"refunds", "shipment", "delivered_at", "handles"}


def leaves(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path of every scalar in a decoded JSON document."""
    if isinstance(node, dict):
        return [leaf for key, value in node.items() for leaf in leaves(value, (*path, key))]
    if isinstance(node, list):
        return [leaf for index, value in enumerate(node) for leaf in leaves(value, (*path, index))]
    return [path]


def keys(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path of every key of every object in a decoded JSON document."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            found += [(*path, key), *keys(value, (*path, key))]
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += keys(value, (*path, index))
    return found


def dotted(path: tuple[Any, ...]) -> str:
    return "shop" + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path)


def parent_of(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


def test_the_sample_shop_loads_with_its_money_exact() -> None:
    state = shop_state(SHOP)
    assert state.currency == "GBP" and state.orders[0].charges[1].amount == 64
    assert state.orders[2].left_on(state.orders[2].charges[0]) == 60


@given(path=st.sampled_from(leaves(SHOP)), bad=st.sampled_from([{"no": 1}, [1, 2]]))
def test_a_field_of_the_wrong_kind_is_refused_naming_it(path: tuple[Any, ...], bad: Any) -> None:
    data = shop()
    parent_of(data, path)[path[-1]] = bad
    with pytest.raises(ShopStateError) as refused:
        shop_state(data)
    assert str(refused.value).startswith(dotted(path) + ": ")
    assert "\n" not in str(refused.value)


@given(path=st.sampled_from([path for path in keys(SHOP) if not OPTIONAL & set(path)]))
def test_a_missing_field_is_refused_naming_it(path: tuple[Any, ...]) -> None:
    data = shop()
    del parent_of(data, path)[path[-1]]
    with pytest.raises(ShopStateError, match="missing") as refused:
        shop_state(data)
    assert str(refused.value).startswith(dotted(path) + ": ")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s["orders"][0].update(customer="C9"), "names customer 'C9', who is not under customers"),
        (lambda s: s["orders"][1]["items"][0].update(sku="HAT"), "sku 'HAT', which is not under products"),
        (lambda s: s["orders"][1]["charges"][0].update(id="ch_1"), "two charges share an id"),
        (lambda s: s["orders"][2]["refunds"][0].update(charge="ch_9"), "charge 'ch_9', not among its charges"),
        (lambda s: s["orders"][0]["charges"][0].update(amount=0.1 + 0.2), r"charges\[0\].amount: .*2 decimal"),
        (lambda s: s["orders"][0].update(status="lost"), r"status: expected 'placed', 'shipped'"),
        (lambda s: s["orders"][0].update(placed_at="2026-11-28T09:00:00"), "placed_at: .*timezone"),
        (lambda s: s["customers"][0]["handles"].update(myspace="jane"), r"handles.myspace"),
        (lambda s: s["products"][0].update(stock=-1), r"products\[0\].stock: .*greater than or equal to 0"),
        (lambda s: s.update(colour="red"), "shop.colour: unknown field"),
    ],
)
def test_a_shop_the_data_contradicts_is_refused_with_the_fix(change, message: str) -> None:
    data = shop()
    change(data)
    with pytest.raises(ShopStateError, match=message):
        shop_state(data)


@given(st.text() | st.binary())
def test_any_text_either_loads_or_is_refused_in_one_sentence(text: str | bytes) -> None:
    try:
        parse_shop(text)
    except ShopStateError as exc:
        assert str(exc) and "\n" not in str(exc)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
    )
)
def test_arbitrary_json_is_refused_as_a_shop(data: Any) -> None:
    with pytest.raises(ShopStateError):
        parse_shop(json.dumps(data))
