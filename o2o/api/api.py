from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, re_path
from django.utils.translation import gettext as _
from ninja import NinjaAPI

from o2o.api import errors
from o2o.api.parser import O2OParser
from o2o.api.routers import (
    accounts,
    analytics,
    bookings,
    campaigns,
    community,
    delivery,
    discovery,
    jobs,
    loyalty,
    members,
    merchants,
    ordering,
    orders,
    reviews,
    teams,
    visits,
    vouchers,
)


class O2OApi(NinjaAPI):
    """NinjaAPI whose every answer, even for an unknown path or method, has the error shape."""

    def _get_urls(self) -> list[Any]:
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = self._shaped_405(pattern.callback)
        # last, so it never shadows an endpoint: unknown paths under the API answer JSON, not a page
        urls.append(re_path(r"^.*$", self._unknown_path, name="unknown"))
        return urls

    def _shaped_405(self, view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)
            if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
                shaped = errors.error_response(self, request, 405, "method_not_allowed",
                                               _("%(method)s is not allowed here.") % {"method": request.method})
                shaped["Allow"] = response.get("Allow", "")
                return shaped
            return response

        wrapped.csrf_exempt = True  # type: ignore[attr-defined]  # as ninja's own views
        return wrapped

    def get_openapi_schema(self, *, path_prefix: str | None = None,
                           path_params: dict[str, Any] | None = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        # The HTTP server (gunicorn) refuses a request line over 8190 bytes with its own 414 before the
        # application sees it; any operation that takes query parameters can get that answer.
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                if isinstance(operation, dict) and "responses" in operation:
                    # ninja keys responses by int, an endpoint's openapi_extra by str: the same status twice
                    # would be a duplicated key in the JSON (Swagger UI refuses the whole document)
                    merged: dict[Any, Any] = {}
                    for status, answer in operation["responses"].items():
                        key = int(status) if str(status).isdigit() else status  # ninja's own keys are ints
                        merged[key] = {**merged.get(key, {}), **answer}
                    operation["responses"] = merged
                params = operation.get("parameters", []) if isinstance(operation, dict) else []
                if any(p.get("in") == "query" for p in params):
                    operation["responses"].setdefault("414", {
                        "description": "URI too long: the server refuses request lines over 8190 bytes "
                                       "(plain text, not the JSON error shape)."})
        return schema

    def _unknown_path(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return errors.error_response(self, request, 404, "not_found", _("No such API endpoint."))


api = O2OApi(
    title="o2o API",
    version="1",
    description="Online-to-offline engine for local businesses. Errors: "
    '`{"error": {"code", "message", "fields"}}`. POSTs that move money accept an `Idempotency-Key` header.',
    urls_namespace="api",
    docs_url="/docs",
    parser=O2OParser(),
)
errors.install(api)
api.add_router("", accounts.router)
api.add_router("", reviews.router)  # before discovery: /stores/{id}/reviews
api.add_router("", discovery.router)
api.add_router("", merchants.router)
api.add_router("", orders.router)
api.add_router("", ordering.router)
api.add_router("", vouchers.router)
api.add_router("", campaigns.router)
api.add_router("", analytics.router)
api.add_router("", bookings.router)
api.add_router("", members.router)
api.add_router("", delivery.router)
api.add_router("", jobs.router)
api.add_router("", visits.router)
api.add_router("", loyalty.router)
api.add_router("", teams.router)
api.add_router("", community.router)
