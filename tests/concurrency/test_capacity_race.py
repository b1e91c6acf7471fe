"""Capacity slots under real threads: the first takers create the row together, and no slot is overfilled.

Each thread runs capacity_take in its own transaction on its own connection. On PostgreSQL the losers of
the first insert wait for the winner's commit, get IntegrityError inside their savepoint and carry on with
the row; the conditional UPDATE then lets exactly `capacity` of them in.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction

from o2o.capacity.models import CapacitySlot
from o2o.capacity.services import capacity_release, capacity_take
from tests.concurrency.test_no_oversell import race

pytestmark = [pytest.mark.django_db(transaction=True)]

START = datetime(2026, 12, 4, 4, 0, tzinfo=UTC)
END = START + timedelta(minutes=15)


def _take(resource: str, capacity: int) -> bool:
    with transaction.atomic():
        return capacity_take(resource=resource, start=START, end=END, capacity=capacity)


def _release(resource: str) -> None:
    with transaction.atomic():
        capacity_release(resource=resource, start=START)


def test_16_first_takers_of_a_slot_for_5_get_exactly_5_places() -> None:
    resource = f"pickup:{uuid.uuid4()}"
    results = race(_take, [(resource, 5)] * 16)
    assert Counter(type(r).__name__ if isinstance(r, BaseException) else r for r in results) == {True: 5, False: 11}
    row = CapacitySlot.objects.get(resource=resource, start=START)
    assert (row.taken, row.capacity) == (5, 5)


def test_takes_and_releases_at_once_keep_the_count() -> None:
    resource = f"pickup:{uuid.uuid4()}"
    for _ in range(4):
        assert _take(resource, 4)
    calls = [(_release, resource), (_release, resource), (_release, resource)] + [(_take, resource)] * 9
    results = race(lambda fn, r: fn(r, 4) if fn is _take else fn(r), calls)
    assert not [r for r in results if isinstance(r, BaseException)]
    got = sum(1 for r in results if r is True)
    assert 0 <= got <= 3  # only released places can be taken again
    assert CapacitySlot.objects.get(resource=resource).taken == 4 - 3 + got
