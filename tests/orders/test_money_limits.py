"""Money that does not fit is refused before anything is written; maintenance never stops at one bad row."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from o2o.catalogue.models import Offering
from o2o.orders.models import Order, OrderLine
from tests.helpers import assert_error, expire_hold, quantity_left, world
from tests.web import builders
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db

HUGE = {"amount": "999999999999.99", "currency": "CNY"}


@pytest.fixture
def w(api_client):
    return world(api_client)


def _order(api, who, lines):  # type: ignore[no-untyped-def]
    return api.post("/orders", {"lines": lines}, who["token"])


def _poison(order_id: str) -> None:
    """Plant a row no money column can hold (what the old bug wrote), straight into the database."""
    table = Order._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute(f"UPDATE {table} SET total_amount = '99999999999999999.00' WHERE id = %s",
                        [str(order_id).replace("-", "")])
        else:  # numeric(14,2) cannot hold it at all there: plant a currency nobody can read instead, and
            # make the row refuse every write, as a row the old bug left behind refused to be read back
            cur.execute(f"UPDATE {table} SET currency = 'XXX' WHERE id = %s", [str(order_id)])
            cur.execute(f"""
                CREATE FUNCTION o2o_test_poisoned() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'poisoned row'; END $$;
                CREATE TRIGGER o2o_test_poisoned BEFORE UPDATE ON {table} FOR EACH ROW
                WHEN (OLD.id = '{order_id}'::uuid) EXECUTE FUNCTION o2o_test_poisoned();""")
    with pytest.raises(Exception):  # noqa: B017 - the row really is unreadable now
        Order.objects.get(pk=order_id).total  # noqa: B018


def test_the_exact_scenario_price_999999999999_99_times_100_is_422_and_nothing_is_written(api_client, w):
    deal = api_client.deal(w["owner"], w["merchant"]["id"], [w["store"]["id"]], price=HUGE, list_price=HUGE,
                           quantity_total=500, per_customer_limit=0)
    assert deal["price"]["amount"] == "999999999999.99"  # the price itself fits its column
    orders_before, lines_before = Order.objects.count(), OrderLine.objects.count()
    err = assert_error(_order(api_client, w["customer"], [{"offering_id": deal["id"], "quantity": 100}]),
                       422, "amount_too_large")
    assert set(err["fields"]) & {"lines", "total"}
    assert (Order.objects.count(), OrderLine.objects.count()) == (orders_before, lines_before)
    assert quantity_left(deal["id"]) == 500  # no unit held
    # one unit fits, and the customer's list and the deal still work afterwards
    one = _order(api_client, w["customer"], [{"offering_id": deal["id"], "quantity": 1}])
    assert one.status_code == 201 and one.json()["total"]["amount"] == "999999999999.99"
    assert api_client.get("/orders", w["customer"]["token"]).status_code == 200
    # two lines whose sum overflows: refused the same way
    second = api_client.deal(w["owner"], w["merchant"]["id"], [w["store"]["id"]], price=HUGE, list_price=HUGE,
                             title="Second", per_customer_limit=0)
    assert_error(_order(api_client, w["customer"], [{"offering_id": deal["id"], "quantity": 1},
                                                    {"offering_id": second["id"], "quantity": 1}]),
                 422, "amount_too_large")


def test_the_grouped_checkout_path_refuses_a_total_that_does_not_fit_and_writes_the_others(w, api_client):
    from o2o.accounts.models import User
    from o2o.orders import batching as grouped

    big = api_client.deal(w["owner"], w["merchant"]["id"], [w["store"]["id"]], price=HUGE, list_price=HUGE,
                          quantity_total=500, per_customer_limit=0)
    customer = User.objects.get(pk=w["customer"]["id"])
    now = timezone.now()
    bad = grouped.Checkout(customer=customer, offering_id=_uuid(big["id"]), quantity=100, now=now)
    good = grouped.Checkout(customer=customer, offering_id=_uuid(w["deal"]["id"]), quantity=1, now=now)

    def plain(*args):  # type: ignore[no-untyped-def]
        raise AssertionError("the batch decides these itself")

    grouped.run_batch([bad, good], plain=plain)
    assert bad.error is not None and getattr(bad.error, "code", "") == "amount_too_large"
    assert good.order is not None and good.error is None
    assert quantity_left(big["id"]) == 500 and not OrderLine.objects.filter(offering_id=big["id"]).exists()


def test_two_lines_of_60_are_one_line_of_120_and_past_the_cap(api_client, w):
    deal = api_client.deal(w["owner"], w["merchant"]["id"], [w["store"]["id"]], quantity_total=500,
                           per_customer_limit=0)
    err = assert_error(_order(api_client, w["customer"], [{"offering_id": deal["id"], "quantity": 60},
                                                         {"offering_id": deal["id"], "quantity": 60}]), 422)
    assert "lines.0.quantity" in err["fields"]
    assert quantity_left(deal["id"]) == 500 and not Order.objects.exists()
    ok = _order(api_client, w["customer"], [{"offering_id": deal["id"], "quantity": 60},
                                            {"offering_id": deal["id"], "quantity": 40}])
    assert ok.status_code == 201 and [ln["quantity"] for ln in ok.json()["lines"]] == [100]


def test_a_poisoned_row_does_not_stop_reconcile_and_the_others_expire(api_client, w):
    deal = api_client.deal(w["owner"], w["merchant"]["id"], [w["store"]["id"]], quantity_total=50,
                           per_customer_limit=0)
    orders = [_order(api_client, w["customer"], [{"offering_id": deal["id"], "quantity": 1}]).json()
              for _ in range(6)]
    for o in orders:
        expire_hold(o["id"])
    _poison(orders[2]["id"])
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("reconcile_payments", stdout=out, stderr=err)
    assert exit_.value.code == 1
    assert "expired orders 5" in out.getvalue()
    assert str(orders[2]["id"]) in err.getvalue()
    statuses = dict(Order.objects.values_list("pk", "status"))
    assert sum(1 for o in orders if statuses[_uuid(o["id"])] == "expired") == 5
    # a later checkout of the same deal (which sweeps this deal's holds first) still works
    assert _order(api_client, w["customer"], [{"offering_id": deal["id"], "quantity": 1}]).status_code == 201


def test_a_poisoned_paid_order_is_reported_by_check_books_and_the_others_are_checked(api_client, w):
    paid = [api_client.buy(w["customer"], w["deal"]["id"], 1) for _ in range(2)]
    _poison(paid[0]["id"])
    Offering.objects.filter(pk=w["deal"]["id"]).update(quantity_total=11)  # a second, ordinary problem
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("check_books", stdout=out)
    assert exit_.value.code == 1
    text = out.getvalue()
    assert f"order {paid[0]['number']}: unreadable row" in text
    assert "!= total 11" in text  # the check went on past the bad row


def _uuid(text: str):  # type: ignore[no-untyped-def]
    from uuid import UUID

    return UUID(text)


@pytest.mark.parametrize("price, field_error", [
    ("1_000.00", "Use digits and an optional decimal point only"), ("١٢.٠٠", "Use digits and an optional decimal point only"),
    ("1e3", "Use digits and an optional decimal point only"), ("12.345", "Use at most 2 decimals for CNY"),
    ("1000000000000", "The amount can be at most 999999999999.99"),
])
def test_api_and_page_refuse_the_same_money_input(api_client, w, price, field_error):
    body = {"kind": "deal", "title": "X", "price": {"amount": price, "currency": "CNY"},
            "list_price": {"amount": "2000000.00", "currency": "CNY"}, "quantity_total": 1,
            "redeemable_store_ids": [w["store"]["id"]], "status": "live"}
    err = assert_error(api_client.post(f"/merchants/{w['merchant']['id']}/offerings", body, w["owner"]["token"]), 422)
    assert field_error in err["fields"]["price"]
    # the page's form goes through the same parser
    owner = builders.user("Owner")
    merchant, store = builders.merchant_with_store(owner)
    c = client_for(owner)
    n = Offering.objects.count()
    r = c.post(reverse("web:deal_new", args=[merchant.pk]), {
        "title": "Tea", "price": price, "list_price": "2000000.00", "quantity_total": "20", "per_customer_limit": "2",
        "valid_days": "30", "stores": [str(store.pk)], "publish": "live"})
    assert r.status_code == 200 and field_error in r.content.decode()
    assert Offering.objects.count() == n


def test_a_three_decimal_currency_is_refused_not_rounded(api_client, w):
    body = {"kind": "deal", "title": "X", "price": {"amount": "1.235", "currency": "BHD"},
            "quantity_total": 1, "redeemable_store_ids": [w["store"]["id"]], "status": "live"}
    err = assert_error(api_client.post(f"/merchants/{w['merchant']['id']}/offerings", body, w["owner"]["token"]), 422)
    assert err["fields"] == {"currency": "Amounts in BHD (3 decimals) are not supported."}
    assert not Offering.objects.filter(currency="BHD").exists()
