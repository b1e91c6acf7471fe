"""The customer's pages: nearby deals, store, deal, checkout and payment, orders with their vouchers."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db.models import F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from o2o.analytics.services import view_record
from o2o.campaigns.selectors import placement_for_checkout
from o2o.catalogue.enums import OfferingKind
from o2o.catalogue.models import StoreStock
from o2o.catalogue.selectors import public_offering, public_offerings
from o2o.core import conf
from o2o.core.errors import DomainError, Invalid, PaymentRequired
from o2o.delivery.models import DeliveryZone
from o2o.discovery.filters import SORTS
from o2o.discovery.selectors import stores_nearby
from o2o.merchants.access import public_store, public_stores
from o2o.merchants.enums import Category
from o2o.merchants.hours import DAYS, is_open
from o2o.orders.enums import Channel, OrderStatus
from o2o.orders.selectors import order_for_customer, purchase_room
from o2o.orders.services import Source, order_create
from o2o.payments.cards import parse_expiry
from o2o.payments.services import order_pay, order_refund
from o2o.reviews.selectors import reviews_of_store
from o2o.web.forms import DAY_NAMES, BuyForm, PayForm
from o2o.web.views.common import domain_pages, error_text, is_htmx
from o2o.web.views.nostore import no_store
from o2o.web.views.orders import order_detail, order_status, orders  # noqa: F401 - urls.py names them here

GEOJSON = Path(__file__).resolve().parent.parent / "static" / "geo" / "demo_city.geojson"
RADII = [1000, 3000, 10000, 25000]
MIN_RATINGS = ("3", "4", "4.5")
SORT_LABELS = {"distance": gettext_lazy("Nearest first"), "rating": gettext_lazy("Best rated"), "popularity": gettext_lazy("Most visited")}
PAGE = 20


@lru_cache(maxsize=1)
def demo_districts() -> list[dict[str, Any]]:
    """The demo city's districts with a centre each (mean of the outline's corners)."""
    try:
        data = json.loads(GEOJSON.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    out = []
    for f in data.get("features", []):
        props = f.get("properties", {})
        if props.get("kind") != "district":
            continue
        ring = f["geometry"]["coordinates"][0][:-1] or f["geometry"]["coordinates"][0]
        out.append({"name": props.get("name", ""), "name_zh": props.get("name_zh", ""),
                    "lat": sum(p[1] for p in ring) / len(ring), "lng": sum(p[0] for p in ring) / len(ring)})
    return out


def _float(value: Any, lo: float, hi: float) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if lo <= f <= hi else None


def resolve_place(text: str) -> tuple[float, float, str] | None:
    """A typed place: a demo district by its English or Chinese name, else a store's name or address."""
    needle = text.strip().lower()
    if not needle:
        return None
    for d in demo_districts():
        if needle in (d["name"].lower(), d["name_zh"]) or needle in d["name"].lower() or (
                d["name_zh"] and d["name_zh"] in text):
            return d["lat"], d["lng"], f'{d["name"]} {d["name_zh"]}'.strip()
    store = (public_stores().filter(Q(address__icontains=text.strip()) | Q(name__icontains=text.strip()))
             .order_by("name").first())
    if store is not None:
        return store.lat, store.lng, store.address
    return None


def district_named(text: str) -> tuple[float, float, str] | None:
    """A demo district whose English or Chinese name is the whole of `text` ("Jinjiang", "锦江区")."""
    needle = text.strip().lower().removesuffix(" district").removesuffix("区")
    if not needle:
        return None
    for d in demo_districts():
        names = {d["name"].lower().removesuffix(" district"), (d["name_zh"] or "").removesuffix("区")}
        if needle in names:
            return d["lat"], d["lng"], f'{d["name"]} {d["name_zh"]}'.strip()
    return None


def _thumb(deals: list[Any]) -> Any:
    """The first photo among a store's deals (the list's thumbnail), or None."""
    for o in deals:
        photos = list(o.photos.all())
        if photos:
            return photos[0]
    return None


def _deals_by_store(store_ids: list[Any]) -> tuple[dict[Any, list[Any]], dict[Any, list[Any]]]:
    """Per store: its group-buy deals (cheapest first) and everything else it offers (dishes, services).
    The list shows deals as deals; a menu is one row that opens it, not the three cheapest dishes as
    "deals" (a 5-yuan cola is not one)."""
    deals: dict[Any, list[Any]] = defaultdict(list)
    others: dict[Any, list[Any]] = defaultdict(list)
    if not store_ids:
        return deals, others
    rows = (public_offerings().filter(redeemable_stores__in=store_ids).annotate(for_store=F("redeemable_stores"))
            .prefetch_related("photos").order_by("price_amount"))
    for o in rows:
        (deals if o.kind == OfferingKind.DEAL else others)[o.for_store].append(o)
    return deals, others


def home(request: HttpRequest) -> HttpResponse:
    params = request.GET
    centre = conf.get().demo_centre
    lat = _float(params.get("lat"), -90, 90)
    lng = _float(params.get("lng"), -180, 180)
    label = (params.get("label") or "").strip()[:120]
    place = (params.get("place") or "").strip()[:120]
    place_error = ""
    if place:
        found = resolve_place(place)
        if found:
            lat, lng, label = found
        else:
            place_error = _("We could not find “%(p)s”. Try a district such as Jinjiang or 锦江, or a street.") % {
                "p": place}
    if lat is None or lng is None:
        lat, lng = centre
        label = label or _("City centre")
    label = label or f"{lat:.4f}, {lng:.4f}"  # a shared link with a position and no name: say where it is
    category = params.get("category") or ""
    if category not in Category.values:
        category = ""
    open_now = params.get("open_now") in ("1", "on", "true")
    has_deals = params.get("deals") in ("1", "on", "true")
    q = typed = (params.get("q") or "").strip()[:100]
    # One search box: a district's name moves the search there; anything else searches names and addresses.
    district = district_named(q) if q else None
    if district:
        lat, lng, label = district
        place, place_error, q = "", "", ""
    sort = params.get("sort") or ""
    sort = sort if sort in SORTS else "distance"
    min_rating = params.get("min_rating") or ""
    min_rating = min_rating if min_rating in MIN_RATINGS else ""
    try:
        radius = int(params.get("radius") or conf.get().nearby_default_radius_m)
    except ValueError:
        radius = conf.get().nearby_default_radius_m
    if radius not in RADII:
        radius = min(RADII, key=lambda r: abs(r - radius))
    try:
        limit = min(100, max(PAGE, int(params.get("limit") or PAGE)))
    except ValueError:
        limit = PAGE
    try:
        rows = stores_nearby(lat=lat, lng=lng, radius_m=radius, limit=limit, q=q, category=category or None,
                             open_now=open_now or None, has_deals=has_deals or None, sort=sort,
                             min_rating=float(min_rating) if min_rating else None)
    except Invalid as exc:  # a search the index refuses (say, an overlong query): say so, list nothing
        rows, place_error = [], error_text(exc)
    deals, others = _deals_by_store([r.store.pk for r in rows])
    results = [{"row": r, "deals": deals.get(r.store.pk, [])[:3], "more": max(0, len(deals.get(r.store.pk, [])) - 3),
                "menu": sum(o.kind == OfferingKind.PRODUCT for o in others.get(r.store.pk, [])),
                "thumb": _thumb(deals.get(r.store.pk, []) + others.get(r.store.pk, []))} for r in rows]
    active_filters = sum([bool(category), radius != conf.get().nearby_default_radius_m, sort != "distance",
                          bool(min_rating), open_now, has_deals])
    markers = [{"id": str(r.store.pk), "name": r.store.name, "lat": r.store.lat, "lng": r.store.lng,
                "open": r.open_now, "url": reverse("web:store", args=[r.store.pk]),
                "deals": len(deals.get(r.store.pk, []))} for r in rows]
    more_url = ""
    if len(rows) == limit and limit < 100:
        more = request.GET.copy()
        more["limit"] = str(min(100, limit + PAGE))
        if place and not place_error:  # the typed place is resolved: carry its position, not its name
            more.pop("place", None)
            more["lat"], more["lng"], more["label"] = f"{lat:.5f}", f"{lng:.5f}", label
        more_url = reverse("web:home") + "?" + more.urlencode()
    ctx = {
        "results": results, "more_url": more_url, "markers": {"centre": [lat, lng], "stores": markers, "label": label},
        "lat": f"{lat:.5f}", "lng": f"{lng:.5f}", "label": label, "place": place, "place_error": place_error, "typed": typed or place,
        "category": category, "open_now": open_now, "has_deals": has_deals, "q": q, "radius": radius, "radii": [(r, _("Within %(n)d km") % {"n": r // 1000}) for r in RADII],
        "sort": sort, "sorts": [(s, SORT_LABELS[s]) for s in SORTS],
        "min_rating": min_rating, "min_ratings": [(r, _("%(n)s★ and up") % {"n": r}) for r in MIN_RATINGS],
        "categories": Category.choices, "districts": demo_districts(), "active_filters": active_filters,
        "city_centre": {"lat": f"{centre[0]:.5f}", "lng": f"{centre[1]:.5f}"},
    }
    if is_htmx(request) and request.htmx.target == "results":  # type: ignore[attr-defined]
        response = render(request, "web/customer/_nearby_results.html", ctx)
        response["Cache-Control"] = "no-store"  # never let "back" show the bare list for this URL
    else:
        response = render(request, "web/customer/home.html", ctx)
    # The page and its list share one URL (htmx pushes it): caches must tell them apart.
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


def _week(store: Any, now: datetime) -> list[dict[str, Any]]:
    local = now.astimezone(ZoneInfo(store.timezone))
    today = DAYS[local.weekday()]
    rows = []
    for day in DAYS:
        windows = store.opening_hours.get(day, [])
        text = ", ".join(
            (_("open 24 hours") if (a, b) == ("00:00", "24:00") else
             f"{a}–{b}" + (" " + _("(next day)") if b < a else ""))
            for a, b in windows) or _("Closed")
        rows.append({"day": day, "name": DAY_NAMES[day], "text": text, "today": day == today})
    return rows


@domain_pages
def store_detail(request: HttpRequest, store_id: Any) -> HttpResponse:
    store = public_store(store_id)
    now = timezone.now()
    # dishes and products are on the menu ("Order for pickup"), not in the deals list
    deals = (public_offerings().filter(redeemable_stores=store).exclude(kind=OfferingKind.PRODUCT)
             .prefetch_related("photos").order_by("-created_at")[:50])
    reviews = reviews_of_store(store_id=store.pk).order_by("-created_at")[:30]
    view_record(request=request, merchant_id=store.merchant_id, store_id=store.pk, now=now)
    return render(request, "web/customer/store.html", {
        "store": store, "deals": deals, "reviews": reviews, "week": _week(store, now),
        "sells_products": StoreStock.objects.filter(store=store).exists(),
        "delivers": DeliveryZone.objects.filter(store=store, active=True).exists(),
        "open_now": is_open(store.opening_hours, store.timezone, now, store.closed_dates),
        "map_data": {"centre": [store.lat, store.lng], "stores": [
            {"id": str(store.pk), "name": store.name, "lat": store.lat, "lng": store.lng, "open": True, "url": ""}]},
    })


@domain_pages
def deal_detail(request: HttpRequest, offering_id: Any) -> HttpResponse:
    offering = public_offering(offering_id)
    stores = [s for s in offering.redeemable_stores.all() if s.is_active]
    now = timezone.now()
    # What order_create would accept for this customer now: the menu offers exactly that, no more.
    room = purchase_room(customer=request.user, offering=offering, now=now)
    view_record(request=request, merchant_id=offering.merchant_id, offering_id=offering.pk,
                store_id=stores[0].pk if len(stores) == 1 else None, now=now)
    return render(request, "web/customer/deal.html", {
        "offering": offering, "photos": list(offering.photos.all()), "room": room,
        "quantities": list(range(1, room.can_buy + 1)),
        "stores": [{"store": s, "open": is_open(s.opening_hours, s.timezone, now, s.closed_dates)} for s in stores],
        "valid_until": now + timedelta(days=offering.valid_days),
    })


@require_POST
@domain_pages
def checkout(request: HttpRequest, offering_id: Any) -> HttpResponse:
    offering = public_offering(offering_id)
    if not request.user.is_authenticated:
        # After logging in the customer lands back on the deal (the buy URL only takes POSTs).
        return redirect_to_login(reverse("web:deal", args=[offering.pk]))
    form = BuyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how many you want to buy."))
        return redirect("web:deal", offering_id=offering.pk)
    try:
        placement = placement_for_checkout(user=request.user, visitor_key=getattr(request, "visitor_key", None),
                                           offering_ids=[offering.pk], at=timezone.now())
        order = order_create(customer=request.user, lines=[  # type: ignore[arg-type]
            {"offering_id": str(offering.pk), "quantity": form.cleaned_data["quantity"]}],
            source=Source(channel=Channel.WEB, placement_id=placement))
    except DomainError as exc:
        messages.error(request, error_text(exc))
        return redirect("web:deal", offering_id=offering.pk)
    return redirect("web:order_pay", order_id=order.pk)


@login_required
@no_store
@domain_pages
def order_pay_view(request: HttpRequest, order_id: Any) -> HttpResponse:
    order = order_for_customer(user=request.user, order_id=order_id)
    if order.status != OrderStatus.AWAITING_PAYMENT:
        return redirect("web:order", order_id=order.pk)
    expired = order.expires_at <= timezone.now()
    form = PayForm(request.POST or None)
    declined = ""
    if request.method == "POST" and not expired and form.is_valid():
        number = "".join(ch for ch in form.cleaned_data["card_number"] if ch.isdigit())
        try:
            month, year = parse_expiry(form.cleaned_data["expiry"])
            order_pay(customer=request.user, order_id=order.pk, provider="sandbox",  # type: ignore[arg-type]
                      details={"card_number": number, "exp_month": month, "exp_year": year,
                               "cvc": form.cleaned_data["cvc"]})
        except PaymentRequired as exc:
            declined = error_text(exc)
        except Invalid as exc:
            field = next(iter(exc.fields), "card_number")
            field = {"exp_month": "expiry", "exp_year": "expiry"}.get(field, field)
            form.add_error(field if field in form.fields else "card_number", error_text(exc))
        except DomainError as exc:
            messages.error(request, error_text(exc))
            return redirect("web:order", order_id=order.pk)
        else:
            if order.fulfilment == "pickup":
                messages.success(request, _("Paid. Your order is with the kitchen; this page shows when it is ready."))
            elif order.fulfilment == "delivery":
                messages.success(request, _("Paid. The kitchen is making your order; this page shows the courier on the way."))
            elif order.fulfilment == "dine_in":
                messages.success(request, _("Paid. Your order is with the kitchen."))
            else:
                messages.success(request, _("Paid. Your vouchers are ready — show the QR code at the counter."))
            return redirect("web:order", order_id=order.pk)
    line = order.lines.first()
    return render(request, "web/customer/pay.html", {
        "order": order, "form": form, "declined": declined, "expired": expired, "line": line,
    })


@login_required
@require_POST
@domain_pages
def order_refund_view(request: HttpRequest, order_id: Any) -> HttpResponse:
    order = order_for_customer(user=request.user, order_id=order_id)
    ids = request.POST.getlist("voucher_id") or None
    try:
        order_refund(customer=request.user, order_id=order.pk, voucher_ids=ids)  # type: ignore[arg-type]
    except DomainError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Refunded. The money goes back to your card."))
    return redirect("web:order", order_id=order.pk)
