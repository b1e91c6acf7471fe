"""A synthetic lunch-rush dispatch round: open deliveries from a few dozen stores, couriers on shift,
some of them already carrying orders. Deterministic for a seed."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

from o2o.routing.dispatch import Courier, LatLng, Task

CENTRE = LatLng(31.2304, 121.4737)
M_PER_DEG_LAT = 111_320.0


def _near(rng: random.Random, at: LatLng, radius_m: float) -> LatLng:
    r, a = radius_m * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
    dlat = r * math.cos(a) / M_PER_DEG_LAT
    dlng = r * math.sin(a) / (M_PER_DEG_LAT * math.cos(math.radians(at.lat)))
    return LatLng(at.lat + dlat, at.lng + dlng)


def dispatch_round(
    *, deliveries: int = 200, couriers: int = 100, stores: int = 40, carrying: float = 0.3, seed: int = 7
) -> tuple[list[Courier], list[Task], datetime]:
    """``deliveries`` open tasks, ``couriers`` couriers (box of 3), a ``carrying`` share carrying 1-2 orders."""
    rng = random.Random(seed)
    now = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    shops = [_near(rng, CENTRE, 4000) for _ in range(stores)]
    fleet = [Courier(id=f"c{k}", position=_near(rng, CENTRE, 4500), capacity=3) for k in range(couriers)]
    tasks: list[Task] = []
    for i in range(deliveries):
        shop = rng.choice(shops)
        ready = now + timedelta(seconds=rng.randint(-300, 1200))
        tasks.append(Task(id=f"d{i}", pickup=shop, dropoff=_near(rng, shop, 3000), ready_at=ready,
                          deliver_by=ready + timedelta(minutes=rng.randint(25, 45))))
    for k, courier in enumerate(fleet):
        if rng.random() < carrying:
            for j in range(rng.randint(1, 2)):
                tasks.append(Task(id=f"carried-{k}-{j}", pickup=courier.position,
                                  dropoff=_near(rng, courier.position, 2500),
                                  ready_at=now - timedelta(minutes=5),
                                  deliver_by=now + timedelta(minutes=rng.randint(10, 30)),
                                  carried_by=courier.id))
    return fleet, tasks, now
