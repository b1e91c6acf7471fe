"""The one place an order's total and its refund allocation are computed (pure functions, in cents).

- ``order_total``: sum(line totals) + sum(adjustments) — the only way an order's total is made.
- ``line_nets``: what each line costs after its adjustments: the adjustments linked to a line, then the
  order-level ones spread over the lines in proportion to their totals (largest remainder), so that
  sum(line_nets) == order_total to the cent.
- ``unit_shares``: a line's net split over its units (the first units take the odd cents); refunding
  units k..k+n gives back sum(shares[k:k+n]), so refunding every unit gives back exactly the net and
  never more.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

CENT = Decimal("0.01")
K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Adjustment:
    amount: Decimal  # signed
    line: Any = None  # the key of the line it belongs to, or None for the whole order


def _cents(d: Decimal) -> int:
    return int((d / CENT).to_integral_value())


def _money(c: int) -> Decimal:
    return (Decimal(c) * CENT).quantize(CENT)


def order_total(*, lines: Mapping[Any, Decimal], adjustments: Sequence[Adjustment]) -> Decimal:
    """The order's total: the lines' totals plus every adjustment (signed)."""
    return _money(sum(_cents(v) for v in lines.values()) + sum(_cents(a.amount) for a in adjustments))


def line_nets(*, lines: Mapping[K, Decimal], adjustments: Sequence[Adjustment]) -> dict[K, Decimal]:
    """Each line's share of the total (see the module docstring); sums to order_total exactly."""
    nets = {k: _cents(v) for k, v in lines.items()}
    spread = 0
    for a in adjustments:
        if a.line is None:
            spread += _cents(a.amount)
        else:
            nets[a.line] += _cents(a.amount)
    if spread and nets:
        base = {k: max(_cents(lines[k]), 0) for k in nets}
        weight = sum(base.values())
        keys = list(nets)
        if weight == 0:
            base = {k: 1 for k in keys}
            weight = len(keys)
        parts = {k: spread * base[k] // weight if spread >= 0 else -((-spread) * base[k] // weight) for k in keys}
        left = spread - sum(parts.values())
        step = 1 if left > 0 else -1
        # the odd cents go to the biggest lines first (a stable, documented order)
        for k in sorted(keys, key=lambda k: (-base[k], keys.index(k)))[:abs(left)]:
            parts[k] += step
        for k in keys:
            nets[k] += parts[k]
    return {k: _money(v) for k, v in nets.items()}


def unit_shares(*, net: Decimal, quantity: int) -> list[Decimal]:
    """The line's net split over its units; sum(shares) == net."""
    if quantity <= 0:
        return []
    c = _cents(net)
    base, odd = divmod(c, quantity)
    return [_money(base + (1 if i < odd else 0)) for i in range(quantity)]


def units_refund_amount(*, net: Decimal, quantity: int, already: int, n: int) -> Decimal:
    """What refunding `n` more units of a line gives back when `already` were refunded before."""
    if already < 0 or n < 0 or already + n > quantity:
        raise ValueError(f"cannot refund {n} of {quantity} units after {already}")
    return sum(unit_shares(net=net, quantity=quantity)[already:already + n], Decimal("0.00"))
