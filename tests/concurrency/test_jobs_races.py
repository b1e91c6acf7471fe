"""Jobs under concurrency (real threads, real database): one quote is accepted once; a milestone's share
leaves escrow once, however many sign-offs and operator decisions race for it."""

from __future__ import annotations

from typing import Any

import pytest

from o2o.accounts.models import User
from o2o.jobs.enums import EscrowKind
from o2o.jobs.escrow import dispute_decide, milestone_sign_off
from o2o.jobs.models import EscrowEntry, Job
from o2o.jobs.services import quote_accept
from tests.concurrency.test_no_oversell import kinds, race
from tests.jobs.conftest import job_with_deposit, make_shop, quoted

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shop(api_client):  # type: ignore[no-untyped-def]
    """tests/jobs' renovation firm with its form, staff and customer (made through the API)."""
    return make_shop(api_client)


def test_one_quote_accepted_once(shop):
    q = quoted(shop)["quote"]
    customer = User.objects.get(pk=shop["customer"]["id"])
    options = [o["id"] for o in q["options"]]
    results = race(lambda opt: quote_accept(customer=customer, quote_id=q["id"], option_id=opt),
                   [(options[i % 2],) for i in range(8)])
    got = kinds(results)
    assert got["ok"] == 1 and got["AlreadyAccepted"] == 7, got
    assert Job.objects.count() == 1


def test_a_share_leaves_escrow_once(shop):
    api = shop["api"]
    job = job_with_deposit(shop)
    m1 = job["milestones"][0]["id"]
    api.post(f"/job-milestones/{m1}/done", {}, shop["tech"]["token"])
    api.post(f"/job-milestones/{m1}/dispute", {"comment": "uneven"}, shop["customer"]["token"])
    api.post(f"/job-milestones/{m1}/answer", {"answer": "levelled"}, shop["owner"]["token"])
    customer = User.objects.get(pk=shop["customer"]["id"])
    operator = User.objects.get(pk=shop["owner"]["id"])
    User.objects.filter(pk=operator.pk).update(is_staff=True)
    operator.refresh_from_db()

    def act(who: str) -> Any:
        if who == "customer":
            return milestone_sign_off(customer=customer, milestone_id=m1)
        return dispute_decide(operator=operator, milestone_id=m1, decision=who)

    results = race(act, [("customer",), ("release",), ("refund",), ("customer",), ("release",), ("refund",)])
    got = kinds(results)
    assert got["ok"] == 1, got
    out = EscrowEntry.objects.filter(job_id=job["id"], kind__in=[EscrowKind.RELEASE, EscrowKind.REFUND])
    assert [e.amount for e in out] == [300]
