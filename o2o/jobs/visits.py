"""Technicians' visits: a manager plans a visit of a staff member to a job's site for one milestone in a
time window; the technician's day lists their visits of a day in driving order (o2o.routing.visits: one
vehicle from the merchant's store, the windows kept where they can be), checks in on site with the photo
the phone took (jobs.site.check_in: refused beyond the form's radius or from the future) and checks out
with a note, saying whether the milestone's work is done; the customer then signs the milestone off (its
share leaves escrow for the merchant, jobs.escrow).

Who may do what goes through merchants.access: not staff of the job's merchant -> 404; staff, but not the
visit's technician -> 403 (a manager plans, the technician acts); the job's customer reads the visit's
report and signs off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from o2o.accounts.models import User
from o2o.core.errors import Conflict, Forbidden, Invalid, NotFound
from o2o.jobs import escrow, selectors, site
from o2o.jobs.enums import MilestoneStatus
from o2o.jobs.models import Milestone, Visit
from o2o.merchants.access import as_uuid, membership_of, merchant_for_staff, staff_merchant_ids
from o2o.merchants.models import Store
from o2o.routing.dispatch import LatLng
from o2o.routing.visits import PlannedVisit, VisitStop, order_visits

DAY_STARTS = time(8, 0)  # a day ahead starts at the store at 08:00 (today starts now)
MAX_WINDOW = timedelta(hours=14)


def _aware(value: Any, field: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise Invalid(_("Some fields are not valid."), fields={field: _("a time with its offset")})
    return value


def visit_plan(*, staff: User, milestone_id: Any, technician_id: Any, window_start: datetime,
               window_end: datetime, service_minutes: int = 60) -> Visit:
    """A visit of `technician_id` (active staff of the job's merchant) to the job's site for the milestone
    (owners and managers; other staff 403, anyone else 404). 422 naming what is wrong."""
    m, side = selectors.milestone_for(user=staff, milestone_id=milestone_id)
    if side != "merchant":
        raise NotFound()
    job = m.job
    merchant_for_staff(user=staff, merchant_id=job.merchant_id, manage=True)
    req = job.request
    if req.site_lat is None or req.site_lng is None:
        raise Conflict(_("This request has no site position to check in at."), code="no_site")
    problems: dict[str, str] = {}
    try:
        tech = User.objects.filter(pk=as_uuid(technician_id), is_active=True).first()
    except NotFound:
        tech = None
    if tech is None or membership_of(tech, job.merchant_id) is None:
        problems["technician_id"] = _("not staff of this merchant")
    start, end = _aware(window_start, "window_start"), _aware(window_end, "window_end")
    if not start <= end <= start + MAX_WINDOW:
        problems["window_end"] = _("after the window's start, at most 14 hours later")
    if isinstance(service_minutes, bool) or not isinstance(service_minutes, int) or not 5 <= service_minutes <= 720:
        problems["service_minutes"] = _("5 to 720 minutes")
    if m.status not in (MilestoneStatus.PENDING, MilestoneStatus.IN_PROGRESS, MilestoneStatus.DONE):
        problems["milestone_id"] = _("a milestone still open")
    if problems or tech is None:
        raise Invalid(_("Some fields are not valid."), fields=problems)
    return Visit.objects.create(job=job, milestone=m, technician=tech, window_start=start, window_end=end,
                                service_minutes=service_minutes, site_address=req.site_address,
                                site_lat=req.site_lat, site_lng=req.site_lng)


def visit_for(*, user: Any, visit_id: Any, act: bool = False) -> tuple[Visit, str]:
    """The visit and who reads it: 'customer' (the job's) or 'merchant' (its staff). act=True: only the
    visit's own technician (other staff of the merchant 403, anyone else 404)."""
    v = (Visit.objects.select_related("job", "milestone", "check_in", "check_in__photo", "technician",
                                      "job__request__form__store", "job__merchant")
         .filter(pk=as_uuid(visit_id)).first())
    if v is None:
        raise NotFound()
    if not act and getattr(user, "is_authenticated", False) and v.job.customer_id == user.pk:
        return v, "customer"
    merchant_for_staff(user=user, merchant_id=v.job.merchant_id)  # 404 to anyone but the merchant's staff
    if act and v.technician_id != user.pk:
        raise Forbidden(_("This visit is another technician's."))
    return v, "merchant"


def _store_of(v: Visit) -> Store | None:
    form = v.job.request.form
    return form.store or Store.objects.filter(merchant_id=v.job.merchant_id).order_by("created_at").first()


@dataclass(frozen=True)
class DayRow:
    visit: Visit
    arrive: datetime | None  # planned (None once checked in: the check-in's own time says it)
    start: datetime | None
    late: bool


@dataclass(frozen=True)
class Day:
    day: date
    zone: ZoneInfo
    store: Store | None
    rows: list[DayRow]


def technician_day(*, user: Any, day: date | None = None, now: datetime | None = None,
                   seconds: float = 0.3) -> Day:
    """The user's visits of a day (their merchants' local day) in order: those checked in already by
    check-in time, then the rest as the VRPTW solve drives them from the last place (the store; leaving now
    today, at 08:00 another day). Not staff of any merchant: 403."""
    merchants = staff_merchant_ids(user)
    if not merchants:
        raise Forbidden(_("You are not staff of any merchant."))
    now = now or timezone.now()
    store = Store.objects.filter(merchant_id__in=merchants).order_by("created_at").first()
    zone = ZoneInfo(store.timezone if store else "UTC")
    day = day or timezone.localtime(now, zone).date()
    begin = datetime.combine(day, time(0), zone)
    visits = list(Visit.objects.select_related("job__request__form__store", "milestone", "check_in", "job__merchant")
                  .filter(technician=user, job__merchant_id__in=merchants, window_start__gte=begin,
                          window_start__lt=begin + timedelta(days=1)).order_by("window_start", "created_at"))
    if visits:
        store = _store_of(visits[0]) or store
    checked = sorted((v for v in visits if v.check_in is not None), key=lambda v: v.check_in.at)  # type: ignore[union-attr]
    rows = [DayRow(visit=v, arrive=None, start=None, late=False) for v in checked]
    todo = [v for v in visits if v.check_in is None]
    if todo:
        here = LatLng(checked[-1].site_lat, checked[-1].site_lng) if checked else \
            LatLng(store.lat, store.lng) if store else LatLng(todo[0].site_lat, todo[0].site_lng)
        # today the technician leaves now; another day at 08:00
        leave = now if day == timezone.localtime(now, zone).date() else datetime.combine(day, DAY_STARTS, zone)
        plan: list[PlannedVisit] = order_visits(
            start=here, start_at=leave, seconds=seconds,
            visits=[VisitStop(id=v.pk, position=LatLng(v.site_lat, v.site_lng), window_start=v.window_start,
                              window_end=v.window_end, service_minutes=v.service_minutes) for v in todo])
        by_id: dict[Any, Visit] = {v.pk: v for v in todo}
        rows += [DayRow(visit=by_id[p.id], arrive=p.arrive, start=p.start, late=p.late) for p in plan]
    return Day(day=day, zone=zone, store=store, rows=rows)


def visit_check_in(*, technician: User, visit_id: Any, lat: Any, lng: Any, at: Any, photo: bytes | None = None,
                   photo_id: Any = None) -> Visit:
    """The visit's technician checks in on site with the photo the phone took (its bytes, or an upload of
    theirs by id), its position and time (jobs.site.check_in's rules: 422 too_far / bad_time; the milestone
    starts). Nothing is kept when refused."""
    v, _side = visit_for(user=technician, visit_id=visit_id, act=True)
    if v.check_in_id is not None:
        raise Conflict(_("You checked in on this visit already."), code="already_checked_in")
    try:
        lat_f, lng_f = float(lat), float(lng)
    except (TypeError, ValueError):
        raise Invalid(_("Your phone did not give its position: allow location for this page and try again."),
                      fields={"lat": _("a number"), "lng": _("a number")}, code="no_position") from None
    if not photo and not photo_id:
        raise Invalid(_("Take a photo of the site to check in."), fields={"photo": _("required")})
    from o2o.jobs.services import upload_create

    with transaction.atomic():
        if photo:
            photo_id = upload_create(user=technician, data=photo, name="check-in").pk
        c = site.check_in(technician=technician, milestone_id=v.milestone_id, lat=lat_f, lng=lng_f,
                          at=_aware(at, "at"), photo_id=photo_id)
        if not Visit.objects.filter(pk=v.pk, check_in__isnull=True).update(check_in=c):
            raise Conflict(_("You checked in on this visit already."), code="already_checked_in")
    v.refresh_from_db()
    return v


def visit_check_out(*, technician: User, visit_id: Any, note: Any, done: bool) -> Visit:
    """Check out with a note; `done`: the milestone's work is finished (the customer may sign it off)."""
    v, _side = visit_for(user=technician, visit_id=visit_id, act=True)
    if v.check_in_id is None:
        raise Conflict(_("Check in on site first."), code="not_checked_in")
    with transaction.atomic():
        site.check_out(technician=technician, check_in_id=v.check_in_id, note=note)
        if done and Milestone.objects.filter(pk=v.milestone_id, status=MilestoneStatus.IN_PROGRESS).exists():
            escrow.milestone_done(staff=technician, milestone_id=v.milestone_id)
    v.refresh_from_db()
    return v


def visit_sign_off(*, customer: User, visit_id: Any) -> Milestone:
    """The job's customer signs the visit's milestone off (jobs.escrow.milestone_sign_off's rules)."""
    v, side = visit_for(user=customer, visit_id=visit_id)
    if side != "customer":
        raise Forbidden(_("Only the customer signs a milestone off."))
    return escrow.milestone_sign_off(customer=customer, milestone_id=v.milestone_id)
