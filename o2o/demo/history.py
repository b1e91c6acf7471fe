"""Spread the demo city's past over the last weeks, at times that make sense.

The services stamp every row with "now", so a freshly seeded city would have opened every shop, sold
every deal and written every review in the same minute. Before an order is placed the seed plans its
timeline (``Planner.plan``): bought in the daytime some days ago, used at the counter while that store
is open, reviewed later (again while the store is open), answered by the merchant after that. Once
the seed has run through the services, ``backdate_order`` moves each phase of the order's rows to its
planned time: every row of a phase by the same amount, so the order of events within it is kept.

The order's number carries its date (``O`` + YYMMDD + 8 digits); ``number_for`` gives the number for
the planned purchase date in the platform's timezone, which the seed sets right after the order is
created, before any voucher event or audit entry quotes it.

Only timestamps move. A voucher's ``valid_until`` stays as issued, because it is signed into the
voucher's QR payload; bought up to five weeks ago, such a voucher is valid a little longer than its
deal's ``valid_days``.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.db.models import F
from django.utils import timezone

from o2o.accounts.models import User
from o2o.analytics.models import Event
from o2o.catalogue.models import MenuSection, Offering, OfferingEvent, OfferingPhoto
from o2o.core.events import EventKind
from o2o.merchants.hours import is_open, local_midnight
from o2o.merchants.models import Merchant, MerchantEvent, StaffMembership, Store
from o2o.ordering.models import Table
from o2o.orders.models import Order, OrderEvent
from o2o.payments.models import Payment, PaymentEvent, Refund
from o2o.reviews.models import Review
from o2o.vouchers.enums import VoucherStatus
from o2o.vouchers.models import Voucher, VoucherEvent

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
SLOT = 30  # minutes: a counter visit or a review falls in a half hour during which the store is open throughout
WEEK_SLOTS = 7 * 24 * 60 // SLOT


def _back(qs, delta: timedelta, *fields: str) -> None:  # type: ignore[no-untyped-def]
    """Move the given timestamp fields of every row of qs back by delta (NULLs stay NULL)."""
    if fields:
        qs.update(**{f: F(f) - delta for f in fields})


def backdate_merchants(rng: random.Random, merchant_ids: list, *, opened_days: tuple[int, int] = (60, 400)) -> None:
    """Each merchant opened some months ago; its stores, staff and deals followed within days (all of
    it more than 40 days ago, before any demo order); the menu and the tables came with the deals."""
    for mid in merchant_ids:
        opened = rng.randint(*opened_days) * DAY + rng.randint(0, 23) * HOUR
        deals = opened - rng.randint(1, 20) * DAY
        _back(Merchant.objects.filter(pk=mid), opened, "created_at", "updated_at")
        _back(MerchantEvent.objects.filter(merchant_id=mid), opened, "at")
        _back(Store.objects.filter(merchant_id=mid), opened - HOUR, "created_at", "updated_at")
        _back(StaffMembership.objects.filter(merchant_id=mid), opened - 2 * HOUR, "created_at", "updated_at")
        _back(Offering.objects.filter(merchant_id=mid), deals, "created_at", "updated_at")
        _back(OfferingEvent.objects.filter(offering__merchant_id=mid), deals, "at")
        _back(OfferingPhoto.objects.filter(offering__merchant_id=mid), deals, "created_at", "updated_at")
        _back(MenuSection.objects.filter(merchant_id=mid), deals, "created_at", "updated_at")
        _back(Table.objects.filter(store__merchant_id=mid), deals, "created_at", "updated_at")


def backdate_users(emails_like: str, *, days: int) -> None:
    _back(User.objects.filter(email__startswith=emails_like), days * DAY, "created_at", "updated_at")


# --- order numbers -------------------------------------------------------------------------------------

def number_date(at: datetime) -> str:
    """YYMMDD of an instant in the platform's timezone (settings.TIME_ZONE), as an order number holds it."""
    return timezone.localtime(at).strftime("%y%m%d")


def number_for(at: datetime, number: str) -> str:
    """The order number `number` re-dated to the day of `at` (its random tail kept)."""
    return f"O{number_date(at)}{number[-8:]}"


# --- opening hours -------------------------------------------------------------------------------------

@lru_cache(maxsize=256)
def _open_slots(hours_json: str, tz: str) -> frozenset[int]:
    """The half hours of the week (0 = Monday 00:00-00:30 local) during which the store is open from
    the first to the last minute, found with merchants.hours.is_open on a reference week."""
    hours = json.loads(hours_json)
    monday = local_midnight(date(2024, 1, 1), tz)  # a Monday
    step = timedelta(minutes=SLOT)
    return frozenset(i for i in range(WEEK_SLOTS)
                     if is_open(hours, tz, monday + i * step) and is_open(hours, tz, monday + (i + 1) * step
                                                                            - timedelta(minutes=1)))


def open_slots(store: Store) -> frozenset[int]:
    return _open_slots(json.dumps(store.opening_hours, sort_keys=True), store.timezone)


def _slot_of(local: datetime) -> int:
    return (local.weekday() * 24 * 60 + local.hour * 60 + local.minute) // SLOT


@dataclass
class Plan:
    bought: datetime
    used: datetime | None = None  # at the counter (or, with no visit, when the refund was asked for)
    reviewed: datetime | None = None
    replied: datetime | None = None


class Planner:
    def __init__(self, *, rng: random.Random, now: datetime | None = None) -> None:
        self.rng = rng
        self.now = now or timezone.now()

    def open_time(self, store: Store, lo: datetime, hi: datetime) -> datetime | None:
        """A random instant in [lo, hi] with the store open for at least the next SLOT - 10 minutes."""
        tz = ZoneInfo(store.timezone)
        slots = open_slots(store)
        start = lo.astimezone(tz)
        start = start.replace(second=0, microsecond=0) + timedelta(minutes=(-start.minute) % SLOT)
        first = _slot_of(start)
        n = int((hi - start).total_seconds() // (SLOT * 60))
        choices = [k for k in range(n) if (first + k) % WEEK_SLOTS in slots]
        if not choices:
            return None
        at = start + timedelta(minutes=SLOT * self.rng.choice(choices) + self.rng.randint(0, 9),
                               seconds=self.rng.randint(0, 59))
        return at if at <= hi else None

    def bought_at(self, days_ago: float) -> datetime:
        """A purchase on the day days_ago back, in the daytime (08:00-23:30 platform time)."""
        day = timezone.localtime(self.now - timedelta(days=days_ago)).date()
        minute = self.rng.randint(8 * 60, 23 * 60 + 30)
        at = datetime.combine(day, time(minute // 60, minute % 60, self.rng.randint(0, 59)),
                              tzinfo=timezone.get_default_timezone())
        return min(at, self.now - timedelta(minutes=30))

    def plan(self, *, days_ago: float, store: Store | None = None, visit: bool = False, refund: bool = False,
             review: bool = False, reply: bool = False) -> Plan:
        """When the order is bought, used at `store` (visit), refunded, reviewed and answered.

        If the store is not open between the purchase and now (or not open again after the visit for
        the review), the purchase moves a day further back, up to a week; after that the visit (or the
        review) is dropped from the plan, and the caller leaves it out."""
        for extra in range(8):
            plan = Plan(bought=self.bought_at(days_ago + extra))
            if visit and store is not None:
                lo = plan.bought + 2 * HOUR
                plan.used = self.open_time(store, lo, min(self.now - timedelta(minutes=10), lo + 7 * DAY))
                if plan.used is None:
                    continue
            elif refund:
                plan.used = min(plan.bought + self.rng.randint(1, 72) * HOUR, self.now - timedelta(minutes=5))
            if review and plan.used is not None and store is not None:
                lo = plan.used + timedelta(minutes=30)
                plan.reviewed = self.open_time(store, lo, min(self.now - timedelta(minutes=5), lo + 4 * DAY))
                if plan.reviewed is None:
                    continue
                if reply:
                    plan.replied = min(plan.reviewed + self.rng.randint(1, 20) * HOUR, self.now - timedelta(minutes=1))
            return plan
        return Plan(bought=self.bought_at(days_ago))


# --- moving an order's rows to its plan ---------------------------------------------------------------------

def _first(*values: datetime | None) -> datetime | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def backdate_order(order: Order, plan: Plan) -> None:
    """Move each phase of the order (bought, used or refunded, reviewed, answered) to its planned time."""
    order = Order.objects.get(pk=order.pk)
    vouchers = Voucher.objects.filter(order=order)
    paid_events = OrderEvent.objects.filter(order=order, to_status__in=["awaiting_payment", "paid", "expired"])
    later_events = OrderEvent.objects.filter(order=order).exclude(pk__in=paid_events.values("pk"))
    payments = Payment.objects.filter(order=order)
    refunds = Refund.objects.filter(payment__order=order)
    reviews = Review.objects.filter(order=order)

    bought = order.created_at - plan.bought
    _back(Order.objects.filter(pk=order.pk), bought, "created_at", "expires_at")
    _back(Order.objects.filter(pk=order.pk, paid_at__isnull=False), bought, "paid_at")
    _back(paid_events, bought, "at")
    _back(payments, bought, "created_at")
    _back(PaymentEvent.objects.filter(payment__order=order, to_status__in=["pending", "succeeded", "declined"]),
          bought, "at")
    _back(vouchers, bought, "created_at")
    _back(VoucherEvent.objects.filter(voucher__order=order, to_status=VoucherStatus.ISSUED), bought, "at")
    stream = Event.objects.filter(order_id=order.pk)  # the event stream moves with the rows it records
    _back(stream.filter(kind__in=[EventKind.ORDER, EventKind.PAID]), bought, "at")

    started = _first(*vouchers.values_list("redeemed_at", flat=True), *vouchers.values_list("refunded_at", flat=True),
                     *refunds.values_list("created_at", flat=True), *later_events.values_list("at", flat=True))
    used = bought if started is None or plan.used is None else started - plan.used
    _back(Order.objects.filter(pk=order.pk), used, "updated_at")
    _back(later_events, used, "at")
    _back(payments, used, "updated_at")
    _back(PaymentEvent.objects.filter(payment__order=order, to_status__in=["partially_refunded", "refunded"]),
          used, "at")
    _back(refunds, used, "created_at", "updated_at")
    _back(vouchers, used, "updated_at")
    _back(vouchers.filter(redeemed_at__isnull=False), used, "redeemed_at")
    _back(vouchers.filter(refunded_at__isnull=False), used, "refunded_at")
    _back(VoucherEvent.objects.filter(voucher__order=order).exclude(to_status=VoucherStatus.ISSUED), used, "at")
    _back(stream.filter(kind__in=[EventKind.REDEEMED, EventKind.REFUNDED, EventKind.PICKED_UP]), used, "at")

    review = reviews.first()
    if review is not None and plan.reviewed is not None:
        _back(reviews, review.created_at - plan.reviewed, "created_at", "updated_at")
        _back(stream.filter(kind=EventKind.REVIEWED), review.created_at - plan.reviewed, "at")
        if review.replied_at is not None and plan.replied is not None:
            _back(reviews, review.replied_at - plan.replied, "replied_at")
