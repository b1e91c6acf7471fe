"""Tables and their tabs: a store's tables each carry an unguessable token (their QR opens the menu
bound to the table); the phones at a table add their orders to the table's open tab; the clerk closes
the tab at the counter, taking cash or a card for what was not paid online."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from o2o.accounts.models import User
from o2o.core.errors import Invalid, NotFound
from o2o.core.state import transition
from o2o.merchants.access import as_uuid, store_for_staff
from o2o.merchants.models import Store
from o2o.ordering.enums import TAB_TRANSITIONS, TabStatus
from o2o.ordering.errors import TabClosed
from o2o.ordering.models import Tab, TabEvent, Table
from o2o.orders.enums import PAID_STATUSES, OrderStatus
from o2o.orders.models import Order
from o2o.orders.services import order_fulfilment_move
from o2o.payments import services as payments


def table_create(*, user: User, store_id: Any, label: Any, seats: Any = 4) -> Table:
    """A new table (owner or manager): its label is unique in the store."""
    store, _m = store_for_staff(user=user, store_id=store_id, manage=True)
    if not isinstance(label, str) or not label.strip() or len(label.strip()) > 20:
        raise Invalid(_("Give the table a short name."), fields={"label": _("1 to 20 characters")})
    if isinstance(seats, bool) or not isinstance(seats, int) or not 1 <= seats <= 100:
        raise Invalid(_("Some fields are not valid."), fields={"seats": _("1 to 100")})
    try:
        with transaction.atomic():
            return Table.objects.create(store=store, label=label.strip(), seats=seats)
    except IntegrityError:
        raise Invalid(_("This store already has a table with that name."), fields={"label": _("already used")}) from None


def tables_of_store(*, user: User, store_id: Any) -> tuple[Store, list[Table]]:
    store, _m = store_for_staff(user=user, store_id=store_id)
    return store, list(Table.objects.filter(store=store, active=True))


def table_by_token(token: Any) -> Table:
    """The table a QR names (public: the QR is on the table); unknown or retired -> 404."""
    table = (Table.objects.select_related("store__merchant").filter(token=str(token or "")[:32], active=True,
                                                                    store__is_active=True).first())
    if table is None or table.store.merchant.status != "active":
        raise NotFound(_("This table QR is not in use."))
    return table


def tab_for_staff(*, user: User, tab_id: Any) -> Tab:
    tab = Tab.objects.select_related("table", "store").filter(pk=as_uuid(tab_id)).first()
    if tab is None:
        raise NotFound()
    store_for_staff(user=user, store_id=tab.store_id)
    return tab


def tab_orders(tab: Tab) -> list[Order]:
    return list(Order.objects.filter(ticket__tab=tab).exclude(status=OrderStatus.CANCELLED)
                .prefetch_related("lines").select_related("ticket").order_by("created_at"))


def tab_due(tab: Tab) -> list[Order]:
    """The tab's orders still to pay (placed to pay at the counter, not paid online)."""
    return [o for o in tab_orders(tab) if o.status not in PAID_STATUSES]


def tab_close(*, user: User, tab_id: Any, method: Any, card_number: Any = None) -> tuple[Tab, list[Order]]:
    """The clerk takes payment for every unpaid order of the tab (one payment per order, each its own
    counter payment) and closes it; served orders close with it. A card declined midway leaves the tab
    open with what is still due (what was paid stays paid)."""
    tab = tab_for_staff(user=user, tab_id=tab_id)
    if tab.status != TabStatus.OPEN:
        raise TabClosed()
    paid = []
    for order in tab_due(tab):
        paid.append(payments.order_pay_at_counter(staff=user, order_id=order.pk, method=method,
                                                  card_number=card_number))
    with transaction.atomic():
        tab = Tab.objects.select_for_update().get(pk=tab.pk)
        if tab.status != TabStatus.OPEN:
            raise TabClosed()
        for order in Order.objects.select_for_update().filter(ticket__tab=tab, fulfilment_status="served"):
            order_fulfilment_move(order=order, to="closed", actor=user, reason="tab closed")
        transition(obj=tab, to=TabStatus.CLOSED, table=TAB_TRANSITIONS, event_model=TabEvent, event_fk="tab",
                   actor=user, reason="closed at the counter", extra={"closed_at": timezone.now()})
    return tab, paid

