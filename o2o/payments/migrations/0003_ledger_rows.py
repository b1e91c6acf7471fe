"""Existing payments in the ledger: a capture for every payment the gateway took, a refund entry for
every refund (a payment given back whole without a Refund row — a duplicate, a charge after expiry —
gets one), and every order's paid amount = captures - refunds."""

from collections import defaultdict
from decimal import Decimal

from django.db import migrations

TAKEN = ("succeeded", "partially_refunded", "refunded")


def forward(apps, schema_editor):
    Payment = apps.get_model("payments", "Payment")
    Refund = apps.get_model("payments", "Refund")
    LedgerEntry = apps.get_model("payments", "LedgerEntry")
    Order = apps.get_model("orders", "Order")
    refunds = defaultdict(list)
    for r in Refund.objects.order_by("created_at", "id"):
        refunds[r.payment_id].append(r)
    entries = []
    paid = defaultdict(Decimal)
    for p in Payment.objects.all():
        late = p.status == "declined" and p.refunded_amount > 0  # charged after we had given it up
        if p.status not in TAKEN and not late:
            continue
        entries.append(LedgerEntry(order_id=p.order_id, payment_id=p.pk, kind="capture", amount=p.amount,
                                   currency=p.currency, memo="migrated", created_at=p.created_at,
                                   updated_at=p.updated_at))
        paid[p.order_id] += p.amount
        booked = Decimal("0.00")
        for r in refunds[p.pk]:
            entries.append(LedgerEntry(order_id=p.order_id, payment_id=p.pk, refund_id=r.pk, kind="refund",
                                       amount=r.amount, currency=r.currency, memo="migrated",
                                       created_at=r.created_at, updated_at=r.updated_at))
            booked += r.amount
        missing = p.refunded_amount - booked
        if missing > 0:
            r = Refund.objects.create(payment_id=p.pk, currency=p.currency, amount=missing, status="succeeded",
                                      provider_ref="", voucher_ids=[], returned=True)
            Refund.objects.filter(pk=r.pk).update(created_at=p.updated_at)
            entries.append(LedgerEntry(order_id=p.order_id, payment_id=p.pk, refund_id=r.pk, kind="refund",
                                       amount=missing, currency=p.currency, memo="migrated (given back)",
                                       created_at=p.updated_at, updated_at=p.updated_at))
        paid[p.order_id] -= p.refunded_amount
    LedgerEntry.objects.bulk_create(entries, batch_size=500)
    orders = list(Order.objects.filter(pk__in=list(paid)))
    for o in orders:
        o.paid_amount = paid[o.pk]
    Order.objects.bulk_update(orders, ["paid_amount"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("payments", "0002_ledger")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
