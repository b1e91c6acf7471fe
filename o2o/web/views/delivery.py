"""The customer's side of a delivery order on the order page: where it is (kitchen, courier on the way,
delivered, failed), the ETA, the courier's last position on the offline map, and the code to show the
courier. Polled with htmx every 5 s until the delivery ends: the courier's position and the ETA are
swapped in; the poll that sees a new status reloads the page (its header badge, the review form). The ETA is the last dispatch round's, else (picked up, no round yet)
the ride from the courier's last position, else the one quoted at checkout."""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from o2o.delivery.enums import CARRIED
from o2o.delivery.geo import HANDOVER_S, haversine_m, travel_seconds
from o2o.delivery.models import Delivery
from o2o.orders.selectors import order_for_customer
from o2o.web.views.common import domain_pages
from o2o.web.views.nostore import no_store

FINAL = ("delivered", "returned", "cancelled")
SHOW_CODE = ("open", "assigned", "picked_up", "failed")


def _carries_others(d: Any) -> bool:
    return bool(Delivery.objects.filter(courier_id=d.courier_id, status__in=CARRIED).exclude(pk=d.pk).exists())


def delivery_ctx(order: Any) -> dict[str, Any] | None:
    try:
        d = order.delivery
    except ObjectDoesNotExist:
        return None
    kitchen = order.fulfilment_status
    on_way = d.status in ("picked_up", "failed", "delivered")
    steps = [
        {"label": _("Paid"), "done": d.status != "pending"},
        {"label": _("Being prepared"), "done": on_way or kitchen == "ready",
         "now": not on_way and kitchen in ("accepted", "preparing")},
        {"label": _("On the way"), "done": d.status == "delivered", "now": d.status in ("picked_up", "failed")},
        {"label": _("Delivered"), "done": d.status == "delivered"},
    ]
    courier = d.courier if d.status in ("assigned", "picked_up", "failed") else None
    now = timezone.now()
    away = None
    if courier is not None and courier.lat is not None:
        away = haversine_m(courier.lat, courier.lng, d.lat, d.lng)
    eta = d.eta_dropoff or d.promised_at
    if d.status == "picked_up" and away is not None and courier is not None and (
            d.eta_dropoff is None or not _carries_others(d)):
        # on its way to this door only (or no dispatch round priced the ride yet): the ride from where
        # the courier was last seen, as a quote rides; with other doors first, the round's ETA stands
        eta = max(now, courier.position_at or now) + timedelta(seconds=travel_seconds(away) + HANDOVER_S)
    minutes = max(0, math.ceil((eta - now).total_seconds() / 60)) if eta is not None else None
    return {
        "d": d, "steps": steps, "eta": eta, "eta_minutes": minutes, "courier": courier, "poll": d.status not in FINAL,
        "away_km": (Decimal(round(away)) / 1000).quantize(Decimal("0.1")) if away is not None and d.status == "picked_up" else None,
        "show_code": d.status in SHOW_CODE and bool(d.delivery_code),
        "map_data": {"store": [d.store.lat, d.store.lng], "dropoff": [d.lat, d.lng],
                     "courier": [courier.lat, courier.lng] if courier is not None and courier.lat is not None else None,
                     "route": d.status not in FINAL,
                     "labels": {"store": d.store.name, "dropoff": _("You"), "courier": _("Courier")}},
    }


@require_GET
@no_store
@domain_pages
def order_delivery(request: HttpRequest, order_id: Any) -> HttpResponse:
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    order = order_for_customer(user=request.user, order_id=order_id)
    ctx = delivery_ctx(order)
    if ctx is None:
        raise Http404()
    shown = request.GET.get("status")  # the status the page was drawn with
    if shown is not None and shown != ctx["d"].status:
        response = HttpResponse(status=200)  # a step further (on the way, delivered): the whole page says so
        response["HX-Refresh"] = "true"
        return response
    return render(request, "web/delivery/_order_delivery.html", {"order": order, "delivery": ctx})
