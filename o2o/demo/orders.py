"""Demo customers buy, pay, redeem at the counter, get refunds and review — all through the services."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from o2o.accounts.models import User
from o2o.catalogue.models import Offering
from o2o.demo import data
from o2o.demo.history import backdate_order
from o2o.merchants.models import Merchant, Store
from o2o.orders.errors import LimitExceeded, SoldOut
from o2o.orders.models import Order
from o2o.orders.services import order_create, order_pay, order_refund
from o2o.reviews.models import Review
from o2o.reviews.services import review_create, review_reply
from o2o.vouchers.enums import VoucherStatus
from o2o.vouchers.models import Voucher
from o2o.vouchers.services import voucher_redeem

SANDBOX_CARD = "4242424242424242"
RATING_WEIGHTS = {5: 45, 4: 30, 3: 14, 2: 7, 1: 4}

CityEntry = tuple[Merchant, User, list[Offering]]


class OrderMaker:
    def __init__(self, *, rng: random.Random) -> None:
        self.rng = rng
        self.counts: Counter[str] = Counter()
        self.first_fates = ["used", "part", "refund", "keep", "unpaid"]
        self.paid: list[Order] = []

    def buy(self, customer: User, offering: Offering, quantity: int, *, pay: bool = True) -> Order | None:
        try:
            order = order_create(customer=customer, lines=[{"offering_id": str(offering.pk), "quantity": quantity}])
        except (SoldOut, LimitExceeded):
            return None
        self.counts["orders"] += 1
        if pay:
            order = order_pay(customer=customer, order_id=order.pk, provider="sandbox",
                              details={"card_number": SANDBOX_CARD})
            self.counts["paid_orders"] += 1
            self.paid.append(order)
        else:
            self.counts["awaiting_payment"] += 1
        return order

    def redeem(self, order: Order, *, actor: User, count: int | None = None, store: Store | None = None) -> int:
        vouchers = list(Voucher.objects.filter(order=order, status=VoucherStatus.ISSUED)
                        .select_related("offering").order_by("code"))
        if count is not None:
            vouchers = vouchers[:count]
        for v in vouchers:
            at = store or self.rng.choice(list(v.offering.redeemable_stores.order_by("created_at")))
            voucher_redeem(actor=actor, store_id=at.pk, code=v.code)
        self.counts["redeemed_vouchers"] += len(vouchers)
        return len(vouchers)

    def review(self, customer: User, order: Order, *, owner: User, rating: int | None = None,
               text: str | None = None, reply: bool | None = None) -> Review:
        if rating is None:
            rating = self.rng.choices(list(RATING_WEIGHTS), weights=list(RATING_WEIGHTS.values()))[0]
        review = review_create(customer=customer, order_id=order.pk, rating=rating,
                               text=text if text is not None else self.rng.choice(data.REVIEWS[rating]))
        self.counts["reviews"] += 1
        if reply if reply is not None else self.rng.random() < 0.35:
            review_reply(review=review, actor=owner, text=self.rng.choice(data.REPLIES))
        return review

    def city_orders(self, *, customers: list[User], city: list[CityEntry], demo: CityEntry) -> None:
        offers = [(owner, o) for _m, owner, offerings in city for o in offerings]
        if not offers:
            return
        _dm, demo_owner, demo_deals = demo
        for customer in customers:
            picks = self.rng.sample(offers, min(self.rng.randint(3, 7), len(offers)))
            if self.rng.random() < 0.35:  # the demo shop is popular: it gets ratings to show
                picks.append((demo_owner, demo_deals[0]))
            for owner, offering in picks:
                self._one(customer, owner, offering)

    def _one(self, customer: User, owner: User, offering: Offering) -> None:
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
        order = self.buy(customer, offering, quantity)
        if order is None:
            return
        if fate == "used":  # used at the counter, mostly reviewed
            self.redeem(order, actor=owner)
            if self.rng.random() < 0.8:
                self.review(customer, order, owner=owner)
        elif fate == "part":  # used one, gave the rest back
            self.redeem(order, actor=owner, count=1)
            order_refund(customer=customer, order_id=order.pk)
            self.counts["refunded_orders"] += 1
            if self.rng.random() < 0.5:
                self.review(customer, order, owner=owner)
        elif fate == "refund":  # changed their mind
            order_refund(customer=customer, order_id=order.pk)
            self.counts["refunded_orders"] += 1
        # "keep": paid and not used yet

    def demo_customer(self, *, customer: User, clerk: User, owner: User, store: Store, deals: list[Offering]) -> Any:
        """Two unused vouchers for the clerk to redeem right away, and one visit already reviewed."""
        ready = self.buy(customer, deals[0], 2)
        done = self.buy(customer, deals[1], 1)
        assert ready is not None and done is not None, "the demo deals have stock"
        self.redeem(done, actor=clerk, store=store)
        self.review(customer, done, owner=owner, rating=5, reply=True,
                    text="毛肚很新鲜，服务员很热情。Fresh tripe and friendly staff — will bring friends next time!")
        backdate_order(self.rng, done, days_ago=3)  # last week's visit; the ready vouchers were bought today
        return ready

    def spread_over_weeks(self, *, weeks: int = 4) -> None:
        """Move every paid order so far back over the last weeks, more of them recent."""
        for order in self.paid:
            backdate_order(self.rng, order, days_ago=1 + (7 * weeks - 1) * self.rng.random() ** 1.5)
