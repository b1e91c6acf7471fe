"""The technician's phone page and a visit's report.

- /tech/ (?day=YYYY-MM-DD): the technician's visits of the day in driving order (o2o.jobs.visits: the
  VRPTW solve of o2o.routing.visits from the merchant's store) with their planned times and the route on
  the offline map; each visit checks in on site with a camera photo, the phone's position and time
  (static/js/technician.js fills them from browser geolocation; refusals, too far or from the future, are
  shown on the visit in the reader's language) and checks out with a note.
- /jobs/visits/<id>/: the visit's report for the job's customer and the merchant's staff (photo, times,
  distance, note, the milestone and the escrow); the customer signs the milestone off there.
Every move goes through o2o.jobs.visits (merchants.access decides who may)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from o2o.accounts.models import User
from o2o.core.errors import DomainError
from o2o.core.money import Money
from o2o.jobs import selectors, visits
from o2o.web.views.common import domain_pages, error_text

MAX_PHOTO = 10 * 1024 * 1024


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
@domain_pages
def tech_day(request: HttpRequest) -> HttpResponse:
    day = visits.technician_day(user=_user(request), day=_day(request.GET.get("day")))
    store = day.store
    stops = [{"lat": r.visit.site_lat, "lng": r.visit.site_lng, "n": i, "state": r.visit.state,
              "label": f"{i}. {r.visit.site_address or r.visit.milestone.title}"}
             for i, r in enumerate(day.rows, start=1)]
    map_data = {"store": {"lat": store.lat, "lng": store.lng, "label": store.name} if store else None,
                "stops": stops}
    refused = request.session.pop("tech_refused", None)
    return render(request, "web/technician/day.html", {
        "day": day, "rows": day.rows, "map_data": map_data, "refused": refused if isinstance(refused, dict) else {},
        "day_iso": day.day.isoformat(), "prev_day": (day.day - timedelta(days=1)).isoformat(), "next_day": (day.day + timedelta(days=1)).isoformat(),
    })


def _back(request: HttpRequest, v_id: Any) -> HttpResponse:
    day = request.POST.get("day", "")
    url = reverse("web:tech_day") + (f"?day={day}" if _day(day) else "")
    return redirect(f"{url}#visit-{v_id}")


@require_POST
@login_required
@domain_pages
def tech_check_in(request: HttpRequest, visit_id: Any) -> HttpResponse:
    visits.visit_for(user=_user(request), visit_id=visit_id, act=True)  # 404 / 403 before reading the body
    photo = request.FILES.get("photo")
    data = photo.read(MAX_PHOTO + 1) if photo is not None and photo.size and photo.size <= MAX_PHOTO else b""
    try:
        visits.visit_check_in(technician=_user(request), visit_id=visit_id, lat=request.POST.get("lat"),
                              lng=request.POST.get("lng"), at=parse_datetime(request.POST.get("at") or ""),
                              photo=data)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        request.session["tech_refused"] = {"visit": str(visit_id), "text": error_text(exc)}
    else:
        messages.success(request, _("Checked in on site. The milestone is in progress."))
    return _back(request, visit_id)


@require_POST
@login_required
@domain_pages
def tech_check_out(request: HttpRequest, visit_id: Any) -> HttpResponse:
    visits.visit_for(user=_user(request), visit_id=visit_id, act=True)
    try:
        v = visits.visit_check_out(technician=_user(request), visit_id=visit_id, note=request.POST.get("note", ""),
                                   done=request.POST.get("done") == "1")
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        request.session["tech_refused"] = {"visit": str(visit_id), "text": error_text(exc)}
    else:
        messages.success(request, _("Checked out. The customer can sign the milestone off now.")
                         if v.milestone.status == "done" else _("Checked out."))
    return _back(request, visit_id)


@login_required
@domain_pages
def visit_report(request: HttpRequest, visit_id: Any) -> HttpResponse:
    v, side = visits.visit_for(user=request.user, visit_id=visit_id)
    v.milestone.refresh_from_db()
    sums, c = selectors.escrow_sums(v.job_id), v.job.currency
    return render(request, "web/technician/visit.html", {
        "v": v, "side": side, "m": v.milestone, "job": v.job, "amount": Money(v.milestone.amount, c),
        "held": Money(sums["held"], c), "released": Money(sums["release"], c),
        "dispute": v.milestone.disputes.order_by("-created_at").first(),
        "can_sign": side == "customer" and v.milestone.status in ("done", "answered")})


@require_POST
@login_required
@domain_pages
def visit_sign_off(request: HttpRequest, visit_id: Any) -> HttpResponse:
    v, side = visits.visit_for(user=request.user, visit_id=visit_id)
    if side != "customer":
        visits.visit_sign_off(customer=_user(request), visit_id=visit_id)  # refuses: 403
    try:
        m = visits.visit_sign_off(customer=_user(request), visit_id=visit_id)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Signed off: %(amount)s is released to %(merchant)s.")
                         % {"amount": Money(m.amount, m.currency).display(), "merchant": v.job.merchant.name})
    return redirect("web:visit_report", visit_id=v.pk)
