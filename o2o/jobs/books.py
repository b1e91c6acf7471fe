"""The jobs' escrow books, added to `manage.py check_books` (payments.books.register_books):
for every job, held = deposits + payments - releases - refunds is never negative, equals what the
payments ledger holds (holds - releases) for the job's order, every captured payment of the order is
held once, and what was released or refunded never exceeds the price."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from o2o.jobs.enums import EscrowKind
from o2o.jobs.models import EscrowEntry, Job
from o2o.payments.enums import LedgerKind, PaymentStatus
from o2o.payments.models import LedgerEntry, Payment

ZERO = Decimal("0.00")


def jobs_books_problems() -> list[str]:
    problems: list[str] = []
    per_job: dict[object, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    held_payments: dict[object, set[object]] = defaultdict(set)
    for job_id, kind, amount, payment_id in EscrowEntry.objects.values_list("job_id", "kind", "amount", "payment_id"):
        per_job[job_id][kind] += amount
        if kind in (EscrowKind.DEPOSIT, EscrowKind.PAYMENT):
            held_payments[job_id].add(payment_id)
    for job_id, order_id, price in Job.objects.values_list("pk", "order_id", "price_amount"):
        s = per_job.get(job_id, {})
        held = s.get("deposit", ZERO) + s.get("payment", ZERO) - s.get("release", ZERO) - s.get("refund", ZERO)
        if held < 0:
            problems.append(f"job {job_id}: escrow holds {held} (< 0)")
        if s.get("release", ZERO) + s.get("refund", ZERO) > price:
            problems.append(f"job {job_id}: released + refunded {s.get('release', ZERO) + s.get('refund', ZERO)} "
                            f"> price {price}")
        if order_id is None:
            if held:
                problems.append(f"job {job_id}: holds {held} without an order")
            continue
        ledger: dict[str, Decimal] = defaultdict(Decimal)
        for kind, amount in LedgerEntry.objects.filter(order_id=order_id).values_list("kind", "amount"):
            ledger[kind] += amount
        in_ledger = ledger[LedgerKind.HOLD] - ledger[LedgerKind.RELEASE]
        if in_ledger != held:
            problems.append(f"job {job_id}: escrow holds {held} but the payments ledger holds {in_ledger}")
        kept = set(Payment.objects.filter(order_id=order_id, status__in=[
            PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED])
            .values_list("pk", flat=True))
        missing = kept - held_payments.get(job_id, set())
        if missing:
            problems.append(f"job {job_id}: {len(missing)} captured payments not held in escrow "
                            "(jobs.escrow.escrow_sync holds them)")
    return problems
