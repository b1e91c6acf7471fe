"""The visits API: a manager plans a visit for a staff member; the technician reads the day in driving order,
checks in on the visit (refused too far away, from the future), checks out marking the work done; the customer
reads the visit. Who may: planning is managers', checking in the visit's technician's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.helpers import assert_error
from tests.jobs.conftest import SITE, job_with_deposit, png_bytes, upload_ok

pytestmark = pytest.mark.django_db


def _window(hours: float = 0):  # type: ignore[no-untyped-def]
    start = timezone.now() + timedelta(hours=hours)
    return {"window_start": start.isoformat(), "window_end": (start + timedelta(hours=2)).isoformat()}


def test_plan_day_check_in_and_out_through_the_api(shop):
    api = shop["api"]
    job = job_with_deposit(shop)
    m1 = job["milestones"][0]["id"]
    body = {"technician_id": shop["tech"]["id"], **_window(), "service_minutes": 90}
    assert_error(api.post(f"/job-milestones/{m1}/visits", body, shop["clerk"]["token"]), 403)
    assert_error(api.post(f"/job-milestones/{m1}/visits", body, shop["stranger"]["token"]), 404)
    err = assert_error(api.post(f"/job-milestones/{m1}/visits", {**body, "technician_id": shop["stranger"]["id"]},
                                shop["owner"]["token"]), 422)
    assert "technician_id" in err["fields"]
    err = assert_error(api.post(f"/job-milestones/{m1}/visits", {**body, "service_minutes": 0},
                                shop["owner"]["token"]), 422)
    assert "service_minutes" in err["fields"]
    r = api.post(f"/job-milestones/{m1}/visits", body, shop["owner"]["token"])
    assert r.status_code == 201, r.content
    v = r.json()
    assert v["state"] == "planned" and v["site_lat"] == SITE["lat"] and v["service_minutes"] == 90

    day = api.get("/me/visits", shop["tech"]["token"]).json()
    assert [x["id"] for x in day["visits"]] == [v["id"]] and day["visits"][0]["arrive"] is not None
    assert api.get("/me/visits", shop["tech"]["token"], day="2020-01-01").json()["visits"] == []
    assert_error(api.get("/me/visits", shop["customer"]["token"]), 403)

    def check_in(who, **over):  # type: ignore[no-untyped-def]
        photo = upload_ok(api, shop[who], png_bytes())
        payload = {"lat": SITE["lat"], "lng": SITE["lng"], "at": timezone.now().isoformat(), "photo_id": photo, **over}
        return api.post(f"/job-visits/{v['id']}/check-in", payload, shop[who]["token"])

    assert_error(check_in("clerk"), 403)
    assert_error(check_in("stranger"), 404)
    assert_error(check_in("tech", lat=SITE["lat"] + 0.045), 422, "too_far")
    assert_error(check_in("tech", at=(timezone.now() + timedelta(hours=1)).isoformat()), 422, "bad_time")
    assert_error(api.post(f"/job-visits/{v['id']}/check-out", {"note": "x"}, shop["tech"]["token"]), 409,
                 "not_checked_in")
    r = check_in("tech", lat=SITE["lat"] + 0.0005)
    assert r.status_code == 201, r.content
    assert r.json()["state"] == "on_site" and 50 < r.json()["check_in"]["distance_m"] < 60
    assert_error(check_in("tech"), 409, "already_checked_in")
    r = api.post(f"/job-visits/{v['id']}/check-out", {"note": "Tiles out.", "done": True}, shop["tech"]["token"])
    assert r.status_code == 200 and r.json()["state"] == "done" and r.json()["check_in"]["note"] == "Tiles out."
    seen = api.get(f"/job-visits/{v['id']}", shop["customer"]["token"]).json()
    assert seen["state"] == "done"
    assert api.get(f"/jobs/{job['id']}", shop["customer"]["token"]).json()["milestones"][0]["status"] == "done"
    assert_error(api.get(f"/job-visits/{v['id']}", shop["stranger"]["token"]), 404)
