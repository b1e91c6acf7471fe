"""Reads of vouchers for the merchant console and the counter; tenancy through merchants.access."""

from __future__ import annotations

from typing import Any

from o2o.core.errors import NotFound
from o2o.merchants.access import as_uuid, merchant_for_staff
from o2o.merchants.models import Store
from o2o.orders.models import Order, OrderEvent
from o2o.vouchers.enums import VoucherStatus
from o2o.vouchers.models import Voucher, VoucherEvent
from o2o.vouchers.services import normalise_code


def _vouchers():  # type: ignore[no-untyped-def]
    return Voucher.objects.select_related("offering", "order", "customer", "redeemed_store", "redeemed_by")


def voucher_search(*, user: Any, merchant_id: Any, query: str) -> list[Voucher]:
    """Vouchers of the merchant by 12-digit code or by order number."""
    merchant, _m = merchant_for_staff(user=user, merchant_id=merchant_id, manage=True)
    text = (query or "").strip()
    if not text:
        return []
    code = normalise_code(text)
    if code:
        return list(_vouchers().filter(merchant=merchant, code=code))
    return list(_vouchers().filter(merchant=merchant, order__number__iexact=text[:20]).order_by("created_at"))


def voucher_trail(*, user: Any, merchant_id: Any, voucher_id: Any) -> tuple[Voucher, list[VoucherEvent],
                                                                            list[OrderEvent]]:
    """One voucher of the merchant with its events and its order's events (another merchant's: NotFound)."""
    merchant, _m = merchant_for_staff(user=user, merchant_id=merchant_id, manage=True)
    voucher = _vouchers().filter(merchant=merchant, pk=as_uuid(voucher_id)).first()
    if voucher is None:
        raise NotFound()
    events = list(VoucherEvent.objects.filter(voucher=voucher).select_related("actor", "store").order_by("at", "id"))
    order_events = list(OrderEvent.objects.filter(order=voucher.order).select_related("actor").order_by("at", "id"))
    return voucher, events, order_events


def order_vouchers_for_staff(*, user: Any, merchant_id: Any, order: Order) -> list[Voucher]:
    merchant_for_staff(user=user, merchant_id=merchant_id, manage=True)
    return list(_vouchers().filter(order=order))


def redemptions_at_store(*, store: Store, limit: int = 10) -> list[Voucher]:
    """The latest redemptions at a store the caller has already checked access to."""
    return list(_vouchers().filter(redeemed_store=store, status=VoucherStatus.REDEEMED)
                .order_by("-redeemed_at")[:limit])
