"""The QR visitor cookie on every request (pages and API alike).

`request.visitor_key` is the first-party visitor cookie's value (or None). When a request that carries
it is made by a signed-in account (a session, or a bearer token the API checked in the view), the
visitor is linked to that account and its scans with it: an account registered or signed in from the
phone that scanned a flyer keeps that flyer's scans. This is an explicit step of the request, not a
signal; the link is written once (a conditional UPDATE) and remembered in the cache after that.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from o2o.campaigns.selectors import VISITOR_COOKIE
from o2o.campaigns.services import visitor_link

_LINKED_FOR = 86400
_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


class VisitorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.COOKIES.get(VISITOR_COOKIE) or None
        if key is not None and not _KEY.fullmatch(key):  # only what visitor_key_new makes (no NUL for PostgreSQL)
            key = None
        request.visitor_key = key  # type: ignore[attr-defined]
        response = self.get_response(request)
        if key is not None and response.status_code < 500:
            self._link(request, key)
        return response

    @staticmethod
    def _link(request: HttpRequest, key: str) -> None:
        user: Any = getattr(request, "user", None)
        if user is None or not getattr(user, "is_authenticated", False):
            return
        seen = f"campaigns:linked:{key}"
        if cache.get(seen):
            return
        visitor_link(visitor_key=key, user=user)
        cache.set(seen, 1, timeout=_LINKED_FOR)
