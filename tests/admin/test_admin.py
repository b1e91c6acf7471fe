"""The operator admin: every changelist and a change page open, outsiders are sent to log in,
ledgers stay read-only, the approval action activates a pending merchant, keys keep their secret."""

from __future__ import annotations

import io

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from o2o.accounts.models import User
from o2o.merchants.enums import MerchantStatus
from o2o.merchants.models import Merchant, MerchantEvent, Store
from o2o.merchants.services import h3_cells, merchant_create, store_create
from o2o.orders.models import Order, OrderEvent
from o2o.payments.models import Payment
from o2o.vouchers.models import SigningKey, Voucher, VoucherEvent
from tests.helpers import HOURS_ALL_DAY, ApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", merchants=10, seed=3, stdout=io.StringIO())


@pytest.fixture
def operator_client() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser(email="op@example.com", password="x-pass-123456",
                                                     display_name="Op"))
    return client


def _url(model: type, view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_operator_opens_every_changelist_and_a_change_page(city: None, operator_client: Client) -> None:
    assert len(admin.site._registry) >= 20
    opened = []
    for model, model_admin in admin.site._registry.items():
        r = operator_client.get(_url(model, "changelist"))
        assert r.status_code == 200, (model, r.status_code)
        if model_admin.search_fields:
            r = operator_client.get(_url(model, "changelist"), {"q": "hotpot 火锅"})
            assert r.status_code == 200, (model, "search")
        obj = model._default_manager.order_by("pk").first()
        if obj is None:
            continue
        r = operator_client.get(_url(model, "change", obj.pk))
        assert r.status_code == 200, (model, r.status_code)
        opened.append(model._meta.label)
    for label in ("merchants.Merchant", "merchants.Store", "catalogue.Offering", "orders.Order",
                  "payments.Payment", "vouchers.Voucher", "vouchers.VoucherEvent", "reviews.Review",
                  "accounts.User", "vouchers.SigningKey"):
        assert label in opened, label


def test_order_page_shows_its_lines_vouchers_payments_and_timeline(city: None, operator_client: Client) -> None:
    order = Order.objects.filter(vouchers__isnull=False).first()
    assert order is not None
    body = operator_client.get(_url(Order, "change", order.pk)).content.decode()
    assert order.number in body
    code = order.vouchers.first().code
    assert f"•••• •••• {code[-4:]}" in body and code not in body  # operators see the last 4 digits only
    assert "awaiting_payment" in body or "Awaiting payment" in body  # the timeline's first row


def test_outsiders_are_sent_to_the_login_page() -> None:
    client = Client()
    r = client.get(_url(Merchant, "changelist"))
    assert r.status_code == 302 and r.url.startswith(reverse("admin:login"))
    owner = User.objects.create_user(email="owner@example.com", password="x-pass-123456", display_name="O")
    merchant = merchant_create(owner=owner, name="Hotpot House", category="restaurant")
    client.force_login(owner)  # a merchant owner is not an operator
    for url in (reverse("admin:index"), _url(Merchant, "changelist"), _url(Merchant, "change", merchant.pk),
                _url(Order, "changelist"), _url(SigningKey, "changelist")):
        r = client.get(url)
        assert r.status_code == 302 and r.url.startswith(reverse("admin:login")), url


def test_ledgers_and_events_cannot_be_added_changed_or_deleted(city: None, operator_client: Client) -> None:
    for model in (Order, Payment, Voucher, VoucherEvent, OrderEvent, MerchantEvent):
        obj = model._default_manager.order_by("pk").first()
        assert obj is not None, model
        assert operator_client.get(_url(model, "add")).status_code == 403, model
        assert operator_client.post(_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403, model
        assert model._default_manager.filter(pk=obj.pk).exists()
        page = operator_client.get(_url(model, "change", obj.pk)).content.decode()
        assert 'name="_save"' not in page, model
    # bulk delete is not on offer either
    r = operator_client.post(_url(Order, "changelist"), {
        "action": "delete_selected", "_selected_action": [str(Order.objects.first().pk)], "post": "yes"})
    assert Order.objects.count() > 0 and r.status_code in (200, 302)


def test_approval_action_activates_a_pending_merchant(settings, operator_client: Client) -> None:  # type: ignore[no-untyped-def]
    owner = User.objects.create_user(email="applicant@example.com", password="x-pass-123456", display_name="A")
    active = merchant_create(owner=owner, name="Open Already", category="salon")
    settings.O2O = {**settings.O2O, "MERCHANT_APPROVAL": True}
    pending = merchant_create(owner=owner, name="新店 Pending Noodles", category="restaurant")
    assert pending.status == MerchantStatus.PENDING and active.status == MerchantStatus.ACTIVE
    store = store_create(merchant=pending, name="新店 Pending Noodles (玉林街店)", address="玉林街 8号, 武侯区",
                         lat=30.64, lng=104.05, opening_hours=HOURS_ALL_DAY)
    api = ApiClient()

    def nearby_ids() -> set[str]:
        r = api.get("/stores/nearby", lat=30.64, lng=104.05, radius_m=500)
        assert r.status_code == 200
        return {row["id"] for row in r.json()["results"]}

    assert str(store.pk) not in nearby_ids()  # nothing of a pending merchant is public
    r = operator_client.post(_url(Merchant, "changelist"), {
        "action": "approve", "_selected_action": [str(pending.pk), str(active.pk)]}, follow=True)
    assert r.status_code == 200
    pending.refresh_from_db()
    active.refresh_from_db()
    assert pending.status == MerchantStatus.ACTIVE and active.status == MerchantStatus.ACTIVE
    event = MerchantEvent.objects.filter(merchant=pending).latest("at")
    assert (event.from_status, event.to_status) == ("pending", "active")
    assert event.actor.email == "op@example.com"
    assert MerchantEvent.objects.filter(merchant=active).count() == 1  # the active one was left alone
    assert str(store.pk) in nearby_ids()  # approved: its store is found nearby at once


def test_operator_moves_a_store_and_search_follows(operator_client: Client) -> None:
    owner = User.objects.create_user(email="o@example.com", password="x-pass-123456", display_name="O")
    store = store_create(merchant=merchant_create(owner=owner, name="Print Point", category="printing"),
                         name="Print Point 书院街", address="书院街 1号, 锦江区", lat=30.66, lng=104.07,
                         opening_hours=HOURS_ALL_DAY)
    url = _url(Store, "change", store.pk)
    data = _form_data(operator_client.get(url))
    data.update({"lat": "30.7000", "lng": "104.1000", "address": "建设路 18号, 成华区"})
    r = operator_client.post(url, data)
    assert r.status_code == 302, r.content.decode()[:2000]
    store.refresh_from_db()
    assert (store.lat, store.lng, store.address) == (30.7, 104.1, "建设路 18号, 成华区")
    assert {"h3_r6": store.h3_r6, "h3_r8": store.h3_r8} == h3_cells(30.7, 104.1)
    api = ApiClient()
    found = api.get("/stores/nearby", lat=30.7, lng=104.1, radius_m=300).json()["results"]
    assert [row["id"] for row in found] == [str(store.pk)]
    assert api.get("/stores/nearby", lat=30.66, lng=104.07, radius_m=300).json()["results"] == []

    data["opening_hours"] = '{"mon": [["25:00", "26:00"]]}'  # refused like the API refuses it
    r = operator_client.post(url, data)
    assert r.status_code == 200 and "errornote" in r.content.decode()
    store.refresh_from_db()
    assert store.opening_hours == HOURS_ALL_DAY


def _form_data(response) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """What the browser would post back: the change form's values and its inlines' management forms."""
    form = response.context["adminform"].form
    data: dict[str, object] = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None:
            continue
        data[name] = field.prepare_value(value) if isinstance(value, dict | list) else value  # JSON as text
    for inline in response.context["inline_admin_formsets"]:
        mgmt = inline.formset.management_form
        for name in mgmt.fields:
            data[f"{mgmt.prefix}-{name}"] = mgmt[name].value()
    return data


def test_signing_key_pages_never_show_the_private_seed(city: None, operator_client: Client) -> None:
    key = SigningKey.objects.get(is_active=True)
    for url in (_url(SigningKey, "changelist"), _url(SigningKey, "change", key.pk)):
        body = operator_client.get(url).content.decode()
        assert key.public_key in body
        assert key.private_seed not in body and "private_seed" not in body
