"""Ordering: menus and stock per store, pickup slots, tables and tabs, the kitchen queue, pickups by
code and walk-in sales at the counter (API.md "Ordering"; the rest is documented here)."""

from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import StrictInt

from o2o.api import idempotency
from o2o.api.auth import AUTH, me
from o2o.api.errors import ErrorOut
from o2o.api.schemas import OfferingOut, OrderLineIn, OrderOut
from o2o.api.serializers import json_safe, money, offering_out, order_out
from o2o.catalogue import products
from o2o.catalogue.models import Offering
from o2o.core.errors import Invalid
from o2o.core.money import Money
from o2o.members.cards import member_counter_sale
from o2o.merchants.access import as_uuid, merchant_for_staff, public_store, store_for_staff
from o2o.ordering import counter, kitchen, selectors, tables
from o2o.ordering.checkout import pickup_slots
from o2o.orders.enums import PAID_STATUSES

router = Router(tags=["ordering"], auth=AUTH)
_ERRORS = {400: ErrorOut, 401: ErrorOut, 402: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class SlotOut(Schema):
    start: Any
    end: Any
    capacity_left: int


class SlotsOut(Schema):
    slots: list[SlotOut]


@router.get("/stores/{store_id}/pickup-slots", response={200: SlotsOut, **_ERRORS})
def store_pickup_slots(request: HttpRequest, store_id: str, date: str, prep_minutes: int = 0):  # type: ignore[no-untyped-def]
    """The day's pickup slots still open (full, past and too-soon slots are left out). `prep_minutes`:
    the cart's longest prep time, when longer than the store's own notice."""
    store = public_store(store_id)
    slots = pickup_slots(store=store, day=date, prep_minutes=max(0, min(prep_minutes, 240)))
    return {"slots": [{"start": s.start, "end": s.end, "capacity_left": s.capacity_left} for s in slots]}


class MenuOut(Schema):
    store_id: Any
    sections: list[dict[str, Any]]


def menu_out(store: Any) -> dict[str, Any]:
    sections, items, stock = selectors.store_menu(store)
    by_section: dict[Any, list[dict[str, Any]]] = {}
    for o in items:
        row = stock[o.pk]
        by_section.setdefault(o.section_id, []).append({
            **offering_out(o), "store_quantity_left": row.quantity_left, "sold_out": not row.available})
    out = [{"id": s.pk, "title": s.title, "items": by_section.get(s.pk, [])} for s in sections if by_section.get(s.pk)]
    if by_section.get(None):
        out.append({"id": None, "title": "", "items": by_section[None]})
    return {"store_id": store.pk, "sections": out}


@router.get("/stores/{store_id}/menu", response={200: MenuOut, 404: ErrorOut}, auth=None)
def store_menu(request: HttpRequest, store_id: str):  # type: ignore[no-untyped-def]
    """The store's menu (no token needed, like the store page): its live products in the merchant's
    section order, each with this store's stock (`store_quantity_left`: null = unlimited) and `sold_out`."""
    return menu_out(public_store(store_id))


class SectionIn(Schema):
    title: str = Field(..., max_length=200)


class SectionsOrderIn(Schema):
    section_ids: list[str] = Field(..., max_length=200)


@router.post("/merchants/{merchant_id}/menu-sections", response={201: dict[str, Any], **_ERRORS})
def menu_section_create(request: HttpRequest, merchant_id: str, body: SectionIn):  # type: ignore[no-untyped-def]
    m, _ms = merchant_for_staff(user=request.user, merchant_id=merchant_id, manage=True)
    s = products.menu_section_create(merchant=m, actor=me(request), title=body.title)
    return Status(201, {"id": str(s.pk), "title": s.title, "position": s.position})


@router.put("/merchants/{merchant_id}/menu-sections/order", response={200: list[dict[str, Any]], **_ERRORS})
def menu_sections_order(request: HttpRequest, merchant_id: str, body: SectionsOrderIn):  # type: ignore[no-untyped-def]
    """Put every section of the menu in this order (each once, else 422)."""
    m, _ms = merchant_for_staff(user=request.user, merchant_id=merchant_id, manage=True)
    rows = products.menu_sections_order(merchant=m, actor=me(request), section_ids=body.section_ids)
    return [{"id": str(s.pk), "title": s.title, "position": s.position} for s in rows]


class ProductPatchIn(Schema):
    options: list[dict[str, Any]] | None = Field(None, max_length=8)
    section_id: str | None = Field(None, max_length=64)
    prep_minutes: StrictInt | None = None


@router.patch("/merchants/{merchant_id}/products/{offering_id}", response={200: OfferingOut, **_ERRORS})
def product_update(request: HttpRequest, merchant_id: str, offering_id: str, body: ProductPatchIn):  # type: ignore[no-untyped-def]
    """A product's option groups (replaced whole), menu section or prep time; orders keep their snapshot."""
    m, _ms = merchant_for_staff(user=request.user, merchant_id=merchant_id, manage=True)
    o = Offering.objects.filter(merchant=m, pk=as_uuid(offering_id)).first()
    if o is None:
        from o2o.core.errors import NotFound

        raise NotFound()
    sent = body.dict(exclude_unset=True)
    o = products.product_update(offering=o, actor=me(request), options=sent.get("options"),
                                section_id=sent["section_id"] if "section_id" in sent else ...,
                                prep_minutes=sent.get("prep_minutes"))
    return offering_out(o)


class StockIn(Schema):
    quantity: StrictInt | None = Field(None, description="null = unlimited (made to order); leave out to keep")
    sold_out: bool | None = None


@router.patch("/stores/{store_id}/stock/{offering_id}", response={200: dict[str, Any], **_ERRORS})
def store_stock_set(request: HttpRequest, store_id: str, offering_id: str, body: StockIn):  # type: ignore[no-untyped-def]
    """Set the store's count of a product and/or switch it sold out (staff of the store, clerks too:
    the kitchen runs out at lunch)."""
    store, _ms = store_for_staff(user=request.user, store_id=store_id)
    o = Offering.objects.filter(merchant_id=store.merchant_id, pk=as_uuid(offering_id)).first()
    if o is None:
        from o2o.core.errors import NotFound

        raise NotFound()
    sent = body.dict(exclude_unset=True)
    row = products.store_stock_set(offering=o, store=store, actor=me(request),
                                   quantity=sent["quantity"] if "quantity" in sent else ..., sold_out=sent.get("sold_out"))
    return {"store_id": str(store.pk), "offering_id": str(o.pk), "quantity_left": row.quantity_left,
            "sold_out": row.sold_out}


# --- the kitchen ---

def ticket_row(t: Any) -> dict[str, Any]:
    o = t.order
    return {"order_id": o.pk, "number": o.number, "kind": t.kind, "status": o.status,
            "fulfilment_status": o.fulfilment_status, "pickup_code": t.pickup_code or None,
            "slot_start": t.slot_start, "table": t.table.label if t.table_id else None,
            "pay_at_counter": t.pay_at_counter, "queued_at": t.queued_at, "total": money(o.total),
            "lines": [{"title": ln.title, "quantity": ln.quantity,
                       "options": [f"{x['name']}: {x['choice']}" for x in ln.options]} for ln in o.lines.all()]}


@router.get("/stores/{store_id}/kitchen", response={200: dict[str, Any], **_ERRORS})
def kitchen_queue(request: HttpRequest, response: HttpResponse, store_id: str):  # type: ignore[no-untyped-def]
    """The store's live order queue, oldest first (staff of the store)."""
    add_never_cache_headers(response)
    store, tickets = selectors.kitchen_queue(user=me(request), store_id=store_id)
    return {"store_id": str(store.pk), "orders": [ticket_row(t) for t in tickets]}


class RejectIn(Schema):
    reason: str = Field(..., max_length=400)


def _staff_order(request: HttpRequest, order: Any) -> dict[str, Any]:
    from o2o.orders.models import Order

    return order_out(Order.objects.get(pk=order.pk))


@router.post("/orders/{order_id}/accept", response={200: OrderOut, **_ERRORS})
def order_accept(request: HttpRequest, order_id: str):  # type: ignore[no-untyped-def]
    return _staff_order(request, kitchen.ticket_accept(user=me(request), order_id=order_id))


@router.post("/orders/{order_id}/ready", response={200: OrderOut, **_ERRORS})
def order_ready(request: HttpRequest, order_id: str):  # type: ignore[no-untyped-def]
    return _staff_order(request, kitchen.ticket_ready(user=me(request), order_id=order_id))


@router.post("/orders/{order_id}/hand-over", response={200: OrderOut, **_ERRORS})
def order_hand_over(request: HttpRequest, order_id: str):  # type: ignore[no-untyped-def]
    """Handed over (a pickup collected, a table's dishes served); again -> 409 already_collected."""
    return _staff_order(request, kitchen.ticket_hand_over(user=me(request), order_id=order_id))


@router.post("/orders/{order_id}/reject", response={200: OrderOut, **_ERRORS})
def order_reject(request: HttpRequest, order_id: str, body: RejectIn):  # type: ignore[no-untyped-def]
    """The kitchen cannot make it: a paid order is refunded in full, an unpaid one cancelled."""
    return _staff_order(request, kitchen.ticket_reject(user=me(request), order_id=order_id, reason=body.reason))


class PickupIn(Schema):
    store_id: str = Field(..., max_length=64)
    code: str = Field(..., max_length=40)


@router.post("/pickups", response={200: OrderOut, **_ERRORS})
def pickup_collect(request: HttpRequest, body: PickupIn):  # type: ignore[no-untyped-def]
    """Staff hand a pickup order over by its code (scanned or typed); again -> 409 already_collected;
    a code of another store of the merchant -> 409 wrong_store."""
    return _staff_order(request, kitchen.pickup_collect(user=me(request), store_id=body.store_id, code=body.code))


# --- tables and tabs ---

class TableIn(Schema):
    label: str = Field(..., max_length=40)
    seats: StrictInt = 4


TABLE_PATH = "/t/{token}/"  # the page a table's QR opens (web: table_menu)


def table_out(t: Any, request: HttpRequest | None = None) -> dict[str, Any]:
    path = TABLE_PATH.format(token=t.token)
    return {"id": str(t.pk), "label": t.label, "seats": t.seats, "token": t.token,
            "url": request.build_absolute_uri(path) if request is not None else path}


@router.post("/stores/{store_id}/tables", response={201: dict[str, Any], **_ERRORS})
def table_create(request: HttpRequest, store_id: str, body: TableIn):  # type: ignore[no-untyped-def]
    t = tables.table_create(user=me(request), store_id=store_id, label=body.label, seats=body.seats)
    return Status(201, table_out(t, request))


@router.get("/stores/{store_id}/tables", response={200: dict[str, Any], **_ERRORS})
def table_list(request: HttpRequest, store_id: str):  # type: ignore[no-untyped-def]
    store, rows = tables.tables_of_store(user=me(request), store_id=store_id)
    return {"store_id": str(store.pk), "tables": [table_out(t, request) for t in rows]}


@router.get("/tables/{token}", response={200: dict[str, Any], 404: ErrorOut}, auth=None)
def table_get(request: HttpRequest, token: str):  # type: ignore[no-untyped-def]
    """What a table's QR opens: the table and its store's menu (no token needed)."""
    t = tables.table_by_token(token)
    return {"table_id": str(t.pk), "label": t.label, "store": {"id": str(t.store_id), "name": t.store.name},
            "menu": menu_out(t.store)}


def tab_out(tab: Any) -> dict[str, Any]:
    orders = tables.tab_orders(tab)
    due = [o for o in orders if o.status not in PAID_STATUSES]
    currency = orders[0].currency if orders else "CNY"
    return {"id": str(tab.pk), "table": tab.table.label, "status": tab.status,
            "orders": [{"id": str(o.pk), "number": o.number, "status": o.status, "total": money(o.total),
                        "fulfilment_status": o.fulfilment_status} for o in orders],
            "due": money(Money(sum((o.total_amount for o in due), Decimal("0.00")), currency))}


@router.get("/tabs/{tab_id}", response={200: dict[str, Any], **_ERRORS})
def tab_get(request: HttpRequest, tab_id: str):  # type: ignore[no-untyped-def]
    return tab_out(tables.tab_for_staff(user=me(request), tab_id=tab_id))


class PaymentIn(Schema):
    method: str = Field(..., max_length=10, description="cash or card")
    card_number: str | None = Field(None, max_length=40)


@router.post("/tabs/{tab_id}/close", response={200: dict[str, Any], **_ERRORS})
def tab_close(request: HttpRequest, tab_id: str, body: PaymentIn):  # type: ignore[no-untyped-def]
    """The clerk takes cash or a card for what the table did not pay online, and closes the tab."""
    tab, _paid = tables.tab_close(user=me(request), tab_id=tab_id, method=body.method, card_number=body.card_number)
    return tab_out(tab)


class SaleIn(Schema):
    lines: list[OrderLineIn] = Field(..., max_length=50)
    payment: PaymentIn
    member_card: str | None = Field(None, max_length=4096, description=(
        "the customer's member card QR as scanned: the sale earns its points for that customer"))
    points: StrictInt | None = Field(None, description=(
        "with member_card: points to spend on the sale (an adjustment line); 409 not_enough_points"))


@router.post("/stores/{store_id}/sales", response={200: OrderOut, 201: OrderOut, **_ERRORS})
def counter_sale(request: HttpRequest, store_id: str, body: SaleIn):  # type: ignore[no-untyped-def]
    """A walk-in sale at the counter (staff of the store), drawn from the same stock as online orders;
    Idempotency-Key honoured (a double tap rings up one sale)."""
    raw = body.dict()
    for perk in ("member_card", "points"):  # new optional fields: absent from the idempotency body when not sent
        if raw.get(perk) is None:
            raw.pop(perk, None)

    def work():  # type: ignore[no-untyped-def]
        from o2o.orders.models import Order

        if "member_card" in raw:
            order, card, earned = member_counter_sale(user=me(request), store_id=store_id, lines=raw["lines"],
                                                      payment=raw["payment"], member_card=raw["member_card"],
                                                      points=raw.get("points"))
            out = order_out(Order.objects.get(pk=order.pk))
            out["member"] = {"card_id": card.pk, "points": card.balance, "earned": earned}
            return 201, json_safe(out)
        if "points" in raw:
            raise Invalid(_("Scan the member card to spend points."), fields={"member_card": _("required with points")})
        order = counter.counter_sale_create(user=me(request), store_id=store_id, lines=raw["lines"],
                                            payment=raw["payment"])
        return 201, json_safe(order_out(Order.objects.get(pk=order.pk)))

    status, out = idempotency.run(request, endpoint=f"stores.sales:{store_id}",
                                  body={**raw, "payment": {"method": raw["payment"]["method"],
                                                           "card": (raw["payment"].get("card_number") or "")[-4:]}},
                                  work=work, replay_status=lambda s: 200 if s == 201 else s)
    return Status(status, out)



