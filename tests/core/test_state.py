"""Status transitions: the tables are enforced, each move writes exactly one event, nothing is deleted."""

from __future__ import annotations

import pytest
from django.db.models import ProtectedError

from o2o.catalogue.enums import OFFERING_TRANSITIONS, OfferingStatus
from o2o.core.errors import TransitionNotAllowed
from o2o.core.state import transition
from o2o.merchants.enums import MERCHANT_TRANSITIONS, MerchantStatus
from o2o.orders.enums import ORDER_TRANSITIONS, OrderStatus
from o2o.orders.models import Order, OrderEvent
from o2o.payments.enums import PAYMENT_TRANSITIONS, PaymentStatus
from o2o.payments.models import Payment, PaymentEvent
from o2o.vouchers.enums import VOUCHER_TRANSITIONS, VoucherStatus
from o2o.vouchers.models import Voucher, VoucherEvent
from tests.helpers import DECLINED_CARD, expire_hold, world

TABLES = [
    (ORDER_TRANSITIONS, OrderStatus), (PAYMENT_TRANSITIONS, PaymentStatus), (VOUCHER_TRANSITIONS, VoucherStatus),
    (MERCHANT_TRANSITIONS, MerchantStatus), (OFFERING_TRANSITIONS, OfferingStatus),
]


@pytest.mark.parametrize("table, enum", TABLES, ids=lambda t: getattr(t, "__name__", ""))
def test_tables_cover_exactly_the_statuses(table, enum):
    assert set(table) == set(enum.values)
    for targets in table.values():
        assert targets <= set(enum.values)


@pytest.fixture
def unpaid(api_client, db):
    w = world(api_client)
    w["order"] = api_client.buy(w["customer"], w["deal"]["id"], 2, pay=False)
    return w


def _illegal_moves(table):  # type: ignore[no-untyped-def]
    statuses = set(table)
    return [(a, b) for a in sorted(statuses) for b in sorted(statuses) if b not in table[a]]


@pytest.mark.django_db
@pytest.mark.parametrize("to", sorted(set(OrderStatus.values) - ORDER_TRANSITIONS["awaiting_payment"]))
def test_illegal_transition_raises_and_writes_nothing(unpaid, to):
    order = Order.objects.get(pk=unpaid["order"]["id"])
    before = OrderEvent.objects.filter(order=order).count()
    with pytest.raises(TransitionNotAllowed):
        transition(obj=order, to=to, table=ORDER_TRANSITIONS, event_model=OrderEvent, event_fk="order")
    assert order.status == "awaiting_payment"
    assert Order.objects.get(pk=order.pk).status == "awaiting_payment"
    assert OrderEvent.objects.filter(order=order).count() == before


@pytest.mark.django_db
@pytest.mark.parametrize("start, to", [(a, b) for a in VoucherStatus.values for b in VoucherStatus.values
                                       if b not in VOUCHER_TRANSITIONS[a]])
def test_vouchers_move_only_as_their_table_allows(api_client, start, to):
    """VOUCHER_TRANSITIONS is the table the services use: every move it refuses is refused and writes nothing."""
    from o2o.vouchers.rules import voucher_move

    w = world(api_client)
    v = Voucher.objects.get(pk=api_client.buy(w["customer"], w["deal"]["id"], 1)["vouchers"][0]["id"])
    Voucher.objects.filter(pk=v.pk).update(status=start)
    v.refresh_from_db()
    before = VoucherEvent.objects.filter(voucher=v).count()
    with pytest.raises(TransitionNotAllowed):
        voucher_move(v, to, reason="test")
    assert Voucher.objects.get(pk=v.pk).status == start
    assert VoucherEvent.objects.filter(voucher=v).count() == before


def test_no_code_moves_a_voucher_status_outside_core_state_transition():
    """Vouchers change status only through vouchers.rules.voucher_move (core.state.transition)."""
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[2] / "o2o"
    offenders = []
    for path in root.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        text = path.read_text()
        for m in re.finditer(r"Voucher\.objects[^\n]*(?:\n[^\n]*){0,2}?\.update\(([^)]*)", text):
            if re.search(r"\bstatus\s*=", m.group(1)):
                offenders.append(f"{path.relative_to(root)}: {m.group(0)[:80]}")
    assert offenders == []


@pytest.mark.django_db
def test_stale_object_cannot_move_and_writes_nothing(unpaid):
    order = Order.objects.get(pk=unpaid["order"]["id"])
    stale = Order.objects.get(pk=order.pk)
    transition(obj=order, to="cancelled", table=ORDER_TRANSITIONS, event_model=OrderEvent, event_fk="order")
    before = OrderEvent.objects.filter(order=order).count()
    with pytest.raises(TransitionNotAllowed):
        # the stale copy still thinks it awaits payment: the conditional update finds nothing to move
        transition(obj=stale, to="paid", table=ORDER_TRANSITIONS, event_model=OrderEvent, event_fk="order")
    assert Order.objects.get(pk=order.pk).status == "cancelled"
    assert OrderEvent.objects.filter(order=order).count() == before


@pytest.mark.django_db
def test_each_transition_writes_exactly_one_event_with_from_to_actor(unpaid):
    from o2o.accounts.models import User

    order = Order.objects.get(pk=unpaid["order"]["id"])
    actor = User.objects.get(pk=unpaid["customer"]["id"])
    before = list(OrderEvent.objects.filter(order=order).values_list("pk", flat=True))
    transition(obj=order, to="cancelled", table=ORDER_TRANSITIONS, event_model=OrderEvent, event_fk="order",
               actor=actor, reason="changed my mind", data={"why": "test"})
    new = OrderEvent.objects.filter(order=order).exclude(pk__in=before)
    assert new.count() == 1
    ev = new.get()
    assert (ev.from_status, ev.to_status, ev.actor_id, ev.reason, ev.data) == (
        "awaiting_payment", "cancelled", actor.pk, "changed my mind", {"why": "test"})
    assert Order.objects.get(pk=order.pk).status == "cancelled" and order.status == "cancelled"


@pytest.mark.django_db
def test_a_move_whose_event_cannot_be_written_does_not_happen(unpaid):
    order = Order.objects.get(pk=unpaid["order"]["id"])
    before = OrderEvent.objects.count()
    with pytest.raises(TypeError):
        transition(obj=order, to="cancelled", table=ORDER_TRANSITIONS, event_model=OrderEvent, event_fk="no_such_fk")
    assert Order.objects.get(pk=order.pk).status == "awaiting_payment"
    assert order.status == "awaiting_payment"
    assert OrderEvent.objects.count() == before


def _trail(model, fk: str, pk) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return list(model.objects.filter(**{fk: pk}).order_by("at", "id").values_list("from_status", "to_status"))


@pytest.mark.django_db
def test_events_of_the_whole_loop_exist_and_nothing_is_deleted(api_client, unpaid):
    w, api = unpaid, api_client
    oid = w["order"]["id"]
    r = api.post(f"/orders/{oid}/pay", {"provider": "sandbox", "card_number": DECLINED_CARD}, w["customer"]["token"])
    assert r.status_code == 402
    paid = api.post(f"/orders/{oid}/pay", {"provider": "sandbox", "card_number": "4242424242424242"},
                    w["customer"]["token"]).json()
    v1, v2 = paid["vouchers"]
    assert api.post("/redemptions", {"store_id": w["store"]["id"], "code": v1["code"]},
                    w["clerk"]["token"]).status_code == 201
    assert api.post(f"/orders/{oid}/refund", {}, w["customer"]["token"]).status_code == 200

    assert _trail(OrderEvent, "order_id", oid) == [
        ("", "awaiting_payment"), ("awaiting_payment", "paid"), ("paid", "partially_refunded")]
    customer_id = w["customer"]["id"]
    assert {str(a) for a in OrderEvent.objects.filter(order_id=oid).values_list("actor_id", flat=True)} == {customer_id}
    declined, good = Payment.objects.filter(order_id=oid).order_by("created_at")
    assert _trail(PaymentEvent, "payment_id", declined.pk) == [("", "pending"), ("pending", "declined")]
    assert _trail(PaymentEvent, "payment_id", good.pk) == [
        ("", "pending"), ("pending", "succeeded"), ("succeeded", "partially_refunded")]
    assert _trail(VoucherEvent, "voucher_id", v1["id"]) == [("", "issued"), ("issued", "redeemed")]
    assert _trail(VoucherEvent, "voucher_id", v2["id"]) == [("", "issued"), ("issued", "refunded")]
    redeemed = VoucherEvent.objects.get(voucher_id=v1["id"], to_status="redeemed")
    assert str(redeemed.actor_id) == w["clerk"]["id"] and str(redeemed.store_id) == w["store"]["id"]

    # rows with a history are protected from deletion
    with pytest.raises(ProtectedError):
        Order.objects.get(pk=oid).delete()
    with pytest.raises(ProtectedError):
        Voucher.objects.get(pk=v1["id"]).delete()
    with pytest.raises(ProtectedError):
        good.delete()


@pytest.mark.django_db
def test_expiry_writes_its_event(api_client, unpaid):
    from o2o.orders.services import orders_expire_due

    oid = unpaid["order"]["id"]
    expire_hold(oid)
    assert orders_expire_due() >= 1
    assert orders_expire_due() == 0  # nothing twice
    assert _trail(OrderEvent, "order_id", oid) == [("", "awaiting_payment"), ("awaiting_payment", "expired")]
    assert OrderEvent.objects.get(order_id=oid, to_status="expired").actor_id is None
