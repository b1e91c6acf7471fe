"""/api/v1/docs renders in Chromium under the site's CSP, from the site's own files.

django-ninja renders Swagger UI from a CDN unless `ninja` is in INSTALLED_APPS; the CSP (script-src
'self') blocked the CDN, so the page stayed blank. Now its bundled copy is served from /static/ninja/.
"""

import os
from urllib.parse import urlsplit

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_api_docs_render_the_operations_with_local_assets_only(chromium_browser, live_server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    ctx = chromium_browser.new_context(viewport={"width": 1366, "height": 900})
    page = ctx.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    hosts: set[str] = set()
    page.on("request", lambda r: hosts.add(urlsplit(r.url).netloc) if r.url.startswith("http") else None)

    response = page.goto(live_server.url + "/api/v1/docs", wait_until="networkidle")
    assert response is not None and response.status == 200
    csp = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src", 1)[1].split(";")[0]

    page.wait_for_selector(".opblock", timeout=20000)
    page.screenshot(path=str(tmp_path / "api-docs.png"), full_page=False)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/stores/nearby" in paths
    assert len(paths) >= 20
    assert page.locator(".info .title").first.inner_text().startswith("o2o API")
    # open one operation: its parameters come from the schema
    page.locator(".opblock-summary-path", has_text="/api/v1/stores/nearby").first.click()
    page.wait_for_selector(".opblock.is-open .parameters")
    assert "lat" in page.locator(".opblock.is-open .parameters").inner_text()

    assert hosts == {urlsplit(live_server.url).netloc}, hosts  # nothing from a CDN or any other host
    assert [c for c in console if "Content Security Policy" in c or "Refused" in c] == []
    assert [c for c in console if c.startswith(("error", "pageerror"))] == []
    html = page.content()
    assert "cdn.jsdelivr" not in html and "/static/ninja/swagger-ui-bundle" in html
    ctx.close()
