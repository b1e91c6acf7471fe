"""Reminders before an appointment: the worker's periodic task emails each booking starting within a day
once, with an .ics of it, in the customer's language; cancelled bookings and later ones get none."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.core import mail
from icalendar import Calendar

from o2o.accounts.models import User
from o2o.core.schedule import periodic_run_task, registered
from tests.bookings.conftest import local_day
from tests.helpers import quick_user

pytestmark = pytest.mark.django_db


def book(school, customer, day):  # type: ignore[no-untyped-def]
    api, oid = school["api"], school["service"]["id"]
    start = api.get(f"/offerings/{oid}/slots", customer["token"], date=day.isoformat()).json()["slots"][0]["start"]
    r = api.post("/bookings", {"offering_id": oid, "start": start}, customer["token"])
    assert r.status_code == 201, r.content
    return r.json()


def run_reminders() -> int:
    return periodic_run_task.call("bookings.reminders")


def test_a_reminder_with_its_ics_is_sent_once_a_day_before(school):
    c = school["customer"]
    b = book(school, c, local_day(2))
    start = datetime.fromisoformat(b["start"])
    assert registered()["bookings.reminders"].every == timedelta(minutes=5)
    with time_machine.travel(start - timedelta(hours=25), tick=False):
        assert run_reminders() == 0 and mail.outbox == []
    with time_machine.travel(start - timedelta(hours=23), tick=False):
        assert run_reminders() == 1
        assert run_reminders() == 0  # once
    assert len(mail.outbox) == 1
    msg = mail.outbox[0]
    assert msg.to == [c["email"]] and "Pottery class" in msg.subject
    assert school["store"]["name"] in msg.body and start.strftime("%Y-%m-%d %H:%M") in msg.body
    (name, content, mimetype), = msg.attachments
    assert name.endswith(".ics") and mimetype == "text/calendar"
    event = next(iter(Calendar.from_ical(content).walk("VEVENT")))
    assert event["summary"] == "Pottery class"
    assert event.decoded("dtstart") == start and event.decoded("dtend") == datetime.fromisoformat(b["end"])
    assert str(event["uid"]) == f"booking-{b['id']}@o2o"
    assert school["store"]["name"] in str(event["location"])


def test_cancelled_bookings_get_no_reminder_and_chinese_readers_read_chinese(school):
    api = school["api"]
    gone = book(school, school["customer"], local_day(2))
    api.post(f"/bookings/{gone['id']}/cancel", None, school["customer"]["token"])
    zh = quick_user("zh")
    User.objects.filter(pk=zh["id"]).update(language="zh-hans")
    b = book(school, zh, local_day(2))
    with time_machine.travel(datetime.fromisoformat(b["start"]) - timedelta(hours=1), tick=False):
        assert run_reminders() == 1
    (msg,) = mail.outbox
    assert msg.to == [zh["email"]]
    assert msg.subject.startswith("提醒") and "入口" in msg.body
