"""The books: invariants that must hold between stock, orders, vouchers, the payments ledger and the
gateway. Used by the fault tests after a crash, and by operators (`manage.py check_books`).

Money: for every order paid_amount == captures - refunds in the ledger; a paid order has a successful
payment; every payment's refunded amount == its ledger refunds; escrow held == holds - releases is
never negative nor more than the payment kept; every successful sandbox charge is a payment we know,
and what the gateway kept equals what we think it kept (refunds booked but not yet sent are named).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from o2o.orders.books import orders_books_problems
from o2o.orders.enums import PAID_STATUSES
from o2o.orders.models import Order
from o2o.payments.enums import LedgerKind, PaymentStatus, RefundStatus
from o2o.payments.models import LedgerEntry, Payment, Refund, SandboxCharge

ZERO = Decimal("0.00")


def ledger_problems() -> list[str]:
    problems: list[str] = []
    per_order: dict[object, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    per_payment: dict[object, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for order_id, payment_id, kind, amount in LedgerEntry.objects.values_list("order_id", "payment_id", "kind",
                                                                              "amount"):
        per_order[order_id][kind] += amount
        per_payment[payment_id][kind] += amount
    for pk, number, paid, status in Order.objects.values_list("pk", "number", "paid_amount", "status"):
        sums = per_order.get(pk, {})
        ledger_paid = sums.get(LedgerKind.CAPTURE, ZERO) - sums.get(LedgerKind.REFUND, ZERO)
        if ledger_paid != paid:
            problems.append(f"order {number}: paid {paid} but the ledger says captured - refunded = {ledger_paid}")
        if status in PAID_STATUSES and not sums.get(LedgerKind.CAPTURE):
            problems.append(f"order {number}: {status} without a captured payment")
    for pk, amount, refunded, status in Payment.objects.values_list("pk", "amount", "refunded_amount", "status"):
        sums = per_payment.get(pk, {})
        captured, back = sums.get(LedgerKind.CAPTURE, ZERO), sums.get(LedgerKind.REFUND, ZERO)
        held = sums.get(LedgerKind.HOLD, ZERO) - sums.get(LedgerKind.RELEASE, ZERO)
        if status in (PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED) \
                and captured != amount:
            problems.append(f"payment {pk}: {status} for {amount} but {captured} captured in the ledger")
        if back != refunded or back > captured:
            problems.append(f"payment {pk}: refunded {refunded}, ledger refunds {back} of {captured} captured")
        if held < 0 or held > captured - back:
            problems.append(f"payment {pk}: escrow holds {held} of {captured - back} kept")
    return problems


def gateway_problems() -> list[str]:
    """Every successful sandbox charge is a payment we know, and no charge is kept for an unpaid order."""
    problems: list[str] = []
    payment_pks = {str(pk) for pk in Payment.objects.values_list("pk", flat=True)}
    unsent: dict[str, Decimal] = defaultdict(Decimal)
    for payment_id, amount in Refund.objects.filter(status=RefundStatus.PENDING).values_list("payment_id", "amount"):
        unsent[str(payment_id)] += amount
    for ch_pk, ch_ref in SandboxCharge.objects.filter(succeeded=True).values_list("pk", "reference"):
        try:
            ch = SandboxCharge.objects.get(pk=ch_pk)
            if ch.merchant_reference not in payment_pks:
                problems.append(f"charge {ch.reference} has no payment")
                continue
            p = Payment.objects.select_related("order").get(pk=ch.merchant_reference)
        except Exception as exc:  # noqa: BLE001
            problems.append(f"charge {ch_ref}: unreadable row or its payment ({type(exc).__name__}: {exc})")
            continue
        kept = ch.amount - ch.refunded
        if unsent.get(str(p.pk)):
            problems.append(f"payment {p.pk}: refunds of {unsent[str(p.pk)]} booked but not sent to the gateway "
                            "(run reconcile_payments)")
        elif p.status == PaymentStatus.PENDING:
            problems.append(f"payment {p.pk} pending although the gateway charged it (run reconcile_payments)")
        elif p.status in (PaymentStatus.DECLINED,) and kept != Decimal(0):
            problems.append(f"payment {p.pk} declined but {kept} was kept")
        elif p.status == PaymentStatus.SUCCEEDED and p.order.status not in PAID_STATUSES:
            problems.append(f"payment {p.pk} succeeded but order {p.order.number} is {p.order.status}")
        elif p.amount - p.refunded_amount != kept and p.status != PaymentStatus.DECLINED:
            problems.append(f"payment {p.pk}: we think {p.amount - p.refunded_amount} is kept, gateway {kept}")
    return problems


_EXTRA: list[Callable[[], list[str]]] = []


def register_books(check: Callable[[], list[str]]) -> None:
    """An app above payments adds its own books to check_books (jobs' escrow), from its ready()."""
    if check not in _EXTRA:
        _EXTRA.append(check)


def books_problems() -> list[str]:
    """Everything check_books reports: the orders' books, the ledger, the gateway and the registered
    books of the apps above (jobs' escrow)."""
    extra = [p for check in _EXTRA for p in check()]
    return orders_books_problems() + ledger_problems() + gateway_problems() + extra
