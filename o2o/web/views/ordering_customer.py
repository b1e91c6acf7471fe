"""The customer's side of restaurant ordering, made for a phone: the menu a table's QR opens (order to
the table's tab, pay now or at the counter), ordering ahead for pickup (a time from the store's pickup
slots, then pay online), and the live progress of such an order on the order page.

The menu is one plain form (it works without JavaScript): per dish a quantity `qty-<offering id>` and
per option group `opt-<offering id>-<group index>` (the chosen choices' names). js/menu.js adds the
steppers, enforces max_choices and required groups, and keeps a running total. Every rule is checked
again by ordering_order_create; its refusals are shown next to the dish they are about.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from o2o.catalogue.models import StoreStock
from o2o.core.errors import DomainError
from o2o.core.money import Money
from o2o.merchants.access import public_store
from o2o.merchants.hours import is_open
from o2o.ordering.checkout import MAX_QTY, pickup_slots
from o2o.ordering.checkout import ordering_order_create as order_create
from o2o.ordering.selectors import store_menu
from o2o.ordering.tables import table_by_token
from o2o.orders.selectors import order_for_customer
from o2o.web.views.common import domain_pages, error_text
from o2o.web.views.nostore import no_store

CART_KEY = "o2o_menu_cart"  # the menu form of a customer who was sent to log in first
LINE_FIELD = re.compile(r"^lines\.(\d+)")


def _selected(data: QueryDict | dict[str, list[str]], key: str) -> list[str]:
    if isinstance(data, QueryDict):
        return data.getlist(key)
    return list(data.get(key, []))


def _qty(data: QueryDict | dict[str, list[str]], key: str) -> int | None:
    """The quantity asked for (0 when blank), or None when it is not a whole number in range."""
    raw = (_selected(data, key) or [""])[-1].strip()
    if not raw:
        return 0
    try:
        n = int(raw)
    except ValueError:
        return None
    return n if 0 <= n <= MAX_QTY else None


def menu_rows(store: Any, data: QueryDict | dict[str, list[str]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The menu's sections (in the merchant's order, empty ones left out) with each dish's form state,
    and the flat list of dishes."""
    sections, items, stock = store_menu(store)
    dishes = []
    for o in items:
        row = stock[o.pk]
        groups = []
        for gi, g in enumerate(o.option_groups.all()):
            field = f"opt-{o.pk}-{gi}"
            chosen = set(_selected(data, field))
            groups.append({
                "g": g, "field": field, "radio": g.required and g.max_choices == 1,
                "choices": [{"c": c, "id": f"{field}-{ci}", "checked": c.name in chosen,
                             "delta": Money(c.price_delta_amount, o.currency)}
                            for ci, c in enumerate(g.choices.all())],
            })
        photos = list(o.photos.all())
        qty_field = f"qty-{o.pk}"
        dishes.append({"o": o, "photo": photos[0] if photos else None, "sold_out": not row.available,
                       "left": row.quantity_left, "groups": groups, "qty_field": qty_field,
                       "qty": _qty(data, qty_field) or 0, "error": "", "section_id": o.section_id})
    by_section: dict[Any, list[dict[str, Any]]] = {}
    for d in dishes:
        by_section.setdefault(d["section_id"], []).append(d)
    out = [{"id": s.pk, "title": s.title, "dishes": by_section[s.pk]} for s in sections if by_section.get(s.pk)]
    if by_section.get(None):
        out.append({"id": None, "title": _("More"), "dishes": by_section[None]})
    return out, dishes


def cart_lines(dishes: list[dict[str, Any]], data: QueryDict | dict[str, list[str]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The order's lines from the form (dishes with a quantity), and the dish of each line. A quantity
    that is not a whole number marks its dish."""
    lines, of_line = [], []
    for d in dishes:
        qty = _qty(data, d["qty_field"])
        if qty is None:
            d["error"] = _("Quantity must be a whole number from 1 to %(n)d.") % {"n": MAX_QTY}
            continue
        if qty == 0:
            continue
        options = [{"name": g["g"].name, "choice": name} for g in d["groups"] for name in _selected(data, g["field"])]
        lines.append({"offering_id": str(d["o"].pk), "quantity": qty, "options": options})
        of_line.append(d)
    return lines, of_line


def place_error(exc: DomainError, dishes: list[dict[str, Any]], of_line: list[dict[str, Any]]) -> str:
    """Put a refusal on the dish it is about (by `lines.<i>` or an offering id); else it is the page's."""
    message = error_text(exc)
    for key, value in (exc.fields or {}).items():
        m = LINE_FIELD.match(key)
        if m and int(m.group(1)) < len(of_line):
            of_line[int(m.group(1))]["error"] = message
            return ""
        if key == "offering_id":
            for d in dishes:
                if str(d["o"].pk) == str(value):
                    d["error"] = message
                    return ""
    return message


def _saved_cart(request: HttpRequest) -> dict[str, list[str]] | None:
    saved = request.session.get(CART_KEY)
    if isinstance(saved, dict) and saved.get("path") == request.path and isinstance(saved.get("data"), dict):
        request.session.pop(CART_KEY, None)
        return saved["data"]
    return None


def _to_login(request: HttpRequest) -> HttpResponse:
    """Not logged in: keep what they chose (the session), log in, come back to the same menu."""
    request.session[CART_KEY] = {"path": request.path, "data": {
        k: v for k, v in request.POST.lists() if k.startswith(("qty-", "opt-", "slot", "pay"))}}
    return redirect_to_login(request.path)


def _menu_ctx(store: Any, sections: list[dict[str, Any]], dishes: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    currency = dishes[0]["o"].currency if dishes else "CNY"
    return {"store": store, "sections": sections, "dishes": dishes, "money_zero": Money(Decimal(0), currency),
            "max_qty": MAX_QTY, "open_now": is_open(store.opening_hours, store.timezone, timezone.now(),
                                                    store.closed_dates), **extra}


@no_store
@domain_pages
def table_menu(request: HttpRequest, token: str) -> HttpResponse:
    """What a table's QR opens: the store's menu, ordered to this table (the table's tab)."""
    table = table_by_token(token)
    store = table.store
    data: Any = request.POST if request.method == "POST" else (_saved_cart(request) or QueryDict())
    sections, dishes = menu_rows(store, data)
    error = ""
    if request.method == "POST":
        if not request.user.is_authenticated:
            return _to_login(request)
        lines, of_line = cart_lines(dishes, data)
        error = cart_problem(dishes, lines)
        if not error:
            counter = request.POST.get("pay") == "counter"
            try:
                order = order_create(customer=request.user, lines=lines,  # type: ignore[arg-type]
                                     fulfilment={"type": "dine_in", "table_id": str(table.pk),
                                                 "pay_at_counter": counter})
            except DomainError as exc:
                error = place_error(exc, dishes, of_line) or error_text(exc)
            else:
                if counter:
                    return redirect("web:order", order_id=order.pk)
                return redirect("web:order_pay", order_id=order.pk)
    status = 422 if error or any(d["error"] for d in dishes) else 200
    return render(request, "web/ordering/table_menu.html",
                  _menu_ctx(store, sections, dishes, table=table, error=error), status=status)


def cart_problem(dishes: list[dict[str, Any]], lines: list[dict[str, Any]]) -> str:
    """What keeps the cart from being ordered before the core sees it: a dish marked, or nothing chosen."""
    if any(d["error"] for d in dishes):
        return _("Please check the dishes marked below.")
    if not lines:
        return _("Choose at least one dish.")
    return ""


def _sells_products(store: Any) -> bool:
    return StoreStock.objects.filter(store=store).exists()


def _prep(dishes: list[dict[str, Any]], data: Any) -> int:
    return max((d["o"].prep_minutes for d in dishes if (_qty(data, d["qty_field"]) or 0) > 0), default=0)


def slot_days(store: Any, prep: int, chosen: str = "") -> list[dict[str, Any]]:
    """Today's and tomorrow's open pickup slots in the store's own time, `chosen` marked."""
    zone = ZoneInfo(store.timezone)
    today = timezone.localtime(timezone.now(), timezone=zone).date()
    days = []
    for n, label in ((0, _("Today")), (1, _("Tomorrow"))):
        day = today + timedelta(days=n)
        slots = [{"value": s.start.isoformat(), "start": timezone.localtime(s.start, timezone=zone),
                  "end": timezone.localtime(s.end, timezone=zone), "left": s.capacity_left,
                  "checked": s.start.isoformat() == chosen}
                 for s in pickup_slots(store=store, day=day, prep_minutes=prep)]
        if slots:
            days.append({"label": label, "day": day, "slots": slots})
    return days


def _pickup_store(store_id: Any) -> Any:
    store = public_store(store_id)
    if not _sells_products(store):
        raise Http404(_("This store takes no orders for pickup."))
    return store


@no_store
@domain_pages
def store_order(request: HttpRequest, store_id: Any) -> HttpResponse:
    """Order ahead for pickup: the store's menu, a pickup time, then pay online."""
    store = _pickup_store(store_id)
    data: Any = request.POST if request.method == "POST" else (_saved_cart(request) or QueryDict())
    sections, dishes = menu_rows(store, data)
    error = slot_error = ""
    chosen = (_selected(data, "slot") or [""])[-1]
    if request.method == "POST":
        if not request.user.is_authenticated:
            return _to_login(request)
        lines, of_line = cart_lines(dishes, data)
        error = cart_problem(dishes, lines)
        if not error and not chosen:
            slot_error = _("Choose a pickup time.")
        elif not error:
            try:
                order = order_create(customer=request.user, lines=lines,  # type: ignore[arg-type]
                                     fulfilment={"type": "pickup", "store_id": str(store.pk), "slot_start": chosen})
            except DomainError as exc:
                placed = place_error(exc, dishes, of_line)
                if placed and (exc.code.startswith(("slot_", "store_closed")) or
                               any(k.startswith("fulfilment") for k in exc.fields or {})):
                    slot_error = placed
                else:
                    error = placed
            else:
                return redirect("web:order_pay", order_id=order.pk)
    days = slot_days(store, _prep(dishes, data), chosen)
    status = 422 if error or slot_error or any(d["error"] for d in dishes) else 200
    return render(request, "web/ordering/pickup_order.html",
                  _menu_ctx(store, sections, dishes, days=days, error=error, slot_error=slot_error), status=status)


@require_GET
@no_store
@domain_pages
def store_order_slots(request: HttpRequest, store_id: Any) -> HttpResponse:
    """The pickup time picker again for the dishes now chosen (their longest prep time), for htmx."""
    store = _pickup_store(store_id)
    _sections, dishes = menu_rows(store, request.GET)
    chosen = request.GET.get("slot", "")
    return render(request, "web/ordering/pickup_slots.html",
                  {"days": slot_days(store, _prep(dishes, request.GET), chosen), "store": store})


# --- the order page's live progress (pickup and table orders) ---

STEPS = ("waiting", "preparing", "ready", "done")
FINAL = frozenset({"done", "rejected", "cancelled"})


def food_progress(order: Any, ticket: Any) -> dict[str, Any]:
    """Where a pickup or table order is, in the customer's words: phase, headline and a note."""
    fs = order.fulfilment_status
    pickup = order.fulfilment == "pickup"
    if ticket.reject_reason:
        refunded = order.status in ("refunded", "partially_refunded")
        return {"phase": "rejected", "title": _("The kitchen could not make this order"),
                "reason": ticket.reject_reason, "refunded": refunded}
    if order.status in ("cancelled", "expired") or fs == "cancelled":
        return {"phase": "cancelled", "title": _("This order was cancelled"),
                "note": _("Nothing was charged.")}
    if order.status == "awaiting_payment" and not ticket.pay_at_counter:
        return {"phase": "to_pay", "title": _("Waiting for payment")}
    if fs == "pending":
        phase, title = "waiting", _("Waiting for the kitchen")
        note = _("The kitchen will start on it shortly.")
    elif fs in ("accepted", "preparing"):
        phase, title, note = "preparing", _("Being prepared"), _("The kitchen is making your order.")
    elif fs == "ready":
        phase = "ready"
        if pickup:
            title, note = _("Ready to collect"), _("Show your pickup code at the counter.")
        else:
            title, note = pgettext("order progress", "Ready"), _("Your order is on its way to your table.")
    else:  # picked_up, served, closed
        phase = "done"
        title, note = (_("Collected"), _("Enjoy your meal!")) if pickup else (_("Served"), _("Enjoy your meal!"))
    step = STEPS.index(phase)
    labels = [_("Sent"), _("Preparing"), pgettext("order progress", "Ready"), _("Collected") if pickup else _("Served")]
    return {"phase": phase, "title": title, "note": note,
            "steps": [{"label": lab, "done": i < step, "now": i == step} for i, lab in enumerate(labels)]}


def progress_ctx(order: Any, ticket: Any) -> dict[str, Any]:
    progress = food_progress(order, ticket)
    zone = ZoneInfo(order.store.timezone) if order.store_id else None
    return {"order": order, "ticket": ticket, "progress": progress, "poll": progress["phase"] not in FINAL,
            "slot_start": timezone.localtime(ticket.slot_start, timezone=zone) if ticket.slot_start else None,
            "slot_end": timezone.localtime(ticket.slot_end, timezone=zone) if ticket.slot_end else None,
            "show_code": bool(ticket.pickup_code) and progress["phase"] in ("waiting", "preparing", "ready"),
            "due_at_counter": ticket.pay_at_counter and order.status == "awaiting_payment"}


@require_GET
@no_store
@domain_pages
def order_progress(request: HttpRequest, order_id: Any) -> HttpResponse:
    """Polled by the order page every few seconds: the progress fragment; when the order reaches an
    end (collected, served, rejected) the whole page reloads (the pickup code goes away)."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    order = order_for_customer(user=request.user, order_id=order_id)
    ticket = getattr(order, "ticket", None)
    if ticket is None:
        raise Http404()
    ctx = progress_ctx(order, ticket)
    if ctx["progress"]["phase"] != request.GET.get("phase") and not ctx["poll"]:
        response = HttpResponse(status=200)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "web/ordering/menu_progress.html", ctx)
