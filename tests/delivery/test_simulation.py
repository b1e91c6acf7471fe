"""make simulate-delivery at a tiny size (a few orders, one short meal), so that it cannot rot: both
policies play the same orders through the real dispatch round on the test database and every order is
delivered; the solver plans the rounds of the first, greedy_nearest those of the second."""

from __future__ import annotations

import functools
from datetime import timedelta

import pytest

from bench.delivery.sim import Size, build_world, order_stream, simulate
from o2o.delivery.dispatch import greedy_nearest, routed
from o2o.delivery.models import Delivery


@pytest.mark.django_db
def test_a_tiny_simulated_meal_runs_both_policies_through_the_real_round():
    size = Size(merchants=2, own_couriers=1, shared_couriers=1, lunch_orders=4, evening_orders=0, round_every=30,
                meal_minutes=20, max_drain=timedelta(minutes=60), seed=3)
    world = build_world(size, centre=(30.6570, 104.0658))
    stream = order_stream(size, world)
    assert len(stream) == 4 and stream == order_stream(size, world)  # seeded: the same orders for both
    solver = simulate(world=world, stream=stream, size=size, label="routed", assign=functools.partial(routed, seconds=0.05))
    greedy = simulate(world=world, stream=stream, size=size, label="greedy", assign=greedy_nearest)
    for figures in (solver, greedy):
        assert figures["orders"] == figures["delivered"] == 4
        assert 0 <= figures["on_time_rate"] <= 1 and 0 < figures["courier_utilisation"] <= 1
        assert figures["delivery_min_mean"] > 0 and figures["delivery_min_p95"] >= figures["delivery_min_mean"] * 0.5
        assert figures["rounds"] > 0 and figures["round_s_max"] >= figures["round_s_mean"] > 0
    assert solver["rounds_by_solver"] == {"pyvrp": solver["rounds"]}
    assert greedy["rounds_by_solver"] == {"greedy": greedy["rounds"]} and greedy["moved"] == 0
    assert Delivery.objects.filter(status="delivered").count() == 8
    assert not Delivery.objects.filter(status__in=("open", "assigned", "picked_up")).exists()
