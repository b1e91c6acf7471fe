"""Pages that show something which grants a service (a voucher code, a QR code) must never be stored by
a browser's history cache, a shared proxy or a disk cache: the next person at the computer, or anyone
reading the cache, could redeem it. ``@no_store`` on every such view; tests/web/test_order_pages.py walks
every page and fails when one shows a voucher code or QR payload without the header."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


def no_store(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """``Cache-Control: max-age=0, no-cache, no-store, must-revalidate, private`` on every answer."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    wrapper.o2o_no_store = True  # type: ignore[attr-defined]
    return wrapper
