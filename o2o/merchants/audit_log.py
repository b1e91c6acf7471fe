"""Reading a merchant's audit log: its owner sees its entries (the operator sees all of it in the admin).

It lives with merchants, above the audit app: audit records for every layer (accounts included), so it
cannot itself ask who owns a merchant.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from o2o.audit.models import AuditEntry
from o2o.merchants.access import merchant_for_owner


def audit_for_merchant(*, user: Any, merchant_id: Any, action: str = "", query: str = "",
                       since: datetime | None = None, until: datetime | None = None) -> QuerySet[AuditEntry]:
    """The merchant's entries, newest first. Not staff -> NotFound; staff but not the owner -> Forbidden."""
    merchant, _membership = merchant_for_owner(user=user, merchant_id=merchant_id,
                                               message=_("Only the owner can read the audit log."))
    qs = AuditEntry.objects.filter(merchant=merchant).select_related("actor")
    if action:
        qs = qs.filter(action=action) if "." in action else qs.filter(action__startswith=action + ".")
    query = (query or "").strip()[:100]
    if query:
        qs = qs.filter(Q(actor_email__icontains=query) | Q(object_id=query) | Q(summary__icontains=query))
    if since is not None:
        qs = qs.filter(at__gte=since)
    if until is not None:
        qs = qs.filter(at__lt=until)
    return qs.order_by("-at", "-id")
