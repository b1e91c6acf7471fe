"""orders.totals: a total is the sum of its lines and adjustments; a refund never gives back more than
was paid for a line, whatever the units refunded and in whatever order (hypothesis)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from o2o.orders.totals import Adjustment, line_nets, order_total, unit_shares, units_refund_amount

cents = st.integers(min_value=0, max_value=10**7).map(lambda c: (Decimal(c) / 100).quantize(Decimal("0.01")))


@st.composite
def orders(draw):  # type: ignore[no-untyped-def]
    n = draw(st.integers(1, 5))
    lines = {i: (draw(cents), draw(st.integers(1, 20))) for i in range(n)}  # unit price, quantity
    totals = {i: (p * q).quantize(Decimal("0.01")) for i, (p, q) in lines.items()}
    adjustments = []
    for _ in range(draw(st.integers(0, 4))):
        line = draw(st.one_of(st.none(), st.sampled_from(list(lines))))
        base = totals[line] if line is not None else sum(totals.values())
        # a discount never larger than what it discounts (checkout refuses that), or a fee
        amount = draw(st.one_of(
            st.integers(-int(base * 100) // 4, 0).map(lambda c: Decimal(c) / 100),
            st.integers(0, 5000).map(lambda c: Decimal(c) / 100)))
        adjustments.append(Adjustment(amount=amount.quantize(Decimal("0.01")), line=line))
    return lines, totals, adjustments


@given(orders())
@settings(max_examples=200, deadline=None)
def test_total_is_the_sum_of_lines_and_adjustments_and_nets_share_it_exactly(case) -> None:  # type: ignore[no-untyped-def]
    _lines, totals, adjustments = case
    total = order_total(lines=totals, adjustments=adjustments)
    assert total == sum(totals.values(), Decimal(0)) + sum((a.amount for a in adjustments), Decimal(0))
    nets = line_nets(lines=totals, adjustments=adjustments)
    assert sum(nets.values(), Decimal(0)) == total
    assert set(nets) == set(totals)


@given(orders(), st.data())
@settings(max_examples=200, deadline=None)
def test_refunds_in_any_order_never_give_back_more_than_a_line_cost(case, data) -> None:  # type: ignore[no-untyped-def]
    lines, totals, adjustments = case
    nets = line_nets(lines=totals, adjustments=adjustments)
    for key, (_price, qty) in lines.items():
        refunded, done = Decimal(0), 0
        while done < qty:
            n = data.draw(st.integers(1, qty - done))
            part = units_refund_amount(net=nets[key], quantity=qty, already=done, n=n)
            assert part >= 0 or nets[key] < 0
            refunded += part
            done += n
            assert refunded <= max(nets[key], Decimal(0)) or nets[key] < 0
        assert refunded == nets[key]  # every unit refunded: exactly what the line cost, to the cent


def test_unit_shares_spread_the_odd_cents_and_refusing_too_many_units() -> None:
    assert unit_shares(net=Decimal("10.00"), quantity=3) == [Decimal("3.34"), Decimal("3.33"), Decimal("3.33")]
    assert sum(unit_shares(net=Decimal("10.00"), quantity=3)) == Decimal("10.00")
    import pytest

    with pytest.raises(ValueError):
        units_refund_amount(net=Decimal("10.00"), quantity=3, already=2, n=2)


def test_an_order_coupon_is_spread_over_the_lines_by_their_totals() -> None:
    nets = line_nets(lines={"a": Decimal("30.00"), "b": Decimal("70.00")},
                     adjustments=[Adjustment(amount=Decimal("-10.00")), Adjustment(Decimal("-5.00"), line="a")])
    assert nets == {"a": Decimal("22.00"), "b": Decimal("63.00")}
