"""One date style per language, on the server and in the browser.

English: "Dec 2, 2031, 13:05" (the month as a word, 24-hour); Simplified Chinese: "2031年12月2日 13:05".
The same voucher time is read off the customer's order page, the store's reviews and the counter (whose
script formats it) in both languages, and no template or service writes a date with a pattern of its own.
"""

import os
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.test import Client

from o2o.orders.models import Order
from o2o.reviews.models import Review
from o2o.reviews.services import review_create
from o2o.vouchers.models import Voucher
from o2o.vouchers.services import voucher_redeem
from tests.browser import log_in
from tests.web import builders
from tests.web.conftest import client_for

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
ROOT = Path(__file__).resolve().parents[2] / "o2o"
# 05:05 UTC is 13:05 in Shanghai (the demo's zone and the store's): a 12-hour clock would show 1:05.
WHEN = datetime(2031, 12, 2, 5, 5, tzinfo=UTC)
EXPECTED = {
    "en": {"datetime": "Dec 2, 2031, 13:05", "date": "Dec 2, 2031", "time": "13:05"},
    "zh-hans": {"datetime": "2031年12月2日 13:05", "date": "2031年12月2日", "time": "13:05"},
}
NAMED = {"DATETIME_FORMAT", "DATE_FORMAT", "TIME_FORMAT"}


def _templates() -> list[Path]:
    files = sorted(ROOT.rglob("templates/**/*.html"))
    assert len(files) > 10
    return files


def test_templates_use_only_the_named_formats():
    # |date:"..." / |time:"..." / {% now "..." %}, with either quote; no format is DATE_FORMAT / TIME_FORMAT;
    # 'c' (ISO 8601, for machines) only inside a datetime="" attribute.
    use = re.compile(r"""\|(?:date|time)(?![a-z_])(?::(["'])(.*?)\1)?|\{%\s*now\s+(["'])(.*?)\3""")
    bad = []
    for path in _templates():
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for m in use.finditer(line):
                fmt = m.group(2) if m.group(2) is not None else m.group(4)
                if fmt is None or fmt in NAMED:
                    continue
                if fmt == "c" and re.search(r'''datetime="\{\{[^}]*\|date:["']c["']\s*\}\}"''', line):
                    continue
                bad.append(f"{path.relative_to(ROOT)}:{i}: {m.group(0)}")
    assert bad == []


def test_python_formats_dates_only_with_the_named_formats():
    call = re.compile(r"""\b(?:date_format|time_format)\([^)]*?,\s*(["'])(.*?)\1""")
    bad = [f"{p.relative_to(ROOT)}: {m.group(0)}" for p in sorted(ROOT.rglob("*.py")) if "migrations" not in p.parts
           for m in call.finditer(p.read_text(encoding="utf-8")) if m.group(2) not in NAMED | {"MONTH_DAY_FORMAT"}]
    assert bad == []
    # the pages' own Python writes no date with strftime (order numbers and file names are not shown dates)
    web = ROOT / "web"
    shown = [f"{p.relative_to(ROOT)}:{i}" for p in sorted(web.rglob("*.py"))
             for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if ".strftime(" in line]
    assert shown == []


def _redeemed_and_reviewed(w):  # type: ignore[no-untyped-def]
    order = builders.buy(w["customer"], w["deal"], 2)
    used, ready = list(order.vouchers.order_by("code"))
    voucher_redeem(actor=w["clerk"], store_id=w["store"].pk, code=used.code)
    review_create(customer=w["customer"], order_id=order.pk, rating=4, text="Good broth")
    Order.objects.filter(pk=order.pk).update(paid_at=WHEN)
    Voucher.objects.filter(pk=used.pk).update(redeemed_at=WHEN)
    Voucher.objects.filter(pk=ready.pk).update(valid_until=WHEN)
    Review.objects.filter(order=order).update(created_at=WHEN)
    return order, ready


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_pages_show_the_same_time_in_the_language_s_one_style(w, lang):
    order, _ready = _redeemed_and_reviewed(w)
    c = client_for(w["customer"])
    want = EXPECTED[lang]
    html = c.get(f"/orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert html.count(want["datetime"]) >= 2  # paid on ..., used at ... on ...
    assert want["date"] in html  # the ready voucher: valid until ...
    html = Client().get(f"/stores/{w['store'].pk}/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert want["date"] in html  # the review's date
    for other in EXPECTED.values():
        if other is not want:
            assert other["date"] not in html
    assert "p.m." not in html and " PM" not in html and "下午" not in html


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_scripts_write_dates_like_the_server(chromium_browser, live_server, lang):
    w = builders.world()
    order, ready = _redeemed_and_reviewed(w)
    want = EXPECTED[lang]
    ctx = chromium_browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US",
                                       timezone_id="America/New_York")  # the browser's own zone must not matter
    ctx.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
    page = ctx.new_page()
    log_in(page, live_server.url, w["clerk"].email, builders.PASSWORD)
    page.goto(live_server.url + f"/counter/{w['store'].pk}/")
    assert page.evaluate("document.documentElement.lang") == lang
    for kind in ("datetime", "date", "time"):
        assert page.evaluate(f"window.o2oDates.format('{WHEN.isoformat()}', '{kind}')") == want[kind]
    # What the clerk reads: the counter's check of the ready voucher shows its expiry, written by counter.js.
    page.fill("#code-input", ready.code)
    page.click("#code-submit")
    page.wait_for_selector(".result.is-valid")
    assert want["datetime"] in page.inner_text(".result")
    # The list of today's redemptions, written by the server, shows the earlier redemption with its date.
    assert want["datetime"] in page.inner_text("#recent-list")
    ctx.close()
