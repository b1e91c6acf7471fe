"""Customer pages through Django's test client: discovery, store, deal, buy -> pay -> order, vouchers."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from o2o.orders.models import Order
from o2o.reviews.models import Review
from o2o.vouchers.models import Voucher
from o2o.vouchers.services import voucher_redeem
from tests.web import builders
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)


def assert_csp_clean(resp) -> None:  # type: ignore[no-untyped-def]
    html = resp.content.decode()
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html)
    assert " onclick=" not in html and "hx-on" not in html
    assert "script-src 'self'" in resp.headers.get("Content-Security-Policy", "")


def test_home_lists_nearby_stores_with_deals_and_map(w):
    r = Client().get(reverse("web:home"))
    assert r.status_code == 200
    html = r.content.decode()
    assert w["store"].name in html and w["deal"].title in html
    assert "-37%" in html  # 99 vs 158
    assert 'id="map-data"' in html and "demo_city.geojson" in html
    assert "vendor/htmx/htmx.min.js" in html and "alpine-csp.min.js" in html
    assert 'hx-headers=\'{"X-CSRFToken":' in html
    assert_csp_clean(r)


def test_home_filters_answer_a_partial_for_htmx(w):
    r = Client().get(reverse("web:home"), {"category": "salon"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    assert r.status_code == 200
    html = r.content.decode()
    assert "<html" not in html and 'hx-swap-oob="true"' in html
    # the list and the page share a URL: "back" must not be served the bare list from the cache
    assert "HX-Request" in r["Vary"] and r["Cache-Control"] == "no-store"
    assert "HX-Request" in Client().get(reverse("web:home"))["Vary"]
    assert w["store"].name not in html
    r = Client().get(reverse("web:home"), {"category": "restaurant"}, HTTP_HX_REQUEST="true",
                     HTTP_HX_TARGET="results")
    assert w["store"].name in r.content.decode()


def test_home_orders_by_rating_and_keeps_only_well_rated_places(w):
    from o2o.merchants.models import Store

    owner = builders.user("Near Owner")
    _m, near = builders.merchant_with_store(owner, name="Near Noodles", store_name="Near Noodles", lat=builders.CENTRE[0] + 0.0005,
                                            lng=builders.CENTRE[1])
    _m, far = builders.merchant_with_store(owner, name="Far Famous Dumplings", store_name="Far Famous Dumplings",
                                           lat=builders.CENTRE[0] + 0.01,
                                           lng=builders.CENTRE[1])
    # Near Noodles: one 3-star review; the far shop: 60 reviews averaging 4.8
    Store.objects.filter(pk=near.pk).update(rating_sum=3, review_count=1)
    Store.objects.filter(pk=far.pk).update(rating_sum=288, review_count=60)

    def names(**params: str) -> list[str]:
        html = Client().get(reverse("web:home"), params).content.decode()
        return re.findall(r'<h2 class="store-name">([^<]+)</h2>', html)

    by_distance = names()
    assert by_distance.index("Near Noodles") < by_distance.index("Far Famous Dumplings")
    by_rating = names(sort="rating")
    assert by_rating[0] == "Far Famous Dumplings"
    assert "Near Noodles" not in names(min_rating="4")
    assert "Far Famous Dumplings" in names(min_rating="4")
    html = Client().get(reverse("web:home"), {"sort": "rating", "min_rating": "4.5"}).content.decode()
    assert '<option value="rating" selected>' in html and '<option value="4.5" selected>' in html
    # nonsense values fall back to the defaults instead of failing
    assert names(sort="DROP TABLE", min_rating="9") == by_distance


def test_home_typed_place_resolves_district_and_reports_unknown(w):
    r = Client().get(reverse("web:home"), {"place": "锦江"})
    assert "Jinjiang" in r.content.decode()
    r = Client().get(reverse("web:home"), {"place": "zzz-nowhere"})
    assert "We could not find" in r.content.decode()


def test_home_at_a_position_without_a_name_says_where(w):
    r = Client().get(reverse("web:home"), {"lat": "30.6601", "lng": "104.0702"})
    assert r.status_code == 200
    assert re.search(r"Showing places near\s*<strong>30\.6601, 104\.0702</strong>", r.content.decode())


def test_store_and_deal_pages(w):
    r = Client().get(reverse("web:store", args=[w["store"].pk]))
    assert r.status_code == 200
    html = r.content.decode()
    assert w["deal"].title in html and "is-today" in html and "Open now" in html
    r = Client().get(reverse("web:deal", args=[w["deal"].pk]))
    assert r.status_code == 200
    html = r.content.decode()
    assert w["store"].name in html and 'name="quantity"' in html
    assert html.count('<option value="') == 5  # 1..per-customer limit
    assert Client().get("/stores/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_anonymous_buy_goes_to_login_and_back_to_the_deal(w):
    r = Client().post(reverse("web:checkout", args=[w["deal"].pk]), {"quantity": 1})
    assert r.status_code == 302
    assert r["Location"].startswith(reverse("web:login")) and str(w["deal"].pk) in r["Location"]
    assert "/buy/" not in r["Location"]


def test_buy_pay_declined_then_paid_then_order_page(w):
    c = client_for(w["customer"])
    r = c.post(reverse("web:checkout", args=[w["deal"].pk]), {"quantity": 2})
    assert r.status_code == 302
    order = Order.objects.get(customer=w["customer"])
    assert r["Location"] == reverse("web:order_pay", args=[order.pk])
    r = c.get(r["Location"])
    assert r.status_code == 200 and "4242 4242 4242 4242" in r.content.decode() and "countdown" in r.content.decode()
    r = c.post(reverse("web:order_pay", args=[order.pk]), {"card_number": builders.DECLINED_CARD,
                                                             "expiry": "12/30", "cvc": "123"})
    assert r.status_code == 200
    assert "Payment declined." in r.content.decode()
    order.refresh_from_db()
    assert order.status == "awaiting_payment" and not order.vouchers.exists()
    r = c.post(reverse("web:order_pay", args=[order.pk]), {"card_number": "4242 4242 4242 4242",
                                                             "expiry": "12/30", "cvc": "123"})
    assert r.status_code == 302 and r["Location"] == reverse("web:order", args=[order.pk])
    r = c.get(r["Location"])
    html = r.content.decode()
    vouchers = list(order.vouchers.all())
    assert len(vouchers) == 2
    for v in vouchers:
        assert f"{v.code[:4]} {v.code[4:8]} {v.code[8:]}" in html
    assert html.count("<svg") >= 2 and "Ready to use" in html
    assert 'hx-trigger="every 5s"' in html  # polls while a voucher is ready
    assert_csp_clean(r)
    # the pay page of a paid order sends you to the order
    assert c.get(reverse("web:order_pay", args=[order.pk])).status_code == 302


def test_order_status_poll_and_review_after_redemption(w):
    order = builders.buy(w["customer"], w["deal"], 2)
    c = client_for(w["customer"])
    html = c.get(reverse("web:order", args=[order.pk])).content.decode()
    sig = re.search(r'status/\?sig=([^"]+)"', html).group(1)
    from urllib.parse import unquote

    url = reverse("web:order_status", args=[order.pk]) + "?sig=" + unquote(sig).replace(",", "%2C")
    assert c.get(url, HTTP_HX_REQUEST="true").status_code == 204
    v = order.vouchers.order_by("created_at").first()
    voucher_redeem(actor=w["clerk"], store_id=w["store"].pk, code=v.code)
    r = c.get(url, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and r["HX-Refresh"] == "true"
    html = c.get(reverse("web:order", args=[order.pk])).content.decode()
    assert f"Used at <strong>{w['store'].name}</strong>" in html
    assert "How was it?" in html
    r = c.post(reverse("web:order_review", args=[order.pk]), {"rating": "4", "text": "Spicy!"})
    assert r.status_code == 302
    assert Review.objects.get(order=order).rating == 4
    html = c.get(reverse("web:order", args=[order.pk])).content.decode()
    assert "Your review" in html and "How was it?" not in html


def test_refund_one_voucher(w):
    order = builders.buy(w["customer"], w["deal"], 2)
    c = client_for(w["customer"])
    v1, v2 = order.vouchers.order_by("created_at")
    r = c.post(reverse("web:order_refund", args=[order.pk]), {"voucher_id": str(v1.pk)})
    assert r.status_code == 302
    assert Voucher.objects.get(pk=v1.pk).status == "refunded" and Voucher.objects.get(pk=v2.pk).status == "issued"
    html = c.get(reverse("web:order", args=[order.pk])).content.decode()
    assert "Refunded on" in html


def test_orders_list_and_someone_elses_order_is_404(w):
    order = builders.buy(w["customer"], w["deal"], 1)
    c = client_for(w["customer"])
    r = c.get(reverse("web:orders"))
    assert r.status_code == 200 and order.number in r.content.decode()
    stranger = client_for(builders.user("Stranger"))
    for name in ("web:order", "web:order_pay", "web:order_status"):
        assert stranger.get(reverse(name, args=[order.pk])).status_code == 404
    assert stranger.post(reverse("web:order_refund", args=[order.pk])).status_code == 404
    assert Client().get(reverse("web:orders")).status_code == 302  # log in first


def test_sold_out_and_limit_messages_return_to_the_deal(w):
    c = client_for(w["customer"])
    r = c.post(reverse("web:checkout", args=[w["deal"].pk]), {"quantity": 6}, follow=True)
    assert "at most 5" in r.content.decode()
    assert not Order.objects.filter(customer=w["customer"]).exists()


def test_home_shows_twenty_places_then_more(db):
    owner = builders.user("Owner")
    for i in range(22):
        builders.merchant_with_store(owner, name=f"Shop {i:02d}", lat=30.6570 + i * 0.0003, lng=104.0658)
    r = Client().get(reverse("web:home"))
    assert len(r.context["results"]) == 20 and "limit=40" in r.context["more_url"]
    r = Client().get(r.context["more_url"], HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    assert len(r.context["results"]) == 22 and r.context["more_url"] == ""
