from django.utils.translation import gettext_lazy

from o2o.core.errors import Conflict, DomainError, Invalid


class OutOfZone(Conflict):
    code, default_message = "out_of_zone", gettext_lazy("This address is outside the store's delivery area.")


class BelowMinimum(Conflict):
    code, default_message = "below_minimum", gettext_lazy("The order is below the minimum for delivery.")


class WrongCode(Conflict):
    code, default_message = "wrong_code", gettext_lazy("This is not the order's delivery code.")


class CodeOfOtherOrder(Conflict):
    code, default_message = "code_of_other_order", gettext_lazy("This code belongs to another order.")


class NotYourTask(Conflict):
    code, default_message = "not_your_task", gettext_lazy("This delivery is assigned to another courier.")


class OffShift(Conflict):
    code, default_message = "off_shift", gettext_lazy("Start your shift first.")


class TooManyAttempts(Conflict):
    code, default_message = "too_many_attempts", gettext_lazy("No more delivery attempts; return it to the store.")


class TooManyWrongCodes(DomainError):
    """Too many wrong delivery codes for one delivery: no code is tried until the lock ends (429 with
    Retry-After), so that six digits cannot be guessed at the door."""

    code, status = "too_many_wrong_codes", 429
    default_message = gettext_lazy("Too many wrong codes for this order; ask the customer again in a few minutes.")

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        super().__init__(message, fields={"retry_after_seconds": max(1, int(retry_after))})
        self.retry_after = max(1, int(retry_after))


class OutOfArea(Invalid):
    code, default_message = "out_of_area", gettext_lazy("This position is too far from your stores' city.")


class PositionTooSoon(DomainError):
    """A position sooner than the least time between two (the API answers 429 with Retry-After)."""

    code, status = "rate_limited", 429
    default_message = gettext_lazy("Position kept a moment ago; send the next one in a few seconds.")

    def __init__(self, retry_after: int) -> None:
        super().__init__()
        self.retry_after = retry_after
