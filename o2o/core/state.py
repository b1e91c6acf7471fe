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
    where: dict[str, Any] | None = None,
    event_extra: dict[str, Any] | None = None,
    now: Any = None,
) -> None:
    """Move `obj` from its current status to `to` if `table` allows it and the row still has that
    status (and matches `where`, e.g. ``valid_until__gt=now``); writes its event row (with
    `event_extra` fields, e.g. the store) in the same transaction. Raises TransitionNotAllowed."""
    current = getattr(obj, field)
    if to not in table.get(current, frozenset()):
        raise TransitionNotAllowed(f"Cannot go from {current} to {to}.")
    changes: dict[str, Any] = {field: to, "updated_at": now or timezone.now(), **(extra or {})}
    # The move and its event row commit together or not at all: no status change without its event.
    with transaction.atomic():
        moved = (type(obj)._default_manager.filter(pk=obj.pk, **{field: current}, **(where or {}))
                 .update(**changes))
        if moved != 1:
            raise TransitionNotAllowed(f"{type(obj).__name__} changed meanwhile; it is no longer {current}.")
        event_model._default_manager.create(
            **{event_fk: obj},
            from_status=current,
            to_status=to,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            reason=reason[:200],
            data=data or {},
            **(event_extra or {}),
        )
    for key, value in changes.items():
        setattr(obj, key, value)
