"""Demo customers buy, pay, redeem at the counter, get refunds and review — all through the services.

Each order's timeline is planned before it is placed (history.Planner): the counter visit and the
review fall while the store is open, and the order's number carries the planned purchase date. What a
customer writes comes from the shop's kind and the stars given; the merchant's reply fits the stars.
"""

from __future__ import annotations

import random
import secrets
from collections import Counter
from collections.abc import Collection
from typing import Any

from o2o.accounts.models import User
from o2o.catalogue.models import Offering
from o2o.demo import data
from o2o.demo.history import Plan, Planner, backdate_order, number_for
from o2o.demo.kinds import Kind
from o2o.merchants.models import Merchant, Store
from o2o.orders.errors import LimitExceeded, SoldOut
from o2o.orders.models import Order
from o2o.orders.services import order_create
from o2o.payments.services import order_pay, order_refund
from o2o.reviews.models import Review
from o2o.reviews.services import review_create, review_reply
from o2o.vouchers.enums import VoucherStatus
from o2o.vouchers.models import Voucher
from o2o.vouchers.services import voucher_redeem

SANDBOX_CARD = "4242424242424242"
RATING_WEIGHTS = {5: 45, 4: 30, 3: 14, 2: 7, 1: 4}

CityEntry = tuple[Merchant, User, list[Offering], Kind]


def review_text(rng: random.Random, kind: Kind, rating: int, *, taken: Collection[str] = ()) -> str:
    """A text of the kind for the rating's band, one the store has not shown yet while there is one."""
    texts = kind.reviews[data.band(rating)]
    return rng.choice([t for t in texts if t not in taken] or list(texts))


def reply_text(rng: random.Random, rating: int) -> str:
    return rng.choice(data.REPLIES[data.band(rating)])


class OrderMaker:
    def __init__(self, *, rng: random.Random, planner: Planner | None = None) -> None:
        self.rng = rng
        self.planner = planner or Planner(rng=rng)
        self.counts: Counter[str] = Counter()
        self.first_fates = ["used", "part", "refund", "keep", "unpaid"]
        self.plans: list[tuple[Order, Plan]] = []
        self.texts: dict[Any, set[str]] = {}  # review texts per store so far, so a store does not repeat itself

    def buy(self, customer: User, offering: Offering, quantity: int, *, plan: Plan | None = None,
            pay: bool = True) -> Order | None:
        """Place (and pay) an order numbered for the day of its plan (today without one)."""
        try:
            order = order_create(customer=customer, lines=[{"offering_id": str(offering.pk), "quantity": quantity}])
        except (SoldOut, LimitExceeded):
            return None
        self._renumber(order, plan.bought if plan else order.created_at)
        self.counts["orders"] += 1
        if pay:
            order = order_pay(customer=customer, order_id=order.pk, provider="sandbox",
                              details={"card_number": SANDBOX_CARD})
            self.counts["paid_orders"] += 1
            if plan is not None:
                self.plans.append((order, plan))
        else:
            self.counts["awaiting_payment"] += 1
        return order

    @staticmethod
    def _renumber(order: Order, at: Any) -> None:
        """order_create numbers by today's date; the order's number carries the date it was bought."""
        number = number_for(at, order.number)
        while number != order.number and Order.objects.filter(number=number).exists():
            number = number_for(at, f"{secrets.randbelow(10**8):08d}")
        Order.objects.filter(pk=order.pk).update(number=number)
        order.number = number

    def redeem(self, order: Order, *, actor: User, store: Store, count: int | None = None) -> int:
        vouchers = list(Voucher.objects.filter(order=order, status=VoucherStatus.ISSUED).order_by("code"))
        if count is not None:
            vouchers = vouchers[:count]
        for v in vouchers:
            voucher_redeem(actor=actor, store_id=store.pk, code=v.code)
        self.counts["redeemed_vouchers"] += len(vouchers)
        return len(vouchers)

    def review(self, customer: User, order: Order, *, owner: User, kind: Kind, rating: int, reply: bool,
               store: Store, text: str | None = None) -> Review:
        taken = self.texts.setdefault(store.pk, set())
        if text is None:
            text = review_text(self.rng, kind, rating, taken=taken)
        taken.add(text)
        review = review_create(customer=customer, order_id=order.pk, rating=rating, text=text)
        self.counts["reviews"] += 1
        if reply:
            review_reply(review=review, actor=owner, text=reply_text(self.rng, rating))
        return review

    def city_orders(self, *, customers: list[User], city: list[CityEntry], demo: CityEntry) -> None:
        offers = [(owner, o, kind) for _m, owner, offerings, kind in city for o in offerings]
        if not offers:
            return
        _dm, demo_owner, demo_deals, demo_kind = demo
        for customer in customers:
            picks = self.rng.sample(offers, min(self.rng.randint(3, 7), len(offers)))
            if self.rng.random() < 0.35:  # the demo shop is popular: it gets ratings to show
                picks.append((demo_owner, demo_deals[0], demo_kind))
            for owner, offering, kind in picks:
                self._one(customer, owner, offering, kind)

    def _days_ago(self, weeks: int = 4) -> float:
        """1 to 7*weeks days back, more of them recent."""
        return 1 + (7 * weeks - 1) * self.rng.random() ** 1.5

    def _one(self, customer: User, owner: User, offering: Offering, kind: Kind) -> None:
        limit = offering.per_customer_limit or 3
        quantity = min(limit, self.rng.choice([1, 1, 1, 2, 2, 3]))
        # The first orders take each fate once, so even a tiny city shows every kind of order.
        fate = self.first_fates.pop(0) if self.first_fates else self.rng.choices(
            ["unpaid", "used", "part", "refund", "keep"], weights=[4, 51, 8, 9, 28])[0]
        if fate == "part":
            quantity = min(limit, 2)
            fate = "part" if quantity > 1 else "used"
        if fate == "unpaid":  # its units stay reserved until the hold runs out
            self.buy(customer, offering, quantity, pay=False)
            return
        store = self.rng.choice(list(offering.redeemable_stores.order_by("created_at")))
        reviewing = fate == "used" and self.rng.random() < 0.8 or fate == "part" and self.rng.random() < 0.5
        rating = self.rng.choices(list(RATING_WEIGHTS), weights=list(RATING_WEIGHTS.values()))[0]
        replying = self.rng.random() < (0.7 if rating <= 3 else 0.3)  # owners answer the unhappy ones first
        plan = self.planner.plan(days_ago=self._days_ago(), store=store, visit=fate in ("used", "part"),
                                 refund=fate == "refund", review=reviewing, reply=replying)
        if fate in ("used", "part") and plan.used is None:  # the store was never open in time: not used yet
            fate = "keep"
        order = self.buy(customer, offering, quantity, plan=plan)
        if order is None:
            return
        if fate == "used":  # used at the counter, mostly reviewed
            self.redeem(order, actor=owner, store=store)
        elif fate == "part":  # used one, gave the rest back
            self.redeem(order, actor=owner, store=store, count=1)
            order_refund(customer=customer, order_id=order.pk)
            self.counts["refunded_orders"] += 1
        elif fate == "refund":  # changed their mind
            order_refund(customer=customer, order_id=order.pk)
            self.counts["refunded_orders"] += 1
        # "keep": paid and not used yet
        if fate in ("used", "part") and plan.reviewed is not None:
            self.review(customer, order, owner=owner, kind=kind, rating=rating, reply=plan.replied is not None,
                        store=store)

    def demo_customer(self, *, customer: User, clerk: User, owner: User, store: Store, deals: list[Offering],
                      kind: Kind) -> Any:
        """Two unused vouchers for the clerk to redeem right away, and one visit already reviewed."""
        ready = self.buy(customer, deals[0], 2)  # bought just now
        plan = self.planner.plan(days_ago=3, store=store, visit=True, review=True, reply=True)  # last week's visit
        done = self.buy(customer, deals[1], 1, plan=plan)
        assert ready is not None and done is not None, "the demo deals have stock"
        if plan.used is not None:
            self.redeem(done, actor=clerk, store=store)
            if plan.reviewed is not None:
                self.review(customer, done, owner=owner, kind=kind, rating=5, reply=plan.replied is not None,
                            store=store, text=data.DEMO_REVIEW)
        return ready

    def backdate(self) -> None:
        """Move every planned order to its plan."""
        for order, plan in self.plans:
            backdate_order(order, plan)
