"""The customer's order pages as read: voucher numbers that never move, the order's state and the list's
tabs, and no page that shows a voucher code or QR payload ever stored by a cache."""

from __future__ import annotations

import html as htmllib
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from o2o.orders.models import Order
from o2o.reviews.services import review_create
from o2o.vouchers.models import RedemptionConflict, Voucher
from o2o.vouchers.offline import vouchers_sync_offline
from o2o.vouchers.services import voucher_redeem
from tests.web import builders
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db

VOUCHER = re.compile(r'<article class="voucher card is-(\w+)".*?Voucher (\d+) of (\d+).*?'
                     r'<p class="voucher-code[^"]*"[^>]*>([\d ]+)</p>', re.S)
CARD = re.compile(r'<article class="order-card card is-(\w+)" id="order-([0-9a-f-]+)">.*?'
                  r'<span class="badge order-state state-\w+">([^<]+)</span>', re.S)


def numbered_codes(client: Client, order: Order) -> dict[int, tuple[str, str]]:
    """{number: (code, state)} as the order page prints "Voucher n of m" over each code."""
    page = client.get(reverse("web:order", args=[order.pk])).content.decode()
    found = {int(n): (code.replace(" ", ""), state) for state, n, _m, code in VOUCHER.findall(page)}
    assert len(found) == order.vouchers.count(), page
    return found


def test_voucher_numbers_stay_with_their_codes_after_a_redemption_and_a_refund(w):
    order = builders.buy(w["customer"], w["deal"], 3)
    c = client_for(w["customer"])
    before = numbered_codes(c, order)
    assert {state for _code, state in before.values()} == {"issued"}
    voucher_redeem(actor=w["clerk"], store_id=w["store"].pk, code=before[2][0])  # the clerk takes voucher 2
    after = numbered_codes(c, order)
    assert {n: code for n, (code, _s) in after.items()} == {n: code for n, (code, _s) in before.items()}
    assert after[2][1] == "redeemed" and after[1][1] == after[3][1] == "issued"
    one = Voucher.objects.get(code=before[1][0])
    c.post(reverse("web:order_refund", args=[order.pk]), {"voucher_id": str(one.pk)})
    last = numbered_codes(c, order)
    assert {n: code for n, (code, _s) in last.items()} == {n: code for n, (code, _s) in before.items()}
    assert [last[n][1] for n in (1, 2, 3)] == ["refunded", "redeemed", "issued"]
    # the app's numbering (GET /orders/{id} lists vouchers in the same fixed order) agrees with the page
    api = [v.code for v in sorted(order.vouchers.all(), key=lambda v: (v.created_at, v.code))]
    assert api == [before[n][0] for n in (1, 2, 3)]


def _cards(client: Client, tab: str = "") -> dict[str, tuple[str, str]]:
    page = client.get(reverse("web:orders") + (f"?tab={tab}" if tab else "")).content.decode()
    return {oid: (state, htmllib.unescape(label).strip()) for state, oid, label in CARD.findall(page)}


def test_each_order_reads_as_its_state_on_the_list_and_its_page_and_sits_in_the_right_tabs(w):
    customer, clerk, store = w["customer"], w["clerk"], w["store"]
    deal = builders.deal(w["merchant"], w["owner"], [store], title="Hotpot for four", quantity=50, limit=20)
    unpaid = builders.buy(customer, deal, 1, pay=False)
    lapsed = builders.buy(customer, deal, 1, pay=False)
    Order.objects.filter(pk=lapsed.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    to_use = builders.buy(customer, deal, 2)
    part = builders.buy(customer, deal, 2)  # one refunded, one still to use
    used = builders.buy(customer, deal, 1)
    reviewed = builders.buy(customer, deal, 1)
    refunded = builders.buy(customer, deal, 1)
    stale = builders.buy(customer, deal, 1)  # its voucher ran out unused
    c = client_for(customer)
    c.post(reverse("web:order_refund", args=[part.pk]), {"voucher_id": str(part.vouchers.first().pk)})
    c.post(reverse("web:order_refund", args=[refunded.pk]))
    for o in (used, reviewed):
        voucher_redeem(actor=clerk, store_id=store.pk, code=o.vouchers.get().code)
    review_create(customer=customer, order_id=reviewed.pk, rating=5, text="Great broth.")
    Voucher.objects.filter(order=stale).update(valid_until=timezone.now() - timedelta(days=1))

    cards = _cards(c)
    want = {
        unpaid: ("to_pay", "Awaiting payment"), lapsed: ("unpaid", "Expired (not paid in time)"),
        to_use: ("to_use", "To use · 2 left"), part: ("to_use", "To use · 1 left"),
        used: ("to_review", "Used · to review"), reviewed: ("completed", "Completed"),
        refunded: ("refunded", "Refunded"), stale: ("expired", "Expired unused"),
    }
    assert cards == {str(o.pk): v for o, v in want.items()}
    tabs = {"to_pay": {unpaid}, "to_use": {to_use, part}, "to_review": {used}, "refunded": {part, refunded}}
    for tab, orders in tabs.items():
        assert set(_cards(c, tab)) == {str(o.pk) for o in orders}, tab
    page = c.get(reverse("web:orders")).content.decode()
    assert ">To use <span class=\"order-tab-count\">2</span>" in page
    assert "1 voucher refunded" in page  # the partly refunded order says so on its card
    # the list shows the QR codes of ready vouchers (behind "Show QR code"), none of used or refunded ones
    ready = Voucher.objects.filter(customer=customer, status="issued", valid_until__gt=timezone.now())
    assert page.count('class="qr-code"') == ready.count() == 3
    for o, (_state, label) in want.items():
        if o in (unpaid,):
            continue  # an order awaiting payment opens its pay page
        detail = c.get(reverse("web:order", args=[o.pk])).content.decode()
        assert f">{label}</span>" in htmllib.unescape(detail), (o, label)
    zh = client_for(customer)
    zh.cookies["django_language"] = "zh-hans"
    assert "待使用 · 剩 2 张" in zh.get(reverse("web:orders"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()


# --- no page that shows a voucher code or QR payload may be stored by a cache ---

def _patterns(resolver: URLResolver, prefix: str = "") -> list[tuple[str, URLPattern]]:
    out = []
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            out += _patterns(p, prefix + str(p.pattern))
        else:
            out.append((prefix + str(p.pattern), p))
    return out


def _fill(route: str, ids: dict[str, str]) -> str | None:
    """The route with each <converter:name> replaced by the id of the world's object of that name."""
    missing = []

    def sub(m: re.Match[str]) -> str:
        name = m.group(2)
        if name not in ids:
            missing.append(name)
        return ids.get(name, "")

    path = re.sub(r"<(?:(\w+):)?(\w+)>", sub, route)
    return None if missing or "(" in route or "^" in route else "/" + path


def test_every_page_that_shows_a_voucher_code_or_qr_is_never_stored(w):
    customer, owner, clerk = w["customer"], w["owner"], w["clerk"]
    order = builders.buy(customer, w["deal"], 2)
    used = order.vouchers.order_by("created_at", "code").first()
    voucher_redeem(actor=clerk, store_id=w["store"].pk, code=used.code)
    review = review_create(customer=customer, order_id=order.pk, rating=4, text="Good.")
    # the same voucher also redeemed by a counter that was offline: a conflict the merchant's pages list
    _s, _r, _c = vouchers_sync_offline(actor=clerk, store_id=w["store"].pk, device_id="counter-till-2", items=[
        {"qr_payload": used.qr_payload, "redeemed_at": timezone.now().isoformat()}])
    conflict = RedemptionConflict.objects.get(voucher=used)
    vouchers = list(Voucher.objects.all())
    secrets = [v.code for v in vouchers] + [" ".join(v.code[i:i + 4] for i in (0, 4, 8)) for v in vouchers]
    secrets += [v.qr_payload for v in vouchers]
    ids = {"order_id": str(order.pk), "store_id": str(w["store"].pk), "offering_id": str(w["deal"].pk),
           "merchant_id": str(w["merchant"].pk), "voucher_id": str(used.pk), "review_id": str(review.pk),
           "conflict_id": str(conflict.pk), "token": "no-such-invite", "path": "", "document_root": ""}
    people = {"customer": client_for(customer), "owner": client_for(owner), "clerk": client_for(clerk),
              "anonymous": Client()}
    showing, leaks = set(), []
    for route, pattern in _patterns(get_resolver()):
        path = _fill(route, ids)
        if path is None or path.startswith(("/static/", "/media/")):
            continue
        for who, client in people.items():
            for query in ("", "?q=" + order.number):  # a search by order number lists its codes (audit)
                r = client.get(path + query)
                body = r.content.decode(errors="replace") if not getattr(r, "streaming", False) else ""
                if r.status_code == 200 and any(s in body for s in secrets):
                    showing.add(pattern.name or path)
                    if "no-store" not in r.get("Cache-Control", ""):
                        leaks.append(f"{path}{query} as {who}: Cache-Control {r.get('Cache-Control')!r}")
    assert not leaks, "pages that show voucher codes without Cache-Control: no-store:\n" + "\n".join(leaks)
    # the walk saw the pages it exists for (else it would pass by finding nothing)
    assert {"orders", "order", "voucher_trail", "conflicts", "audit"} <= showing, showing
