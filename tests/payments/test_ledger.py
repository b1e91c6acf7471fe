"""Payments as their own app: several payments per order (deposit then balance, milestones), the ledger
(captures, refunds, escrow holds and releases) that always balances with the order's paid and refunded
amounts, refunds capped per line and by what was paid, and gateway calls outside transactions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from o2o.core.errors import Invalid
from o2o.core.money import Money
from o2o.orders.checkout import AdjustmentIn
from o2o.orders.errors import AlreadyPaid
from o2o.orders.models import Order
from o2o.orders.services import order_create
from o2o.payments.books import books_problems
from o2o.payments.enums import PaymentStatus, RefundStatus
from o2o.payments.ledger import escrow_hold, escrow_release, ledger_sums, refund_send
from o2o.payments.models import Payment, Refund, SandboxCharge
from o2o.payments.providers import get_provider
from o2o.payments.services import order_pay, order_refund, payment_complete, payments_reconcile
from tests.web import builders

pytestmark = pytest.mark.django_db
CARD = {"card_number": builders.GOOD_CARD}


@pytest.fixture
def shop():  # type: ignore[no-untyped-def]
    owner = builders.user("Owner")
    merchant, store = builders.merchant_with_store(owner)
    deal = builders.deal(merchant, owner, [store], price="99.00", quantity=50, limit=0)
    return {"owner": owner, "merchant": merchant, "store": store, "deal": deal, "customer": builders.user("Buyer")}


def _order(shop, qty: int = 2, **kw):  # type: ignore[no-untyped-def]
    return order_create(customer=shop["customer"], lines=[{"offering_id": str(shop["deal"].pk), "quantity": qty}], **kw)


def _pay(shop, order, **kw):  # type: ignore[no-untyped-def]
    return order_pay(customer=shop["customer"], order_id=order.pk, provider="sandbox", details=CARD, **kw)


def _balanced(order: Order) -> None:
    order.refresh_from_db()
    sums = ledger_sums(order_id=order.pk)
    assert order.paid_amount == sums.captured - sums.refunded
    assert books_problems() == []


def test_deposit_then_balance_keeps_both_payments_and_issues_vouchers_once(shop) -> None:  # type: ignore[no-untyped-def]
    order = _order(shop)
    assert order.store_id == shop["store"].pk and order.fulfilment == "voucher"
    _pay(shop, order, purpose="deposit", amount="50.00")
    order.refresh_from_db()
    assert order.status == "paid" and order.fulfilment_status == "issued" and order.paid_amount == Decimal("50.00")
    assert order.vouchers.count() == 2
    _pay(shop, order, purpose="balance")  # the rest: 148.00
    order.refresh_from_db()
    assert order.paid_amount == order.total_amount == Decimal("198.00")
    assert sorted(Payment.objects.filter(order=order).values_list("purpose", "status", "amount")) == [
        ("balance", "succeeded", Decimal("148.00")), ("deposit", "succeeded", Decimal("50.00"))]
    assert not Refund.objects.filter(payment__order=order).exists()  # the planned second payment is kept
    assert order.vouchers.count() == 2
    with pytest.raises(AlreadyPaid):
        _pay(shop, order, purpose="balance")  # nothing is due any more
    _balanced(order)


def test_a_planned_second_payment_in_flight_is_kept_but_a_duplicate_full_one_goes_back(shop) -> None:  # type: ignore[no-untyped-def]
    gateway = get_provider("sandbox")
    # milestones: two planned payments whose answers arrive after the order is paid -> both kept
    order = _order(shop)
    _pay(shop, order, purpose="milestone", amount="100.00", reference="m1")
    second = Payment.objects.create(order=order, provider="sandbox", currency="CNY", amount=Decimal("98.00"),
                                    status=PaymentStatus.PENDING, purpose="milestone", reference="m2")
    result = gateway.charge(amount=second.money, details=CARD, merchant_reference=str(second.pk))
    payment_complete(payment_id=second.pk, result=result)
    second.refresh_from_db()
    assert second.status == "succeeded" and not second.refunds.exists()
    _balanced(order)
    # two full payments racing: the one that loses is refunded whole
    other = _order(shop)
    racing = Payment.objects.create(order=other, provider="sandbox", currency="CNY", amount=other.total_amount,
                                    status=PaymentStatus.PENDING)
    charged = gateway.charge(amount=racing.money, details=CARD, merchant_reference=str(racing.pk))
    Payment.objects.filter(pk=racing.pk).update(created_at=racing.created_at.replace(year=2000))  # not "in progress"
    _pay(shop, other)
    with pytest.raises(AlreadyPaid):
        payment_complete(payment_id=racing.pk, result=charged)
    racing.refresh_from_db()
    assert racing.status == "refunded" and racing.refunds.get().returned
    other.refresh_from_db()
    assert other.paid_amount == other.total_amount and other.refunded_amount == 0  # the order's refunds: none
    _balanced(other)


def test_refunds_come_from_the_latest_payment_first_and_never_exceed_what_was_paid(shop) -> None:  # type: ignore[no-untyped-def]
    order = _order(shop)
    _pay(shop, order, purpose="deposit", amount="50.00")
    v1, v2 = order.vouchers.order_by("created_at", "code")
    order_refund(customer=shop["customer"], order_id=order.pk, voucher_ids=[str(v1.pk)])
    order.refresh_from_db()
    # one unit costs 99.00, but only 50.00 was paid: 50.00 back, nothing is due for it any more
    assert order.refunded_amount == Decimal("50.00") and order.paid_amount == 0
    line = order.lines.get()
    assert line.refunded_amount == Decimal("50.00") and line.refunded_quantity == 1
    _balanced(order)
    # now deposit + balance, refund one by one: 99 from the balance, then 49 + 50 from both
    order = _order(shop)
    _pay(shop, order, purpose="deposit", amount="50.00")
    _pay(shop, order, purpose="balance")
    v1, v2 = order.vouchers.order_by("created_at", "code")
    order_refund(customer=shop["customer"], order_id=order.pk, voucher_ids=[str(v2.pk)])
    balance = Payment.objects.get(order=order, purpose="balance")
    assert balance.refunded_amount == Decimal("99.00")
    order_refund(customer=shop["customer"], order_id=order.pk)
    order.refresh_from_db()
    assert order.status == "refunded" and order.refunded_amount == order.total_amount and order.paid_amount == 0
    assert set(Payment.objects.filter(order=order).values_list("status", flat=True)) == {"refunded"}
    _balanced(order)


def test_adjustment_lines_make_the_total_and_are_refunded_with_their_line(shop) -> None:  # type: ignore[no-untyped-def]
    deal = shop["deal"]
    order = _order(shop, qty=3, adjustments=[
        AdjustmentIn(kind="coupon", amount=Money(Decimal("-20.00"), "CNY"), label="New customer", offering_id=deal.pk),
        AdjustmentIn(kind="delivery_fee", amount=Money(Decimal("6.00"), "CNY")),
        AdjustmentIn(kind="rounding", amount=Money(Decimal("-0.01"), "CNY"))])
    assert order.total_amount == Decimal("297.00") - Decimal("20.00") + Decimal("6.00") - Decimal("0.01")
    assert order.adjustments.count() == 3
    _pay(shop, order)
    ids = [str(v.pk) for v in order.vouchers.order_by("created_at", "code")]
    for vid in (ids[1], ids[0], ids[2]):  # any order
        order_refund(customer=shop["customer"], order_id=order.pk, voucher_ids=[vid])
    order.refresh_from_db()
    assert order.refunded_amount == order.total_amount  # all units back: exactly what was paid, not 297.00
    _balanced(order)
    with pytest.raises(Invalid):
        _order(shop, qty=1, adjustments=[AdjustmentIn(kind="coupon", amount=Money(Decimal("-100.00"), "CNY"),
                                                      offering_id=deal.pk)])
    with pytest.raises(Invalid):
        _order(shop, qty=1, adjustments=[AdjustmentIn(kind="bribe", amount=Money(Decimal("1.00"), "CNY"))])


def test_a_refund_whose_gateway_answer_was_lost_is_sent_once_by_the_reconciler(shop, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    order = _order(shop)
    _pay(shop, order)
    gateway = get_provider("sandbox")
    real = type(gateway).refund

    def lost(self, **kw):  # type: ignore[no-untyped-def]
        real(self, **kw)  # the gateway pays ...
        raise ConnectionError("... and the answer is lost")

    monkeypatch.setattr(type(gateway), "refund", lost)
    order_refund(customer=shop["customer"], order_id=order.pk)  # booked; the send failed and is logged
    refund = Refund.objects.get(payment__order=order)
    assert refund.status == RefundStatus.PENDING
    assert any("booked but not sent" in p for p in books_problems())
    monkeypatch.setattr(type(gateway), "refund", real)
    assert payments_reconcile(older_than=__import__("datetime").timedelta(0))["refunds_sent"] == 1
    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED
    charge = SandboxCharge.objects.get(merchant_reference=str(refund.payment_id))
    assert charge.refunded == order.total_amount  # paid back once, not twice
    refund_send(refund_id=refund.pk)  # repeating is harmless
    _balanced(order)


@given(steps=st.lists(st.tuples(st.sampled_from(["hold", "release", "refund"]), st.integers(1, 12000)),
                      max_size=8))
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_escrow_holds_releases_and_refunds_in_any_order_keep_the_ledger_balanced(shop, steps) -> None:  # type: ignore[no-untyped-def]
    order = _order(shop, qty=1)
    _pay(shop, order)
    payment = Payment.objects.get(order=order)
    model = {"held": Decimal(0), "refunded": Decimal(0)}
    for kind, c in steps:
        amount = Money(Decimal(c) / 100, "CNY")
        kept = payment.amount - model["refunded"]
        try:
            if kind == "hold":
                escrow_hold(payment_id=payment.pk, amount=amount)
                model["held"] += amount.amount
            elif kind == "release":
                escrow_release(payment_id=payment.pk, amount=amount)
                model["held"] -= amount.amount
            else:
                from django.db import transaction

                from o2o.payments.ledger import refund_book
                with transaction.atomic():
                    r = refund_book(payment=payment, amount=amount.amount)
                refund_send(refund_id=r.pk)
                model["refunded"] += amount.amount
        except Invalid:
            pass  # refused, and nothing changed (checked below)
        sums = ledger_sums(payment_id=payment.pk)
        assert sums.in_escrow == model["held"] and sums.refunded == model["refunded"]
        assert 0 <= sums.in_escrow <= sums.paid <= kept or sums.paid == kept - (sums.refunded - model["refunded"])
        order.refresh_from_db()
        assert order.paid_amount == sums.captured - sums.refunded
    assert [p for p in books_problems() if str(order.number) in p or str(payment.pk) in p] == []


def test_check_books_names_an_order_whose_paid_amount_the_ledger_does_not_explain(shop) -> None:  # type: ignore[no-untyped-def]
    order = _order(shop)
    _pay(shop, order)
    assert books_problems() == []
    Order.objects.filter(pk=order.pk).update(paid_amount=Decimal("1.00"))
    assert any(f"order {order.number}: paid 1.00 but the ledger says" in p for p in books_problems())
    Order.objects.filter(pk=order.pk).update(paid_amount=order.total_amount)
    payment = Payment.objects.get(order=order)
    escrow_hold(payment_id=payment.pk, amount=Money(Decimal("50.00"), "CNY"))
    escrow_release(payment_id=payment.pk, amount=Money(Decimal("20.00"), "CNY"))
    assert ledger_sums(order_id=order.pk).in_escrow == Decimal("30.00")
    with pytest.raises(Invalid):
        escrow_release(payment_id=payment.pk, amount=Money(Decimal("30.01"), "CNY"))
    from o2o.payments.models import LedgerEntry
    LedgerEntry.objects.filter(payment=payment, kind="hold").update(amount=Decimal("500.00"))
    assert any(f"payment {payment.pk}: escrow holds" in p for p in books_problems())
