"""The demo city's schools, salons and estate agents get services, resources and a week of bookings (three
days back, four ahead), all through the bookings services; their books balance; the API shows them."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from o2o.bookings.models import Booking, Resource, Service
from o2o.demo.models import SeedRecord
from o2o.payments.books import books_problems
from tests.helpers import quick_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", merchants=40, seed=7, stdout=io.StringIO())


def test_schools_salons_and_agencies_have_services_and_a_week_of_bookings(city, api_client):  # type: ignore[no-untyped-def]
    services = list(Service.objects.select_related("offering__merchant"))
    categories = {s.offering.merchant.category for s in services}
    assert categories <= {"training", "salon", "estate"} and len(categories) >= 2, categories
    assert Resource.objects.exists()
    now = timezone.now()
    bookings = Booking.objects.all()
    assert bookings.filter(start__lt=now - timedelta(hours=2)).exclude(status="booked").exists()
    past = bookings.filter(end__lt=now)
    assert past.filter(status="checked_in").exists()
    assert not past.filter(status="booked", prepay="none").exists(), "past bookings were settled"
    ahead = bookings.filter(start__gt=now, status="booked")
    assert ahead.exists() and ahead.filter(order__status="paid").exists()
    assert all(b.start <= now + timedelta(days=5) and b.start >= now - timedelta(days=4) for b in bookings)
    assert books_problems() == []
    counts = SeedRecord.objects.get().summary
    assert counts["bookings"] == bookings.count() and counts["services"] == len(services)
    # a service's slots read through the API
    svc = services[0]
    r = api_client.get(f"/offerings/{svc.offering_id}/slots", quick_user()["token"],
                       date=(now + timedelta(days=2)).date().isoformat())
    assert r.status_code == 200
