"""Delivery zones and quotes: the merchant draws zones per store; a position is priced by the zone
that serves it most cheaply (a point inside several zones pays the lowest fee)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from o2o.accounts.models import User
from o2o.audit.services import audit_record
from o2o.core import conf
from o2o.core.errors import Invalid
from o2o.core.money import Money, parse_amount
from o2o.delivery.enums import FailedRefund, ZoneKind
from o2o.delivery.errors import OutOfZone
from o2o.delivery.geo import (
    HANDOVER_S,
    MAX_ZONE_M,
    bands_out,
    fee_for,
    haversine_m,
    in_polygon,
    parse_bands,
    parse_polygon,
    stored_bands,
    travel_seconds,
)
from o2o.delivery.models import DeliveryZone, StoreDelivery
from o2o.merchants.access import store_for_staff
from o2o.merchants.models import Store

MAX_ZONES = 20


def delivery_settings(store: Store) -> StoreDelivery:
    try:
        return store.delivery_settings  # type: ignore[attr-defined,no-any-return]
    except StoreDelivery.DoesNotExist:
        return StoreDelivery(store=store)


def zone_create(*, user: User, store_id: Any, name: Any, kind: Any, radius_m: Any = None, polygon: Any = None,
                fee_bands: Any, minimum_order: Any = None) -> DeliveryZone:
    """A new zone of the store (owners and managers): `radius` with radius_m, or `polygon` with
    [[lng, lat], ...]; fee bands ascending; minimum order {amount, currency} or "20.00"."""
    store, _m = store_for_staff(user=user, store_id=store_id, manage=True)
    currency = conf.get().currency
    if not isinstance(name, str) or not name.strip() or len(name) > 80:
        raise Invalid(_("Some fields are not valid."), fields={"name": _("1 to 80 characters")})
    if kind not in ZoneKind.values:
        raise Invalid(_("Some fields are not valid."), fields={"kind": "radius, polygon"})
    ring: list[list[float]] = []
    if kind == ZoneKind.RADIUS:
        if isinstance(radius_m, bool) or not isinstance(radius_m, int) or not 50 <= radius_m <= MAX_ZONE_M:
            raise Invalid(_("Some fields are not valid."), fields={"radius_m": _("metres, 50 to %(n)d") % {"n": MAX_ZONE_M}})
    else:
        ring = parse_polygon(polygon)
        far = max(haversine_m(store.lat, store.lng, lat, lng) for lng, lat in ring)
        if far > MAX_ZONE_M:
            raise Invalid(_("The zone reaches too far from the store."), fields={"polygon": _("within %(n)d m") % {"n": MAX_ZONE_M}})
        radius_m = None
    bands = parse_bands(fee_bands, currency)
    if isinstance(minimum_order, dict):
        if minimum_order.get("currency", currency) != currency:
            raise Invalid(_("Unknown currency."), fields={"minimum_order.currency": currency})
        minimum_order = minimum_order.get("amount")
    minimum = parse_amount("0" if minimum_order is None else minimum_order, currency, field="minimum_order")
    with transaction.atomic():
        if DeliveryZone.objects.filter(store=store, active=True).count() >= MAX_ZONES:
            raise Invalid(_("A store has at most %(n)d zones.") % {"n": MAX_ZONES}, fields={"name": _("too many zones")})
        zone = DeliveryZone.objects.create(store=store, name=name.strip(), kind=kind, radius_m=radius_m, polygon=ring,
                                           fee_bands=bands_out(bands), minimum_order_amount=minimum.amount,
                                           currency=currency)
    audit_record(actor=user, action="delivery.zone_create", obj=zone, summary=f"Delivery zone {zone.name} at {store.name}",
                 data={"store": str(store.pk), "kind": kind})
    return zone


def store_delivery_set(*, user: User, store_id: Any, prep_minutes: Any = None, failed_refund: Any = None,
                       max_attempts: Any = None) -> StoreDelivery:
    store, _m = store_for_staff(user=user, store_id=store_id, manage=True)
    cfg = delivery_settings(store)
    if prep_minutes is not None:
        if isinstance(prep_minutes, bool) or not isinstance(prep_minutes, int) or not 0 <= prep_minutes <= 240:
            raise Invalid(_("Some fields are not valid."), fields={"prep_minutes": _("0 to 240")})
        cfg.prep_minutes = prep_minutes
    if failed_refund is not None:
        if failed_refund not in FailedRefund.values:
            raise Invalid(_("Some fields are not valid."), fields={"failed_refund": ", ".join(FailedRefund.values)})
        cfg.failed_refund = failed_refund
    if max_attempts is not None:
        if isinstance(max_attempts, bool) or not isinstance(max_attempts, int) or not 1 <= max_attempts <= 5:
            raise Invalid(_("Some fields are not valid."), fields={"max_attempts": _("1 to 5")})
        cfg.max_attempts = max_attempts
    cfg.save()
    audit_record(actor=user, action="delivery.settings", obj=store, summary=f"Delivery settings of {store.name}",
                 data={"prep_minutes": cfg.prep_minutes, "failed_refund": cfg.failed_refund,
                       "max_attempts": cfg.max_attempts})
    return cfg


def zones_of_store(store: Store) -> list[DeliveryZone]:
    return list(DeliveryZone.objects.filter(store=store, active=True).order_by("created_at"))


def zone_contains(zone: DeliveryZone, *, store: Store, lat: float, lng: float, distance_m: float) -> bool:
    if zone.kind == ZoneKind.RADIUS:
        return distance_m <= (zone.radius_m or 0)
    return in_polygon(zone.polygon, lat=lat, lng=lng)


@dataclass(frozen=True)
class Quote:
    zone: DeliveryZone
    distance_m: int
    fee: Money
    minimum_order: Money
    prep_minutes: int
    travel_minutes: int

    @property
    def eta_minutes(self) -> int:
        return self.prep_minutes + self.travel_minutes

    def eta_at(self, now: datetime) -> datetime:
        return now + timedelta(minutes=self.eta_minutes)


def quote_for(*, store: Store, lat: float, lng: float, prep_minutes: int | None = None,
              zones: list[DeliveryZone] | None = None) -> Quote:
    """The cheapest zone of the store serving the position, its fee and an ETA: the prep time (the
    cart's longest, else the store's usual one) plus the ride at scooter speed and a handover; a
    position no zone serves -> out_of_zone."""
    distance = haversine_m(store.lat, store.lng, lat, lng)
    best: tuple[Decimal, DeliveryZone, Money] | None = None
    for zone in zones if zones is not None else zones_of_store(store):
        if not zone_contains(zone, store=store, lat=lat, lng=lng, distance_m=distance):
            continue
        fee = fee_for(stored_bands(zone.fee_bands, zone.currency), distance)
        if fee is not None and (best is None or fee.amount < best[0]):
            best = (fee.amount, zone, fee)
    if best is None:
        raise OutOfZone(_("%(store)s does not deliver to this address.") % {"store": store.name},
                        fields={"lat": str(lat), "lng": str(lng)})
    _amount, zone, fee = best
    prep = delivery_settings(store).prep_minutes if prep_minutes is None else prep_minutes
    travel = math.ceil((travel_seconds(distance) + HANDOVER_S) / 60)
    return Quote(zone=zone, distance_m=round(distance), fee=fee, minimum_order=zone.minimum_order,
                 prep_minutes=prep, travel_minutes=travel)

