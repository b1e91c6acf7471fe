"""Team purchases (拼团) through the HTTP API: a merchant sells a deal to teams of N; buyers open and join a
team and pay for their place (held in escrow, no vouchers); the N-th payment completes the team and every
member's vouchers are issued; a team whose time runs out fails and the worker refunds every payer; a member
may leave an open team; full, expired, closed teams and joining twice are refused, nothing half-written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from o2o.members.models import Team, TeamMember
from o2o.members.tasks import sweep_teams
from o2o.orders.models import Order
from o2o.payments.books import books_problems
from o2o.payments.ledger import ledger_sums
from o2o.payments.models import Payment
from tests.helpers import assert_error, expire_hold, quantity_left, quick_user
from tests.members.conftest import pay

pytestmark = pytest.mark.django_db


def _team_deal(shop, size: int = 3, hours: int = 24):  # type: ignore[no-untyped-def]
    api, owner, mid = shop["api"], shop["owner"], shop["merchant"]["id"]
    deal = api.deal(owner, mid, [shop["store"]["id"]], title="Hotpot for a team", price={"amount": "59.00",
                    "currency": "CNY"}, quantity_total=20, per_customer_limit=0)
    r = api.post(f"/merchants/{mid}/team-deals", {"offering_id": deal["id"], "team_size": size, "hours": hours},
                 owner["token"])
    assert r.status_code == 201, r.content
    return r.json()


def _open(shop, c, td):  # type: ignore[no-untyped-def]
    r = shop["api"].post(f"/team-deals/{td['id']}/teams", None, c["token"])
    assert r.status_code == 201, r.content
    return r.json()


def _join(shop, c, team_id):  # type: ignore[no-untyped-def]
    return shop["api"].post(f"/teams/{team_id}/join", None, c["token"])


def _team(shop, team_id, c):  # type: ignore[no-untyped-def]
    r = shop["api"].get(f"/teams/{team_id}", c["token"])
    assert r.status_code == 200, r.content
    return r.json()


def _held(order_id: str):  # type: ignore[no-untyped-def]
    p = Payment.objects.get(order_id=order_id)
    return ledger_sums(payment_id=p.pk).in_escrow


def test_a_full_team_issues_every_members_vouchers(shop, django_capture_on_commit_callbacks):
    api = shop["api"]
    td = _team_deal(shop, size=3)
    assert td["team_size"] == 3 and td["price"]["amount"] == "59.00" and td["open_teams"] == []
    buyers = [shop["customer"], quick_user("b"), quick_user("c")]
    opened = _open(shop, buyers[0], td)
    team_id = opened["team"]["id"]
    assert opened["order"]["fulfilment"] == "team" and opened["order"]["status"] == "awaiting_payment"
    assert opened["team"]["places_left"] == 2 and opened["team"]["link"] == f"/teams/{team_id}/"
    orders = [opened["order"]]
    for b in buyers[1:]:
        r = _join(shop, b, team_id)
        assert r.status_code == 201, r.content
        orders.append(r.json()["order"])
    listed = api.get(f"/merchants/{shop['merchant']['id']}/team-deals", buyers[0]["token"]).json()["results"]
    assert listed[0]["open_teams"] == [{"id": team_id, "places_left": 0, "expires_at": listed[0]["open_teams"][0]
                                        ["expires_at"]}]
    # the first two pay: paid, no vouchers, the money held
    for b, o in zip(buyers[:2], orders[:2], strict=True):
        paid = pay(shop, b, o["id"])
        assert paid["status"] == "paid" and paid["vouchers"] == [] and paid["fulfilment_status"] == "waiting"
        assert _held(o["id"]) == 59
    t = _team(shop, team_id, buyers[2])
    assert (t["status"], t["paid"], t["places_taken"]) == ("open", 2, 3)
    assert [(m["status"], m["leader"]) for m in t["members"]] == [("paid", True), ("paid", False), ("reserved", False)]
    with django_capture_on_commit_callbacks(execute=True):
        pay(shop, buyers[2], orders[2]["id"])
    t = _team(shop, team_id, buyers[0])
    assert t["status"] == "complete" and t["completed_at"] and t["paid"] == 3
    for b, o in zip(buyers, orders, strict=True):
        got = api.get(f"/orders/{o['id']}", b["token"]).json()
        assert got["fulfilment_status"] == "issued" and len(got["vouchers"]) == 1, got
        assert _held(o["id"]) == 0  # released to the merchant
    # a voucher of a team order redeems at the counter as any voucher
    code = api.get(f"/orders/{orders[0]['id']}", buyers[0]["token"]).json()["vouchers"][0]["code"]
    r = api.post("/redemptions", {"store_id": shop["store"]["id"], "code": code}, shop["clerk"]["token"])
    assert r.status_code == 201, r.content
    assert_error(_join(shop, quick_user("late"), team_id), 409, "team_closed")
    # after completion a member's refund is a voucher refund, as any order's
    assert api.post(f"/orders/{orders[1]['id']}/refund", None, buyers[1]["token"]).status_code == 200
    assert books_problems() == []


def test_time_runs_out_and_the_worker_refunds_every_payer(shop):
    api = shop["api"]
    td = _team_deal(shop, size=3)
    a, b, c = shop["customer"], quick_user("b"), quick_user("c")
    opened = _open(shop, a, td)
    team_id, oa = opened["team"]["id"], opened["order"]
    ob = _join(shop, b, team_id).json()["order"]
    oc = _join(shop, c, team_id).json()["order"]
    assert Order.objects.get(pk=oc["id"]).expires_at <= Team.objects.get(pk=team_id).expires_at
    pay(shop, a, oa["id"])
    pay(shop, b, ob["id"])
    left = quantity_left(td["offering_id"])
    assert sweep_teams() == {"failed": 0, "refunded": 0, "issued": 0, "errors": 0}  # not yet
    Team.objects.filter(pk=team_id).update(expires_at=timezone.now() - timedelta(seconds=1))  # time passes
    assert_error(_join(shop, quick_user("d"), team_id), 409, "team_expired")
    counts = sweep_teams()
    assert counts["failed"] == 1 and counts["refunded"] == 2, counts
    assert _team(shop, team_id, a)["status"] == "failed"
    for who, o in ((a, oa), (b, ob)):
        got = api.get(f"/orders/{o['id']}", who["token"]).json()
        assert got["status"] == "refunded" and got["refunded"]["amount"] == "59.00" and got["vouchers"] == []
        assert got["fulfilment_status"] == "cancelled"
    assert quantity_left(td["offering_id"]) == left + 2
    assert sweep_teams()["refunded"] == 0  # once
    # the unpaid member's order: its hold ends with the team; paying after the team failed is refunded
    assert_error(_join(shop, c, team_id), 409, "team_closed")
    assert TeamMember.objects.get(order_id=oc["id"]).status == "reserved"
    assert books_problems() == []


def test_a_member_may_leave_an_open_team_and_its_place_is_taken_again(shop):
    api = shop["api"]
    td = _team_deal(shop, size=2)
    a, b, c = shop["customer"], quick_user("b"), quick_user("c")
    opened = _open(shop, a, td)
    team_id = opened["team"]["id"]
    pay(shop, a, opened["order"]["id"])
    ob = _join(shop, b, team_id).json()["order"]
    assert_error(_join(shop, c, team_id), 409, "team_full")
    # B lets the hold run out: the place comes back
    expire_hold(ob["id"])
    sweep_teams()
    from o2o.orders.holds import orders_expire_due

    orders_expire_due()
    assert _team(shop, team_id, a)["places_left"] == 1
    # A leaves (a refund of the held place): the money goes back whole, the team keeps going
    r = api.post(f"/orders/{opened['order']['id']}/refund", None, a["token"])
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "refunded" and _held(opened["order"]["id"]) == 0
    t = _team(shop, team_id, a)
    assert (t["places_taken"], t["paid"], t["status"]) == (0, 0, "open")
    # A may join again, and C too: the team completes
    oa2 = _join(shop, a, team_id)
    assert oa2.status_code == 201, oa2.content
    oc = _join(shop, c, team_id).json()["order"]
    pay(shop, a, oa2.json()["order"]["id"])
    pay(shop, c, oc["id"])
    sweep_teams()  # the worker issues what the task (after the commit) would have
    assert _team(shop, team_id, a)["status"] == "complete"
    assert len(api.get(f"/orders/{oc['id']}", c["token"]).json()["vouchers"]) == 1
    assert books_problems() == []


def test_paying_after_the_place_was_given_up_is_refused_and_the_team_goes_on(shop):
    td = _team_deal(shop, size=2)
    a, b, c = shop["customer"], quick_user("b"), quick_user("c")
    opened = _open(shop, a, td)
    team_id = opened["team"]["id"]
    ob = _join(shop, b, team_id).json()["order"]
    expire_hold(ob["id"])
    from o2o.orders.holds import orders_expire_due

    orders_expire_due()
    assert TeamMember.objects.get(order_id=ob["id"]).status == "released"
    oc = _join(shop, c, team_id).json()["order"]  # C takes B's place
    r = shop["api"].post(f"/orders/{ob['id']}/pay", {"provider": "sandbox", "card_number": "4242424242424242"},
                         b["token"])
    assert_error(r, 409, "order_expired")  # nothing charged, the team untouched
    assert _team(shop, team_id, a)["places_taken"] == 2
    assert _join(shop, b, team_id).status_code == 409  # full: C has the place
    pay(shop, a, opened["order"]["id"])
    pay(shop, c, oc["id"])
    sweep_teams()
    t = _team(shop, team_id, a)
    assert t["status"] == "complete" and t["paid"] == 2
    assert books_problems() == []


def test_refusals(shop):
    api, owner, mid = shop["api"], shop["owner"], shop["merchant"]["id"]
    td = _team_deal(shop, size=2)
    a = shop["customer"]
    # the deal is sold to teams only
    err = assert_error(api.post("/orders", {"lines": [{"offering_id": td["offering_id"], "quantity": 1}]}, a["token"]),
                       409, "team_deal_only")
    assert err["message"]
    team_id = _open(shop, a, td)["team"]["id"]
    assert_error(_join(shop, a, team_id), 409, "already_in_team")
    assert_error(api.post("/teams/00000000-0000-0000-0000-000000000000/join", None, a["token"]), 404, "team_not_found")
    assert_error(api.post("/teams/not-an-id/join", None, a["token"]), 404)
    assert_error(api.post(f"/teams/{team_id}/join", None), 401)
    assert_error(api.get("/teams/00000000-0000-0000-0000-000000000000", a["token"]), 404, "team_not_found")
    # the merchant's side
    assert_error(api.post(f"/merchants/{mid}/team-deals", {"offering_id": td["offering_id"], "team_size": 2,
                                                           "hours": 2}, owner["token"]), 422, "team_deal_exists")
    assert_error(api.post(f"/merchants/{mid}/team-deals", {"offering_id": shop["deal"]["id"], "team_size": 1,
                                                           "hours": 2}, owner["token"]), 422)
    assert_error(api.post(f"/merchants/{mid}/team-deals", {"offering_id": shop["deal"]["id"], "team_size": 3,
                                                           "hours": 0}, owner["token"]), 422)
    assert_error(api.post(f"/merchants/{mid}/team-deals", {"offering_id": shop["other_deal"]["id"], "team_size": 3,
                                                           "hours": 2}, owner["token"]), 422)
    assert_error(api.post(f"/merchants/{mid}/team-deals", {"offering_id": shop["deal"]["id"], "team_size": 3,
                                                           "hours": 2}, shop["clerk"]["token"]), 403)
    assert_error(api.post(f"/merchants/{mid}/team-deals", {"offering_id": shop["deal"]["id"], "team_size": 3,
                                                           "hours": 2}, shop["other_owner"]["token"]), 404)
    assert Team.objects.count() == 1 and TeamMember.objects.count() == 1
    assert books_problems() == []


def test_idempotent_join(shop):
    td = _team_deal(shop, size=3)
    team_id = _open(shop, shop["customer"], td)["team"]["id"]
    b = quick_user("b")
    first = shop["api"].post(f"/teams/{team_id}/join", None, b["token"], headers={"Idempotency-Key": "join-1"})
    again = shop["api"].post(f"/teams/{team_id}/join", None, b["token"], headers={"Idempotency-Key": "join-1"})
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["order"]["id"] == again.json()["order"]["id"]
    assert TeamMember.objects.filter(customer_id=b["id"]).count() == 1


def test_a_charge_completing_as_the_hold_ran_out_finds_no_place_and_is_refunded(shop, django_capture_on_commit_callbacks):
    """The race API.md allows: the gateway's answer comes after the sweeper released the place (payments
    takes the units again and marks the order paid); the team has no place any more: the member is
    `overflow`, refunded by a task after the commit, and the team is untouched."""
    from o2o.orders.holds import orders_expire_due
    from o2o.payments.enums import PaymentStatus
    from o2o.payments.providers import get_provider
    from o2o.payments.services import payment_complete

    td = _team_deal(shop, size=2)
    a, b, c = shop["customer"], quick_user("b"), quick_user("c")
    opened = _open(shop, a, td)
    team_id = opened["team"]["id"]
    ob = _join(shop, b, team_id).json()["order"]
    order_b = Order.objects.get(pk=ob["id"])
    # B's pay started while the hold was still running: the pending attempt, then the gateway charges it
    payment = Payment.objects.create(order=order_b, provider="sandbox", currency="CNY", amount=order_b.total_amount,
                                     status=PaymentStatus.PENDING, purpose="full")
    result = get_provider("sandbox").charge(amount=payment.money, details={"card_number": "4242424242424242"},
                                            merchant_reference=str(payment.pk))
    expire_hold(ob["id"])
    orders_expire_due()  # meanwhile the sweeper gives B's place back, and C takes it
    oc = _join(shop, c, team_id).json()["order"]
    with django_capture_on_commit_callbacks(execute=True):
        payment_complete(payment_id=payment.pk, result=result)
    member = TeamMember.objects.get(order_id=ob["id"])
    assert member.status == "refunded"  # overflow, then the task refunded it
    got = shop["api"].get(f"/orders/{ob['id']}", b["token"]).json()
    assert got["status"] == "refunded" and got["refunded"]["amount"] == "59.00" and got["vouchers"] == []
    t = _team(shop, team_id, a)
    assert (t["places_taken"], t["paid"]) == (2, 0)
    pay(shop, a, opened["order"]["id"])
    pay(shop, c, oc["id"])
    sweep_teams()
    assert _team(shop, team_id, a)["status"] == "complete"
    assert books_problems() == []
