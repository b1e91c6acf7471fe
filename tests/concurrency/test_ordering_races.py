"""Lunch-rush races with real threads: a counted dish never sells more than the store has, online and
at the counter alike, and no pickup slot ever takes more orders than its capacity."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from o2o.catalogue.models import StoreStock
from o2o.orders.models import OrderLine
from tests.concurrency.test_no_oversell import kinds, race
from tests.helpers import HOURS_ALL_DAY, quick_user

pytestmark = [pytest.mark.django_db(transaction=True)]


def _restaurant(*, beef: int, slot_capacity: int = 50) -> dict[str, Any]:
    from o2o.catalogue.products import product_create
    from o2o.merchants.services import merchant_create, staff_add, store_create
    from o2o.ordering.models import StoreOrdering

    owner = quick_user("owner")
    merchant = merchant_create(owner=owner["user"], name="Race Noodles", category="restaurant")
    store = store_create(merchant=merchant, name="Lunch", address="1 Road", lat=30.6, lng=104.0,
                         opening_hours=HOURS_ALL_DAY)
    StoreOrdering.objects.create(store=store, slot_capacity=slot_capacity)
    dish = product_create(merchant=merchant, actor=owner["user"], title="Braised beef", price={"amount": "26.00"},
                          stock=[{"store_id": str(store.pk), "quantity": beef}], status="live")
    soup = product_create(merchant=merchant, actor=owner["user"], title="Soup", price={"amount": "12.00"},
                          stock=[{"store_id": str(store.pk), "quantity": None}], status="live",
                          options=[{"name": "Size", "required": True, "max_choices": 1,
                                    "choices": [{"name": "Regular"}, {"name": "Large", "price_delta": "3.00"}]}])
    clerk = quick_user("clerk")
    staff_add(merchant=merchant, email=clerk["email"], role="clerk", store_ids=[store.pk])
    return {"store": store, "dish": dish, "soup": soup, "clerk": clerk}


def _slots(store: Any) -> list[str]:
    from o2o.ordering.checkout import pickup_slots

    for days in (0, 1):
        day = (timezone.localtime() + timezone.timedelta(days=days)).date()
        slots = pickup_slots(store=store, day=day)
        if len(slots) >= 3:
            return [s.start.isoformat() for s in slots]
    raise AssertionError("no slots")


def _order(customer: Any, store: Any, slot: str, lines: list[dict[str, Any]]) -> Any:
    from o2o.ordering.checkout import ordering_order_create

    return ordering_order_create(customer=customer, lines=lines,
                                 fulfilment={"type": "pickup", "store_id": str(store.pk), "slot_start": slot})


def _sale(clerk: Any, store: Any, lines: list[dict[str, Any]]) -> Any:
    from o2o.ordering.counter import counter_sale_create

    return counter_sale_create(user=clerk, store_id=str(store.pk), lines=lines, payment={"method": "cash"})


def test_last_units_of_a_dish_online_and_at_the_counter(request):
    r = _restaurant(beef=6)
    slots = _slots(r["store"])
    buyers = [quick_user("buyer")["user"] for _ in range(12)]
    args = [("online", b, slots[i % 3]) for i, b in enumerate(buyers)] + [("counter", None, None)] * 4

    def go(kind: str, buyer: Any, slot: str | None) -> Any:
        lines = [{"offering_id": str(r["dish"].pk), "quantity": 1}]
        if kind == "counter":
            return _sale(r["clerk"]["user"], r["store"], lines)
        return _order(buyer, r["store"], slot, lines + [
            {"offering_id": str(r["soup"].pk), "quantity": 1, "options": [{"name": "Size", "choice": "Large"}]}])

    results = race(go, args)
    got = kinds(results)
    assert got["ok"] == 6, got
    assert got["SoldOut"] == len(args) - 6, got
    assert StoreStock.objects.get(offering=r["dish"]).quantity_left == 0
    sold = sum(OrderLine.objects.filter(offering=r["dish"]).exclude(order__status="cancelled")
               .values_list("quantity", flat=True))
    assert sold == 6  # every unit sold once, none twice


def test_a_pickup_slot_never_takes_more_than_its_capacity():
    from o2o.capacity.models import CapacitySlot
    from o2o.ordering.errors import SlotFull

    r = _restaurant(beef=100, slot_capacity=3)
    slot = _slots(r["store"])[0]
    buyers = [quick_user("buyer")["user"] for _ in range(10)]
    results = race(lambda b: _order(b, r["store"], slot, [{"offering_id": str(r["soup"].pk), "quantity": 1,
                                                            "options": [{"name": "Size", "choice": "Regular"}]}]),
                   [(b,) for b in buyers])
    got = kinds(results)
    assert got["ok"] == 3 and got[SlotFull.__name__] == 7, got
    row = CapacitySlot.objects.get(resource=f"pickup:{r['store'].pk}")
    assert row.taken == 3 <= row.capacity
    from o2o.ordering.models import Ticket

    assert Ticket.objects.filter(store=r["store"]).count() == 3  # the refused ones left nothing behind
