"""A dispatch round: read the on-shift couriers and the deliveries to hand out, ask the assignment
function (dispatch.ASSIGN, pure) for a plan, and write it with conditional updates.

A task is written only while it is still open or assigned (`WHERE status IN (open, assigned)`), so a
courier picking an order up during the round keeps it: a round never takes a task from a courier who
has picked it up. Idempotent: a second round at once finds the same plan (the solver starts from the
assignments of the last round and keeps them unless it finds a better plan; the greedy one always keeps
them) and changes nothing but the ETAs."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from o2o.delivery import dispatch
from o2o.delivery.dispatch import CarriedTask, CourierIn, Plan, Point, TaskIn
from o2o.delivery.enums import CARRIED, DISPATCHABLE
from o2o.delivery.fulfilment import delivery_move
from o2o.delivery.models import Courier, Delivery
from o2o.merchants.enums import Role
from o2o.merchants.models import StaffMembership
from o2o.orders.enums import PAID_STATUSES

HORIZON = timedelta(minutes=20)  # "soon ready": the kitchen expects the food within this
STALE_POSITION = timedelta(minutes=10)  # a courier whose phone went quiet is not dispatched to
KITCHEN = ("pending", "accepted", "preparing", "ready")


@dataclass(frozen=True)
class RoundResult:
    couriers: int
    tasks: int
    assigned: int
    moved: int
    unassigned: int
    seconds: float
    solver: str = "greedy"  # who planned the round (the routing solver, or greedy_nearest as its fallback)

    def as_dict(self) -> dict[str, Any]:
        return {"couriers": self.couriers, "tasks": self.tasks, "assigned": self.assigned, "moved": self.moved,
                "unassigned": self.unassigned, "seconds": round(self.seconds, 4), "solver": self.solver}


def round_inputs(*, now: datetime) -> tuple[list[CourierIn], list[TaskIn]]:
    """The plan's inputs as the database has them now (no lock: the writes are conditional)."""
    couriers = list(Courier.objects.filter(status="on", position_at__gte=now - STALE_POSITION,
                                           lat__isnull=False, lng__isnull=False))
    merchants: dict[int | UUID, set[UUID]] = defaultdict(set)
    for user_id, merchant_id in StaffMembership.objects.filter(
            user_id__in=[c.user_id for c in couriers], role=Role.COURIER, is_active=True,
            merchant__status="active").values_list("user_id", "merchant_id"):
        merchants[user_id].add(merchant_id)
    carried: dict[UUID, list[CarriedTask]] = defaultdict(list)
    for d in Delivery.objects.filter(courier__in=couriers, status__in=CARRIED).order_by("sequence"):
        carried[d.courier_id].append(  # type: ignore[index]
            CarriedTask(id=d.pk, dropoff=Point(d.lat, d.lng), deliver_by=d.promised_at, eta_dropoff=d.eta_dropoff))
    cins = [CourierIn(id=c.pk, position=Point(c.lat, c.lng), merchant_ids=frozenset(merchants[c.user_id]),  # type: ignore[arg-type]
                      capacity=c.capacity, carrying=tuple(carried[c.pk])) for c in couriers if merchants[c.user_id]]
    rows = (Delivery.objects.filter(status__in=DISPATCHABLE, order__status__in=PAID_STATUSES,
                                    order__fulfilment_status__in=KITCHEN)
            .filter(Q(ready_estimate__isnull=True) | Q(ready_estimate__lte=now + HORIZON))
            .select_related("store").order_by("ready_estimate", "id"))
    tasks = [TaskIn(id=d.pk, merchant_id=d.store.merchant_id, pickup=Point(d.store.lat, d.store.lng),
                    dropoff=Point(d.lat, d.lng), ready_at=d.ready_estimate or now, assigned_to=d.courier_id,
                    deliver_by=d.promised_at, eta_pickup=d.eta_pickup, eta_dropoff=d.eta_dropoff)
             for d in rows]
    return cins, tasks


def dispatch_round(*, now: datetime | None = None, assign: dispatch.AssignFn | None = None) -> RoundResult:
    """One round (see the module docstring); `assign` defaults to dispatch.ASSIGN."""
    started = time.perf_counter()
    now = now or timezone.now()
    couriers, tasks = round_inputs(now=now)
    plan: Plan = (assign or dispatch.ASSIGN)(couriers=couriers, tasks=tasks, now=now)
    by_id = {t.id: t for t in tasks}
    assigned = moved = 0
    for courier_id, stops in plan.routes.items():
        for seq, stop in enumerate(stops):
            if stop.kind == "dropoff" and stop.task_id not in by_id:  # a carried order: only its ETA moves
                Delivery.objects.filter(pk=stop.task_id, courier_id=courier_id, status__in=CARRIED).update(
                    eta_dropoff=stop.eta, sequence=seq)
    for task_id, courier_id in plan.assignments.items():
        task = by_id.get(task_id)
        if task is None:
            continue
        changes = {"eta_pickup": plan.eta(task_id, "pickup"), "eta_dropoff": plan.eta(task_id, "dropoff"),
                   "sequence": next((i for i, s in enumerate(plan.routes[courier_id]) if s.task_id == task_id), 0)}
        if task.assigned_to == courier_id:
            Delivery.objects.filter(pk=task_id, courier_id=courier_id, status="assigned").update(**changes)
            continue
        with transaction.atomic():
            d = Delivery.objects.select_for_update().filter(pk=task_id, status__in=DISPATCHABLE).first()
            if d is None or d.courier_id != task.assigned_to:
                continue  # picked up (or changed) since the round read it: left as it is
            moved += d.courier_id is not None
            assigned += 1
            delivery_move(d, "assigned", reason="dispatch round", courier_id=courier_id, assigned_at=now, **changes)
    for task_id in plan.unassigned:
        task = by_id[task_id]
        if task.assigned_to is not None:  # its courier went away (off shift, silent): back to open
            with transaction.atomic():
                d = Delivery.objects.select_for_update().filter(pk=task_id, status="assigned").first()
                if d is not None:
                    delivery_move(d, "open", reason="no courier", courier=None, eta_pickup=None, eta_dropoff=None)
    return RoundResult(couriers=len(couriers), tasks=len(tasks), assigned=assigned, moved=moved,
                       unassigned=len(plan.unassigned), seconds=time.perf_counter() - started, solver=plan.solver)
