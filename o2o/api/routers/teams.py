"""Team purchases (拼团): a merchant's team deals, teams opened and joined by buyers (each pays for their
place with POST /orders/{id}/pay; the vouchers come when the team is full, a refund when its time runs out)."""

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from ninja import Field, Router, Schema, Status
from pydantic import StrictInt

from o2o.api import idempotency
from o2o.api.auth import AUTH, me
from o2o.api.errors import ErrorOut
from o2o.api.schemas import OrderOut
from o2o.api.serializers import json_safe, merchant_ref, money, order_out
from o2o.members import teams
from o2o.members.models import Team, TeamDeal, TeamMember
from o2o.orders.checkout import Source
from o2o.orders.enums import Channel
from o2o.orders.selectors import order_for_customer

router = Router(tags=["team purchases"], auth=AUTH)
_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class TeamDealIn(Schema):
    offering_id: str = Field(..., max_length=64, description="one of the merchant's deals, priced for the team")
    team_size: StrictInt = Field(..., description="buyers in a team, 2 to 50")
    hours: StrictInt = Field(..., description="hours a team has to fill from its opening, 1 to 336")


class TeamDealOut(Schema):
    id: UUID
    merchant: dict[str, Any]
    offering_id: UUID
    title: str
    price: dict[str, Any]
    team_size: int
    hours: int
    open_teams: list[dict[str, Any]] = Field([], description="[{id, places_left, expires_at}] open teams to join")


class TeamDealListOut(Schema):
    results: list[TeamDealOut]


class TeamMemberOut(Schema):
    name: str
    status: str = Field(..., description="reserved (not paid yet), paid (waiting for the team), issued")
    leader: bool


class TeamOut(Schema):
    id: UUID
    team_deal_id: UUID
    offering_id: UUID
    title: str
    status: str = Field(..., description="open, complete (vouchers issued), failed (every payer refunded)")
    size: int
    places_taken: int
    places_left: int
    paid: int
    expires_at: datetime
    completed_at: datetime | None = None
    link: str = Field(..., description="the page to share: /teams/<id>/")
    members: list[TeamMemberOut]


class JoinOut(Schema):
    team: TeamOut
    order: OrderOut


def deal_out(d: TeamDeal) -> dict[str, Any]:
    open_teams = Team.objects.filter(deal=d, status="open").order_by("expires_at")[:20]
    return {"id": d.pk, "merchant": merchant_ref(d.merchant), "offering_id": d.offering_id, "title": d.offering.title,
            "price": money(d.offering.price), "team_size": d.team_size, "hours": d.hours,
            "open_teams": [{"id": str(t.pk), "places_left": max(t.size - t.seats, 0), "expires_at": t.expires_at}
                           for t in open_teams]}


def team_out(t: Team) -> dict[str, Any]:
    view = teams.team_view(t)
    return {"id": t.pk, "team_deal_id": t.deal_id, "offering_id": t.deal.offering_id, "title": t.deal.offering.title,
            "status": t.status, "size": t.size, "places_taken": t.seats, "places_left": view["left"], "paid": t.paid,
            "expires_at": t.expires_at, "completed_at": t.completed_at, "link": f"/teams/{t.pk}/",
            "members": [{"name": m.customer.display_name, "status": m.status, "leader": m.customer_id == t.leader_id}
                        for m in view["members"]]}


def _joined(request: HttpRequest, member: TeamMember) -> tuple[int, Any]:
    team = teams.team_get(team_id=member.team_id)
    order = order_for_customer(user=me(request), order_id=member.order_id)
    return 201, json_safe({"team": team_out(team), "order": order_out(order)})


@router.post("/merchants/{merchant_id}/team-deals", response={201: TeamDealOut, **_ERRORS})
def team_deal_create(request: HttpRequest, merchant_id: str, body: TeamDealIn):  # type: ignore[no-untyped-def]
    """Sell one of the merchant's deals to teams (owners and managers; a clerk -> 403, not staff -> 404).
    The deal is then bought only through a team (POST /orders with it -> 409 team_deal_only). 422 with
    `fields`; a deal that is a team deal already -> 422 team_deal_exists."""
    d = teams.team_deal_create(user=me(request), merchant_id=merchant_id, data=body.dict())
    return Status(201, deal_out(teams.team_deal_get(team_deal_id=d.pk)))


@router.get("/merchants/{merchant_id}/team-deals", response={200: TeamDealListOut, **_ERRORS})
def team_deal_list(request: HttpRequest, merchant_id: str):  # type: ignore[no-untyped-def]
    """The merchant's team deals on sale, each with its open teams."""
    return {"results": [deal_out(d) for d in teams.team_deals_of(merchant_id=merchant_id)]}


@router.post("/team-deals/{team_deal_id}/teams", response={200: JoinOut, 201: JoinOut, **_ERRORS})
def team_open(request: HttpRequest, team_deal_id: str):  # type: ignore[no-untyped-def]
    """Open a team: I am its first member, with an order for my place to pay (POST /orders/{id}/pay)
    before its hold ends. Idempotency-Key honoured. 409 team_closed (not on sale), sold_out."""
    def work() -> tuple[int, Any]:
        member = teams.team_open(customer=me(request), team_deal_id=team_deal_id,
                                 source=Source(channel=Channel.APP))
        return _joined(request, member)

    status, out = idempotency.run(request, endpoint=f"teams.open:{team_deal_id}", body={}, work=work,
                                  replay_status=lambda s: 200 if s == 201 else s, atomic=True)
    return Status(status, out)


@router.post("/teams/{team_id}/join", response={200: JoinOut, 201: JoinOut, **_ERRORS})
def team_join(request: HttpRequest, team_id: str):  # type: ignore[no-untyped-def]
    """Join a team: an order for my place, to pay before its hold ends (no later than the team's time).
    Idempotency-Key honoured. 404 team_not_found; 409 team_full (every place held), team_expired,
    team_closed (complete or failed), already_in_team, sold_out, limit_exceeded."""
    def work() -> tuple[int, Any]:
        member = teams.team_join(customer=me(request), team_id=team_id, source=Source(channel=Channel.APP))
        return _joined(request, member)

    status, out = idempotency.run(request, endpoint=f"teams.join:{team_id}", body={}, work=work,
                                  replay_status=lambda s: 200 if s == 201 else s, atomic=True)
    return Status(status, out)


@router.get("/teams/{team_id}", response={200: TeamOut, **_ERRORS})
def team_get(request: HttpRequest, response: HttpResponse, team_id: str):  # type: ignore[no-untyped-def]
    """A team: its places, who is in it and until when."""
    add_never_cache_headers(response)
    return team_out(teams.team_get(team_id=team_id))
