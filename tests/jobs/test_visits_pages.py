"""A technician's day on the phone page (/tech/): visits of the day in the VRPTW's order with their map
data, check-in with a photo, position and time (refused too far from the site or from the future, the
reason on the visit), check-out with a note marking the milestone done; the customer signs it off on the
visit's report and the share leaves escrow for the merchant. A technician of another merchant gets 404,
other staff of the merchant 403."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from o2o.jobs import visits
from o2o.jobs.models import Milestone, Visit
from tests.helpers import CENTRE, add_staff, quick_user
from tests.jobs.conftest import SITE, job_with_deposit, jpeg_bytes

pytestmark = pytest.mark.django_db


def _client(person) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(person["user"])
    return c


ZONE = ZoneInfo("Asia/Shanghai")  # the stores' timezone
TOMORROW = timezone.localtime(timezone.now(), ZONE).date() + timedelta(days=1)


def _today_window(hours_from: float, hours_to: float) -> tuple[datetime, datetime]:
    """Tomorrow from 08:00 in the stores' timezone: the day starts then whatever the hour of the test."""
    base = datetime.combine(TOMORROW, time(8, 0), ZONE)
    return base + timedelta(hours=hours_from), base + timedelta(hours=hours_to)


def _plan(shop, milestone_id, *, lat=None, lng=None, window=(0, 3)):  # type: ignore[no-untyped-def]
    start, end = _today_window(*window)
    v = visits.visit_plan(staff=shop["owner"]["user"], milestone_id=milestone_id, technician_id=shop["tech"]["id"],
                          window_start=start, window_end=end)
    if lat is not None:
        Visit.objects.filter(pk=v.pk).update(site_lat=lat, site_lng=lng)
    return v


def _check_in(client, v, *, lat=SITE["lat"], lng=SITE["lng"], at=None, photo=True):  # type: ignore[no-untyped-def]
    data = {"lat": f"{lat}", "lng": f"{lng}", "at": (at or timezone.now()).isoformat(), "day": TOMORROW.isoformat()}
    if photo:
        data["photo"] = SimpleUploadedFile("site.jpg", jpeg_bytes(), content_type="image/jpeg")
    return client.post(reverse("web:tech_check_in", args=[v.pk]), data, follow=True)


def test_the_day_lists_visits_in_driving_order_with_the_route(shop):
    job = job_with_deposit(shop)
    ms = [m["id"] for m in job["milestones"]]
    # three sites east of the store; listed far first, the windows say near -> mid -> far
    far = _plan(shop, ms[0], lat=CENTRE[0], lng=CENTRE[1] + 0.04, window=(5, 7))
    near = _plan(shop, ms[1], lat=CENTRE[0], lng=CENTRE[1] + 0.01, window=(0, 2))
    mid = _plan(shop, ms[2], lat=CENTRE[0], lng=CENTRE[1] + 0.02, window=(1, 8))
    r = _client(shop["tech"]).get(reverse("web:tech_day") + f"?day={TOMORROW.isoformat()}")
    assert r.status_code == 200
    assert [row.visit.pk for row in r.context["rows"]] == [near.pk, mid.pk, far.pk]
    body = r.content.decode()
    data = json.loads(body.split('id="tech-map-data" type="application/json">')[1].split("</script>")[0])
    assert data["store"]["lat"] == pytest.approx(CENTRE[0])
    assert [(s["lat"], s["lng"]) for s in data["stops"]] == [(CENTRE[0], CENTRE[1] + d) for d in (0.01, 0.02, 0.04)]
    assert 'id="tech-map"' in body and "geo/demo_city.geojson" in body and "js/technician.js" in body
    # another day has none of them
    r = _client(shop["tech"]).get(reverse("web:tech_day") + "?day=2020-01-01")
    assert r.context["rows"] == [] and "No visits on this day." in r.content.decode()


def test_check_in_refused_too_far_or_from_the_future_then_in_out_and_signed_off(shop):
    job = job_with_deposit(shop)
    m1 = job["milestones"][0]["id"]
    v = _plan(shop, m1)
    tech = _client(shop["tech"])
    # 5 km north of the site: refused on the visit, with the distance and the radius
    r = _check_in(tech, v, lat=SITE["lat"] + 0.045)
    body = r.content.decode()
    assert 'class="refusal" role="alert"' in body and "m from the site; check in within 300 m of it." in body
    # the phone's clock an hour ahead
    r = _check_in(tech, v, at=timezone.now() + timedelta(hours=1))
    assert "The check-in time is in the future." in r.content.decode()
    # no position (location refused by the phone)
    r = tech.post(reverse("web:tech_check_in", args=[v.pk]),
                  {"day": TOMORROW.isoformat(), "photo": SimpleUploadedFile("s.jpg", jpeg_bytes(), content_type="image/jpeg")}, follow=True)
    assert "allow location for this page" in r.content.decode()
    v.refresh_from_db()
    assert v.check_in_id is None and Milestone.objects.get(pk=m1).status == "pending"
    # on site, 110 m away: checked in, the milestone starts
    r = _check_in(tech, v, lat=SITE["lat"] + 0.001)
    v.refresh_from_db()
    assert v.state == "on_site" and 100 < v.check_in.distance_m < 120
    assert Milestone.objects.get(pk=m1).status == "in_progress"
    assert "Checked in on site." in r.content.decode()
    r = tech.post(reverse("web:tech_check_out", args=[v.pk]), {"note": "Old tiles out, debris bagged.", "done": "1",
                                                          "day": TOMORROW.isoformat()},
                  follow=True)
    v.refresh_from_db()
    assert v.state == "done" and v.check_in.note == "Old tiles out, debris bagged."
    assert Milestone.objects.get(pk=m1).status == "done"
    # the customer's report: photo, note, escrow; signing off releases the 300.00 share
    customer = _client(shop["customer"])
    url = reverse("web:visit_report", args=[v.pk])
    body = customer.get(url).content.decode()
    assert v.check_in.photo.content.url in body and "Old tiles out" in body and "Sign off this milestone" in body
    r = customer.post(reverse("web:visit_sign_off", args=[v.pk]), follow=True)
    body = r.content.decode()
    assert Milestone.objects.get(pk=m1).status == "signed_off"
    assert 'class="released">CN¥300.00<' in body and 'class="held">CN¥0.00<' in body
    assert "is released to Panda Renovation" in body


def test_who_may_see_and_act_on_a_visit(shop, api_client):
    job = job_with_deposit(shop)
    v = _plan(shop, job["milestones"][0]["id"])
    # a technician of another merchant: 404 on the visit, an empty day of their own
    rival_owner = quick_user("rival")
    ms = api_client.merchant_with_store(rival_owner, category="renovation", name="Rival Reno")
    rival_tech = add_staff(api_client, rival_owner, ms["merchant"]["id"], "courier", [ms["store"]["id"]])
    rt = _client(rival_tech)
    assert _check_in(rt, v).status_code == 404
    assert rt.post(reverse("web:tech_check_out", args=[v.pk]), {"note": "x"}).status_code == 404
    assert rt.get(reverse("web:visit_report", args=[v.pk])).status_code == 404
    assert rt.get(reverse("web:tech_day") + f"?day={TOMORROW.isoformat()}").context["rows"] == []
    # the merchant's clerk is not this visit's technician: 403; may read its report
    clerk = _client(shop["clerk"])
    assert _check_in(clerk, v).status_code == 403
    assert clerk.get(reverse("web:visit_report", args=[v.pk])).status_code == 200
    assert clerk.post(reverse("web:visit_sign_off", args=[v.pk])).status_code == 403
    # a customer who is nobody's staff has no day; a stranger no report
    assert _client(shop["customer"]).get(reverse("web:tech_day")).status_code == 403
    assert _client(shop["stranger"]).get(reverse("web:visit_report", args=[v.pk])).status_code == 404
    # only managers plan visits; a technician must be the merchant's staff
    with pytest.raises(Exception) as e:
        visits.visit_plan(staff=shop["clerk"]["user"], milestone_id=v.milestone_id, technician_id=shop["tech"]["id"],
                          window_start=v.window_start, window_end=v.window_end)
    assert getattr(e.value, "status", None) == 403
    with pytest.raises(Exception) as e:
        visits.visit_plan(staff=shop["owner"]["user"], milestone_id=v.milestone_id, technician_id=rival_tech["id"],
                          window_start=v.window_start, window_end=v.window_end)
    assert getattr(e.value, "fields", {}).get("technician_id")


def test_the_customers_request_page_links_each_milestones_visit_report(shop):
    job = job_with_deposit(shop)
    v = _plan(shop, job["milestones"][0]["id"])
    page = _client(shop["customer"]).get(reverse("web:job_request", args=[job["request_id"]]))
    assert page.status_code == 200
    assert f'href="{reverse("web:visit_report", args=[v.pk])}"' in page.content.decode()
