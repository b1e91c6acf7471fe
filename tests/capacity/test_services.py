"""Taking and releasing places: full slots answer False, releases free places, the figure may change later."""

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from o2o.capacity.models import CapacitySlot
from o2o.capacity.selectors import taken_by_start
from o2o.capacity.services import capacity_release, capacity_take

pytestmark = pytest.mark.django_db

START = datetime(2026, 12, 4, 4, 0, tzinfo=UTC)
END = START + timedelta(minutes=15)


def _resource() -> str:
    return f"pickup:{uuid.uuid4()}"


def _take(resource: str, capacity: int, n: int = 1, start: datetime = START) -> bool:
    return capacity_take(resource=resource, start=start, end=start + timedelta(minutes=15), capacity=capacity, n=n)


def _row(resource: str, start: datetime = START) -> CapacitySlot:
    return CapacitySlot.objects.get(resource=resource, start=start)


def test_the_first_take_creates_the_row_and_takes_until_full() -> None:
    r = _resource()
    assert not CapacitySlot.objects.filter(resource=r).exists()
    assert [_take(r, 3) for _ in range(5)] == [True, True, True, False, False]
    row = _row(r)
    assert (row.taken, row.capacity, row.end) == (3, 3, END)
    assert CapacitySlot.objects.filter(resource=r).count() == 1


def test_slots_and_resources_are_counted_apart() -> None:
    a, b = _resource(), _resource()
    assert _take(a, 1) and not _take(a, 1)
    assert _take(b, 1)  # another store
    assert _take(a, 1, start=END)  # the next slot of the same store
    assert taken_by_start(resource=a, starts=[START, END]) == {START: 1, END: 1}


def test_release_frees_a_place_and_never_goes_below_zero() -> None:
    r = _resource()
    assert _take(r, 2) and _take(r, 2) and not _take(r, 2)
    capacity_release(resource=r, start=START)
    assert _row(r).taken == 1
    assert _take(r, 2)
    capacity_release(resource=r, start=START, n=2)
    capacity_release(resource=r, start=START)  # nothing left to give back: no change, no error
    assert _row(r).taken == 0
    capacity_release(resource=_resource(), start=START)  # no row at all
    assert CapacitySlot.objects.filter(resource=r).count() == 1


def test_several_places_at_once() -> None:
    r = _resource()
    assert _take(r, 5, n=3)
    assert not _take(r, 5, n=3)  # 6 > 5: nothing taken
    assert _row(r).taken == 3
    assert _take(r, 5, n=2)
    assert _row(r).taken == 5
    capacity_release(resource=r, start=START, n=4)
    assert _row(r).taken == 1
    assert not _take(_resource(), 2, n=3)  # more than the slot holds, even when empty


def test_capacity_raised_later_lets_more_in_and_lowered_never_goes_below_taken() -> None:
    r = _resource()
    assert _take(r, 2) and _take(r, 2) and not _take(r, 2)
    assert _take(r, 4)  # the merchant raised the figure to 4
    assert (_row(r).taken, _row(r).capacity) == (3, 4)
    assert not _take(r, 2)  # lowered to 2: full, and the row keeps what is taken
    assert (_row(r).taken, _row(r).capacity) == (3, 3)
    assert not _take(r, 3)
    assert _take(r, 5) and _row(r).capacity == 5


def test_naive_times_and_nonsense_counts_are_refused() -> None:
    with pytest.raises(ValueError):
        capacity_take(resource="x", start=datetime(2026, 12, 4, 4, 0), end=END, capacity=1)  # noqa: DTZ001
    with pytest.raises(ValueError):
        capacity_take(resource="x", start=START, end=END, capacity=1, n=0)
    with pytest.raises(ValueError):
        capacity_release(resource="x", start=START, n=0)


def test_taken_by_start_is_one_query_and_answers_for_every_start(django_assert_num_queries) -> None:
    r = _resource()
    starts = [START + timedelta(minutes=15 * i) for i in range(6)]
    assert _take(r, 9, n=2, start=starts[1]) and _take(r, 9, n=5, start=starts[4])
    shanghai = [s.astimezone(ZoneInfo("Asia/Shanghai")) for s in starts]
    with django_assert_num_queries(1):
        got = taken_by_start(resource=r, starts=shanghai)
    assert got == {s: n for s, n in zip(starts, [0, 2, 0, 0, 5, 0], strict=True)}
    with django_assert_num_queries(0):
        assert taken_by_start(resource=r, starts=[]) == {}


ops = st.lists(st.tuples(st.sampled_from(["take", "release"]), st.integers(1, 4), st.integers(0, 8)),
               min_size=1, max_size=40)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=ops)
def test_random_takes_and_releases_match_a_simple_count(steps: list[tuple[str, int, int]]) -> None:
    r = _resource()
    taken = 0
    for op, n, capacity in steps:
        if op == "take":
            ok = _take(r, capacity, n=n)
            assert ok == (taken + n <= capacity)
            taken += n if ok else 0
        else:
            capacity_release(resource=r, start=START, n=n)
            taken -= n if taken >= n else 0
        row = CapacitySlot.objects.filter(resource=r).first()
        if row is not None:
            assert row.taken == taken
            assert 0 <= row.taken <= row.capacity
        else:
            assert taken == 0
