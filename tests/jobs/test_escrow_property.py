"""A property of the escrow, through the HTTP API: whatever the customer, the merchant and the operator
do to a job's milestones, in any order, held = deposits + payments - releases - refunds, it never goes
below zero, it equals what the payments ledger holds for the job's order, a sign-off succeeds exactly
when the work is done and its share is held, and check_books finds nothing wrong."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from o2o.jobs.escrow import dispute_decide
from o2o.payments.books import books_problems
from o2o.payments.ledger import ledger_sums
from tests.helpers import GOOD_CARD
from tests.jobs.conftest import money, quote_body, submit

pytestmark = pytest.mark.django_db

ACTIONS = ("pay", "done", "sign_off", "dispute", "answer", "operator_release", "operator_refund")


@st.composite
def plans(draw):  # type: ignore[no-untyped-def]
    n = draw(st.integers(1, 4))
    cuts = sorted(draw(st.lists(st.integers(1, 9999), min_size=n - 1, max_size=n - 1, unique=True)))
    bounds = [0, *cuts, 10000]
    shares = [Decimal(bounds[i + 1] - bounds[i]) / 100 for i in range(n)]
    price = draw(st.decimals(min_value=Decimal("1.00"), max_value=Decimal("99999.99"), places=2))
    deposit = Decimal(draw(st.integers(100, 10000))) / 100
    ops = draw(st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(0, n - 1)), max_size=14))
    return shares, price, deposit, ops


def _d(m: dict[str, str]) -> Decimal:
    return Decimal(m["amount"])


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(plan=plans())
def test_escrow_balances_whatever_happens(shop, plan):
    from o2o.accounts.models import User

    shares, price, deposit, ops = plan
    api, customer, owner, tech = shop["api"], shop["customer"], shop["owner"], shop["tech"]
    req = submit(shop).json()
    body = quote_body(deposit_share=f"{deposit:.2f}",
                      milestones=[{"title": f"M{i}", "share": f"{s:.2f}"} for i, s in enumerate(shares)],
                      options=[{"tier": "good", "title": "Only", "lines": [
                          {"description": "All", "quantity": "1", "unit_price": money(f"{price:.2f}")}]}])
    r = api.post(f"/job-requests/{req['id']}/quotes", body, owner["token"])
    assert r.status_code == 201, r.content
    q = r.json()
    job = api.post(f"/job-quotes/{q['id']}/accept", {"option_id": q["options"][0]["id"]}, customer["token"]).json()
    assert sum(_d(m["amount"]) for m in job["milestones"]) == price  # shares split the price exactly
    r = api.post(f"/jobs/{job['id']}/deposit", {"card_number": GOOD_CARD}, customer["token"])
    assert r.status_code == 200, r.content
    operator = User.objects.filter(is_staff=True).first() or User.objects.create_user(
        email=f"op{job['id']}@example.com", password="x-Long-passw0rd!", is_staff=True)
    for action, i in ops:
        before = api.get(f"/jobs/{job['id']}", customer["token"]).json()
        m = before["milestones"][i]
        held = _d(before["escrow"]["held"])
        path = f"/job-milestones/{m['id']}"
        if action == "pay":
            r = api.post(f"{path}/pay", {"card_number": GOOD_CARD}, customer["token"])
        elif action == "done":
            r = api.post(f"{path}/done", {}, tech["token"])
        elif action == "sign_off":
            r = api.post(f"{path}/sign-off", {}, customer["token"])
            expect_ok = m["status"] in ("done", "answered") and _d(m["amount"]) <= held
            assert (r.status_code == 200) == expect_ok, (m, held, r.content)
            if m["status"] in ("done", "answered") and not expect_ok:
                assert r.json()["error"]["code"] == "insufficient_escrow"
        elif action == "dispute":
            r = api.post(f"{path}/dispute", {"comment": "not right"}, customer["token"])
        elif action == "answer":
            r = api.post(f"{path}/answer", {"answer": "fixed"}, owner["token"])
        else:
            try:
                dispute_decide(operator=operator, milestone_id=m["id"], decision=action.split("_")[1])
                r = None
            except Exception as exc:  # noqa: BLE001
                from o2o.core.errors import DomainError

                assert isinstance(exc, DomainError), exc
                r = None
        if r is not None:
            assert r.status_code < 500, r.content
            assert r.status_code in (200, 201, 402, 409, 422), r.content
        after = api.get(f"/jobs/{job['id']}", customer["token"]).json()
        e = {k: _d(v) for k, v in after["escrow"].items()}
        assert e["held"] == e["deposits"] + e["payments"] - e["releases"] - e["refunds"]
        assert e["held"] >= 0
        assert e["releases"] + e["refunds"] <= price
        assert ledger_sums(order_id=after["order_id"]).in_escrow == e["held"]
    assert books_problems() == []
