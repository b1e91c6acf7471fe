"""Who may call what: every endpoint of the OpenAPI document x every kind of caller.

The endpoints come from the ninja api object's own OpenAPI document, so an endpoint added without
a row here fails this test until someone decides who may call it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from o2o.api.api import api as ninja_api
from tests.helpers import GOOD_CARD, PASSWORD, ApiClient, assert_error, quick_user

pytestmark = pytest.mark.django_db

ACTORS = ("anonymous", "customer", "clerk", "owner", "other_owner")
_n = itertools.count()


def _endpoints() -> list[tuple[str, str]]:
    schema = ninja_api.get_openapi_schema()
    prefix = "/api/v1"
    return sorted((method.upper(), path.removeprefix(prefix)) for path, ops in schema["paths"].items()
                  for method in ops)


def build(api: ApiClient) -> dict[str, Any]:
    """A merchant (owner, clerk, store, deal), a customer with orders in every state, a rival owner."""
    w: dict[str, Any] = {"anonymous": None}
    w["owner"] = quick_user("owner")
    ms = api.merchant_with_store(w["owner"])
    w["merchant"], w["store"] = ms["merchant"], ms["store"]
    w["deal"] = api.deal(w["owner"], w["merchant"]["id"], [w["store"]["id"]], quantity_total=100,
                         per_customer_limit=0)
    w["clerk"] = quick_user("clerk")
    r = api.post(f"/merchants/{w['merchant']['id']}/staff",
                 {"email": w["clerk"]["email"], "role": "clerk", "store_ids": [w["store"]["id"]]}, w["owner"]["token"])
    assert r.status_code == 201, r.content
    w["customer"] = quick_user("customer")
    w["other_owner"] = quick_user("rival")
    api.merchant_with_store(w["other_owner"], name="Rival Hotpot")
    # order A: redeemed and reviewed (for the reply); order B: redeemed, not reviewed (for a review);
    # order C: unpaid (for pay); order D: paid with an unused voucher (refund); order E: unused voucher (counter)
    for name, qty, pay in (("A", 1, True), ("B", 1, True), ("C", 1, False), ("D", 1, True), ("E", 1, True)):
        w[f"order_{name}"] = api.buy(w["customer"], w["deal"]["id"], qty, pay=pay)
    for name in ("A", "B"):
        r = api.post("/redemptions", {"store_id": w["store"]["id"], "code": w[f"order_{name}"]["vouchers"][0]["code"]},
                     w["clerk"]["token"])
        assert r.status_code == 201, r.content
    r = api.post("/reviews", {"order_id": w["order_A"]["id"], "rating": 5, "text": "ok"}, w["customer"]["token"])
    assert r.status_code == 201, r.content
    w["review"] = r.json()
    # a second token of the customer's (a lost phone's): only its owner may see or revoke it
    from o2o.accounts.models import ApiToken
    from o2o.accounts.services import token_issue

    spare = token_issue(user=w["customer"]["user"], name="old phone")
    w["spare_token_id"] = str(ApiToken.objects.get(digest=ApiToken.digest_of(spare)).pk)
    return w


Request = Callable[[dict[str, Any]], tuple[str, Any]]


@dataclass(frozen=True)
class Row:
    request: Request  # world -> (path, body or query)
    expect: dict[str, int]
    check: Callable[[dict[str, Any], str, Any], None] | None = None


def _all(status: int) -> dict[str, int]:
    return dict.fromkeys(ACTORS, status)


def _signed_in(status: int, anonymous: int = 401) -> dict[str, int]:
    return {**_all(status), "anonymous": anonymous}


def _merchant_only(ok: int, clerk: int) -> dict[str, int]:
    return {"anonymous": 401, "customer": 404, "clerk": clerk, "owner": ok, "other_owner": 404}


def _buyer_only(ok: int) -> dict[str, int]:
    return {"anonymous": 401, "customer": ok, "clerk": 404, "owner": 404, "other_owner": 404}


def _orders_seen_only_by_buyer(w: dict[str, Any], actor: str, body: Any) -> None:
    ids = {o["id"] for o in body["results"]}
    mine = {w[f"order_{n}"]["id"] for n in "ABCDE"}
    assert (ids == mine) if actor == "customer" else not (ids & mine)


def _finds(body: Any, ident: str) -> None:
    assert ident in [r["id"] for r in body["results"]]


def _sees_spare_token(w: dict[str, Any], actor: str, body: Any) -> None:
    ids = {t["id"] for t in body["results"]}
    assert (w["spare_token_id"] in ids) == (actor == "customer")


def _synced(w: dict[str, Any], body: Any) -> None:
    assert [r["voucher_id"] for r in body["results"]] == [w["order_E"]["vouchers"][0]["id"]]


def _me_memberships(w: dict[str, Any], actor: str, body: Any) -> None:
    roles = {m["role"] for m in body["memberships"] if m["merchant_id"] == w["merchant"]["id"]}
    assert roles == ({"owner"} if actor == "owner" else {"clerk"} if actor == "clerk" else set())


def _clerk_membership(w: dict[str, Any]) -> str:
    from o2o.merchants.models import StaffMembership

    return str(StaffMembership.objects.get(merchant_id=w["merchant"]["id"], user__email=w["clerk"]["email"]).pk)


def _food(w: dict[str, Any]) -> dict[str, Any]:
    """The merchant's menu (a section, a dish), a paid pickup order and a table's open tab of the
    customer's, made once per world through the services (the ordering endpoints' rows use them)."""
    if "food" in w:
        return w["food"]
    from o2o.accounts.models import User
    from o2o.catalogue.products import menu_section_create, product_create
    from o2o.merchants.models import Merchant
    from o2o.ordering.checkout import ordering_order_create, pickup_slots
    from o2o.ordering.tables import table_create
    from o2o.payments.services import order_pay

    owner = User.objects.get(pk=w["owner"]["id"])
    customer = User.objects.get(pk=w["customer"]["id"])
    merchant = Merchant.objects.get(pk=w["merchant"]["id"])
    section = menu_section_create(merchant=merchant, actor=owner, title="Noodles")
    dish = product_create(merchant=merchant, actor=owner, title="Noodles", price={"amount": "18.00"},
                          stock=[{"store_id": w["store"]["id"], "quantity": 50}], status="live",
                          section_id=str(section.pk))
    from django.utils import timezone

    slots = [s for d in (0, 1) for s in pickup_slots(store=merchant.stores.get(pk=w["store"]["id"]),
                                                     day=(timezone.localtime() + timezone.timedelta(days=d)).date())]
    line = [{"offering_id": str(dish.pk), "quantity": 1}]
    pickup = ordering_order_create(customer=customer, lines=line, fulfilment={
        "type": "pickup", "store_id": w["store"]["id"], "slot_start": slots[0].start.isoformat()})
    order_pay(customer=customer, order_id=pickup.pk, provider="sandbox", details={"card_number": GOOD_CARD})
    table = table_create(user=owner, store_id=w["store"]["id"], label="A1")
    seated = ordering_order_create(customer=customer, lines=line, fulfilment={
        "type": "dine_in", "table_id": str(table.pk), "pay_at_counter": True})
    from o2o.ordering.models import Ticket

    w["food"] = {"section": str(section.pk), "dish": str(dish.pk), "pickup": str(pickup.pk),
                 "code": Ticket.objects.get(order=pickup).pickup_code, "table": table.token,
                 "tab": str(Ticket.objects.get(order=seated).tab_id)}
    return w["food"]


def _campaign(w: dict[str, Any]) -> dict[str, Any]:
    """A campaign of the merchant with one flyer for the deal, made once per world through the service."""
    if "campaign" in w:
        return w["campaign"]
    from o2o.accounts.models import User
    from o2o.campaigns.services import campaign_create

    c = campaign_create(user=User.objects.get(pk=w["owner"]["id"]), merchant_id=w["merchant"]["id"], name="Spring",
                        placements=[{"kind": "flyer", "name": "Metro", "cost": {"amount": "10.00", "currency": "CNY"},
                                     "target": {"offering_id": w["deal"]["id"]}}])
    w["campaign"] = {"id": str(c.pk), "placement": str(c.placements.get().pk)}
    return w["campaign"]


def _placement_figures(w: dict[str, Any]) -> tuple[str, Any]:
    _campaign(w)
    return f"/merchants/{w['merchant']['id']}/analytics/placements", {"model": "first_touch"}


def _sees_own_placements(w: dict[str, Any], actor: str, body: Any) -> None:
    assert [r["placement_id"] for r in body["results"]] == [_campaign(w)["placement"]]


def _sees_own_figures(w: dict[str, Any], actor: str, body: Any) -> None:
    """The merchant's own orders (A, B, D, E paid; A and B redeemed) and its deal, nobody else's."""
    assert (body["totals"]["orders"], body["totals"]["paid"], body["totals"]["redeemed"]) == (5, 4, 2)
    assert [o["offering_id"] for o in body["offerings"]] == [w["deal"]["id"]]


def _class(w: dict[str, Any]) -> dict[str, Any]:
    """A bookable class (hourly all day, no notice, 10 seats) and the customer's booking of its next slot,
    made once per world through the services (the bookings endpoints' rows use them)."""
    if "class" in w:
        return w["class"]
    from django.utils import timezone

    from o2o.accounts.models import User
    from o2o.bookings.selectors import live_service, open_slots
    from o2o.bookings.services import booking_create, service_create
    from o2o.merchants.models import Merchant
    from tests.helpers import HOURS_ALL_DAY

    owner = User.objects.get(pk=w["owner"]["id"])
    merchant = Merchant.objects.get(pk=w["merchant"]["id"])
    cls = service_create(merchant=merchant, actor=owner, title="Class", price={"amount": "50.00"},
                         duration_minutes=60, capacity=10, store_ids=[w["store"]["id"]], schedule=HOURS_ALL_DAY,
                         status="live", lead_minutes=0, cancel_minutes=0)
    svc = live_service(cls.pk)
    slot = next(s for d in (0, 1) for s in open_slots(
        service=svc, day=(timezone.localtime() + timezone.timedelta(days=d)).date()))
    booking = booking_create(customer=User.objects.get(pk=w["customer"]["id"]), offering_id=cls.pk,
                             start=slot.start)
    w["class"] = {"id": str(cls.pk), "start": slot.start.isoformat(), "booking": str(booking.pk),
                  "day": timezone.localtime(slot.start).date().isoformat()}
    return w["class"]


def _movable(w: dict[str, Any]) -> tuple[str, str]:
    """The customer's second booking of the class (tomorrow) and the start of the hour after it: what
    POST /bookings/{id}/reschedule moves (its own booking, so that moving it leaves the other rows' alone)."""
    if "movable" in w:
        return w["movable"]
    from datetime import datetime, timedelta

    from o2o.accounts.models import User
    from o2o.bookings.services import booking_create

    start = datetime.fromisoformat(_class(w)["start"]) + timedelta(days=1)
    booking = booking_create(customer=User.objects.get(pk=w["customer"]["id"]), offering_id=_class(w)["id"],
                             start=start)
    w["movable"] = (str(booking.pk), (start + timedelta(hours=1)).isoformat())
    return w["movable"]


def _class_qr(w: dict[str, Any]) -> str:
    """The signed QR of the customer's class booking (what the door scans)."""
    from o2o.bookings.models import Booking
    from o2o.bookings.services import booking_pass_payload
    from o2o.vouchers.signing import sign

    return sign(booking_pass_payload(Booking.objects.select_related("offering").get(pk=_class(w)["booking"])))


def _paid_booking(w: dict[str, Any]) -> str:
    """The customer's booking of a class paid online in full, not paid yet (POST /bookings/{id}/pay)."""
    if "paid_booking" in w:
        return w["paid_booking"]
    from django.utils import timezone

    from o2o.accounts.models import User
    from o2o.bookings.selectors import live_service, open_slots
    from o2o.bookings.services import booking_create, service_create
    from o2o.merchants.models import Merchant
    from tests.helpers import HOURS_ALL_DAY

    owner = User.objects.get(pk=w["owner"]["id"])
    cls = service_create(merchant=Merchant.objects.get(pk=w["merchant"]["id"]), actor=owner, title="Paid class",
                         price={"amount": "50.00"}, duration_minutes=60, capacity=5, store_ids=[w["store"]["id"]],
                         schedule=HOURS_ALL_DAY, status="live", lead_minutes=0, prepay="full")
    day = (timezone.localtime() + timezone.timedelta(days=1)).date()
    slot = open_slots(service=live_service(cls.pk), day=day)[0]
    booking = booking_create(customer=User.objects.get(pk=w["customer"]["id"]), offering_id=cls.pk, start=slot.start)
    w["paid_booking"] = str(booking.pk)
    return w["paid_booking"]


def _queue(w: dict[str, Any]) -> dict[str, Any]:
    """A one-seat class whose next two slots a stranger booked out; the customer queued for the first and
    was offered its seat when the stranger cancelled (the waitlist endpoints' rows use them)."""
    if "queue" in w:
        return w["queue"]
    from django.utils import timezone

    from o2o.accounts.models import User
    from o2o.bookings.selectors import live_service, open_slots
    from o2o.bookings.services import booking_cancel, booking_create, service_create
    from o2o.bookings.waitlist import waitlist_join
    from o2o.merchants.models import Merchant
    from tests.helpers import HOURS_ALL_DAY

    owner = User.objects.get(pk=w["owner"]["id"])
    cls = service_create(merchant=Merchant.objects.get(pk=w["merchant"]["id"]), actor=owner, title="Full class",
                         price={"amount": "50.00"}, duration_minutes=60, capacity=1, store_ids=[w["store"]["id"]],
                         schedule=HOURS_ALL_DAY, status="live", lead_minutes=0, cancel_minutes=0)
    day = (timezone.localtime() + timezone.timedelta(days=1)).date()
    first, second = open_slots(service=live_service(cls.pk), day=day)[:2]
    stranger = quick_user("stranger")["user"]
    gone = booking_create(customer=stranger, offering_id=cls.pk, start=first.start)
    booking_create(customer=stranger, offering_id=cls.pk, start=second.start)
    entry = waitlist_join(customer=User.objects.get(pk=w["customer"]["id"]), offering_id=cls.pk, start=first.start)
    booking_cancel(customer=stranger, booking_id=gone.pk)
    w["queue"] = {"id": str(cls.pk), "second": second.start.isoformat(), "entry": str(entry.pk)}
    return w["queue"]


def _entries_seen_only_by_customer(w: dict[str, Any], actor: str, body: Any) -> None:
    ids = {e["id"] for e in body["results"]}
    assert (ids == {w["queue"]["entry"]}) if actor == "customer" else not ids


def _bookings_seen_only_by_customer(w: dict[str, Any], actor: str, body: Any) -> None:
    ids = {b["id"] for b in body["results"]}
    assert (ids == {w["class"]["booking"]}) if actor == "customer" else not ids


def _coupon(w: dict[str, Any]) -> str:
    """A live coupon of the merchant's (made once per world through the service)."""
    if "coupon" not in w:
        from datetime import timedelta

        from django.utils import timezone

        from o2o.accounts.models import User
        from o2o.members.coupons import coupon_create

        w["coupon"] = str(coupon_create(user=User.objects.get(pk=w["owner"]["id"]), merchant_id=w["merchant"]["id"],
                                        data={"title": "5 off", "kind": "fixed",
                                              "amount": {"amount": "5.00", "currency": "CNY"},
                                              "valid_until": timezone.now() + timedelta(days=1)}).pk)
    return w["coupon"]


def _card_qr(w: dict[str, Any]) -> str:
    """The customer's member card QR at the merchant (the customer has one: paid orders earn points)."""
    from o2o.members.cards import member_card_qr
    from o2o.members.models import Membership

    return member_card_qr(Membership.objects.get(customer_id=w["customer"]["id"], merchant_id=w["merchant"]["id"]))[0]


def _sees_own_cards(w: dict[str, Any], actor: str, body: Any) -> None:
    merchants = {c["merchant"]["id"] for c in body["results"]}
    assert (w["merchant"]["id"] in merchants) == (actor == "customer")


def _zone(w: dict[str, Any]) -> str:
    """A 3 km delivery zone around the store (made once per world through the service)."""
    if "zone" not in w:
        from o2o.accounts.models import User
        from o2o.delivery.zones import zone_create

        w["zone"] = str(zone_create(user=User.objects.get(pk=w["owner"]["id"]), store_id=w["store"]["id"], name="3 km",
                                    kind="radius", radius_m=3000, fee_bands=[{"up_to_m": 3000, "fee": "5.00"}]).pk)
    return w["zone"]
def _customer_and_staff(ok: int) -> dict[str, int]:
    return {"anonymous": 401, "customer": ok, "clerk": ok, "owner": ok, "other_owner": 404}


def _customer_acts(ok: int) -> dict[str, int]:
    """The customer's own move on a job: its merchant's staff 403, anyone else 404."""
    return {"anonymous": 401, "customer": ok, "clerk": 403, "owner": 403, "other_owner": 404}


def _jobs(w: dict[str, Any]) -> dict[str, Any]:
    """A renovation form; a request with an open quote; a job with its deposit paid whose milestone 0 is
    done, 1 checked in, 2 done and disputed; a proposed change order and a proof awaiting approval
    (the jobs endpoints' rows use them), made once per world through the services."""
    if "jobs" in w:
        return w["jobs"]
    from datetime import timedelta

    from django.utils import timezone

    from o2o.accounts.models import User
    from o2o.jobs import escrow, services, site
    from tests.jobs.conftest import SITE, pdf_bytes, png_bytes, quote_body

    owner, customer = User.objects.get(pk=w["owner"]["id"]), User.objects.get(pk=w["customer"]["id"])
    form = services.form_create(user=owner, merchant_id=w["merchant"]["id"], trade="renovation", title="Flat",
                                fields=[{"key": "area", "label": "Area", "type": "area"}])

    def quote(req: Any) -> Any:
        b = quote_body()
        return services.quote_create(user=owner, request_id=req.pk, valid_until=timezone.now() + timedelta(days=3),
                                     deposit_share=b["deposit_share"], milestones=b["milestones"],
                                     options=b["options"])

    open_req = services.request_submit(customer=customer, form_id=form.pk, answers={"area": "50"}, site=SITE)
    open_quote = quote(open_req)
    req = services.request_submit(customer=customer, form_id=form.pk, answers={"area": "80"}, site=SITE)
    q = quote(req)
    job = services.quote_accept(customer=customer, quote_id=q.pk, option_id=q.options.first().pk)
    escrow.deposit_pay(customer=customer, job_id=job.pk, provider="sandbox", details={"card_number": GOOD_CARD})
    services.message_post(user=customer, request_id=req.pk, text="When do you start?")
    m0, m1, m2 = job.milestones.order_by("position")
    escrow.milestone_done(staff=owner, milestone_id=m0.pk)
    escrow.milestone_done(staff=owner, milestone_id=m2.pk)
    escrow.milestone_dispute(customer=customer, milestone_id=m2.pk, comment="cracks")
    photo = services.upload_create(user=owner, data=png_bytes())
    check_in = site.check_in(technician=owner, milestone_id=m1.pk, lat=SITE["lat"], lng=SITE["lng"],
                             at=timezone.now(), photo_id=photo.pk)
    co = escrow.change_order_propose(staff=owner, job_id=job.pk, price={"amount": "1300.00"}, reason="more tiles",
                                     milestones=[{"title": "Extra", "share": "100.00"}])
    proof = site.proof_upload(staff=owner, job_id=job.pk, data=pdf_bytes())
    unpaid_quote = quote(services.request_submit(customer=customer, form_id=form.pk, answers={}, site=SITE))
    unpaid = services.quote_accept(customer=customer, quote_id=unpaid_quote.pk,
                                   option_id=unpaid_quote.options.first().pk)
    from o2o.jobs import visits

    visit = visits.visit_plan(staff=owner, milestone_id=m1.pk, technician_id=w["clerk"]["id"],
                              window_start=timezone.now(), window_end=timezone.now() + timedelta(hours=2))
    w["jobs"] = {"visit": str(visit.pk), "form": str(form.pk), "open_request": str(open_req.pk), "open_quote": str(open_quote.pk),
                 "open_option": str(open_quote.options.first().pk), "request": str(req.pk), "quote": str(q.pk),
                 "job": str(job.pk), "unpaid": str(unpaid.pk), "m0": str(m0.pk), "m1": str(m1.pk), "m2": str(m2.pk),
                 "check_in": str(check_in.pk), "change_order": str(co.pk), "proof": str(proof.pk)}
    return w["jobs"]


def _j(key: str) -> Callable[[dict[str, Any]], str]:
    return lambda w: _jobs(w)[key]


def _referral_code(w: dict[str, Any]) -> str:
    """The customer's referral code at the merchant (a customer with paid orders there)."""
    from o2o.members.models import Membership
    from o2o.members.referrals import referral_code_of

    return referral_code_of(card=Membership.objects.get(customer_id=w["customer"]["id"],
                                                        merchant_id=w["merchant"]["id"]))


def _team_deal(w: dict[str, Any]) -> str:
    """A team deal of the merchant's (on a deal of its own), made once per world through the service."""
    if "team_deal" not in w:
        from o2o.accounts.models import User
        from o2o.catalogue.services import offering_create
        from o2o.members.teams import team_deal_create
        from o2o.merchants.models import Merchant

        owner = User.objects.get(pk=w["owner"]["id"])
        deal = offering_create(merchant=Merchant.objects.get(pk=w["merchant"]["id"]), actor=owner, kind="deal",
                               title="Team", price={"amount": "20.00"}, quantity_total=50, per_customer_limit=0,
                               valid_days=30, redeemable_store_ids=[w["store"]["id"]], status="live")
        w["team_deal"] = str(team_deal_create(user=owner, merchant_id=w["merchant"]["id"],
                                              data={"offering_id": str(deal.pk), "team_size": 6, "hours": 2}).pk)
    return w["team_deal"]


def _team(w: dict[str, Any]) -> str:
    """An open team of that deal, opened by a buyer who is none of the actors."""
    if "team" not in w:
        from o2o.members.teams import team_open

        w["team"] = str(team_open(customer=quick_user("leader")["user"], team_deal_id=_team_deal(w)).team_id)
    return w["team"]


MATRIX: dict[tuple[str, str], Row] = {
    # delivery: zones and settings are the store's managers' (read by its staff); a quote needs a token;
    # the courier endpoints are for couriers only (none of these actors is one: 403)
    ("POST", "/merchants/{merchant_id}/stores/{store_id}/delivery-zones"): Row(
        lambda w: (f"/merchants/{w['merchant']['id']}/stores/{w['store']['id']}/delivery-zones",
                   {"name": "2 km", "kind": "radius", "radius_m": 2000, "fee_bands": [{"up_to_m": 2000, "fee": "4.00"}]}),
        _merchant_only(201, clerk=403)),
    ("GET", "/merchants/{merchant_id}/stores/{store_id}/delivery-zones"): Row(
        lambda w: (f"/merchants/{w['merchant']['id']}/stores/{w['store']['id']}/delivery-zones", None),
        _merchant_only(200, clerk=200)),
    ("PUT", "/merchants/{merchant_id}/stores/{store_id}/delivery-settings"): Row(
        lambda w: (f"/merchants/{w['merchant']['id']}/stores/{w['store']['id']}/delivery-settings",
                   {"failed_refund": "none"}), _merchant_only(200, clerk=403)),
    ("GET", "/stores/{store_id}/delivery-quote"): Row(
        lambda w: (_zone(w) and f"/stores/{w['store']['id']}/delivery-quote",
                   {"lat": w["store"]["lat"] + 0.005, "lng": w["store"]["lng"]}), _signed_in(200)),
    ("POST", "/courier/shift"): Row(lambda w: ("/courier/shift", {"on": True}), _signed_in(403)),
    ("POST", "/courier/position"): Row(
        lambda w: ("/courier/position", {"lat": w["store"]["lat"], "lng": w["store"]["lng"]}), _signed_in(403)),
    ("GET", "/courier/tasks"): Row(lambda w: ("/courier/tasks", None), _signed_in(403)),
    ("POST", "/courier/pickups"): Row(
        lambda w: ("/courier/pickups", {"store_id": w["store"]["id"], "code": "123456"}), _signed_in(403)),
    ("POST", "/courier/tasks/{task_id}/deliver"): Row(
        lambda w: (f"/courier/tasks/{w['order_D']['id']}/deliver", {"code": "123456"}), _signed_in(403)),
    ("POST", "/courier/tasks/{task_id}/fail"): Row(
        lambda w: (f"/courier/tasks/{w['order_D']['id']}/fail", {"reason": "Nobody there"}), _signed_in(403)),
    ("POST", "/courier/tasks/{task_id}/retry"): Row(
        lambda w: (f"/courier/tasks/{w['order_D']['id']}/retry", {}), _signed_in(403)),
    ("POST", "/courier/tasks/{task_id}/return"): Row(
        lambda w: (f"/courier/tasks/{w['order_D']['id']}/return", {}), _signed_in(403)),
    # members: loyalty rules and tiers are read by anyone signed in, changed by owners and managers; my
    # tier and my referral code are the card holder's; taking a code is anyone's but its owner's and the
    # merchant's staff's; team deals are made by owners and managers, teams opened and joined by anyone
    ("GET", "/merchants/{merchant_id}/loyalty-program"): Row(
        lambda w: (f"/merchants/{w['merchant']['id']}/loyalty-program", None), _signed_in(200)),
    ("PUT", "/merchants/{merchant_id}/loyalty-program"): Row(
        lambda w: (f"/merchants/{w['merchant']['id']}/loyalty-program", {"tier_basis": "points"}),
        _merchant_only(200, clerk=403)),
    ("POST", "/merchants/{merchant_id}/tiers"): Row(
        lambda w: (f"/merchants/{w['merchant']['id']}/tiers", {"name": "Gold", "threshold": "500"}),
        _merchant_only(201, clerk=403)),
    ("GET", "/merchants/{merchant_id}/tiers"): Row(
        lambda w: (f"/merchants/{w['merchant']['id']}/tiers", None), _signed_in(200)),
    ("GET", "/me/member-cards/{merchant_id}/tier"): Row(
        lambda w: (f"/me/member-cards/{w['merchant']['id']}/tier", None), _buyer_only(200)),
    ("GET", "/me/member-cards/{merchant_id}/referral"): Row(
        lambda w: (f"/me/member-cards/{w['merchant']['id']}/referral", None), _buyer_only(200)),
    ("POST", "/referrals"): Row(
        lambda w: ("/referrals", {"code": _referral_code(w)}),
        {"anonymous": 401, "customer": 409, "clerk": 409, "owner": 409, "other_owner": 201}),
    ("GET", "/merchants/{merchant_id}/referrals"): Row(
        lambda w: (f"/merchants/{w['merchant']['id']}/referrals", None), _merchant_only(200, clerk=200)),
    ("POST", "/merchants/{merchant_id}/team-deals"): Row(
        lambda w: (f"/merchants/{w['merchant']['id']}/team-deals",
                   {"offering_id": w["deal"]["id"], "team_size": 3, "hours": 24}), _merchant_only(201, clerk=403)),
    ("GET", "/merchants/{merchant_id}/team-deals"): Row(
        lambda w: (_team_deal(w) and f"/merchants/{w['merchant']['id']}/team-deals", None), _signed_in(200)),
    ("POST", "/team-deals/{team_deal_id}/teams"): Row(
        lambda w: (f"/team-deals/{_team_deal(w)}/teams", {}), _signed_in(201)),
    ("POST", "/teams/{team_id}/join"): Row(lambda w: (f"/teams/{_team(w)}/join", {}), _signed_in(201)),
    ("GET", "/teams/{team_id}"): Row(lambda w: (f"/teams/{_team(w)}", None), _signed_in(200)),
    # members: coupons are made by owners and managers, read by staff, claimed by anyone signed in; a
    # card is its customer's own (/me); scanning one is the store's staff's
    ("POST", "/merchants/{merchant_id}/coupons"): Row(
        lambda w: (f"/merchants/{w['merchant']['id']}/coupons",
                   {"title": "10 off", "kind": "fixed", "amount": {"amount": "10.00", "currency": "CNY"},
                    "valid_until": "2099-01-01T00:00:00+08:00"}), _merchant_only(201, clerk=403)),
    ("GET", "/merchants/{merchant_id}/coupons"): Row(
        lambda w: (f"/merchants/{w['merchant']['id']}/coupons", None), _merchant_only(200, clerk=200)),
    ("POST", "/coupons/{coupon_id}/claim"): Row(lambda w: (f"/coupons/{_coupon(w)}/claim", {}), _signed_in(201)),
    ("GET", "/me/coupons"): Row(lambda w: ("/me/coupons", None), _signed_in(200)),
    ("GET", "/me/member-cards"): Row(lambda w: ("/me/member-cards", None), _signed_in(200), _sees_own_cards),
    ("POST", "/me/member-cards"): Row(
        lambda w: ("/me/member-cards", {"merchant_id": w["merchant"]["id"]}),
        {**_signed_in(201), "customer": 200}),  # the customer's paid orders opened the card already
    ("GET", "/me/member-cards/{merchant_id}"): Row(
        lambda w: (f"/me/member-cards/{w['merchant']['id']}", None), _buyer_only(200)),
    ("POST", "/stores/{store_id}/member-cards/scan"): Row(
        lambda w: (f"/stores/{w['store']['id']}/member-cards/scan", {"qr_payload": _card_qr(w)}),
        _merchant_only(200, clerk=200)),
    ("POST", "/auth/register"): Row(
        lambda w: ("/auth/register", {"email": f"new{next(_n)}@example.com", "password": PASSWORD,
                                      "display_name": "New"}), _all(201)),
    ("POST", "/auth/token"): Row(
        lambda w: ("/auth/token", {"email": w["customer"]["email"], "password": PASSWORD}), _all(200)),
    ("POST", "/auth/token/revoke"): Row(lambda w: ("/auth/token/revoke", {}), _signed_in(204)),
    ("GET", "/auth/tokens"): Row(
        lambda w: ("/auth/tokens", None), _signed_in(200),
        lambda w, actor, body: _sees_spare_token(w, actor, body)),
    ("POST", "/auth/tokens/{token_id}/revoke"): Row(
        lambda w: (f"/auth/tokens/{w['spare_token_id']}/revoke", {}), _buyer_only(204)),
    ("GET", "/me"): Row(lambda w: ("/me", None), _signed_in(200), _me_memberships),
    ("POST", "/reviews"): Row(
        lambda w: ("/reviews", {"order_id": w["order_B"]["id"], "rating": 4, "text": "fine"}), _buyer_only(201)),
    ("POST", "/reviews/{review_id}/reply"): Row(
        lambda w: (f"/reviews/{w['review']['id']}/reply", {"text": "Thanks"}), _merchant_only(200, clerk=403)),
    ("PATCH", "/reviews/{review_id}"): Row(
        lambda w: (f"/reviews/{w['review']['id']}", {"text": "Edited"}), _buyer_only(200)),
    # a JSON body carries no file: the author hears 422, everyone else 404 before any file is read
    ("POST", "/reviews/{review_id}/photos"): Row(
        lambda w: (f"/reviews/{w['review']['id']}/photos", {}), _buyer_only(422)),
    ("GET", "/stores/{store_id}/reviews"): Row(lambda w: (f"/stores/{w['store']['id']}/reviews", None), _all(200)),
    ("GET", "/stores/nearby"): Row(
        lambda w: ("/stores/nearby", {"lat": w["store"]["lat"], "lng": w["store"]["lng"]}), _all(200),
        lambda w, actor, body: _finds(body, w["store"]["id"])),
    ("GET", "/offerings/nearby"): Row(
        lambda w: ("/offerings/nearby", {"lat": w["store"]["lat"], "lng": w["store"]["lng"]}), _all(200),
        lambda w, actor, body: _finds(body, w["deal"]["id"])),
    ("GET", "/search"): Row(
        lambda w: ("/search", {"lat": w["store"]["lat"], "lng": w["store"]["lng"], "q": "hotpot"}), _all(200)),
    ("GET", "/stores/{store_id}"): Row(lambda w: (f"/stores/{w['store']['id']}", None), _all(200)),
    ("GET", "/offerings/{offering_id}"): Row(lambda w: (f"/offerings/{w['deal']['id']}", None), _all(200)),
    ("POST", "/merchants"): Row(lambda w: ("/merchants", {"name": "Another", "category": "salon"}), _signed_in(201)),
    ("GET", "/merchants/{merchant_id}"): Row(
        lambda w: (f"/merchants/{w['merchant']['id']}", None), _merchant_only(200, clerk=200)),
    ("POST", "/merchants/{merchant_id}/stores"): Row(
        lambda w: (f"/merchants/{w['merchant']['id']}/stores",
                   {"name": "New shop", "address": "3 Road", "lat": 30.6, "lng": 104.0}),
        _merchant_only(201, clerk=403)),
    ("POST", "/merchants/{merchant_id}/staff"): Row(
        lambda w: (f"/merchants/{w['merchant']['id']}/staff",
                   {"email": f"staff{next(_n)}@example.com", "role": "clerk", "store_ids": [w["store"]["id"]]}),
        _merchant_only(201, clerk=403)),
    ("GET", "/merchants/{merchant_id}/staff"): Row(
        lambda w: (f"/merchants/{w['merchant']['id']}/staff", None), _merchant_only(200, clerk=403)),
    ("PATCH", "/merchants/{merchant_id}/staff/{staff_id}"): Row(
        lambda w: (f"/merchants/{w['merchant']['id']}/staff/{_clerk_membership(w)}", {"role": "courier"}),
        _merchant_only(200, clerk=403)),
    ("DELETE", "/merchants/{merchant_id}/staff/{staff_id}"): Row(
        lambda w: (f"/merchants/{w['merchant']['id']}/staff/{_clerk_membership(w)}", None),
        _merchant_only(204, clerk=403)),
    ("PATCH", "/merchants/{merchant_id}/offerings/{offering_id}"): Row(
        lambda w: (f"/merchants/{w['merchant']['id']}/offerings/{w['deal']['id']}", {"title": "Hotpot for three"}),
        _merchant_only(200, clerk=403)),
    ("POST", "/merchants/{merchant_id}/offerings"): Row(
        lambda w: (f"/merchants/{w['merchant']['id']}/offerings",
                   {"kind": "deal", "title": "Lunch set", "price": {"amount": "29.00", "currency": "CNY"},
                    "quantity_total": 5, "redeemable_store_ids": [w["store"]["id"]], "status": "live"}),
        _merchant_only(201, clerk=403)),
    ("POST", "/orders"): Row(
        lambda w: ("/orders", {"lines": [{"offering_id": w["deal"]["id"], "quantity": 1}]}), _signed_in(201)),
    ("GET", "/orders"): Row(lambda w: ("/orders", None), _signed_in(200), _orders_seen_only_by_buyer),
    ("GET", "/orders/{order_id}"): Row(lambda w: (f"/orders/{w['order_A']['id']}", None), _buyer_only(200)),
    ("POST", "/orders/{order_id}/pay"): Row(
        lambda w: (f"/orders/{w['order_C']['id']}/pay", {"provider": "sandbox", "card_number": GOOD_CARD}),
        _buyer_only(200)),
    ("POST", "/orders/{order_id}/refund"): Row(
        lambda w: (f"/orders/{w['order_D']['id']}/refund", {}), _buyer_only(200)),
    ("POST", "/redemptions"): Row(
        lambda w: ("/redemptions", {"store_id": w["store"]["id"], "code": w["order_E"]["vouchers"][0]["code"]}),
        _merchant_only(201, clerk=201)),
    ("POST", "/redemptions/check"): Row(
        lambda w: ("/redemptions/check", {"store_id": w["store"]["id"], "code": w["order_E"]["vouchers"][0]["code"]}),
        _merchant_only(200, clerk=200)),
    ("POST", "/redemptions/sync"): Row(
        lambda w: ("/redemptions/sync", {
            "store_id": w["store"]["id"], "device_id": "counter-0001",
            "items": [{"qr_payload": w["order_E"]["vouchers"][0]["qr_payload"],
                       "redeemed_at": "2026-01-01T12:00:00+08:00"}]}),
        _merchant_only(200, clerk=200),
        lambda w, actor, body: _synced(w, body)),
    ("GET", "/keys/vouchers"): Row(lambda w: ("/keys/vouchers", None), _all(200)),
    # ordering: the menu and a table's QR are public; slots need a token; the kitchen, stock, tables, tabs,
    # pickups and counter sales are the store's staff's; menus and tables are made by owner and managers
    ("GET", "/stores/{store_id}/menu"): Row(lambda w: (f"/stores/{w['store']['id']}/menu", None), _all(200)),
    ("GET", "/stores/{store_id}/pickup-slots"): Row(
        lambda w: (f"/stores/{w['store']['id']}/pickup-slots", {"date": "2026-12-31"}), _signed_in(200)),
    ("GET", "/tables/{token}"): Row(lambda w: (f"/tables/{_food(w)['table']}", None), _all(200)),
    ("POST", "/merchants/{merchant_id}/menu-sections"): Row(
        lambda w: (f"/merchants/{w['merchant']['id']}/menu-sections", {"title": "Drinks"}),
        _merchant_only(201, clerk=403)),
    ("PUT", "/merchants/{merchant_id}/menu-sections/order"): Row(
        lambda w: (f"/merchants/{w['merchant']['id']}/menu-sections/order", {"section_ids": [_food(w)["section"]]}),
        _merchant_only(200, clerk=403)),
    ("PATCH", "/merchants/{merchant_id}/products/{offering_id}"): Row(
        lambda w: (f"/merchants/{w['merchant']['id']}/products/{_food(w)['dish']}", {"prep_minutes": 9}),
        _merchant_only(200, clerk=403)),
    ("PATCH", "/stores/{store_id}/stock/{offering_id}"): Row(
        lambda w: (f"/stores/{w['store']['id']}/stock/{_food(w)['dish']}", {"sold_out": True}),
        _merchant_only(200, clerk=200)),
    ("GET", "/stores/{store_id}/kitchen"): Row(
        lambda w: (f"/stores/{w['store']['id']}/kitchen", None), _merchant_only(200, clerk=200)),
    ("POST", "/orders/{order_id}/accept"): Row(
        lambda w: (f"/orders/{_food(w)['pickup']}/accept", {}), _merchant_only(200, clerk=200)),
    ("POST", "/orders/{order_id}/ready"): Row(
        lambda w: (f"/orders/{_food(w)['pickup']}/ready", {}), _merchant_only(200, clerk=200)),
    ("POST", "/orders/{order_id}/hand-over"): Row(
        lambda w: (f"/orders/{_food(w)['pickup']}/hand-over", {}), _merchant_only(200, clerk=200)),
    ("POST", "/orders/{order_id}/reject"): Row(
        lambda w: (f"/orders/{_food(w)['pickup']}/reject", {"reason": "Out of noodles"}),
        _merchant_only(200, clerk=200)),
    ("POST", "/pickups"): Row(
        lambda w: ("/pickups", {"store_id": w["store"]["id"], "code": _food(w)["code"]}), _merchant_only(200, clerk=200)),
    ("POST", "/stores/{store_id}/tables"): Row(
        lambda w: (f"/stores/{w['store']['id']}/tables", {"label": "B2"}), _merchant_only(201, clerk=403)),
    ("GET", "/stores/{store_id}/tables"): Row(
        lambda w: (f"/stores/{w['store']['id']}/tables", None), _merchant_only(200, clerk=200)),
    ("GET", "/tabs/{tab_id}"): Row(lambda w: (f"/tabs/{_food(w)['tab']}", None), _merchant_only(200, clerk=200)),
    ("POST", "/tabs/{tab_id}/close"): Row(
        lambda w: (f"/tabs/{_food(w)['tab']}/close", {"method": "cash"}), _merchant_only(200, clerk=200)),
    ("POST", "/stores/{store_id}/sales"): Row(
        lambda w: (f"/stores/{w['store']['id']}/sales", {"lines": [{"offering_id": _food(w)["dish"], "quantity": 1}],
                                                         "payment": {"method": "cash"}}),
        _merchant_only(201, clerk=201)),
    ("POST", "/merchants/{merchant_id}/campaigns"): Row(
        lambda w: (f"/merchants/{w['merchant']['id']}/campaigns", {
            "name": "Autumn", "placements": [{"kind": "poster", "name": "Mall", "cost": {"amount": "5.00", "currency": "CNY"},
                                              "target": {"store_id": w["store"]["id"]}}]}),
        _merchant_only(201, clerk=403)),
    ("GET", "/merchants/{merchant_id}/campaigns"): Row(
        lambda w: (_campaign(w) and f"/merchants/{w['merchant']['id']}/campaigns", None),
        _merchant_only(200, clerk=200), lambda w, actor, body: _finds(body, _campaign(w)["id"])),
    ("GET", "/merchants/{merchant_id}/campaigns/{campaign_id}"): Row(
        lambda w: (f"/merchants/{w['merchant']['id']}/campaigns/{_campaign(w)['id']}", None),
        _merchant_only(200, clerk=200)),
    ("PATCH", "/merchants/{merchant_id}/placements/{placement_id}"): Row(
        lambda w: (f"/merchants/{w['merchant']['id']}/placements/{_campaign(w)['placement']}", {"active": False}),
        _merchant_only(200, clerk=403)),
    ("GET", "/merchants/{merchant_id}/attribution"): Row(
        lambda w: (f"/merchants/{w['merchant']['id']}/attribution", None), _merchant_only(200, clerk=200)),
    ("PUT", "/merchants/{merchant_id}/attribution"): Row(
        lambda w: (f"/merchants/{w['merchant']['id']}/attribution", {"window_days": 14}),
        _merchant_only(200, clerk=403)),
    ("GET", "/merchants/{merchant_id}/analytics/placements"): Row(
        _placement_figures, _merchant_only(200, clerk=200), _sees_own_placements),
    # the event stream's analytics: money, so owners and managers only
    ("GET", "/merchants/{merchant_id}/analytics/summary"): Row(
        lambda w: (f"/merchants/{w['merchant']['id']}/analytics/summary", None), _merchant_only(200, clerk=403),
        _sees_own_figures),
    ("GET", "/merchants/{merchant_id}/analytics/export.csv"): Row(
        lambda w: (f"/merchants/{w['merchant']['id']}/analytics/export.csv", {"table": "offerings"}),
        _merchant_only(200, clerk=403)),
    # bookings: slots and booking need a token; a booking is its customer's; check-in and the store's list
    # are the store's staff's; resources are made by owner and managers
    ("GET", "/offerings/{offering_id}/slots"): Row(
        lambda w: (f"/offerings/{_class(w)['id']}/slots", {"date": _class(w)["day"]}), _signed_in(200)),
    ("POST", "/bookings"): Row(
        lambda w: ("/bookings", {"offering_id": _class(w)["id"], "start": _class(w)["start"]}), _signed_in(201)),
    ("GET", "/bookings"): Row(
        lambda w: (_class(w) and "/bookings", None), _signed_in(200), _bookings_seen_only_by_customer),
    ("GET", "/bookings/{booking_id}"): Row(lambda w: (f"/bookings/{_class(w)['booking']}", None), _buyer_only(200)),
    ("POST", "/bookings/{booking_id}/cancel"): Row(
        lambda w: (f"/bookings/{_class(w)['booking']}/cancel", {}), _buyer_only(200)),
    ("POST", "/bookings/{booking_id}/reschedule"): Row(
        lambda w: (f"/bookings/{_movable(w)[0]}/reschedule", {"start": _movable(w)[1]}), _buyer_only(200)),
    ("POST", "/bookings/{booking_id}/check-in"): Row(
        lambda w: (f"/bookings/{_class(w)['booking']}/check-in", {}), _merchant_only(200, clerk=200)),
    # a booking is paid by its customer; a no-show is staff's (the class has not started: 409 not_started);
    # the door's scan is staff of the store (the class starts within the hour: checked in)
    ("POST", "/bookings/{booking_id}/pay"): Row(
        lambda w: (f"/bookings/{_paid_booking(w)}/pay", {"provider": "sandbox", "card_number": GOOD_CARD}),
        _buyer_only(200)),
    ("POST", "/bookings/{booking_id}/no-show"): Row(
        lambda w: (f"/bookings/{_class(w)['booking']}/no-show", {}), _merchant_only(409, clerk=409)),
    ("POST", "/stores/{store_id}/bookings/scan"): Row(
        lambda w: (f"/stores/{w['store']['id']}/bookings/scan", {"qr_payload": _class_qr(w)}),
        _merchant_only(200, clerk=200)),
    ("GET", "/stores/{store_id}/bookings"): Row(
        lambda w: (f"/stores/{w['store']['id']}/bookings", {"date": _class(w)["day"]}),
        _merchant_only(200, clerk=200)),
    ("POST", "/merchants/{merchant_id}/resources"): Row(
        lambda w: (f"/merchants/{w['merchant']['id']}/resources", {"name": "Room 1", "kind": "room"}),
        _merchant_only(201, clerk=403)),
    ("GET", "/merchants/{merchant_id}/resources"): Row(
        lambda w: (f"/merchants/{w['merchant']['id']}/resources", None), _merchant_only(200, clerk=200)),
    ("POST", "/waitlist"): Row(
        lambda w: ("/waitlist", {"offering_id": _queue(w)["id"], "start": _queue(w)["second"]}), _signed_in(201)),
    ("GET", "/waitlist"): Row(lambda w: (_queue(w) and "/waitlist", None), _signed_in(200),
                              _entries_seen_only_by_customer),
    ("POST", "/waitlist/{entry_id}/take"): Row(
        lambda w: (f"/waitlist/{_queue(w)['entry']}/take", {}), _buyer_only(201)),
    ("POST", "/waitlist/{entry_id}/leave"): Row(
        lambda w: (f"/waitlist/{_queue(w)['entry']}/leave", {}), _buyer_only(200)),
    # jobs: forms by owners and managers; a request, its thread, quotes and job are its customer's and its
    # merchant's staff's; the customer's own moves (accept, pay, sign off, dispute, decide a change order or a
    # proof) refuse the staff (403); the staff's moves (quote, start, done, answer, check in, proofs) refuse
    # the customer (404, as for anyone outside the merchant)
    ("POST", "/merchants/{merchant_id}/job-forms"): Row(
        lambda w: (f"/merchants/{w['merchant']['id']}/job-forms", {
            "trade": "printing", "title": "Boxes", "fields": [{"key": "qty", "label": "Qty", "type": "number"}]}),
        _merchant_only(201, clerk=403)),
    ("GET", "/merchants/{merchant_id}/job-forms"): Row(
        lambda w: (_jobs(w) and f"/merchants/{w['merchant']['id']}/job-forms", None), _signed_in(200),
        lambda w, actor, body: _finds(body, _jobs(w)["form"])),
    ("GET", "/job-forms/{form_id}"): Row(lambda w: (f"/job-forms/{_j('form')(w)}", None), _signed_in(200)),
    ("POST", "/job-uploads"): Row(lambda w: ("/job-uploads", {}), _signed_in(422)),  # no multipart file
    ("POST", "/job-forms/{form_id}/requests"): Row(
        lambda w: (f"/job-forms/{_j('form')(w)}/requests", {"answers": {"area": "20"}}), _signed_in(201)),
    ("GET", "/job-requests/{request_id}"): Row(
        lambda w: (f"/job-requests/{_j('request')(w)}", None), _customer_and_staff(200)),
    ("GET", "/me/job-requests"): Row(lambda w: (_jobs(w) and "/me/job-requests", None), _signed_in(200)),
    ("GET", "/merchants/{merchant_id}/job-requests"): Row(
        lambda w: (_jobs(w) and f"/merchants/{w['merchant']['id']}/job-requests", None), _merchant_only(200, clerk=200),
        lambda w, actor, body: _finds(body, _jobs(w)["request"])),
    ("GET", "/job-requests/{request_id}/messages"): Row(
        lambda w: (f"/job-requests/{_j('request')(w)}/messages", None), _customer_and_staff(200)),
    ("POST", "/job-requests/{request_id}/messages"): Row(
        lambda w: (f"/job-requests/{_j('request')(w)}/messages", {"text": "hello"}), _customer_and_staff(201)),
    ("POST", "/job-requests/{request_id}/quotes"): Row(
        lambda w: (f"/job-requests/{_j('open_request')(w)}/quotes", _quote_body()), _merchant_only(201, clerk=403)),
    ("GET", "/job-quotes/{quote_id}"): Row(
        lambda w: (f"/job-quotes/{_j('quote')(w)}", None), _customer_and_staff(200)),
    ("GET", "/job-quotes/{quote_id}/pdf"): Row(
        lambda w: (f"/job-quotes/{_j('quote')(w)}/pdf", None), _customer_and_staff(200)),
    ("POST", "/job-quotes/{quote_id}/accept"): Row(
        lambda w: (f"/job-quotes/{_j('open_quote')(w)}/accept", {"option_id": _j('open_option')(w)}),
        _buyer_only(201)),
    ("GET", "/jobs/{job_id}"): Row(lambda w: (f"/jobs/{_j('job')(w)}", None), _customer_and_staff(200)),
    ("POST", "/jobs/{job_id}/deposit"): Row(
        lambda w: (f"/jobs/{_j('unpaid')(w)}/deposit", {"card_number": GOOD_CARD}), _customer_acts(200)),
    ("POST", "/job-milestones/{milestone_id}/pay"): Row(
        lambda w: (f"/job-milestones/{_j('m1')(w)}/pay", {"card_number": GOOD_CARD}), _customer_acts(200)),
    ("POST", "/job-milestones/{milestone_id}/start"): Row(
        lambda w: (f"/job-milestones/{_j('m1')(w)}/start", {}), _merchant_only(200, clerk=200)),
    ("POST", "/job-milestones/{milestone_id}/done"): Row(
        lambda w: (f"/job-milestones/{_j('m1')(w)}/done", {}), _merchant_only(200, clerk=200)),
    ("POST", "/job-milestones/{milestone_id}/sign-off"): Row(
        lambda w: (f"/job-milestones/{_j('m0')(w)}/sign-off", {}), _customer_acts(200)),
    ("POST", "/job-milestones/{milestone_id}/dispute"): Row(
        lambda w: (f"/job-milestones/{_j('m0')(w)}/dispute", {"comment": "not level"}), _customer_acts(201)),
    ("POST", "/job-milestones/{milestone_id}/answer"): Row(
        lambda w: (f"/job-milestones/{_j('m2')(w)}/answer", {"answer": "fixed"}), _merchant_only(200, clerk=200)),
    ("POST", "/job-milestones/{milestone_id}/check-ins"): Row(  # staff pass the access check; the photo is no one's
        lambda w: (f"/job-milestones/{_j('m1')(w)}/check-ins", {
            "lat": 30.672, "lng": 104.073, "at": "2026-01-01T00:00:00+00:00", "photo_id": _j('proof')(w)}),
        _merchant_only(422, clerk=422)),
    ("POST", "/job-check-ins/{check_in_id}/check-out"): Row(
        lambda w: (f"/job-check-ins/{_j('check_in')(w)}/check-out", {"note": "done for today"}),
        _merchant_only(200, clerk=200)),
    # visits: planned by owners and managers; the day is any staff's (the customer is nobody's staff: 403);
    # checking in or out is the visit's technician's (here the clerk; the owner is not: 403)
    ("POST", "/job-milestones/{milestone_id}/visits"): Row(
        lambda w: (f"/job-milestones/{_j('m1')(w)}/visits", {
            "technician_id": w["clerk"]["id"], "window_start": "2026-12-01T09:00:00+08:00",
            "window_end": "2026-12-01T11:00:00+08:00"}), _merchant_only(201, clerk=403)),
    ("GET", "/me/visits"): Row(lambda w: ("/me/visits", None),
                               {"anonymous": 401, "customer": 403, "clerk": 200, "owner": 200, "other_owner": 200}),
    ("GET", "/job-visits/{visit_id}"): Row(lambda w: (f"/job-visits/{_j('visit')(w)}", None), _customer_and_staff(200)),
    ("POST", "/job-visits/{visit_id}/check-in"): Row(  # the clerk's time is a year old: 422 bad_time
        lambda w: (f"/job-visits/{_j('visit')(w)}/check-in", {
            "lat": 30.672, "lng": 104.073, "at": "2026-01-01T00:00:00+00:00", "photo_id": _j('proof')(w)}),
        {"anonymous": 401, "customer": 404, "clerk": 422, "owner": 403, "other_owner": 404}),
    ("POST", "/job-visits/{visit_id}/check-out"): Row(  # not checked in yet: 409 for the clerk
        lambda w: (f"/job-visits/{_j('visit')(w)}/check-out", {"note": "x"}),
        {"anonymous": 401, "customer": 404, "clerk": 409, "owner": 403, "other_owner": 404}),
    ("POST", "/jobs/{job_id}/change-orders"): Row(
        lambda w: (f"/jobs/{_j('job')(w)}/change-orders", {
            "price": {"amount": "1200.00", "currency": "CNY"}, "reason": "more",
            "milestones": [{"title": "More", "share": "100.00"}]}), _merchant_only(201, clerk=403)),
    ("POST", "/job-change-orders/{change_order_id}/accept"): Row(
        lambda w: (f"/job-change-orders/{_j('change_order')(w)}/accept", {}), _customer_acts(200)),
    ("POST", "/job-change-orders/{change_order_id}/decline"): Row(
        lambda w: (f"/job-change-orders/{_j('change_order')(w)}/decline", {}), _customer_acts(200)),
    ("POST", "/jobs/{job_id}/proofs"): Row(  # staff pass the access check; JSON carries no file
        lambda w: (f"/jobs/{_j('job')(w)}/proofs", {}), _merchant_only(422, clerk=422)),
    ("POST", "/job-proofs/{proof_id}/approve"): Row(
        lambda w: (f"/job-proofs/{_j('proof')(w)}/approve", {}), _customer_acts(200)),
    ("POST", "/job-proofs/{proof_id}/request-changes"): Row(
        lambda w: (f"/job-proofs/{_j('proof')(w)}/request-changes", {"comment": "bigger logo"}), _customer_acts(200)),
    # community: anyone signed in follows a public merchant and reads their own feed and notifications; a
    # merchant's posts are public; publishing is the owner's and managers' (JSON carries no multipart fields)
    ("POST", "/merchants/{merchant_id}/follow"): Row(
        lambda w: (f"/merchants/{w['merchant']['id']}/follow", {"email": True}), _signed_in(201)),
    ("DELETE", "/merchants/{merchant_id}/follow"): Row(
        lambda w: (f"/merchants/{w['merchant']['id']}/follow", None), _signed_in(200)),
    ("GET", "/me/follows"): Row(lambda w: ("/me/follows", None), _signed_in(200)),
    ("GET", "/me/feed"): Row(lambda w: ("/me/feed", None), _signed_in(200)),
    ("GET", "/me/notifications"): Row(lambda w: ("/me/notifications", None), _signed_in(200)),
    ("POST", "/me/notifications/read"): Row(lambda w: ("/me/notifications/read", {}), _signed_in(200)),
    ("GET", "/merchants/{merchant_id}/posts"): Row(
        lambda w: (f"/merchants/{w['merchant']['id']}/posts", None), _all(200)),
    ("POST", "/merchants/{merchant_id}/posts"): Row(
        lambda w: (f"/merchants/{w['merchant']['id']}/posts", {"kind": "news", "title": "Hello"}),
        _merchant_only(422, clerk=403)),
}


def _quote_body() -> dict[str, Any]:
    from tests.jobs.conftest import quote_body

    return quote_body()


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("endpoint", _endpoints(), ids=lambda e: f"{e[0]} {e[1]}")
def test_who_may_call_what(api_client, endpoint, actor):
    row = MATRIX.get(endpoint)
    assert row is not None, f"{endpoint[0]} {endpoint[1]} has no row in the tenancy matrix: decide who may call it"
    assert set(row.expect) == set(ACTORS)
    w = build(api_client)
    path, body = row.request(w)
    token = w[actor]["token"] if w[actor] else None
    if endpoint[0] == "GET":
        r = api_client.call("GET", path, body, token)
    else:
        r = api_client.call(endpoint[0], path, body, token)
    expected = row.expect[actor]
    if expected >= 400:
        assert_error(r, expected)
    else:
        assert r.status_code == expected, (r.status_code, r.content[:400])
        if row.check is not None:
            row.check(w, actor, r.json())


def test_matrix_has_no_stale_rows():
    assert set(MATRIX) <= set(_endpoints()), set(MATRIX) - set(_endpoints())


def test_pending_merchant_shows_nothing_in_public(api_client, settings):
    settings.O2O = {**settings.O2O, "MERCHANT_APPROVAL": True}
    owner = quick_user("pending")
    ms = api_client.merchant_with_store(owner, name="Not Yet Open")
    assert ms["merchant"]["status"] == "pending"
    deal = api_client.deal(owner, ms["merchant"]["id"], [ms["store"]["id"]])
    store_id = ms["store"]["id"]
    assert_error(api_client.get(f"/stores/{store_id}"), 404)
    assert_error(api_client.get(f"/stores/{store_id}/reviews"), 404)
    assert_error(api_client.get(f"/offerings/{deal['id']}"), 404)
    near = api_client.get("/stores/nearby", lat=ms["store"]["lat"], lng=ms["store"]["lng"], radius_m=1000).json()
    assert store_id not in [s["id"] for s in near["results"]]
    customer = quick_user("customer")
    r = api_client.post("/orders", {"lines": [{"offering_id": deal["id"], "quantity": 1}]}, customer["token"])
    assert_error(r, 404)
    # its owner still manages it
    assert api_client.get(f"/merchants/{ms['merchant']['id']}", owner["token"]).status_code == 200


def test_another_merchants_stores_cannot_be_referenced(api_client):
    """Ids of another merchant's stores in a body are refused, never linked."""
    owner = quick_user("owner")
    mine = api_client.merchant_with_store(owner)
    rival = quick_user("rival")
    theirs = api_client.merchant_with_store(rival, name="Rival")
    mid, their_store = mine["merchant"]["id"], theirs["store"]["id"]
    r = api_client.post(f"/merchants/{mid}/offerings", {
        "kind": "deal", "title": "Sneaky", "price": {"amount": "1.00"}, "quantity_total": 1,
        "redeemable_store_ids": [mine["store"]["id"], their_store], "status": "live"}, owner["token"])
    assert "redeemable_store_ids" in assert_error(r, 422)["fields"]
    r = api_client.post(f"/merchants/{mid}/staff", {"email": "x@example.com", "role": "clerk",
                                                     "store_ids": [their_store]}, owner["token"])
    assert "store_ids" in assert_error(r, 422)["fields"]
    from o2o.catalogue.models import Offering

    assert not Offering.objects.filter(title="Sneaky").exists()
    # and the rival's merchant id in the path is simply not found for this owner
    assert_error(api_client.post(f"/merchants/{theirs['merchant']['id']}/staff",
                                 {"email": owner["email"], "role": "manager", "store_ids": []}, owner["token"]), 404)
