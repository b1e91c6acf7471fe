"""Campaigns and attribution (API.md): campaigns with placements, each with a short code, a short link
and a QR; the merchant's attribution window; figures per placement."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status
from pydantic import StrictBool, StrictInt

from o2o.analytics.placements import placement_figures
from o2o.api.auth import AUTH, me
from o2o.api.errors import ErrorOut
from o2o.api.schemas import MoneyIn, MoneyOut
from o2o.api.serializers import money
from o2o.campaigns import services as campaigns
from o2o.campaigns.models import Campaign, Placement
from o2o.campaigns.selectors import campaign_for_staff, campaigns_of_merchant, window_days
from o2o.merchants.access import merchant_for_staff

router = Router(tags=["campaigns"], auth=AUTH)
_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class TargetIn(Schema):
    """Exactly one: the offering (its deal page) or the store (the store's page) a scan lands on."""

    offering_id: str | None = Field(None, max_length=64)
    store_id: str | None = Field(None, max_length=64)


class PlacementIn(Schema):
    kind: str = Field(..., max_length=20, examples=["flyer"],
                      description="flyer, poster, table_tent, window, social, video or partner")
    name: str = Field(..., max_length=500)
    cost: MoneyIn
    target: TargetIn


class CampaignIn(Schema):
    name: str = Field(..., max_length=500)
    placements: list[PlacementIn] = Field(..., max_length=100)


class TargetOut(Schema):
    offering_id: str | None
    store_id: str | None


class PlacementOut(Schema):
    id: str
    kind: str
    name: str
    code: str
    short_url: str
    qr_png_url: str
    flyer_pdf_url: str
    table_tent_pdf_url: str
    cost: MoneyOut
    target: TargetOut
    active: bool


class CampaignOut(Schema):
    id: str
    name: str
    placements: list[PlacementOut]


class CampaignListOut(Schema):
    results: list[CampaignOut]


class PlacementPatchIn(Schema):
    active: StrictBool


class AttributionIn(Schema):
    window_days: StrictInt


class AttributionOut(Schema):
    window_days: int


class PlacementFiguresOut(Schema):
    placement_id: str
    campaign_id: str
    kind: str
    name: str
    code: str
    scans: int
    visitors: int
    orders: int
    paid: int
    redemptions: int
    reviews: int
    repeat: int = Field(..., description="paid orders that were not the buyer's first paid order at this merchant")
    cost: MoneyOut
    revenue: MoneyOut
    roi: str | None = Field(None, description="(revenue - cost) / cost to two decimals; null when the cost is 0")


class PlacementFiguresListOut(Schema):
    model: str
    window_days: int
    results: list[PlacementFiguresOut]


def _url(request: HttpRequest, name: str, **kwargs: Any) -> str:
    return request.build_absolute_uri(reverse(name, kwargs=kwargs))


def placement_out(request: HttpRequest, p: Placement) -> dict[str, Any]:
    return {
        "id": str(p.pk), "kind": p.kind, "name": p.name, "code": p.code,
        "short_url": _url(request, "web:scan", code=p.code),
        "qr_png_url": _url(request, "web:scan_qr", code=p.code),
        "flyer_pdf_url": _url(request, "web:placement_sheet", merchant_id=p.merchant_id, placement_id=p.pk,
                              sheet="flyer"),
        "table_tent_pdf_url": _url(request, "web:placement_sheet", merchant_id=p.merchant_id, placement_id=p.pk,
                                   sheet="table-tent"),
        "cost": money(p.cost),
        "target": {"offering_id": str(p.target_offering_id) if p.target_offering_id else None,
                   "store_id": str(p.target_store_id) if p.target_store_id else None},
        "active": p.is_active,
    }


def campaign_out(request: HttpRequest, c: Campaign) -> dict[str, Any]:
    return {"id": str(c.pk), "name": c.name,
            "placements": [placement_out(request, p) for p in sorted(c.placements.all(), key=lambda p: p.created_at)]}


@router.post("/merchants/{merchant_id}/campaigns", response={201: CampaignOut, **_ERRORS})
def campaign_create(request: HttpRequest, merchant_id: str, body: CampaignIn):  # type: ignore[no-untyped-def]
    """Owners and managers (a clerk: 403; not staff: 404). Each placement gets a short code, a short link
    (`GET /q/{code}` records a scan and redirects to the target's page), a QR PNG and print sheets.
    422 with `fields` for an unknown kind, a target that is not exactly one offering or store of this
    merchant, or a cost in another currency than the platform's (`wrong_currency`)."""
    raw = body.model_dump()
    c = campaigns.campaign_create(user=me(request), merchant_id=merchant_id, name=raw["name"],
                                  placements=raw["placements"])
    return Status(201, campaign_out(request, campaign_for_staff(user=me(request), merchant_id=merchant_id,
                                                                campaign_id=c.pk)))


@router.get("/merchants/{merchant_id}/campaigns", response={200: CampaignListOut, **_ERRORS})
def campaign_list(request: HttpRequest, merchant_id: str):  # type: ignore[no-untyped-def]
    _merchant, found = campaigns_of_merchant(user=me(request), merchant_id=merchant_id)
    return {"results": [campaign_out(request, c) for c in found[:200]]}


@router.get("/merchants/{merchant_id}/campaigns/{campaign_id}", response={200: CampaignOut, **_ERRORS})
def campaign_get(request: HttpRequest, merchant_id: str, campaign_id: str):  # type: ignore[no-untyped-def]
    return campaign_out(request, campaign_for_staff(user=me(request), merchant_id=merchant_id,
                                                    campaign_id=campaign_id))


@router.patch("/merchants/{merchant_id}/placements/{placement_id}", response={200: PlacementOut, **_ERRORS})
def placement_update(request: HttpRequest, merchant_id: str, placement_id: str,  # type: ignore[no-untyped-def]
                     body: PlacementPatchIn):
    """`{active: false}` switches the code off: its scans land on a friendly "unknown code" page."""
    p = campaigns.placement_set_active(user=me(request), merchant_id=merchant_id, placement_id=placement_id,
                                       active=body.active)
    return placement_out(request, p)


@router.get("/merchants/{merchant_id}/attribution", response={200: AttributionOut, **_ERRORS})
def attribution_get(request: HttpRequest, merchant_id: str):  # type: ignore[no-untyped-def]
    merchant, _m = merchant_for_staff(user=me(request), merchant_id=merchant_id)
    return {"window_days": window_days(merchant.pk)}


@router.put("/merchants/{merchant_id}/attribution", response={200: AttributionOut, **_ERRORS})
def attribution_set(request: HttpRequest, merchant_id: str, body: AttributionIn):  # type: ignore[no-untyped-def]
    """The attribution window in days (1 to 365, default 30): a scan counts for orders up to that long after."""
    days = campaigns.attribution_window_set(user=me(request), merchant_id=merchant_id, days=body.window_days)
    return {"window_days": days}


@router.get("/merchants/{merchant_id}/analytics/placements", response={200: PlacementFiguresListOut, **_ERRORS})
def placement_analytics(request: HttpRequest, merchant_id: str, model: str = "last_touch",  # type: ignore[no-untyped-def]
                        date_from: str | None = Query(None, alias="from", max_length=32),
                        date_to: str | None = Query(None, alias="to", max_length=32)):
    """Per placement over the days `from`..`to` (YYYY-MM-DD in the merchant's timezone, both included;
    default the last 30 days; backwards or over 366 days -> 422 `invalid_range`). `model`: `last_touch`
    (default) or `first_touch`: an order counts for the placement the model picks among the buyer's scans
    before it, within the merchant's attribution window. `revenue` is what the attributed orders paid
    (less refunds); `roi` is (revenue - cost) / cost."""
    figures = placement_figures(user=me(request), merchant_id=merchant_id, date_from=date_from, date_to=date_to,
                                model=model)
    merchant, _m = merchant_for_staff(user=me(request), merchant_id=merchant_id)
    return {"model": model, "window_days": window_days(merchant.pk), "results": [{
        "placement_id": str(f.placement.pk), "campaign_id": str(f.placement.campaign_id), "kind": f.placement.kind,
        "name": f.placement.name, "code": f.placement.code, "scans": f.scans, "visitors": f.visitors,
        "orders": f.orders, "paid": f.paid, "redemptions": f.redemptions, "reviews": f.reviews,
        "repeat": f.repeat, "cost": money(f.cost), "revenue": money(f.revenue_money),
        "roi": None if f.roi is None else str(f.roi)} for f in figures]}
