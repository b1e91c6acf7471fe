"""A new store's timezone, when none is given, comes from settings (not a literal written in five places)."""

import pathlib

import pytest

from tests.helpers import quick_user

pytestmark = pytest.mark.django_db


def test_the_default_store_timezone_is_the_setting(api_client, settings):
    settings.O2O = {**settings.O2O, "STORE_TIMEZONE": "Europe/Paris"}
    owner = quick_user("owner")
    m = api_client.post("/merchants", {"name": "Café", "category": "restaurant"}, owner["token"]).json()
    r = api_client.post(f"/merchants/{m['id']}/stores", {"name": "Rue", "address": "1 rue", "lat": 48.85,
                                                          "lng": 2.35}, owner["token"])
    assert r.status_code == 201 and r.json()["timezone"] == "Europe/Paris"
    from o2o.merchants.models import Store
    from o2o.web.forms import StoreForm

    assert Store().timezone == "Europe/Paris"
    assert StoreForm().fields["timezone"].initial() == "Europe/Paris"


def test_no_literal_timezone_default_left_in_the_code():
    root = pathlib.Path(__file__).resolve().parents[2] / "o2o"
    hits = [str(p.relative_to(root)) for p in root.rglob("*.py")
            if "migrations" not in p.parts and "demo" not in p.parts and '"Asia/Shanghai")' in p.read_text()]
    assert hits == []
