"""Which stock an order's units come from: a group-buy deal's units are the offering's own (stock
buckets, catalogue.stock), and so are a team purchase's; a product's are the serving store's (StoreStock), so an online order and a
walk-in sale at the same counter draw from the same count. Holds, refunds and re-reservations go
through these three functions and never pick the stock themselves. A booking's unit is a seat of the
capacity calendar, taken and given back by the bookings app (its fulfilment's on_released): no stock here."""

from __future__ import annotations

from uuid import UUID

from o2o.catalogue.stock import (
    stock_give,
    stock_left,
    stock_take,
    store_stock_give,
    store_stock_left,
    store_stock_take,
)
from o2o.orders.enums import FulfilmentKind

# Kinds sold from the offering's own units (a deal); the others draw on the serving store's stock.
OWN_UNITS = frozenset({FulfilmentKind.VOUCHER, FulfilmentKind.TEAM})


def _per_store(order: object) -> bool:
    return getattr(order, "fulfilment", FulfilmentKind.VOUCHER) not in OWN_UNITS


def _seat(order: object) -> bool:
    return getattr(order, "fulfilment", "") == FulfilmentKind.BOOKING


def order_units_give(*, order: object, offering_id: UUID, n: int) -> None:
    if _seat(order):
        return
    if _per_store(order):
        store_stock_give(offering_id=offering_id, store_id=order.store_id, n=n)  # type: ignore[attr-defined]
    else:
        stock_give(offering_id=offering_id, n=n)


def order_units_take(*, order: object, offering_id: UUID, n: int) -> bool:
    if _seat(order):
        return False  # a booking's seat given up with its expired order is not taken back by a late payment
    if _per_store(order):
        return store_stock_take(offering_id=offering_id, store_id=order.store_id, n=n)  # type: ignore[attr-defined]
    return stock_take(offering_id=offering_id, n=n)


def order_units_left(*, order: object, offering_id: UUID) -> int:
    if _seat(order):
        return 10**9  # (an expired booking order is "order_expired", never "sold_out")
    if _per_store(order):
        left = store_stock_left(offering_ids=[offering_id], store_id=order.store_id)[offering_id]  # type: ignore[attr-defined]
        return 10**9 if left is None else left
    return stock_left([offering_id]).get(offering_id, 0)
