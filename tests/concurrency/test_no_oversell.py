"""Races against a real database with real threads: no oversell, no double redemption, consistent books.

Each thread has its own database connection (Django's are per thread) and closes it at the end.
They run on PostgreSQL (row locks, READ COMMITTED re-checks: the real test) and on SQLite with a
file test database, where IMMEDIATE transactions serialise the writers and the rules must still hold.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import pytest
from django.db import connections

from o2o.catalogue.models import Offering
from o2o.orders.errors import LimitExceeded, NothingToRefund, SoldOut
from o2o.orders.models import Order
from o2o.payments.models import Payment, Refund, SandboxCharge
from o2o.vouchers.errors import AlreadyRedeemed, VoucherRefunded
from o2o.vouchers.models import Voucher, VoucherEvent
from tests.helpers import GOOD_CARD, HOURS_ALL_DAY, quick_user

pytestmark = [pytest.mark.django_db(transaction=True)]




def race(fn: Callable[..., Any], args: Sequence[tuple[Any, ...]]) -> list[Any]:
    """Run fn(*a) for every a in its own thread, all released at once; each result or raised exception."""
    barrier = threading.Barrier(len(args))
    results: list[Any] = [None] * len(args)

    def run(i: int, a: tuple[Any, ...]) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = fn(*a)
        except BaseException as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(args)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return results


def kinds(results: list[Any]) -> Counter[str]:
    return Counter("ok" if not isinstance(r, BaseException) else type(r).__name__ for r in results)


def setup_deal(*, quantity: int = 10, limit: int = 0) -> dict[str, Any]:
    from o2o.catalogue.services import offering_create
    from o2o.merchants.services import merchant_create, staff_add, store_create

    owner = quick_user("owner")
    merchant = merchant_create(owner=owner["user"], name="Race Hotpot", category="restaurant")
    store = store_create(merchant=merchant, name="Counter", address="1 Road", lat=30.6, lng=104.0,
                         opening_hours=HOURS_ALL_DAY)
    deal = offering_create(merchant=merchant, actor=owner["user"], kind="deal", title="Race", price={"amount": "10.00"},
                           quantity_total=quantity, per_customer_limit=limit, valid_days=30,
                           redeemable_store_ids=[store.pk], status="live")
    clerks = []
    for _ in range(2):
        clerk = quick_user("clerk")
        staff_add(merchant=merchant, email=clerk["email"], role="clerk", store_ids=[store.pk])
        clerks.append(clerk)
    return {"owner": owner, "merchant": merchant, "store": store, "deal": deal, "clerks": clerks}


def buy(customer: dict[str, Any], deal: Offering, qty: int, *, pay: bool = True) -> Order:
    from o2o.orders.services import order_create
    from o2o.payments.services import order_pay

    order = order_create(customer=customer["user"], lines=[{"offering_id": str(deal.pk), "quantity": qty}])
    if pay:
        order = order_pay(customer=customer["user"], order_id=order.pk, provider="sandbox",
                          details={"card_number": GOOD_CARD})
    return order


def left(deal: Offering) -> int:
    return Offering.objects.get(pk=deal.pk).quantity_left


def test_30_buyers_race_for_the_last_10_units():
    w = setup_deal(quantity=10)
    buyers = [quick_user("buyer") for _ in range(30)]
    results = race(lambda c: buy(c, w["deal"], 1, pay=False), [(c,) for c in buyers])
    got = kinds(results)
    assert got == Counter({"ok": 10, "SoldOut": 20}), got
    assert all(isinstance(r, SoldOut) for r in results if isinstance(r, BaseException))
    assert left(w["deal"]) == 0
    assert Order.objects.filter(lines__offering=w["deal"]).count() == 10
    assert sum(o.lines.get().quantity for o in Order.objects.filter(lines__offering=w["deal"])) == 10


def test_buyers_of_several_units_never_oversell():
    w = setup_deal(quantity=25)
    buyers = [quick_user("buyer") for _ in range(20)]
    results = race(lambda c, q: buy(c, w["deal"], q, pay=False), [(c, 1 + i % 4) for i, c in enumerate(buyers)])
    sold = sum(r.lines.get().quantity for r in results if isinstance(r, Order))
    assert all(isinstance(r, Order | SoldOut) for r in results), kinds(results)
    assert sold <= 25 and left(w["deal"]) == 25 - sold >= 0


def test_one_customer_8_concurrent_orders_against_limit_3():
    w = setup_deal(quantity=100, limit=3)
    customer = quick_user("greedy")
    results = race(lambda: buy(customer, w["deal"], 1, pay=False), [()] * 8)
    got = kinds(results)
    assert got["ok"] <= 3 and got["ok"] + got["LimitExceeded"] == 8, got
    assert all(isinstance(r, LimitExceeded) for r in results if isinstance(r, BaseException))
    held = sum(o.lines.get().quantity for o in Order.objects.filter(customer=customer["user"]))
    assert held <= 3
    assert left(w["deal"]) == 100 - held


def test_one_customer_paying_and_ordering_at_once_keeps_the_limit():
    w = setup_deal(quantity=100, limit=3)
    customer = quick_user("greedy")
    results = race(lambda q: buy(customer, w["deal"], q, pay=True), [(1,), (2,), (1,), (2,), (1,), (3,)])
    assert all(isinstance(r, Order | LimitExceeded) for r in results), kinds(results)
    vouchers = Voucher.objects.filter(customer=customer["user"], offering=w["deal"]).count()
    assert vouchers <= 3
    assert left(w["deal"]) == 100 - vouchers


def test_two_counters_redeem_the_same_voucher_20_times():
    from o2o.vouchers.services import voucher_redeem

    w = setup_deal(quantity=100)
    customer = quick_user("diner")
    order = buy(customer, w["deal"], 20)
    vouchers = list(Voucher.objects.filter(order=order))
    assert len(vouchers) == 20
    for i, v in enumerate(vouchers):
        how = [{"code": v.code}, {"qr_payload": v.qr_payload}]
        results = race(lambda clerk, kw: voucher_redeem(actor=clerk["user"], store_id=w["store"].pk, **kw),
                       [(w["clerks"][0], how[i % 2]), (w["clerks"][1], how[(i + 1) % 2])])
        got = kinds(results)
        assert got == Counter({"ok": 1, "AlreadyRedeemed": 1}), (i, got, results)
        assert VoucherEvent.objects.filter(voucher=v, to_status="redeemed").count() == 1
        v.refresh_from_db()
        winner = next(r for r in results if not isinstance(r, BaseException))
        assert v.status == "redeemed" and v.redeemed_by_id == winner.redeemed_by_id


def test_refund_and_redeem_of_the_same_voucher_race():
    from o2o.payments.services import order_refund
    from o2o.vouchers.services import voucher_redeem

    w = setup_deal(quantity=100)
    outcomes = Counter()
    for _round in range(10):
        customer = quick_user("diner")
        order = buy(customer, w["deal"], 1)
        v = Voucher.objects.get(order=order)
        before = left(w["deal"])

        def refund(customer=customer, order=order) -> Any:  # type: ignore[no-untyped-def]
            return order_refund(customer=customer["user"], order_id=order.pk)

        def redeem(v=v) -> Any:  # type: ignore[no-untyped-def]
            return voucher_redeem(actor=w["clerks"][0]["user"], store_id=w["store"].pk, code=v.code)

        results = race(lambda f: f(), [(refund,), (redeem,)])
        refund_r, redeem_r = results
        v.refresh_from_db()
        payment = Payment.objects.get(order=order, provider_ref__gt="")
        refunds = Refund.objects.filter(payment=payment)
        charge = SandboxCharge.objects.get(reference=payment.provider_ref)
        if v.status == "refunded":
            outcomes["refund"] += 1
            assert isinstance(redeem_r, VoucherRefunded | AlreadyRedeemed), redeem_r
            assert not isinstance(refund_r, BaseException), refund_r
            assert refunds.count() == 1 and refunds.get().amount == Decimal("10.00")
            assert charge.refunded == Decimal("10.00")
            assert Order.objects.get(pk=order.pk).status == "refunded"
            assert left(w["deal"]) == before + 1
        else:
            outcomes["redeem"] += 1
            assert v.status == "redeemed"
            assert isinstance(refund_r, NothingToRefund), refund_r
            assert not isinstance(redeem_r, BaseException), redeem_r
            assert refunds.count() == 0 and charge.refunded == 0
            assert Order.objects.get(pk=order.pk).status == "paid"
            assert left(w["deal"]) == before
    assert sum(outcomes.values()) == 10


def test_the_same_order_paid_twice_at_once_is_charged_once():
    from o2o.orders.errors import AlreadyPaid, PaymentInProgress
    from o2o.payments.services import order_pay

    w = setup_deal(quantity=100)
    for _round in range(5):
        customer = quick_user("double")
        order = buy(customer, w["deal"], 2, pay=False)
        before = left(w["deal"])

        def pay(customer=customer, order=order) -> Any:  # type: ignore[no-untyped-def]
            return order_pay(customer=customer["user"], order_id=order.pk, provider="sandbox",
                             details={"card_number": GOOD_CARD})

        results = race(pay, [(), ()])
        got = kinds(results)
        assert got["ok"] == 1 and got["AlreadyPaid"] + got["PaymentInProgress"] == 1, (got, results)
        assert all(isinstance(r, AlreadyPaid | PaymentInProgress) for r in results if isinstance(r, BaseException))
        assert Voucher.objects.filter(order=order).count() == 2
        assert left(w["deal"]) == before  # nothing reserved twice
        payments = Payment.objects.filter(order=order)
        kept = [p for p in payments if p.status == "succeeded"]
        assert len(kept) == 1
        # whatever was charged beyond the one kept payment went back
        charges = SandboxCharge.objects.filter(merchant_reference__in=[str(p.pk) for p in payments], succeeded=True)
        assert sum(c.amount - c.refunded for c in charges) == Decimal("20.00")
        assert Order.objects.get(pk=order.pk).status == "paid"


def test_the_same_idempotency_key_at_once_makes_one_order():
    from tests.helpers import ApiClient

    w = setup_deal(quantity=100)
    customer = quick_user("retry")
    body = {"lines": [{"offering_id": str(w["deal"].pk), "quantity": 2}]}

    def post() -> Any:
        r = ApiClient().post("/orders", body, customer["token"], headers={"Idempotency-Key": "tap-tap-tap"})
        return r.status_code, r.json()

    results = race(post, [()] * 8)
    assert not any(isinstance(r, BaseException) for r in results), results
    statuses = Counter(status for status, _ in results)
    assert statuses[201] == 1 and statuses[201] + statuses[200] + statuses[409] == 8, statuses
    ids = {body["id"] for status, body in results if status in (200, 201)}
    assert len(ids) == 1
    assert all(b["error"]["code"] == "idempotency_in_progress" for s, b in results if s == 409)
    assert Order.objects.filter(customer=customer["user"]).count() == 1
    assert left(w["deal"]) == 98
