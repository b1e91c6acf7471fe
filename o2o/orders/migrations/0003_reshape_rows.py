"""Existing orders in the new shape: fulfilment voucher (issued once paid), the store they are served
from (the first line's offering's first redeemable store, or none), lines snapshotted with their totals
and what was refunded of them (their refunded vouchers at the unit price)."""

from decimal import Decimal

from django.db import migrations

PAID = ("paid", "partially_refunded", "refunded")


def forward(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    OrderLine = apps.get_model("orders", "OrderLine")
    Offering = apps.get_model("catalogue", "Offering")
    Voucher = apps.get_model("vouchers", "Voucher")
    first_store = {}
    for oid, sid in Offering.redeemable_stores.through.objects.order_by("id").values_list("offering_id", "store_id"):
        first_store.setdefault(oid, sid)
    refunded_units = {}
    for line_id in Voucher.objects.filter(status="refunded").values_list("order_line_id", flat=True):
        refunded_units[line_id] = refunded_units.get(line_id, 0) + 1
    lines = list(OrderLine.objects.order_by("order_id", "created_at", "id"))
    first_offering = {}
    for ln in lines:
        first_offering.setdefault(ln.order_id, ln.offering_id)
        n = refunded_units.get(ln.pk, 0)
        ln.line_total_amount = ln.unit_price_amount * ln.quantity
        ln.refunded_quantity = n
        ln.refunded_amount = (ln.unit_price_amount * n).quantize(Decimal("0.01"))
        ln.options = []
    OrderLine.objects.bulk_update(lines, ["line_total_amount", "refunded_quantity", "refunded_amount", "options"],
                                  batch_size=500)
    orders = list(Order.objects.all())
    for o in orders:
        o.fulfilment = "voucher"
        o.fulfilment_status = "issued" if o.status in PAID else ("cancelled" if o.status == "cancelled" else "pending")
        o.store_id = first_store.get(first_offering.get(o.pk))
    Order.objects.bulk_update(orders, ["fulfilment", "fulfilment_status", "store_id"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0002_order_shape"),
        ("vouchers", "0002_offline_sync"),
        ("catalogue", "0002_stock_buckets"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
