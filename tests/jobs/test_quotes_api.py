"""Quotes with options and milestones; accepting one before it expires; the deposit through the sandbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from o2o.jobs.models import Job, Quote
from tests.helpers import DECLINED_CARD, GOOD_CARD, assert_error
from tests.jobs.conftest import money, quote_body, quoted, submit

pytestmark = pytest.mark.django_db


def test_quote_rules(shop):
    api = shop["api"]
    req = submit(shop).json()
    path = f"/job-requests/{req['id']}/quotes"
    assert_error(api.post(path, quote_body(), shop["clerk"]["token"]), 403, "forbidden")
    assert_error(api.post(path, quote_body(), shop["stranger"]["token"]), 404, "not_found")
    assert_error(api.post(path, quote_body(), shop["customer"]["token"]), 404, "not_found")
    err = assert_error(api.post(path, quote_body(milestones=[{"title": "All", "share": "60.00"},
                                                             {"title": "Rest", "share": "30.00"}]),
                                shop["owner"]["token"]), 422)
    assert "milestones" in err["fields"] and "90.00" in err["fields"]["milestones"]
    bad = quote_body(valid_until=(timezone.now() - timedelta(hours=1)).isoformat(), deposit_share="0",
                     options=[{"tier": "good", "title": "A", "lines": [{"description": "x", "quantity": "1",
                                                                          "unit_price": money("-5.00")}]},
                              {"tier": "good", "title": "B", "lines": [{"description": "y", "quantity": "1",
                                                                          "unit_price": money("5.00")}]}])
    err = assert_error(api.post(path, bad, shop["owner"]["token"]), 422)
    assert {"valid_until", "deposit_share", "options.1.tier"} <= set(err["fields"])
    assert any(k.startswith("options.0.lines") for k in err["fields"])
    assert Quote.objects.count() == 0
    r = api.post(path, quote_body(), shop["owner"]["token"])
    assert r.status_code == 201, r.content
    q = r.json()
    assert [(o["tier"], o["total"]["amount"], o["deposit"]["amount"]) for o in q["options"]] == [
        ("good", "1000.00", "300.00"), ("better", "1820.00", "546.00")]
    assert api.get(f"/job-requests/{req['id']}", shop["customer"]["token"]).json()["status"] == "quoted"


def test_accept_one_option_before_it_expires(shop):
    api, customer = shop["api"], shop["customer"]
    q = quoted(shop)["quote"]
    path = f"/job-quotes/{q['id']}/accept"
    assert_error(api.post(path, {"option_id": q["options"][0]["id"]}, shop["owner"]["token"]), 404)
    assert_error(api.post(path, {"option_id": q["options"][0]["id"]}, shop["stranger"]["token"]), 404)
    assert_error(api.post(path, {"option_id": "not-an-id"}, customer["token"]), 422)
    r = api.post(path, {"option_id": q["options"][1]["id"]}, customer["token"])
    assert r.status_code == 201, r.content
    job = r.json()
    assert job["status"] == "awaiting_deposit" and job["price"]["amount"] == "1820.00"
    assert [m["amount"]["amount"] for m in job["milestones"]] == ["546.00", "546.00", "728.00"]
    assert job["deposit"]["amount"] == "546.00"
    assert_error(api.post(path, {"option_id": q["options"][0]["id"]}, customer["token"]), 409, "already_accepted")
    assert Job.objects.count() == 1


def test_expired_quote_cannot_be_accepted(shop):
    q = quoted(shop)["quote"]
    Quote.objects.filter(pk=q["id"]).update(valid_until=timezone.now() - timedelta(seconds=1))
    err = assert_error(shop["api"].post(f"/job-quotes/{q['id']}/accept", {"option_id": q["options"][0]["id"]},
                                        shop["customer"]["token"]), 409, "quote_expired")
    assert err["message"]
    assert Job.objects.count() == 0
    assert shop["api"].get(f"/job-quotes/{q['id']}", shop["customer"]["token"]).json()["expired"] is True


def test_a_second_quote_is_superseded_when_one_is_accepted(shop):
    api = shop["api"]
    first = quoted(shop)
    req = first["request"]
    r = api.post(f"/job-requests/{req['id']}/quotes", quote_body(deposit_share="50.00"), shop["owner"]["token"])
    second = r.json()
    r = api.post(f"/job-quotes/{second['id']}/accept", {"option_id": second["options"][0]["id"]},
                 shop["customer"]["token"])
    assert r.status_code == 201 and r.json()["deposit"]["amount"] == "500.00"
    assert api.get(f"/job-quotes/{first['quote']['id']}", shop["customer"]["token"]).json()["status"] == "superseded"
    assert_error(api.post(f"/job-quotes/{first['quote']['id']}/accept", {"option_id": first["quote"]["options"][0]["id"]},
                          shop["customer"]["token"]), 409, "already_accepted")
    assert_error(api.post(f"/job-requests/{req['id']}/quotes", quote_body(), shop["owner"]["token"]), 409, "not_quotable")


def test_deposit_through_the_sandbox_is_held_in_escrow(shop, capsys):
    api, customer = shop["api"], shop["customer"]
    q = quoted(shop)["quote"]
    job = api.post(f"/job-quotes/{q['id']}/accept", {"option_id": q["options"][0]["id"]}, customer["token"]).json()
    path = f"/jobs/{job['id']}/deposit"
    assert_error(api.post(path, {"card_number": GOOD_CARD}, shop["owner"]["token"]), 403, "forbidden")
    assert_error(api.post(path, {"card_number": GOOD_CARD}, shop["stranger"]["token"]), 404)
    assert_error(api.post(path, {"card_number": DECLINED_CARD}, customer["token"]), 402, "payment_declined")
    after = api.get(f"/jobs/{job['id']}", customer["token"]).json()
    assert after["status"] == "awaiting_deposit" and after["escrow"]["held"]["amount"] == "0.00"
    r = api.post(path, {"card_number": GOOD_CARD}, customer["token"], headers={"Idempotency-Key": "dep-1"})
    assert r.status_code == 200, r.content
    paid = r.json()
    assert paid["status"] == "active"
    assert paid["escrow"]["held"]["amount"] == "300.00" and paid["escrow"]["deposits"]["amount"] == "300.00"
    # the first milestone (300.00) is covered by the deposit; the others are still due
    assert [m["due"]["amount"] for m in paid["milestones"]] == ["0.00", "300.00", "400.00"]
    again = api.post(path, {"card_number": GOOD_CARD}, customer["token"], headers={"Idempotency-Key": "dep-1"})
    assert again.status_code == 200 and again.json()["escrow"]["held"] == paid["escrow"]["held"]
    assert_error(api.post(path, {"card_number": GOOD_CARD}, customer["token"]), 409, "already_paid")
    from o2o.orders.models import Order

    order = Order.objects.get(pk=paid["order_id"])
    assert (order.fulfilment, order.status, order.paid_amount, order.total_amount) == ("job", "paid", 300, 1000)
    call_command("check_books")
    assert "books balance" in capsys.readouterr().out


def test_quote_pdf_sets_chinese_in_noto_cjk(shop):
    import io

    from pypdf import PdfReader

    api = shop["api"]
    lines = [{"description": "卫生间防水 (bathroom waterproofing)", "quantity": "12.5",
              "unit_price": money("80.00")}]
    q = quoted(shop, options=[{"tier": "best", "title": "高级套餐", "lines": lines}], note="含垃圾清运")["quote"]
    r = api.client.get(f"/api/v1/job-quotes/{q['id']}/pdf", HTTP_AUTHORIZATION=f"Bearer {shop['customer']['token']}",
                       HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(r.content))
    text = reader.pages[0].extract_text()
    assert "卫生间防水" in text and "高级套餐" in text and "含垃圾清运" in text
    assert "1,000.00" in text or "1000.00" in text
    fonts = {str(f.get_object()["/BaseFont"]) for f in reader.pages[0]["/Resources"]["/Font"].values()}
    assert any("Noto-Sans-CJK-SC" in f for f in fonts), fonts  # not a fallback font: no boxes
    assert_error(api.get(f"/job-quotes/{q['id']}/pdf", shop["stranger"]["token"]), 404)


def test_errors_read_in_chinese(shop):
    q = quoted(shop)["quote"]
    Quote.objects.filter(pk=q["id"]).update(valid_until=timezone.now() - timedelta(seconds=1))
    r = shop["api"].client.post(f"/api/v1/job-quotes/{q['id']}/accept", {"option_id": q["options"][0]["id"]},
                                content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans",
                                HTTP_AUTHORIZATION=f"Bearer {shop['customer']['token']}")
    err = assert_error(r, 409, "quote_expired")
    assert err["message"].startswith("此报价已于")
