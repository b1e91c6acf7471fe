"""Technicians' visits (o2o.jobs.visits): a manager plans a visit of a staff member to a job's site for a
milestone in a time window; a technician reads their day in driving order (the VRPTW solve of
o2o.routing.visits from the merchant's store, with planned arrival and start), checks in on a visit (position,
the phone's time, a photo uploaded with POST /job-uploads) and out with a note, saying whether the work is
done. The job's customer reads a visit.

Access: planning is for owners and managers (other staff 403, anyone else 404); the day is any staff's (a
user who is nobody's staff: 403); checking in or out is the visit's technician's (the merchant's other staff
403, anyone else 404). Error codes: 422 `invalid` naming each field, `too_far` / `bad_time` (as a
milestone's check-in), `no_position`; 409 `already_checked_in`, `not_checked_in`, `already_checked_out`,
`no_site`, `invalid_transition`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from o2o.api.auth import AUTH, me
from o2o.api.errors import ErrorOut
from o2o.api.jobs_out import CheckInIn, CheckInOut, check_in_out
from o2o.jobs import visits
from o2o.jobs.models import Visit

router = Router(tags=["jobs"], auth=AUTH)
_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class VisitIn(Schema):
    technician_id: str = Field(..., max_length=64, description="a user with an active staff membership of the merchant")
    window_start: datetime = Field(..., description="arrive from (ISO 8601 with offset)")
    window_end: datetime = Field(..., description="start the work by (at most 14 h after window_start)")
    service_minutes: int = Field(60, description="time on site, 5 to 720")


class VisitOut(Schema):
    id: Any
    job_id: Any
    milestone_id: Any
    milestone_title: str
    technician_id: Any
    window_start: datetime
    window_end: datetime
    service_minutes: int
    site_address: str
    site_lat: float
    site_lng: float
    state: str = Field(..., description="planned, on_site (checked in) or done (checked out)")
    check_in: CheckInOut | None = None
    arrive: datetime | None = Field(None, description="in a day: the planned arrival (none once checked in)")
    start: datetime | None = Field(None, description="in a day: the planned start (waiting for the window)")
    late: bool = False


class DayOut(Schema):
    day: date
    store_id: Any | None
    visits: list[VisitOut]


class VisitCheckOutIn(Schema):
    note: str = Field("", max_length=4000)
    done: bool = Field(False, description="the milestone's work is finished: the customer may sign it off")


def visit_out(v: Visit, *, arrive: datetime | None = None, start: datetime | None = None,
              late: bool = False) -> dict[str, Any]:
    return {"id": v.pk, "job_id": v.job_id, "milestone_id": v.milestone_id, "milestone_title": v.milestone.title,
            "technician_id": v.technician_id, "window_start": v.window_start, "window_end": v.window_end,
            "service_minutes": v.service_minutes, "site_address": v.site_address, "site_lat": v.site_lat,
            "site_lng": v.site_lng, "state": v.state, "check_in": check_in_out(v.check_in) if v.check_in else None,
            "arrive": arrive, "start": start, "late": late}


@router.post("/job-milestones/{milestone_id}/visits", response={201: VisitOut, **_ERRORS})
def visit_plan(request: HttpRequest, milestone_id: str, body: VisitIn):  # type: ignore[no-untyped-def]
    v = visits.visit_plan(staff=me(request), milestone_id=milestone_id, technician_id=body.technician_id,
                          window_start=body.window_start, window_end=body.window_end,
                          service_minutes=body.service_minutes)
    return Status(201, visit_out(v))


@router.get("/me/visits", response={200: DayOut, **_ERRORS})
def my_day(request: HttpRequest, day: date | None = None):  # type: ignore[no-untyped-def]
    """The technician's visits of a day (their merchants' local day; today by default) in driving order."""
    d = visits.technician_day(user=me(request), day=day)
    return {"day": d.day, "store_id": d.store.pk if d.store else None,
            "visits": [visit_out(r.visit, arrive=r.arrive, start=r.start, late=r.late) for r in d.rows]}


@router.get("/job-visits/{visit_id}", response={200: VisitOut, **_ERRORS})
def visit_get(request: HttpRequest, visit_id: str):  # type: ignore[no-untyped-def]
    v, _side = visits.visit_for(user=me(request), visit_id=visit_id)
    return visit_out(v)


@router.post("/job-visits/{visit_id}/check-in", response={201: VisitOut, **_ERRORS})
def visit_check_in(request: HttpRequest, visit_id: str, body: CheckInIn):  # type: ignore[no-untyped-def]
    v = visits.visit_check_in(technician=me(request), visit_id=visit_id, lat=body.lat, lng=body.lng, at=body.at,
                              photo_id=body.photo_id)
    return Status(201, visit_out(v))


@router.post("/job-visits/{visit_id}/check-out", response={200: VisitOut, **_ERRORS})
def visit_check_out(request: HttpRequest, visit_id: str, body: VisitCheckOutIn):  # type: ignore[no-untyped-def]
    return visit_out(visits.visit_check_out(technician=me(request), visit_id=visit_id, note=body.note, done=body.done))
