"""The counter page carries what it needs offline, and its service worker is served under /counter/."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from o2o.vouchers.signing import public_keys
from tests.web import builders

pytestmark = pytest.mark.django_db


def _script(html: str, element_id: str) -> dict:  # type: ignore[type-arg]
    m = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert m, element_id
    return json.loads(m.group(1))


def test_counter_page_carries_keys_store_merchant_and_offerings_for_offline_use():
    w = builders.world()
    draft = builders.deal(w["merchant"], w["owner"], [w["store"]], title="Old deal", status="draft")
    c = Client()
    c.force_login(w["clerk"])
    html = c.get(f"/counter/{w['store'].pk}/").content.decode()
    data = _script(html, "counter-offline")
    assert data["store_id"] == str(w["store"].pk) and data["merchant_id"] == str(w["merchant"].pk)
    assert data["offerings"] == {str(w["deal"].pk): "Hotpot for two", str(draft.pk): "Old deal"}
    assert str(w["other_deal"].pk) not in data["offerings"]
    assert [k["kid"] for k in data["keys"]] == [k["kid"] for k in public_keys()]
    assert all(len(k["public_key"]) == 43 for k in data["keys"])  # base64url of 32 raw bytes
    assert "private" not in json.dumps(data) and "seed" not in json.dumps(data)
    assert 'src="/static/js/counter-offline.js"' in html and 'id="netbar"' in html
    assert "<script>" not in html  # nothing inline: the CSP allows no inline script


def test_service_worker_is_served_under_counter_with_the_shell_assets():
    r = Client().get("/counter/sw.js")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("text/javascript") and r["Service-Worker-Allowed"] == "/counter/"
    body = r.content.decode()
    assets = json.loads(re.search(r"self\.O2O_SW_ASSETS = (\[.*?\]);", body).group(1))
    assert "/static/vendor/zxing/zxing_reader.wasm" in assets and "/static/js/counter-offline.js" in assets
    assert re.search(r'self\.O2O_SW_VERSION = "[0-9a-f]{16}";', body)
    assert Client().post("/counter/sw.js").status_code == 405


def test_counter_offline_texts_in_simplified_chinese():
    w = builders.world()
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    c.force_login(w["clerk"])
    c.cookies["django_language"] = "zh-hans"
    html = c.get(f"/counter/{w['store'].pk}/").content.decode()
    texts = _script(html, "counter-offline-i18n")
    assert texts["offline"] == "离线" and texts["code_needs_network"] == "手输券码需要联网"
    assert "待同步" in html
