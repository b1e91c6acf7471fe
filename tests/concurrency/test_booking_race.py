"""Bookings under real threads: 100 bookers for 3 seats get exactly 3 bookings, and a teacher booked with
two services at overlapping times ends up in one of them only.

Each thread books through bookings.services.booking_create on its own connection. The 100 bookers are
served by 25 threads released at once, as a server's thread pool serves its clients (the test cluster allows
100 connections and other runs share it); each thread takes its bookers in turn. On PostgreSQL the first
bookers of a slot insert its hold row together (the losers wait for the winner's commit, then lock it) and
the capacity calendar's conditional UPDATE lets exactly `capacity` of them in; on a file SQLite database
IMMEDIATE transactions serialise them and the same rules must hold.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connections
from django.db.models import Sum

from o2o.bookings.errors import ResourceBusy, SlotFull
from o2o.bookings.models import Booking, SlotHold
from o2o.capacity.models import CapacitySlot
from tests.concurrency.test_no_oversell import kinds, race
from tests.helpers import HOURS_ALL_DAY, quick_user

pytestmark = [pytest.mark.django_db(transaction=True)]

TZ = "Asia/Shanghai"
THREADS = 25


def pooled(fn: Callable[..., Any], args: Sequence[tuple[Any, ...]], threads: int = THREADS) -> list[Any]:
    """fn(*a) for every a, on `threads` threads released together; each result or raised exception."""
    barrier = threading.Barrier(threads)
    results: list[Any] = [None] * len(args)

    def serve(t: int) -> None:
        try:
            barrier.wait(timeout=60)
            for i in range(t, len(args), threads):
                try:
                    results[i] = fn(*args[i])
                except BaseException as exc:  # noqa: BLE001 - the test inspects what each booker got
                    results[i] = exc
        finally:
            connections.close_all()

    pool = [threading.Thread(target=serve, args=(t,)) for t in range(threads)]
    for th in pool:
        th.start()
    for th in pool:
        th.join(timeout=300)
    assert not any(th.is_alive() for th in pool), "a thread hung"
    return results


def _school(**service: Any) -> dict[str, Any]:
    from o2o.bookings.services import resource_create, service_create
    from o2o.merchants.services import merchant_create, store_create

    owner = quick_user("owner")
    merchant = merchant_create(owner=owner["user"], name="Race School", category="training")
    store = store_create(merchant=merchant, name="Hall", address="1 Road", lat=30.6, lng=104.0, timezone=TZ,
                         opening_hours=HOURS_ALL_DAY)
    teacher = resource_create(merchant=merchant, actor=owner["user"], name="Ms Li", kind="teacher")

    def make(title: str, **over: Any):  # type: ignore[no-untyped-def]
        fields = {"duration_minutes": 60, "capacity": 3, "schedule": HOURS_ALL_DAY, "lead_minutes": 0, **over}
        return service_create(merchant=merchant, actor=owner["user"], title=title, price={"amount": "80.00"},
                              store_ids=[store.pk], status="live", **fields)

    return {"store": store, "teacher": teacher, "make": make}


def _tomorrow_at(hour: int) -> str:
    day = (datetime.now(ZoneInfo(TZ)) + timedelta(days=1)).date()
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo(TZ)).isoformat()


def _book(customer: dict[str, Any], offering_id: Any, start: str) -> Booking:
    from o2o.bookings.services import booking_create

    return booking_create(customer=customer["user"], offering_id=offering_id, start=start)


def test_100_bookers_for_3_seats_get_exactly_3_bookings():
    w = _school()
    cls = w["make"]("Popular class")
    start = _tomorrow_at(10)
    bookers = [quick_user("booker") for _ in range(100)]
    results = pooled(_book, [(b, cls.pk, start) for b in bookers])
    got = kinds(results)
    assert got == Counter({"ok": 3, "SlotFull": 97}), got
    assert all(isinstance(r, SlotFull) for r in results if isinstance(r, BaseException))
    row = CapacitySlot.objects.get(resource__startswith="service:")
    assert (row.taken, row.capacity) == (3, 3)
    assert Booking.objects.filter(offering=cls, status="booked").count() == 3
    assert len({r.customer_id for r in results if isinstance(r, Booking)}) == 3
    assert SlotHold.objects.count() == 1


def test_cancels_and_bookings_at_once_never_exceed_the_seats():
    from o2o.bookings.services import booking_cancel

    w = _school()
    cls = w["make"]("Class", capacity=3)
    start = _tomorrow_at(11)
    first = [quick_user("early") for _ in range(3)]
    booked = [_book(c, cls.pk, start) for c in first]
    late = [quick_user("late") for _ in range(20)]
    calls = [("cancel", c, b) for c, b in zip(first[:2], booked[:2], strict=True)] + [("book", c, None) for c in late]

    def act(kind: str, customer: dict[str, Any], booking: Booking | None) -> Any:
        if kind == "cancel":
            assert booking is not None
            return booking_cancel(customer=customer["user"], booking_id=booking.pk)
        return _book(customer, cls.pk, start)

    results = race(act, calls)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert all(isinstance(e, SlotFull) for e in errors), errors
    live = Booking.objects.filter(offering=cls, status="booked").count()
    row = CapacitySlot.objects.get(resource__startswith="service:")
    assert row.taken == live <= 3
    assert Booking.objects.filter(offering=cls, status="cancelled").count() == 2


def test_a_teacher_in_two_services_at_overlapping_times_ends_up_in_one():
    w = _school()
    cls = w["make"]("Class", resource_ids=[w["teacher"].pk])
    lesson = w["make"]("Lesson", duration_minutes=30, capacity=1, resource_ids=[w["teacher"].pk])
    ten, half_past = _tomorrow_at(10), (datetime.fromisoformat(_tomorrow_at(10)) + timedelta(minutes=30)).isoformat()
    calls = [(quick_user("a"), cls.pk, ten) for _ in range(10)] + [(quick_user("b"), lesson.pk, half_past)
                                                                   for _ in range(10)]
    results = race(_book, calls)
    ok = [r for r in results if isinstance(r, Booking)]
    assert all(isinstance(r, SlotFull | ResourceBusy) for r in results if isinstance(r, BaseException)), results
    assert len({r.offering_id for r in ok}) == 1  # the teacher is in one place only
    assert len(ok) == (3 if ok[0].offering_id == cls.pk else 1)
    cells = CapacitySlot.objects.filter(resource=w["teacher"].capacity_key)
    assert cells.aggregate(n=Sum("taken"))["n"] == cells.count() == (12 if ok[0].offering_id == cls.pk else 6)


def test_unpaid_bookings_cancelled_as_their_payment_hold_runs_out_free_each_seat_once():
    """12 bookings paid online, unpaid: each customer cancels while the sweeper expires the holds (the order
    is locked before the slot's hold on both paths): every booking ends cancelled once, its order cancelled or
    expired, and the slot's seats are all free again; no deadlock."""
    from o2o.bookings.services import booking_cancel
    from o2o.orders.holds import orders_expire_due
    from o2o.orders.models import Order

    s = _school()
    svc = s["make"]("Paid class", capacity=12, prepay="full")
    start = _tomorrow_at(10)
    customers = [quick_user(f"p{i}") for i in range(12)]
    bookings = [_book(c, svc.pk, start) for c in customers]
    Order.objects.filter(pk__in=[b.order_id for b in bookings]).update(expires_at=datetime.now(ZoneInfo(TZ)))
    args = [("cancel", c, b) for c, b in zip(customers, bookings, strict=True)] + [("sweep", None, None)] * 6

    def act(kind: str, c: Any, b: Any) -> Any:
        if kind == "sweep":
            return orders_expire_due()
        return booking_cancel(customer=c["user"], booking_id=b.pk)

    results = pooled(act, args, threads=12)
    assert not [r for r in results if isinstance(r, BaseException) and "not_cancellable" not in
                getattr(r, "code", "") and "invalid_transition" not in getattr(r, "code", "")], results
    assert set(Booking.objects.filter(offering=svc).values_list("status", flat=True)) == {"cancelled"}
    orders = set(Order.objects.filter(pk__in=[b.order_id for b in bookings]).values_list("status", flat=True))
    assert orders <= {"cancelled", "expired"}
    assert CapacitySlot.objects.get(start=datetime.fromisoformat(start)).taken == 0


def test_payments_and_cancels_of_the_same_bookings_at_once_leave_each_paid_and_refunded_or_never_paid():
    """10 unpaid bookings, each paid and cancelled at the same moment: a booking cancelled before its payment
    is never charged (or the charge goes back), one paid first is refunded in full by its cancel; the books
    balance (the conftest checks them) and every seat is free."""
    from o2o.bookings.services import booking_cancel, booking_pay

    s = _school()
    svc = s["make"]("Paid class", capacity=10, prepay="full", cancel_minutes=0)
    start = _tomorrow_at(11)
    customers = [quick_user(f"q{i}") for i in range(10)]
    bookings = [_book(c, svc.pk, start) for c in customers]
    args = [(k, c, b) for c, b in zip(customers, bookings, strict=True) for k in ("pay", "cancel")]

    def act(kind: str, c: Any, b: Any) -> Any:
        if kind == "pay":
            return booking_pay(customer=c["user"], booking_id=b.pk, provider="sandbox",
                               details={"card_number": "4242424242424242"})
        return booking_cancel(customer=c["user"], booking_id=b.pk)

    pooled(act, args, threads=20)
    for b in Booking.objects.filter(offering=svc).select_related("order"):
        assert b.status == "cancelled"
        assert b.order.paid_amount == 0, (b.order.status, b.order.paid_amount)
    assert CapacitySlot.objects.get(start=datetime.fromisoformat(start)).taken == 0


def test_moves_and_bookings_at_once_never_overfill_a_slot_and_swaps_do_not_deadlock():
    """10:00 and 11:00, 3 seats each: three booked at 10:00 move to 11:00 while the two booked at 11:00 move
    to 10:00 (the two slots' holds locked in both orders at once) and five others book 11:00 directly."""
    from o2o.bookings.reschedule import booking_reschedule

    w = _school()
    cls = w["make"]("Class", capacity=3)
    ten, eleven = _tomorrow_at(10), _tomorrow_at(11)
    movers = [(c, _book(c, cls.pk, ten)) for c in [quick_user("mover") for _ in range(3)]]
    back = [(c, _book(c, cls.pk, eleven)) for c in [quick_user("back") for _ in range(2)]]

    def act(kind: str, customer: dict[str, Any], booking: Booking | None) -> Any:
        if kind == "book":
            return _book(customer, cls.pk, eleven)
        assert booking is not None
        return booking_reschedule(customer=customer["user"], booking_id=booking.pk,
                                  start=eleven if kind == "move" else ten)

    calls = ([("move", c, b) for c, b in movers] + [("back", c, b) for c, b in back]
             + [("book", quick_user("direct"), None) for _ in range(5)])
    results = race(act, calls)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert all(isinstance(e, SlotFull) for e in errors), errors  # no deadlock, nothing else went wrong
    for start in (ten, eleven):
        at = datetime.fromisoformat(start)
        live = Booking.objects.filter(offering=cls, status="booked", start=at).count()
        row = CapacitySlot.objects.get(resource__startswith="service:", start=at)
        assert row.taken == live <= 3, (start, row.taken, live)
    booked_directly = sum(1 for (kind, _c, _b), r in zip(calls, results, strict=True)
                          if kind == "book" and isinstance(r, Booking))
    assert Booking.objects.filter(offering=cls, status="booked").count() == 5 + booked_directly
