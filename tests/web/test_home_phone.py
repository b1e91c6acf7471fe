"""Home on a phone: one search box, the first results on the first screen, the map on demand with a
legend, a thumbnail per result. Screenshots go to tests/e2e/artifacts/home-<w>x<h>.png."""

import os
from pathlib import Path

import pytest

from tests.web import builders

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[1] / "e2e" / "artifacts"


def _city():  # type: ignore[no-untyped-def]
    owner = builders.user("Owner")
    names = ["Hotpot House 老码头火锅", "Noodle Bar 面馆", "Tea House 茶馆", "Salon 美发"]
    for i, name in enumerate(names):
        merchant, store = builders.merchant_with_store(owner, name=name, lat=builders.CENTRE[0] + 0.001 * i,
                                                       lng=builders.CENTRE[1] + 0.001 * i)
        builders.deal(merchant, owner, [store], title=f"Deal {i}", photos=1)
    return owner


def _open(browser, live_server, width, height):  # type: ignore[no-untyped-def]
    ctx = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=2,
                              is_mobile=width < 600, has_touch=width < 600)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(live_server.url + "/")
    page.wait_for_load_state("networkidle")
    return ctx, page, errors


def _thumbs_loaded(page) -> list[int]:  # type: ignore[no-untyped-def]
    for _ in range(100):
        if page.evaluate("[...document.querySelectorAll('#results img.thumb')].every(i => i.complete)"):
            break
        page.wait_for_timeout(100)
    return page.evaluate("[...document.querySelectorAll('#results img.thumb')].map(i => i.naturalWidth)")


@pytest.mark.parametrize("size", [(390, 844), (360, 640)])
def test_phone_first_screen_shows_results_and_one_search_box(chromium_browser, live_server, size):
    _city()
    width, height = size
    ctx, page, errors = _open(chromium_browser, live_server, width, height)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"home-{width}x{height}.png"))
    assert page.locator('input[type="search"]').count() == 1
    assert page.locator("input:visible").evaluate_all("els => els.filter(e => e.type === 'search' || "
                                                      "e.type === 'text').length") == 1
    first = page.locator("#results .store-card").first.bounding_box()
    assert first is not None and 0 <= first["y"] < height - 80, first  # the first card's top (and a bit of it) shows
    if width == 390:
        assert first["y"] + first["height"] <= height or first["y"] < height / 2  # most of it in view
    for tool in ("[data-geo]", "[data-centre]", "[data-filters-toggle]", "[data-map-toggle]"):
        box = page.locator(tool).bounding_box()  # every tool fits on the screen, none scrolled off
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, (tool, box)
    # filters are folded behind a button; the map waits behind "Map"
    assert not page.locator("#filters").is_visible()
    assert not page.locator("#map").is_visible()
    page.click("[data-filters-toggle]")
    assert page.locator('#filters select[name="category"]').is_visible()
    page.click("[data-map-toggle]")
    page.wait_for_selector("#map .leaflet-interactive")
    box = page.locator("#map").bounding_box()
    assert box and box["width"] > 200 and box["height"] > 150
    assert page.locator(".map-legend li").count() >= 3 and page.locator(".map-legend").is_visible()
    # a marker drawn after the map appeared sits inside the map (fitted once it has a size)
    marker = page.locator("#map path.leaflet-interactive").last.bounding_box()
    assert marker and box["x"] <= marker["x"] <= box["x"] + box["width"]
    thumbs = _thumbs_loaded(page)
    assert len(thumbs) == 4 and all(w > 0 for w in thumbs)
    page.screenshot(path=str(ARTIFACTS / f"home-{width}x{height}-map.png"))
    assert errors == []
    ctx.close()


def test_desktop_shows_filters_map_and_legend_beside_the_list(chromium_browser, live_server):
    _city()
    ctx, page, errors = _open(chromium_browser, live_server, 1366, 900)
    page.wait_for_selector("#map .leaflet-interactive")
    page.screenshot(path=str(ARTIFACTS / "home-1366x900.png"))
    assert page.locator('input[type="search"]').count() == 1
    assert page.locator('#filters select[name="category"]').is_visible()
    assert page.locator(".map-legend").is_visible()
    assert not page.locator("[data-map-toggle]").is_visible()
    results = page.locator("#results").bounding_box()
    mapbox = page.locator("#map").bounding_box()
    assert results and mapbox and mapbox["x"] > results["x"] + results["width"] - 1  # side by side
    assert page.locator("#results .store-card").first.bounding_box()["y"] < 400
    assert all(w > 0 for w in _thumbs_loaded(page))
    assert errors == []
    ctx.close()


def test_one_search_box_finds_a_district_or_a_name(chromium_browser, live_server):
    _city()
    ctx, page, errors = _open(chromium_browser, live_server, 390, 844)
    page.fill("#q", "Tea House")
    page.click(".search-row .btn")
    page.locator("#results .store-card").nth(1).wait_for(state="detached")
    assert page.locator("#results .store-card").count() == 1 and "Tea House" in page.inner_text("#results")
    page.fill("#q", "锦江")
    page.click(".search-row .btn")
    page.locator("#loc-state strong", has_text="Jinjiang").wait_for()
    assert page.locator("#q").input_value() == "锦江"
    assert errors == []
    ctx.close()
