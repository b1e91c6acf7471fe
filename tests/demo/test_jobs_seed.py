"""The demo city's renovation firms and print shops get request forms and requests at every stage; the
featured firm's renovation for the demo customer has two milestones signed off and one disputed, the demo
technician has today's visits (in the day page's order); the escrow books balance (check_books)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from o2o.accounts.models import User
from o2o.demo.models import SeedRecord
from o2o.jobs.models import EscrowEntry, Job, JobRequest, Quote, RequestForm, Visit
from o2o.jobs.selectors import escrow_sums
from o2o.merchants.models import Merchant
from o2o.payments.books import books_problems

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    out = io.StringIO()
    call_command("seed_demo", merchants=40, seed=7, stdout=out)
    return out.getvalue()


def test_forms_requests_at_every_stage_and_the_featured_job(city):  # type: ignore[no-untyped-def]
    trades = {m.pk: m.category for m in Merchant.objects.filter(category__in=["renovation", "printing"])}
    forms = RequestForm.objects.all()
    assert {f.merchant_id for f in forms} == {m for m, c in trades.items()
                                              if Merchant.objects.get(pk=m).status == "active"}
    assert {f.trade for f in forms} == {"renovation", "printing"}
    reno = forms.filter(trade="renovation").first()
    assert {f["key"] for f in reno.fields} == {"area", "rooms", "style", "budget", "photos"}
    assert {f["key"] for f in forms.filter(trade="printing").first().fields} == {
        "product", "size", "material", "quantity", "finish", "artwork"}
    assert set(JobRequest.objects.values_list("status", flat=True)) == {"submitted", "quoted", "accepted", "cancelled"}
    assert Quote.objects.filter(status="sent", valid_until__lt=timezone.now()).exists()  # an expired quote
    assert Job.objects.filter(status="awaiting_deposit").exists()
    # renovation requests carry the site on the map
    assert not JobRequest.objects.filter(form__trade="renovation", site_lat__isnull=True).exists()

    job = Job.objects.get(customer__email="customer@demo.o2o")
    statuses = list(job.milestones.order_by("position").values_list("status", flat=True))
    assert statuses == ["signed_off", "signed_off", "disputed", "pending", "pending"]
    sums = escrow_sums(job.pk)
    signed = sum(m.amount for m in job.milestones.filter(status="signed_off"))
    disputed = job.milestones.get(status="disputed").amount
    assert sums["release"] == signed and sums["held"] == disputed
    assert EscrowEntry.objects.filter(job=job, kind="payment").count() == 1
    # the disputed milestone's visit report shows the customer's objection, the share still held
    disputed_visit = Visit.objects.get(milestone__job=job, milestone__status="disputed")
    c = Client()
    assert c.login(email="customer@demo.o2o", password="demo-customer-pass")
    body = c.get(reverse("web:visit_report", args=[disputed_visit.pk])).content.decode()
    assert "The kitchen sockets are not where the plan shows them." in body and "Sign off this milestone" not in body
    assert books_problems() == []  # check_books: the escrow and the payments ledger agree
    counts = SeedRecord.objects.get().summary
    assert counts["jobs"] == Job.objects.count() and counts["visits"] == Visit.objects.count()


def test_the_demo_technician_has_todays_visits_in_order(city):  # type: ignore[no-untyped-def]
    assert "tech@demo.o2o" in city and "demo-tech-pass" in city and "/tech/" in city
    tech = User.objects.get(email="tech@demo.o2o")
    c = Client()
    assert c.login(email="tech@demo.o2o", password="demo-tech-pass")
    r = c.get(reverse("web:tech_day"))
    assert r.status_code == 200
    rows = r.context["rows"]
    today = [row for row in rows if row.visit.check_in_id is None]
    assert len(today) == 3 and all(row.visit.technician_id == tech.pk for row in rows)
    starts = [row.start for row in today]
    assert starts == sorted(starts)
    assert Visit.objects.filter(technician=tech, check_in__checked_out_at__isnull=False).count() == 3
