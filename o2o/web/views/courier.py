"""The courier's phone page: the shift switch, my tasks in route order with their map, pickup by the
bag's code, delivery by the customer's code, and the failed-delivery path. Every move goes through
o2o.delivery.couriers (the same services as the API); a refusal is shown on the page in the reader's
language. static/js/courier.js shares the phone's position (browser geolocation, at most one every
15 s, through POST /api/v1/courier/position) and draws the route on the offline map."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from o2o.accounts.models import User
from o2o.core.errors import DomainError
from o2o.delivery import couriers
from o2o.web.views.common import domain_pages, error_text
from o2o.web.views.nostore import no_store

ACTIONS = ("deliver", "fail", "retry", "return")


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _ctx(request: HttpRequest) -> dict[str, Any]:
    courier, tasks = couriers.courier_tasks(user=_user(request))
    stops: list[dict[str, Any]] = []
    for d in tasks:
        if d.status == "assigned":
            stops.append({"kind": "pickup", "lat": d.store.lat, "lng": d.store.lng, "label": d.store.name})
        stops.append({"kind": "dropoff", "lat": d.lat, "lng": d.lng, "label": f"#{d.order.number}"})
    return {"courier": courier, "tasks": tasks, "on_shift": courier.status == "on",
            "map_data": {"courier": [courier.lat, courier.lng] if courier.lat is not None else None,
                         "stops": stops, "centre": [tasks[0].store.lat, tasks[0].store.lng] if tasks else None}}


@login_required
@no_store
@domain_pages
def courier_home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/courier/home.html", _ctx(request))


@login_required
@no_store
@domain_pages
def courier_task_list(request: HttpRequest) -> HttpResponse:
    """Polled by the page (htmx, every 10 s): the task list and the map's data."""
    return render(request, "web/courier/_tasks.html", _ctx(request))


@require_POST
@login_required
@domain_pages
def courier_shift_view(request: HttpRequest) -> HttpResponse:
    on = request.POST.get("on") == "1"
    couriers.courier_shift(user=_user(request), on=on)
    messages.success(request, _("Shift started. Share your position to get orders.") if on else _("Shift ended."))
    return redirect("web:courier")


@require_POST
@login_required
@domain_pages
def courier_pickup_view(request: HttpRequest) -> HttpResponse:
    try:
        d = couriers.courier_pickup(user=_user(request), store_id=request.POST.get("store_id"),
                                    code=request.POST.get("code"))
    except DomainError as exc:
        if exc.status == 403 or (exc.status == 404 and not exc.fields):  # not a courier, or nothing of theirs
            raise
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Order %(n)s is with you now.") % {"n": d.order.number})
    return redirect("web:courier")


@require_POST
@login_required
@domain_pages
def courier_task_action(request: HttpRequest, task_id: Any, action: str) -> HttpResponse:
    user = _user(request)
    try:
        if action == "deliver":
            d = couriers.courier_deliver(user=user, delivery_id=task_id, code=request.POST.get("code"))
            messages.success(request, _("Order %(n)s delivered.") % {"n": d.order.number})
        elif action == "fail":
            d = couriers.courier_fail(user=user, delivery_id=task_id, reason=request.POST.get("reason"))
            messages.warning(request, _("Attempt noted. Try again or take it back to the store."))
        elif action == "retry":
            couriers.courier_retry(user=user, delivery_id=task_id)
        elif action == "return":
            d = couriers.courier_return(user=user, delivery_id=task_id)
            messages.success(request, _("Order %(n)s is back at the store.") % {"n": d.order.number})
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, error_text(exc))
    return redirect("web:courier")
