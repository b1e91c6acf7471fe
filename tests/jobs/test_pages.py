"""The customer's request page (status, quotes, the job, the thread) and the merchant's quote form."""

from __future__ import annotations

import pytest
from django.test import Client

from o2o.accounts.models import User
from o2o.jobs.models import Quote
from tests.jobs.conftest import job_with_deposit, submit

pytestmark = pytest.mark.django_db


def _browser(person) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(User.objects.get(pk=person["id"]))
    return c


def test_customer_sees_status_quotes_and_thread(shop):
    req = submit(shop).json()
    customer, stranger, clerk = _browser(shop["customer"]), _browser(shop["stranger"]), _browser(shop["clerk"])
    url = f"/jobs/requests/{req['id']}/"
    assert stranger.get(url).status_code == 404
    page = customer.get(url)
    assert page.status_code == 200 and "Flat renovation" in page.content.decode() and "Submitted" in page.content.decode()
    r = customer.post(url, {"text": "Is Saturday possible?"})
    assert r.status_code == 302
    assert clerk.post(url, {"text": "周六可以。"}).status_code == 302
    assert customer.post(url, {"text": ""}).status_code == 422
    html = customer.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "Is Saturday possible?" in html and "周六可以。" in html
    assert "已提交" in html  # the status, in Chinese


def test_merchant_quote_form_and_customer_accepts(shop):
    req = submit(shop).json()
    owner, customer = _browser(shop["owner"]), _browser(shop["customer"])
    url = f"/merchant/{shop['merchant']['id']}/jobs/requests/{req['id']}/quote/"
    assert _browser(shop["clerk"]).get(url).status_code == 403
    assert _browser(shop["stranger"]).get(url).status_code == 404
    assert owner.get(url).status_code == 200
    form = {"valid_days": 14, "deposit_share": "30", "milestones": "Demolition | 40\nPainting | 50", "note": "",
            "good_title": "Basic", "good_lines": "Labour | 10 | 100.00"}
    bad = owner.post(url, form)
    assert bad.status_code == 422 and "The shares must sum to 100% (they sum to 90.00%)." in bad.content.decode()
    assert Quote.objects.count() == 0
    form["milestones"] = "Demolition | 40\nPainting | 60"
    assert owner.post(url, form).status_code == 302
    q = Quote.objects.get()
    assert q.options.get().total_amount == 1000
    page = customer.get(f"/jobs/requests/{req['id']}/").content.decode()
    assert "Accept this option" in page and "Basic" in page
    r = customer.post(f"/jobs/quotes/{q.pk}/accept/", {"option_id": str(q.options.get().pk)})
    assert r.status_code == 302
    assert "The work" in customer.get(f"/jobs/requests/{req['id']}/").content.decode()


def test_job_escrow_shown_on_the_request_page(shop):
    job = job_with_deposit(shop)
    from o2o.jobs.models import Job

    req_id = Job.objects.get(pk=job["id"]).request_id
    html = _browser(shop["customer"]).get(f"/jobs/requests/{req_id}/").content.decode()
    assert "Held in escrow" in html and "300.00" in html
