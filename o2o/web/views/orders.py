"""The customer's orders: the list with its tabs (All, To pay, To use, To review, Refunds) and one order
with its vouchers. Both show voucher codes and QR codes, so both answer ``Cache-Control: no-store``.

What an order reads as ("To use · 2 left", "Used · to review", ...) comes from one function,
o2o.orders.selectors.order_display_state; voucher numbers from vouchers_of_order (fixed order)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from o2o.catalogue.models import Offering
from o2o.orders.enums import OrderStatus
from o2o.orders.selectors import (
    ORDER_TABS,
    order_display_state,
    order_for_customer,
    orders_of_customer,
    vouchers_of_order,
)
from o2o.reviews.models import Review
from o2o.web.forms import ReviewForm
from o2o.web.views.common import domain_pages
from o2o.web.views.delivery import delivery_ctx
from o2o.web.views.nostore import no_store
from o2o.web.views.ordering_customer import progress_ctx

TAB_LABELS = {"all": _("All"), "to_pay": _("To pay"), "to_use": _("To use"), "to_review": _("To review"),
              "refunded": _("Refunds")}
LIST_LIMIT = 100


def _line_offerings() -> Prefetch:
    return Prefetch("lines__offering", queryset=Offering.objects.prefetch_related("photos", "redeemable_stores"))


def _card(order: Any, now: Any) -> dict[str, Any]:
    lines = list(order.lines.all())
    offering = lines[0].offering if lines else None
    photos = list(offering.photos.all()) if offering else []
    stores = [s for s in offering.redeemable_stores.all() if s.is_active] if offering else []
    vouchers = vouchers_of_order(order=order)
    return {
        "order": order, "lines": lines, "photo": photos[0] if photos else None,
        "store": stores[0] if len(stores) == 1 else None, "store_count": len(stores),
        "display": order_display_state(order=order, reviewed=order.reviewed, now=now),
        "ready": [(i, v) for i, v in enumerate(vouchers, 1) if v.display_status == "issued"],
        "voucher_count": len(vouchers),
    }


@login_required
@no_store
def orders(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    rows = (orders_of_customer(user=request.user).prefetch_related(_line_offerings())
            .annotate(reviewed=Exists(Review.objects.filter(order=OuterRef("pk")))))[:LIST_LIMIT]
    cards = [_card(o, now) for o in rows]
    tab = request.GET.get("tab") or "all"
    tab = tab if tab in ORDER_TABS else "all"
    tabs = [{"key": key, "label": TAB_LABELS[key], "count": sum(key in c["display"].tabs for c in cards)}
            for key in ORDER_TABS]
    shown = [c for c in cards if tab in c["display"].tabs]
    return render(request, "web/customer/orders.html", {"cards": shown, "tabs": tabs, "tab": tab,
                                                        "any_orders": bool(cards)})


def _status_signature(vouchers: list[Any]) -> str:
    return ",".join(f"{v.pk}:{v.display_status}" for v in vouchers)


@login_required
@no_store
@domain_pages
def order_detail(request: HttpRequest, order_id: Any) -> HttpResponse:
    order = order_for_customer(user=request.user, order_id=order_id)
    now = timezone.now()
    # A pickup or table order shows what was ordered and where it is (web/views/ordering_customer.py);
    # a table's order to pay at the counter has nothing to pay here.
    ticket = getattr(order, "ticket", None) if order.fulfilment in ("pickup", "dine_in") else None
    if (order.status == OrderStatus.AWAITING_PAYMENT and order.expires_at > now
            and not (ticket is not None and ticket.pay_at_counter)):
        return redirect("web:order_pay", order_id=order.pk)
    # Numbered in issue order, which never changes: "voucher 1 of 2" stays the same code after any use.
    # Shown ready ones first (the customer at the counter needs a QR at the top), each keeping its number.
    vouchers = vouchers_of_order(order=order)
    numbered = sorted(enumerate(vouchers, 1), key=lambda nv: (nv[1].display_status != "issued", nv[0]))
    review = Review.objects.filter(order=order).first()
    any_redeemed = any(v.status == "redeemed" for v in vouchers)
    refundable = [v for v in vouchers if v.display_status == "issued"]
    return render(request, "web/customer/order.html", {
        "order": order, "vouchers": vouchers, "numbered": numbered, "review": review, "can_review": any_redeemed and not review,
        "review_form": ReviewForm(), "refundable": refundable, "poll": bool(refundable),
        "signature": _status_signature(vouchers), "lines": list(order.lines.all()),
        "display": order_display_state(order=order, reviewed=review is not None, now=now),
        "food": progress_ctx(order, ticket) if ticket is not None else None,
        "delivery": delivery_ctx(order) if order.fulfilment == "delivery" else None,
    })


@login_required
@no_store
@domain_pages
def order_status(request: HttpRequest, order_id: Any) -> HttpResponse:
    """Polled by the order page: 204 while nothing changed, else tell htmx to reload the page."""
    order = order_for_customer(user=request.user, order_id=order_id)
    if _status_signature(vouchers_of_order(order=order)) == request.GET.get("sig", ""):
        return HttpResponse(status=204)
    response = HttpResponse(status=200)
    response["HX-Refresh"] = "true"
    return response
