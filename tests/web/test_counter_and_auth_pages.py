"""Counter pages, sign-up/log-in/log-out, the language switch and the layout's links."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from o2o.accounts.models import User
from o2o.merchants.services import store_create
from tests.web import builders
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db


def test_counter_renders_for_clerk_with_scanner_and_recent_list(w):
    order = builders.buy(w["customer"], w["deal"], 1)
    from o2o.vouchers.services import voucher_redeem

    voucher_redeem(actor=w["clerk"], store_id=w["store"].pk, code=order.vouchers.get().code)
    c = client_for(w["clerk"])
    r = c.get(reverse("web:counter"))
    assert r.status_code == 302 and r["Location"] == reverse("web:counter_store", args=[w["store"].pk])
    r = c.get(r["Location"])
    html = r.content.decode()
    assert r.status_code == 200
    assert "zxing_reader.wasm" in html and "js/counter.js" in html and 'id="keypad"' not in html
    assert f'data-store="{w["store"].pk}"' in html and order.number in html
    assert 'class="keypad"' in html
    texts = json.loads(html.split('id="counter-i18n" type="application/json">')[1].split("</script>")[0])
    assert texts["errors"]["already_redeemed"] == "Already used"


def test_counter_is_404_for_a_stranger_and_403_for_a_clerk_elsewhere(w):
    stranger = client_for(builders.user("Stranger"))
    assert stranger.get(reverse("web:counter_store", args=[w["store"].pk])).status_code == 404
    assert client_for(w["other_owner"]).get(reverse("web:counter_store", args=[w["store"].pk])).status_code == 404
    second = store_create(merchant=w["merchant"], name="Second", address="2 Road", lat=30.65, lng=104.06,
                          opening_hours=builders.ALL_DAY)
    assert client_for(w["clerk"]).get(reverse("web:counter_store", args=[second.pk])).status_code == 403
    # the owner may work at every store and picks one
    owner = client_for(w["owner"])
    assert owner.get(reverse("web:counter_store", args=[second.pk])).status_code == 200
    r = owner.get(reverse("web:counter"))
    assert r.status_code == 200 and "Second" in r.content.decode()


def test_counter_api_calls_work_with_the_session_and_csrf_header(w):
    order = builders.buy(w["customer"], w["deal"], 1)
    code = order.vouchers.get().code
    c = Client(enforce_csrf_checks=True)
    c.force_login(w["clerk"])
    c.get(reverse("web:counter_store", args=[w["store"].pk]))
    token = c.cookies["csrftoken"].value
    body = json.dumps({"store_id": str(w["store"].pk), "code": code})
    r = c.post("/api/v1/redemptions/check", body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert r.status_code == 200 and r.json()["customer_name"] == w["customer"].display_name
    r = c.post("/api/v1/redemptions", body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert r.status_code == 201
    r = c.post("/api/v1/redemptions", body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_redeemed"


def test_signup_login_logout(db):
    c = Client()
    assert c.get(reverse("web:signup")).status_code == 200
    r = c.post(reverse("web:signup"), {"email": "ann@example.com", "display_name": "Ann",
                                       "password": builders.PASSWORD})
    assert r.status_code == 302
    assert User.objects.filter(email="ann@example.com").exists()
    assert "Log out" in c.get(reverse("web:home")).content.decode()
    r = c.post(reverse("web:signup"), {"email": "ann@example.com", "display_name": "Ann2",
                                       "password": builders.PASSWORD})
    assert r.status_code == 200 and "already exists" in r.content.decode()
    assert c.post(reverse("web:logout")).status_code == 302
    assert "Log in" in c.get(reverse("web:home")).content.decode()
    r = c.post(reverse("web:login"), {"email": "ann@example.com", "password": "wrong-password"})
    assert r.status_code == 200 and "Wrong email or password" in r.content.decode()
    r = c.post(reverse("web:login") + "?next=/orders/", {"email": "ann@example.com", "password": builders.PASSWORD,
                                                        "next": "/orders/"})
    assert r.status_code == 302 and r["Location"] == "/orders/"
    r = c.post(reverse("web:login"), {"email": "ann@example.com", "password": builders.PASSWORD,
                                      "next": "https://evil.example/"})
    assert r["Location"] == reverse("web:home")


def test_top_bar_links_follow_roles(w):
    html = Client().get(reverse("web:home")).content.decode()
    assert "Merchant console" not in html and "Log in" in html
    html = client_for(w["customer"]).get(reverse("web:home")).content.decode()
    assert "My orders" in html and "Merchant console" not in html and reverse("web:counter") not in html
    html = client_for(w["clerk"]).get(reverse("web:home")).content.decode()
    assert "Merchant console" in html and reverse("web:counter") in html


def test_language_switch_to_simplified_chinese(db):
    c = Client()
    r = c.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert r.status_code == 302
    html = c.get("/").content.decode()
    assert 'lang="zh-hans"' in html
    assert 'aria-pressed="true" title="简体中文"' in html
    assert "附近" in html and "我的订单" not in html  # translated; no orders link when signed out


def test_login_accepts_any_stored_address(db):
    """The demo's addresses (customer@demo.o2o) fail Django's e-mail syntax check; signing in must work."""
    from o2o.accounts.models import User

    User.objects.create_user(email="customer@demo.o2o", password=builders.PASSWORD, display_name="Demo")
    r = Client().post(reverse("web:login"), {"email": "customer@demo.o2o", "password": builders.PASSWORD})
    assert r.status_code == 302
