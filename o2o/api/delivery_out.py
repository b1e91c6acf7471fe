"""The delivery side of the API's JSON: zones, quotes, couriers' tasks, an order's delivery."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist

from o2o.api.serializers import money
from o2o.core.money import Money
from o2o.delivery.models import Courier, Delivery, DeliveryZone
from o2o.delivery.zones import Quote


def zone_out(z: DeliveryZone) -> dict[str, Any]:
    return {"id": z.pk, "store_id": z.store_id, "name": z.name, "kind": z.kind, "radius_m": z.radius_m,
            "polygon": z.polygon or None,
            "fee_bands": [{"up_to_m": b["up_to_m"], "fee": money(Money(b["fee"], z.currency))} for b in z.fee_bands],
            "minimum_order": money(z.minimum_order), "active": z.active}


def quote_out(q: Quote, *, now: Any) -> dict[str, Any]:
    return {"zone_id": q.zone.pk, "zone": q.zone.name, "distance_m": q.distance_m, "fee": money(q.fee),
            "minimum_order": money(q.minimum_order), "prep_minutes": q.prep_minutes,
            "travel_minutes": q.travel_minutes, "eta_minutes": q.eta_minutes, "eta_at": q.eta_at(now)}


def courier_out(c: Courier) -> dict[str, Any]:
    return {"id": c.pk, "on_shift": c.status == "on", "lat": c.lat, "lng": c.lng, "position_at": c.position_at,
            "capacity": c.capacity}


def task_out(d: Delivery) -> dict[str, Any]:
    """A courier's view of a delivery: where from and to, the order's lines, never the customer's code."""
    order = d.order
    return {"id": d.pk, "order_id": order.pk, "number": order.number, "status": d.status,
            "kitchen_status": order.fulfilment_status,
            "store": {"id": d.store_id, "name": d.store.name, "address": d.store.address, "lat": d.store.lat,
                      "lng": d.store.lng},
            "dropoff": {"address": d.address, "lat": d.lat, "lng": d.lng}, "distance_m": d.distance_m,
            "sequence": d.sequence, "eta_pickup": d.eta_pickup, "eta_dropoff": d.eta_dropoff,
            "ready_estimate": d.ready_estimate, "attempts": d.attempts, "fail_reason": d.fail_reason or None,
            "items": [{"title": ln.title, "quantity": ln.quantity, "options": ln.options} for ln in order.lines.all()]}


def order_delivery_out(order: Any) -> dict[str, Any] | None:
    """The customer's view (GET /orders/{id}): status, ETA, the courier's last position, and the code to
    show the courier once the order is paid."""
    try:
        d: Delivery = order.delivery
    except ObjectDoesNotExist:
        return None
    courier = d.courier if d.status in ("assigned", "picked_up", "failed") else None
    return {"status": d.status, "address": d.address, "lat": d.lat, "lng": d.lng, "distance_m": d.distance_m,
            "fee": money(d.fee), "delivery_code": d.delivery_code or None,
            "promised_at": d.promised_at, "eta_pickup": d.eta_pickup, "eta_dropoff": d.eta_dropoff or d.promised_at,
            "picked_up_at": d.picked_up_at, "delivered_at": d.delivered_at, "attempts": d.attempts,
            "fail_reason": d.fail_reason or None,
            "store": {"id": d.store_id, "lat": d.store.lat, "lng": d.store.lng},
            "courier": None if courier is None else {
                "name": courier.user.display_name, "lat": courier.lat, "lng": courier.lng,
                "position_at": courier.position_at}}
