"""Ordering for delivery through the page (Django test client): the quote box before paying (no pin yet,
the fee of the distance band and the ETA, under the minimum, outside the zone: messages, not errors),
then the order and the pay page with its delivery fee; in Chinese too; a store that does not deliver."""

from __future__ import annotations

import pytest
from django.test import Client

from o2o.orders.models import Order
from tests.delivery.conftest import north
from tests.helpers import quick_user

pytestmark = pytest.mark.django_db


def _as(person, lang: str = "en") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(person["user"])
    return c


def _form(shop, *, noodles: int = 0, cola: int = 0, at=None, address: str = "Room 1203, 18 Renmin South Rd"):
    data = {f"qty-{shop['noodles']['id']}": str(noodles), f"qty-{shop['cola']['id']}": str(cola),
            "address": address}
    if noodles:
        data[f"opt-{shop['noodles']['id']}-0"] = "Regular"
    if at is not None:
        data["lat"], data["lng"] = f"{at[0]:.6f}", f"{at[1]:.6f}"
    return data


def test_quote_box_says_fee_eta_minimum_and_out_of_zone(shop):
    sid = shop["store_id"]
    page = Client(HTTP_ACCEPT_LANGUAGE="en")
    r = page.get(f"/stores/{sid}/delivery/")
    html = r.content.decode()
    assert r.status_code == 200 and 'id="checkout-map"' in html and "geo/demo_city.geojson" in html
    assert "Set the delivery position on the map" in html and "Use my location" in html
    assert '"radius_m": 3000' in html  # the zone is drawn on the map
    quote = f"/stores/{sid}/delivery/quote/"
    # 1.5 km north: the 1-2 km band (5.00); 2 noodles (36.00) + 5.00; 8 min to cook + 1.5 km x 1.3 at 18 km/h + 2 min at the door
    html = page.get(quote, _form(shop, noodles=2, at=north(1500))).content.decode()
    assert "quote-ok" in html and "5.00" in html and "41.00" in html and "1.5 km away" in html
    assert 'class="is-mine">up to 2 km' in html.replace("\n", "")
    assert "Arrives about" in html and "in 17 min: 8 to prepare, 9 on the road" in html
    assert "disabled" not in html.split('name="pay"')[1].split(">")[0]
    # one cola (5.00) is under the 20.00 minimum: the fee and the ETA, what to add, no pay button
    html = page.get(quote, _form(shop, cola=1, at=north(500))).content.decode()
    assert "quote-below_minimum" in html and "Delivery starts at" in html and "add" in html and "15.00" in html
    assert "disabled" in html.split('name="pay"')[1].split(">")[0]
    # 4 km north: out of the 3 km zone
    html = page.get(quote, _form(shop, noodles=2, at=north(4000))).content.decode()
    assert "quote-out_of_zone" in html and "does not deliver to this address" in html
    assert "Move the pin inside the shaded delivery area" in html
    zh = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(quote, _form(shop, noodles=2, at=north(1500))).content.decode()
    assert "配送费" in zh and "预计送达约" in zh and "公里以内" in zh
    page_zh = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(f"/stores/{sid}/delivery/").content.decode()
    assert '<span class="key key-store"></span>门店 <span class="key key-zone"></span>配送范围' in page_zh


def test_order_for_delivery_through_the_page_then_pay(shop):
    sid, customer = shop["store_id"], shop["customer"]
    page = _as(customer)
    # outside the zone: the page says so (422), nothing is ordered
    r = page.post(f"/stores/{sid}/delivery/", _form(shop, noodles=2, at=north(4000)))
    assert r.status_code == 422 and "does not deliver to this address" in r.content.decode()
    # under the minimum: the page says what to add
    r = page.post(f"/stores/{sid}/delivery/", _form(shop, cola=1, at=north(500)))
    assert r.status_code == 422 and "Delivery starts at" in r.content.decode()
    # no pin, no address: asked for
    r = page.post(f"/stores/{sid}/delivery/", _form(shop, noodles=1))
    assert r.status_code == 422 and "Drop the pin on the map" in r.content.decode()
    r = page.post(f"/stores/{sid}/delivery/", _form(shop, noodles=1, at=north(1500), address=" "))
    assert r.status_code == 422 and "Type the address for the courier" in r.content.decode()
    assert not Order.objects.filter(customer=customer["user"]).exists()
    r = page.post(f"/stores/{sid}/delivery/", _form(shop, noodles=2, at=north(1500)))
    order = Order.objects.get(customer=customer["user"])
    assert r.status_code == 302 and r["Location"] == f"/orders/{order.pk}/pay/"
    assert order.fulfilment == "delivery" and str(order.total.amount) == "41.00"
    assert order.delivery.address == "Room 1203, 18 Renmin South Rd" and order.delivery.fee_amount == 5
    pay = page.get(f"/orders/{order.pk}/pay/").content.decode()
    assert "Delivery fee" in pay and "41.00" in pay
    r = page.post(f"/orders/{order.pk}/pay/", {"card_number": "4242 4242 4242 4242", "expiry": "12/40", "cvc": "123"},
                  follow=True)
    html = r.content.decode()
    assert "this page shows the courier on the way" in html and "Show this code to the courier" in html


def test_the_login_keeps_the_pin_and_a_store_without_zones_is_404(shop, api_client):
    sid = shop["store_id"]
    anon = Client()
    r = anon.post(f"/stores/{sid}/delivery/", _form(shop, noodles=2, at=north(1500)))
    assert r.status_code == 302 and "/login/" in r["Location"]
    anon.force_login(shop["customer"]["user"])
    html = anon.get(f"/stores/{sid}/delivery/").content.decode()
    lat = f"{north(1500)[0]:.6f}"
    assert f'value="{lat}"' in html and "Room 1203" in html and "quote-ok" in html
    from tests.delivery.conftest import make_shop

    other = make_shop(api_client, name="No Zones")
    from o2o.delivery.models import DeliveryZone

    DeliveryZone.objects.filter(store_id=other["store_id"]).update(active=False)
    assert Client().get(f"/stores/{other['store_id']}/delivery/").status_code == 404
    assert Client().get(f"/stores/{other['store_id']}/delivery/quote/").status_code == 404
    assert quick_user("x")
