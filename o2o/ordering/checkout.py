"""Checkout of products: a pickup order for a slot, or a table's order (dine in).

    ordering_order_create(customer=..., lines=[{offering_id, quantity, options: [{name, choice}]}],
                          fulfilment={"type": "pickup", "store_id", "slot_start"} | {"type": "dine_in", "table_id"})

Everything is checked before anything is written (the store, its hours and the slot, the products, the
options and their prices, the total's size); then in one transaction the order, its lines (snapshots
with the chosen options), its ticket, the slot's capacity and last the store stock (conditional
updates, so a stock row stays locked only from there to the commit). Any refusal rolls all of it back.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from o2o.accounts.models import User
from o2o.capacity.rules import open_slots, slot_windows
from o2o.capacity.services import capacity_take
from o2o.catalogue.enums import OfferingKind, OfferingStatus
from o2o.catalogue.models import Offering, OptionGroup
from o2o.catalogue.products import options_price
from o2o.catalogue.stock import store_stock_left, store_stock_take
from o2o.core import conf
from o2o.core.errors import Invalid, NotFound
from o2o.core.money import Money, check_fits
from o2o.merchants.access import as_uuid, public_store, public_stores
from o2o.merchants.hours import is_open
from o2o.merchants.models import Store
from o2o.ordering.enums import TicketKind
from o2o.ordering.errors import PriceChanged, SlotFull, SlotUnavailable, StoreClosed, WrongStore
from o2o.ordering.fulfilment import pickup_resource
from o2o.ordering.models import StoreOrdering, Tab, Table, Ticket
from o2o.orders.checkout import Source, as_written, checked_lines, line_offering_quantity, new_number
from o2o.orders.enums import Channel, FulfilmentKind, OrderStatus
from o2o.orders.errors import SoldOut
from o2o.orders.events import orders_placed_append
from o2o.orders.holds import orders_expire_due
from o2o.orders.models import Order, OrderEvent, OrderLine
from o2o.orders.totals import order_total

MAX_LINES = 30
MAX_QTY = 50  # of one dish in one order; a party orders more at the counter
MAX_UNITS = 200
# A table's order to pay at the counter waits for the clerk, not for a payment hold.
TAB_HOLD = timedelta(hours=12)


@dataclass(frozen=True)
class LineIn:
    offering_id: UUID
    quantity: int
    options: Any
    unit_price: Any  # what the client showed (optional): a different server price is refused


def parse_product_lines(lines: Any) -> list[LineIn]:
    out = []
    for i, line in enumerate(checked_lines(lines, max_lines=MAX_LINES)):
        oid, qty = line_offering_quantity(i, line, max_qty=MAX_QTY)
        out.append(LineIn(offering_id=oid, quantity=qty, options=line.get("options"),
                          unit_price=line.get("unit_price")))
    if sum(ln.quantity for ln in out) > MAX_UNITS:
        raise Invalid(_("At most %(n)d items per order.") % {"n": MAX_UNITS}, fields={"lines": _("too many items")})
    return out


def _with_options(qs: Any) -> Any:
    return qs.prefetch_related(Prefetch("option_groups", queryset=OptionGroup.objects.prefetch_related("choices")),
                               "store_stock")


def offerings_by_id(offering_ids: list[UUID]) -> dict[UUID, Offering]:
    """The offerings with these ids, whoever sells them, with their option groups (one read that
    serves the prep time before the store is known and the prices after: products_at(candidates=))."""
    return {o.pk: o for o in _with_options(Offering.objects.filter(pk__in=offering_ids))}


def products_at(*, store: Store, offering_ids: list[UUID],
                candidates: dict[UUID, Offering] | None = None) -> dict[UUID, Offering]:
    """The live products of the store's merchant among these ids that this store sells (it has a stock
    row for them, sold out or not), with their option groups (picked from `candidates`, offerings_by_id's
    answer, when given: no query)."""
    if candidates is not None:
        return {oid: o for oid in offering_ids if (o := candidates.get(oid)) is not None
                and o.merchant_id == store.merchant_id and o.kind == OfferingKind.PRODUCT
                and o.status == OfferingStatus.LIVE and any(s.store_id == store.pk for s in o.store_stock.all())}
    return {o.pk: o for o in _with_options(Offering.objects.filter(
        pk__in=offering_ids, merchant_id=store.merchant_id, kind=OfferingKind.PRODUCT, status=OfferingStatus.LIVE,
        store_stock__store=store))}


def ordering_settings(store: Store) -> StoreOrdering:
    try:
        return store.ordering
    except StoreOrdering.DoesNotExist:
        return StoreOrdering(store=store)


def _parse_time(value: Any, field: str) -> datetime:
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None or parsed.tzinfo is None:
        raise Invalid(_("Give a time with its offset, as 2026-12-03T12:15:00+08:00."), fields={field: _("ISO 8601 time")})
    return parsed


def pickup_slot_for(*, store: Store, start_text: Any, prep_minutes: int, now: datetime) -> tuple[datetime, datetime]:
    """The slot starting at `start_text` if the store offers it now: store_closed when the store has no
    pickup time that day, 422 when it is not a slot boundary, slot_unavailable when it is past or too
    soon for the dishes, slot_full when it filled up (checked again, race-free, by capacity_take)."""
    start = _parse_time(start_text, "fulfilment.slot_start")
    cfg = ordering_settings(store)
    local_day = timezone.localtime(start, timezone=store_zone(store)).date()
    windows = slot_windows(hours=store.opening_hours, tz=store.timezone, day=local_day, step_minutes=cfg.slot_minutes,
                           closed_dates=store.closed_dates)
    # a window past midnight belongs to the day before
    windows += slot_windows(hours=store.opening_hours, tz=store.timezone, day=local_day - timedelta(days=1),
                            step_minutes=cfg.slot_minutes, closed_dates=store.closed_dates)
    if not windows:
        raise StoreClosed(_("%(store)s takes no pickup orders that day.") % {"store": store.name})
    match = next(((s, e) for s, e in windows if s == start), None)
    if match is None:
        raise Invalid(_("Pickup times start every %(n)d minutes within opening hours.") % {"n": cfg.slot_minutes},
                      fields={"fulfilment.slot_start": _("not a pickup slot")})
    if start < now + timedelta(minutes=max(cfg.lead_minutes, prep_minutes)):
        raise SlotUnavailable(_("This pickup time is too soon or already past; please pick a later one."))
    return match


def store_zone(store: Store):  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    return ZoneInfo(store.timezone)


def pickup_slots(*, store: Store, day: Any, prep_minutes: int = 0, now: datetime | None = None) -> list[Any]:
    """GET /stores/{id}/pickup-slots: the day's slots a customer may still pick (not full, not past,
    not sooner than the store's notice or the dishes' prep time)."""
    from datetime import date

    if isinstance(day, str):
        try:
            day = date.fromisoformat(day)
        except ValueError:
            raise Invalid(_("Give the date as YYYY-MM-DD."), fields={"date": "YYYY-MM-DD"}) from None
    if not isinstance(day, date):
        raise Invalid(_("Give the date as YYYY-MM-DD."), fields={"date": "YYYY-MM-DD"})
    cfg = ordering_settings(store)
    now = now or timezone.now()
    return open_slots(resource=pickup_resource(store.pk), hours=store.opening_hours, tz=store.timezone, day=day,
                      step_minutes=cfg.slot_minutes, capacity=cfg.slot_capacity, now=now,
                      lead=timedelta(minutes=max(cfg.lead_minutes, prep_minutes)), closed_dates=store.closed_dates)


@dataclass(frozen=True)
class Where:
    store: Store
    kind: str
    slot: tuple[datetime, datetime] | None = None
    table: Table | None = None
    pay_at_counter: bool = False
    ticket_kind: str = ""


def _where(fulfilment: Any, *, prep_minutes: int, now: datetime) -> Where:
    if not isinstance(fulfilment, dict):
        raise Invalid(_("Say how the order is served."), fields={"fulfilment": _("an object with a type")})
    kind = fulfilment.get("type")
    if kind == FulfilmentKind.PICKUP:
        # the store with its ordering settings in one read (public_store's rules: active store and merchant)
        store = public_stores().select_related("merchant", "ordering").filter(
            pk=as_uuid(fulfilment.get("store_id"))).first()
        if store is None:
            raise NotFound()
        slot = pickup_slot_for(store=store, start_text=fulfilment.get("slot_start"), prep_minutes=prep_minutes, now=now)
        return Where(store=store, kind=kind, slot=slot)
    if kind == FulfilmentKind.DINE_IN:
        table = Table.objects.select_related("store__merchant").filter(
            pk=as_uuid(fulfilment.get("table_id")), active=True).first()
        if table is None:
            raise NotFound(_("This table is not taking orders."), fields={"table_id": str(fulfilment.get("table_id"))})
        store = public_store(table.store_id)
        if not is_open(store.opening_hours, store.timezone, now, store.closed_dates):
            raise StoreClosed(_("%(store)s is closed now.") % {"store": store.name})
        pay = fulfilment.get("pay_at_counter", False)
        if not isinstance(pay, bool):
            raise Invalid(_("Some fields are not valid."), fields={"fulfilment.pay_at_counter": _("true or false")})
        return Where(store=store, kind=kind, table=table, pay_at_counter=pay)
    if kind == FulfilmentKind.DELIVERY:
        raise Invalid(_("This store does not deliver yet."), fields={"fulfilment.type": _("pickup or dine_in")})
    raise Invalid(_("Some fields are not valid."), fields={"fulfilment.type": "voucher, pickup, dine_in"})


def _tab_for(table: Table) -> Tab:
    """The table's open tab (the first phone at the table opens it; the others join it)."""
    for _attempt in range(3):
        tab = Tab.objects.filter(table=table, status="open").first()
        if tab is not None:
            return tab
        try:
            with transaction.atomic():
                return Tab.objects.create(table=table, store_id=table.store_id)
        except IntegrityError:
            continue  # another phone opened it at the same moment
    raise AssertionError("unreachable")


def price_lines(*, store: Store, parsed: list[LineIn], candidates: dict[UUID, Offering] | None = None,
                ) -> tuple[dict[UUID, Offering], list[Any], dict[UUID, int], Money]:
    """The products of the lines at this store, each line's unit price with its options (a shown price
    that differs -> price_changed), the units per product and the total; nothing written."""
    ids = sorted({ln.offering_id for ln in parsed}, key=str)
    products = products_at(store=store, offering_ids=ids, candidates=candidates)
    for i, ln in enumerate(parsed):
        if ln.offering_id not in products:
            other = Offering.objects.filter(pk=ln.offering_id).values_list("merchant_id", flat=True).first()
            if other is not None and other != store.merchant_id:
                raise WrongStore(_("This dish is sold by another shop."), fields={f"lines.{i}.offering_id": str(ln.offering_id)})
            raise NotFound(_("This dish is not on the menu."), fields={f"lines.{i}.offering_id": str(ln.offering_id)})
    priced = []
    for i, ln in enumerate(parsed):
        p = options_price(offering=products[ln.offering_id], chosen=ln.options, field=f"lines.{i}.options")
        if ln.unit_price is not None:
            shown = ln.unit_price.get("amount") if isinstance(ln.unit_price, dict) else ln.unit_price
            try:
                same = Decimal(str(shown)) == p.unit_price.amount
            except ArithmeticError:
                same = False
            if not same:
                raise PriceChanged(_("%(dish)s now costs %(price)s.") % {"dish": products[ln.offering_id].title,
                                                                         "price": p.unit_price.amount},
                                   fields={f"lines.{i}.unit_price": str(p.unit_price.amount)})
        line_total = p.unit_price * ln.quantity
        check_fits(line_total, field=f"lines.{i}")
        priced.append((ln, p, line_total))
    currency = products[ids[0]].currency
    total = Money(order_total(lines={i: t.amount for i, (_ln, _p, t) in enumerate(priced)}, adjustments=[]), currency)
    check_fits(total, field="total")
    wanted: dict[UUID, int] = defaultdict(int)
    for ln in parsed:
        wanted[ln.offering_id] += ln.quantity
    return products, priced, wanted, total


def ordering_order_create(*, customer: User, lines: Any, fulfilment: Any, source: Source | None = None,
                          channel_store: Store | None = None) -> Order:
    """A pickup or table order awaiting payment (or, at a table, awaiting the clerk when paid at the
    counter); see the module docstring. Refusals: sold_out, slot_full, slot_unavailable, store_closed,
    wrong_store, price_changed (409); bad lines or options (422); an unknown store or table (404)."""
    parsed = parse_product_lines(lines)
    now = timezone.now()
    source = source or Source()
    # The prep time needs the products, the products need the store: read the products first by id
    # (with their options: the same read prices the lines once the store is known).
    ids = sorted({ln.offering_id for ln in parsed}, key=str)
    candidates = offerings_by_id(ids)
    where = _where(fulfilment, prep_minutes=max((o.prep_minutes for o in candidates.values()), default=0), now=now)
    store = where.store
    if channel_store is not None and channel_store.pk != store.pk:
        raise WrongStore(_("This table belongs to another store."))
    products, priced, wanted, total = price_lines(store=store, parsed=parsed, candidates=candidates)
    # The stock as it is now (no lock): a dish already short is refused before anything is written, and
    # the counted ones are taken in the transaction with one conditional UPDATE each (stock_hint).
    left = store_stock_left(offering_ids=wanted.keys(), store_id=store.pk)
    swept = False
    if any(_short(left[oid], n) for oid, n in wanted.items()):
        orders_expire_due(offering_ids=wanted.keys(), now=now)  # stale holds give their units back first
        swept = True
        left = store_stock_left(offering_ids=wanted.keys(), store_id=store.pk)
        for oid in sorted(wanted, key=str):
            if _short(left[oid], wanted[oid]):
                raise _sold_out(products[oid], store)
    for attempt in range(5):
        try:
            return order_write(customer=customer, where=where, priced=priced, wanted=wanted, total=total,
                               products=products, source=source, now=now, stock_hint=left)
        except IntegrityError:
            if attempt == 4:  # an order-number collision: the whole write runs again
                raise
        except (SoldOut, SlotFull):
            # Refused in the transaction (taken meanwhile): stale holds of these dishes give their units
            # and places back first, then the write runs once more; refused again, the refusal stands.
            if swept or not orders_expire_due(offering_ids=wanted.keys(), now=now):
                raise
            swept = True
            left = store_stock_left(offering_ids=wanted.keys(), store_id=store.pk)
    raise AssertionError("unreachable")


def _short(left: int | None, n: int) -> bool:
    return left is not None and left < n


def _sold_out(product: Offering, store: Store) -> SoldOut:
    return SoldOut(_("%(dish)s is sold out at %(store)s.") % {"dish": product.title, "store": store.name},
                   fields={"offering_id": str(product.pk)})


def order_write(*, customer: User, where: Where, priced: list[Any], wanted: dict[UUID, int], total: Money,
                products: dict[UUID, Offering], source: Source, now: datetime,
                stock_hint: dict[UUID, int | None] | None = None) -> Order:
    """The rows of a checked product order in one transaction (see the module docstring). stock_hint
    (store_stock_left's answer, read just before) says which dishes are counted: those are taken with
    one conditional UPDATE, the stock row locked from there to the commit."""
    store = where.store
    currency = total.currency
    with transaction.atomic():
        tab = _tab_for(where.table) if where.table is not None else None
        hold = TAB_HOLD if where.pay_at_counter else conf.get().order_hold
        order = Order(number=new_number(), customer=customer, merchant_id=store.merchant_id, store=store,
                      fulfilment=where.kind, source_channel=Channel.QR if where.table is not None else source.channel,
                      source_placement=source.placement_id, source_referrer_id=source.referrer_id,
                      status=OrderStatus.AWAITING_PAYMENT, currency=currency, total_amount=total.amount,
                      expires_at=now + hold)
        order.save(force_insert=True)
        rows = [OrderLine(order=order, offering_id=ln.offering_id, title=products[ln.offering_id].title,
                          quantity=ln.quantity, unit_price_amount=p.unit_price.amount, options=p.snapshot,
                          line_total_amount=t.amount, currency=currency) for ln, p, t in priced]
        OrderLine.objects.bulk_create(rows)
        OrderEvent.objects.create(order=order, actor=customer, from_status="", to_status=order.status,
                                  reason="created", data={"fulfilment": where.kind, "store": str(store.pk)})
        orders_placed_append([(order, [ln.offering_id for ln in rows])])
        ticket = Ticket.objects.create(order=order, store=store, kind=where.ticket_kind or (
                                           TicketKind.PICKUP if where.kind == "pickup" else TicketKind.DINE_IN),
                              slot_start=where.slot[0] if where.slot else None,
                              slot_end=where.slot[1] if where.slot else None, table=where.table, tab=tab,
                              pay_at_counter=where.pay_at_counter, queued_at=now if where.pay_at_counter else None)
        if where.slot is not None:
            cfg = ordering_settings(store)
            if not capacity_take(resource=pickup_resource(store.pk), start=where.slot[0], end=where.slot[1],
                                 capacity=cfg.slot_capacity):
                raise SlotFull()
        # Stock last, in a fixed order (no deadlock between two carts of the same dishes).
        for oid in sorted(wanted, key=str):
            if stock_hint is not None and oid in stock_hint and stock_hint[oid] is None:
                continue  # unlimited and not switched off when read just before: nothing to take, no lock
            counted = stock_hint is not None and stock_hint.get(oid) is not None
            if not store_stock_take(offering_id=oid, store_id=store.pk, n=wanted[oid], counted=counted):
                raise _sold_out(products[oid], store)
    order.ticket = ticket  # the answer shows it without a query
    return as_written(order, lines=rows)
