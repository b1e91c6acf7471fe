"""Appointments: bookable services' slots, bookings, cancel and check-in, and the resources booked with
services (API.md "Appointments"; the rest is documented here). Services themselves are created through
`POST /merchants/{id}/offerings` with `kind: "service"` (the merchants router hands them to the bookings app).

Error codes: 409 `slot_full` (no seat left), `slot_unavailable` (past, sooner than the service's notice,
beyond its horizon, or not one of its slots), `resource_busy` (a teacher, room, stylist or agent booked with
it is held by another booking then), `cancel_window_closed` (later than the service's cancellation window),
`not_cancellable` (already cancelled, checked in or a no-show), `reschedule_window_closed`,
`not_reschedulable` (moving a booking), `already_checked_in`, `check_in_closed`
(cancelled, more than two hours before the start or after the end), `idempotency_in_progress`; the
waitlist's `slot_open` (seats left: book it), `already_waiting`, `already_booked`, `not_offered`,
`offer_expired`, `not_waiting`; payment (services with `prepay` deposit or full): 402 `payment_declined` (and the
card's own codes), 409 `already_paid`, `nothing_to_pay` (paid at the store), `not_payable` (the booking is no
longer booked), `not_paid` (check-in of a booking not paid yet), `booking_live` (refunding its order directly:
cancel the booking instead), `not_started` (a no-show marked before the start); 422
`validation_error` / `invalid` with `fields` for a malformed time or date, `idempotency_mismatch`; 404 for
someone else's booking, another merchant's booking at check-in, an unknown or unbookable service; 403
`forbidden` for a clerk checking in at a store not assigned to them.
"""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from ninja import Field, Router, Schema, Status

from o2o.api import idempotency
from o2o.api.auth import AUTH, me
from o2o.api.errors import ErrorOut
from o2o.api.serializers import json_safe, money
from o2o.bookings import reschedule, selectors, services, waitlist
from o2o.bookings.models import Booking, Resource, WaitlistEntry
from o2o.bookings.payment import is_paid, pay_now
from o2o.core.money import Money
from o2o.merchants.access import as_uuid, merchant_for_staff, store_for_staff
from o2o.vouchers import signing

router = Router(tags=["bookings"], auth=AUTH)
_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _local(at: datetime | None, tz: str) -> datetime | None:
    """An instant in the store's own timezone: ISO 8601 with the offset people there read."""
    return at.astimezone(ZoneInfo(tz)) if at is not None else None


class ServiceSlotOut(Schema):
    start: datetime
    end: datetime
    capacity_left: int
    store_id: Any = Field(None, description="the store the slot is at (a service may be offered at several)")


class ServiceSlotsOut(Schema):
    slots: list[ServiceSlotOut]


@router.get("/offerings/{offering_id}/slots", response={200: ServiceSlotsOut, **_ERRORS})
def service_slots(request: HttpRequest, offering_id: str, date: str, store_id: str | None = None):  # type: ignore[no-untyped-def]
    """A bookable service's slots on `date` (YYYY-MM-DD, each store's own calendar day) that can still be
    booked: past, too-soon (the service's `lead_minutes`), beyond its `horizon_days`, full and resource-busy
    slots are left out. Times are ISO 8601 with the store's offset. `store_id` narrows to one store."""
    service = selectors.live_service(offering_id)
    day = selectors.parse_day(date)
    services.offers_expire_due(offering_id=service.offering_id)  # seats offered too long ago pass on first
    stores = selectors.service_stores(service)
    if store_id is not None:
        wanted = as_uuid(store_id)
        stores = [s for s in stores if s.pk == wanted]
    tz = {s.pk: s.timezone for s in stores}
    slots = selectors.open_slots(service=service, day=day, stores=stores)
    return {"slots": [{"start": _local(s.start, tz[s.store_id]), "end": _local(s.end, tz[s.store_id]),
                       "capacity_left": s.capacity_left, "store_id": s.store_id} for s in slots]}


class BookingIn(Schema):
    offering_id: str = Field(..., max_length=64)
    start: str = Field(..., max_length=64, description="a slot's start, ISO 8601 with offset")
    store_id: str | None = Field(None, max_length=64, description=(
        "optional: the store; without it the service's first store (oldest) that has a slot then"))


class BookingPaymentOut(Schema):
    prepay: str = Field(..., description="none (paid at the store), deposit or full")
    status: str = Field(..., description=(
        "at_store (nothing online), awaiting_payment, paid, partially_refunded, refunded, expired or cancelled"))
    order_id: Any = Field(None, description="the order that pays for it (fulfilment booking)")
    due_now: dict[str, Any] | None = Field(None, description="what POST /bookings/{id}/pay charges (while unpaid)")
    pay_by: Any = Field(None, description="unpaid, the booking is cancelled at this time (its payment hold)")
    paid: dict[str, Any] | None = None
    refunded: dict[str, Any] | None = None
    kept: dict[str, Any] | None = Field(None, description="what the merchant kept (a late cancellation, a no-show)")


class BookingOut(Schema):
    id: Any
    status: str = Field(..., description="booked, checked_in, cancelled or no_show")
    start: Any
    end: Any
    offering_id: Any
    store_id: Any
    title: str
    price: dict[str, Any]
    cancel_until: Any = Field(None, description="the customer may cancel until then")
    checked_in_at: Any = None
    cancelled_at: Any = None
    no_show_at: Any = None
    created_at: Any = None
    payment: BookingPaymentOut | None = None
    qr_payload: str | None = Field(None, description=(
        "the customer's own booking, booked and paid as its service asks: the QR to show at the door "
        "(signed like vouchers: {kid, typ: booking, bid, mid, sid, exp}; POST /stores/{id}/bookings/scan)"))


class BookingListOut(Schema):
    results: list[BookingOut]


def payment_out(b: Booking) -> dict[str, Any]:
    order = b.order
    if order is None:
        return {"prepay": b.prepay, "status": "at_store"}
    status = order.status
    if status == "awaiting_payment" and order.expires_at <= timezone.now():
        status = "expired"
    purpose, amount = pay_now(b)
    cur = order.currency
    refunded = order.refunded_amount
    paid_in = order.paid_amount + refunded  # what was captured (paid_amount is what is still held)
    return {
        "prepay": b.prepay, "status": status, "order_id": order.pk,
        "due_now": money(Money(amount if amount is not None else order.total_amount, cur))
        if status == "awaiting_payment" else None,
        "pay_by": _local(order.expires_at, b.store.timezone) if status == "awaiting_payment" else None,
        "paid": money(Money(paid_in, cur)), "refunded": money(Money(refunded, cur)),
        "kept": money(Money(order.paid_amount, cur)) if b.status in ("cancelled", "no_show") else None,
    }


def booking_out(b: Booking) -> dict[str, Any]:
    tz = b.store.timezone
    return {"id": b.pk, "status": b.status, "start": _local(b.start, tz), "end": _local(b.end, tz),
            "offering_id": b.offering_id, "store_id": b.store_id, "title": b.title, "price": money(b.price),
            "cancel_until": _local(b.cancel_until, tz), "checked_in_at": _local(b.checked_in_at, tz),
            "cancelled_at": _local(b.cancelled_at, tz), "no_show_at": _local(b.no_show_at, tz),
            "created_at": b.created_at, "payment": payment_out(b)}


def booking_qr(b: Booking) -> str | None:
    """The booking's signed pass while it can be checked in with (booked and paid as its service asks)."""
    if b.status != "booked" or not is_paid(b):
        return None
    return signing.sign(services.booking_pass_payload(b))


def mine_out(b: Booking) -> dict[str, Any]:
    """booking_out with the customer's QR."""
    return {**booking_out(b), "qr_payload": booking_qr(b)}


def _one(booking_id: Any, *, mine: bool = True) -> dict[str, Any]:
    b = Booking.objects.select_related("store", "order", "offering").get(pk=booking_id)
    return mine_out(b) if mine else booking_out(b)


@router.post("/bookings", response={200: BookingOut, 201: BookingOut, **_ERRORS})
def booking_create(request: HttpRequest, body: BookingIn):  # type: ignore[no-untyped-def]
    """Book a seat of a service's slot. With `Idempotency-Key` a repeat answers the same booking (200), the
    same key with another body -> 422 `idempotency_mismatch`. 409 `slot_full`, `slot_unavailable`,
    `resource_busy`; 422 for a malformed time."""
    raw = body.dict()

    def work():  # type: ignore[no-untyped-def]
        booking = services.booking_create(customer=me(request), offering_id=raw["offering_id"], start=raw["start"],
                                          store_id=raw["store_id"])
        return 201, json_safe(mine_out(booking))

    status, out = idempotency.run(request, endpoint="bookings.create", body=raw, work=work,
                                  replay_status=lambda s: 200 if s == 201 else s)
    return Status(status, out)


@router.get("/bookings", response={200: BookingListOut, 401: ErrorOut})
def booking_list(request: HttpRequest, response: HttpResponse):  # type: ignore[no-untyped-def]
    """The signed-in customer's bookings, the latest start first (at most 100)."""
    add_never_cache_headers(response)
    return {"results": [mine_out(b) for b in selectors.bookings_of_customer(me(request))[:100]]}


@router.get("/bookings/{booking_id}", response={200: BookingOut, **_ERRORS})
def booking_get(request: HttpRequest, response: HttpResponse, booking_id: str):  # type: ignore[no-untyped-def]
    """One of the customer's bookings (someone else's -> 404)."""
    add_never_cache_headers(response)
    return mine_out(selectors.booking_for_customer(customer=me(request), booking_id=booking_id))


@router.post("/bookings/{booking_id}/cancel", response={200: BookingOut, **_ERRORS})
def booking_cancel(request: HttpRequest, booking_id: str):  # type: ignore[no-untyped-def]
    """The customer cancels up to `cancel_until` and the seat is free again. Someone else's booking -> 404;
    later -> 409 `cancel_window_closed`; cancelled or checked in already -> 409 `not_cancellable`."""
    booking = services.booking_cancel(customer=me(request), booking_id=booking_id)
    return _one(booking.pk)


class RescheduleIn(Schema):
    start: str = Field(..., max_length=64, description="another slot's start of the same service and store, ISO 8601 "
                                                        "with offset")


@router.post("/bookings/{booking_id}/reschedule", response={200: BookingOut, **_ERRORS})
def booking_reschedule(request: HttpRequest, booking_id: str, body: RescheduleIn):  # type: ignore[no-untyped-def]
    """The customer moves their booking to another slot of the same service at the same store, up to
    `cancel_until` (which then follows the new time); what was paid stays with it. If the new slot has no
    seat (409 `slot_full`) or a resource is busy then (`resource_busy`) the booking keeps its time. Someone
    else's booking -> 404; later -> 409 `reschedule_window_closed`; cancelled, checked in or a no-show ->
    409 `not_reschedulable`; `slot_unavailable` as when booking; 422 for a malformed time or its own time."""
    booking = reschedule.booking_reschedule(customer=me(request), booking_id=booking_id, start=body.start)
    return _one(booking.pk)


@router.post("/bookings/{booking_id}/check-in", response={200: BookingOut, **_ERRORS})
def booking_check_in(request: HttpRequest, booking_id: str):  # type: ignore[no-untyped-def]
    """Staff of the booking's store check the customer in (from two hours before the start to its end).
    Another merchant's booking -> 404; a clerk of another store -> 403; again -> 409 `already_checked_in`;
    cancelled, too early or over -> 409 `check_in_closed`."""
    booking = services.booking_check_in(user=me(request), booking_id=booking_id)
    return _one(booking.pk, mine=False)


class ScanIn(Schema):
    qr_payload: str = Field(..., max_length=4096, description="the text of the booking's QR as scanned")


@router.post("/stores/{store_id}/bookings/scan", response={200: BookingOut, **_ERRORS})
def booking_scan(request: HttpRequest, store_id: str, body: ScanIn):  # type: ignore[no-untyped-def]
    """Check in at the door by scanning the customer's booking QR (staff of the store), as the counter scans
    vouchers and member cards. 400 `invalid_signature` (forged or altered), `invalid_booking_pass` (a genuine
    QR that is not a booking's); 409 `wrong_store` (a booking at another store of the merchant), then
    check-in's codes (`already_checked_in`, `check_in_closed`, `not_paid`); another merchant's -> 404."""
    store_for_staff(user=request.user, store_id=store_id)  # 404/403 before the QR is read
    payload = signing.verify(body.qr_payload)
    booking = services.booking_check_in_by_pass(user=me(request), store_id=store_id, payload=payload)
    return _one(booking.pk, mine=False)


class BookingPayIn(Schema):
    """Sandbox cards as for orders (POST /orders/{id}/pay): 4242424242424242 succeeds, 4000000000000002 -> 402."""

    provider: str = Field("sandbox", max_length=32)
    card_number: str = Field("", max_length=32, examples=["4242424242424242"])
    exp_month: int | str | None = None
    exp_year: int | str | None = None
    cvc: str | None = Field(None, max_length=8)


@router.post("/bookings/{booking_id}/pay", response={200: BookingOut, 402: ErrorOut, **_ERRORS})
def booking_pay(request: HttpRequest, booking_id: str, body: BookingPayIn):  # type: ignore[no-untyped-def]
    """Pay what the service asks online (`payment.due_now`: its deposit or its price) before `payment.pay_by`;
    then `payment.status` is `paid`. `Idempotency-Key` honoured. 402 `payment_declined` (the booking stays
    unpaid), 409 `already_paid`, `nothing_to_pay`, `not_payable`, `order_expired` (too late: the booking was
    cancelled and its seat freed)."""
    selectors.booking_for_customer(customer=me(request), booking_id=booking_id)  # 404 before anything else
    raw = body.dict()

    def work():  # type: ignore[no-untyped-def]
        booking = services.booking_pay(customer=me(request), booking_id=booking_id, provider=raw["provider"],
                                       details={k: raw[k] for k in ("card_number", "exp_month", "exp_year", "cvc")
                                                if raw.get(k) is not None})
        return 200, json_safe(_one(booking.pk))

    status, out = idempotency.run(request, endpoint=f"bookings.pay:{booking_id}",
                                  body={"provider": raw["provider"], "card": raw["card_number"][-4:]}, work=work)
    return Status(status, out)


@router.post("/bookings/{booking_id}/no-show", response={200: BookingOut, **_ERRORS})
def booking_no_show(request: HttpRequest, booking_id: str):  # type: ignore[no-untyped-def]
    """Staff of the booking's store mark that the customer did not come (from the start): the service's no-show
    fee is kept of what was paid (all of it without a fee), the rest is refunded. 409 `not_started`,
    `check_in_closed` (not booked); another merchant's booking -> 404; a clerk of another store -> 403."""
    booking = services.booking_no_show(user=me(request), booking_id=booking_id)
    return _one(booking.pk, mine=False)


@router.get("/stores/{store_id}/bookings", response={200: BookingListOut, **_ERRORS})
def store_bookings(request: HttpRequest, response: HttpResponse, store_id: str, date: str):  # type: ignore[no-untyped-def]
    """A store's bookings on `date` (the store's calendar day), for its staff: the door's list."""
    add_never_cache_headers(response)
    store, _membership = store_for_staff(user=request.user, store_id=store_id)
    day = selectors.parse_day(date)
    return {"results": [booking_out(b) for b in selectors.bookings_of_store_day(store=store, day=day)]}


class ResourceIn(Schema):
    name: str = Field(..., max_length=200)
    kind: str = Field("other", max_length=20, description="teacher, room, stylist, agent or other")


class ResourceOut(Schema):
    id: Any
    name: str
    kind: str
    active: bool


def resource_out(r: Resource) -> dict[str, Any]:
    return {"id": r.pk, "name": r.name, "kind": r.kind, "active": r.active}


@router.post("/merchants/{merchant_id}/resources", response={201: ResourceOut, **_ERRORS})
def resource_create(request: HttpRequest, merchant_id: str, body: ResourceIn):  # type: ignore[no-untyped-def]
    """A resource booked with services (owner and managers): never in two bookings' times at once, across
    all the merchant's services. Give its id in a service's `resource_ids`."""
    m, _membership = merchant_for_staff(user=request.user, merchant_id=merchant_id, manage=True)
    return Status(201, resource_out(services.resource_create(merchant=m, actor=me(request), name=body.name,
                                                             kind=body.kind)))


@router.get("/merchants/{merchant_id}/resources", response={200: list[ResourceOut], **_ERRORS})
def resource_list(request: HttpRequest, merchant_id: str):  # type: ignore[no-untyped-def]
    m, _membership = merchant_for_staff(user=request.user, merchant_id=merchant_id)
    return [resource_out(r) for r in Resource.objects.filter(merchant=m)]


class WaitlistIn(Schema):
    offering_id: str = Field(..., max_length=64)
    start: str = Field(..., max_length=64, description="the full slot's start, ISO 8601 with offset")
    store_id: str | None = Field(None, max_length=64)


class WaitlistOut(Schema):
    id: Any
    status: str = Field(..., description="waiting, offered, booked, expired or left")
    offering_id: Any
    store_id: Any
    start: Any
    end: Any
    position: int | None = Field(None, description="1 = next to be offered a freed seat (while waiting)")
    offered_until: Any = Field(None, description="while offered: take the seat before then")
    booking_id: Any = None


class WaitlistListOut(Schema):
    results: list[WaitlistOut]


def waitlist_out(e: WaitlistEntry) -> dict[str, Any]:
    tz = e.hold.store.timezone
    return {"id": e.pk, "status": e.status, "offering_id": e.hold.offering_id, "store_id": e.hold.store_id,
            "start": _local(e.hold.start, tz), "end": _local(e.hold.end, tz), "position": waitlist.position(e),
            "offered_until": _local(e.offered_until, tz), "booking_id": e.booking_id}


def _entry(request: HttpRequest, entry_id: Any) -> dict[str, Any]:
    return waitlist_out(waitlist.entries_of_customer(me(request)).get(pk=entry_id))


@router.post("/waitlist", response={201: WaitlistOut, **_ERRORS})
def waitlist_join(request: HttpRequest, body: WaitlistIn):  # type: ignore[no-untyped-def]
    """Queue for a full slot. When a seat is freed the first in line is offered it for 30 minutes (never
    past the start): the seat is kept for them meanwhile; then it passes to the next. 409 `slot_open` when
    a seat is left (book it), `already_waiting`, `already_booked`, and the booking's slot errors."""
    entry = waitlist.waitlist_join(customer=me(request), offering_id=body.offering_id, start=body.start,
                                   store_id=body.store_id)
    return Status(201, _entry(request, entry.pk))


@router.get("/waitlist", response={200: WaitlistListOut, 401: ErrorOut})
def waitlist_list(request: HttpRequest, response: HttpResponse):  # type: ignore[no-untyped-def]
    """The customer's waitlist entries, newest first (an offer shows `status: offered` and `offered_until`)."""
    add_never_cache_headers(response)
    return {"results": [waitlist_out(e) for e in waitlist.entries_of_customer(me(request))[:100]]}


@router.post("/waitlist/{entry_id}/take", response={201: BookingOut, **_ERRORS})
def waitlist_take(request: HttpRequest, entry_id: str):  # type: ignore[no-untyped-def]
    """Take the seat offered: 201 the booking. 409 `not_offered` (still waiting, or left), `offer_expired`
    (too late: the seat went on), `resource_busy`; someone else's entry -> 404."""
    booking = waitlist.waitlist_take(customer=me(request), entry_id=entry_id)
    return Status(201, _one(booking.pk))


@router.post("/waitlist/{entry_id}/leave", response={200: WaitlistOut, **_ERRORS})
def waitlist_leave(request: HttpRequest, entry_id: str):  # type: ignore[no-untyped-def]
    """Leave the waitlist; a seat offered to you goes to the next in line at once. 409 `not_waiting`."""
    entry = waitlist.waitlist_leave(customer=me(request), entry_id=entry_id)
    return _entry(request, entry.pk)
