"""The `voucher` fulfilment: a paid order's units become signed vouchers (today's group-buy deals).

Registered with orders.fulfilment when the vouchers app is ready; orders never import this module.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from django.db.models import Count, Q

from o2o.merchants.access import as_uuid
from o2o.orders.enums import PAID_STATUSES
from o2o.orders.fulfilment import RefundedUnit
from o2o.orders.services import order_fulfilment_move
from o2o.vouchers.enums import VoucherStatus
from o2o.vouchers.models import Voucher
from o2o.vouchers.services import vouchers_issue, vouchers_refund

LIVE = [VoucherStatus.ISSUED, VoucherStatus.REDEEMED]


class VoucherFulfilment:
    kind = "voucher"

    def on_paid(self, *, order: Any) -> None:
        vouchers_issue(order=order)
        if order.fulfilment_status == "pending":
            order_fulfilment_move(order=order, to="issued", reason="vouchers issued")

    def units_owned(self, *, customer: Any, offering_id: UUID) -> int:
        return Voucher.objects.filter(customer=customer, offering_id=offering_id, status__in=LIVE).count()

    def refund_units(self, *, order: Any, unit_ids: Sequence[Any] | None, actor: Any) -> list[RefundedUnit]:
        candidates = Voucher.objects.filter(order=order, status=VoucherStatus.ISSUED).select_related("order_line")
        if unit_ids is not None:
            candidates = candidates.filter(pk__in=[as_uuid(v) for v in unit_ids])
        refunded = vouchers_refund(vouchers=list(candidates), actor=actor)
        return [RefundedUnit(unit_id=v.pk, offering_id=v.offering_id, unit_price=v.order_line.unit_price,
                             line_id=v.order_line_id)
                for v in refunded]

    def units_left(self, *, order: Any) -> bool:
        return Voucher.objects.filter(order=order).filter(~Q(status=VoucherStatus.REFUNDED)).exists()

    def live_units_by_offering(self) -> Counter[UUID]:
        return Counter({row["offering_id"]: row["n"] for row in
                        Voucher.objects.filter(status__in=LIVE).values("offering_id").annotate(n=Count("id"))})

    def units_of_order(self, *, order: Any) -> int:
        return Voucher.objects.filter(order=order).count()

    def orphans(self) -> int:
        return Voucher.objects.filter(~Q(order__status__in=PAID_STATUSES)).count()
