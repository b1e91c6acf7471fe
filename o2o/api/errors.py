"""Every error the API answers has API.md's shape: {"error": {"code", "message", "fields"}}."""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from o2o.api.parser import NulInText
from o2o.core.errors import DomainError

log = logging.getLogger("o2o.api")


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, Any] = {}


class ErrorOut(Schema):
    error: ErrorBody


def error_response(api: NinjaAPI, request: HttpRequest, status: int, code: str, message: str,
                   fields: dict[str, Any] | None = None) -> HttpResponse:
    return api.create_response(request, {"error": {"code": code, "message": message, "fields": fields or {}}},
                               status=status)


def _loc(loc: Any) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "header", "form")]
    return ".".join(parts) or "body"


# What a person reads for each kind of input error (pydantic's own messages are English fragments).
_FIELD_SENTENCES = {
    "missing": gettext_lazy("This field is required."),
    "string_type": gettext_lazy("Enter text here."),
    "string_too_short": gettext_lazy("This is too short."),
    "string_too_long": gettext_lazy("This is too long."),
    "int_parsing": gettext_lazy("Enter a whole number."),
    "int_type": gettext_lazy("Enter a whole number."),
    "bool_parsing": gettext_lazy("Enter true or false."),
    "bool_type": gettext_lazy("Enter true or false."),
    "float_parsing": gettext_lazy("Enter a number."),
    "uuid_parsing": gettext_lazy("This is not a valid id."),
    "datetime_parsing": gettext_lazy("Enter a date and time such as 2026-12-02T09:00:00+08:00."),
    "date_from_datetime_parsing": gettext_lazy("Enter a date such as 2026-12-02."),
    "list_type": gettext_lazy("Send a list here."),
    "dict_type": gettext_lazy("Send an object here."),
    "nul_character": gettext_lazy("Remove the NUL character (\\0) from this text."),
}


def field_sentence(err: dict[str, Any]) -> str:
    """The sentence a person reads for one input error of a request."""
    kind = str(err.get("type", ""))
    if kind in _FIELD_SENTENCES:
        return str(_FIELD_SENTENCES[kind])
    if kind.startswith(("greater_than", "less_than")):
        return _("This number is out of range.")
    if kind.startswith(("int_", "float_", "decimal_")):
        return _("Enter a number.")
    if kind.startswith("json"):
        return _("The request body is not valid JSON.")
    return _("This value is not valid.")


def install(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain(request: HttpRequest, exc: DomainError) -> HttpResponse:
        resp = error_response(api, request, exc.status, exc.code, exc.message, exc.fields)
        retry_after = getattr(exc, "retry_after", None)  # 429s that know when to come back
        if retry_after:
            resp["Retry-After"] = str(int(retry_after))
        return resp

    @api.exception_handler(ValidationError)
    def validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        fields = {}
        for err in exc.errors:
            fields[_loc(err.get("loc", ()))] = field_sentence(err)
        return error_response(api, request, 422, "validation_error", _("Some fields are not valid."), fields)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error_response(api, request, 401, "not_authenticated", _("Sign in first: send a bearer token."))

    @api.exception_handler(Throttled)
    def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        resp = error_response(api, request, 429, "rate_limited", _("Too many requests; try again shortly."))
        if exc.wait:
            resp["Retry-After"] = str(int(exc.wait) + 1)
        return resp

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc.__cause__, NulInText):  # a body the parser refused for a NUL: a field error
            return validation(request, exc.__cause__.validation_error())
        code = {400: "bad_request", 401: "not_authenticated", 403: "forbidden", 404: "not_found",
                405: "method_not_allowed", 409: "conflict", 413: "too_large"}.get(exc.status_code, "error")
        return error_response(api, request, exc.status_code, code, str(exc))

    @api.exception_handler(MultiPartParserError)
    def bad_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
        # a multipart body without its boundary or cut short: the client's request, not our error
        return error_response(api, request, 400, "bad_request", _("The upload is not a readable multipart form."))

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(api, request, 404, "not_found", _("Not found."))

    @api.exception_handler(PermissionDenied)
    def denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return error_response(api, request, 403, "forbidden", _("You are not allowed to do this."))

    @api.exception_handler(Exception)
    def crash(request: HttpRequest, exc: Exception) -> HttpResponse:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(api, request, 500, "server_error", _("Something went wrong on our side."))
