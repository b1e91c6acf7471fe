"""Guarded status transitions (Oscar-style) with an event row per transition.

Every status field has a transition table in its app's enums.py; ``transition`` is the one setter.
It updates conditionally on the current status, so two racing writers cannot both move the same row.
"""

from collections.abc import Mapping
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from o2o.core.errors import TransitionNotAllowed


def transition(
    *,
    obj: models.Model,
    to: str,
    table: Mapping[str, frozenset[str]],
    event_model: type[models.Model],
    event_fk: str,
    actor: Any = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
    field: str = "status",
) -> None:
    current = getattr(obj, field)
    if to not in table.get(current, frozenset()):
        raise TransitionNotAllowed(f"Cannot go from {current} to {to}.")
    changes: dict[str, Any] = {field: to, "updated_at": timezone.now(), **(extra or {})}
    # The move and its event row commit together or not at all: no status change without its event.
    with transaction.atomic():
        moved = type(obj)._default_manager.filter(pk=obj.pk, **{field: current}).update(**changes)
        if moved != 1:
            raise TransitionNotAllowed(f"{type(obj).__name__} changed meanwhile; it is no longer {current}.")
        event_model._default_manager.create(
            **{event_fk: obj},
            from_status=current,
            to_status=to,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            reason=reason[:200],
            data=data or {},
        )
    for key, value in changes.items():
        setattr(obj, key, value)
