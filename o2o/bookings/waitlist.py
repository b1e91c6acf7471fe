"""The waitlist of a full slot: join it, take the seat offered when one is freed (within its time limit),
or leave. A freed seat goes to the first waiting customer and stays taken in the capacity calendar while
it is offered (services.seat_freed), so nobody else can book it; an offer not taken in time passes on to the
next in line or back to the calendar (services.offers_expire, run by every booking, join and take of that
slot, by the slot listing of its service and by GET /waitlist)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from o2o.accounts.models import User
from o2o.audit.services import audit_record
from o2o.bookings.enums import LIVE_STATUSES, WAITLIST_LIVE, WaitlistStatus
from o2o.bookings.errors import AlreadyBooked, AlreadyWaiting, NotOffered, OfferExpired, SlotOpen
from o2o.bookings.models import Booking, SlotHold, WaitlistEntry, WaitlistEvent
from o2o.bookings.selectors import live_service
from o2o.bookings.services import (
    free_if_last,
    lock_hold,
    new_booking,
    offers_expire,
    offers_expire_due,
    seat_freed,
    slot_for,
    take_resources,
    waitlist_move,
)
from o2o.capacity.selectors import taken_by_start
from o2o.core.errors import NotFound
from o2o.merchants.access import as_uuid


def waitlist_join(*, customer: User, offering_id: Any, start: Any, store_id: Any = None,
                  now: datetime | None = None) -> WaitlistEntry:
    """Queue for a full slot (slot_for's errors first). A slot with a seat left -> 409 slot_open; the
    customer already booked it -> already_booked; already queued -> already_waiting."""
    now = now or timezone.now()
    service, store, slot_start, slot_end = slot_for(offering_id=offering_id, start=start, store_id=store_id, now=now)
    with transaction.atomic():
        hold = lock_hold(service=service, store_id=store.pk, start=slot_start, end=slot_end)
        offers_expire(hold=hold, now=now)
        if taken_by_start(resource=service.seat_key(store.pk), starts=[slot_start])[slot_start] < service.capacity:
            raise SlotOpen()
        if Booking.objects.filter(hold=hold, customer=customer, status__in=LIVE_STATUSES).exists():
            raise AlreadyBooked()
        if WaitlistEntry.objects.filter(hold=hold, customer=customer, status__in=WAITLIST_LIVE).exists():
            raise AlreadyWaiting()
        try:
            with transaction.atomic():
                entry = WaitlistEntry.objects.create(customer=customer, hold=hold)
        except IntegrityError:  # the same customer joining twice at once
            raise AlreadyWaiting() from None
        WaitlistEvent.objects.create(entry=entry, actor=customer, from_status="", to_status=WaitlistStatus.WAITING,
                                     reason="joined")
    audit_record(actor=customer, action="waitlist.join", obj=entry, merchant=service.offering.merchant,
                 summary=f"“{service.offering.title}” {slot_start:%Y-%m-%d %H:%M}Z at {store.name}")
    return entry


def _mine(customer: User, entry_id: Any) -> WaitlistEntry:
    entry = WaitlistEntry.objects.filter(customer=customer, pk=as_uuid(entry_id)).first()
    if entry is None:
        raise NotFound()
    return entry


def waitlist_take(*, customer: User, entry_id: Any, now: datetime | None = None) -> Booking:
    """Take the seat offered: a booking on the seat held for this entry (no second take of the calendar).
    Not offered -> 409 not_offered; offered but too late -> offer_expired (and the seat has passed on)."""
    now = now or timezone.now()
    entry = _mine(customer, entry_id)
    with transaction.atomic():  # an offer past its time expires (and is kept expired) before the answer
        offers_expire(hold=SlotHold.objects.select_for_update().get(pk=entry.hold_id), now=now)
    entry.refresh_from_db()
    if entry.status == WaitlistStatus.EXPIRED:
        raise OfferExpired()
    if entry.status != WaitlistStatus.OFFERED:
        raise NotOffered()
    service = live_service(entry.hold.offering_id)
    with transaction.atomic():
        hold = SlotHold.objects.select_for_update().get(pk=entry.hold_id)
        take_resources(hold=hold, service=service, now=now)
        booking = new_booking(customer=customer, service=service, store=hold.store, hold=hold, reason="waitlist")
        waitlist_move(entry=entry, to=WaitlistStatus.BOOKED, actor=customer, reason="seat taken",
                      extra={"booking": booking}, where={"offered_until__gt": now}, now=now)
    return booking


def waitlist_leave(*, customer: User, entry_id: Any, now: datetime | None = None) -> WaitlistEntry:
    """Leave the queue; a seat offered to this entry passes on at once."""
    now = now or timezone.now()
    entry = _mine(customer, entry_id)
    if entry.status not in WAITLIST_LIVE:
        raise NotOffered(_("You are no longer on this waitlist."), code="not_waiting")
    with transaction.atomic():
        hold = SlotHold.objects.select_for_update().get(pk=entry.hold_id)
        was = entry.status
        waitlist_move(entry=entry, to=WaitlistStatus.LEFT, actor=customer, reason="left", now=now)
        if was == WaitlistStatus.OFFERED:
            seat_freed(hold=hold, now=now)
            free_if_last(hold)
    return entry


def entries_of_customer(customer: User) -> QuerySet[WaitlistEntry]:
    """The customer's entries, newest first; their offers past time expire first (they pass on)."""
    now = timezone.now()
    if WaitlistEntry.objects.filter(customer=customer, status=WaitlistStatus.OFFERED, offered_until__lte=now).exists():
        offers_expire_due(now=now)
    return (WaitlistEntry.objects.filter(customer=customer).select_related("hold__store", "hold__offering", "booking")
            .order_by("-created_at"))


def position(entry: WaitlistEntry) -> int | None:
    """1 for the first waiting entry of its slot; None once it is no longer waiting."""
    if entry.status != WaitlistStatus.WAITING:
        return None
    return WaitlistEntry.objects.filter(hold_id=entry.hold_id, status=WaitlistStatus.WAITING,
                                        created_at__lt=entry.created_at).count() + 1
