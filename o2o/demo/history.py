"""Spread the demo city's past over the last weeks.

The services stamp every row with "now", so a freshly seeded city would have opened every shop, sold
every deal and written every review in the same minute. These updates move whole timelines back in
time, keeping their order: a merchant opens before its deals go live, a deal is bought after it went
live, redeemed after it was bought, reviewed after it was redeemed, and nothing lies in the future.

Only timestamps move. A voucher's ``valid_until`` stays as issued, because it is signed into the
voucher's QR payload; bought up to four weeks ago, such a voucher is valid a little longer than its
deal's ``valid_days``.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.db.models import F

from o2o.accounts.models import User
from o2o.catalogue.models import Offering, OfferingEvent, OfferingPhoto
from o2o.merchants.models import Merchant, MerchantEvent, StaffMembership, Store
from o2o.orders.models import Order, OrderEvent
from o2o.payments.models import Payment, PaymentEvent, Refund
from o2o.reviews.models import Review
from o2o.vouchers.enums import VoucherStatus
from o2o.vouchers.models import Voucher, VoucherEvent

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


def _back(qs, delta: timedelta, *fields: str) -> None:  # type: ignore[no-untyped-def]
    """Move the given timestamp fields of every row of qs back by delta (NULLs stay NULL)."""
    if fields:
        qs.update(**{f: F(f) - delta for f in fields})


def backdate_merchants(rng: random.Random, merchant_ids: list, *, opened_days: tuple[int, int] = (60, 400)) -> None:
    """Each merchant opened some months ago; its stores, staff and deals followed within days (all of
    it more than 40 days ago, before any demo order)."""
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


def backdate_users(emails_like: str, *, days: int) -> None:
    _back(User.objects.filter(email__startswith=emails_like), days * DAY, "created_at", "updated_at")


def backdate_order(rng: random.Random, order: Order, *, days_ago: float) -> None:
    """Move one order's whole timeline back: bought days_ago, used some hours or days after, reviewed after."""
    bought = timedelta(days=days_ago) + rng.randint(0, 600) * timedelta(minutes=1)
    # used between two hours and most of the way to now after buying; refunds and reviews later still
    used = bought - min(bought * 0.8, max(2 * HOUR, rng.random() * bought))
    reviewed = max(used - rng.randint(1, 30) * HOUR, timedelta(minutes=5))
    used = max(used, reviewed + timedelta(minutes=1))

    paid_events = OrderEvent.objects.filter(order=order, to_status__in=["awaiting_payment", "paid", "expired"])
    _back(Order.objects.filter(pk=order.pk), bought, "created_at", "expires_at")
    _back(Order.objects.filter(pk=order.pk, paid_at__isnull=False), bought, "paid_at")
    _back(Order.objects.filter(pk=order.pk), used, "updated_at")
    _back(paid_events, bought, "at")
    _back(OrderEvent.objects.filter(order=order).exclude(pk__in=paid_events.values("pk")), used, "at")

    payments = Payment.objects.filter(order=order)
    _back(payments, bought, "created_at")
    _back(payments, used, "updated_at")
    _back(PaymentEvent.objects.filter(payment__order=order, to_status__in=["pending", "succeeded", "declined"]),
          bought, "at")
    _back(PaymentEvent.objects.filter(payment__order=order, to_status__in=["partially_refunded", "refunded"]),
          used, "at")
    _back(Refund.objects.filter(payment__order=order), used, "created_at", "updated_at")

    vouchers = Voucher.objects.filter(order=order)
    _back(vouchers, bought, "created_at")
    _back(vouchers, used, "updated_at")
    _back(vouchers.filter(status=VoucherStatus.REDEEMED), used, "redeemed_at")
    _back(vouchers.filter(status=VoucherStatus.REFUNDED), used, "refunded_at")
    _back(VoucherEvent.objects.filter(voucher__order=order, to_status=VoucherStatus.ISSUED), bought, "at")
    _back(VoucherEvent.objects.filter(voucher__order=order).exclude(to_status=VoucherStatus.ISSUED), used, "at")

    reviews = Review.objects.filter(order=order)
    _back(reviews, reviewed, "created_at", "updated_at")
    _back(reviews.filter(replied_at__isnull=False), max(reviewed - rng.randint(1, 20) * HOUR, timedelta(0)),
          "replied_at")
