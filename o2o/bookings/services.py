"""Writes of the bookings app: services, resources, bookings (create, cancel, check in), all transactional.

A booking takes, in one transaction and in this order (the same order everywhere, so no deadlock):
1. its slot hold row (created once per service, store and start; locked, so bookings of one slot queue),
2. a seat: capacity_take on "service:<offering>:<store>" at the slot's start (conditional UPDATE),
3. the first live booking of a slot also takes the service's resources for the slot's span
   (capacity_take_span: capacity 1 in each 5-minute cell, keys in sorted order).
Any refusal raises and the rollback gives back whatever was taken. A cancel gives the seat back and, when
it was the slot's last live booking, the resources too.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from o2o.accounts.models import User
from o2o.audit.services import audit_record
from o2o.bookings.enums import (
    BOOKING_TRANSITIONS,
    LIVE_STATUSES,
    WAITLIST_TRANSITIONS,
    BookingStatus,
    Prepay,
    ResourceKind,
    WaitlistStatus,
)
from o2o.bookings.errors import (
    AlreadyCheckedIn,
    CancelWindowClosed,
    CheckInClosed,
    InvalidBookingPass,
    NotCancellable,
    NothingToPay,
    NotPaid,
    NotStarted,
    ResourceBusy,
    SlotFull,
    SlotUnavailable,
    WrongStore,
)
from o2o.bookings.models import (
    Booking,
    BookingEvent,
    Resource,
    Service,
    SlotHold,
    WaitlistEntry,
    WaitlistEvent,
    seat_key,
)
from o2o.bookings.payment import booking_order_create, booking_settle, pay_now, payment_rules
from o2o.bookings.rules import bookable, slot_at, validate_exceptions, validate_schedule
from o2o.bookings.selectors import live_service, resource_keys, service_stores
from o2o.capacity.services import capacity_release, capacity_release_span, capacity_take, capacity_take_span
from o2o.catalogue.enums import OfferingKind, OfferingStatus
from o2o.catalogue.models import Offering
from o2o.catalogue.services import _int, offering_create
from o2o.core.errors import Invalid, NotFound
from o2o.core.events import EventKind, event_append
from o2o.core.state import transition
from o2o.merchants.access import as_uuid, store_for_staff
from o2o.merchants.models import Merchant, Store
from o2o.merchants.services import _text
from o2o.orders.enums import PAID_STATUSES
from o2o.orders.models import Order
from o2o.orders.services import order_fulfilment_move
from o2o.payments.ledger import refunds_send
from o2o.payments.services import order_pay

CHECK_IN_EARLY = timedelta(hours=2)  # the door lets people in from two hours before their start


def _resources(merchant: Merchant, ids: Any) -> list[Resource]:
    if ids is None:
        return []
    if not isinstance(ids, list | tuple):
        raise Invalid(_("Some fields are not valid."), fields={"resource_ids": _("Give a list of resource ids.")})
    wanted = set()
    for r in ids:
        try:
            wanted.add(as_uuid(r))
        except NotFound:
            raise Invalid(_("Unknown resource."), fields={"resource_ids": str(r)[:64]}) from None
    found = list(Resource.objects.filter(merchant=merchant, pk__in=wanted, active=True))
    if len(found) != len(wanted):
        raise Invalid(_("Unknown resource."), fields={"resource_ids": _("Choose resources of this merchant only.")})
    return found


@transaction.atomic
def service_create(
    *, merchant: Merchant, actor: User, title: Any, description: Any = "", price: Any, duration_minutes: Any,
    capacity: Any, store_ids: Any, schedule: Any, status: str = OfferingStatus.DRAFT, exceptions: Any = None,
    lead_minutes: Any = 60, horizon_days: Any = 60, cancel_minutes: Any = 120, resource_ids: Any = None,
    prepay: Any = Prepay.NONE, deposit: Any = None, late_cancel_keep_percent: Any = None, no_show_fee: Any = None,
) -> Offering:
    """A bookable service: an offering of kind "service" (catalogue's rules for title, price, stores and
    status) with its booking side. Durations and schedule times sit on the 5-minute grid. What is paid
    online and kept on a late cancellation or a no-show: bookings.payment.payment_rules."""
    duration = _int(duration_minutes, "duration_minutes", lo=5, hi=24 * 60)
    if duration % 5:
        raise Invalid(_("Some fields are not valid."), fields={"duration_minutes": _("Use a multiple of 5 minutes.")})
    seats = _int(capacity, "capacity", lo=1, hi=10_000)
    lead = _int(lead_minutes, "lead_minutes", lo=0, hi=60 * 24 * 60)
    horizon = _int(horizon_days, "horizon_days", lo=1, hi=730)
    cancel = _int(cancel_minutes, "cancel_minutes", lo=0, hi=60 * 24 * 60)
    hours = validate_schedule(schedule)
    special = validate_exceptions(exceptions)
    if not isinstance(store_ids, list | tuple) or not store_ids:
        raise Invalid(_("Say where the service is offered."), fields={"store_ids": _("Choose at least one store.")})
    resources = _resources(merchant, resource_ids)
    offering = offering_create(merchant=merchant, actor=actor, kind=OfferingKind.SERVICE, title=title,
                               description=description, price=price, quantity_total=seats,
                               redeemable_store_ids=list(store_ids), status=status)
    rules = payment_rules(price=offering.price, prepay=prepay, deposit=deposit,
                          late_cancel_keep_percent=late_cancel_keep_percent, no_show_fee=no_show_fee)
    service = Service.objects.create(offering=offering, duration_minutes=duration, capacity=seats, schedule=hours,
                                     exceptions=special, lead_minutes=lead, horizon_days=horizon,
                                     cancel_minutes=cancel, prepay=rules.prepay, deposit_amount=rules.deposit,
                                     late_cancel_keep_percent=rules.late_cancel_keep_percent,
                                     no_show_fee_amount=rules.no_show_fee)
    service.resources.set(resources)
    audit_record(actor=actor, action="service.create", obj=offering,
                 summary=f"“{offering.title}” {duration} min × {seats} seats at {len(store_ids)} store(s)")
    return offering


def resource_create(*, merchant: Merchant, actor: User, name: Any, kind: Any = ResourceKind.OTHER) -> Resource:
    name = _text(name, "name", max_len=80)
    if kind not in ResourceKind.values:
        raise Invalid(_("Unknown kind."), fields={"kind": ", ".join(ResourceKind.values)})
    resource = Resource.objects.create(merchant=merchant, name=name, kind=kind)
    audit_record(actor=actor, action="resource.create", obj=resource, summary=f"{kind} “{name}”")
    return resource


def booking_move(*, booking: Booking, to: str, actor: Any = None, reason: str = "",
                 extra: dict[str, Any] | None = None, now: datetime | None = None) -> Booking:
    """The one setter of Booking.status: BOOKING_TRANSITIONS, conditional on the current status, with its
    event row."""
    transition(obj=booking, to=to, table=BOOKING_TRANSITIONS, event_model=BookingEvent, event_fk="booking",
               actor=actor, reason=reason, extra=extra, now=now)
    if to == BookingStatus.CHECKED_IN:
        booking_event_append(booking, EventKind.CHECKED_IN, at=now)
    return booking


def booking_event_append(booking: Booking, kind: str, *, at: datetime | None = None) -> None:
    """The event stream's row of a booking's step (booked, checked in): its merchant, store and service,
    with the seat's price."""
    event_append(kind=kind, merchant_id=booking.offering.merchant_id, at=at, store_id=booking.store_id,
                 customer_id=booking.customer_id, offering_id=booking.offering_id, amount=booking.price_amount,
                 currency=booking.currency, data={"booking_id": str(booking.pk)})


def parse_start(value: Any, field: str = "start") -> datetime:
    if isinstance(value, datetime):
        parsed: datetime | None = value
    else:
        try:
            parsed = parse_datetime(value) if isinstance(value, str) else None
        except ValueError:
            parsed = None
    if parsed is None or parsed.tzinfo is None or parsed.utcoffset() is None:
        raise Invalid(_("Give a time with its offset, as 2026-12-03T10:00:00+08:00."), fields={field: _("ISO 8601 time")})
    return parsed.astimezone(UTC)


def ensure_hold(*, service: Service, store_id: Any, start: datetime, end: datetime) -> Any:
    """The slot's hold rows (one), created on the slot's first booking; not locked."""
    rows = SlotHold.objects.filter(offering_id=service.offering_id, store_id=store_id, start=start)
    if not rows.exists():
        try:
            with transaction.atomic():
                SlotHold.objects.create(offering_id=service.offering_id, store_id=store_id, start=start, end=end)
        except IntegrityError:
            pass  # another booker created it first (on PostgreSQL after its commit)
    return rows


def lock_hold(*, service: Service, store_id: Any, start: datetime, end: datetime) -> SlotHold:
    """The slot's hold row, created on the slot's first booking, locked for this transaction."""
    return ensure_hold(service=service, store_id=store_id, start=start, end=end).select_for_update().get()


def slot_for(*, offering_id: Any, start: Any, store_id: Any = None, now: datetime
             ) -> tuple[Service, Store, datetime, datetime]:
    """The service, store and slot (start, end) a customer asks for, if it may be booked now (422 when the
    time is malformed, slot_unavailable when past, too soon, too far ahead or not a slot of its schedule).
    `store_id` picks the store; without it, the first of the service's stores (oldest first) that has a
    slot at that time."""
    when = parse_start(start)
    service = live_service(offering_id)
    stores = service_stores(service)
    if store_id is not None:
        wanted = as_uuid(store_id)
        stores = [s for s in stores if s.pk == wanted]
        if not stores:
            raise NotFound(_("This service is not offered at that store."), fields={"store_id": str(store_id)})
    found: tuple[Store, tuple[datetime, datetime]] | None = None
    for store in stores:
        slot = slot_at(schedule=service.schedule, exceptions=service.exceptions, tz=store.timezone, start=when,
                       duration_minutes=service.duration_minutes, closed_dates=store.closed_dates or ())
        if slot is not None:
            found = (store, slot)
            break
    if found is None:
        raise SlotUnavailable(_("%(title)s has no slot starting then; please pick one of its slots.")
                              % {"title": service.offering.title}, fields={"start": str(start)[:40]})
    store, (slot_start, slot_end) = found
    if not bookable(start=slot_start, now=now, lead_minutes=service.lead_minutes, horizon_days=service.horizon_days):
        if slot_start < now + timedelta(minutes=service.lead_minutes):
            message = _("This time is already past or too soon (book at least %(n)d minutes ahead).") % {
                "n": service.lead_minutes}
        else:
            message = _("This time is too far ahead (bookings open %(n)d days ahead).") % {"n": service.horizon_days}
        raise SlotUnavailable(message, fields={"start": str(start)[:40]})
    return service, store, slot_start, slot_end


def take_resources(*, hold: SlotHold, service: Service, now: datetime) -> None:
    """Under the hold's lock: the slot's first live booking takes the service's resources for its span."""
    if hold.resources_held:
        return
    keys = resource_keys(service)
    for key in keys:
        if not capacity_take_span(resource=key, start=hold.start, end=hold.end):
            raise ResourceBusy()
    if keys:
        SlotHold.objects.filter(pk=hold.pk).update(resources_held=True, resource_keys=keys, updated_at=now)
        hold.resources_held, hold.resource_keys = True, keys


def new_booking(*, customer: User, service: Service, store: Store, hold: SlotHold, reason: str = "created",
                now: datetime | None = None) -> Booking:
    """The booking row, its event and, for a service paid online, its order awaiting payment."""
    offering = service.offering
    booking = Booking.objects.create(
        customer=customer, offering=offering, store=store, hold=hold, start=hold.start, end=hold.end,
        title=offering.title, price_amount=offering.price_amount, currency=offering.currency,
        cancel_until=hold.start - timedelta(minutes=service.cancel_minutes), prepay=service.prepay,
        late_cancel_keep_percent=service.late_cancel_keep_percent, no_show_fee_amount=service.no_show_fee_amount)
    booking_order_create(booking=booking, service=service, now=now or timezone.now())
    BookingEvent.objects.create(booking=booking, actor=customer, from_status="", to_status=BookingStatus.BOOKED,
                                reason=reason, data={"store_id": str(store.pk)})
    booking_event_append(booking, EventKind.BOOKED, at=booking.created_at)
    audit_record(actor=customer, action="booking.create", obj=booking, merchant=offering.merchant,
                 summary=f"“{offering.title}” {hold.start:%Y-%m-%d %H:%M}Z at {store.name}")
    return booking


def booking_create(*, customer: User, offering_id: Any, start: Any, store_id: Any = None,
                   now: datetime | None = None) -> Booking:
    """Book one seat of the service's slot that starts at `start` (slot_for's errors; slot_full when no seat
    is left, also when the last one is offered to the waitlist; resource_busy when a resource booked with
    it is held elsewhere then)."""
    now = now or timezone.now()
    service, store, slot_start, slot_end = slot_for(offering_id=offering_id, start=start, store_id=store_id, now=now)
    with transaction.atomic():
        hold = lock_hold(service=service, store_id=store.pk, start=slot_start, end=slot_end)
        offers_expire(hold=hold, now=now)
        if not capacity_take(resource=service.seat_key(store.pk), start=slot_start, end=slot_end,
                             capacity=service.capacity):
            raise SlotFull()
        take_resources(hold=hold, service=service, now=now)
        return new_booking(customer=customer, service=service, store=store, hold=hold, now=now)


# --- the waitlist's side of a freed seat (its own endpoints are in waitlist.py) ---

OFFER_MINUTES = 30  # a seat offered to the first waiting customer is theirs to take for this long


def waitlist_move(*, entry: WaitlistEntry, to: str, actor: Any = None, reason: str = "",
                  extra: dict[str, Any] | None = None, where: dict[str, Any] | None = None,
                  now: datetime | None = None) -> WaitlistEntry:
    """The one setter of WaitlistEntry.status (WAITLIST_TRANSITIONS, with its event row)."""
    transition(obj=entry, to=to, table=WAITLIST_TRANSITIONS, event_model=WaitlistEvent, event_fk="entry",
               actor=actor, reason=reason, extra=extra, where=where, now=now)
    return entry


def seat_freed(*, hold: SlotHold, now: datetime) -> None:
    """Under the hold's lock: a seat of the slot is free. The first waiting entry is offered it (the seat
    stays taken in the calendar, so nobody else books it meanwhile) until OFFER_MINUTES from now or the
    slot's start; with nobody waiting (or the slot started) it goes back to the calendar."""
    if hold.start > now:
        entry = (WaitlistEntry.objects.filter(hold=hold, status=WaitlistStatus.WAITING)
                 .order_by("created_at", "pk").first())
        if entry is not None:
            until = min(now + timedelta(minutes=OFFER_MINUTES), hold.start)
            waitlist_move(entry=entry, to=WaitlistStatus.OFFERED, reason="seat freed",
                          extra={"offered_until": until}, now=now)
            return
    capacity_release(resource=seat_key(hold.offering_id, hold.store_id), start=hold.start)


def offers_expire(*, hold: SlotHold, now: datetime) -> int:
    """Under the hold's lock: offers not taken in time expire and their seats pass on (seat_freed)."""
    done = 0
    for entry in WaitlistEntry.objects.filter(hold=hold, status=WaitlistStatus.OFFERED, offered_until__lte=now):
        waitlist_move(entry=entry, to=WaitlistStatus.EXPIRED, reason="not taken in time", now=now)
        seat_freed(hold=hold, now=now)
        done += 1
    if done:
        free_if_last(hold)
    return done


def offers_expire_due(*, offering_id: Any = None, now: datetime | None = None) -> int:
    """Expire every offer past its time (of one service, or all): what a listing or the worker runs."""
    now = now or timezone.now()
    due = WaitlistEntry.objects.filter(status=WaitlistStatus.OFFERED, offered_until__lte=now)
    if offering_id is not None:
        due = due.filter(hold__offering_id=offering_id)
    done = 0
    for hold_id in set(due.values_list("hold_id", flat=True)):
        with transaction.atomic():
            done += offers_expire(hold=SlotHold.objects.select_for_update().get(pk=hold_id), now=now)
    return done


def free_if_last(hold: SlotHold) -> None:
    """Inside the transaction that holds the hold's lock: the resources go back with the last live booking
    (not while a seat is offered to the waitlist: its taker will need them)."""
    if not hold.resources_held or Booking.objects.filter(hold=hold, status__in=LIVE_STATUSES).exists():
        return
    if WaitlistEntry.objects.filter(hold=hold, status=WaitlistStatus.OFFERED).exists():
        return
    for key in hold.resource_keys:
        capacity_release_span(resource=key, start=hold.start, end=hold.end)
    SlotHold.objects.filter(pk=hold.pk).update(resources_held=False, resource_keys=[], updated_at=timezone.now())
    hold.resources_held, hold.resource_keys = False, []


def booking_cancel(*, customer: User, booking_id: Any, now: datetime | None = None, reason: str = "") -> Booking:
    """The customer cancels their booking up to its cancel_until (the service's cancellation window when
    booked): the seat is free again at once (offered to the waitlist first) and what was paid goes back.
    Later only when the service keeps a share of the payment for it (late_cancel_keep_percent), else 409
    cancel_window_closed. An unpaid order of the booking is cancelled with it. Someone else's booking -> 404."""
    now = now or timezone.now()
    booking = Booking.objects.filter(customer=customer, pk=as_uuid(booking_id)).first()
    if booking is None:
        raise NotFound()
    with transaction.atomic():
        # the order before the slot's hold: the order's expiry (bookings.fulfilment) locks them in that order
        order = Order.objects.select_for_update().get(pk=booking.order_id) if booking.order_id else None
        hold = SlotHold.objects.select_for_update().get(pk=booking.hold_id)
        booking.refresh_from_db()
        if booking.status != BookingStatus.BOOKED:
            raise NotCancellable(_("This booking is %(status)s; it can no longer be cancelled.")
                                 % {"status": BookingStatus(booking.status).label})
        late = now > booking.cancel_until
        if late and booking.late_cancel_keep_percent is None:
            raise CancelWindowClosed(
                _("Bookings can be cancelled until %(when)s; please contact the store.")
                % {"when": timezone.localtime(booking.cancel_until).strftime("%Y-%m-%d %H:%M %Z")},
                fields={"cancel_until": booking.cancel_until.isoformat()})
        booking_move(booking=booking, to=BookingStatus.CANCELLED, actor=customer,
                     reason=reason or ("customer, late" if late else "customer"), extra={"cancelled_at": now}, now=now)
        seat_freed(hold=hold, now=now)
        free_if_last(hold)
        refunds = booking_settle(booking=booking, order=order, actor=customer, late=late)
    audit_record(actor=customer, action="booking.cancel", obj=booking,
                 summary=f"“{booking.title}” {booking.start:%Y-%m-%d %H:%M}Z cancelled" + (" late" if late else ""))
    refunds_send([r.pk for r in refunds])
    return booking


def booking_no_show(*, user: User, booking_id: Any, now: datetime | None = None) -> Booking:
    """Staff of the booking's store mark a customer who did not come, from the booking's start: the
    booking's no-show fee is kept of what was paid (all of it when the service sets no fee) and the rest
    goes back; the seat stays taken (its time is gone). Not staff of that merchant -> 404; a clerk of
    another store -> 403; before the start -> 409 not_started; not booked -> 409 check_in_closed."""
    now = now or timezone.now()
    booking = Booking.objects.filter(pk=as_uuid(booking_id)).first()
    if booking is None:
        raise NotFound()
    store_for_staff(user=user, store_id=booking.store_id)
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=booking.order_id) if booking.order_id else None
        booking.refresh_from_db()
        if booking.status != BookingStatus.BOOKED:
            raise CheckInClosed(_("This booking is %(status)s.") % {"status": BookingStatus(booking.status).label})
        if now < booking.start:
            raise NotStarted()
        booking_move(booking=booking, to=BookingStatus.NO_SHOW, actor=user, reason="no-show",
                     extra={"no_show_at": now}, now=now)
        refunds = booking_settle(booking=booking, order=order, actor=user, no_show=True)
    audit_record(actor=user, action="booking.no_show", obj=booking,
                 summary=f"“{booking.title}” {booking.start:%Y-%m-%d %H:%M}Z no-show")
    refunds_send([r.pk for r in refunds])
    return booking


def booking_pay(*, customer: User, booking_id: Any, provider: str, details: dict[str, Any]) -> Booking:
    """Pay what the service asks online for the booking (its deposit or the price) through the payments
    core. Nothing to pay online -> 409 nothing_to_pay; paid already -> 409 already_paid; the booking
    cancelled (or its order expired) -> 409; a declined card -> 402 (the booking stays unpaid)."""
    booking = Booking.objects.select_related("order").filter(customer=customer, pk=as_uuid(booking_id)).first()
    if booking is None:
        raise NotFound()
    if booking.order is None:
        raise NothingToPay()
    if booking.status != BookingStatus.BOOKED:
        raise NotCancellable(_("This booking is %(status)s; there is nothing to pay.")
                             % {"status": BookingStatus(booking.status).label}, code="not_payable")
    purpose, amount = pay_now(booking)
    order_pay(customer=customer, order_id=booking.order_id, provider=provider, details=details, purpose=purpose,
              amount=None if amount is None else str(amount))
    booking.refresh_from_db()
    return booking


def booking_check_in(*, user: User, booking_id: Any, now: datetime | None = None) -> Booking:
    """Staff of the booking's store check the customer in (from two hours before the start until its end).
    Not staff of that merchant -> 404; a clerk of another store -> 403."""
    now = now or timezone.now()
    booking = Booking.objects.filter(pk=as_uuid(booking_id)).first()
    if booking is None:
        raise NotFound()
    store_for_staff(user=user, store_id=booking.store_id)
    if booking.status == BookingStatus.CHECKED_IN:
        raise AlreadyCheckedIn()
    if booking.status != BookingStatus.BOOKED:
        raise CheckInClosed(_("This booking is %(status)s.") % {"status": BookingStatus(booking.status).label})
    if now < booking.start - CHECK_IN_EARLY:
        raise CheckInClosed(_("Check-in opens two hours before the start."))
    if now >= booking.end:
        raise CheckInClosed(_("This booking's time is over."))
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=booking.order_id) if booking.order_id else None
        if order is not None and order.status not in PAID_STATUSES:
            raise NotPaid()
        booking_move(booking=booking, to=BookingStatus.CHECKED_IN, actor=user, reason="door",
                     extra={"checked_in_at": now}, now=now)
        if order is not None and order.fulfilment_status == "confirmed":
            order_fulfilment_move(order=order, to="checked_in", actor=user, reason="door")
    audit_record(actor=user, action="booking.check_in", obj=booking,
                 summary=f"“{booking.title}” {booking.start:%Y-%m-%d %H:%M}Z checked in")
    return booking


# --- the pass: the QR of a booking shown at the door -----------------------------------------------------------
# Signed like vouchers and member cards (Ed25519, `O2O1.<payload>.<signature>`, GET /keys/vouchers) by the pages
# and the API (the signing keys are the vouchers app's, a sibling this app does not import): the payload is
# {"kid", "typ": "booking", "bid" (booking id), "mid" (merchant id), "sid" (store id), "exp" (unix seconds:
# the booking's end)}. A voucher's QR (no typ) or a member card's is never taken for a booking.
QR_TYPE = "booking"


def booking_pass_payload(booking: Booking) -> dict[str, Any]:
    """What a booking's QR says (to be signed by the caller)."""
    return {"typ": QR_TYPE, "bid": str(booking.pk), "mid": str(booking.offering.merchant_id),
            "sid": str(booking.store_id), "exp": int(booking.end.timestamp())}


def booking_check_in_by_pass(*, user: User, store_id: Any, payload: dict[str, Any],
                             now: datetime | None = None) -> Booking:
    """The door scanned a booking's QR (its signature checked by the caller): check it in at this store.
    Not a booking pass -> 400 invalid_booking_pass; another merchant's -> 404; a booking of another store
    of the merchant -> 409 wrong_store; then booking_check_in's rules (too early, over, not paid ...)."""
    store, _membership = store_for_staff(user=user, store_id=store_id)
    if payload.get("typ") != QR_TYPE or not isinstance(payload.get("bid"), str):
        raise InvalidBookingPass()
    if payload.get("mid") != str(store.merchant_id):
        raise NotFound(_("This booking is not one of this merchant's."))
    booking = Booking.objects.filter(pk=as_uuid(payload["bid"]), offering__merchant_id=store.merchant_id).first()
    if booking is None:
        raise InvalidBookingPass()
    if booking.store_id != store.pk:
        raise WrongStore(_("This booking is at %(store)s.") % {"store": booking.store.name},
                         fields={"store_id": str(booking.store_id)})
    return booking_check_in(user=user, booking_id=booking.pk, now=now)
