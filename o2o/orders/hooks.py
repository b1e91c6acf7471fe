"""Hooks for the apps above orders (the return path: members' coupons and points) on an order's money
moments. The orders app never imports them; they register a listener from their app's ready():

    from o2o.orders import hooks
    hooks.register(paid=on_paid, refunded=on_refunded, released=on_released)

Each listener is called with ``order=`` inside the transaction that made the move (with the order row
locked), so what it writes commits or rolls back with the move; a listener that raises refuses the move.
- paid: the order was just marked paid (online or at the counter);
- refunded: some of its units were just refunded (order.status is partially_refunded or refunded and
  order.refunded_amount is the new total refunded);
- released: an unpaid order gave its units back (its hold ran out, it was cancelled).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Listener = Callable[..., None]
_LISTENERS: dict[str, list[Listener]] = {"paid": [], "refunded": [], "released": []}


def register(**listeners: Listener) -> None:
    for moment, fn in listeners.items():
        if fn not in _LISTENERS[moment]:
            _LISTENERS[moment].append(fn)


def fire(moment: str, *, order: Any) -> None:
    for fn in _LISTENERS[moment]:
        fn(order=order)
