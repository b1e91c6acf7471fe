"""Campaigns in the demo city: the demo merchant's flyers, table tent, shop window and social post, and a
campaign at a handful of city merchants, each scanned over the past weeks; the seeded customers scanned
before some of their orders, so the placement figures show orders, payments and redemptions.

Made after the orders are in place (their times are final): campaign_create for the campaigns and their
placements (dated back to before their first scan), attribution_window_set for the one merchant with a
shorter window, then the visitors, scans and their scan events as bulk inserts (a scan is an append-only
row; scan_record would count them now and through the rate limit), visitor_link for each customer's
browser (it hands the browser's scans to the account, as a sign-in after the scan does), and last each
order's source_placement: the placement last touch picks among its buyer's scans within the merchant's
window, as checkout would have written it (placement_for_checkout). Its own random stream, so the rest
of the city comes out as before.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.utils import timezone

from o2o.accounts.models import User
from o2o.analytics.models import Event
from o2o.campaigns.enums import AttributionModel, PlacementKind
from o2o.campaigns.models import Campaign, Placement, Scan, Visitor
from o2o.campaigns.selectors import pick_scan, window_days
from o2o.campaigns.services import attribution_window_set, campaign_create, visitor_link
from o2o.catalogue.models import Offering
from o2o.core.events import EventKind
from o2o.merchants.models import Merchant, Store
from o2o.orders.models import Order

DAY = timedelta(days=1)
SPAN_DAYS = 34  # anonymous scans fall over the last five weeks or so
CITY_CAMPAIGNS = 5  # city merchants with a campaign besides the demo merchant
SHORT_WINDOW_DAYS = 7  # one of them counts a scan for a week only


@dataclass(frozen=True)
class PlacementPlan:
    kind: str
    name: str
    cost: str
    target: str  # "deal0", "deal1", "store"
    weight: int  # how many of the merchant's scans it draws, relative to the others


DEMO_CAMPAIGNS: tuple[tuple[str, int, tuple[PlacementPlan, ...]], ...] = (
    # (name, days ago it started, placements)
    ("春熙路开业季 Chunxi Road opening", 36, (
        PlacementPlan(PlacementKind.FLYER, "Street flyers, Chunxi Road", "180.00", "deal0", 5),
        PlacementPlan(PlacementKind.TABLE_TENT, "Table tents, all tables", "60.00", "deal1", 4),
        PlacementPlan(PlacementKind.WINDOW, "Shop window sticker", "0.00", "store", 2),
    )),
    ("小红书 Xiaohongshu post", 20, (
        PlacementPlan(PlacementKind.SOCIAL, "Xiaohongshu post with the hotpot set", "300.00", "deal0", 3),
    )),
)

CITY_PLACEMENTS = (
    PlacementPlan(PlacementKind.FLYER, "Flyers at the metro exit", "120.00", "deal0", 3),
    PlacementPlan(PlacementKind.POSTER, "Poster by the door", "45.00", "deal0", 2),
    PlacementPlan(PlacementKind.WINDOW, "Shop window sticker", "0.00", "store", 2),
    PlacementPlan(PlacementKind.SOCIAL, "WeChat Moments post", "80.00", "deal0", 2),
)


class Campaigns:
    def __init__(self, *, rng: random.Random, now: datetime | None = None) -> None:
        self.rng = rng
        self.now = now or timezone.now()
        self.counts: Counter[str] = Counter()

    # --- campaigns and placements ---
    def campaign(self, merchant: Merchant, owner: User, name: str, started_days: float,
                 plans: tuple[PlacementPlan, ...], deals: list[Offering], store: Store) -> list[tuple[Placement, int]]:
        def target(p: PlacementPlan) -> dict[str, str]:
            if p.target == "store":
                return {"store_id": str(store.pk)}
            deal = deals[1] if p.target == "deal1" and len(deals) > 1 else deals[0]
            return {"offering_id": str(deal.pk)}

        campaign = campaign_create(user=owner, merchant_id=merchant.pk, name=name, placements=[
            {"kind": p.kind, "name": p.name, "cost": {"amount": p.cost}, "target": target(p)} for p in plans])
        started = self.now - timedelta(days=started_days)
        Campaign.objects.filter(pk=campaign.pk).update(created_at=started, updated_at=started)
        by_name = {p.name: p for p in Placement.objects.filter(campaign=campaign)}
        made = []
        for i, plan in enumerate(plans):  # a minute apart, in the plan's order (the console lists them so)
            placement = by_name[plan.name]
            placement.created_at = placement.updated_at = started + i * timedelta(minutes=1)
            made.append((placement, plan.weight))
        Placement.objects.bulk_update([p for p, _w in made], ["created_at", "updated_at"])
        self.counts["campaigns"] += 1
        self.counts["placements"] += len(made)
        return made

    # --- scans ---
    def _key(self) -> str:
        return f"demo{self.rng.getrandbits(160):040x}"

    def _anonymous_at(self, started: datetime) -> datetime:
        """A time between the campaign's start and now, more of them recent, in the afternoon or evening."""
        days = min(SPAN_DAYS, (self.now - started) / DAY) * self.rng.random() ** 1.3
        at = (self.now - timedelta(days=days)).replace(  # 11:00 to 21:59 in Chengdu (UTC+8)
            hour=self.rng.choice([3, 4, 5, 6, 9, 10, 11, 12, 13]), minute=self.rng.randrange(60))
        if at > self.now:
            at -= DAY
        return max(at, started + timedelta(hours=1))

    def scans(self, merchant: Merchant, placements: list[tuple[Placement, int]], *, share: float,
              anonymous: tuple[int, int], demo_customer: User | None = None) -> None:
        """Anonymous scans of each placement, and scans by the merchant's buyers before a `share` of their
        orders (all of the demo customer's), each buyer on their own browser, linked to their account."""
        first = min(p.created_at for p, _w in placements)
        window = timedelta(days=window_days(merchant.pk))
        visitors: list[Visitor] = []
        rows: list[tuple[Visitor, Placement, datetime]] = []
        for placement, weight in placements:
            n = self.rng.randint(*anonymous) * weight
            while n > 0:
                visitor = Visitor(key=self._key())
                visitors.append(visitor)
                for _i in range(min(n, self.rng.choices([1, 2, 3], weights=[75, 18, 7])[0])):
                    rows.append((visitor, placement, self._anonymous_at(placement.created_at)))
                    n -= 1
        browser_of: dict[Any, Visitor] = {}
        for customer_id, created in (Order.objects.filter(merchant=merchant, customer__isnull=False)
                                     .order_by("created_at", "number").values_list("customer_id", "created_at")):
            if created - first < timedelta(hours=1):
                continue
            if customer_id != getattr(demo_customer, "pk", None) and self.rng.random() >= share:
                continue
            live = [(p, w) for p, w in placements if created - p.created_at >= timedelta(hours=1)]
            placement = self.rng.choices([p for p, _w in live], weights=[w for _p, w in live])[0]
            started = placement.created_at
            # Scanned between ten minutes and (most of) the window before ordering, never before the start.
            lead = min(window * 0.8, created - started) * self.rng.random() ** 2 + timedelta(minutes=10)
            at = max(created - lead, started + timedelta(minutes=1))
            if customer_id not in browser_of:
                browser_of[customer_id] = visitor = Visitor(key=self._key())
                visitors.append(visitor)
            rows.append((browser_of[customer_id], placement, at))
            self.counts["scans_before_orders"] += 1
        Visitor.objects.bulk_create(visitors)
        ids = dict(Visitor.objects.filter(key__in=[v.key for v in visitors]).values_list("key", "pk"))
        first_seen: dict[str, datetime] = {}
        for visitor, _p, at in rows:
            visitor.pk = ids[visitor.key]
            first_seen[visitor.key] = min(at, first_seen.get(visitor.key, at))
        for visitor in visitors:
            visitor.created_at = first_seen[visitor.key]
        Visitor.objects.bulk_update(visitors, ["created_at"], batch_size=500)
        Scan.objects.bulk_create([Scan(placement=p, merchant_id=merchant.pk, visitor=v, at=at) for v, p, at in rows],
                                 batch_size=500)
        # Each buyer signed in on the browser they scanned with: it and its scans are theirs from then on.
        for customer_id, visitor in browser_of.items():
            user = User(pk=customer_id)
            visitor_link(visitor_key=visitor.key, user=user, now=first_seen[visitor.key] + timedelta(minutes=3))
        users = dict(Visitor.objects.filter(pk__in=[v.pk for v in visitors], user__isnull=False)
                     .values_list("pk", "user_id"))
        h3: dict[Any, int | None] = dict(Store.objects.filter(merchant=merchant).values_list("pk", "h3_r8"))
        Event.objects.bulk_create([
            Event(at=at, kind=EventKind.SCAN, merchant_id=merchant.pk, store_id=p.target_store_id,
                  placement_id=p.pk, customer_id=users.get(v.pk), visitor_id=v.pk,
                  h3_r8=h3.get(p.target_store_id) or None, data={})
            for v, p, at in rows], batch_size=500)
        self.counts["scans"] += len(rows)
        self.counts["scan_visitors"] += len(visitors)
        self.counts["linked_visitors"] += len(browser_of)

    def attribute(self, merchant: Merchant) -> None:
        """Each order's source_placement (and its events' placement) as checkout would have set it."""
        window = timedelta(days=window_days(merchant.pk))
        scans_of: dict[Any, list[tuple[datetime, UUID]]] = defaultdict(list)
        for uid, at, pid in Scan.objects.filter(merchant=merchant, user__isnull=False).values_list(
                "user_id", "at", "placement_id"):
            scans_of[uid].append((at, pid))
        picked: dict[UUID, list[UUID]] = defaultdict(list)
        for oid, uid, created in Order.objects.filter(merchant=merchant, customer_id__in=list(scans_of)).values_list(
                "pk", "customer_id", "created_at"):
            chosen = pick_scan(scans_of[uid], before=created, window=window, model=AttributionModel.LAST_TOUCH)
            if chosen is not None:
                picked[chosen].append(oid)
        for pid, order_ids in picked.items():
            Order.objects.filter(pk__in=order_ids).update(source_placement=pid)
            Event.objects.filter(order_id__in=order_ids).update(placement_id=pid)
            self.counts["attributed_orders"] += len(order_ids)

    # --- the city ---
    def city(self, *, city: list[tuple[Merchant, User, list[Offering], Any]], demo_store: Store,
             demo_customer: User) -> None:
        demo_m, demo_owner, demo_deals, _kind = city[0]
        demo_placements: list[tuple[Placement, int]] = []
        for name, started, plans in DEMO_CAMPAIGNS:
            demo_placements += self.campaign(demo_m, demo_owner, name, started, plans, demo_deals, demo_store)
        self.scans(demo_m, demo_placements, share=0.6, anonymous=(12, 20), demo_customer=demo_customer)
        self.attribute(demo_m)
        # The city merchants with the most orders get a campaign each (ties by name, so it is repeatable).
        busy = Counter(Order.objects.filter(merchant__in=[e[0] for e in city[1:]], customer__isnull=False)
                       .values_list("merchant_id", flat=True))
        entries = sorted((e for e in city[1:] if e[2] and busy[e[0].pk]), key=lambda e: (-busy[e[0].pk], e[0].name))
        for i, (m, owner, offerings, _kind) in enumerate(entries[:CITY_CAMPAIGNS]):
            if i == 1:
                attribution_window_set(user=owner, merchant_id=m.pk, days=SHORT_WINDOW_DAYS)
            store = Store.objects.filter(merchant=m).order_by("created_at").first()
            assert store is not None, "a live merchant has a store"
            plans = tuple(self.rng.sample(CITY_PLACEMENTS, self.rng.randint(1, 3)))
            placements = self.campaign(m, owner, self.rng.choice(["Spring offer", "Neighbourhood flyers",
                                                                  "New deal launch", "Weekend promotion"]),
                                       self.rng.randint(21, 35), plans, offerings, store)
            self.scans(m, placements, share=0.35, anonymous=(3, 8))
            self.attribute(m)
