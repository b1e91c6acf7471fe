"""The staff's side of restaurant ordering: the kitchen screen, the counter's point of sale with the
tables' open tabs, the 80 mm receipt and the tables with their printed QR sheet.

Every view starts from o2o.merchants.access.store_for_staff (another merchant's store answers 404, a
clerk not at the store 403); every move goes through the ordering services (o2o.ordering.kitchen,
tables, counter), and a refusal (already handed over, sold out, card declined...) is shown on the
page in the reader's language, never as a 500.

The kitchen screen polls its queue fragment with htmx (static/js/kitchen.js pauses the poll while a
reject form is open and rings when a new order arrives). The point of sale keeps its cart in the
session, one per store; a sale is rung up once per cart (a double tap finds the cart already sold).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from o2o.accounts.models import User
from o2o.catalogue.products import options_price
from o2o.core.errors import DomainError, Forbidden, Invalid, NotFound
from o2o.core.money import Money, parse_amount
from o2o.merchants.access import as_uuid, store_for_staff
from o2o.merchants.models import Store
from o2o.ordering import kitchen as kitchen_services
from o2o.ordering.counter import counter_sale_create
from o2o.ordering.models import Tab, Ticket
from o2o.ordering.selectors import kitchen_queue, recent_done, store_menu
from o2o.ordering.tables import tab_close, tab_due, tab_for_staff, table_create, tables_of_store
from o2o.orders.enums import PAID_STATUSES
from o2o.orders.models import Order
from o2o.payments.enums import PaymentStatus
from o2o.web.pdf import pdf_render, pdf_response
from o2o.web.views.common import domain_pages, error_text, is_htmx
from o2o.web.views.merchant import console_tabs

POLL_SECONDS = 4
REJECT_REASONS = (
    ("sold_out", _lazy("Sold out")),
    ("closing", _lazy("Kitchen closing")),
    ("busy", _lazy("Too busy right now")),
    ("no_show", _lazy("Customer did not come")),
)
TABLE_PATH = "/t/%s/"  # the page a table's QR opens (api/routers/ordering.py TABLE_PATH)
SANDBOX_CARD = "4242424242424242"


def _staff(request: HttpRequest) -> User:
    """The signed-in user (every view here is login_required; store_for_staff decides the rest)."""
    return cast(User, request.user)


# --- the kitchen screen ---

def _card(ticket: Ticket, *, zone: Any) -> dict[str, Any]:
    order = ticket.order
    return {
        "ticket": ticket, "order": order, "lines": list(order.lines.all()),
        "paid": order.status in PAID_STATUSES,
        "due": ticket.pay_at_counter and order.status not in PAID_STATUSES,
        "slot": timezone.localtime(ticket.slot_start, zone) if ticket.slot_start else None,
        "queued": timezone.localtime(ticket.queued_at, zone) if ticket.queued_at else None,
    }


def _kitchen_context(request: HttpRequest, store: Store, *, notice: str = "", notice_kind: str = "info") -> dict[str, Any]:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(store.timezone)
    _store, tickets = kitchen_queue(user=_staff(request), store_id=store.pk)
    columns: dict[str, list[dict[str, Any]]] = {"new": [], "preparing": [], "ready": []}
    for t in tickets:
        status = t.order.fulfilment_status
        key = "new" if status == "pending" else "ready" if status == "ready" else "preparing"
        columns[key].append(_card(t, zone=zone))
    done = [{"ticket": t, "at": timezone.localtime(t.done_at, zone)} for t in recent_done(store=store, limit=6)]
    return {
        "store": store, "poll": POLL_SECONDS, "reasons": REJECT_REASONS, "notice": notice, "notice_kind": notice_kind,
        "columns": [("new", _("New"), columns["new"]), ("preparing", _("Preparing"), columns["preparing"]),
                    ("ready", pgettext("kitchen column", "Ready"), columns["ready"])],
        "new_ids": " ".join(str(c["order"].pk) for c in columns["new"]), "done": done,
        "now": timezone.localtime(timezone.now(), zone),
    }


@login_required
@domain_pages
def kitchen(request: HttpRequest, store_id: Any) -> HttpResponse:
    store, _m = store_for_staff(user=_staff(request), store_id=store_id)
    return render(request, "web/kitchen/kitchen.html", _kitchen_context(request, store))


@never_cache
@login_required
@domain_pages
def kitchen_fragment(request: HttpRequest, store_id: Any) -> HttpResponse:
    store, _m = store_for_staff(user=_staff(request), store_id=store_id)
    return render(request, "web/kitchen/_queue.html", _kitchen_context(request, store))


def _back_to_kitchen(request: HttpRequest, store: Store, *, notice: str, ok: bool) -> HttpResponse:
    if is_htmx(request):
        return render(request, "web/kitchen/_queue.html",
                      _kitchen_context(request, store, notice=notice, notice_kind="success" if ok else "error"))
    (messages.success if ok else messages.error)(request, notice)
    return redirect("web:kitchen", store_id=store.pk)


def _reason(request: HttpRequest) -> str:
    text = (request.POST.get("reason_text") or "").strip()
    preset = dict(REJECT_REASONS).get(request.POST.get("reason") or "")
    if preset and text:
        return f"{preset}: {text}"
    return str(preset) if preset else text


@require_POST
@login_required
@domain_pages
def kitchen_move(request: HttpRequest, store_id: Any, order_id: Any, action: str) -> HttpResponse:
    """Accept, reject (with a reason), ready or handed over, from the kitchen screen."""
    store, _m = store_for_staff(user=_staff(request), store_id=store_id)
    if not Ticket.objects.filter(order_id=as_uuid(order_id), store=store).exists():
        raise Http404()
    moves = {"accept": kitchen_services.ticket_accept, "ready": kitchen_services.ticket_ready,
             "hand-over": kitchen_services.ticket_hand_over}
    try:
        if action == "reject":
            order = kitchen_services.ticket_reject(user=_staff(request), order_id=order_id, reason=_reason(request))
            done = (_("Order %(n)s rejected; the payment is refunded.") if order.status in PAID_STATUSES
                    else _("Order %(n)s rejected."))
        elif action in moves:
            order = moves[action](user=_staff(request), order_id=order_id)
            done = {"accept": _("Order %(n)s accepted."), "ready": _("Order %(n)s is ready."),
                    "hand-over": _("Order %(n)s handed over.")}[action]
        else:
            raise Http404()
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        return _back_to_kitchen(request, store, notice=error_text(exc), ok=False)
    return _back_to_kitchen(request, store, notice=done % {"n": order.number}, ok=True)


@require_POST
@login_required
@domain_pages
def kitchen_pickup(request: HttpRequest, store_id: Any) -> HttpResponse:
    """The pickup-code box: typed or scanned, the 6-digit code hands the order over once."""
    store, _m = store_for_staff(user=_staff(request), store_id=store_id)
    code = request.POST.get("code", "")
    try:
        order = kitchen_services.pickup_collect(user=_staff(request), store_id=store.pk, code=code)
    except DomainError as exc:
        ok, text = False, error_text(exc)
    else:
        ok, text = True, _("Order %(n)s handed over. Give the customer their bag.") % {"n": order.number}
    if is_htmx(request):
        response = render(request, "web/kitchen/_pickup_result.html", {"ok": ok, "text": text})
        response["HX-Trigger"] = "kitchen-refresh"
        return response
    (messages.success if ok else messages.error)(request, text)
    return redirect("web:kitchen", store_id=store.pk)


# --- the counter's point of sale ---

def _cart_key(store: Store) -> str:
    return f"pos:{store.pk}"


def _cart(request: HttpRequest, store: Store) -> dict[str, Any]:
    cart = request.session.get(_cart_key(store))
    if not isinstance(cart, dict) or not isinstance(cart.get("lines"), list):
        cart = {"id": uuid.uuid4().hex, "lines": []}
    return cart


def _save_cart(request: HttpRequest, store: Store, cart: dict[str, Any] | None) -> None:
    if cart is None:
        request.session.pop(_cart_key(store), None)
    else:
        request.session[_cart_key(store)] = cart


def _priced_cart(cart: dict[str, Any], items: dict[Any, Any], currency: str) -> tuple[list[dict[str, Any]], Money]:
    rows, total = [], Money(Decimal(0), currency)
    for i, ln in enumerate(cart["lines"]):
        product = items.get(as_uuid(ln["offering_id"]))
        if product is None:
            continue
        try:
            p = options_price(offering=product, chosen=ln["options"])
        except DomainError:
            continue
        line_total = p.unit_price * ln["quantity"]
        total = Money(total.amount + line_total.amount, currency)
        rows.append({"index": i, "product": product, "quantity": ln["quantity"], "options": p.snapshot,
                     "unit": p.unit_price, "total": line_total})
    return rows, total


def _chosen(request: HttpRequest, product: Any) -> list[dict[str, str]]:
    out = []
    for g in product.option_groups.all():
        for choice in request.POST.getlist(f"g{g.pk}"):
            if choice:
                out.append({"name": g.name, "choice": choice})
    return out


def _quantity(value: Any) -> int:
    try:
        n = int(str(value).strip())
    except ValueError:
        n = 0
    if not 1 <= n <= 50:
        raise Invalid(_("Quantity must be a whole number from 1 to %(n)d.") % {"n": 50})
    return n


def _open_tabs(store: Store) -> list[dict[str, Any]]:
    out = []
    for tab in Tab.objects.filter(store=store, status="open").select_related("table").order_by("table__label"):
        due = tab_due(tab)
        currency = due[0].currency if due else "CNY"
        out.append({"tab": tab, "due_orders": due,
                    "due": Money(sum((o.total_amount for o in due), Decimal(0)), currency),
                    "orders": Ticket.objects.filter(tab=tab).exclude(order__status="cancelled").count()})
    return out


@login_required
@domain_pages
def pos(request: HttpRequest, store_id: Any) -> HttpResponse:
    """Walk-in sales: pick dishes and options, take cash or a card, print the receipt; and the open tabs."""
    store, _m = store_for_staff(user=_staff(request), store_id=store_id)
    sections, products, stock = store_menu(store)
    items = {p.pk: p for p in products}
    cart = _cart(request, store)
    currency = products[0].currency if products else "CNY"
    if request.method == "POST":
        return _pos_post(request, store, cart, items, stock, currency)
    rows, total = _priced_cart(cart, items, currency)
    by_section: list[tuple[Any, list[Any]]] = []
    for section in [*sections, None]:
        dishes = [{"product": p, "stock": stock.get(p.pk), "groups": list(p.option_groups.all())}
                  for p in products if (p.section_id == (section.pk if section else None))]
        if dishes:
            by_section.append((section, dishes))
    last = None
    sale = request.session.get(f"pos-last:{store.pk}")
    if isinstance(sale, dict) and request.GET.get("sale") == sale.get("id"):
        order = Order.objects.filter(pk=as_uuid(sale["id"]), store=store).first()
        if order is not None:
            last = {"order": order, "method": _payment_label(order),
                    "given": Money(Decimal(sale["given"]), order.currency) if sale.get("given") else None,
                    "change": Money(Decimal(sale["change"]), order.currency) if sale.get("change") else None}
    return render(request, "web/kitchen/pos.html", {
        "store": store, "menu": by_section, "cart": cart, "rows": rows, "total": total, "last": last,
        "tabs": _open_tabs(store), "sandbox_card": SANDBOX_CARD,
    })


def _pos_post(request: HttpRequest, store: Store, cart: dict[str, Any], items: dict[Any, Any], stock: dict[Any, Any],
              currency: str) -> HttpResponse:
    action = request.POST.get("action")
    here = reverse("web:pos", args=[store.pk])
    try:
        if action == "add":
            product = items.get(as_uuid(request.POST.get("offering_id")))
            row = stock.get(product.pk) if product is not None else None
            if product is None or row is None:
                raise Invalid(_("This dish is not on the menu."))
            if not row.available:
                raise Invalid(_("%(dish)s is sold out.") % {"dish": product.title})
            chosen = _chosen(request, product)
            options_price(offering=product, chosen=chosen)  # required options, too many choices -> refused here
            cart["lines"].append({"offering_id": str(product.pk), "quantity": _quantity(request.POST.get("quantity")),
                                  "options": chosen})
            _save_cart(request, store, cart)
        elif action == "remove":
            try:
                del cart["lines"][int(request.POST.get("index", ""))]
            except (ValueError, IndexError):
                pass
            _save_cart(request, store, cart)
        elif action == "clear":
            _save_cart(request, store, None)
        elif action == "pay":
            return _pos_pay(request, store, cart, items, currency)
    except DomainError as exc:
        messages.error(request, error_text(exc))
    return redirect(here)


def _pos_pay(request: HttpRequest, store: Store, cart: dict[str, Any], items: dict[Any, Any], currency: str) -> HttpResponse:
    here = reverse("web:pos", args=[store.pk])
    if request.POST.get("cart_id") != cart["id"] or not cart["lines"]:
        messages.error(request, _("This sale was already rung up, or the cart is empty."))
        return redirect(here)
    method = request.POST.get("method")
    _rows, total = _priced_cart(cart, items, currency)
    given = change = None
    if method == "cash" and (request.POST.get("given") or "").strip():
        given = parse_amount((request.POST.get("given") or "").strip(), currency, field="given")
        if given.amount < total.amount:
            messages.error(request, _("The cash given is less than the total."))
            return redirect(here)
        change = Money(given.amount - total.amount, currency)
    if not cache.add(f"pos-sale:{cart['id']}", 1, 600):  # a double tap: one sale per cart
        messages.error(request, _("This sale was already rung up, or the cart is empty."))
        return redirect(here)
    payment = {"method": method, "card_number": (request.POST.get("card_number") or "").replace(" ", "") or None}
    try:
        order = counter_sale_create(user=_staff(request), store_id=store.pk, lines=cart["lines"], payment=payment)
    except DomainError as exc:
        cache.delete(f"pos-sale:{cart['id']}")
        messages.error(request, error_text(exc))
        return redirect(here)
    _save_cart(request, store, None)
    request.session[f"pos-last:{store.pk}"] = {"id": str(order.pk), "method": method,
                                               "given": str(given.amount) if given else "",
                                               "change": str(change.amount) if change else ""}
    messages.success(request, _("Sale %(n)s paid: %(total)s.") % {"n": order.number, "total": _money(order.total)})
    return redirect(f"{here}?sale={order.pk}")


def _money(m: Money) -> str:
    from o2o.web.templatetags.o2o_web import money

    return money(m)


@require_POST
@login_required
@domain_pages
def pos_tab_close(request: HttpRequest, store_id: Any, tab_id: Any) -> HttpResponse:
    store, _m = store_for_staff(user=_staff(request), store_id=store_id)
    tab = tab_for_staff(user=_staff(request), tab_id=tab_id)
    if tab.store_id != store.pk:
        raise Http404()
    method = request.POST.get("method")
    card = (request.POST.get("card_number") or "").replace(" ", "") or None
    try:
        tab, paid = tab_close(user=_staff(request), tab_id=tab.pk, method=method, card_number=card)
    except DomainError as exc:
        messages.error(request, error_text(exc))
    else:
        total = sum((o.total_amount for o in paid), Decimal(0))
        currency = paid[0].currency if paid else "CNY"
        messages.success(request, _("Table %(t)s closed: %(total)s taken.")
                         % {"t": tab.table.label, "total": _money(Money(total, currency))})
    return redirect(reverse("web:pos", args=[store.pk]) + "#tabs")


# --- the receipt ---

def _payment_label(order: Order) -> str:
    pay = order.payments.filter(status__in=(PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED,
                                            PaymentStatus.REFUNDED)).order_by("created_at").first()
    if pay is None:
        return _("Not paid")
    if pay.provider == "cash":
        return _("Cash")
    if pay.card_last4:
        return _("Card ···%(last4)s") % {"last4": pay.card_last4}
    return _("Card")


@login_required
@domain_pages
def receipt(request: HttpRequest, order_id: Any) -> HttpResponse:
    """An 80 mm receipt of a store's order (staff of that store); ?format=pdf prints it as a PDF."""
    from zoneinfo import ZoneInfo

    order = Order.objects.select_related("store__merchant").filter(pk=as_uuid(order_id)).first()
    if order is None or order.store_id is None:
        raise NotFound()
    store, _m = store_for_staff(user=_staff(request), store_id=order.store_id)
    ticket = Ticket.objects.filter(order=order).select_related("table").first()
    zone = ZoneInfo(store.timezone)
    pdf = request.GET.get("format") == "pdf"
    context = {"order": order, "store": store, "lines": list(order.lines.all()), "ticket": ticket,
               "method": _payment_label(order), "when": timezone.localtime(order.paid_at or order.created_at, zone),
               "pdf": pdf, "paid": order.status in PAID_STATUSES}
    if pdf:
        return pdf_response(pdf_render(template="web/print/receipt.html", context=context, request=request),
                            filename=f"receipt-{order.number}.pdf")
    return render(request, "web/print/receipt.html", context)


# --- tables and their QR sheet ---

def _store_of_merchant(request: HttpRequest, merchant_id: Any, store_id: Any) -> Store:
    store, _m = store_for_staff(user=_staff(request), store_id=store_id, manage=True)
    if store.merchant_id != as_uuid(merchant_id):
        raise NotFound()
    return store


@login_required
@domain_pages
def store_tables(request: HttpRequest, merchant_id: Any, store_id: Any) -> HttpResponse:
    """A store's tables (owner or manager): add one; each links to the page its QR opens."""
    store = _store_of_merchant(request, merchant_id, store_id)
    errors: dict[str, str] = {}
    values = {"label": "", "seats": "4"}
    if request.method == "POST":
        values = {"label": request.POST.get("label", ""), "seats": request.POST.get("seats", "4")}
        try:
            seats = int(values["seats"])
        except ValueError:
            seats = 0
        try:
            table = table_create(user=_staff(request), store_id=store.pk, label=values["label"], seats=seats)
        except (NotFound, Forbidden):
            raise
        except DomainError as exc:
            errors = {k: str(v) for k, v in (exc.fields or {}).items()}
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Table %(t)s added.") % {"t": table.label})
            return redirect("web:store_tables", merchant_id=store.merchant_id, store_id=store.pk)
    _store, tables = tables_of_store(user=_staff(request), store_id=store.pk)
    rows = [{"table": t, "url": request.build_absolute_uri(TABLE_PATH % t.token)} for t in tables]
    return render(request, "web/kitchen/tables.html", {
        "merchant": store.merchant, "store": store, "rows": rows, "errors": errors, "values": values,
        "tabs": console_tabs(request, store.merchant)})


@login_required
@domain_pages
def tables_sheet(request: HttpRequest, merchant_id: Any, store_id: Any) -> HttpResponse:
    """An A4 sheet of the store's table QR codes, each the absolute URL of its table's page."""
    store = _store_of_merchant(request, merchant_id, store_id)
    _store, tables = tables_of_store(user=_staff(request), store_id=store.pk)
    cards = [{"title": t.label, "subtitle": _("Scan to order"),
              "payload": request.build_absolute_uri(TABLE_PATH % t.token),
              "note": f"{store.merchant.name} · {store.name}"} for t in tables]
    title = _("Tables of %(store)s") % {"store": store.name}
    pdf = pdf_render(template="web/print/tables.html", context={"sheet_title": title, "cards": cards, "store": store},
                     request=request)
    return pdf_response(pdf, filename=f"tables-{store.pk}.pdf")
