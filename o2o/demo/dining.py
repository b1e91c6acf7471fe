"""Ordering in the demo city: the menus of menus.py on the shops of those kinds, tables with QR codes in
the restaurants, yesterday's pickup orders at the featured restaurants and, at the demo store the clerk
works at, the kitchen's queue right now. All of it through the services (product_create,
menu_section_create, offering_photo_add, table_create, ordering_order_create, order_pay, the kitchen
moves, counter_sale_create).

Checkout accepts only pickup slots still to come, so a past pickup order is placed for the same slot a
week later (same weekday, so the same opening hours), paid, made and handed over, and then every row
of it is moved back by phase, as history.backdate_order moves a voucher order: bought (order, lines,
payment, ledger, the gateway's charge, the ticket), accepted, ready, handed over; the slot itself
(the ticket's and the capacity calendar's row) moves back by exactly that week.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.db.models import F
from django.utils import timezone

from o2o.accounts.models import User
from o2o.analytics.models import Event
from o2o.audit.services import audit_record
from o2o.capacity.models import CapacitySlot
from o2o.capacity.rules import slot_windows
from o2o.catalogue.enums import OfferingStatus
from o2o.catalogue.models import Offering, OfferingPhoto
from o2o.catalogue.products import menu_section_create, product_create
from o2o.catalogue.services import offering_photo_add
from o2o.core.errors import DomainError
from o2o.core.events import EventKind
from o2o.demo import menus
from o2o.demo.kinds import Kind
from o2o.demo.orders import SANDBOX_CARD, OrderMaker
from o2o.demo.photos import deal_photo
from o2o.merchants.enums import Category
from o2o.merchants.hours import day_windows, is_open, local_midnight
from o2o.merchants.models import Merchant, Store
from o2o.ordering.checkout import (
    Where,
    order_write,
    ordering_order_create,
    ordering_settings,
    parse_product_lines,
    pickup_slots,
    price_lines,
)
from o2o.ordering.counter import counter_sale_create
from o2o.ordering.fulfilment import pickup_resource
from o2o.ordering.kitchen import pickup_collect, ticket_accept, ticket_hand_over, ticket_ready
from o2o.ordering.models import Tab, Table, Ticket
from o2o.ordering.tables import table_create
from o2o.orders.checkout import Source
from o2o.orders.enums import FulfilmentKind
from o2o.orders.models import FulfilmentEvent, Order, OrderEvent, OrderLine
from o2o.payments.models import CashReceipt, LedgerEntry, Payment, PaymentEvent, SandboxCharge
from o2o.payments.services import order_pay

WEEK = timedelta(days=7)
MINUTE = timedelta(minutes=1)
TABLE_ROWS = "ABCD"
TABLE_ROW = 6  # tables A1..A6, then B1..


def _back(qs: Any, delta: timedelta, *fields: str) -> None:
    if fields and delta:
        qs.update(**{f: F(f) - delta for f in fields})


def option_groups(dish: menus.Dish) -> list[dict[str, Any]]:
    """menus.py's option groups as product_create takes them (API.md's options)."""
    return [{"name": g.name, "required": g.required, "max_choices": g.max_choices,
             "choices": [{"name": n, "price_delta": d} for n, d in g.choices]} for g in dish.options]


def table_labels(n: int) -> list[str]:
    return [f"{TABLE_ROWS[i // TABLE_ROW]}{i % TABLE_ROW + 1}" for i in range(n)]


@dataclass
class Menu:
    merchant: Merchant
    owner: User
    stores: list[Store]
    items: list[tuple[Offering, menus.Dish]] = field(default_factory=list)


class Dining:
    """Menus and tables for the city, then the orders of the featured restaurants."""

    def __init__(self, *, rng: random.Random, currency: str, now: datetime | None = None) -> None:
        self.rng = rng
        self.currency = currency
        self.now = now or timezone.now()
        self.counts: Counter[str] = Counter()
        self.menus: dict[Any, Menu] = {}  # merchant id -> its menu
        self.first_photos: dict[tuple[str, str], tuple[bytes, int, int, str]] = {}
        self.maker = OrderMaker(rng=rng)  # for order numbers that carry the order's date

    # --- menus and tables ---------------------------------------------------------------------------

    def photo(self, offering: Offering, kind: Kind, category: str) -> OfferingPhoto:
        """The dish's drawing on the offering. The first shop of the kind to sell the dish gets it through
        offering_photo_add (checked and re-encoded as every upload); the others get a copy of that
        stored file, as the same service would write it (checking 800 identical pictures again would be
        a tenth of the seed)."""
        key = (kind.key, offering.title)
        first = self.first_photos.get(key)
        if first is None:
            photo = offering_photo_add(offering=offering, data=deal_photo(kind=kind.key, category=category,
                                                                          variant=offering.title))
            with photo.image.open("rb") as f:
                self.first_photos[key] = (f.read(), photo.width, photo.height, (photo.image.name or "photo.jpg").rsplit("/", 1)[-1])
            return photo
        content, w, h, name = first
        photo = OfferingPhoto(offering=offering, width=w, height=h, position=0)
        photo.image.save(name, ContentFile(content), save=False)
        photo.save()
        audit_record(action="offering.photo", obj=offering, summary=f"Photo {w}×{h} added to “{offering.title}”",
                     data={"photo": str(photo.pk)})
        return photo

    def menu(self, merchant: Merchant, owner: User, kind: Kind, *, demo: bool = False) -> Menu | None:
        sections = menus.menu_for(kind.key)
        if not sections:
            return None
        stores = list(merchant.stores.order_by("created_at"))
        menu = Menu(merchant=merchant, owner=owner, stores=stores)
        status = OfferingStatus.LIVE if merchant.status == "active" else OfferingStatus.DRAFT
        for section in sections:
            s = menu_section_create(merchant=merchant, actor=owner, title=f"{section.title[0]} {section.title[1]}")
            for dish in section.dishes:
                title = menus.dish_title(dish)
                offering = product_create(
                    merchant=merchant, actor=owner, title=title, description=dish.description,
                    price={"amount": dish.price, "currency": self.currency},
                    stock=[{"store_id": str(st.pk), "quantity": dish.stock} for st in stores],
                    options=option_groups(dish), section_id=s.pk, prep_minutes=dish.prep_minutes, status=status)
                self.photo(offering, kind, merchant.category)
                menu.items.append((offering, dish))
                self.counts["menu_items"] += 1
        if merchant.category == Category.RESTAURANT:
            for store in stores:
                tables = [(label, self.rng.choice([2, 4, 4, 4, 6])) for label in table_labels(self.rng.randint(6, 12))]
                if demo:  # the tables the demo shows are made by table_create
                    for label, seats in tables:
                        table_create(user=owner, store_id=store.pk, label=label, seats=seats)
                else:  # the rest of the city's as one insert, as the seed writes its users (the same rows)
                    Table.objects.bulk_create([Table(store=store, label=label, seats=seats) for label, seats in tables])
                self.counts["tables"] += len(tables)
        self.menus[merchant.pk] = menu
        return menu

    # --- what a customer orders -----------------------------------------------------------------------

    def lines(self, menu: Menu, *, count: int | None = None, kitchen_only: bool = False) -> list[dict[str, Any]]:
        """1-3 dishes of the menu, each with a choice for every required option and now and then an extra."""
        items = [(o, d) for o, d in menu.items if not kitchen_only or d.prep_minutes > 0]
        picks = self.rng.sample(items, min(len(items), count or self.rng.choice([1, 2, 2, 3])))
        out = []
        for offering, dish in picks:
            chosen = []
            for g in dish.options:
                if g.required or self.rng.random() < 0.3:
                    k = 1 if g.max_choices == 1 else self.rng.randint(1, min(2, g.max_choices))
                    chosen += [{"name": g.name, "choice": c[0]} for c in self.rng.sample(g.choices, k)]
            qty = 1 if dish.stock is not None and dish.stock < 20 else self.rng.choice([1, 1, 1, 2])
            out.append({"offering_id": str(offering.pk), "quantity": qty, "options": chosen})
        return out

    def _pickup(self, customer: User, menu: Menu, store: Store, slot_start: datetime) -> Order | None:
        """A pickup order for this slot, paid with the sandbox card (None if a dish ran out meanwhile)."""
        try:
            order = ordering_order_create(customer=customer, lines=self.lines(menu),
                                          fulfilment={"type": "pickup", "store_id": str(store.pk),
                                                      "slot_start": slot_start.isoformat()})
        except DomainError:
            return None
        order = order_pay(customer=customer, order_id=order.pk, provider="sandbox",
                          details={"card_number": SANDBOX_CARD})
        self.counts["pickup_orders"] += 1
        return order

    # --- yesterday ------------------------------------------------------------------------------------

    def yesterday_slots(self, store: Store) -> list[tuple[datetime, datetime, datetime]]:
        """(slot start, slot end, opening of its window) of yesterday's pickup slots, all over by now."""
        tz = ZoneInfo(store.timezone)
        day = (self.now.astimezone(tz) - timedelta(days=1)).date()
        midnight = local_midnight(day, store.timezone)
        # local wall-clock minutes to instants (fine for the demo's Asia/Shanghai: no DST)
        opens = [midnight + timedelta(minutes=lo) for lo, _hi in day_windows(day.weekday(), store.opening_hours)]
        step = ordering_settings(store).slot_minutes
        out = []
        for start, end in slot_windows(hours=store.opening_hours, tz=store.timezone, day=day, step_minutes=step,
                                       closed_dates=store.closed_dates):
            opened = max((o for o in opens if o <= start), default=None)
            if opened is not None and end <= self.now - timedelta(hours=1):
                out.append((start, end, opened))
        return out

    def past_day(self, *, menu: Menu, store: Store, staff: User, customers: list[User], n: int) -> int:
        """About n pickup orders over yesterday's opening hours, each bought 15-60 minutes before its
        slot (never before the store opened), made, and collected with its code during the slot."""
        slots = [s for s in self.yesterday_slots(store) if s[0] - s[2] >= timedelta(minutes=25)]
        cfg = ordering_settings(store)
        picked = sorted(self.rng.sample(slots, min(n, len(slots))))
        made = 0
        taken: list[datetime] = []
        for start, end, opened in picked:
            order = self._pickup(self.rng.choice(customers), menu, store, start + WEEK)
            if order is None:
                continue
            prep = max(int(o.prep_minutes) for o in Offering.objects.filter(order_lines__order=order))
            earliest = max(opened, start - timedelta(minutes=60))
            latest = start - timedelta(minutes=max(cfg.lead_minutes, prep) + 5)
            bought = earliest + (latest - earliest) * self.rng.random() if latest > earliest else earliest
            bought = bought.replace(microsecond=0) + timedelta(seconds=self.rng.randint(0, 59))
            self.maker._renumber(order, bought)
            accepted = bought + timedelta(minutes=self.rng.randint(1, 4), seconds=self.rng.randint(0, 59))
            ready = max(accepted + timedelta(minutes=prep), start - timedelta(minutes=self.rng.randint(0, 4)))
            collected = min(end - MINUTE, ready + timedelta(minutes=self.rng.randint(1, 12),
                                                            seconds=self.rng.randint(0, 59)))
            ticket_accept(user=staff, order_id=order.pk)
            ticket_ready(user=staff, order_id=order.pk)
            code = Ticket.objects.filter(order=order).values_list("pickup_code", flat=True).get()
            pickup_collect(user=staff, store_id=store.pk, code=code)
            backdate_pickup(order, bought=bought, accepted=accepted, ready=ready, collected=collected)
            taken.append(start + WEEK)
            made += 1
        # The week-later slots the orders took are yesterday's: their capacity rows move with them.
        _back(CapacitySlot.objects.filter(resource=pickup_resource(store.pk), start__in=sorted(set(taken))), WEEK,
              "start", "end")
        self.counts["past_pickup_orders"] += made
        return made

    # --- now, at the clerk's store --------------------------------------------------------------------

    def now_at(self, *, menu: Menu, store: Store, clerk: User, customer: User, customers: list[User]) -> dict[str, Any]:
        """Two paid orders waiting in the kitchen, one being made, one ready for the demo customer to
        collect, a table's open tab with an order to pay at the counter, and a few walk-in sales today."""
        slots = self.coming_slots(store)
        made: dict[str, Any] = {"new": [], "preparing": None, "ready": None, "tab": None, "sales": []}
        if slots:
            who = [self.rng.choice(customers), self.rng.choice(customers), self.rng.choice(customers), customer]
            orders = [self._pickup(c, menu, store, slots[min(i // 2, len(slots) - 1)]) for i, c in enumerate(who)]
            *new, preparing, ready = orders
            if preparing is not None:
                made["preparing"] = ticket_accept(user=clerk, order_id=preparing.pk)
            if ready is not None:
                made["ready"] = ticket_ready(user=clerk, order_id=ready.pk)
            made["new"] = [o for o in new if o is not None]
        made["tab"] = self.open_tab(menu=menu, store=store, customer=self.rng.choice(customers))
        made["sales"] = self.walk_ins(menu=menu, store=store, clerk=clerk)
        return made

    def coming_slots(self, store: Store) -> list[datetime]:
        """The next pickup slots a customer can choose: today's, or the next day's once today's are gone."""
        today = timezone.now().astimezone(ZoneInfo(store.timezone)).date()
        for extra in range(3):
            slots = pickup_slots(store=store, day=today + timedelta(days=extra), prep_minutes=15)
            if slots:
                return [s.start for s in slots[:4]]
        return []

    def open_tab(self, *, menu: Menu, store: Store, customer: User) -> Order | None:
        """A table's order to pay at the counter, on the table's open tab. While the store is open this
        is checkout's table order; when it is closed now the same rows are written by checkout's writer
        (as the counter's sales are) and moved back to the last half hour it was open."""
        table = Table.objects.filter(store=store).order_by("label")[self.rng.randint(0, 3)]
        lines = self.lines(menu, count=2, kitchen_only=True)
        fulfilment = {"type": FulfilmentKind.DINE_IN, "table_id": str(table.pk), "pay_at_counter": True}
        now = timezone.now()
        if is_open(store.opening_hours, store.timezone, now, store.closed_dates):
            order = ordering_order_create(customer=customer, lines=lines, fulfilment=fulfilment)
        else:
            last = last_open(store, now)
            if last is None:
                return None
            _p, priced, wanted, total = price_lines(store=store, parsed=parse_product_lines(lines))
            order = order_write(customer=customer, where=Where(store=store, kind=FulfilmentKind.DINE_IN, table=table,
                                                               pay_at_counter=True),
                                priced=priced, wanted=wanted, total=total, products=_p, source=Source(), now=now)
            self.maker._renumber(order, last)
            delta = order.created_at - last
            _back(Order.objects.filter(pk=order.pk), delta, "created_at", "updated_at", "expires_at")
            _back(OrderLine.objects.filter(order=order), delta, "created_at", "updated_at")
            _back(OrderEvent.objects.filter(order=order), delta, "at")
            ticket = Ticket.objects.get(order=order)
            _back(Ticket.objects.filter(pk=ticket.pk), delta, "created_at", "updated_at", "queued_at")
            # the tab too, when this order opened it (not when it joined a tab opened before)
            if ticket.tab_id is not None:
                _back(Tab.objects.filter(pk=ticket.tab_id, created_at__gte=order.created_at - timedelta(seconds=1)),
                      delta, "created_at", "updated_at")
        self.counts["table_orders"] += 1
        return order

    def walk_ins(self, *, menu: Menu, store: Store, clerk: User, n: int = 3) -> list[Order]:
        """Walk-in sales rung up today (cash), handed over; moved back to earlier today while open."""
        sales = []
        tz = ZoneInfo(store.timezone)
        midnight = timezone.now().astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
        for _i in range(n):
            try:
                sale = counter_sale_create(user=clerk, store_id=store.pk, lines=self.lines(menu, count=1),
                                           payment={"method": "cash"})
            except DomainError:
                continue
            ticket = Ticket.objects.get(order=sale)
            if ticket.done_at is None:  # the kitchen made it: handed over at the counter
                ticket_ready(user=clerk, order_id=sale.pk)
                ticket_hand_over(user=clerk, order_id=sale.pk)
            at = _open_between(self.rng, store, midnight, timezone.now() - 20 * MINUTE)
            if at is not None:
                backdate_sale(sale, at)
            sales.append(sale)
            self.counts["counter_sales"] += 1
        return sales


def last_open(store: Store, now: datetime) -> datetime | None:
    """A moment in the last half hour the store was open, within the last day."""
    for k in range(1, 49):
        at = now - k * 30 * MINUTE
        if is_open(store.opening_hours, store.timezone, at, store.closed_dates):
            return at
    return None


def _open_between(rng: random.Random, store: Store, lo: datetime, hi: datetime) -> datetime | None:
    moments = [lo + k * 10 * MINUTE for k in range(int((hi - lo) / (10 * MINUTE)))]
    moments = [m for m in moments if is_open(store.opening_hours, store.timezone, m, store.closed_dates)]
    return rng.choice(moments) + timedelta(seconds=rng.randint(0, 299)) if moments else None


def _payment_rows(order: Order) -> tuple[Any, Any, Any, Any]:
    payments = Payment.objects.filter(order=order)
    refs = [str(pk) for pk in payments.values_list("pk", flat=True)]
    return (payments, PaymentEvent.objects.filter(payment__order=order), LedgerEntry.objects.filter(order=order),
            SandboxCharge.objects.filter(merchant_reference__in=refs))


def backdate_pickup(order: Order, *, bought: datetime, accepted: datetime, ready: datetime,
                    collected: datetime) -> None:
    """Move a pickup order placed a week ahead to yesterday: each phase to its planned time, the slot
    back by the week."""
    order = Order.objects.get(pk=order.pk)
    ticket = Ticket.objects.get(order=order)
    moves = dict(FulfilmentEvent.objects.filter(order=order).order_by("at", "id").values_list("to_status", "at"))
    payments, payment_events, ledger, charges = _payment_rows(order)
    d = order.created_at - bought
    _back(Order.objects.filter(pk=order.pk), d, "created_at", "expires_at", "paid_at")
    _back(OrderLine.objects.filter(order=order), d, "created_at", "updated_at")
    _back(OrderEvent.objects.filter(order=order), d, "at")
    _back(payments, d, "created_at", "updated_at")
    _back(payment_events, d, "at")
    _back(ledger, d, "created_at", "updated_at")
    _back(charges, d, "created_at", "updated_at")
    _back(Ticket.objects.filter(pk=ticket.pk), d, "created_at", "queued_at")
    _back(FulfilmentEvent.objects.filter(order=order, to_status="pending"), d, "at")
    if "accepted" in moves:
        _back(FulfilmentEvent.objects.filter(order=order, to_status__in=["accepted", "preparing"]),
              moves["accepted"] - accepted, "at")
    if "ready" in moves:
        _back(FulfilmentEvent.objects.filter(order=order, to_status="ready"), moves["ready"] - ready, "at")
        _back(Ticket.objects.filter(pk=ticket.pk), (ticket.ready_at or moves["ready"]) - ready, "ready_at")
    done = (ticket.done_at or order.updated_at) - collected
    _back(FulfilmentEvent.objects.filter(order=order, to_status="picked_up"), done, "at")
    stream = Event.objects.filter(order_id=order.pk)  # the event stream moves with the rows it records
    _back(stream.filter(kind__in=[EventKind.ORDER, EventKind.PAID]), d, "at")
    _back(stream.filter(kind=EventKind.PICKED_UP), done, "at")
    _back(Ticket.objects.filter(pk=ticket.pk), done, "done_at", "updated_at")
    _back(Order.objects.filter(pk=order.pk), done, "updated_at")
    _back(Ticket.objects.filter(pk=ticket.pk), WEEK, "slot_start", "slot_end")


def backdate_sale(order: Order, at: datetime) -> None:
    """Move a walk-in sale (rung up, paid in cash and handed over within the second) to `at` today."""
    order = Order.objects.get(pk=order.pk)
    d = order.created_at - at
    payments, payment_events, ledger, _charges = _payment_rows(order)
    _back(Order.objects.filter(pk=order.pk), d, "created_at", "updated_at", "expires_at", "paid_at")
    _back(OrderLine.objects.filter(order=order), d, "created_at", "updated_at")
    _back(OrderEvent.objects.filter(order=order), d, "at")
    _back(FulfilmentEvent.objects.filter(order=order), d, "at")
    _back(Event.objects.filter(order_id=order.pk), d, "at")
    _back(payments, d, "created_at", "updated_at")
    _back(payment_events, d, "at")
    _back(ledger, d, "created_at", "updated_at")
    _back(Ticket.objects.filter(order=order), d, "created_at", "updated_at", "queued_at", "ready_at", "done_at")
    _back(CashReceipt.objects.filter(merchant_reference__in=[str(p) for p in payments.values_list("pk", flat=True)]),
          d, "created_at")
