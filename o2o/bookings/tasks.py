"""Background jobs of bookings (django-tasks, run by the worker's scheduler). Idempotent."""

from __future__ import annotations

from datetime import timedelta

from o2o.bookings.reminders import reminders_send
from o2o.bookings.services import offers_expire_due
from o2o.core.schedule import periodic


@periodic("bookings.reminders", every=timedelta(minutes=5))
def send_reminders() -> int:
    """Every 5 minutes: the reminder email (with its .ics) of each booking starting within a day, once."""
    return reminders_send()


@periodic("bookings.waitlist_offers", every=timedelta(minutes=1))
def expire_waitlist_offers() -> int:
    """Every minute: seats offered to the waitlist and not taken in time pass on to the next in line."""
    return offers_expire_due()
