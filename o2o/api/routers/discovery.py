import json
from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from o2o.api.errors import ErrorOut
from o2o.api.schemas import MerchantRefOut, MoneyOut, NearbyStoreOut, OfferingOut, StoreDetailOut
from o2o.api.serializers import merchant_ref, money, offering_out, store_out
from o2o.catalogue.selectors import public_offering, public_offerings
from o2o.core.money import discount_percent
from o2o.discovery.filters import validate_filters, validate_nearby
from o2o.discovery.selectors import (
    NearbyOffering,
    NearbyStore,
    offerings_nearby_page,
    search_page,
    stores_nearby_page,
)
from o2o.merchants.access import public_store

router = Router(tags=["discovery"], auth=None)

# Long enough to answer a clear 422 ("at most 200 characters") instead of a generic error.
_Q = Field(None, max_length=20000, description="Words in Chinese or English (at most 200 characters)")


class NearbyQuery(Schema):
    lat: float
    lng: float
    radius_m: int | None = Field(None, description="Metres, default 3000, at most 50000")
    q: str | None = _Q
    category: str | None = Field(None, max_length=64)
    open_now: bool | None = None
    min_rating: float | None = Field(None, description="Average stars, 0 to 5")
    has_deals: bool | None = Field(None, description="Only stores with a live deal in stock")
    price_min: str | None = Field(None, max_length=32, description="Has a live offering at or above this price")
    price_max: str | None = Field(None, max_length=32, description="Has a live offering at or below this price")
    sort: str | None = Field(None, max_length=20, description="distance (default), rating (Bayesian) or popularity")
    limit: int | None = Field(None, description="1 to 100, default 20")
    cursor: str | None = Field(None, max_length=1000, description="next_cursor of the previous page")


class OfferingsNearbyQuery(NearbyQuery):
    kind: str | None = Field(None, max_length=20, description="deal, product, service or job")


class SearchQuery(OfferingsNearbyQuery):
    q: str = Field(..., max_length=20000, description="Words in Chinese or English (1 to 200 characters)")


class NearbyPageOut(Schema):
    results: list[NearbyStoreOut]
    next_cursor: str | None = None


class NearbyStoreRefOut(Schema):
    id: UUID
    name: str
    address: str
    lat: float
    lng: float
    open_now: bool


class NearbyOfferingOut(Schema):
    id: UUID
    kind: str
    title: str
    price: MoneyOut
    list_price: MoneyOut
    discount_percent: int
    quantity_left: int
    distance_m: int
    merchant: MerchantRefOut
    store: NearbyStoreRefOut


class OfferingsNearbyOut(Schema):
    results: list[NearbyOfferingOut]
    next_cursor: str | None = None


class SearchHitOut(Schema):
    type: str = Field(..., description="store or offering")
    distance_m: int
    store: NearbyStoreOut
    offering: NearbyOfferingOut | None = None


class SearchOut(Schema):
    results: list[SearchHitOut]
    next_cursor: str | None = None


def _common(params: NearbyQuery, *, q_required: bool = False, sorts: tuple[str, ...] | None = None) -> tuple[Any, ...]:
    lat, lng, radius, limit = validate_nearby(lat=params.lat, lng=params.lng, radius_m=params.radius_m,
                                              limit=params.limit, category=params.category)
    extra = {"sorts": sorts} if sorts else {}
    f = validate_filters(q=params.q, category=params.category, open_now=params.open_now,
                         min_rating=params.min_rating, has_deals=params.has_deals, price_min=params.price_min,
                         price_max=params.price_max, kind=getattr(params, "kind", None), sort=params.sort,
                         cursor=params.cursor, q_required=q_required, **extra)
    return lat, lng, radius, limit, f


def _store(r: NearbyStore) -> dict[str, Any]:
    s = r.store
    m = s.merchant
    return {"id": str(s.pk), "name": s.name, "address": s.address,
            "merchant": {"id": str(m.pk), "name": m.name, "category": m.category}, "lat": s.lat,
            "lng": s.lng, "distance_m": round(r.distance_m), "rating": s.rating, "review_count": s.review_count,
            "open_now": r.open_now}


def _offering(r: NearbyOffering) -> dict[str, Any]:
    o, s = r.offering, r.store
    return {"id": o.pk, "kind": o.kind, "title": o.title, "price": money(o.price), "list_price": money(o.list_price),
            "discount_percent": discount_percent(o.price, o.list_price), "quantity_left": o.quantity_left,
            "distance_m": round(r.distance_m), "merchant": merchant_ref(o.merchant),
            "store": {"id": s.pk, "name": s.name, "address": s.address, "lat": s.lat, "lng": s.lng,
                      "open_now": r.open_now}}


def _json(body: dict[str, Any]) -> HttpResponse:
    """The hot endpoint's answer, already in NearbyPageOut's shape (its schema still documents it):
    serialising directly spares pydantic re-validating every field of every row."""
    return HttpResponse(json.dumps(body, default=str, ensure_ascii=False), content_type="application/json")


@router.get("/stores/nearby", response={200: NearbyPageOut, 422: ErrorOut})
def nearby(request: HttpRequest, params: Query[NearbyQuery]):  # type: ignore[no-untyped-def]
    """Stores within radius_m, nearest first (or by `sort`); `next_cursor` pages on."""
    lat, lng, radius, limit, f = _common(params)
    page = stores_nearby_page(lat=lat, lng=lng, radius_m=radius, limit=limit, filters=f)
    return _json({"results": [_store(r) for r in page.results], "next_cursor": page.next_cursor})


@router.get("/offerings/nearby", response={200: OfferingsNearbyOut, 422: ErrorOut})
def offerings_nearby(request: HttpRequest, params: Query[OfferingsNearbyQuery]):  # type: ignore[no-untyped-def]
    """Live offerings in stock around the point, each at its nearest redeemable store, nearest first."""
    lat, lng, radius, limit, f = _common(params, sorts=("distance",))
    page = offerings_nearby_page(lat=lat, lng=lng, radius_m=radius, limit=limit, filters=f)
    return {"results": [_offering(r) for r in page.results], "next_cursor": page.next_cursor}


@router.get("/search", response={200: SearchOut, 422: ErrorOut})
def search(request: HttpRequest, params: Query[SearchQuery]):  # type: ignore[no-untyped-def]
    """Stores and offerings matching q (Chinese or English, one typo forgiven) around the point, nearest first."""
    lat, lng, radius, limit, f = _common(params, q_required=True, sorts=("distance",))
    page = search_page(q=f.q or "", lat=lat, lng=lng, radius_m=radius, limit=limit, filters=f)
    out = []
    for h in page.results:
        store = _store(NearbyStore(store=h.store, distance_m=h.distance_m, open_now=h.open_now))
        off = (_offering(NearbyOffering(offering=h.offering, store=h.store, distance_m=h.distance_m,
                                        open_now=h.open_now)) if h.offering is not None else None)
        out.append({"type": h.kind, "distance_m": round(h.distance_m), "store": store, "offering": off})
    return {"results": out, "next_cursor": page.next_cursor}


@router.get("/stores/{store_id}", response={200: StoreDetailOut, 404: ErrorOut})
def store_get(request: HttpRequest, store_id: str):  # type: ignore[no-untyped-def]
    store = public_store(store_id)
    offerings = (public_offerings().filter(redeemable_stores=store).select_related("merchant")
                 .prefetch_related("photos", "redeemable_stores").order_by("-created_at")[:100])
    return {**store_out(store), "offerings": [offering_out(o) for o in offerings]}


@router.get("/offerings/{offering_id}", response={200: OfferingOut, 404: ErrorOut})
def offering_get(request: HttpRequest, offering_id: str):  # type: ignore[no-untyped-def]
    return offering_out(public_offering(offering_id))
