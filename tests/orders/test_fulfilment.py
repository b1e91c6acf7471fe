"""Order shape: a fulfilment kind with its own guarded table, a port registry a later app plugs a kind
into without orders importing it, and the source and store filled at checkout."""

from __future__ import annotations

from collections import Counter
from uuid import uuid4

import pytest

from o2o.core.errors import TransitionNotAllowed
from o2o.orders import fulfilment
from o2o.orders.checkout import Source
from o2o.orders.enums import FULFILMENT_TRANSITIONS, FulfilmentKind
from o2o.orders.models import FulfilmentEvent, Order
from o2o.orders.services import order_create, order_fulfilment_move
from o2o.payments.services import order_pay
from tests.web import builders


def test_every_kind_has_a_closed_table_that_starts_pending() -> None:
    assert set(FULFILMENT_TRANSITIONS) == set(FulfilmentKind.values)
    for kind, table in FULFILMENT_TRANSITIONS.items():
        assert "pending" in table and "cancelled" in table["pending"], kind
        for state, targets in table.items():
            assert targets <= set(table), (kind, state)  # no move to a state the table does not know
        assert any(not t for t in table.values()), kind  # it ends somewhere


class _Job:
    """A stand-in port for the `job` kind, registered by the test alone in place of o2o.jobs' own."""

    kind = "job"

    def __init__(self) -> None:
        self.paid: list[object] = []

    def on_paid(self, *, order):  # type: ignore[no-untyped-def]
        self.paid.append(order.pk)
        order_fulfilment_move(order=order, to="scheduled")

    def units_owned(self, *, customer, offering_id):  # type: ignore[no-untyped-def]
        return 0

    def refund_units(self, *, order, unit_ids, actor):  # type: ignore[no-untyped-def]
        return []

    def units_left(self, *, order):  # type: ignore[no-untyped-def]
        return True

    def live_units_by_offering(self):  # type: ignore[no-untyped-def]
        return Counter()

    def units_of_order(self, *, order):  # type: ignore[no-untyped-def]
        return sum(ln.quantity for ln in order.lines.all())

    def orphans(self):  # type: ignore[no-untyped-def]
        return 0


@pytest.mark.django_db
def test_paying_calls_the_port_of_the_orders_kind_and_its_table_guards_the_moves() -> None:
    owner = builders.user("Owner")
    merchant, store = builders.merchant_with_store(owner)
    deal = builders.deal(merchant, owner, [store])
    customer, referrer = builders.user("Buyer"), builders.user("Friend")
    placement = uuid4()
    order = order_create(customer=customer, lines=[{"offering_id": str(deal.pk), "quantity": 1}],
                         source=Source(channel="qr", placement_id=placement, referrer_id=referrer.pk))
    assert (order.source_channel, order.source_placement, order.source_referrer_id, order.store_id) == (
        "qr", placement, referrer.pk, store.pk)
    Order.objects.filter(pk=order.pk).update(fulfilment="job")  # what a job's checkout will write
    job = _Job()
    real = fulfilment._HANDLERS.pop("job", None)  # o2o.jobs registers the real one; the test stands in for it
    try:
        with pytest.raises(LookupError):
            fulfilment.handler("job")
        fulfilment.register(job)
        order_pay(customer=customer, order_id=order.pk, provider="sandbox", details={"card_number": builders.GOOD_CARD})
    finally:
        fulfilment._HANDLERS.pop("job", None)
        if real is not None:
            fulfilment.register(real)
    order.refresh_from_db()
    assert job.paid == [order.pk] and order.fulfilment_status == "scheduled"
    assert not order.vouchers.exists()  # the voucher kind was not called
    with pytest.raises(TransitionNotAllowed):
        order_fulfilment_move(order=order, to="accepted")  # not done yet
    for to in ("in_progress", "done", "accepted"):
        order_fulfilment_move(order=order, to=to)
    assert list(FulfilmentEvent.objects.filter(order=order).order_by("at", "id")
                .values_list("to_status", flat=True)) == ["scheduled", "in_progress", "done", "accepted"]
    with pytest.raises(TransitionNotAllowed):
        order_fulfilment_move(order=order, to="cancelled")
