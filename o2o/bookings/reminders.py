"""Reminders before an appointment: an email (Django's email backend: the console in the demo, locmem or a
file in tests) with an .ics of the booking, sent once per booking by the worker's periodic task
(bookings.tasks) for the bookings that start within REMIND_BEFORE.

Sent once: each booking is claimed by a conditional UPDATE (reminded_at still null) before its email goes,
so two workers never send the same reminder; an email that fails to go gives its claim back, to be tried
again on the next run. The text is in the customer's language (User.language, else the site's).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from o2o.bookings.enums import BookingStatus
from o2o.bookings.models import Booking

log = logging.getLogger(__name__)
REMIND_BEFORE = timedelta(hours=24)
BATCH = 200


def booking_ics(booking: Booking, *, now: datetime | None = None) -> bytes:
    """The booking as an iCalendar file (RFC 5545): one VEVENT, times in UTC, the store as its location."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//o2o//bookings//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"booking-{booking.pk}@o2o")
    event.add("dtstamp", now or timezone.now())
    event.add("dtstart", booking.start)
    event.add("dtend", booking.end)
    event.add("summary", booking.title)
    event.add("location", f"{booking.store.name}, {booking.store.address}")
    event.add("geo", (float(booking.store.lat), float(booking.store.lng)))
    event.add("status", "CONFIRMED")
    event.add("description", _("Show the QR code of this booking at the door."))
    cal.add_component(event)
    return bytes(cal.to_ical())


def reminder_message(booking: Booking) -> EmailMessage:
    """The reminder email of a booking, in its customer's language, with the .ics attached."""
    language = booking.customer.language or settings.LANGUAGE_CODE
    with translation.override(language):
        local = booking.start.astimezone(ZoneInfo(booking.store.timezone))
        when = local.strftime("%Y-%m-%d %H:%M")
        subject = _("Reminder: %(title)s on %(when)s") % {"title": booking.title, "when": when}
        lines = [
            _("Hello %(name)s,") % {"name": booking.customer.display_name or booking.customer.email},
            "",
            _("This is a reminder of your booking of %(title)s at %(store)s, %(address)s, on %(when)s (%(tz)s).")
            % {"title": booking.title, "store": booking.store.name, "address": booking.store.address, "when": when,
               "tz": booking.store.timezone},
            _("You can cancel it until %(until)s.") % {
                "until": booking.cancel_until.astimezone(ZoneInfo(booking.store.timezone)).strftime("%Y-%m-%d %H:%M")},
            _("Show the QR code of this booking at the door."),
        ]
        body = "\n".join(lines)
    message = EmailMessage(subject=subject, body=body, to=[booking.customer.email])
    message.attach(f"booking-{booking.pk.hex[:8]}.ics", booking_ics(booking), "text/calendar")
    return message


def reminders_send(*, now: datetime | None = None) -> int:
    """Send the reminders due (bookings still booked that start within REMIND_BEFORE, not reminded yet);
    safe to run any time and on many workers at once. Answers how many were sent."""
    now = now or timezone.now()
    due = list(Booking.objects.filter(status=BookingStatus.BOOKED, reminded_at__isnull=True, start__gt=now,
                                      start__lte=now + REMIND_BEFORE)
               .order_by("start").values_list("pk", flat=True)[:BATCH])
    sent = 0
    for pk in due:
        if Booking.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=now) != 1:
            continue  # another worker claimed it
        booking = Booking.objects.select_related("customer", "store").get(pk=pk)
        try:
            reminder_message(booking).send()
        except Exception:  # noqa: BLE001 - the claim goes back; the next run tries again
            log.exception("reminder of booking %s not sent", pk)
            Booking.objects.filter(pk=pk, reminded_at=now).update(reminded_at=None)
            continue
        sent += 1
    return sent
