"""Security headers Django has no setting for.

- ``Permissions-Policy`` from settings.PERMISSIONS_POLICY (camera and geolocation for our own pages only).
- A request whose declared body is over settings.MAX_REQUEST_BYTES is refused with 413 before any
  view (or Django's upload handlers, which would spool it to disk) reads it.
- Uploaded files under MEDIA_URL answer with ``X-Content-Type-Options: nosniff`` and a Content-Security-Policy
  of ``default-src 'none'; sandbox``: even a file that a browser would take for HTML can never run script
  or reach our origin's cookies and APIs. (Behind a web server that serves /media/ itself, copy these two
  headers into its configuration.)
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
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
