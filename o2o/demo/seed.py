"""The demo city: merchants, stores, deals, customers, orders, redemptions and reviews around the
demo centre, made through the domain services so every row is as real as production data.

``seed_demo()`` is idempotent: once a SeedRecord exists it does nothing but report it.
Users are the only bulk insert (one password hash shared per role instead of hashing 280 times);
everything else goes through merchant_create, store_create, staff_add, offering_create,
offering_photo_add, order_create, order_pay, voucher_redeem, order_refund, review_create, review_reply.
Ordering (dining.py): menus by product_create, tables, yesterday's pickups and the demo kitchen now by
the ordering services; the tables beyond the demo merchant's are one insert as the users are.
Campaigns (campaigns.py): campaign_create, attribution_window_set and visitor_link; the visitors, scans
and scan events are bulk inserts, dated over the past weeks.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.urls import Resolver404, resolve

from o2o.accounts.models import User
from o2o.catalogue.enums import OfferingKind, OfferingStatus
from o2o.catalogue.models import Offering
from o2o.catalogue.services import offering_create, offering_photo_add
from o2o.core import conf
from o2o.demo import data, places
from o2o.demo.appointments import Appointments
from o2o.demo.campaigns import Campaigns
from o2o.demo.community import seed_community
from o2o.demo.delivery import DeliveryCity, delivery_rows
from o2o.demo.dining import Dining
from o2o.demo.history import backdate_merchants, backdate_users
from o2o.demo.jobs import seed_jobs
from o2o.demo.kinds import Kind
from o2o.demo.models import SeedRecord
from o2o.demo.orders import CityEntry, OrderMaker
from o2o.demo.photos import deal_photo
from o2o.discovery.services import refresh_density, refresh_popularity
from o2o.merchants.enums import Category, MerchantStatus, Role
from o2o.merchants.models import Merchant, MerchantEvent, StaffMembership, Store
from o2o.merchants.services import merchant_create, merchant_set_status, staff_add, store_create

SEED_VERSION = 7  # 2: content per kind of shop, photos without text, times inside opening hours; 3: ordering;
# 4: campaigns; 5: appointments (services, resources and a week of bookings); 6: custom jobs (forms, requests,
# quotes, a renovation job in escrow, a technician's visits) or delivery (zones, couriers, orders); 7: both, and
# community (posts and followers)
CURRENCY = "CNY"
TIMEZONE = "Asia/Shanghai"
DEFAULT_MERCHANTS = 240
OTHER_CUSTOMERS = 40


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str
    paths: tuple[str, ...]  # where to go, best first; the first one the site serves is shown
    what: str


LOGINS = (
    DemoLogin("customer", "customer@demo.o2o", "demo-customer-pass", ("/",),
              "find deals nearby, pay with the sandbox card 4242 4242 4242 4242; /orders/ holds 2 ready "
              "vouchers for Hotpot House to show at the counter, a pickup order there that is ready "
              "(its pickup code) and a delivery on its way (the courier on the map, the code to show them)"),
    DemoLogin("owner", "owner@demo.o2o", "demo-owner-pass", ("/merchant/", "/m/", "/"),
              f"runs {data.DEMO_MERCHANT}: stores, deals, menu, tables and their QR sheet, staff, orders, reviews, "
              "campaigns (flyers, table tents: scans, orders and revenue per placement)"),
    DemoLogin("clerk", "clerk@demo.o2o", "demo-clerk-pass", ("/counter/", "/c/", "/"),
              "the counter at the Chunxi Road store: redeem the customer's vouchers by QR or code; its kitchen "
              "screen (2 new pickups, 1 preparing, 1 ready, a table's tab to pay at the counter) and its POS"),
    DemoLogin("technician", "tech@demo.o2o", "demo-tech-pass", ("/tech/", "/"),
              "a renovation firm's technician: today's visits in driving order on the map; check in on site with a "
              "photo (the phone's position must be within 300 m of the site), check out with a note"),
    DemoLogin("courier", "courier@demo.o2o", "demo-courier-pass", ("/courier/", "/"),
              "a shared fleet's courier (Hotpot House and three more restaurants): on shift with the demo "
              "customer's delivery on the scooter (deliver it with the code on the customer's order page) and a "
              "pickup at another restaurant"),
    DemoLogin("operator", "operator@demo.o2o", "demo-operator-pass", ("/admin/",),
              "the operator admin: every merchant, order, voucher and payment; approve pending merchants"),
)

# Where the ordering of the demo store is seen; the ids are the seeded rows' (where_to_look).
KITCHEN_PATH = "/counter/{store}/kitchen/"
POS_PATH = "/counter/{store}/pos/"
TABLE_PATH = "/t/{token}/"
QR_SHEET_PATH = "/merchant/{merchant}/stores/{store}/tables/sheet.pdf"
CAMPAIGNS_PATH = "/merchant/{merchant}/campaigns/"


def where_to_look() -> list[tuple[str, str, str]]:
    """(who, what, path) of the demo store's ordering pages in a seeded city ([] before seeding, or in
    a city seeded before ordering)."""
    from o2o.ordering.models import Table

    store = Store.objects.filter(name=data.DEMO_STORE, merchant__name=data.DEMO_MERCHANT).first()
    table = Table.objects.filter(store=store, tabs__status="open").first() or \
        Table.objects.filter(store=store).order_by("label").first()
    if store is None or table is None:
        return []
    ids = {"store": store.pk, "merchant": store.merchant_id, "token": table.token}
    return [
        ("clerk", "kitchen screen", KITCHEN_PATH.format(**ids)),
        ("clerk", "point of sale (walk-in sales)", POS_PATH.format(**ids)),
        ("anyone", f"table {table.label}'s menu (its QR; a tab is open)", TABLE_PATH.format(**ids)),
        ("owner", "the tables' QR sheet to print", QR_SHEET_PATH.format(**ids)),
        ("owner", "campaigns: scans, orders, revenue per placement", CAMPAIGNS_PATH.format(**ids)),
        *delivery_rows(),
    ]


def login_path(login: DemoLogin) -> str:
    """The first of the login's paths this site serves."""
    for path in login.paths:
        try:
            resolve(path)
            return path
        except Resolver404:
            continue
        except Exception:  # noqa: S112 - a URLconf still being written must not break the seed's report
            continue
    return "/"


@dataclass
class Outcome:
    created: bool
    record: SeedRecord
    counts: dict[str, int] = field(default_factory=dict)


def _money(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": CURRENCY}


def _vary(amount: str, factor: Decimal) -> str:
    value = Decimal(amount) * factor
    value = value.quantize(Decimal(1) if value >= 20 else Decimal("0.1"))
    return f"{max(value, Decimal('0.1')):.2f}"


class CityBuilder:
    def __init__(self, *, merchants: int, seed: int, log: Any = None) -> None:
        self.n = max(1, merchants)
        self.rng = random.Random(seed)
        self.centre = conf.get().demo_centre
        self.log = log or (lambda _msg: None)
        self.names: set[tuple[str, str]] = set()  # (Chinese, English) pairs given so far
        self.operator: User
        self.counts: dict[str, int] = {}

    # --- people ---
    def users(self) -> dict[str, User]:
        made = {}
        for login in LOGINS:
            extra = {"is_staff": True, "is_superuser": True} if login.role == "operator" else {}
            name = {"customer": "小李 Demo Customer", "owner": "老码头 Demo Owner", "clerk": "前台小张 Demo Clerk",
                    "technician": "王师傅 Demo Technician", "courier": "骑手小陈 Demo Courier", "operator": "Operator 运营"}[login.role]
            made[login.role] = User.objects.create_user(email=login.email, password=login.password,
                                                        display_name=name, **extra)
        self.operator = made["operator"]
        return made

    def bulk_users(self, prefix: str, count: int, password: str, names: list[str]) -> list[User]:
        hashed = make_password(password)  # one hash for all: hashing 280 times would take most of the seed
        users = [User(email=f"{prefix}{i:03d}@demo.o2o", password=hashed,
                      display_name=names[(i - 1) % len(names)] if names else f"{prefix}{i:03d}")
                 for i in range(1, count + 1)]
        User.objects.bulk_create(users)
        return list(User.objects.filter(email__in=[u.email for u in users]).order_by("email"))

    # --- merchants ---
    def unique_name(self, kind: Kind) -> str:
        """A name pair of the kind no merchant has yet, written in both languages or in one of them.

        The two languages always come from one pair, so they translate each other. When every pair
        of the kind is taken (a city far larger than the default) a pair is given a second time."""
        pairs = kind.names()
        free = [p for p in pairs if p not in self.names]
        zh, en = self.rng.choice(free or pairs)
        self.names.add((zh, en))
        both, zh_only, en_only = data.name_forms(zh, en)
        return self.rng.choices([both, zh_only, en_only], weights=[60, 25, 15])[0]

    def kinds(self, k: int) -> list[Kind]:
        """Every category but restaurant once (the demo merchant is the first restaurant), the rest by
        weight; within a category, a kind of shop by its weight."""
        cats = list(Category.values)
        head = [c for c in cats if c != Category.RESTAURANT][:k]
        self.rng.shuffle(head)
        weights = [data.WEIGHTS.get(c, 1) for c in cats]
        chosen = head + self.rng.choices(cats, weights=weights, k=max(0, k - len(head)))
        out = []
        for cat in chosen:
            kinds = data.kinds_of(cat)
            out.append(self.rng.choices(kinds, weights=[kd.weight for kd in kinds])[0])
        return out

    def stores_for(self, merchant: Merchant, kind: Kind, count: int) -> list[Store]:
        """Stores made by store_create alone, which writes each one's discovery index row: a store
        is never changed behind the index's back afterwards (the demo store once was, by an update()
        that gave it new hours and kept the 24/7 hours it had been created with in its index row)."""
        stores = []
        for _i in range(count):
            lat, lng = places.random_point(self.rng, self.centre)
            address, road = places.address_for(self.rng, lat, lng)
            stores.append(store_create(
                merchant=merchant, name=f"{merchant.name} ({road}店)", address=address, lat=lat, lng=lng,
                timezone=TIMEZONE, opening_hours=self.rng.choice(kind.hours), phone=places.phone_for(self.rng)))
        return stores

    def deal(self, merchant: Merchant, owner: User, stores: list[Store], t: data.DealTemplate, kind: Kind, *,
             status: str = OfferingStatus.LIVE, exact: bool = False) -> Offering:
        factor = Decimal(1) if exact else self.rng.choice([Decimal("0.9"), Decimal(1), Decimal("1.1"), Decimal("1.2")])
        price, list_price = _vary(t.price, factor), _vary(t.list_price, factor)
        qty = t.quantity[0] if exact else self.rng.randint(*t.quantity) // 10 * 10 or 10
        offering = offering_create(
            merchant=merchant, actor=owner, kind=OfferingKind.DEAL, title=t.title, description=t.description,
            price=_money(price), list_price=_money(list_price), quantity_total=qty,
            per_customer_limit=t.limit, valid_days=t.valid_days,
            redeemable_store_ids=[s.pk for s in stores], status=status)
        offering_photo_add(offering=offering, data=deal_photo(kind=kind.key, category=merchant.category,
                                                              variant=t.title))
        return offering

    def merchant(self, *, owner: User, name: str, kind: Kind, pending: bool = False) -> Merchant:
        category, description = kind.category, kind.about
        if not pending:
            m = merchant_create(owner=owner, name=name, category=category, description=description)
            if m.status == MerchantStatus.PENDING:  # the operator requires approval: the demo approves it
                merchant_set_status(merchant=m, status=MerchantStatus.ACTIVE, actor=self.operator,
                                    reason="demo seed: approved")
            return m
        if conf.get().merchant_approval:
            return merchant_create(owner=owner, name=name, category=category, description=description)
        # Approval is off, so merchant_create would make it active: write the applicant by hand, as
        # merchant_create would with approval on (status, its first event row, the owner's membership).
        m = Merchant.objects.create(name=name, category=category, status=MerchantStatus.PENDING, owner=owner,
                                    description=description)
        MerchantEvent.objects.create(merchant=m, actor=owner, from_status="", to_status=MerchantStatus.PENDING,
                                     reason="created (demo seed: waiting for approval)")
        StaffMembership.objects.create(merchant=m, user=owner, role=Role.OWNER)
        return m

    # --- the whole city ---
    def demo_merchant(self, owner: User, clerk: User) -> tuple[Merchant, Store, list[Offering], Kind]:
        kind = data.BY_KEY[data.DEMO_KIND]
        m = self.merchant(owner=owner, name=data.DEMO_MERCHANT, kind=kind)
        self.names.add(data.DEMO_NAME)
        lat, lng = places.offset(self.centre[0], self.centre[1], north_m=180, east_m=140)
        # Made with its final name and hours in one store_create, so its index row is written from them.
        store = store_create(merchant=m, name=data.DEMO_STORE, address=data.DEMO_ADDRESS, lat=round(lat, 6),
                             lng=round(lng, 6), timezone=TIMEZONE, opening_hours=data.DEMO_HOURS,
                             phone=places.phone_for(self.rng))
        second = self.stores_for(m, kind, 1)
        # staff_add validates the email with Django's EmailValidator, which refuses the ".o2o" top-level
        # domain of the fixed demo logins: write the membership as staff_add does for a known user.
        membership = StaffMembership.objects.create(merchant=m, user=clerk, role=Role.CLERK)
        membership.stores.set([store])
        deals = [self.deal(m, owner, [store, *second], data.DEMO_DEAL, kind, exact=True),
                 self.deal(m, owner, [store], data.DEMO_SECOND_DEAL, kind, exact=True)]
        return m, store, deals, kind

    def city(self, owners: list[User]) -> list[CityEntry]:
        made = []
        kinds = self.kinds(len(owners))
        n_pending = min(3, len(owners) // 60)
        for i, (owner, kind) in enumerate(zip(owners, kinds, strict=False)):
            pending = i >= len(owners) - n_pending
            m = self.merchant(owner=owner, name=self.unique_name(kind), kind=kind, pending=pending)
            stores = self.stores_for(m, kind, self.rng.choices([1, 2, 3], weights=[60, 28, 12])[0])
            k = self.rng.randint(1, min(3, len(kind.deals)))
            status = OfferingStatus.DRAFT if pending else OfferingStatus.LIVE
            offerings = [self.deal(m, owner, stores, t, kind, status=status) for t in self.rng.sample(kind.deals, k)]
            if len(stores) > 1 and self.rng.random() < 0.5:  # invited counter staff who have not signed up yet
                for j, store in enumerate(stores[1:], start=2):
                    staff_add(merchant=m, email=f"clerk-{i + 1:03d}-{j}@shops.example", role=Role.CLERK,
                              store_ids=[store.pk])
            if not pending:
                made.append((m, owner, offerings, kind))
            if (i + 1) % 40 == 0:
                self.log(f"  {i + 1} merchants")
        return made


FEATURED_KINDS = ("noodles", "skewers", "dumplings")  # besides the demo hotpot: one restaurant of each


def ordering_day(dining: Dining, *, city: list[CityEntry], demo_store: Store, demo: dict[str, User],
                 customers: list[User], merchants: int) -> None:
    """Yesterday's pickup orders at the featured restaurants (the demo merchant and the first noodle bar,
    skewer and dumpling shop of the city: 22-30 at the demo store, 10-18 at the others; a third of
    that in a city of a few merchants, as the tests seed), and the demo store's kitchen right now."""
    demo_m = city[0][0]
    featured: list[tuple[Merchant, Store, User]] = [(demo_m, demo_store, demo["clerk"])]
    for kind_key in FEATURED_KINDS:
        entry = next((e for e in city[1:] if e[3].key == kind_key and e[0].pk in dining.menus), None)
        if entry is not None:
            featured.append((entry[0], dining.menus[entry[0].pk].stores[0], entry[1]))
    for i, (m, store, staff) in enumerate(featured):
        n = dining.rng.randint(22, 30) if i == 0 else dining.rng.randint(10, 18)
        if merchants < 60:
            n = max(3, n // 3)
        dining.past_day(menu=dining.menus[m.pk], store=store, staff=staff, customers=customers, n=n)
    dining.now_at(menu=dining.menus[demo_m.pk], store=demo_store, clerk=demo["clerk"], customer=demo["customer"],
                  customers=customers)


def seed_demo(*, merchants: int = DEFAULT_MERCHANTS, seed: int = 42, log: Any = None) -> Outcome:
    """Seed the demo city once. A second call returns the existing record and changes nothing."""
    existing = SeedRecord.objects.order_by("-created_at").first()
    if existing is not None:
        return Outcome(created=False, record=existing, counts=dict(existing.summary))
    started = time.monotonic()
    with transaction.atomic():
        if User.objects.filter(email__in=[login.email for login in LOGINS]).exists():
            raise RuntimeError("Demo users exist but no seed record: this database was seeded by hand or "
                               "half-way; use a fresh database (delete var/o2o.sqlite3).")
        b = CityBuilder(merchants=merchants, seed=seed, log=log)
        demo = b.users()
        owners = b.bulk_users("owner", b.n - 1, "demo-owner-pass", [])
        n_customers = min(OTHER_CUSTOMERS, max(4, b.n // 3))  # a small city for tests has fewer customers
        customers = b.bulk_users("customer", n_customers, "demo-customer-pass", data.CUSTOMER_NAMES)
        demo_m, demo_store, demo_deals, demo_kind = b.demo_merchant(demo["owner"], demo["clerk"])
        demo_entry: CityEntry = (demo_m, demo["owner"], demo_deals, demo_kind)
        city = [demo_entry, *b.city(owners)]
        b.log(f"  {len(city)} live merchants; placing orders")
        maker = OrderMaker(rng=b.rng)
        maker.city_orders(customers=customers, city=city, demo=demo_entry)
        maker.demo_customer(customer=demo["customer"], clerk=demo["clerk"], owner=demo["owner"], store=demo_store,
                            deals=demo_deals, kind=demo_kind)
        maker.backdate()  # each order's rows to its planned times (history.py)
        # Menus and tables on the shops whose kind has a menu (dining.py), with their own random stream
        # so the rest of the city comes out as before.
        dining = Dining(rng=random.Random(seed + 1), currency=CURRENCY)
        for i, (m, owner, _offerings, kind) in enumerate(city):
            dining.menu(m, owner, kind, demo=i == 0)
        # The shops opened months ago, the customers signed up before buying (see history.py).
        backdate_merchants(b.rng, list(Merchant.objects.values_list("pk", flat=True)))
        backdate_users("owner", days=420)
        backdate_users("customer", days=60)
        backdate_users("clerk", days=30)
        b.log("  menus on; yesterday's pickups and the kitchen now")
        ordering_day(dining, city=city, demo_store=demo_store, demo=demo, customers=customers, merchants=b.n)
        b.log("  delivery: zones, couriers, orders on their way")
        delivery = DeliveryCity(rng=random.Random(seed + 4), dining=dining)
        delivery.city(city=city, demo_store=demo_store, customer=demo["customer"], fleet=demo["courier"],
                      customers=customers)
        b.log("  appointments: services, resources, a week of bookings")
        appointments = Appointments(rng=random.Random(seed + 3))
        appointments.city(city=city, customers=customers, per_day=2 if b.n >= 60 else 1)
        job_counts = seed_jobs(rng=random.Random(seed + 4), city=city, customers=customers, demo=demo)
        # Campaigns last, when every order has its final time: scans before some of them (campaigns.py),
        # with their own random stream too.
        b.log("  campaigns: placements, scans, attributed orders")
        campaigns = Campaigns(rng=random.Random(seed + 2))
        campaigns.city(city=city, demo_store=demo_store, demo_customer=demo["customer"])
        community = seed_community(city=city, customers=customers, demo_customer=demo["customer"], seed=seed)
        # Prime discovery as its scheduled jobs would: density per H3 cell (the nearby query plans with
        # it) and popularity (redemptions of the last 30 days) for ranking.
        refresh_density()
        refresh_popularity()
        counts = {
            "merchants": Merchant.objects.count(), "stores": Store.objects.count(),
            "offerings": Offering.objects.count(), "users": User.objects.count(), **maker.counts,
            **dining.counts, **campaigns.counts, **appointments.counts, **job_counts, **delivery.counts, **community,
        }
        record = SeedRecord.objects.create(version=SEED_VERSION, merchants=b.n, seed=seed,
                                           seconds=Decimal(f"{time.monotonic() - started:.2f}"), summary=counts)
    return Outcome(created=True, record=record, counts=counts)
