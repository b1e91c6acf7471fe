"""Writing the audit log. ``audit_record`` never breaks the flow that calls it."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from o2o.audit import context
from o2o.audit.models import AuditEntry

log = logging.getLogger("o2o.audit")


def _merchant_id_of(obj: Any, merchant: Any) -> Any:
    if merchant is not None:
        return getattr(merchant, "pk", merchant)
    if obj is None:
        return None
    if getattr(getattr(obj, "_meta", None), "label", "") == "merchants.Merchant":
        return obj.pk
    return getattr(obj, "merchant_id", None)


def audit_record(*, actor: Any = None, action: str, obj: Any = None, merchant: Any = None, summary: str = "",
                 data: dict[str, Any] | None = None, ip: str | None = None) -> AuditEntry | None:
    """Append one entry. ``actor`` and ``ip`` default to the current request's user and address.

    Written in its own savepoint: a failure here is logged as a warning and the caller's transaction
    goes on unharmed (an audit problem must not refuse a sale at the counter).
    """
    try:
        if actor is None:
            actor = context.current_user()
        if ip is None:
            ip = context.client_ip()
        object_type = object_id = ""
        if obj is not None:
            meta = getattr(obj, "_meta", None)
            object_type = meta.label_lower if meta is not None else type(obj).__name__.lower()
            object_id = str(getattr(obj, "pk", "") or "")
        clean = json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))
        with transaction.atomic():
            return AuditEntry.objects.create(
                actor=actor if getattr(actor, "pk", None) else None,
                actor_email=(getattr(actor, "email", "") or "")[:254],
                merchant_id=_merchant_id_of(obj, merchant), action=action[:40], object_type=object_type[:60],
                object_id=object_id[:64], summary=str(summary)[:300], data=clean, ip=ip or None,
            )
    except Exception:
        log.warning("audit entry %r not written", action, exc_info=True)
        return None
