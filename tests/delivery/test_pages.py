"""The delivery pages (Django test client): the courier's phone page and its moves, the customer's order
page with the delivery panel, in English and Chinese; who may open what."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.delivery.conftest import LAT, LNG, bag_code, on_shift, paid_delivery
from tests.helpers import quick_user

pytestmark = pytest.mark.django_db


def _as(person, lang: str = "en") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(person["user"])
    return c


def test_courier_page_walks_a_delivery(shop):
    api, courier = shop["api"], shop["courier"]
    order = paid_delivery(shop)
    page = _as(courier)
    r = page.get("/courier/")
    assert r.status_code == 200 and "Start shift" in r.content.decode()
    assert "no-store" in r["Cache-Control"]
    r = page.post("/courier/shift/", {"on": "1"}, follow=True)
    assert "End shift" in r.content.decode()
    api.post("/courier/position", {"lat": LAT, "lng": LNG}, courier["token"])
    from o2o.delivery.tasks import dispatch

    dispatch()
    html = page.get("/courier/").content.decode()
    assert f"#{order['number']}" in html and "Pick up at" in html and "Code on the bag" in html
    assert order["delivery"]["delivery_code"] not in html  # the customer's code is never on the courier's page
    r = page.post("/courier/pickup/", {"store_id": shop["store_id"], "code": bag_code(order["id"])}, follow=True)
    assert "is with you now" in r.content.decode()
    task = api.get("/courier/tasks", courier["token"]).json()["tasks"][0]
    r = page.post(f"/courier/tasks/{task['id']}/deliver/", {"code": "000000" if order["delivery"]["delivery_code"] != "000000" else "111111"}, follow=True)
    assert "This is not the order&#x27;s delivery code." in r.content.decode()
    r = page.post(f"/courier/tasks/{task['id']}/deliver/", {"code": order["delivery"]["delivery_code"]}, follow=True)
    assert "delivered." in r.content.decode()
    assert page.get("/courier/tasks/").status_code == 200


def test_courier_page_in_chinese_and_refused_to_others(shop):
    paid_delivery(shop)
    on_shift(shop["api"], shop["courier"], (LAT, LNG))
    html = _as(shop["courier"], "zh-hans").get("/courier/").content.decode()
    assert "我的配送" in html and "结束接单" in html
    assert _as(shop["customer"]).get("/courier/").status_code == 403
    assert _as(shop["clerk"]).get("/courier/").status_code == 403
    assert Client().get("/courier/").status_code == 302  # to the login page


def test_order_page_shows_the_delivery(shop):
    order = paid_delivery(shop)
    customer = _as(shop["customer"])
    r = customer.get(f"/orders/{order['id']}/")
    html = r.content.decode()
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]
    code = order["delivery"]["delivery_code"]
    assert f"{code[:3]} {code[3:]}" in html and "Show this code to the courier" in html
    assert "Expected at your door" in html and 'id="delivery-map"' in html and "geo/demo_city.geojson" in html
    panel = customer.get(f"/orders/{order['id']}/delivery/")
    assert panel.status_code == 200 and "hx-trigger=\"every 5s\"" in panel.content.decode()
    zh = _as(shop["customer"], "zh-hans").get(f"/orders/{order['id']}/").content.decode()
    assert "请向配送员出示此验证码" in zh and "预计送达" in zh
    # someone else's order: 404, never the code
    other = _as({"user": quick_user("nosy")["user"]})
    assert other.get(f"/orders/{order['id']}/delivery/").status_code == 404


def test_order_panel_follows_the_courier_then_reloads_when_delivered(shop):
    """Picked up with no dispatch round yet: the ETA is the ride from the courier's last position, the
    panel says how far they are and draws them on the map; a poll that sees a new status tells htmx to
    reload the page (its header says it too); delivered, it polls no more."""
    api, courier = shop["api"], shop["courier"]
    order = paid_delivery(shop)  # 1.5 km north of the store
    customer = _as(shop["customer"])
    on_shift(api, courier, (LAT, LNG))  # at the store
    r = api.post("/courier/pickups", {"store_id": shop["store_id"], "code": bag_code(order["id"])}, courier["token"])
    assert r.status_code == 200, r.content
    task_id = r.json()["id"]
    r = customer.get(f"/orders/{order['id']}/delivery/?status=open")  # the page was drawn before the pickup
    assert r["HX-Refresh"] == "true"
    html = customer.get(f"/orders/{order['id']}/").content.decode()
    assert 'delivery-state status-picked_up">On the way' in html  # the header too
    html = customer.get(f"/orders/{order['id']}/delivery/?status=picked_up").content.decode()
    assert "On the way" in html and "1.5 km from you" in html and "in about 9 min" in html
    assert '"courier": [' in html  # on the map
    assert 'hx-get="/orders/' in html and "?status=picked_up" in html
    zh = _as(shop["customer"], "zh-hans").get(f"/orders/{order['id']}/delivery/").content.decode()
    assert "距你 1.5 公里" in zh and "约 9 分钟后" in zh
    r = api.post(f"/courier/tasks/{task_id}/deliver", {"code": order["delivery"]["delivery_code"]}, courier["token"])
    assert r.status_code == 200, r.content
    r = customer.get(f"/orders/{order['id']}/delivery/?status=picked_up")
    assert r.status_code == 200 and r["HX-Refresh"] == "true"
    page = customer.get(f"/orders/{order['id']}/").content.decode()
    assert "Delivered at" in page and "Show this code to the courier" not in page and 'hx-trigger="every 5s"' not in page
