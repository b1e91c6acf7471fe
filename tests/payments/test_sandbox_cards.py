"""The sandbox answers like a real provider: expired card, incorrect CVC, malformed details, each its own code."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from o2o.orders.models import Order
from o2o.payments.models import SandboxCharge
from tests.helpers import GOOD_CARD, assert_error, world
from tests.web import builders
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(api_client):
    return world(api_client)


def _pay(api, w, **card):  # type: ignore[no-untyped-def]
    order = api.post("/orders", {"lines": [{"offering_id": w["deal"]["id"], "quantity": 1}]},
                     w["customer"]["token"]).json()
    r = api.post(f"/orders/{order['id']}/pay", {"provider": "sandbox", **card}, w["customer"]["token"])
    return r, order


def _last_year() -> int:
    return timezone.now().year - 1


def test_the_contract_of_api_md_still_works_with_only_a_card_number(api_client, w):
    r, _order = _pay(api_client, w, card_number=GOOD_CARD)
    assert r.status_code == 200 and r.json()["status"] == "paid"
    r, _order = _pay(api_client, w, card_number="4000000000000002")
    assert assert_error(r, 402, "payment_declined")["fields"] == {"reason": "card_declined"}


@pytest.mark.parametrize("card, code", [
    ({"card_number": GOOD_CARD, "exp_month": 1, "exp_year": "LAST"}, "expired_card"),
    ({"card_number": "4000000000000069", "exp_month": 12, "exp_year": 2030, "cvc": "123"}, "expired_card"),
    ({"card_number": "4000000000000069"}, "expired_card"),
    ({"card_number": GOOD_CARD, "exp_month": 12, "exp_year": 2030, "cvc": "000"}, "incorrect_cvc"),
    ({"card_number": "4000000000000127", "exp_month": 12, "exp_year": 30, "cvc": "123"}, "incorrect_cvc"),
])
def test_declines_have_their_own_code_and_message_and_nothing_is_issued(api_client, w, card, code):
    if card.get("exp_year") == "LAST":
        card = {**card, "exp_year": _last_year()}
    r, order = _pay(api_client, w, **card)
    err = assert_error(r, 402, code)
    assert err["fields"] == {"reason": code}
    assert ("expired" in err["message"]) if code == "expired_card" else ("CVC" in err["message"])
    got = Order.objects.get(pk=order["id"])
    assert got.status == "awaiting_payment" and not got.vouchers.exists()
    # the order can still be paid with a good card afterwards
    r = api_client.post(f"/orders/{order['id']}/pay", {"provider": "sandbox", "card_number": GOOD_CARD,
                                                      "exp_month": 12, "exp_year": 2030, "cvc": "123"},
                        w["customer"]["token"])
    assert r.status_code == 200 and r.json()["status"] == "paid"


@pytest.mark.parametrize("card, field", [
    ({"card_number": "4242424242424241"}, "card_number"),
    ({"card_number": GOOD_CARD, "cvc": "12"}, "cvc"),
    ({"card_number": GOOD_CARD, "cvc": "12a"}, "cvc"),
    ({"card_number": GOOD_CARD, "cvc": "1234"}, "cvc"),
    ({"card_number": "378282246310005", "cvc": "123"}, "cvc"),  # Amex-like: 4 digits
    ({"card_number": GOOD_CARD, "exp_month": 13, "exp_year": 2030}, "exp_month"),
    ({"card_number": GOOD_CARD, "exp_month": 12}, "exp_year"),
    ({"card_number": GOOD_CARD, "exp_month": "x", "exp_year": 2030}, "exp_month"),
])
def test_malformed_details_are_422_with_the_field_and_nothing_is_charged(api_client, w, card, field):
    before = SandboxCharge.objects.count()
    r, _order = _pay(api_client, w, **card)
    assert field in assert_error(r, 422)["fields"]
    assert SandboxCharge.objects.count() == before


def test_amex_like_cards_take_four_digits(api_client, w):
    r, _order = _pay(api_client, w, card_number="378282246310005", exp_month=12, exp_year=2030, cvc="1234")
    assert r.status_code == 200


def test_the_pay_page_asks_for_expiry_and_cvc_and_says_what_went_wrong():
    world_ = builders.world()
    order = builders.buy(world_["customer"], world_["deal"], 1, pay=False)
    c = client_for(world_["customer"])
    url = reverse("web:order_pay", args=[order.pk])
    html = c.get(url).content.decode()
    assert 'name="expiry"' in html and 'name="cvc"' in html and "0069" in html
    r = c.post(url, {"card_number": GOOD_CARD})
    assert r.status_code == 200 and r.content.decode().count("This field is required") == 2
    r = c.post(url, {"card_number": GOOD_CARD, "expiry": f"01/{_last_year() % 100:02d}", "cvc": "123"})
    assert r.status_code == 200 and "This card has expired" in r.content.decode()
    r = c.post(url, {"card_number": GOOD_CARD, "expiry": "12/30", "cvc": "12"})
    assert r.status_code == 200 and "security code is not valid" in r.content.decode()
    r = c.post(url, {"card_number": GOOD_CARD, "expiry": "13/30", "cvc": "123"})
    assert r.status_code == 200 and "expiry month is not valid" in r.content.decode()
    order.refresh_from_db()
    assert order.status == "awaiting_payment"
    r = c.post(url, {"card_number": GOOD_CARD, "expiry": "12/30", "cvc": "123"})
    assert r.status_code == 302
    order.refresh_from_db()
    assert order.status == "paid"
