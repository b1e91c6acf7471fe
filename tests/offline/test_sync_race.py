"""Counters coming back online at the same moment, syncing the same vouchers from real threads against
PostgreSQL: each voucher is redeemed once, by the earliest device time, and every other device's redemption
is exactly one conflict."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from o2o.vouchers.models import OfflineRedemption, RedemptionConflict, Voucher
from o2o.vouchers.offline import vouchers_sync_offline
from tests.web import builders

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_four_counters_sync_the_same_vouchers_at_once(postgres_only):
    w = builders.world()
    clerks = [w["clerk"]] + [builders.clerk(w["merchant"], [w["store"]], f"Clerk {i}") for i in range(3)]
    order = builders.buy(w["customer"], w["deal"], 5)
    vouchers = list(order.vouchers.all())
    Voucher.objects.filter(order=order).update(created_at=timezone.now() - timedelta(hours=1))
    base = timezone.now() - timedelta(minutes=30)
    barrier = threading.Barrier(len(clerks))
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            items = [{"qr_payload": v.qr_payload, "redeemed_at": (base + timedelta(seconds=i)).isoformat()}
                     for v in vouchers]
            barrier.wait(timeout=10)
            vouchers_sync_offline(actor=clerks[i], store_id=w["store"].pk, device_id=f"device-{i:04d}",
                                  device_name=f"Counter {i}", items=items)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clerks))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    for v in vouchers:
        v.refresh_from_db()
        assert v.status == "redeemed"
        assert v.redeemed_at == base  # device 0 was first by its clock, whatever order the syncs ran in
        assert OfflineRedemption.objects.filter(voucher=v, outcome="redeemed").count() == 1
        assert OfflineRedemption.objects.get(voucher=v, outcome="redeemed").device_id == "device-0000"
        conflicts = RedemptionConflict.objects.filter(voucher=v)
        assert sorted(c.second_device_id for c in conflicts) == ["device-0001", "device-0002", "device-0003"]
        assert {c.first_device_id for c in conflicts} == {"device-0000"}
