from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet, Sum
from django.utils import timezone

from o2o.core.errors import NotFound
from o2o.merchants.access import as_uuid, merchant_for_staff
from o2o.orders.enums import OrderStatus
from o2o.orders.models import Order, OrderLine
from o2o.vouchers.enums import VoucherStatus
from o2o.vouchers.models import Voucher

MAX_QTY = 100  # units of one offering in one order (services refuse more)


def _with_related(qs: QuerySet[Order]) -> QuerySet[Order]:
    return qs.select_related("merchant").prefetch_related("lines", "vouchers__redeemed_store", "payments")


def order_for_customer(*, user: Any, order_id: Any) -> Order:
    """The customer's own order; anyone else's answers NotFound."""
    if not getattr(user, "is_authenticated", False):
        raise NotFound()
    order = _with_related(Order.objects.filter(pk=as_uuid(order_id), customer=user)).first()
    if order is None:
        raise NotFound()
    return order


def orders_of_customer(*, user: Any) -> QuerySet[Order]:
    return _with_related(Order.objects.filter(customer=user)).order_by("-created_at")


def orders_of_merchant(*, user: Any, merchant_id: Any) -> QuerySet[Order]:
    merchant, _m = merchant_for_staff(user=user, merchant_id=merchant_id, manage=True)
    return _with_related(Order.objects.filter(merchant=merchant)).select_related("customer").order_by("-created_at")


def units_held(*, customer: Any, offering_id: Any, now: datetime | None = None) -> int:
    """The units of an offering that count against its per-customer limit: the customer's vouchers
    (issued or redeemed) and the units reserved by their orders still awaiting payment."""
    now = now or timezone.now()
    reserved = OrderLine.objects.filter(
        order__customer=customer, offering_id=offering_id,
        order__status=OrderStatus.AWAITING_PAYMENT, order__expires_at__gt=now,
    ).aggregate(n=Sum("quantity"))["n"] or 0
    owned = Voucher.objects.filter(
        customer=customer, offering_id=offering_id, status__in=[VoucherStatus.ISSUED, VoucherStatus.REDEEMED]
    ).count()
    return int(reserved) + owned


@dataclass(frozen=True)
class PurchaseRoom:
    """How many units of an offering someone may still buy, and why not more.

    reason: "ok", "sold_out" (nothing left of the offering) or "limit_reached" (the per-customer
    limit is used up by what they hold)."""

    can_buy: int
    left: int
    limit: int
    held: int
    reason: str


def purchase_room(*, customer: Any, offering: Any, now: datetime | None = None) -> PurchaseRoom:
    """What order_create would accept now for this customer (anonymous: as a new customer)."""
    left = max(0, int(offering.quantity_left))
    limit = int(offering.per_customer_limit or 0)
    held = 0
    if limit and getattr(customer, "is_authenticated", False):
        held = units_held(customer=customer, offering_id=offering.pk, now=now)
    room = min(left, MAX_QTY)
    if limit:
        room = min(room, max(0, limit - held))
    if left == 0:
        reason = "sold_out"
    elif room == 0:
        reason = "limit_reached"
    else:
        reason = "ok"
    return PurchaseRoom(can_buy=room, left=left, limit=limit, held=held, reason=reason)
