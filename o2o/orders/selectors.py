from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from o2o.core.errors import NotFound
from o2o.merchants.access import as_uuid, merchant_for_staff
from o2o.orders.checkout import MAX_QTY, units_held
from o2o.orders.enums import OrderStatus
from o2o.orders.models import Order


def _with_related(qs: QuerySet[Order]) -> QuerySet[Order]:
    return qs.select_related("merchant").prefetch_related("lines", "vouchers__redeemed_store", "payments",
                                                              "adjustments__line")


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


# --- how an order reads to its customer (the orders list's tabs, the badge on each order) ---

def vouchers_of_order(*, order: Order) -> list[Any]:
    """The order's vouchers in a fixed order: by issue time, then code; both never change, so "voucher 1
    of 2" names the same code after any redemption or refund (and the same one as GET /orders/{id})."""
    return sorted(order.vouchers.all(), key=lambda v: (v.created_at, v.code))


@dataclass(frozen=True)
class OrderDisplay:
    """What the customer sees of an order: one state, the voucher counts and the list tabs it belongs to."""

    state: str
    label: str
    ready: int = 0
    used: int = 0
    refunded: int = 0
    expired: int = 0
    tabs: frozenset[str] = field(default_factory=frozenset)


ORDER_TABS = ("all", "to_pay", "to_use", "to_review", "refunded")


def order_display_state(*, order: Order, reviewed: bool, now: datetime | None = None) -> OrderDisplay:
    """The one place that turns an order, its vouchers and its review into what the customer reads.

    awaiting payment -> "to_pay" (or "unpaid" once the hold ran out); then by the vouchers: any ready
    -> "to_use"; else any used -> "to_review" or "completed" (reviewed); else all refunded ->
    "refunded"; else some refunded, the rest expired -> "partially_refunded"; else "expired".
    Tabs: to_use while a voucher is ready, to_review while a used order has no review, refunded once
    any voucher was refunded. When orders gain fulfilment states, this is the function that reads them.
    """
    now = now or timezone.now()
    status = order.status
    if status == OrderStatus.AWAITING_PAYMENT:
        if order.expires_at > now:
            return OrderDisplay("to_pay", str(_("Awaiting payment")), tabs=frozenset({"all", "to_pay"}))
        return OrderDisplay("unpaid", str(OrderStatus.EXPIRED.label), tabs=frozenset({"all"}))
    if status in (OrderStatus.EXPIRED, OrderStatus.CANCELLED):
        return OrderDisplay("unpaid", str(OrderStatus(status).label), tabs=frozenset({"all"}))
    states = [v.display_status for v in order.vouchers.all()]
    ready, used = states.count("issued"), states.count("redeemed")
    refunded, expired = states.count("refunded"), states.count("expired")
    counts = {"ready": ready, "used": used, "refunded": refunded, "expired": expired}
    tabs = {"all"} | ({"to_use"} if ready else set()) | ({"to_review"} if used and not reviewed else set())
    tabs |= {"refunded"} if refunded or status == OrderStatus.REFUNDED else set()
    if ready:
        state, label = "to_use", ngettext("To use · %(n)d left", "To use · %(n)d left", ready) % {"n": ready}
    elif used:
        state, label = ("completed", _("Completed")) if reviewed else ("to_review", _("Used · to review"))
    elif refunded and not expired:
        state, label = "refunded", _("Refunded")
    elif refunded:
        state, label = "partially_refunded", _("Partly refunded")
    elif expired:
        state, label = "expired", _("Expired unused")
    else:  # a paid order without vouchers: say what the order itself says
        state, label = status, str(OrderStatus(status).label) if status in OrderStatus.values else status
    return OrderDisplay(state, str(label), tabs=frozenset(tabs), **counts)



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
        held = units_held(customer=customer, offering_id=offering.pk, now=now or timezone.now())
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
