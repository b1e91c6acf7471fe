"""Appointment pages. Customer (phone-sized): a service's days and slots in the store's time (the reader's own
time beside it when it differs, filled in by js/bookings.js), book and pay, "my bookings" with the QR to
show at the door and a cancel within the window. Merchant: a store's day of bookings with check-in (by
scanning the customer's QR, or by hand) and no-shows. Every write goes through o2o.bookings.services."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from o2o.bookings import reschedule, selectors, services
from o2o.bookings.enums import BookingStatus, Prepay
from o2o.bookings.models import Booking
from o2o.bookings.payment import is_paid, pay_now
from o2o.core.errors import DomainError, Invalid, NotFound, PaymentRequired
from o2o.core.money import Money
from o2o.merchants.access import merchant_for_staff, store_for_staff
from o2o.payments.cards import parse_expiry
from o2o.vouchers import signing
from o2o.web.forms import PayForm
from o2o.web.views.common import domain_pages, error_text
from o2o.web.views.nostore import no_store

DAYS_SHOWN = 7


def _day(value: Any, default: date) -> date:
    try:
        return selectors.parse_day(value) if value else default
    except Invalid:
        return default


@domain_pages
def service_book(request: HttpRequest, offering_id: Any) -> HttpResponse:
    """GET: the service's next days and the chosen day's open slots; POST (signed in): book the slot."""
    service = selectors.live_service(offering_id)
    stores = selectors.service_stores(service)
    if not stores:
        return render(request, "web/bookings/book.html", {"service": service, "days": [], "slots": []})
    # ?move=<booking>: the customer picks the new time of one of their bookings of this service (at its store)
    moving = _moving(request, service)
    store = moving.store if moving is not None else stores[0]
    tz = ZoneInfo(store.timezone)
    today = timezone.now().astimezone(tz).date()
    if request.method == "POST" and moving is not None:
        try:
            reschedule.booking_reschedule(customer=request.user, booking_id=moving.pk,  # type: ignore[arg-type]
                                          start=request.POST.get("start", ""))
        except DomainError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Moved. What you paid stays with the booking."))
            return redirect("web:my_bookings")
    elif request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{_login_url()}?next={request.path}")
        try:
            booking = services.booking_create(customer=request.user,  # type: ignore[arg-type]
                                              offering_id=service.offering_id, start=request.POST.get("start", ""),
                                              store_id=store.pk)
        except DomainError as exc:
            messages.error(request, error_text(exc))
        else:
            if booking.order_id is not None:
                return redirect("web:booking_pay", booking_id=booking.pk)
            messages.success(request, _("Booked. Show the QR code at the door."))
            return redirect("web:my_bookings")
    day = _day(request.GET.get("date") or request.POST.get("date"), today)
    days = [today + timedelta(days=i) for i in range(DAYS_SHOWN)]
    if day not in days and not today <= day <= today + timedelta(days=service.horizon_days):
        day = today
    services.offers_expire_due(offering_id=service.offering_id)
    slots = selectors.open_slots(service=service, day=day, stores=[store])
    offering = service.offering
    return render(request, "web/bookings/book.html", {
        "service": service, "offering": offering, "store": store, "day": day, "moving": _card(moving) if moving else None,
        # each chip's weekday (Django's translated abbreviations) and day of the month, from the date itself:
        # templates format dates only with the named formats
        "days": [{"date": d, "weekday": WEEKDAYS_ABBR[d.weekday()], "num": d.day} for d in days],
        "slots": [{"start": s.start.astimezone(tz), "end": s.end.astimezone(tz), "left": s.capacity_left,
                   "iso": s.start.astimezone(tz).isoformat()} for s in slots],
        "deposit": Money(service.deposit_amount, offering.currency)
        if service.prepay == Prepay.DEPOSIT and service.deposit_amount is not None else None,
    })


def _moving(request: HttpRequest, service: Any) -> Booking | None:
    """The signed-in customer's booking of this service named by ?move= (someone else's or another
    service's: 404), or None when the page books a new seat."""
    raw = request.GET.get("move") or request.POST.get("move")
    if not raw or not request.user.is_authenticated:
        return None
    booking = selectors.booking_for_customer(customer=request.user, booking_id=raw)
    if booking.offering_id != service.offering_id:
        raise NotFound()
    return booking


def _login_url() -> str:
    from django.conf import settings
    from django.shortcuts import resolve_url

    return str(resolve_url(settings.LOGIN_URL))


def _card(b: Booking) -> dict[str, Any]:
    tz = ZoneInfo(b.store.timezone)
    qr = signing.sign(services.booking_pass_payload(b)) if b.status == BookingStatus.BOOKED and is_paid(b) else None
    now = timezone.now()
    can_cancel = b.status == BookingStatus.BOOKED and (now <= b.cancel_until or b.late_cancel_keep_percent is not None)
    due = None
    if b.order is not None and b.order.status == "awaiting_payment" and b.order.expires_at > now:
        _purpose, amount = pay_now(b)
        due = Money(amount if amount is not None else b.order.total_amount, b.currency)
    return {"b": b, "start": b.start.astimezone(tz), "end": b.end.astimezone(tz), "qr": qr,
            "cancel_until": b.cancel_until.astimezone(tz), "can_cancel": can_cancel,
            "can_move": b.status == BookingStatus.BOOKED and now <= b.cancel_until,
            "day_iso": b.start.astimezone(tz).date().isoformat(),
            "late": now > b.cancel_until, "due": due, "status": BookingStatus(b.status).label}


@login_required
@no_store
@domain_pages
def my_bookings(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.bookings_of_customer(request.user)[:50])
    now = timezone.now()
    upcoming = sorted((b for b in rows if b.end > now and b.status == BookingStatus.BOOKED), key=lambda b: b.start)
    past = [b for b in rows if b not in upcoming]
    return render(request, "web/bookings/mine.html", {"upcoming": [_card(b) for b in upcoming],
                                                      "past": [_card(b) for b in past]})


@login_required
@require_POST
@domain_pages
def booking_cancel_view(request: HttpRequest, booking_id: Any) -> HttpResponse:
    selectors.booking_for_customer(customer=request.user, booking_id=booking_id)  # someone else's: 404
    try:
        services.booking_cancel(customer=request.user, booking_id=booking_id)  # type: ignore[arg-type]
    except DomainError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Cancelled. Anything paid online goes back to your card by the booking's rules."))
    return redirect("web:my_bookings")


@login_required
@no_store
@domain_pages
def booking_pay_view(request: HttpRequest, booking_id: Any) -> HttpResponse:
    booking = selectors.booking_for_customer(customer=request.user, booking_id=booking_id)
    card = _card(booking)
    if card["due"] is None:
        return redirect("web:my_bookings")
    form = PayForm(request.POST or None)
    declined = ""
    if request.method == "POST" and form.is_valid():
        number = "".join(ch for ch in form.cleaned_data["card_number"] if ch.isdigit())
        try:
            month, year = parse_expiry(form.cleaned_data["expiry"])
            services.booking_pay(customer=request.user, booking_id=booking.pk, provider="sandbox",  # type: ignore[arg-type]
                                 details={"card_number": number, "exp_month": month, "exp_year": year,
                                          "cvc": form.cleaned_data["cvc"]})
        except PaymentRequired as exc:
            declined = error_text(exc)
        except Invalid as exc:
            form.add_error("card_number", error_text(exc))
        except DomainError as exc:
            messages.error(request, error_text(exc))
            return redirect("web:my_bookings")
        else:
            messages.success(request, _("Paid. Show the QR code at the door."))
            return redirect("web:my_bookings")
    return render(request, "web/bookings/pay.html", {"card": card, "form": form, "declined": declined})


# --- merchant ---------------------------------------------------------------------------------------------------

@login_required
@no_store
@domain_pages
def store_day(request: HttpRequest, merchant_id: Any, store_id: Any) -> HttpResponse:
    """A store's bookings of one day (its calendar day) with the door's check-in by scan and by hand."""
    merchant, _membership = merchant_for_staff(user=request.user, merchant_id=merchant_id)
    store, _m = store_for_staff(user=request.user, store_id=store_id)
    if store.merchant_id != merchant.pk:
        from o2o.core.errors import NotFound

        raise NotFound()
    tz = ZoneInfo(store.timezone)
    today = timezone.now().astimezone(tz).date()
    if request.method == "POST":
        action, now = request.POST.get("action", ""), timezone.now()
        try:
            if action == "scan":
                payload = signing.verify(request.POST.get("qr_payload", ""))
                b = services.booking_check_in_by_pass(user=request.user, store_id=store.pk,  # type: ignore[arg-type]
                                                      payload=payload, now=now)
                messages.success(request, _("%(title)s: checked in.") % {"title": b.title})
            elif action == "check_in":
                b = services.booking_check_in(user=request.user, booking_id=request.POST.get("booking_id"),  # type: ignore[arg-type]
                                              now=now)
                messages.success(request, _("%(title)s: checked in.") % {"title": b.title})
            elif action == "no_show":
                b = services.booking_no_show(user=request.user, booking_id=request.POST.get("booking_id"),  # type: ignore[arg-type]
                                             now=now)
                messages.success(request, _("%(title)s: marked as a no-show.") % {"title": b.title})
        except DomainError as exc:
            messages.error(request, error_text(exc))
        return redirect(f"{request.path}?date={_day(request.POST.get('date'), today).isoformat()}")
    day = _day(request.GET.get("date"), today)
    rows = list(selectors.bookings_of_store_day(store=store, day=day).select_related("customer")
                .order_by("start", "created_at"))
    now = timezone.now()
    return render(request, "web/bookings/store_day.html", {
        "merchant": merchant, "store": store, "day": day, "prev": day - timedelta(days=1),
        "next": day + timedelta(days=1), "today": today,
        "rows": [{"b": b, "start": b.start.astimezone(tz), "end": b.end.astimezone(tz),
                  "status": BookingStatus(b.status).label, "paid": is_paid(b),
                  "can_no_show": b.status == BookingStatus.BOOKED and now >= b.start,
                  "can_check_in": b.status == BookingStatus.BOOKED and now < b.end} for b in rows],
    })

