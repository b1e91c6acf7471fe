"""Ordering for delivery on a phone: the store's menu, where to bring it (a pin on the offline map,
dropped, dragged or set from the phone's location, and the address typed for the courier), and before
paying the fee of the distance band, the minimum order and an honest ETA (delivery.zones.quote_for:
the cart's longest prep time plus the ride). Outside every zone and under the minimum are messages on
the page, not errors. Then delivery_order_create and the sandbox payment as every checkout.

The menu form is ordering_customer's (qty-<id>, opt-<id>-<n>) with `lat`, `lng` and `address`; the
quote box is fetched again (htmx) when the dishes or the pin change; js/delivery.js drives the map."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from o2o.core.errors import DomainError, Invalid
from o2o.core.money import Money
from o2o.delivery.checkout import MAX_ADDRESS, delivery_order_create
from o2o.delivery.errors import BelowMinimum, OutOfZone
from o2o.delivery.geo import stored_bands
from o2o.delivery.zones import Quote, delivery_settings, quote_for, zones_of_store
from o2o.merchants.access import public_store
from o2o.web.views.common import domain_pages, error_text
from o2o.web.views.nostore import no_store
from o2o.web.views.ordering_customer import _menu_ctx, cart_lines, cart_problem, menu_rows, place_error

SAVED_KEY = "o2o_delivery_cart"  # the form of a customer sent to log in first
KEPT_FIELDS = ("qty-", "opt-", "lat", "lng", "address")


def _delivery_store(store_id: Any) -> tuple[Any, list[Any]]:
    store = public_store(store_id)
    zones = zones_of_store(store)
    if not zones:
        raise Http404(_("This store does not deliver."))
    return store, zones


def _position(data: Any) -> tuple[float, float] | None:
    try:
        lat, lng = float(data.get("lat", "")), float(data.get("lng", ""))
    except (TypeError, ValueError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return None
    return lat, lng


def _subtotal(dishes: list[dict[str, Any]], data: Any, currency: str) -> tuple[Money, int]:
    """The dishes' sum as the form has them (options' deltas included) and their longest prep time;
    checkout prices them again, this is what the customer reads before paying."""
    total, prep = Decimal(0), 0
    lines, of_line = cart_lines(dishes, data)
    for line, d in zip(lines, of_line, strict=True):
        unit = d["o"].price_amount + sum((c["delta"].amount for g in d["groups"] for c in g["choices"] if c["checked"]),
                                         Decimal(0))
        total += unit * line["quantity"]
        prep = max(prep, d["o"].prep_minutes)
    return Money(total, currency), prep


def _km(metres: int) -> Decimal:
    """Kilometres to one decimal, a whole number without its ".0" (the bands read "up to 2 km")."""
    km = (Decimal(metres) / 1000).quantize(Decimal("0.1"))
    return km.quantize(Decimal(1)) if km == km.to_integral_value() else km


def quote_box(store: Any, zones: list[Any], data: Any, dishes: list[dict[str, Any]], currency: str) -> dict[str, Any]:
    """What the quote box says: no pin yet, out of the zone, under the minimum, or the fee and the ETA."""
    subtotal, prep = _subtotal(dishes, data, currency)
    at = _position(data)
    box: dict[str, Any] = {"subtotal": subtotal, "has_dishes": subtotal.amount > 0}
    if at is None:
        return {**box, "state": "no_pin"}
    try:
        q: Quote = quote_for(store=store, lat=at[0], lng=at[1], zones=zones,
                             prep_minutes=prep or delivery_settings(store).prep_minutes)
    except OutOfZone as exc:
        return {**box, "state": "out_of_zone", "message": error_text(exc)}
    now = timezone.now()
    bands = stored_bands(q.zone.fee_bands, q.zone.currency)
    mine = next((i for i, b in enumerate(bands) if q.distance_m <= b.up_to_m), len(bands) - 1)
    box.update(quote=q, total=subtotal + q.fee, minimum=q.minimum_order,
               eta_at=timezone.localtime(q.eta_at(now), timezone=ZoneInfo(store.timezone)),
               bands=[{"up_to_km": _km(b.up_to_m), "fee": b.fee, "mine": i == mine} for i, b in enumerate(bands)],
               distance_km=_km(q.distance_m))
    if subtotal.amount < q.minimum_order.amount:
        box.update(state="below_minimum", more=q.minimum_order - subtotal)
    else:
        box["state"] = "ok"
    return box


def map_data(store: Any, zones: list[Any], data: Any) -> dict[str, Any]:
    shapes = []
    for z in zones:
        if z.kind == "radius":
            shapes.append({"kind": "radius", "radius_m": z.radius_m})
        else:
            shapes.append({"kind": "polygon", "ring": [[lat, lng] for lng, lat in z.polygon]})
    at = _position(data)
    return {"store": [store.lat, store.lng], "zones": shapes, "pin": list(at) if at else None,
            "labels": {"store": store.name}}


def _saved(request: HttpRequest) -> dict[str, list[str]] | None:
    saved = request.session.get(SAVED_KEY)
    if isinstance(saved, dict) and saved.get("path") == request.path and isinstance(saved.get("data"), dict):
        request.session.pop(SAVED_KEY, None)
        return saved["data"]
    return None


def _as_query(saved: dict[str, list[str]] | None) -> QueryDict:
    q = QueryDict(mutable=True)
    for k, values in (saved or {}).items():
        q.setlist(k, [str(v) for v in values])
    return q


@no_store
@domain_pages
def store_delivery(request: HttpRequest, store_id: Any) -> HttpResponse:
    """Order for delivery: dishes, the pin and the address, the fee and ETA, then pay online."""
    store, zones = _delivery_store(store_id)
    data: Any = request.POST if request.method == "POST" else _as_query(_saved(request))
    sections, dishes = menu_rows(store, data)
    if not dishes:
        raise Http404(_("This store takes no orders for delivery."))
    currency = dishes[0]["o"].currency
    error = where_error = ""
    address = str(data.get("address", "")).strip()[:MAX_ADDRESS]
    refused = None
    if request.method == "POST":
        if not request.user.is_authenticated:
            request.session[SAVED_KEY] = {"path": request.path, "data": {
                k: v for k, v in request.POST.lists() if k.startswith(KEPT_FIELDS)}}
            return redirect_to_login(request.path)
        lines, of_line = cart_lines(dishes, data)
        error = cart_problem(dishes, lines)
        at = _position(data)
        if at is None:
            where_error = _("Drop the pin on the map where the courier should come, or use your location.")
        elif not address:
            where_error = _("Type the address for the courier: building, floor, door.")
        if not error and not where_error and at is not None:
            try:
                order = delivery_order_create(customer=request.user, lines=lines,  # type: ignore[arg-type]
                                              fulfilment={"type": "delivery", "store_id": str(store.pk),
                                                          "address": address, "lat": at[0], "lng": at[1]})
            except (OutOfZone, BelowMinimum) as exc:
                refused = error_text(exc)  # the quote box below says it, with what to do
            except Invalid as exc:
                if any(k.startswith("fulfilment") for k in exc.fields or {}):
                    where_error = error_text(exc)
                else:
                    error = place_error(exc, dishes, of_line) or error_text(exc)
            except DomainError as exc:
                error = place_error(exc, dishes, of_line) or error_text(exc)
            else:
                return redirect("web:order_pay", order_id=order.pk)
    box = quote_box(store, zones, data, dishes, currency)
    if refused and box["state"] == "ok":  # the zones changed meanwhile: the core's word stands
        box.update(state="refused", message=refused)
    status = 422 if error or where_error or refused or any(d["error"] for d in dishes) else 200
    return render(request, "web/delivery/checkout.html", _menu_ctx(
        store, sections, dishes, error=error, where_error=where_error, box=box, address=address,
        position=_position(data), map_data=map_data(store, zones, data)), status=status)


@require_GET
@no_store
@domain_pages
def store_delivery_quote(request: HttpRequest, store_id: Any) -> HttpResponse:
    """The quote box again for the dishes and the pin now chosen (htmx)."""
    store, zones = _delivery_store(store_id)
    _sections, dishes = menu_rows(store, request.GET)
    currency = dishes[0]["o"].currency if dishes else "CNY"
    return render(request, "web/delivery/_quote.html",
                  {"box": quote_box(store, zones, request.GET, dishes, currency), "store": store})
