"""The bookings app's error codes (API.md "Appointments"; the others are documented in the OpenAPI document)."""

from django.utils.translation import gettext_lazy

from o2o.core.errors import BadRequest, Conflict


class SlotFull(Conflict):
    code, default_message = "slot_full", gettext_lazy("This time has just filled up; please pick another.")


class SlotUnavailable(Conflict):
    code, default_message = "slot_unavailable", gettext_lazy("This time cannot be booked.")


class ResourceBusy(Conflict):
    code, default_message = "resource_busy", gettext_lazy("Someone needed for this time is booked elsewhere then.")


class CancelWindowClosed(Conflict):
    code, default_message = "cancel_window_closed", gettext_lazy("It is too late to cancel this booking.")


class NotCancellable(Conflict):
    code, default_message = "not_cancellable", gettext_lazy("This booking can no longer be cancelled.")


class AlreadyCheckedIn(Conflict):
    code, default_message = "already_checked_in", gettext_lazy("This booking was already checked in.")


class CheckInClosed(Conflict):
    code, default_message = "check_in_closed", gettext_lazy("This booking cannot be checked in now.")


class SlotOpen(Conflict):
    code, default_message = "slot_open", gettext_lazy("This time still has seats: book it instead.")


class AlreadyWaiting(Conflict):
    code, default_message = "already_waiting", gettext_lazy("You are already on the waitlist for this time.")


class AlreadyBooked(Conflict):
    code, default_message = "already_booked", gettext_lazy("You have already booked this time.")


class NotOffered(Conflict):
    code, default_message = "not_offered", gettext_lazy("No seat is offered to you for this time.")


class OfferExpired(Conflict):
    code, default_message = "offer_expired", gettext_lazy("The seat offered to you was not taken in time.")


class NotPaid(Conflict):
    code, default_message = "not_paid", gettext_lazy("This booking is not paid yet; it is paid online before the visit.")


class NothingToPay(Conflict):
    code, default_message = "nothing_to_pay", gettext_lazy("This booking is paid at the store.")


class NotStarted(Conflict):
    code, default_message = "not_started", gettext_lazy("This booking has not started yet.")


class InvalidBookingPass(BadRequest):
    code, default_message = "invalid_booking_pass", gettext_lazy("This QR code is not a booking's pass.")


class WrongStore(Conflict):
    code, default_message = "wrong_store", gettext_lazy("This booking is at another store.")


class RescheduleWindowClosed(Conflict):
    code, default_message = "reschedule_window_closed", gettext_lazy("It is too late to move this booking.")


class NotReschedulable(Conflict):
    code, default_message = "not_reschedulable", gettext_lazy("This booking can no longer be moved.")
