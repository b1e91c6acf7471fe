"""Members in the demo city: the demo merchant's loyalty rules (tiers by spend: Silver and Gold with a member
price, referral points), two coupons (one in the demo customer's wallet), a referral the demo customer
made that a first order rewarded, and a team deal with a completed team and an open one the demo customer
can join; a few busy city merchants get tiers too. All through the services a merchant and customers use
(tier_create, coupon_create and claim, referral_accept, team_open and team_join, order_pay), after the
orders are in place, so every card's tier is recomputed from the city's real spending."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta
from typing import Any

from django.utils import timezone

from o2o.accounts.models import User
from o2o.accounts.services import user_register
from o2o.catalogue.services import offering_create
from o2o.core.errors import DomainError
from o2o.members.coupons import coupon_claim, coupon_create
from o2o.members.models import Membership
from o2o.members.referrals import referral_accept, referral_code_of
from o2o.members.services import membership_get_or_create
from o2o.members.teams import team_deal_create, team_issue, team_join, team_open
from o2o.members.tiers import program_update, tier_create, tier_recompute
from o2o.merchants.models import Merchant, Store
from o2o.payments.services import order_pay

SANDBOX_CARD = "4242424242424242"
TIERED_CITY_MERCHANTS = 3


class Members:
    def __init__(self, *, rng: random.Random) -> None:
        self.rng = rng
        self.counts: Counter[str] = Counter()

    def _pay(self, customer: User, order_id: Any) -> None:
        order_pay(customer=customer, order_id=order_id, provider="sandbox", details={"card_number": SANDBOX_CARD})

    def _tiers(self, m: Merchant, owner: User, *, gold_discount: int) -> None:
        program_update(user=owner, merchant_id=m.pk, data={"tier_basis": "spend", "tier_window_days": 365,
                                                           "referrer_points": 200, "referred_points": 100})
        tier_create(user=owner, merchant_id=m.pk, data={"name": "Silver 银卡", "threshold": "150",
                                                        "points_multiplier": "1.5"})
        tier_create(user=owner, merchant_id=m.pk, data={"name": "Gold 金卡", "threshold": "500",
                                                        "points_multiplier": "2", "member_discount_percent": gold_discount})
        for card in Membership.objects.filter(merchant=m):
            tier = tier_recompute(card=card)
            self.counts["tiered cards"] += tier is not None
        self.counts["merchants with tiers"] += 1

    def city(self, *, city: list[Any], demo_store: Store, demo_customer: User, customers: list[User]) -> None:
        demo_m, owner = city[0][0], city[0][1]
        self._tiers(demo_m, owner, gold_discount=5)
        for m, city_owner, _offerings, _kind in sorted(city[1:], key=lambda e: -e[0].orders.count())[
                :TIERED_CITY_MERCHANTS]:
            self._tiers(m, city_owner, gold_discount=self.rng.choice([0, 5, 10]))
        now = timezone.now()
        welcome = coupon_create(user=owner, merchant_id=demo_m.pk, data={
            "title": "Welcome back · 回店礼 ¥15", "code": "WELCOME15", "kind": "fixed",
            "amount": {"amount": "15.00", "currency": "CNY"}, "min_spend": {"amount": "80.00", "currency": "CNY"},
            "valid_until": now + timedelta(days=30), "total_limit": 200, "per_customer_limit": 1})
        coupon_create(user=owner, merchant_id=demo_m.pk, data={
            "title": "Weekday 9折", "code": "WEEKDAY10", "kind": "percent", "percent": 10,
            "max_discount": {"amount": "30.00", "currency": "CNY"}, "valid_until": now + timedelta(days=60),
            "stacks_with_member_price": False})
        coupon_claim(customer=demo_customer, coupon_id=welcome.pk)
        self.counts["coupons"] += 2
        # the demo customer invited a friend new to the shop; the friend's first order rewarded both
        card = membership_get_or_create(merchant=demo_m, customer=demo_customer)
        friend = next((c for c in customers if not c.orders.filter(merchant=demo_m).exists()), None)
        if friend is None:  # every seeded customer has been there: a friend who signed up through the link
            friend = user_register(email="friend@demo.o2o", password="demo-customer-pass",  # noqa: S106 - the demo's
                                   display_name="Lin 林")
        deal = offering_create(merchant=demo_m, actor=owner, kind="deal", title="Hotpot for three · 三人火锅拼团",
                               description="Team price: three friends each pay for one place.",
                               price={"amount": "69.00", "currency": "CNY"},
                               list_price={"amount": "128.00", "currency": "CNY"}, quantity_total=300,
                               per_customer_limit=0, valid_days=60, redeemable_store_ids=[demo_store.pk],
                               status="live")
        if friend is not None:
            referral_accept(customer=friend, code=referral_code_of(card=card))
            first = self._plain_order(friend, demo_m)
            if first is not None:
                self.counts["referrals rewarded"] += 1
        team_deal = team_deal_create(user=owner, merchant_id=demo_m.pk,
                                     data={"offering_id": str(deal.pk), "team_size": 3, "hours": 24})
        others = [c for c in customers if c.pk != getattr(friend, "pk", None)]
        # a completed team: three customers paid, vouchers issued
        done = others[:3]
        leader = team_open(customer=done[0], team_deal_id=team_deal.pk)
        members = [leader] + [team_join(customer=c, team_id=leader.team_id) for c in done[1:]]
        for c, mem in zip(done, members, strict=True):
            self._pay(c, mem.order_id)
        team_issue(team_id=leader.team_id)
        self.counts["teams complete"] += 1
        # an open team another customer opened and paid for: two places left for the demo customer to join
        # (the demo customer's own orders here all came through a campaign's scan: campaigns.py)
        opened = team_open(customer=others[3], team_deal_id=team_deal.pk)
        self._pay(others[3], opened.order_id)
        self.counts["teams open"] += 1

    def _plain_order(self, customer: User, merchant: Merchant) -> Any:
        from o2o.catalogue.models import Offering
        from o2o.orders.services import order_create

        offering = (Offering.objects.filter(merchant=merchant, kind="deal", status="live", team_deals__isnull=True)
                    .order_by("price_amount").first())
        if offering is None:
            return None
        try:
            order = order_create(customer=customer, lines=[{"offering_id": str(offering.pk), "quantity": 1}])
            self._pay(customer, order.pk)
        except DomainError:  # sold out in a small city: the referral stays pending
            return None
        return order
