"""Reading bookings and a service's open slots (one capacity query per store and day, plus one for the
resources' busy cells when the service has resources)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from o2o.bookings.models import Booking, Service, SlotHold
from o2o.bookings.rules import bookable, day_slots
from o2o.capacity.rules import grains
from o2o.capacity.selectors import busy_cells, taken_by_start
from o2o.catalogue.enums import OfferingKind, OfferingStatus
from o2o.core.errors import Invalid, NotFound
from o2o.merchants.access import as_uuid, public_stores
from o2o.merchants.enums import MerchantStatus
from o2o.merchants.models import Store


@dataclass(frozen=True)
class OpenSlot:
    store_id: Any
    start: datetime
    end: datetime
    capacity_left: int


def live_service(offering_id: Any) -> Service:
    """The bookable service of a live offering of an active merchant; 404 otherwise."""
    service = (Service.objects.select_related("offering__merchant")
               .filter(offering_id=as_uuid(offering_id), offering__kind=OfferingKind.SERVICE,
                       offering__status=OfferingStatus.LIVE, offering__merchant__status=MerchantStatus.ACTIVE)
               .first())
    if service is None:
        raise NotFound(_("This service cannot be booked."), fields={"offering_id": str(offering_id)})
    return service


def service_stores(service: Service) -> list[Store]:
    """The active stores the service is offered at, oldest first (the default store of a booking)."""
    return list(public_stores().filter(offerings=service.offering_id).order_by("created_at", "pk"))


def resource_keys(service: Service) -> list[str]:
    return sorted(r.capacity_key for r in service.resources.filter(active=True))


def parse_day(value: Any) -> date:
    if isinstance(value, date):
        return value
    try:
        if isinstance(value, str) and len(value) == 10:
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise Invalid(_("Give the date as YYYY-MM-DD."), fields={"date": "YYYY-MM-DD"})


def open_slots(*, service: Service, day: date, stores: list[Store] | None = None,
               now: datetime | None = None) -> list[OpenSlot]:
    """The slots of `day` (each store's own calendar day) a customer may book now: within notice and
    horizon, with a seat left and the resources free (or already held by that slot's own bookings)."""
    now = now or timezone.now()
    stores = service_stores(service) if stores is None else stores
    keys = resource_keys(service)
    out: list[OpenSlot] = []
    for store in stores:
        windows = [(s, e) for s, e in day_slots(schedule=service.schedule, exceptions=service.exceptions,
                                                tz=store.timezone, day=day, duration_minutes=service.duration_minutes,
                                                closed_dates=store.closed_dates or ())
                   if bookable(start=s, now=now, lead_minutes=service.lead_minutes, horizon_days=service.horizon_days)]
        if not windows:
            continue
        taken = taken_by_start(resource=service.seat_key(store.pk), starts=[s for s, _e in windows])
        held: set[datetime] = set()
        busy: dict[str, set[datetime]] = {}
        if keys:
            held = set(SlotHold.objects.filter(offering_id=service.offering_id, store=store, resources_held=True,
                                               start__in=[s for s, _e in windows]).values_list("start", flat=True))
            busy = busy_cells(resources=keys, start=windows[0][0], end=max(e for _s, e in windows))
        for s, e in windows:
            left = service.capacity - taken[s]
            if left <= 0:
                continue
            if keys and s not in held and any(c in busy[k] for k in keys for c in grains(start=s, end=e)):
                continue
            out.append(OpenSlot(store_id=store.pk, start=s, end=e, capacity_left=left))
    out.sort(key=lambda slot: (slot.start, str(slot.store_id)))
    return out


def bookings_of_customer(customer: Any) -> QuerySet[Booking]:
    return Booking.objects.filter(customer=customer).select_related("store", "order", "offering").order_by("-start", "-created_at")


def booking_for_customer(*, customer: Any, booking_id: Any) -> Booking:
    booking = bookings_of_customer(customer).filter(pk=as_uuid(booking_id)).first()
    if booking is None:
        raise NotFound()
    return booking


def bookings_of_store_day(*, store: Store, day: date) -> QuerySet[Booking]:
    """The store's bookings that start on its calendar day `day` (the caller checked the staff's access)."""
    from o2o.merchants.hours import local_midnight

    start = local_midnight(day, store.timezone)
    end = local_midnight(day + timedelta(days=1), store.timezone)
    return Booking.objects.filter(store=store, start__gte=start, start__lt=end).select_related("store", "order")
