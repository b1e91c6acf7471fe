"""Reads of ordering: a store's menu with that store's stock, the kitchen queue, an order's ticket."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Prefetch, Q
from django.utils import timezone

from o2o.accounts.models import User
from o2o.catalogue.enums import OfferingKind, OfferingStatus
from o2o.catalogue.models import MenuSection, Offering, OptionGroup, StoreStock
from o2o.merchants.access import store_for_staff
from o2o.merchants.models import Store
from o2o.ordering.enums import QUEUE_STATUSES
from o2o.ordering.models import Ticket


def store_menu(store: Store) -> tuple[list[MenuSection], list[Offering], dict[Any, StoreStock]]:
    """The store's live products in the merchant's section order, and the store's stock row of each
    (a product without a row is not sold at this store and is left out)."""
    stock = {s.offering_id: s for s in StoreStock.objects.filter(store=store)}
    items = list(Offering.objects.filter(merchant_id=store.merchant_id, kind=OfferingKind.PRODUCT,
                                         status=OfferingStatus.LIVE, pk__in=list(stock))
                 .select_related("section")
                 .prefetch_related(Prefetch("option_groups", queryset=OptionGroup.objects.prefetch_related("choices")),
                                   "photos")
                 .order_by("section__position", "position", "title"))
    sections = list(MenuSection.objects.filter(merchant_id=store.merchant_id))
    return sections, items, stock


def kitchen_queue(*, user: User, store_id: Any, since_hours: int = 14) -> tuple[Store, list[Ticket]]:
    """The store's orders in the kitchen: paid (or to pay at the counter) and not yet handed over or
    rejected, oldest first; pickups ordered for later come in their slot's order."""
    store, _m = store_for_staff(user=user, store_id=store_id)
    since = timezone.now() - timedelta(hours=since_hours)
    tickets = list(Ticket.objects.filter(store=store, queued_at__gte=since, done_at__isnull=True,
                                         order__fulfilment_status__in=QUEUE_STATUSES)
                   .select_related("order", "table").prefetch_related("order__lines")
                   .order_by("queued_at"))
    return store, tickets


def recent_done(*, store: Store, limit: int = 10, within: timedelta = timedelta(hours=2)) -> list[Ticket]:
    """The orders the store handed over (or rejected) lately, newest first: the kitchen's "just handed
    over" line, so nothing from an earlier shift (its times would read as today's)."""
    since = timezone.now() - within
    return list(Ticket.objects.filter(store=store, done_at__gte=since).filter(~Q(queued_at=None))
                .select_related("order").order_by("-done_at")[:limit])
