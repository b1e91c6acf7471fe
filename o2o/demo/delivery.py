"""Delivery in the demo city: every restaurant with a menu delivers (a 3 km radius zone with three fee
bands and a 20.00 minimum; the demo store also a polygon zone over the blocks east of it, farther and
dearer, with a 40.00 minimum), the merchants' own couriers, one courier of a shared fleet who carries
for the demo merchant and the featured restaurants (a demo login), and delivery orders at different
stages: the demo customer's on its way with the fleet courier (their code on the order page, the
courier's position on its map), another customer's delivered, and at a featured restaurant one paid
and assigned to the fleet courier (a pickup on the courier's route).

All of it through the services: zone_create, store_delivery_set, delivery_order_create, order_pay,
courier_shift, courier_position, courier_pickup, courier_deliver; the assignment is delivery_move, the
setter a dispatch round uses. The orders are placed now while the store is open; when it is closed now
they are placed at the last moment it was open and their rows (order, payment, ticket, delivery) are
moved back to then, as dining.py moves yesterday's pickups.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from o2o.accounts.models import User
from o2o.analytics.models import Event
from o2o.core.events import EventKind
from o2o.delivery import couriers
from o2o.delivery.checkout import delivery_order_create
from o2o.delivery.fulfilment import delivery_move
from o2o.delivery.geo import HANDOVER_S, haversine_m, travel_seconds
from o2o.delivery.models import Courier, Delivery, DeliveryEvent
from o2o.delivery.zones import store_delivery_set, zone_create
from o2o.demo import places
from o2o.demo.dining import Dining, _back, _payment_rows, last_open
from o2o.demo.orders import SANDBOX_CARD, OrderMaker
from o2o.merchants.enums import Category, Role
from o2o.merchants.hours import is_open
from o2o.merchants.models import Merchant, StaffMembership, Store
from o2o.ordering.models import Ticket
from o2o.orders.models import FulfilmentEvent, Order, OrderEvent, OrderLine
from o2o.payments.services import order_pay

RIDER_PASSWORD = "demo-rider-pass"  # noqa: S105 - the merchants' own couriers' (rider001@demo.o2o, ...), as seed.LOGINS
BANDS = [{"up_to_m": 1000, "fee": "3.00"}, {"up_to_m": 2000, "fee": "5.00"}, {"up_to_m": 3000, "fee": "8.00"}]
EAST_BANDS = [{"up_to_m": 2500, "fee": "6.00"}, {"up_to_m": 4500, "fee": "10.00"}]
# the east polygon's corners from the demo store, (north, east) metres
EAST_RING = ((1200, 800), (2200, 3600), (-400, 4400), (-2000, 2600), (-900, 700))
DOORS = (("2单元 1203", 700, 900), ("B座 8楼", -600, 1300), ("1栋 502", 1300, -400))  # (door, north, east)
COURIERS_PATH = "/courier/"


def delivery_rows() -> list[tuple[str, str, str]]:
    """(who, what, path) for seed_demo's where-to-look table ([] in a city seeded without delivery)."""
    d = (Delivery.objects.filter(order__customer__email="customer@demo.o2o", status="picked_up")
         .order_by("-created_at").first())
    if d is None:
        return []
    return [("customer", f"a delivery on its way: the courier on the map, the code to show (order {d.order.number})",
             f"/orders/{d.order_id}/"),
            ("courier", "the fleet courier's phone page: deliver it with the customer's code", COURIERS_PATH),
            ("anyone", "order for delivery: pin on the map, fee and ETA before paying", f"/stores/{d.store_id}/delivery/")]


class DeliveryCity:
    def __init__(self, *, rng: random.Random, dining: Dining) -> None:
        self.rng = rng
        self.dining = dining
        self.counts: Counter[str] = Counter()
        self.maker = OrderMaker(rng=rng)

    # --- zones and couriers ---------------------------------------------------------------------------

    def zones(self, merchant: Merchant, owner: User, *, demo: bool) -> list[Store]:
        stores = list(merchant.stores.order_by("created_at"))
        for store in stores:
            zone_create(user=owner, store_id=store.pk, name="3 km 三公里内", kind="radius", radius_m=3000,
                        fee_bands=BANDS, minimum_order="20.00")
            store_delivery_set(user=owner, store_id=store.pk, prep_minutes=self.rng.choice([12, 15, 18]))
            self.counts["delivery_zones"] += 1
        if demo:
            store = stores[0]
            ring = [[round(lng, 6), round(lat, 6)] for lat, lng in
                    (places.offset(store.lat, store.lng, north_m=n, east_m=e) for n, e in EAST_RING)]
            zone_create(user=owner, store_id=store.pk, name="东边商圈 East blocks", kind="polygon", polygon=ring,
                        fee_bands=EAST_BANDS, minimum_order="40.00")
            self.counts["delivery_zones"] += 1
        return stores

    def riders(self, n_own: int) -> list[User]:
        hashed = make_password(RIDER_PASSWORD)
        riders = [User(email=f"rider{i:03d}@demo.o2o", password=hashed, display_name=f"骑手 Rider {i}")
                  for i in range(1, n_own + 1)]
        User.objects.bulk_create(riders)
        return list(User.objects.filter(email__in=[u.email for u in riders]).order_by("email"))

    @staticmethod
    def member(merchant: Merchant, user: User) -> None:
        # staff_add's EmailValidator refuses the demo's ".o2o" addresses: the membership as it writes one
        StaffMembership.objects.create(merchant=merchant, user=user, role=Role.COURIER)

    # --- orders ---------------------------------------------------------------------------------------

    def place(self, *, customer: User, store: Store, door: tuple[str, float, float], at: datetime) -> Order | None:
        """A paid delivery order of 2-3 dishes (over the minimum) placed at `at`."""
        menu = self.dining.menus[store.merchant_id]
        unit, north_m, east_m = door
        lat, lng = places.offset(store.lat, store.lng, north_m=north_m, east_m=east_m)
        address = f"{places.address_for(self.rng, lat, lng)[0]} {unit}"
        now = timezone.now()
        for _try in range(4):
            lines = self.dining.lines(menu, count=self.rng.choice([2, 3]), kitchen_only=True)
            try:
                order = delivery_order_create(customer=customer, lines=lines, now=at if at < now else None,
                                              fulfilment={"type": "delivery", "store_id": str(store.pk),
                                                          "address": address, "lat": round(lat, 6), "lng": round(lng, 6)})
            except Exception:  # noqa: S112 - under the minimum or a dish ran out: another cart
                continue
            if at < now:  # the hold ran from `at`: pay now, then the rows go back to `at`
                Order.objects.filter(pk=order.pk).update(expires_at=now + timedelta(minutes=15))
            order = order_pay(customer=customer, order_id=order.pk, provider="sandbox",
                              details={"card_number": SANDBOX_CARD})
            if at < now:
                backdate_placed(order, at=at)
            self.maker._renumber(order, at)
            self.counts["delivery_orders"] += 1
            return order
        return None

    def city(self, *, city: list[Any], demo_store: Store, customer: User, fleet: User, customers: list[User]) -> None:
        """Zones on every restaurant with a menu, the couriers, then the orders (the module docstring);
        `fleet` is the demo courier login, the shared fleet's courier."""
        restaurants = [(m, owner) for m, owner, _o, _k in city
                       if m.category == Category.RESTAURANT and m.pk in self.dining.menus]
        riders = self.riders(2)
        demo_m = demo_store.merchant
        featured = []
        for i, (m, owner) in enumerate(restaurants):
            stores = self.zones(m, owner, demo=m.pk == demo_m.pk)
            if i < 4:  # the demo merchant and the next three: the fleet carries for them
                featured.append((m, stores[0]))
                self.member(m, fleet)
        self.member(demo_m, riders[0])
        if len(featured) > 1:
            self.member(featured[1][0], riders[1])
        now = timezone.now()
        at = now if is_open(demo_store.opening_hours, demo_store.timezone, now) else last_open(demo_store, now)
        if at is None:
            return
        at = at.replace(microsecond=0)
        # another customer's, delivered by the demo merchant's own courier
        done = self.place(customer=self.rng.choice(customers), store=demo_store, door=DOORS[1],
                          at=_open_at(demo_store, at - timedelta(minutes=50), at))
        if done is not None:
            self.deliver(done, riders[0], demo_store)
        # the demo customer's, on its way with the fleet courier
        mine = self.place(customer=customer, store=demo_store, door=DOORS[0],
                          at=_open_at(demo_store, at - timedelta(minutes=22), at))
        if mine is not None:
            self.on_its_way(mine, fleet, demo_store)
        # at a featured restaurant, paid and assigned to the fleet courier: a pickup on their route
        if len(featured) > 1:
            m, store = featured[1]
            when = now if is_open(store.opening_hours, store.timezone, now) else last_open(store, now)
            if when is not None:
                when = when.replace(microsecond=0)
                o = self.place(customer=self.rng.choice(customers), store=store, door=DOORS[2],
                               at=_open_at(store, when - timedelta(minutes=4), when))
                if o is not None:
                    self.assign(o, fleet, store)
        self.counts["couriers"] = 1 + len(riders)

    def deliver(self, order: Order, rider: User, store: Store) -> None:
        """Made, picked up 22 minutes after it was placed and delivered 12 minutes later (or now, if sooner)."""
        placed = Order.objects.values_list("created_at", flat=True).get(pk=order.pk)
        now = timezone.now()
        picked, delivered = min(placed + timedelta(minutes=22), now), min(placed + timedelta(minutes=34), now)
        couriers.courier_shift(user=rider, on=True)
        couriers.courier_position(user=rider, lat=store.lat, lng=store.lng)
        code = Ticket.objects.filter(order=order).values_list("pickup_code", flat=True).get()
        d = couriers.courier_pickup(user=rider, store_id=store.pk, code=code)
        d.refresh_from_db()
        couriers.courier_deliver(user=rider, delivery_id=d.pk, code=d.delivery_code)
        couriers.courier_shift(user=rider, on=False)
        now = timezone.now()
        if delivered < now - timedelta(seconds=1):  # picked up and delivered then, not in the seeding second
            events = DeliveryEvent.objects.filter(delivery=d)
            _back(events.filter(to_status="picked_up"), now - picked, "at")
            _back(events.filter(to_status="delivered"), now - delivered, "at")
            _back(FulfilmentEvent.objects.filter(order=order, to_status__in=["accepted", "preparing", "ready",
                                                                               "dispatched"]), now - picked, "at")
            _back(FulfilmentEvent.objects.filter(order=order, to_status="delivered"), now - delivered, "at")
            Delivery.objects.filter(pk=d.pk).update(picked_up_at=picked, assigned_at=picked, delivered_at=delivered,
                                                    updated_at=delivered)
            Ticket.objects.filter(order=order).update(ready_at=picked, done_at=picked, updated_at=picked)
            _back(Event.objects.filter(order_id=order.pk).exclude(kind__in=[EventKind.ORDER, EventKind.PAID]),
                  now - delivered, "at")
        self.counts["deliveries_done"] += 1

    def on_its_way(self, order: Order, fleet: User, store: Store) -> None:
        """Picked up by the fleet courier, who is now a little more than half way to the door."""
        couriers.courier_shift(user=fleet, on=True)
        couriers.courier_position(user=fleet, lat=store.lat, lng=store.lng)
        code = Ticket.objects.filter(order=order).values_list("pickup_code", flat=True).get()
        d = couriers.courier_pickup(user=fleet, store_id=store.pk, code=code)
        d.refresh_from_db()
        share = 0.6
        lat, lng = store.lat + (d.lat - store.lat) * share, store.lng + (d.lng - store.lng) * share
        now = timezone.now()
        left = travel_seconds(d.distance_m * (1 - share)) + HANDOVER_S
        Courier.objects.filter(user=fleet).update(lat=round(lat, 6), lng=round(lng, 6), position_at=now)
        Delivery.objects.filter(pk=d.pk).update(eta_dropoff=now + timedelta(seconds=left), sequence=0)
        self.counts["deliveries_on_the_way"] += 1

    def assign(self, order: Order, fleet: User, store: Store) -> None:
        """What a dispatch round would do for the fleet courier: the task is theirs, with its ETAs."""
        courier = Courier.objects.get(user=fleet)
        d = Delivery.objects.get(order=order)
        now = timezone.now()
        far = haversine_m(courier.lat, courier.lng, store.lat, store.lng) if courier.lat is not None and courier.lng is not None else 0
        to_store = travel_seconds(far)
        pickup = max(now + timedelta(seconds=to_store), d.ready_estimate or now)
        delivery_move(d, "assigned", reason="demo: assigned to the fleet courier", courier=courier, assigned_at=now,
                      eta_pickup=pickup, eta_dropoff=pickup + timedelta(seconds=travel_seconds(d.distance_m) + HANDOVER_S),
                      sequence=1)
        self.counts["deliveries_assigned"] += 1


def _open_at(store: Store, wanted: datetime, fallback: datetime) -> datetime:
    """`wanted` if the store was open then, else `fallback` (a moment it was or is open)."""
    return wanted if is_open(store.opening_hours, store.timezone, wanted, store.closed_dates) else fallback


def backdate_placed(order: Order, *, at: datetime) -> None:
    """A delivery order placed and paid in this second, moved back to `at` (+1 minute to pay)."""
    order = Order.objects.get(pk=order.pk)
    d = order.created_at - at
    # paid a minute after `at`, but never later than it really was paid: placed less than a minute ago
    # (the store just opened), the payment keeps its own time
    paid = max(d - timedelta(minutes=1), timedelta(0))
    payments, payment_events, ledger, charges = _payment_rows(order)
    _back(Order.objects.filter(pk=order.pk), paid, "paid_at", "updated_at")
    _back(Order.objects.filter(pk=order.pk), d, "created_at", "expires_at")
    _back(OrderLine.objects.filter(order=order), d, "created_at", "updated_at")
    _back(OrderEvent.objects.filter(order=order), paid, "at")
    _back(payments, paid, "created_at", "updated_at")
    _back(payment_events, paid, "at")
    _back(ledger, paid, "created_at", "updated_at")
    _back(charges, paid, "created_at", "updated_at")
    _back(Ticket.objects.filter(order=order), d, "created_at", "queued_at", "updated_at")
    _back(FulfilmentEvent.objects.filter(order=order), paid, "at")
    delivery = Delivery.objects.filter(order=order)
    _back(delivery, d, "created_at", "updated_at")  # promised_at counted from `at` already (checkout)
    _back(delivery, paid, "ready_estimate")
    _back(DeliveryEvent.objects.filter(delivery__order=order), paid, "at")
    _back(Event.objects.filter(order_id=order.pk, kind__in=[EventKind.ORDER, EventKind.PAID]), paid, "at")
