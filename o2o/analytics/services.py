"""Writes of analytics itself: a page view in the event stream (the domain apps append their own events
through o2o.core.events; a view has no domain change, so the page asks for it here)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.utils import timezone

from o2o.campaigns.models import Visitor
from o2o.core import ratelimit
from o2o.core.events import EventKind, event_append

# One browser looking at one page again within this long is one view (a refresh, the back button).
VIEW_EVERY_SECONDS = 1800


def view_record(*, request: Any, merchant_id: Any, store_id: Any = None, offering_id: Any = None,
                now: datetime | None = None) -> bool:
    """Count a view of a store's or an offering's public page: one cache ADD to drop repeats, then one
    INSERT (with the visitor of the QR cookie when the browser has one). True when counted."""
    now = now or timezone.now()
    user = getattr(request, "user", None)
    signed_in = user if getattr(user, "is_authenticated", False) else None
    visitor_key = getattr(request, "visitor_key", None)
    who = (f"u{signed_in.pk}" if signed_in is not None else f"v{visitor_key}" if visitor_key
           else f"a{ratelimit.address_key(ratelimit.client_address(request)) or 'unknown'}")
    bucket = int(now.timestamp()) // VIEW_EVERY_SECONDS
    if not cache.add(f"analytics:view:{who}:{offering_id or store_id}:{bucket}", 1, timeout=VIEW_EVERY_SECONDS):
        return False
    visitor_id = Visitor.objects.filter(key=visitor_key).values_list("pk", flat=True).first() if visitor_key else None
    event_append(kind=EventKind.VIEW, merchant_id=merchant_id, at=now, store_id=store_id, offering_id=offering_id,
                 customer_id=signed_in.pk if signed_in is not None else None, visitor_id=visitor_id)
    return True
