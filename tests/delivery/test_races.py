"""On PostgreSQL with real threads: couriers racing for one bag, while dispatch rounds run, end with
exactly one courier holding it; and many positions at once keep one per 5 s."""

from __future__ import annotations

from typing import Any

import pytest

from tests.concurrency.test_no_oversell import kinds, race
from tests.delivery.conftest import LAT, LNG, bag_code, on_shift, paid_delivery
from tests.helpers import add_staff

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgres_only")]


def test_one_bag_one_courier_while_rounds_run(shop):
    from o2o.delivery import couriers
    from o2o.delivery.models import Delivery, DeliveryEvent
    from o2o.delivery.rounds import dispatch_round

    api = shop["api"]
    riders = [shop["courier"]] + [add_staff(api, shop["owner"], shop["merchant_id"], "courier", []) for _ in range(5)]
    for r in riders:
        on_shift(api, r, (LAT, LNG))
    order = paid_delivery(shop)
    code = bag_code(order["id"])

    def go(kind: str, who: Any) -> Any:
        if kind == "round":
            return dispatch_round()
        return couriers.courier_pickup(user=who["user"], store_id=shop["store_id"], code=code)

    results = race(go, [("pickup", r) for r in riders] + [("round", None)] * 3)
    got = kinds(results[:len(riders)])
    d = Delivery.objects.get(order_id=order["id"])
    assert d.status == "picked_up" and d.courier is not None
    # one pickup won; the others were refused (collected already, or assigned to the round's choice)
    assert got["ok"] == 1, got
    assert set(got) <= {"ok", "AlreadyCollected", "NotYourTask"}, got
    winner = next(riders[i] for i, r in enumerate(results[:len(riders)]) if not isinstance(r, BaseException))
    assert str(d.courier.user_id) == winner["id"]
    # a round after the pickup leaves it where it is
    dispatch_round()
    d.refresh_from_db()
    assert str(d.courier.user_id) == winner["id"] and d.status == "picked_up"
    assert DeliveryEvent.objects.filter(delivery=d, to_status="picked_up").count() == 1


def test_positions_at_once_keep_one(shop):
    from o2o.delivery import couriers
    from o2o.delivery.models import Courier

    api = shop["api"]
    courier = shop["courier"]
    api.post("/courier/shift", {"on": True}, courier["token"])
    results = race(lambda i: couriers.courier_position(user=courier["user"], lat=LAT + i * 1e-4, lng=LNG),
                   [(i,) for i in range(8)])
    got = kinds(results)
    assert got["ok"] == 1 and got["PositionTooSoon"] == 7, got
    c = Courier.objects.get(user_id=courier["id"])
    winner = next(i for i, r in enumerate(results) if not isinstance(r, BaseException))
    assert c.lat == pytest.approx(LAT + winner * 1e-4)
