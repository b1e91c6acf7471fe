"""Security headers Django has no setting for.

- ``Permissions-Policy`` from settings.PERMISSIONS_POLICY (camera and geolocation for our own pages only).
- Uploaded files under MEDIA_URL answer with ``X-Content-Type-Options: nosniff`` and a Content-Security-Policy
  of ``default-src 'none'; sandbox``: even a file that a browser would take for HTML can never run script
  or reach our origin's cookies and APIs. (Behind a web server that serves /media/ itself, copy these two
  headers into its configuration.)
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


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

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.permissions_policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.permissions_policy
        if self.media_url.startswith("/") and len(self.media_url) > 1 and request.path.startswith(self.media_url):
            # Set before django-csp sees the response (it leaves an existing header alone).
            response["Content-Security-Policy"] = self.media_csp
            response["X-Content-Type-Options"] = "nosniff"
            response["Cross-Origin-Resource-Policy"] = "same-origin"
        return response
