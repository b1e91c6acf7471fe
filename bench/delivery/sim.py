"""A synthetic lunch and evening of delivery in the demo city, on a simulated clock, through the real
dispatch round (o2o.delivery.rounds.dispatch_round) on a real database.

The world (``build_world``): restaurants around the demo centre (settings.DEMO_CENTRE), each with one or
two stores and a 3.5 km delivery zone; couriers in fleets: each restaurant's own, plus two shared fleets
that carry for about half the restaurants each (overlapping), so eligibility matters.

The order stream (``order_stream``, pure and seeded): each meal's orders arrive over its window, most in
its middle (a triangular law); each goes from one store to a point 0.3-3.2 km away, with a prep time and
the time the kitchen really finishes (the estimate give or take a few minutes: the dispatcher sees only
the estimate). Its promise is checkout's quote (prep + ride at scooter speed + a handover).

A run (``simulate``) plays each meal: every tick (``round_every`` simulated seconds) the orders paid since
the last tick become open deliveries, one dispatch round runs with the policy's assign function, and each
courier rides along straight lines at scooter speed (o2o.delivery.geo.travel_seconds, the ETAs' own
model) to the next stop of the route the round stored (its stops in ETA order), waits at the counter for
the food, picks up (the task moves to picked_up: rounds may no longer move it), hands over at the door
(delivered). A meal ends when every order of it is delivered (or ``max_drain`` after its window).
Both policies get the same world, the same orders and the same kitchens.
"""

from __future__ import annotations

import math
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from o2o.delivery.geo import HANDOVER_S, haversine_m, travel_seconds

M_PER_DEG_LAT = 111_320.0
DAY = datetime(2026, 12, 4, tzinfo=UTC)  # local time is UTC+8 (the demo city's)
MEALS = {"lunch": DAY + timedelta(hours=3, minutes=30),  # 11:30 local
         "evening": DAY + timedelta(hours=10)}  # 18:00 local


@dataclass(frozen=True)
class Size:
    merchants: int = 12
    own_couriers: int = 1  # per merchant
    shared_couriers: int = 5  # in each of the two shared fleets
    lunch_orders: int = 60
    evening_orders: int = 70
    round_every: int = 30  # simulated seconds between two dispatch rounds (the worker's is 5)
    meal_minutes: int = 90  # how long orders come in, each meal
    max_drain: timedelta = timedelta(minutes=90)
    seed: int = 7


@dataclass(frozen=True)
class OrderSpec:
    n: int
    meal: str
    at: datetime  # paid
    store: int  # index in World.stores
    dropoff: tuple[float, float]
    prep_minutes: int
    ready_at: datetime  # when the kitchen really has it ready
    promised_at: datetime


@dataclass
class World:
    stores: list[Any]  # merchants.Store
    zones: list[Any]  # delivery.DeliveryZone, one per store
    couriers: list[Any]  # delivery.Courier
    homes: list[tuple[float, float]]  # where each courier starts a meal
    customer: Any
    serves: list[frozenset[UUID]] = field(default_factory=list)


def _near(rng: random.Random, at: tuple[float, float], lo: float, hi: float) -> tuple[float, float]:
    r, a = math.sqrt(rng.uniform(lo * lo, hi * hi)), rng.uniform(0, 2 * math.pi)
    return (at[0] + r * math.cos(a) / M_PER_DEG_LAT,
            at[1] + r * math.sin(a) / (M_PER_DEG_LAT * math.cos(math.radians(at[0]))))


def build_world(size: Size, *, centre: tuple[float, float]) -> World:
    from o2o.accounts.models import User
    from o2o.delivery.models import Courier, DeliveryZone
    from o2o.merchants.models import Merchant, StaffMembership, Store

    rng = random.Random(size.seed)
    tag = f"{size.seed}-{time.time_ns()}"
    owner = User.objects.create_user(f"sim-owner-{tag}@example.com", "x")
    customer = User.objects.create_user(f"sim-customer-{tag}@example.com", "x")
    merchants, stores, zones = [], [], []
    for m in range(size.merchants):
        merchant = Merchant.objects.create(name=f"Sim kitchen {m + 1}", category="restaurant", status="active",
                                           owner=owner)
        merchants.append(merchant)
        for s in range(1 + (rng.random() < 0.3)):
            lat, lng = _near(rng, centre, 200, 4000)
            store = Store.objects.create(merchant=merchant, name=f"Sim kitchen {m + 1}/{s + 1}", address="sim",
                                         lat=lat, lng=lng)
            stores.append(store)
            zones.append(DeliveryZone.objects.create(store=store, name="3.5 km", kind="radius", radius_m=3500,
                                                     fee_bands=[{"up_to_m": 3500, "fee": "5.00"}], currency="CNY"))
    half = size.merchants // 2
    fleets: list[list[Any]] = [[m] for m in merchants for _ in range(size.own_couriers)]
    fleets += [merchants[: half + 1]] * size.shared_couriers + [merchants[half - 1:]] * size.shared_couriers
    couriers, homes, serves = [], [], []
    for k, fleet in enumerate(fleets):
        user = User.objects.create_user(f"sim-courier-{k}-{tag}@example.com", "x")
        for merchant in fleet:
            StaffMembership.objects.create(merchant=merchant, user=user, role="courier")
        mine = [s for s in stores if s.merchant_id in {m.pk for m in fleet}]
        home = _near(rng, (lambda s: (s.lat, s.lng))(rng.choice(mine)), 0, 800)
        couriers.append(Courier.objects.create(user=user, status="off", capacity=3))
        homes.append(home)
        serves.append(frozenset(m.pk for m in fleet))
    return World(stores=stores, zones=zones, couriers=couriers, homes=homes, customer=customer, serves=serves)


def order_stream(size: Size, world: World) -> list[OrderSpec]:
    """The meal's orders, seeded: the same for every policy of a run."""
    rng = random.Random(size.seed * 7919 + 1)
    weights = [rng.uniform(0.5, 2.0) for _ in world.stores]
    out: list[OrderSpec] = []
    for meal, count in (("lunch", size.lunch_orders), ("evening", size.evening_orders)):
        start, span = MEALS[meal], timedelta(minutes=size.meal_minutes)
        secs = sorted(rng.triangular(0, span.total_seconds(), span.total_seconds() * 0.45) for _ in range(count))
        for sec in secs:
            s = rng.choices(range(len(world.stores)), weights)[0]
            store = world.stores[s]
            dropoff = _near(rng, (store.lat, store.lng), 300, 3200)
            prep = rng.randint(8, 20)
            at = start + timedelta(seconds=round(sec))
            ready = at + timedelta(minutes=prep, seconds=rng.randint(-120, 240))
            ride = math.ceil((travel_seconds(haversine_m(store.lat, store.lng, *dropoff)) + HANDOVER_S) / 60)
            out.append(OrderSpec(n=len(out), meal=meal, at=at, store=s, dropoff=dropoff, prep_minutes=prep,
                                 ready_at=ready, promised_at=at + timedelta(minutes=prep + ride)))
    return out


@dataclass
class _Rider:
    courier: Any
    pos: tuple[float, float]
    busy_until: datetime
    busy_s: float = 0.0


def _open_delivery(spec: OrderSpec, world: World, *, label: str) -> UUID:
    from o2o.delivery.models import Delivery
    from o2o.orders.models import Order

    store, zone = world.stores[spec.store], world.zones[spec.store]
    order = Order.objects.create(number=f"S{label[:1]}{spec.n}-{time.time_ns() % 10**9}", customer=world.customer,
                                 merchant_id=store.merchant_id, store=store, status="paid", fulfilment="delivery",
                                 fulfilment_status="preparing", currency="CNY", total_amount=Decimal("40.00"),
                                 paid_amount=Decimal("40.00"), expires_at=spec.at, paid_at=spec.at)
    d = Delivery.objects.create(order=order, store=store, zone=zone, address="sim", lat=spec.dropoff[0],
                                lng=spec.dropoff[1], currency="CNY", fee_amount=Decimal("5.00"),
                                distance_m=round(haversine_m(store.lat, store.lng, *spec.dropoff)),
                                prep_minutes=spec.prep_minutes, delivery_code="000000", status="open",
                                ready_estimate=spec.at + timedelta(minutes=spec.prep_minutes),
                                promised_at=spec.promised_at)
    return d.pk


def _routes(courier_ids: list[UUID]) -> dict[UUID, list[tuple[datetime, str, UUID, tuple[float, float]]]]:
    """Each courier's stops as the last round stored them, in ETA order (a route runs forward in time)."""
    from o2o.delivery.models import Delivery

    out: dict[UUID, list[tuple[datetime, str, UUID, tuple[float, float]]]] = defaultdict(list)
    far = DAY + timedelta(days=365)
    for row in Delivery.objects.filter(courier_id__in=courier_ids, status__in=("assigned", "picked_up")).values(
            "id", "courier_id", "status", "lat", "lng", "store__lat", "store__lng", "eta_pickup", "eta_dropoff"):
        if row["status"] == "assigned":
            out[row["courier_id"]].append((row["eta_pickup"] or far, "0pickup", row["id"],
                                           (row["store__lat"], row["store__lng"])))
        out[row["courier_id"]].append((row["eta_dropoff"] or far, "1dropoff", row["id"], (row["lat"], row["lng"])))
    for stops in out.values():
        stops.sort()
    return out


def _ride(rider: _Rider, stops: list[Any], *, t: datetime, dt: timedelta, ready: dict[UUID, datetime],
          done: dict[UUID, datetime]) -> None:
    """Move the rider for dt along its stops; pick up and deliver on the way (at their exact times)."""
    from o2o.delivery.fulfilment import delivery_move
    from o2o.delivery.models import Delivery

    clock, end = t, t + dt
    while clock < end:
        if rider.busy_until > clock:  # at a counter or a door
            step = min(rider.busy_until, end)
            rider.busy_s += (step - clock).total_seconds()
            clock = step
            continue
        if not stops:
            return
        _eta, kind, did, at = stops[0]
        need = travel_seconds(haversine_m(*rider.pos, *at))
        left = (end - clock).total_seconds()
        if need > left:
            f = left / need
            rider.pos = (rider.pos[0] + (at[0] - rider.pos[0]) * f, rider.pos[1] + (at[1] - rider.pos[1]) * f)
            rider.busy_s += left
            return
        rider.pos, clock = at, clock + timedelta(seconds=need)
        rider.busy_s += need
        if kind == "0pickup":
            if ready[did] > clock:  # waits for the food
                wait_to = min(ready[did], end)
                rider.busy_s += (wait_to - clock).total_seconds()
                clock = wait_to
                if clock < ready[did]:
                    return
            d = Delivery.objects.filter(pk=did, status="assigned", courier=rider.courier).first()
            if d is not None:
                delivery_move(d, "picked_up", reason="sim: picked up", picked_up_at=clock)
            rider.busy_until = clock + timedelta(seconds=HANDOVER_S)
        else:
            d = Delivery.objects.filter(pk=did, status="picked_up", courier=rider.courier).first()
            if d is not None:
                delivery_move(d, "delivered", reason="sim: delivered", delivered_at=clock)
                done[did] = clock
            rider.busy_until = clock + timedelta(seconds=HANDOVER_S)
        stops.pop(0)


def simulate(*, world: World, stream: list[OrderSpec], size: Size, assign: Callable[..., Any],
             label: str) -> dict[str, Any]:
    """Play every meal of the stream with one assign function; the policy's figures."""
    from o2o.delivery.models import Courier, Delivery
    from o2o.delivery.rounds import dispatch_round

    dt = timedelta(seconds=size.round_every)
    round_s: list[float] = []
    moved = 0
    courier_s = busy_s = 0.0
    late: list[bool] = []
    late_10: list[bool] = []  # more than 10 minutes past the promise
    delivered = 0
    minutes: list[float] = []
    span = timedelta(minutes=size.meal_minutes)
    solvers: dict[str, int] = defaultdict(int)
    for meal, start in MEALS.items():
        specs = [s for s in stream if s.meal == meal]
        if not specs:
            continue
        ids = [c.pk for c in world.couriers]
        riders = {c.pk: _Rider(courier=c, pos=home, busy_until=start) for c, home in zip(world.couriers, world.homes,
                                                                                          strict=True)}
        Courier.objects.filter(pk__in=ids).update(status="on")
        ready: dict[UUID, datetime] = {}
        paid: dict[UUID, OrderSpec] = {}
        done: dict[UUID, datetime] = {}
        queue = list(specs)
        t = start
        while queue or len(done) < len(paid):
            if t > start + span + size.max_drain:
                break
            while queue and queue[0].at <= t:
                spec = queue.pop(0)
                did = _open_delivery(spec, world, label=label)
                ready[did], paid[did] = spec.ready_at, spec
            for r in riders.values():
                Courier.objects.filter(pk=r.courier.pk).update(lat=r.pos[0], lng=r.pos[1], position_at=t)
            result = dispatch_round(now=t, assign=assign)
            round_s.append(result.seconds)
            solvers[result.solver] += 1
            moved += result.moved
            routes = _routes(ids)
            for cid, rider in riders.items():
                _ride(rider, routes.get(cid, []), t=t, dt=dt, ready=ready, done=done)
            t += dt
        courier_s += len(riders) * (t - start).total_seconds()
        busy_s += sum(r.busy_s for r in riders.values())
        for did, spec in paid.items():
            at = done.get(did)
            delivered += at is not None
            late.append(at is None or at > spec.promised_at)
            late_10.append(at is None or at > spec.promised_at + timedelta(minutes=10))
            minutes.append(((at or t) - spec.at).total_seconds() / 60)
        if os.environ.get("SIM_DEBUG"):
            for d in Delivery.objects.filter(pk__in=list(paid)).exclude(status="delivered"):
                print("left:", d.pk, d.status, d.courier_id, d.eta_pickup, d.eta_dropoff, paid[d.pk].ready_at,
                      [(e.to_status, e.at, e.data) for e in d.events.order_by("at", "id")], file=sys.stderr)
        # what is left at the end of the meal (past the drain) is not carried over into the next one
        Delivery.objects.filter(pk__in=list(paid), status__in=("open", "assigned", "picked_up")).update(
            status="cancelled")
        Courier.objects.filter(pk__in=ids).update(status="off")
    n = len(late)
    minutes.sort()
    round_s.sort()
    return {
        "orders": n,
        "delivered": delivered,
        "on_time_rate": round(1 - sum(late) / n, 4) if n else None,
        "within_10_min_rate": round(1 - sum(late_10) / n, 4) if n else None,
        "delivery_min_mean": round(statistics.mean(minutes), 2) if n else None,
        "delivery_min_p95": round(minutes[min(n - 1, math.ceil(0.95 * n) - 1)], 2) if n else None,
        "courier_utilisation": round(busy_s / courier_s, 4) if courier_s else None,
        "orders_per_courier_hour": round(delivered / (courier_s / 3600), 3) if courier_s else None,
        "rounds": len(round_s),
        "round_s_mean": round(statistics.mean(round_s), 4) if round_s else None,
        "round_s_p95": round(round_s[min(len(round_s) - 1, math.ceil(0.95 * len(round_s)) - 1)], 4) if round_s else None,
        "round_s_max": round(round_s[-1], 4) if round_s else None,
        "rounds_by_solver": dict(solvers),
        "moved": moved,
    }
