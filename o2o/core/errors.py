"""Domain errors. The API maps each to its HTTP status and the error shape of API.md."""

from typing import Any

from django.utils.translation import gettext_lazy


class DomainError(Exception):
    code = "error"
    status = 400
    default_message = gettext_lazy("The request could not be completed.")

    def __init__(self, message: str | None = None, *, fields: dict[str, Any] | None = None, code: str | None = None):
        super().__init__(message or self.default_message)
        self.message = str(message or self.default_message)
        self.fields = fields or {}
        if code:
            self.code = code


class NotFound(DomainError):
    code, status, default_message = "not_found", 404, gettext_lazy("Not found.")


class Forbidden(DomainError):
    code, status, default_message = "forbidden", 403, gettext_lazy("You are not allowed to do this.")


class Conflict(DomainError):
    code, status = "conflict", 409


class Invalid(DomainError):
    code, status, default_message = "invalid", 422, gettext_lazy("Some fields are not valid.")


class BadRequest(DomainError):
    code, status = "bad_request", 400


class PaymentRequired(DomainError):
    code, status = "payment_declined", 402


class TransitionNotAllowed(Conflict):
    code = "invalid_transition"
