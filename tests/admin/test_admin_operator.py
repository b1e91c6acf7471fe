"""What an operator meets in the admin: lists newest first, messages in proper singular and plural (en and
zh), voucher codes masked to their last 4 digits (list, page, search, order page) while a whole code still
finds its voucher, and /favicon.ico answering."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse

from o2o.accounts.models import User
from o2o.merchants.enums import MerchantStatus
from o2o.merchants.models import Merchant
from o2o.merchants.services import merchant_create
from o2o.orders.models import Order
from o2o.vouchers.models import Voucher, VoucherEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", merchants=8, seed=5, stdout=io.StringIO())


@pytest.fixture
def operator() -> User:
    return User.objects.create_superuser(email="op@example.com", password="x-pass-123456", display_name="Op")


def _client(user: User, lang: str = "en") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(user)
    return c


def _url(model: type, view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


# --- order -----------------------------------------------------------------------------------------------

def test_every_admin_list_with_a_date_is_sorted_newest_first(operator: User) -> None:
    request = RequestFactory().get("/admin/")
    request.user = operator
    checked = []
    for model, model_admin in admin.site._registry.items():
        names = {f.name for f in model._meta.fields}
        date = model_admin.date_hierarchy or next((d for d in ("created_at", "at") if d in names), None)
        if not date:
            continue
        ordering = list(model_admin.get_ordering(request))
        assert ordering and ordering[0] == f"-{date}", (model._meta.label, ordering)
        checked.append(model._meta.label)
    assert {"orders.Order", "vouchers.Voucher", "vouchers.VoucherEvent", "merchants.Merchant"} <= set(checked)


def test_order_and_voucher_lists_show_the_newest_first(city: None, operator: User) -> None:
    c = _client(operator)
    html = c.get(_url(Order, "changelist")).content.decode()
    shown = re.findall(r'<th class="field-number"><a [^>]*>([^<]+)</a>', html)
    newest = list(Order.objects.order_by("-created_at", "-id").values_list("number", flat=True)[:len(shown)])
    assert len(shown) >= 10 and shown == newest
    html = c.get(_url(Voucher, "changelist")).content.decode()
    ids = re.findall(r'/admin/vouchers/voucher/([0-9a-f-]{36})/change/', html)
    created = [Voucher.objects.get(pk=i).created_at for i in dict.fromkeys(ids)]
    assert len(created) >= 10 and created == sorted(created, reverse=True)


# --- messages --------------------------------------------------------------------------------------------

def _pending(n: int) -> list[Merchant]:
    out = []
    for i in range(n):
        owner = User.objects.create_user(email=f"applicant{i}@example.com", password="x-pass-123456")
        m = merchant_create(owner=owner, name=f"Applicant {i}", category="restaurant")
        Merchant.objects.filter(pk=m.pk).update(status=MerchantStatus.PENDING)
        out.append(m)
    return out


def _act(c: Client, model: type, action: str, pks: list) -> list[str]:  # type: ignore[type-arg]
    r = c.post(_url(model, "changelist"), {"action": action, "_selected_action": [str(p) for p in pks]},
               follow=True)
    assert r.status_code == 200
    return [str(m) for m in r.context["messages"]]


@pytest.mark.parametrize(("lang", "one", "many"), [
    ("en", "1 merchant is now Active.", "2 merchants are now Active."),
    ("zh-hans", "1 个商户已变为“正常”。", "2 个商户已变为“正常”。"),
])
def test_action_messages_are_pluralised(operator: User, lang: str, one: str, many: str) -> None:
    c = _client(operator, lang)
    first, *rest = _pending(3)
    assert one in _act(c, Merchant, "approve", [first.pk])
    assert many in _act(c, Merchant, "approve", [m.pk for m in rest])
    if lang == "en":
        assert "1 selected merchant was not pending and was left as it is." in _act(c, Merchant, "approve", [first.pk])
        assert "1 merchant is now Suspended." in _act(c, Merchant, "suspend", [first.pk])


def test_no_admin_message_says_1_plural(operator: User) -> None:
    """Every `%(n)d <plural>` message of the admins goes through ngettext (a source check of the class)."""
    root = Path(__file__).resolve().parents[2] / "o2o"
    bare = []
    for path in root.glob("*/admin.py"):
        for line in path.read_text().splitlines():
            if re.search(r'\b_\("%\(n\)d ', line):
                bare.append(f"{path.parent.name}: {line.strip()}")
    assert bare == []


# --- masked codes ----------------------------------------------------------------------------------------

def _secrets() -> list[tuple[str, str]]:
    return list(Voucher.objects.values_list("code", "qr_payload"))


def _assert_masked(html: str) -> None:
    for code, payload in _secrets():
        assert code not in html and code[:8] not in html
        assert payload not in html and payload[:40] not in html


def test_voucher_codes_and_payloads_are_masked_everywhere_in_the_admin(city: None, operator: User) -> None:
    c = _client(operator)
    voucher = Voucher.objects.select_related("order").order_by("created_at").first()
    assert voucher is not None
    pages = [_url(Voucher, "changelist"), _url(Voucher, "change", voucher.pk), _url(VoucherEvent, "changelist"),
             _url(Order, "change", voucher.order_id), _url(VoucherEvent, "change", voucher.events.first().pk)]
    for url in pages:
        r = c.get(url)
        assert r.status_code == 200, url
        _assert_masked(r.content.decode())
    html = c.get(_url(Voucher, "changelist")).content.decode()
    assert f"•••• •••• {voucher.code[-4:]}" in html


@pytest.mark.parametrize("typed", ["plain", "spaced", "payload"])
def test_a_whole_code_finds_its_voucher_a_part_finds_none(city: None, operator: User, typed: str) -> None:
    c = _client(operator)
    voucher = Voucher.objects.order_by("created_at").first()
    assert voucher is not None
    term = {"plain": voucher.code, "spaced": voucher.code_display, "payload": voucher.qr_payload}[typed]
    r = c.get(_url(Voucher, "changelist"), {"q": term})
    assert r.context["cl"].result_count == 1 and r.context["cl"].result_list[0] == voucher
    # the results show it masked (the search box and links echo the search as the operator typed it)
    rows = re.search(r'<tbody>.*?</tbody>', r.content.decode().split('id="result_list"', 1)[1], re.S)
    assert rows is not None and f"•••• •••• {voucher.code[-4:]}" in rows.group(0)
    _assert_masked(re.sub(r'href="[^"]*"', "", rows.group(0)))  # links keep the typed search as a filter
    r = c.get(_url(VoucherEvent, "changelist"), {"q": term})
    assert {e.voucher_id for e in r.context["cl"].result_list} == {voucher.pk}
    r = c.get(_url(Voucher, "changelist"), {"q": voucher.code[:6]})  # a part would leak codes digit by digit
    assert r.context["cl"].result_count == 0


# --- favicon ---------------------------------------------------------------------------------------------

def test_favicon_is_served_and_the_pages_link_it(client: Client) -> None:
    r = client.get("/favicon.ico")
    assert r.status_code == 200 and r["Content-Type"] == "image/svg+xml"
    svg = (Path(__file__).resolve().parents[2] / "o2o/web/static/img/favicon.svg").read_bytes()
    assert r.content == svg and b"<svg" in r.content
    assert client.head("/favicon.ico").status_code == 200
    home = client.get("/").content.decode()
    href = re.search(r'<link rel="icon" href="([^"]+)"', home)
    assert href is not None
    assert client.get(href.group(1)).status_code == 200
