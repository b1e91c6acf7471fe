"""Appointments in the demo city: the training schools, salons and estate agents get bookable services with
their resources (teachers and rooms, stylists, agents) and a week of bookings, three days back and four
ahead, all through the bookings services (resource_create, service_create, booking_create with now=,
booking_check_in, booking_no_show, booking_cancel, booking_pay).

Past bookings were made a day before their slot and are checked in, or marked no-shows, or were cancelled;
the ones ahead are booked, and those of services paid online are paid with the sandbox card (a few left
unpaid, holding their seat until their payment hold runs out). Its own random stream keeps the rest of the
city as it was.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from o2o.accounts.models import User
from o2o.bookings.enums import Prepay, ResourceKind
from o2o.bookings.models import Booking
from o2o.bookings.selectors import live_service, open_slots
from o2o.bookings.services import (
    booking_cancel,
    booking_check_in,
    booking_create,
    booking_no_show,
    booking_pay,
    resource_create,
    service_create,
)
from o2o.catalogue.services import offering_photo_add
from o2o.core.errors import DomainError
from o2o.demo.orders import CityEntry
from o2o.demo.photos import deal_photo
from o2o.merchants.hours import local_midnight
from o2o.merchants.models import Store

GOOD_CARD = "4242424242424242"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
WEEKEND = ("sat", "sun")
ALL = WEEKDAYS + WEEKEND


@dataclass(frozen=True)
class ServiceTemplate:
    title: str
    description: str
    price: str
    minutes: int
    seats: int
    schedule: dict[str, list[list[str]]]
    resources: tuple[tuple[str, str], ...]  # (kind, name)
    prepay: str = Prepay.NONE
    deposit: str | None = None
    cancel_minutes: int = 120
    late_keep: int | None = None
    no_show_fee: str | None = None


def _days(days: tuple[str, ...], *windows: tuple[str, str]) -> dict[str, list[list[str]]]:
    return {d: [list(w) for w in windows] for d in days}


SCHOOL = ServiceTemplate(
    "体验课 Trial class", "小班体验课，带孩子来试听。A small trial class: bring your child to try it.", "99.00", 90, 6,
    {**_days(WEEKEND, ("09:00", "12:00"), ("14:00", "17:00")), **_days(WEEKDAYS, ("18:00", "19:30"))},
    ((ResourceKind.TEACHER, "王老师 Ms Wang"), (ResourceKind.ROOM, "教室 A Room A")),
    prepay=Prepay.DEPOSIT, deposit="30.00", cancel_minutes=24 * 60, late_keep=50, no_show_fee="30.00")
SALON = ServiceTemplate(
    "剪发吹造型 Cut and blow-dry", "洗、剪、吹，约一小时。Wash, cut and blow-dry, about an hour.", "128.00", 60, 1,
    _days(ALL, ("10:00", "20:00")), ((ResourceKind.STYLIST, "Tony 老师 Stylist Tony"),),
    prepay=Prepay.FULL, cancel_minutes=180, late_keep=30, no_show_fee="50.00")
SALON_QUICK = ServiceTemplate(
    "快剪 Quick trim", "十五分钟修剪，到店付款。A 15-minute trim, paid at the salon.", "38.00", 30, 2,
    _days(ALL, ("11:00", "19:00")), ())
ESTATE = ServiceTemplate(
    "看房预约 Flat viewing", "经纪人陪同看房，免费。A viewing with one of our agents, free of charge.", "0.00", 30, 1,
    _days(ALL, ("10:00", "18:00")), ((ResourceKind.AGENT, "李经理 Agent Li"),), cancel_minutes=60)

TEMPLATES = {"training": (SCHOOL,), "salon": (SALON, SALON_QUICK), "estate": (ESTATE,)}


class Appointments:
    def __init__(self, *, rng: random.Random) -> None:
        self.rng = rng
        self.counts = {"services": 0, "resources": 0, "bookings": 0, "checked_in": 0, "no_shows": 0,
                       "booking_cancels": 0, "bookings_paid": 0}

    def city(self, *, city: list[CityEntry], customers: list[User], per_day: int = 2, featured: int = 2) -> None:
        """Services on every school, salon and agency of the city. The first `featured` of each trade get
        `per_day` bookings a day per service over the week around today; the others two (one done, one
        ahead): a booking costs some thirty queries (the calendar's cells), and the seed stays quick."""
        seen: dict[str, int] = {}
        for m, owner, _offerings, kind in city:
            templates = TEMPLATES.get(kind.category)
            if not templates:
                continue
            seen[kind.category] = seen.get(kind.category, 0) + 1
            days = range(-3, 5) if seen[kind.category] <= featured else (-2, 2)
            stores = list(Store.objects.filter(merchant=m).order_by("created_at"))
            for t in templates:
                ids = []
                for rkind, name in t.resources:
                    ids.append(resource_create(merchant=m, actor=owner, name=name, kind=rkind).pk)
                    self.counts["resources"] += 1
                price = {"amount": t.price, "currency": "CNY"}
                offering = service_create(
                    merchant=m, actor=owner, title=t.title, description=t.description, price=price,
                    duration_minutes=t.minutes, capacity=t.seats, store_ids=[str(stores[0].pk)], schedule=t.schedule,
                    status="live", lead_minutes=60, horizon_days=30, cancel_minutes=t.cancel_minutes,
                    resource_ids=ids, prepay=t.prepay, late_cancel_keep_percent=t.late_keep,
                    deposit={"amount": t.deposit, "currency": "CNY"} if t.deposit else None,
                    no_show_fee={"amount": t.no_show_fee, "currency": "CNY"} if t.no_show_fee else None)
                # a drawn photo of the trade, as every deal and dish has (lists and pages show one)
                offering_photo_add(offering=offering, data=deal_photo(kind=kind.key, category=m.category,
                                                                      variant=t.title))
                self.counts["services"] += 1
                self.week(offering_id=offering.pk, store=stores[0], owner=owner, customers=customers,
                          per_day=per_day if len(days) > 2 else 1, days=days)

    def week(self, *, offering_id: Any, store: Store, owner: User, customers: list[User], per_day: int,
             days: Any = range(-3, 5)) -> None:
        service = live_service(offering_id)
        now = timezone.now()
        today = timezone.localtime(now, timezone=_zone(store)).date()
        for offset in days:
            day = today + timedelta(days=offset)
            past = offset < 0
            booked_at = local_midnight(day - timedelta(days=1), store.timezone) if past else now
            if past and service.prepay != Prepay.NONE:
                continue  # a paid service's past week would need payments back then (its orders' holds)
            slots = open_slots(service=service, day=day, stores=[store], now=booked_at)
            for slot in self.rng.sample(slots, min(per_day, len(slots))):
                customer = self.rng.choice(customers)
                try:
                    b = booking_create(customer=customer, offering_id=offering_id, start=slot.start,
                                       store_id=store.pk, now=booked_at)
                except DomainError:
                    continue  # the customer's agent or stylist is booked elsewhere then
                self.counts["bookings"] += 1
                self.after(b, customer=customer, owner=owner, past=past, day=day)

    def after(self, b: Booking, *, customer: User, owner: User, past: bool, day: date) -> None:
        roll = self.rng.random()
        if past:
            if roll < 0.75:
                booking_check_in(user=owner, booking_id=b.pk, now=b.start + timedelta(minutes=3))
                self.counts["checked_in"] += 1
            elif roll < 0.88:
                booking_no_show(user=owner, booking_id=b.pk, now=b.start + timedelta(minutes=20))
                self.counts["no_shows"] += 1
            else:
                booking_cancel(customer=customer, booking_id=b.pk, now=b.cancel_until - timedelta(hours=2),
                               reason="plans changed")
                self.counts["booking_cancels"] += 1
            return
        if b.order_id is not None and roll < 0.85:
            booking_pay(customer=customer, booking_id=b.pk, provider="sandbox", details={"card_number": GOOD_CARD})
            self.counts["bookings_paid"] += 1


def _zone(store: Store):  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    return ZoneInfo(store.timezone)
