"""The appointment pages (server-rendered, English and Chinese): pick a day and a slot, book, pay, my
bookings with the QR to show at the door, cancel; the store's day with check-in by scanning."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from django.test import Client

from o2o.bookings.models import Booking
from tests.bookings.conftest import local_day, service

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def test_pick_a_slot_book_pay_and_see_the_qr_then_cancel(school):
    svc = service(school["api"], school["owner"], school["merchant"]["id"], [school["store"]["id"]],
                  title="Cut and colour", prepay="full", cancel_minutes=60, capacity=1)
    c = client_for(school["customer"]["user"])
    day = local_day(1)
    page = c.get(f"/services/{svc['id']}/book/", {"date": day.isoformat()})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Cut and colour" in html and "Asia/Shanghai" in html and "paid online when you book" in html
    starts = re.findall(r'name="start" value="([^"]+)"', html)
    assert starts and starts[0].startswith(day.isoformat()) and starts[0].endswith("+08:00")
    r = c.post(f"/services/{svc['id']}/book/", {"start": starts[0], "date": day.isoformat()})
    booking = Booking.objects.get(customer_id=school["customer"]["id"])
    assert r.status_code == 302 and r["Location"] == f"/me/bookings/{booking.pk}/pay/"
    pay = c.get(r["Location"])
    assert pay.status_code == 200 and "120.00" in pay.content.decode()
    r = c.post(f"/me/bookings/{booking.pk}/pay/", {"card_number": "4242 4242 4242 4242", "expiry": "12/30",
                                                   "cvc": "123"})
    assert r.status_code == 302 and r["Location"] == "/me/bookings/"
    mine = c.get("/me/bookings/")
    body = mine.content.decode()
    assert "no-store" in mine["Cache-Control"]
    assert "Cut and colour" in body and "<svg" in body and "Booking QR code to show at the door" in body
    # the slot is gone from the picker (one seat)
    assert starts[0] not in c.get(f"/services/{svc['id']}/book/", {"date": day.isoformat()}).content.decode()
    r = c.post(f"/me/bookings/{booking.pk}/cancel/")
    assert r.status_code == 302
    booking.refresh_from_db()
    assert booking.status == "cancelled" and booking.order.status == "refunded"


def test_the_pages_read_in_chinese(school):
    c = client_for(school["customer"]["user"])
    page = c.get(f"/services/{school['service']['id']}/book/", {"date": local_day(1).isoformat()},
                 HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    assert page.status_code == 200 and "到店付款" in html and "选择日期" in html
    assert "我的预约" in c.get("/me/bookings/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()


def test_a_stranger_is_sent_to_sign_in_to_book_and_a_bad_date_shows_today(school):
    page = Client().get(f"/services/{school['service']['id']}/book/", {"date": "2026-13-40"})
    assert page.status_code == 200
    r = Client().post(f"/services/{school['service']['id']}/book/", {"start": "x"})
    assert r.status_code == 302 and "/login/" in r["Location"]
    assert Client().get(f"/services/{school['store']['id']}/book/").status_code == 404


def test_the_store_day_lists_bookings_and_checks_in_by_scanning(school):
    api, cust = school["api"], school["customer"]
    oid = school["service"]["id"]
    today_slots = api.get(f"/offerings/{oid}/slots", cust["token"], date=local_day(0).isoformat()).json()["slots"]
    day = local_day(0) if today_slots else local_day(1)
    start = (today_slots or api.get(f"/offerings/{oid}/slots", cust["token"],
                                    date=day.isoformat()).json()["slots"])[0]["start"]
    b = api.post("/bookings", {"offering_id": oid, "start": start}, cust["token"]).json()
    url = f"/merchant/{school['merchant']['id']}/stores/{school['store']['id']}/bookings/"
    clerk = client_for(school["clerk"]["user"])
    page = clerk.get(url, {"date": day.isoformat()})
    assert page.status_code == 200 and "Pottery class" in page.content.decode()
    r = clerk.post(url, {"action": "scan", "qr_payload": b["qr_payload"], "date": day.isoformat()})
    assert r.status_code == 302
    assert Booking.objects.get(pk=b["id"]).status == "checked_in"
    r = clerk.post(url, {"action": "scan", "qr_payload": b["qr_payload"] + "x", "date": day.isoformat()}, follow=True)
    assert "not a genuine" in r.content.decode()
    # a customer is not staff: 404
    assert client_for(cust["user"]).get(url).status_code == 404


def test_change_the_time_from_my_bookings_moves_the_paid_booking(school):
    import html as htmllib

    from tests.helpers import quick_user

    svc = service(school["api"], school["owner"], school["merchant"]["id"], [school["store"]["id"]],
                  title="Wash and cut", prepay="full", capacity=1)
    c = client_for(school["customer"]["user"])
    day = local_day(1)
    starts = re.findall(r'name="start" value="([^"]+)"',
                        c.get(f"/services/{svc['id']}/book/", {"date": day.isoformat()}).content.decode())
    c.post(f"/services/{svc['id']}/book/", {"start": starts[0], "date": day.isoformat()})
    booking = Booking.objects.get(customer_id=school["customer"]["id"])
    c.post(f"/me/bookings/{booking.pk}/pay/", {"card_number": "4242 4242 4242 4242", "expiry": "12/30", "cvc": "123"})
    mine = c.get("/me/bookings/").content.decode()
    link = htmllib.unescape(re.search(r'href="([^"]*\?move=[^"]+)"[^>]*>Change the time<', mine).group(1))
    picker = c.get(link)
    page = picker.content.decode()
    assert picker.status_code == 200 and "Moving your booking of" in page and f'name="move" value="{booking.pk}"' in page
    later = re.findall(r'name="start" value="([^"]+)"', page)
    assert starts[0] not in later  # its own seat is taken (by itself)
    r = c.post(link.split("?")[0], {"start": later[1], "date": day.isoformat(), "move": str(booking.pk)})
    assert r.status_code == 302 and r["Location"] == "/me/bookings/"
    booking.refresh_from_db()
    assert booking.start == datetime.fromisoformat(later[1])
    assert booking.status == "booked" and booking.order.status == "paid"
    assert "Moved. What you paid stays with the booking." in c.get("/me/bookings/").content.decode()
    # the seat it left is bookable again; someone else cannot move this booking
    other = client_for(quick_user("other")["user"])
    assert starts[0] in other.get(f"/services/{svc['id']}/book/", {"date": day.isoformat()}).content.decode()
    assert other.get(link).status_code == 404
