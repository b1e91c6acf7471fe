"""Delivery: zones and fees per store (merchants), quotes (customers), couriers' shifts, positions and
tasks, pickup at the store by the order's code, delivery by the customer's code, failed deliveries.
A delivery order itself is `POST /orders` with `fulfilment: {type: "delivery", ...}` (orders router)."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from ninja import Field, Router, Schema, Status

from o2o.api.auth import AUTH, me
from o2o.api.delivery_out import courier_out, quote_out, task_out, zone_out
from o2o.api.errors import ErrorOut
from o2o.api.schemas import MoneyOut
from o2o.delivery import couriers
from o2o.delivery.geo import check_position
from o2o.delivery.zones import delivery_settings, quote_for, store_delivery_set, zone_create, zones_of_store
from o2o.merchants.access import merchant_for_staff, public_store, store_for_staff

router = Router(tags=["delivery"], auth=AUTH)
_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class FeeBandIn(Schema):
    up_to_m: int = Field(..., description="the band reaches this straight-line distance from the store (metres)")
    fee: Any = Field(..., description='the fee in this band: "4.00" or {amount, currency}')


class ZoneIn(Schema):
    name: str = Field(..., max_length=80)
    kind: str = Field(..., description="radius | polygon")
    radius_m: int | None = Field(None, description="radius zones: metres from the store (50 to 30000)")
    polygon: list[list[float]] | None = Field(None, max_length=201, description="polygon zones: [[lng, lat], ...]")
    fee_bands: list[FeeBandIn] = Field(..., max_length=10, description="ascending; past the last band: not served")
    minimum_order: Any = Field(None, description='the least sum of the lines: "20.00" or {amount, currency}')


class FeeBandOut(Schema):
    up_to_m: int
    fee: MoneyOut


class ZoneOut(Schema):
    id: Any
    store_id: Any
    name: str
    kind: str
    radius_m: int | None = None
    polygon: list[list[float]] | None = None
    fee_bands: list[FeeBandOut]
    minimum_order: MoneyOut
    active: bool


class ZonesOut(Schema):
    results: list[ZoneOut]
    settings: dict[str, Any]


class DeliverySettingsIn(Schema):
    prep_minutes: int | None = Field(None, description="quoted when the cart is not known (0 to 240)")
    failed_refund: str | None = Field(None, description="a failed delivery back at the store refunds: full | none")
    max_attempts: int | None = Field(None, description="delivery attempts before it must go back (1 to 5)")


class QuoteOut(Schema):
    zone_id: Any
    zone: str
    distance_m: int
    fee: MoneyOut
    minimum_order: MoneyOut
    prep_minutes: int
    travel_minutes: int
    eta_minutes: int
    eta_at: datetime


def _settings_out(cfg: Any) -> dict[str, Any]:
    return {"prep_minutes": cfg.prep_minutes, "failed_refund": cfg.failed_refund, "max_attempts": cfg.max_attempts}


@router.post("/merchants/{merchant_id}/stores/{store_id}/delivery-zones", response={201: ZoneOut, **_ERRORS})
def zone_new(request: HttpRequest, merchant_id: str, store_id: str, body: ZoneIn):  # type: ignore[no-untyped-def]
    """A delivery zone of the store (owners and managers; a clerk -> 403, not staff -> 404): a radius
    around the store or a polygon; a fee per distance band; a minimum order. A position inside several
    zones pays the lowest fee."""
    merchant, _m = merchant_for_staff(user=me(request), merchant_id=merchant_id)
    store, _m = store_for_staff(user=me(request), store_id=store_id, manage=True)
    if store.merchant_id != merchant.pk:
        return Status(404, {"error": {"code": "not_found", "message": "Not found.", "fields": {}}})
    raw = body.dict()
    zone = zone_create(user=me(request), store_id=store.pk, name=raw["name"], kind=raw["kind"],
                       radius_m=raw["radius_m"], polygon=raw["polygon"], fee_bands=raw["fee_bands"],
                       minimum_order=raw["minimum_order"])
    return Status(201, zone_out(zone))


@router.get("/merchants/{merchant_id}/stores/{store_id}/delivery-zones", response={200: ZonesOut, **_ERRORS})
def zone_list(request: HttpRequest, merchant_id: str, store_id: str):  # type: ignore[no-untyped-def]
    """The store's active zones and its delivery settings (staff of the store)."""
    store, _m = store_for_staff(user=me(request), store_id=store_id)
    if str(store.merchant_id) != str(merchant_id):
        return Status(404, {"error": {"code": "not_found", "message": "Not found.", "fields": {}}})
    return {"results": [zone_out(z) for z in zones_of_store(store)], "settings": _settings_out(delivery_settings(store))}


@router.put("/merchants/{merchant_id}/stores/{store_id}/delivery-settings", response={200: dict, **_ERRORS})
def settings_set(request: HttpRequest, merchant_id: str, store_id: str, body: DeliverySettingsIn):  # type: ignore[no-untyped-def]
    """The store's usual prep time, the refund rule of a failed delivery and the attempts per order."""
    store, _m = store_for_staff(user=me(request), store_id=store_id, manage=True)
    if str(store.merchant_id) != str(merchant_id):
        return Status(404, {"error": {"code": "not_found", "message": "Not found.", "fields": {}}})
    raw = body.dict()
    return _settings_out(store_delivery_set(user=me(request), store_id=store.pk, **raw))


@router.get("/stores/{store_id}/delivery-quote", response={200: QuoteOut, **_ERRORS})
def delivery_quote(request: HttpRequest, store_id: str, lat: float, lng: float,  # type: ignore[no-untyped-def]
                   prep_minutes: int | None = None):
    """The fee and an honest ETA to this position before paying: the prep time (`prep_minutes`, the
    cart's longest, else the store's usual) plus the ride at scooter speed (18 km/h, roads 1.3 x the
    straight line) and a 2-minute handover. Outside every zone -> 409 `out_of_zone`."""
    store = public_store(store_id)
    lat, lng = check_position(lat, lng)
    prep = None if prep_minutes is None else max(0, min(prep_minutes, 240))
    return quote_out(quote_for(store=store, lat=lat, lng=lng, prep_minutes=prep), now=timezone.now())


# --- couriers ---

class ShiftIn(Schema):
    on: bool


class PositionIn(Schema):
    lat: float
    lng: float


class CourierOut(Schema):
    id: Any
    on_shift: bool
    lat: float | None = None
    lng: float | None = None
    position_at: datetime | None = None
    capacity: int


class TaskOut(Schema):
    id: Any
    order_id: Any
    number: str
    status: str = Field(..., description="assigned | picked_up | failed | delivered | returned | open | cancelled")
    kitchen_status: str
    store: dict[str, Any]
    dropoff: dict[str, Any]
    distance_m: int
    sequence: int
    eta_pickup: datetime | None = None
    eta_dropoff: datetime | None = None
    ready_estimate: datetime | None = None
    attempts: int
    fail_reason: str | None = None
    items: list[dict[str, Any]]


class TasksOut(Schema):
    courier: CourierOut
    tasks: list[TaskOut]


class PickupIn(Schema):
    store_id: str = Field(..., max_length=64)
    code: str = Field(..., max_length=32, description="the order's 6-digit code on its bag (its QR holds it)")


class CodeIn(Schema):
    code: str = Field(..., max_length=32, description="the delivery code the customer shows")


class FailIn(Schema):
    reason: str = Field(..., max_length=200, description="what happened; the customer sees it")


def _task(d: Any) -> dict[str, Any]:
    from o2o.delivery.models import Delivery

    return task_out(Delivery.objects.select_related("order", "store").get(pk=d.pk))


@router.post("/courier/shift", response={200: CourierOut, **_ERRORS})
def courier_shift(request: HttpRequest, body: ShiftIn):  # type: ignore[no-untyped-def]
    """Go on or off shift (couriers: an active `courier` staff membership; others -> 403). Off shift
    gives the tasks not yet picked up back to the dispatcher."""
    return courier_out(couriers.courier_shift(user=me(request), on=body.on))


@router.post("/courier/position", response={200: CourierOut, 429: ErrorOut, **_ERRORS})
def courier_position(request: HttpRequest, body: PositionIn):  # type: ignore[no-untyped-def]
    """The courier's position (on shift): one kept every 5 s (sooner -> 429 `rate_limited`); farther
    than 50 km from every store of the courier's merchants -> 422 `out_of_area`."""
    return courier_out(couriers.courier_position(user=me(request), lat=body.lat, lng=body.lng))


@router.get("/courier/tasks", response={200: TasksOut, **_ERRORS})
def courier_tasks(request: HttpRequest, response: HttpResponse):  # type: ignore[no-untyped-def]
    """My tasks in route order (as the last dispatch round planned them), with their ETAs."""
    add_never_cache_headers(response)
    courier, tasks = couriers.courier_tasks(user=me(request))
    return {"courier": courier_out(courier), "tasks": [task_out(d) for d in tasks]}


@router.post("/courier/pickups", response={200: TaskOut, **_ERRORS})
def courier_pickup(request: HttpRequest, body: PickupIn):  # type: ignore[no-untyped-def]
    """At the store: scan or type the order's code. Mine (or open) -> on its way with me; another
    courier's -> 409 `not_your_task`; already picked up -> 409 `already_collected`; a store of a merchant I
    do not carry for, or an unknown code -> 404; off shift -> 409 `off_shift`."""
    return _task(couriers.courier_pickup(user=me(request), store_id=body.store_id, code=body.code))


@router.post("/courier/tasks/{task_id}/deliver", response={200: TaskOut, 429: ErrorOut, **_ERRORS})
def courier_deliver(request: HttpRequest, task_id: str, body: CodeIn):  # type: ignore[no-untyped-def]
    """Hand over with the customer's delivery code: wrong -> 409 `wrong_code` (`fields.tries_left`);
    the 5th wrong code in a row locks the delivery's code for 10 minutes: that try and every one until
    then (the right code too) -> 429 `too_many_wrong_codes` with `Retry-After`; the code of another
    order I carry -> 409 `code_of_other_order` (not counted); someone else's task -> 409 `not_your_task`."""
    return _task(couriers.courier_deliver(user=me(request), delivery_id=task_id, code=body.code))


@router.post("/courier/tasks/{task_id}/fail", response={200: TaskOut, **_ERRORS})
def courier_fail(request: HttpRequest, task_id: str, body: FailIn):  # type: ignore[no-untyped-def]
    """Nobody there (or another reason): the attempt failed; then retry or return."""
    return _task(couriers.courier_fail(user=me(request), delivery_id=task_id, reason=body.reason))


@router.post("/courier/tasks/{task_id}/retry", response={200: TaskOut, **_ERRORS})
def courier_retry(request: HttpRequest, task_id: str):  # type: ignore[no-untyped-def]
    """Try a failed delivery again (up to the store's attempts; then 409 `too_many_attempts`)."""
    return _task(couriers.courier_retry(user=me(request), delivery_id=task_id))


@router.post("/courier/tasks/{task_id}/return", response={200: TaskOut, **_ERRORS})
def courier_return(request: HttpRequest, task_id: str):  # type: ignore[no-untyped-def]
    """A failed delivery back at the store: the order is refunded by the store's rule (`failed_refund`)."""
    return _task(couriers.courier_return(user=me(request), delivery_id=task_id))
