"""Security headers Django has no setting for.

- ``Permissions-Policy`` from settings.PERMISSIONS_POLICY (camera and geolocation for our own pages only).
- A request whose declared body is over settings.MAX_REQUEST_BYTES is refused with 413 before any
  view (or Django's upload handlers, which would spool it to disk) reads it.
- Uploaded files under MEDIA_URL answer with ``X-Content-Type-Options: nosniff`` and a Content-Security-Policy
  of ``default-src 'none'; sandbox``: even a file that a browser would take for HTML can never run script
  or reach our origin's cookies and APIs. (Behind a web server that serves /media/ itself, copy these two
  headers into its configuration.)

``ClientErrorMiddleware`` answers a view's ordinary client errors (PermissionDenied 403, Http404,
BadRequest and SuspiciousOperation 400) itself, with the site's error pages, so that each logs the one
line Django writes for any 4xx answer ("Forbidden: /merchant/…") and no traceback: a clerk opening a page
of another role is routine, not an incident. Anything else still reaches Django, which logs a 500 with its
traceback. Under DEBUG it steps aside (Django's technical pages stay).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import get_resolver, get_urlconf
from django.utils.translation import gettext as _


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    parts = []
    for feature, allow in policy.items():
        items = " ".join("self" if a == "self" else f'"{a}"' for a in allow)
        parts.append(f"{feature}=({items})")
    return ", ".join(parts)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.permissions_policy = permissions_policy_header(getattr(settings, "PERMISSIONS_POLICY", {}))
        self.media_url = settings.MEDIA_URL or ""
        self.media_csp = getattr(settings, "MEDIA_CONTENT_SECURITY_POLICY", "default-src 'none'; sandbox")
        self.max_request_bytes = int(getattr(settings, "MAX_REQUEST_BYTES", 0) or 0)

    def _too_large(self, request: HttpRequest) -> HttpResponse | None:
        if not self.max_request_bytes:
            return None
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length <= self.max_request_bytes:
            return None
        message = _("The request is too large (at most %(mb)d MB).") % {"mb": self.max_request_bytes // 2**20}
        if request.path.startswith("/api/"):
            return JsonResponse({"error": {"code": "too_large", "message": message, "fields": {}}}, status=413)
        return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self._too_large(request) or self.get_response(request)
        if self.permissions_policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.permissions_policy
        if self.media_url.startswith("/") and len(self.media_url) > 1 and request.path.startswith(self.media_url):
            # Set before django-csp sees the response (it leaves an existing header alone).
            response["Content-Security-Policy"] = self.media_csp
            response["X-Content-Type-Options"] = "nosniff"
            response["Cross-Origin-Resource-Policy"] = "same-origin"
        return response


class ClientErrorMiddleware:
    """See the module docstring: 4xx exceptions of views become their error pages, logged in one line."""

    STATUS: tuple[tuple[type[Exception], int], ...] = (
        (Http404, 404), (PermissionDenied, 403), (BadRequest, 400), (SuspiciousOperation, 400))

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if settings.DEBUG:
            return None
        status = next((code for kind, code in self.STATUS if isinstance(exception, kind)), None)
        if status is None:
            return None
        if isinstance(exception, SuspiciousOperation):
            # Django's own security log line for it, without the traceback
            logging.getLogger(f"django.security.{exception.__class__.__name__}").error(
                "%s", exception, extra={"status_code": 400, "request": request})
        handler = get_resolver(get_urlconf()).resolve_error_handler(status)
        # Django's get_response then logs this answer as it logs every 4xx: one line, no exc_info
        return handler(request, exception=exception)  # type: ignore[call-arg]
