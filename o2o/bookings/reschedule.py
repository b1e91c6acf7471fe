"""A customer moves their booking to another slot of the same service, within its cancellation window.

One transaction: the booking's order and both slots' holds are locked (the order first, as cancelling and
the order's expiry lock them; the two holds by primary key, so that two bookings swapping slots at once
wait for each other instead of deadlocking), the booking joins the new slot, the old seat is freed (the
waitlist is offered it first) and the old slot's resources go back with its last booking, then a seat
and the resources are taken in the new slot. If the new slot is full or a resource is busy then, the
whole move is undone: the booking keeps its old seat. What was paid stays with the booking (same
service, same price); the reminder is sent again for the new time."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from o2o.accounts.models import User
from o2o.audit.services import audit_record
from o2o.bookings.enums import BookingStatus
from o2o.bookings.errors import NotReschedulable, RescheduleWindowClosed, SlotFull
from o2o.bookings.models import Booking, BookingEvent, SlotHold
from o2o.bookings.services import (
    ensure_hold,
    free_if_last,
    offers_expire,
    seat_freed,
    slot_for,
    take_resources,
)
from o2o.capacity.services import capacity_take
from o2o.core.errors import Invalid, NotFound
from o2o.merchants.access import as_uuid
from o2o.orders.models import Order


def booking_reschedule(*, customer: User, booking_id: Any, start: Any, now: datetime | None = None) -> Booking:
    """Move the customer's booking to the slot of its service that starts at `start`, at the same store, up
    to its cancel_until. Someone else's booking -> 404; the slot's own errors as booking (slot_unavailable,
    422 for a malformed time), slot_full, resource_busy; later than the window -> 409
    reschedule_window_closed; cancelled, checked in or a no-show -> 409 not_reschedulable; its own time
    -> 422."""
    now = now or timezone.now()
    booking = Booking.objects.filter(customer=customer, pk=as_uuid(booking_id)).first()
    if booking is None:
        raise NotFound()
    service, store, slot_start, slot_end = slot_for(offering_id=booking.offering_id, start=start,
                                                     store_id=booking.store_id, now=now)
    if slot_start == booking.start:
        raise Invalid(_("That is this booking's time already; pick another."), fields={"start": str(start)[:40]})
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=booking.order_id) if booking.order_id else None
        new_pk = ensure_hold(service=service, store_id=store.pk, start=slot_start, end=slot_end
                             ).values_list("pk", flat=True).get()
        holds = {h.pk: h for h in SlotHold.objects.select_for_update().filter(pk__in=[booking.hold_id, new_pk])
                 .order_by("pk")}  # both in one order: a swap of two bookings waits instead of deadlocking
        old_hold, new_hold = holds[booking.hold_id], holds[new_pk]
        booking.refresh_from_db()
        if booking.status != BookingStatus.BOOKED:
            raise NotReschedulable(_("This booking is %(status)s; it can no longer be moved.")
                                   % {"status": BookingStatus(booking.status).label})
        if now > booking.cancel_until:
            raise RescheduleWindowClosed(
                _("Bookings can be moved until %(when)s; please contact the store.")
                % {"when": timezone.localtime(booking.cancel_until).strftime("%Y-%m-%d %H:%M %Z")},
                fields={"cancel_until": booking.cancel_until.isoformat()})
        was = booking.start
        booking.hold, booking.start, booking.end = new_hold, new_hold.start, new_hold.end
        booking.cancel_until = new_hold.start - timedelta(minutes=service.cancel_minutes)
        booking.reminded_at = None
        booking.save(update_fields=["hold", "start", "end", "cancel_until", "reminded_at", "updated_at"])
        seat_freed(hold=old_hold, now=now)
        free_if_last(old_hold)
        offers_expire(hold=new_hold, now=now)
        if not capacity_take(resource=service.seat_key(store.pk), start=slot_start, end=slot_end,
                             capacity=service.capacity):
            raise SlotFull()
        take_resources(hold=new_hold, service=service, now=now)
        BookingEvent.objects.create(booking=booking, actor=customer, from_status=BookingStatus.BOOKED,
                                    to_status=BookingStatus.BOOKED, reason="rescheduled",
                                    data={"from": was.isoformat(), "to": booking.start.isoformat(),
                                          "order": str(order.pk) if order else None})
    audit_record(actor=customer, action="booking.reschedule", obj=booking,
                 summary=f"“{booking.title}” {was:%Y-%m-%d %H:%M}Z -> {booking.start:%Y-%m-%d %H:%M}Z")
    return booking
