from django.http import HttpRequest
from ninja import Query, Router, Schema

from o2o.api.errors import ErrorOut
from o2o.api.schemas import NearbyOut, OfferingOut, StoreDetailOut
from o2o.api.serializers import merchant_ref, offering_out, store_out
from o2o.catalogue.selectors import public_offering, public_offerings
from o2o.discovery.selectors import stores_nearby, validate_nearby
from o2o.merchants.access import public_store

router = Router(tags=["discovery"], auth=None)


class NearbyQuery(Schema):
    lat: float
    lng: float
    radius_m: int | None = None
    q: str | None = None
    category: str | None = None
    open_now: bool | None = None
    limit: int | None = None


@router.get("/stores/nearby", response={200: NearbyOut, 422: ErrorOut})
def nearby(request: HttpRequest, params: Query[NearbyQuery]):  # type: ignore[no-untyped-def]
    lat, lng, radius, limit = validate_nearby(lat=params.lat, lng=params.lng, radius_m=params.radius_m,
                                              limit=params.limit, category=params.category)
    rows = stores_nearby(lat=lat, lng=lng, radius_m=radius, limit=limit, q=params.q, category=params.category,
                         open_now=params.open_now)
    return {"results": [
        {"id": r.store.pk, "name": r.store.name, "address": r.store.address, "merchant": merchant_ref(r.store.merchant),
         "lat": r.store.lat, "lng": r.store.lng, "distance_m": round(r.distance_m), "rating": r.store.rating,
         "review_count": r.store.review_count, "open_now": r.open_now}
        for r in rows
    ]}


@router.get("/stores/{store_id}", response={200: StoreDetailOut, 404: ErrorOut})
def store_get(request: HttpRequest, store_id: str):  # type: ignore[no-untyped-def]
    store = public_store(store_id)
    offerings = (public_offerings().filter(redeemable_stores=store).select_related("merchant")
                 .prefetch_related("photos", "redeemable_stores").order_by("-created_at")[:100])
    return {**store_out(store), "offerings": [offering_out(o) for o in offerings]}


@router.get("/offerings/{offering_id}", response={200: OfferingOut, 404: ErrorOut})
def offering_get(request: HttpRequest, offering_id: str):  # type: ignore[no-untyped-def]
    return offering_out(public_offering(offering_id))
