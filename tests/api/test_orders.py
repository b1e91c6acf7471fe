"""Orders and payment through the HTTP API: totals, idempotency, stock, limits, expiry, declines, refunds."""

from datetime import timedelta
from decimal import Decimal

import pytest

from o2o.payments.models import Payment, Refund, SandboxCharge
from tests.helpers import (
    DECLINED_CARD,
    GOOD_CARD,
    assert_error,
    expire_hold,
    quantity_left,
    quick_user,
    world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(api_client):
    return world(api_client)


def _order(api, who, offering_id, qty=1, key=None):  # type: ignore[no-untyped-def]
    headers = {"Idempotency-Key": key} if key else None
    return api.post("/orders", {"lines": [{"offering_id": offering_id, "quantity": qty}]}, who["token"],
                    headers=headers)


def _pay(api, who, order_id, card=GOOD_CARD, key=None):  # type: ignore[no-untyped-def]
    headers = {"Idempotency-Key": key} if key else None
    return api.post(f"/orders/{order_id}/pay", {"provider": "sandbox", "card_number": card}, who["token"],
                    headers=headers)


def _sandbox_charges(order):  # type: ignore[no-untyped-def]
    """The gateway's own ledger rows for this order (referenced by order number or by payment id)."""
    refs = [order["number"]] + [str(p) for p in Payment.objects.filter(order_id=order["id"]).values_list("pk", flat=True)]
    return SandboxCharge.objects.filter(merchant_reference__in=refs)


def _charges(order) -> int:  # type: ignore[no-untyped-def]
    return _sandbox_charges(order).count()


def test_order_total_is_sum_of_unit_times_quantity(api_client, w):
    owner = w["owner"]
    second = api_client.deal(owner, w["merchant"]["id"], [w["store"]["id"]], title="Tea set",
                             price={"amount": "12.35", "currency": "CNY"}, list_price={"amount": "20.00"})
    r = api_client.post("/orders", {"lines": [{"offering_id": w["deal"]["id"], "quantity": 3},
                                              {"offering_id": second["id"], "quantity": 2}]}, w["customer"]["token"])
    assert r.status_code == 201, r.content
    order = r.json()
    assert order["status"] == "awaiting_payment"
    assert order["total"] == {"amount": "321.70", "currency": "CNY", "display": order["total"]["display"]}
    assert "321.70" in order["total"]["display"]
    lines = {ln["offering_id"]: ln for ln in order["lines"]}
    assert lines[w["deal"]["id"]]["quantity"] == 3 and lines[w["deal"]["id"]]["total"]["amount"] == "297.00"
    assert lines[second["id"]]["unit_price"]["amount"] == "12.35" and lines[second["id"]]["total"]["amount"] == "24.70"
    assert order["vouchers"] == [] and order["number"]
    # the same line twice counts as one line of the sum
    r = api_client.post("/orders", {"lines": [{"offering_id": second["id"], "quantity": 1},
                                              {"offering_id": second["id"], "quantity": 1}]}, w["customer"]["token"])
    assert r.status_code == 201 and r.json()["total"]["amount"] == "24.70"


def test_one_order_buys_from_one_merchant(api_client, w):
    other_owner = api_client.register("owner2")
    ms = api_client.merchant_with_store(other_owner, name="Noodle Bar")
    other = api_client.deal(other_owner, ms["merchant"]["id"], [ms["store"]["id"]])
    r = api_client.post("/orders", {"lines": [{"offering_id": w["deal"]["id"], "quantity": 1},
                                              {"offering_id": other["id"], "quantity": 1}]}, w["customer"]["token"])
    assert_error(r, 422)
    assert quantity_left(w["deal"]["id"]) == 10 and quantity_left(other["id"]) == 10


def test_idempotent_create_same_body_answers_same_order(api_client, w):
    r1 = _order(api_client, w["customer"], w["deal"]["id"], 2, key="abc")
    assert r1.status_code == 201
    r2 = _order(api_client, w["customer"], w["deal"]["id"], 2, key="abc")
    assert r2.status_code == 200, r2.content
    assert r2.json()["id"] == r1.json()["id"]
    assert r2.json()["number"] == r1.json()["number"]
    assert quantity_left(w["deal"]["id"]) == 8  # reserved once


def test_idempotent_create_other_body_is_422_mismatch(api_client, w):
    assert _order(api_client, w["customer"], w["deal"]["id"], 1, key="abc").status_code == 201
    assert_error(_order(api_client, w["customer"], w["deal"]["id"], 2, key="abc"), 422, "idempotency_mismatch")
    assert quantity_left(w["deal"]["id"]) == 9


def test_idempotency_keys_are_per_user(api_client, w):
    other = quick_user("other")
    a = _order(api_client, w["customer"], w["deal"]["id"], 1, key="shared-key")
    b = _order(api_client, other, w["deal"]["id"], 1, key="shared-key")
    assert a.status_code == 201 and b.status_code == 201, (a.content, b.content)
    assert a.json()["id"] != b.json()["id"]
    # and another body from the other user is not a mismatch with the first user's
    c = _order(api_client, other, w["deal"]["id"], 1, key="shared-key")
    assert c.status_code == 200 and c.json()["id"] == b.json()["id"]
    assert api_client.get(f"/orders/{a.json()['id']}", other["token"]).status_code == 404
    assert quantity_left(w["deal"]["id"]) == 8


def test_idempotency_key_is_per_endpoint(api_client, w):
    order = _order(api_client, w["customer"], w["deal"]["id"], 1, key="same").json()
    r = _pay(api_client, w["customer"], order["id"], key="same")
    assert r.status_code == 200 and r.json()["status"] == "paid"


def test_pay_retry_with_same_key_charges_once(api_client, w):
    order = _order(api_client, w["customer"], w["deal"]["id"], 2).json()
    r1 = _pay(api_client, w["customer"], order["id"], key="pay-1")
    assert r1.status_code == 200 and r1.json()["status"] == "paid"
    r2 = _pay(api_client, w["customer"], order["id"], key="pay-1")
    assert r2.status_code == 200, r2.content
    assert r2.json() == r1.json()
    assert _charges(order) == 1
    assert Payment.objects.filter(order_id=order["id"]).count() == 1
    assert len(r2.json()["vouchers"]) == 2
    # without the key a second pay is refused, not charged
    assert_error(_pay(api_client, w["customer"], order["id"]), 409, "already_paid")
    assert _charges(order) == 1


def test_declined_pay_retry_with_same_key_gives_same_decline(api_client, w):
    order = _order(api_client, w["customer"], w["deal"]["id"], 1).json()
    assert_error(_pay(api_client, w["customer"], order["id"], DECLINED_CARD, key="d"), 402, "payment_declined")
    assert_error(_pay(api_client, w["customer"], order["id"], DECLINED_CARD, key="d"), 402, "payment_declined")
    assert _charges(order) == 1
    assert_error(_pay(api_client, w["customer"], order["id"], GOOD_CARD, key="d"), 422, "idempotency_mismatch")
    assert _pay(api_client, w["customer"], order["id"], GOOD_CARD, key="d2").status_code == 200


def test_refund_retry_with_same_key_refunds_once(api_client, w):
    order = api_client.buy(w["customer"], w["deal"]["id"], 2)
    r1 = api_client.post(f"/orders/{order['id']}/refund", {}, w["customer"]["token"], headers={"Idempotency-Key": "r"})
    assert r1.status_code == 200, r1.content
    assert r1.json()["status"] == "refunded"
    assert r1.json()["refunded"]["amount"] == "198.00"
    r2 = api_client.post(f"/orders/{order['id']}/refund", {}, w["customer"]["token"], headers={"Idempotency-Key": "r"})
    assert r2.status_code == 200 and r2.json() == r1.json()
    assert Refund.objects.filter(payment__order_id=order["id"]).count() == 1
    charge = _sandbox_charges(order).get()
    assert charge.refunded == charge.amount
    assert quantity_left(w["deal"]["id"]) == 10


def test_sold_out(api_client, w):
    deal = api_client.deal(w["owner"], w["merchant"]["id"], [w["store"]["id"]], quantity_total=3, per_customer_limit=0)
    assert _order(api_client, w["customer"], deal["id"], 2).status_code == 201
    assert_error(_order(api_client, quick_user("b"), deal["id"], 2), 409, "sold_out")
    assert _order(api_client, quick_user("c"), deal["id"], 1).status_code == 201
    assert_error(_order(api_client, quick_user("d"), deal["id"], 1), 409, "sold_out")
    assert quantity_left(deal["id"]) == 0
    assert api_client.get(f"/offerings/{deal['id']}").json()["quantity_left"] == 0


def test_limit_counts_paid_and_reserved_units(api_client, w):
    deal = api_client.deal(w["owner"], w["merchant"]["id"], [w["store"]["id"]], quantity_total=50,
                           per_customer_limit=3)
    c = w["customer"]
    api_client.buy(c, deal["id"], 1)  # paid
    assert _order(api_client, c, deal["id"], 1).status_code == 201  # reserved
    err = assert_error(_order(api_client, c, deal["id"], 2), 409, "limit_exceeded")
    assert err["fields"].get("held") == 2
    assert _order(api_client, c, deal["id"], 1).status_code == 201  # exactly at the limit
    assert_error(_order(api_client, c, deal["id"], 1), 409, "limit_exceeded")
    # another customer has their own allowance
    assert _order(api_client, quick_user("x"), deal["id"], 3).status_code == 201
    assert quantity_left(deal["id"]) == 50 - 3 - 3


def test_limit_frees_up_after_expiry_and_refund(api_client, w):
    deal = api_client.deal(w["owner"], w["merchant"]["id"], [w["store"]["id"]], quantity_total=50,
                           per_customer_limit=2)
    c = w["customer"]
    paid = api_client.buy(c, deal["id"], 1)
    held = _order(api_client, c, deal["id"], 1).json()
    assert_error(_order(api_client, c, deal["id"], 1), 409, "limit_exceeded")
    expire_hold(held["id"])
    assert _order(api_client, c, deal["id"], 1).status_code == 201  # the expired reservation no longer counts
    assert api_client.post(f"/orders/{paid['id']}/refund", {}, c["token"]).status_code == 200
    assert _order(api_client, c, deal["id"], 1).status_code == 201  # refunded units do not count


def test_expired_order_releases_units_and_cannot_be_paid(api_client, w):
    deal = api_client.deal(w["owner"], w["merchant"]["id"], [w["store"]["id"]], quantity_total=2, per_customer_limit=0)
    order = _order(api_client, w["customer"], deal["id"], 2).json()
    assert quantity_left(deal["id"]) == 0
    expire_hold(order["id"])
    assert api_client.get(f"/orders/{order['id']}", w["customer"]["token"]).json()["status"] == "expired"
    assert_error(_pay(api_client, w["customer"], order["id"]), 409, "order_expired")
    assert quantity_left(deal["id"]) == 2
    assert _charges(order) == 0
    assert api_client.get(f"/orders/{order['id']}", w["customer"]["token"]).json()["vouchers"] == []
    # and again: still expired, still nothing charged, units not released twice
    assert_error(_pay(api_client, w["customer"], order["id"]), 409, "order_expired")
    assert quantity_left(deal["id"]) == 2


def test_expired_units_bought_by_someone_else_answer_sold_out(api_client, w):
    deal = api_client.deal(w["owner"], w["merchant"]["id"], [w["store"]["id"]], quantity_total=2, per_customer_limit=0)
    order = _order(api_client, w["customer"], deal["id"], 2).json()
    expire_hold(order["id"])
    other = quick_user("quick")
    assert _order(api_client, other, deal["id"], 2).status_code == 201  # the new order sweeps and takes the units
    assert quantity_left(deal["id"]) == 0
    assert_error(_pay(api_client, w["customer"], order["id"]), 409, "sold_out")
    assert quantity_left(deal["id"]) == 0
    assert _charges(order) == 0


def test_declined_card_keeps_order_awaiting_payment(api_client, w):
    order = _order(api_client, w["customer"], w["deal"]["id"], 2).json()
    err = assert_error(_pay(api_client, w["customer"], order["id"], DECLINED_CARD), 402, "payment_declined")
    assert err["message"]
    got = api_client.get(f"/orders/{order['id']}", w["customer"]["token"]).json()
    assert got["status"] == "awaiting_payment" and got["vouchers"] == [] and got["paid_at"] is None
    assert quantity_left(w["deal"]["id"]) == 8
    assert _pay(api_client, w["customer"], order["id"]).status_code == 200


def test_invalid_card_number_is_422_and_nothing_charged(api_client, w):
    order = _order(api_client, w["customer"], w["deal"]["id"], 1).json()
    err = assert_error(_pay(api_client, w["customer"], order["id"], "1234"), 422)
    assert "card_number" in err["fields"]
    assert_error(api_client.post(f"/orders/{order['id']}/pay", {"provider": "bitcoin", "card_number": GOOD_CARD},
                                 w["customer"]["token"]), 422)
    got = api_client.get(f"/orders/{order['id']}", w["customer"]["token"]).json()
    assert got["status"] == "awaiting_payment"
    assert not Payment.objects.filter(order_id=order["id"], status="pending").exists()  # no attempt left hanging
    assert _pay(api_client, w["customer"], order["id"]).status_code == 200
    assert Payment.objects.filter(order_id=order["id"], status="succeeded").count() == 1


def test_refund_returns_units_and_refunded_voucher_cannot_be_redeemed(api_client, w):
    order = api_client.buy(w["customer"], w["deal"]["id"], 2)
    assert quantity_left(w["deal"]["id"]) == 8
    r = api_client.post(f"/orders/{order['id']}/refund", {}, w["customer"]["token"])
    assert r.status_code == 200, r.content
    out = r.json()
    assert out["status"] == "refunded" and {v["status"] for v in out["vouchers"]} == {"refunded"}
    assert quantity_left(w["deal"]["id"]) == 10
    for v in order["vouchers"]:
        assert_error(api_client.post("/redemptions", {"store_id": w["store"]["id"], "code": v["code"]},
                                     w["clerk"]["token"]), 409, "refunded")
        assert_error(api_client.post("/redemptions", {"store_id": w["store"]["id"], "qr_payload": v["qr_payload"]},
                                     w["clerk"]["token"]), 409, "refunded")


def test_partial_refund_by_voucher_then_rest(api_client, w):
    order = api_client.buy(w["customer"], w["deal"]["id"], 3)
    v1, v2, v3 = order["vouchers"]
    r = api_client.post(f"/orders/{order['id']}/refund", {"voucher_ids": [v1["id"]]}, w["customer"]["token"])
    assert r.status_code == 200 and r.json()["status"] == "partially_refunded"
    assert r.json()["refunded"]["amount"] == "99.00"
    assert api_client.post("/redemptions", {"store_id": w["store"]["id"], "code": v2["code"]},
                           w["clerk"]["token"]).status_code == 201
    r = api_client.post(f"/orders/{order['id']}/refund", {}, w["customer"]["token"])
    assert r.status_code == 200 and r.json()["status"] == "partially_refunded"
    assert r.json()["refunded"]["amount"] == "198.00"
    statuses = {v["id"]: v["status"] for v in r.json()["vouchers"]}
    assert statuses == {v1["id"]: "refunded", v2["id"]: "redeemed", v3["id"]: "refunded"}
    assert quantity_left(w["deal"]["id"]) == 9
    assert_error(api_client.post(f"/orders/{order['id']}/refund", {}, w["customer"]["token"]), 409,
                 "nothing_to_refund")
    charge = _sandbox_charges(order).get(succeeded=True)
    assert charge.refunded == sum(x.amount for x in Refund.objects.filter(payment__order_id=order["id"]))
    assert charge.refunded <= charge.amount


def test_refund_with_nothing_refundable_is_409(api_client, w):
    unpaid = _order(api_client, w["customer"], w["deal"]["id"], 1).json()
    assert_error(api_client.post(f"/orders/{unpaid['id']}/refund", {}, w["customer"]["token"]), 409)
    paid = api_client.buy(w["customer"], w["deal"]["id"], 1)
    assert api_client.post("/redemptions", {"store_id": w["store"]["id"], "code": paid["vouchers"][0]["code"]},
                           w["clerk"]["token"]).status_code == 201
    assert_error(api_client.post(f"/orders/{paid['id']}/refund", {}, w["customer"]["token"]), 409,
                 "nothing_to_refund")
    # a voucher id of another order refunds nothing
    other = api_client.buy(w["customer"], w["deal"]["id"], 1)
    r = api_client.post(f"/orders/{paid['id']}/refund", {"voucher_ids": [other["vouchers"][0]["id"]]},
                        w["customer"]["token"])
    assert_error(r, 409, "nothing_to_refund")
    assert_error(api_client.post(f"/orders/{paid['id']}/refund", {"voucher_ids": ["nope"]},
                                 w["customer"]["token"]), 404)


def test_someone_elses_order_is_404(api_client, w):
    order = api_client.buy(w["customer"], w["deal"]["id"], 1)
    unpaid = _order(api_client, w["customer"], w["deal"]["id"], 1).json()
    for who in (quick_user("stranger"), w["owner"], w["clerk"]):
        assert_error(api_client.get(f"/orders/{order['id']}", who["token"]), 404, "not_found")
        assert_error(_pay(api_client, who, unpaid["id"]), 404, "not_found")
        assert_error(api_client.post(f"/orders/{order['id']}/refund", {}, who["token"]), 404, "not_found")
        assert order["id"] not in [o["id"] for o in api_client.get("/orders", who["token"]).json()["results"]]
    assert api_client.get(f"/orders/{unpaid['id']}", w["customer"]["token"]).json()["status"] == "awaiting_payment"
    assert Refund.objects.count() == 0


def test_draft_or_unknown_offering_cannot_be_ordered(api_client, w):
    draft = api_client.deal(w["owner"], w["merchant"]["id"], [w["store"]["id"]], status="draft")
    assert_error(_order(api_client, w["customer"], draft["id"], 1), 404)
    assert quantity_left(draft["id"]) == 10


def test_order_number_collision_retries_with_the_same_merchant(api_client, w, monkeypatch):
    """A clash of the random order number draws again; the retried order still belongs to its merchant."""
    from o2o.orders import checkout

    first = _order(api_client, w["customer"], w["deal"]["id"], 1).json()
    numbers = iter([first["number"], "O99999999999999"])
    monkeypatch.setattr(checkout, "new_number", lambda: next(numbers))
    r = _order(api_client, w["customer"], w["deal"]["id"], 1)
    assert r.status_code == 201, r.content
    assert r.json()["number"] == "O99999999999999"
    from o2o.orders.models import Order

    assert str(Order.objects.get(pk=r.json()["id"]).merchant_id) == w["merchant"]["id"]
    assert quantity_left(w["deal"]["id"]) == 8


def _crashed_payment(order_id: str, *, charged: bool, minutes_ago: int):  # type: ignore[no-untyped-def]
    """What a process killed at the gateway leaves: a pending payment (and maybe a charge made for it)."""
    from datetime import timedelta

    from django.utils import timezone

    from o2o.core.money import Money
    from o2o.orders.models import Order
    from o2o.payments.providers import get_provider

    order = Order.objects.get(pk=order_id)
    payment = Payment.objects.create(order=order, provider="sandbox", currency=order.currency,
                                     amount=order.total_amount, status="pending")
    Payment.objects.filter(pk=payment.pk).update(created_at=timezone.now() - timedelta(minutes=minutes_ago))
    if charged:
        get_provider("sandbox").charge(amount=Money(order.total_amount, order.currency),
                                       details={"card_number": GOOD_CARD}, merchant_reference=str(payment.pk))
    return payment


def test_pay_while_another_payment_is_at_the_gateway_is_409_and_retryable(api_client, w):
    order = _order(api_client, w["customer"], w["deal"]["id"], 1).json()
    pending = _crashed_payment(order["id"], charged=False, minutes_ago=0)
    assert_error(_pay(api_client, w["customer"], order["id"], key="p"), 409, "payment_in_progress")
    assert _charges(order) == 0
    # once that attempt is stale (the reconciler's), a retry with the same key goes through
    Payment.objects.filter(pk=pending.pk).update(created_at=pending.created_at.replace(year=2000))
    r = _pay(api_client, w["customer"], order["id"], key="p")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "paid"


def test_a_late_charge_for_an_order_paid_meanwhile_is_refunded_not_reserved_again(api_client, w):
    from o2o.payments.books import books_problems
    from o2o.payments.services import payments_reconcile

    order = _order(api_client, w["customer"], w["deal"]["id"], 2).json()
    crashed = _crashed_payment(order["id"], charged=True, minutes_ago=5)  # charged, then the process died
    paid = _pay(api_client, w["customer"], order["id"])  # the customer tries again, and pays
    assert paid.status_code == 200, paid.content
    assert quantity_left(w["deal"]["id"]) == 8
    counts = payments_reconcile(older_than=timedelta(0))
    assert counts["refunded"] == 1, counts
    crashed.refresh_from_db()
    assert crashed.status == "refunded" and crashed.refunded_amount == crashed.amount
    assert quantity_left(w["deal"]["id"]) == 8  # not taken a second time
    got = api_client.get(f"/orders/{order['id']}", w["customer"]["token"]).json()
    assert got["status"] == "paid" and len(got["vouchers"]) == 2
    kept = sum(c.amount - c.refunded for c in _sandbox_charges(order).filter(succeeded=True))
    assert kept == Decimal("198.00")
    assert books_problems() == []


def test_a_checkout_writes_no_task_of_its_own_and_the_sweep_releases_the_hold(api_client, w, settings,
                                                                               django_capture_on_commit_callbacks):
    """An order commits alone: no task row per checkout (it cost every checkout, and every grouped batch,
    one more commit each), and the worker's 30-s sweep is what gives the units back when the hold runs out."""
    from django_tasks_db.models import DBTaskResult

    from o2o.core.schedule import periodic_run_task

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    deal = api_client.deal(w["owner"], w["merchant"]["id"], [w["store"]["id"]], quantity_total=2,
                           per_customer_limit=0)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        order = _order(api_client, w["customer"], deal["id"], 2).json()
    assert DBTaskResult.objects.count() == 0 and not callbacks
    assert periodic_run_task.call("orders.expire_holds") == 0  # the hold still runs: nothing happens
    assert quantity_left(deal["id"]) == 0
    expire_hold(order["id"])  # the time comes
    assert periodic_run_task.call("orders.expire_holds") == 1
    assert api_client.get(f"/offerings/{deal['id']}").json()["quantity_left"] == 2
    assert_error(_pay(api_client, w["customer"], order["id"]), 409, "order_expired")

def test_a_charge_that_lands_after_the_hold_ran_out_takes_the_units_back_if_still_there(api_client, w):
    from o2o.orders.services import orders_expire_due
    from o2o.payments.books import books_problems
    from o2o.payments.services import payments_reconcile

    deal = api_client.deal(w["owner"], w["merchant"]["id"], [w["store"]["id"]], quantity_total=3, per_customer_limit=0)
    order = _order(api_client, w["customer"], deal["id"], 2).json()
    crashed = _crashed_payment(order["id"], charged=True, minutes_ago=5)
    expire_hold(order["id"])
    assert orders_expire_due() == 1 and quantity_left(deal["id"]) == 3
    assert payments_reconcile(older_than=timedelta(0))["completed"] == 1
    crashed.refresh_from_db()
    assert crashed.status == "succeeded"
    got = api_client.get(f"/orders/{order['id']}", w["customer"]["token"]).json()
    assert got["status"] == "paid" and len(got["vouchers"]) == 2
    assert quantity_left(deal["id"]) == 1
    assert books_problems() == []


def test_a_charge_that_lands_after_the_units_were_sold_is_refunded(api_client, w):
    from o2o.payments.books import books_problems
    from o2o.payments.services import payments_reconcile

    deal = api_client.deal(w["owner"], w["merchant"]["id"], [w["store"]["id"]], quantity_total=2, per_customer_limit=0)
    order = _order(api_client, w["customer"], deal["id"], 2).json()
    crashed = _crashed_payment(order["id"], charged=True, minutes_ago=5)
    expire_hold(order["id"])
    api_client.buy(quick_user("fast"), deal["id"], 2)  # sweeps the hold and takes the units
    assert payments_reconcile(older_than=timedelta(0))["refunded"] == 1
    crashed.refresh_from_db()
    assert crashed.status == "refunded" and crashed.refunded_amount == crashed.amount
    got = api_client.get(f"/orders/{order['id']}", w["customer"]["token"]).json()
    assert got["status"] == "expired" and got["vouchers"] == []
    assert quantity_left(deal["id"]) == 0
    assert sum(c.amount - c.refunded for c in _sandbox_charges(order)) == 0
    assert books_problems() == []


def _answer_equals_a_fresh_read(api_client, w, lines):  # type: ignore[no-untyped-def]
    r = api_client.post("/orders", {"lines": lines}, w["customer"]["token"])
    assert r.status_code == 201, r.content
    created = r.json()
    again = api_client.get(f"/orders/{created['id']}", w["customer"]["token"])
    assert again.status_code == 200
    assert created == again.json()
    return created


def test_a_new_orders_answer_is_what_reading_it_back_gives(api_client, w):
    """The checkout answers with the rows it wrote instead of reading them back: the same JSON as GET."""
    second = api_client.deal(w["owner"], w["merchant"]["id"], [w["store"]["id"]], title="Tea set",
                             price={"amount": "12.35", "currency": "CNY"}, list_price={"amount": "20.00"})
    created = _answer_equals_a_fresh_read(api_client, w, [{"offering_id": w["deal"]["id"], "quantity": 2},
                                                          {"offering_id": second["id"], "quantity": 1}])
    assert len(created["lines"]) == 2 and created["reviewed"] is False


@pytest.mark.django_db(transaction=True)
def test_a_batched_checkouts_answer_is_what_reading_it_back_gives(api_client):
    """Outside a transaction a one-line checkout goes through orders.batching: its answer is as exact."""
    from o2o.orders import batching

    w = world(api_client)
    batched = batching.stats.checkouts
    created = _answer_equals_a_fresh_read(api_client, w, [{"offering_id": w["deal"]["id"], "quantity": 1}])
    assert batching.stats.checkouts == batched + 1
    assert created["status"] == "awaiting_payment" and created["payments"] == []
