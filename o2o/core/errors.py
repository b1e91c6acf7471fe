"""Domain errors. The API maps each to its HTTP status and the error shape of API.md."""

from typing import Any


class DomainError(Exception):
    code = "error"
    status = 400
    default_message = "The request could not be completed."

    def __init__(self, message: str | None = None, *, fields: dict[str, Any] | None = None, code: str | None = None):
        super().__init__(message or self.default_message)
        self.message = str(message or self.default_message)
        self.fields = fields or {}
        if code:
            self.code = code


class NotFound(DomainError):
    code, status, default_message = "not_found", 404, "Not found."


class Forbidden(DomainError):
    code, status, default_message = "forbidden", 403, "You are not allowed to do this."


class Conflict(DomainError):
    code, status = "conflict", 409


class Invalid(DomainError):
    code, status, default_message = "invalid", 422, "Some fields are not valid."


class BadRequest(DomainError):
    code, status = "bad_request", 400


class PaymentRequired(DomainError):
    code, status = "payment_declined", 402


class TransitionNotAllowed(Conflict):
    code = "invalid_transition"
