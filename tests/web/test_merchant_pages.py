"""Merchant console pages: every page for the owner, tenancy (404 for strangers, 403 for clerks)."""

import pytest
from django.test import Client
from django.urls import reverse

from o2o.catalogue.models import Offering
from o2o.merchants.models import Merchant, StaffMembership, Store
from o2o.reviews.models import Review
from o2o.reviews.services import review_create
from o2o.vouchers.services import voucher_redeem
from tests.web import builders
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db


def _hours_post(**over):  # type: ignore[no-untyped-def]
    data = {}
    for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
        data.update({f"{day}_mode": "one", f"{day}_open1": "09:00", f"{day}_close1": "21:00",
                     f"{day}_open2": "", f"{day}_close2": ""})
    data.update(over)
    return data


def test_open_a_merchant_and_console_home(db):
    person = builders.user("Founder")
    c = client_for(person)
    assert "no merchant yet" in c.get(reverse("web:console")).content.decode()
    r = c.post(reverse("web:merchant_new"), {"name": "Noodle Bar", "category": "restaurant"})
    merchant = Merchant.objects.get(name="Noodle Bar")
    assert r.status_code == 302 and r["Location"] == reverse("web:store_new", args=[merchant.pk])
    assert merchant.owner == person
    assert "Noodle Bar" in c.get(reverse("web:console")).content.decode()
    r = c.post(reverse("web:merchant_new"), {"name": "", "category": "nope"})
    assert r.status_code == 200 and "field-error" in r.content.decode()


def test_dashboard_shows_counts_chart_and_recent_orders(w):
    order = builders.buy(w["customer"], w["deal"], 2)
    v = order.vouchers.first()
    voucher_redeem(actor=w["clerk"], store_id=w["store"].pk, code=v.code)
    r = client_for(w["owner"]).get(reverse("web:dashboard", args=[w["merchant"].pk]))
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="chart-data"' in html and "chartjs/chart.umd.min.js" in html and "js/dashboard.js" in html
    assert order.number in html and w["customer"].display_name in html
    board = r.context["board"]
    deal = next(d for d in board.deals if d.offering.pk == w["deal"].pk)
    assert (deal.sold, deal.redeemed, deal.refunded, deal.left) == (2, 1, 0, 8)
    assert next(s for s in board.stores if s.store.pk == w["store"].pk).redeemed == 1
    assert sum(n for _d, n in board.redemptions_by_day) == 1 and len(board.redemptions_by_day) == 14


def test_add_store_with_hours_past_midnight(w):
    c = client_for(w["owner"])
    assert c.get(reverse("web:store_new", args=[w["merchant"].pk])).status_code == 200
    data = _hours_post(fri_mode="two", fri_open1="11:00", fri_close1="14:00", fri_open2="18:00", fri_close2="02:00",
                       sun_mode="closed", sat_mode="allday")
    data.update({"name": "Night Branch", "address": "5 Jinli Street", "timezone": "Asia/Shanghai",
                 "lat": "30.65", "lng": "104.05"})
    r = c.post(reverse("web:store_new", args=[w["merchant"].pk]), data)
    assert r.status_code == 302, r.content.decode()[:2000]
    store = Store.objects.get(name="Night Branch")
    assert store.merchant == w["merchant"]
    assert store.opening_hours["fri"] == [["11:00", "14:00"], ["18:00", "02:00"]]
    assert store.opening_hours["sun"] == [] and store.opening_hours["sat"] == [["00:00", "24:00"]]
    bad = dict(data, mon_open1="", name="Broken")
    r = c.post(reverse("web:store_new", args=[w["merchant"].pk]), bad)
    assert r.status_code == 200 and not Store.objects.filter(name="Broken").exists()
    assert "field-error" in r.content.decode().split('data-hours-day="mon"')[1].split('data-hours-day="tue"')[0]
    data["timezone"] = "Mars/Olympus"
    r = c.post(reverse("web:store_new", args=[w["merchant"].pk]), data)
    assert r.status_code == 200 and "timezone" in r.content.decode().lower()


def test_invite_staff_shows_link_for_unknown_email_and_invite_page_works(w):
    c = client_for(w["owner"])
    r = c.post(reverse("web:staff", args=[w["merchant"].pk]),
               {"email": "newclerk@example.com", "role": "clerk", "stores": [str(w["store"].pk)]})
    assert r.status_code == 200
    m = StaffMembership.objects.get(user__email="newclerk@example.com")
    link = reverse("web:invite", args=[m.invite_token])
    assert link in r.content.decode()
    invited = Client()
    assert invited.get(link).status_code == 200
    r = invited.post(link, {"display_name": "Xiao Li", "password": builders.PASSWORD})
    assert r.status_code == 302 and r["Location"] == reverse("web:console")
    m.refresh_from_db()
    assert m.invite_token == "" and m.user.display_name == "Xiao Li"
    assert invited.get(link).status_code == 404  # used once


def test_new_deal_with_photos_then_pause_resume_end(w):
    c = client_for(w["owner"])
    assert c.get(reverse("web:deal_new", args=[w["merchant"].pk])).status_code == 200
    from django.core.files.uploadedfile import SimpleUploadedFile

    photo = SimpleUploadedFile("a.png", builders.photo_bytes(), content_type="image/png")
    fake = SimpleUploadedFile("b.png", b"<script>alert(1)</script>", content_type="image/png")
    r = c.post(reverse("web:deal_new", args=[w["merchant"].pk]), {
        "title": "Tea for two", "description": "Oolong", "price": "29.00", "list_price": "48.00",
        "quantity_total": "20", "per_customer_limit": "2", "valid_days": "30", "stores": [str(w["store"].pk)],
        "publish": "draft", "photos": [photo, fake]})
    assert r.status_code == 302
    deal = Offering.objects.get(title="Tea for two")
    assert deal.status == "draft" and deal.photos.count() == 1  # the fake image was refused
    url = reverse("web:deal_status", args=[w["merchant"].pk, deal.pk])
    for status in ("live", "paused", "live", "ended"):
        assert c.post(url, {"status": status}).status_code == 302
        deal.refresh_from_db()
        assert deal.status == status
    r = c.post(reverse("web:deal_new", args=[w["merchant"].pk]), {
        "title": "Bad", "price": "50", "list_price": "40", "quantity_total": "1", "per_customer_limit": "0",
        "valid_days": "1", "stores": [str(w["store"].pk)], "publish": "live"})
    assert r.status_code == 200 and "list price cannot be below" in r.content.decode()


def test_voucher_audit_and_trail(w):
    order = builders.buy(w["customer"], w["deal"], 1)
    v = order.vouchers.get()
    voucher_redeem(actor=w["clerk"], store_id=w["store"].pk, code=v.code)
    c = client_for(w["owner"])
    r = c.get(reverse("web:audit", args=[w["merchant"].pk]), {"q": f"{v.code[:4]} {v.code[4:8]} {v.code[8:]}"})
    assert r.status_code == 302 and r["Location"] == reverse("web:voucher_trail", args=[w["merchant"].pk, v.pk])
    r = c.get(r["Location"])
    html = r.content.decode()
    assert "Issued" in html and "Redeemed" in html and w["store"].name in html and w["clerk"].display_name in html
    r = c.get(reverse("web:audit", args=[w["merchant"].pk]), {"q": order.number, "go": "0"})
    assert v.code[:4] in r.content.decode()
    r = c.get(reverse("web:audit", args=[w["merchant"].pk]), {"q": "000000000000"})
    assert "No voucher or order" in r.content.decode()


def test_reviews_list_and_reply(w):
    order = builders.buy(w["customer"], w["deal"], 1)
    voucher_redeem(actor=w["clerk"], store_id=w["store"].pk, code=order.vouchers.get().code)
    review = review_create(customer=w["customer"], order_id=order.pk, rating=5, text="Great")
    c = client_for(w["owner"])
    assert "Great" in c.get(reverse("web:reviews", args=[w["merchant"].pk])).content.decode()
    r = c.post(reverse("web:review_reply", args=[w["merchant"].pk, review.pk]), {"text": "Thanks!"})
    assert r.status_code == 302
    assert Review.objects.get(pk=review.pk).reply == "Thanks!"
    assert "Thanks!" in Client().get(reverse("web:store", args=[w["store"].pk])).content.decode()


def test_tenancy_other_merchant_is_404_and_clerk_is_403(w):
    order = builders.buy(w["customer"], w["deal"], 1)
    v = order.vouchers.get()
    other = client_for(w["other_owner"])
    mid = w["merchant"].pk
    for url in (reverse("web:dashboard", args=[mid]), reverse("web:store_new", args=[mid]),
                reverse("web:staff", args=[mid]), reverse("web:deal_new", args=[mid]),
                reverse("web:audit", args=[mid]), reverse("web:reviews", args=[mid]),
                reverse("web:voucher_trail", args=[mid, v.pk])):
        assert other.get(url).status_code == 404, url
    assert other.post(reverse("web:deal_status", args=[mid, w["deal"].pk]), {"status": "paused"}).status_code == 404
    # another merchant's voucher / deal through one's own merchant id: still 404
    own = w["other_merchant"].pk
    assert other.get(reverse("web:voucher_trail", args=[own, v.pk])).status_code == 404
    assert other.post(reverse("web:deal_status", args=[own, w["deal"].pk]), {"status": "paused"}).status_code == 404
    w["deal"].refresh_from_db()
    assert w["deal"].status == "live"
    # the clerk is staff, but may not edit the catalogue
    clerk = client_for(w["clerk"])
    assert clerk.get(reverse("web:deal_new", args=[mid])).status_code == 403
    assert clerk.post(reverse("web:deal_new", args=[mid]), {"title": "x"}).status_code == 403
    assert clerk.post(reverse("web:deal_status", args=[mid, w["deal"].pk]), {"status": "ended"}).status_code == 403
    r = clerk.get(reverse("web:dashboard", args=[mid]))
    assert r.status_code == 403 and "clerks work at the counter" in r.content.decode()
    assert Client().get(reverse("web:dashboard", args=[mid])).status_code == 302  # anonymous: log in


def test_edit_store_keeps_hours_in_the_editor_and_saves(w):
    c = client_for(w["owner"])
    url = reverse("web:store_edit", args=[w["merchant"].pk, w["store"].pk])
    r = c.get(url)
    assert r.status_code == 200
    form = r.context["form"]
    assert form.initial["mon_mode"] == "allday" and form.initial["name"] == w["store"].name
    data = _hours_post(tue_mode="two", tue_open1="10:00", tue_close1="14:00", tue_open2="17:00", tue_close2="00:00")
    data.update({"name": "Renamed", "address": "9 New Road", "timezone": "Asia/Shanghai", "lat": "30.66",
                 "lng": "104.07"})
    assert c.post(url, data).status_code == 302
    w["store"].refresh_from_db()
    assert w["store"].name == "Renamed" and w["store"].opening_hours["tue"] == [["10:00", "14:00"], ["17:00", "24:00"]]
    other = client_for(w["other_owner"])
    assert other.get(url).status_code == 404
    assert other.get(reverse("web:store_edit", args=[w["other_merchant"].pk, w["store"].pk])).status_code == 404
    assert client_for(w["clerk"]).get(url).status_code == 403
