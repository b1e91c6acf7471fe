"""Server text reaches the DOM as text, never as markup: a store named like HTML stays a name.

The browser test opens / and /stores/<id>/ with a store named `<b id="inj">x</b>` and checks that no
such element exists once the map has drawn, and that the tooltip shows the literal name. The static
test holds every script in o2o/web/static/js to the same rule: no innerHTML / outerHTML /
insertAdjacentHTML / document.write, and Leaflet's string-as-HTML entry points (bindTooltip,
bindPopup, setContent, divIcon's html) only ever get an element made by textEl().
"""

import os
import re
from pathlib import Path

import pytest

from tests.web import builders

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
JS = Path(__file__).resolve().parents[2] / "o2o" / "web" / "static" / "js"
NAME = '<b id="inj">x</b>'


def _scripts() -> list[Path]:
    files = sorted(JS.glob("*.js"))
    assert files, JS
    return files


def test_no_script_parses_text_as_html():
    bad = re.compile(r"\.innerHTML\s*[+]?=|\.outerHTML\s*[+]?=|insertAdjacentHTML|document\.write|"
                     r"createContextualFragment|DOMParser")
    found = [f"{p.name}:{i}: {line.strip()}" for p in _scripts()
             for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if bad.search(line)]
    assert found == []


def test_leaflet_gets_elements_not_strings():
    call = re.compile(r"\.(bindTooltip|bindPopup|setTooltipContent|setPopupContent|setContent)\(\s*([^,)]*)")
    html = re.compile(r"\bhtml\s*:\s*([^,}]*)")
    found = []
    for p in _scripts():
        text = p.read_text(encoding="utf-8")
        for m in call.finditer(text):
            if not m.group(2).startswith("textEl("):
                found.append(f"{p.name}: {m.group(0)}")
        for m in html.finditer(text):
            if not m.group(1).startswith("textEl("):
                found.append(f"{p.name}: {m.group(0)}")
    assert found == []


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_store_named_like_html_stays_text_on_home_and_store_page(chromium_browser, live_server):
    owner = builders.user("Owner")
    _merchant, store = builders.merchant_with_store(owner, name="Evil", store_name=NAME)
    ctx = chromium_browser.new_context(viewport={"width": 1366, "height": 900})
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    for url in ("/", f"/stores/{store.pk}/"):
        page.goto(live_server.url + url)
        page.wait_for_selector(".leaflet-interactive")  # the markers are drawn
        page.wait_for_selector(".district-label")  # and the basemap's labels
        assert page.locator("#inj").count() == 0, url
        marker = page.locator("path.leaflet-interactive").last
        marker.hover()
        tip = page.locator(".leaflet-tooltip").last
        tip.wait_for()
        assert tip.inner_text() == NAME, url
        assert page.locator("#inj").count() == 0, url
        assert NAME in page.inner_text("main")  # the page itself shows the literal name too
    assert errors == []
    ctx.close()
