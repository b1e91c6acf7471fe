"""The `booking` fulfilment (registered with orders.fulfilment in apps.ready): an order that pays for a
booking (bookings.payment). Paid, its fulfilment is confirmed; not paid in time, the booking is cancelled
and its seat freed; its one unit is refunded only through the booking (cancel, no-show), by its rules."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy

from o2o.bookings.enums import BookingStatus
from o2o.bookings.models import Booking, SlotHold
from o2o.bookings.services import booking_move, free_if_last, seat_freed
from o2o.core.errors import Conflict
from o2o.orders.fulfilment import RefundedUnit
from o2o.orders.models import OrderLine
from o2o.orders.services import order_fulfilment_move


class CancelTheBooking(Conflict):
    code, default_message = "booking_live", gettext_lazy(
        "This order pays for a booking: cancel the booking to get your money back (its rules say how much).")


class BookingFulfilment:
    kind = "booking"

    def on_paid(self, *, order: Any) -> None:
        if order.fulfilment_status == "pending":
            order_fulfilment_move(order=order, to="confirmed", reason="paid")

    def on_released(self, *, order: Any) -> None:
        """The unpaid order expired (inside its transaction, the order locked first): the booking goes
        with it and its seat is free again (offered to the waitlist first)."""
        booking = Booking.objects.filter(order=order).first()
        if booking is None or booking.status != BookingStatus.BOOKED:
            return
        now = timezone.now()
        hold = SlotHold.objects.select_for_update().get(pk=booking.hold_id)
        booking_move(booking=booking, to=BookingStatus.CANCELLED, reason="not paid in time",
                     extra={"cancelled_at": now}, now=now)
        seat_freed(hold=hold, now=now)
        free_if_last(hold)
        if order.fulfilment_status == "pending":
            order_fulfilment_move(order=order, to="cancelled", reason="not paid in time")

    def units_owned(self, *, customer: Any, offering_id: UUID) -> int:
        return 0  # a service has no per-customer limit

    def refund_units(self, *, order: Any, unit_ids: Sequence[Any] | None, actor: Any) -> list[RefundedUnit]:
        booking = Booking.objects.filter(order=order).first()
        if booking is None or booking.status not in (BookingStatus.CANCELLED, BookingStatus.NO_SHOW):
            raise CancelTheBooking()
        return [RefundedUnit(unit_id=line.pk, offering_id=line.offering_id, unit_price=line.unit_price, line_id=line.pk)
                for line in OrderLine.objects.filter(order=order, refunded_quantity__lt=F("quantity"))]

    def units_left(self, *, order: Any) -> bool:
        return OrderLine.objects.filter(order=order, refunded_quantity__lt=F("quantity")).exists()

    def live_units_by_offering(self) -> Counter[UUID]:
        return Counter()  # a service's seats are the capacity calendar's, not counted stock (orders.books)

    def units_of_order(self, *, order: Any) -> int:
        return int(OrderLine.objects.filter(order=order).aggregate(n=Sum("quantity"))["n"] or 0)

    def orphans(self) -> int:
        return 0
