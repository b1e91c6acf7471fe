"""Team purchases under concurrency (real threads, each its own HTTP client and database connection):
a team of N never holds more than N members however many join at once, the last payers and late joiners
at once never make N+1, and a completed team issues each member's vouchers exactly once."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from o2o.members.models import Team, TeamMember
from o2o.vouchers.models import Voucher
from tests.concurrency.test_no_oversell import race
from tests.helpers import GOOD_CARD, ApiClient, quick_user

pytestmark = [pytest.mark.django_db(transaction=True)]


def _shop(size: int) -> dict[str, Any]:
    api = ApiClient()
    owner = quick_user("owner")
    ms = api.merchant_with_store(owner)
    mid = ms["merchant"]["id"]
    deal = api.deal(owner, mid, [ms["store"]["id"]], title="Team hotpot", quantity_total=100, per_customer_limit=0)
    r = api.post(f"/merchants/{mid}/team-deals", {"offering_id": deal["id"], "team_size": size, "hours": 2},
                 owner["token"])
    assert r.status_code == 201, r.content
    leader = quick_user("leader")
    r = api.post(f"/team-deals/{r.json()['id']}/teams", None, leader["token"])
    assert r.status_code == 201, r.content
    return {"team": r.json()["team"], "leader": leader, "leader_order": r.json()["order"], "deal": deal}


def _status(r: Any) -> str:
    if isinstance(r, BaseException):
        return type(r).__name__
    return "ok" if r.status_code in (200, 201) else r.json()["error"]["code"]


def _join(user: dict[str, Any], team_id: str) -> Any:
    return ApiClient().post(f"/teams/{team_id}/join", None, user["token"])


def _pay(user: dict[str, Any], order_id: str) -> Any:
    return ApiClient().post(f"/orders/{order_id}/pay", {"provider": "sandbox", "card_number": GOOD_CARD},
                            user["token"])


def test_twelve_join_a_team_of_five_at_once():
    w = _shop(size=5)
    team_id = w["team"]["id"]
    joiners = [quick_user("j") for _ in range(12)]
    got = Counter(_status(r) for r in race(lambda u: _join(u, team_id), [(u,) for u in joiners]))
    assert got == {"ok": 4, "team_full": 8}, got
    team = Team.objects.get(pk=team_id)
    assert team.seats == 5 and TeamMember.objects.filter(team=team).count() == 5


def test_last_payers_and_late_joiners_at_once_never_make_n_plus_one():
    w = _shop(size=4)
    team_id = w["team"]["id"]
    members = [(w["leader"], w["leader_order"]["id"])]
    for _ in range(3):
        u = quick_user("m")
        r = _join(u, team_id)
        assert r.status_code == 201, r.content
        members.append((u, r.json()["order"]["id"]))
    late = [quick_user("late") for _ in range(4)]
    calls = [("pay", u, oid) for u, oid in members] + [("join", u, None) for u in late]

    def act(kind: str, user: dict[str, Any], order_id: str | None) -> Any:
        return _pay(user, order_id) if kind == "pay" else _join(user, team_id)  # type: ignore[arg-type]

    results = race(act, calls)
    pays = Counter(_status(r) for r in results[:4])
    joins = Counter(_status(r) for r in results[4:])
    assert pays == {"ok": 4}, pays
    assert set(joins) <= {"team_full", "team_closed"} and sum(joins.values()) == 4, joins
    team = Team.objects.get(pk=team_id)
    assert (team.status, team.paid, team.seats) == ("complete", 4, 4)
    assert TeamMember.objects.filter(team=team).count() == 4
    # each member's vouchers issued once (the task after the commit, then the sweep finds nothing to do)
    from o2o.members.teams import teams_sweep

    assert teams_sweep()["issued"] == 0
    per_order = Counter(Voucher.objects.filter(order_id__in=[oid for _u, oid in members]).values_list(
        "order_id", flat=True))
    assert sorted(per_order.values()) == [1, 1, 1, 1], per_order


def test_a_member_leaving_while_three_try_to_join_lets_in_one_at_most():
    w = _shop(size=2)
    team_id = w["team"]["id"]
    assert _pay(w["leader"], w["leader_order"]["id"]).status_code == 200
    second = quick_user("second")
    r = _join(second, team_id)
    assert r.status_code == 201
    outsiders = [quick_user("o") for _ in range(3)]
    calls = [("leave", w["leader"])] + [("join", u) for u in outsiders]

    def act(kind: str, user: dict[str, Any]) -> Any:
        if kind == "leave":
            return ApiClient().post(f"/orders/{w['leader_order']['id']}/refund", None, user["token"])
        return _join(user, team_id)

    results = race(act, calls)
    assert _status(results[0]) == "ok"
    joined = sum(_status(r) == "ok" for r in results[1:])
    assert joined <= 1 and all(_status(r) in ("ok", "team_full") for r in results[1:]), [_status(r) for r in results]
    team = Team.objects.get(pk=team_id)
    assert team.seats == 1 + joined <= team.size and team.paid == 0
