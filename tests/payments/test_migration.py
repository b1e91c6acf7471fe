"""The reshaping migrations move rows made by the demo seeding (the make demo data) into the new shape:
seed, migrate back to before the change, forward again, and the books balance with the same figures
(fulfilment voucher, stores, line snapshots and refunds, ledger captures and refunds, paid amounts)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from o2o.orders.models import Order, OrderLine
from o2o.payments.books import books_problems
from o2o.payments.ledger import ledger_sums

BEFORE = [("orders", "0001_initial"), ("payments", "0001_initial")]


def _snapshot() -> dict[str, object]:
    orders = {o.pk: (o.fulfilment, o.fulfilment_status, o.store_id, o.paid_amount, o.refunded_amount,
                     ledger_sums(order_id=o.pk).captured, ledger_sums(order_id=o.pk).refunded)
              for o in Order.objects.all()}
    lines = {ln.pk: (ln.line_total_amount, ln.refunded_quantity, ln.refunded_amount) for ln in OrderLine.objects.all()}
    return {"orders": orders, "lines": lines}


@pytest.mark.django_db(transaction=True)
def test_seeded_rows_migrate_forward_into_the_new_shape(settings, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    # the demo as it was before the reshape: deals and voucher orders (pickup orders and tabs need the new
    # shape and its ordering tables, which migrating back to before it removes)
    monkeypatch.setattr("o2o.demo.seed.ordering_day", lambda *a, **k: None)
    # nor delivery orders and jobs' deposit orders (later shapes of the order still: fulfilment delivery, job)
    monkeypatch.setattr("o2o.demo.seed.DeliveryCity.city", lambda *a, **k: None)
    monkeypatch.setattr("o2o.demo.seed.seed_jobs", lambda *a, **k: {})
    call_command("seed_demo", merchants=3, seed=5, stdout=io.StringIO())
    assert books_problems() == []
    before = _snapshot()
    assert any(v[3] > 0 for v in before["orders"].values()) and any(v[4] > 0 for v in before["orders"].values())

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)  # the pre-change schema: the new columns and the ledger are gone
    with connection.cursor() as cur:
        cols = [c.name for c in connection.introspection.get_table_description(cur, "orders_order")]
    assert "fulfilment" not in cols and "paid_amount" not in cols
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    after = _snapshot()
    assert after == before
    assert {v[0] for v in after["orders"].values()} == {"voucher"}
    assert all(v[2] is not None for v in after["orders"].values())  # every demo deal has a store
    assert sum((v[3] for v in after["orders"].values()), Decimal(0)) > 0
    assert books_problems() == []
