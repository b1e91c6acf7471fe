"""Pages and API answers carry the security headers; CSRF guards every page POST; the CSP allows no
inline script and the HTML has none; cookies are HttpOnly / SameSite / Secure as configured."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.helpers import PASSWORD
from tests.web import builders

pytestmark = pytest.mark.django_db
ROOT = Path(settings.BASE_DIR)


class _ScriptAudit(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inline_scripts: list[str] = []
        self.handlers: list[str] = []
        self.js_urls: list[str] = []
        self._in_inline = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {k.lower(): (v or "") for k, v in attrs}
        self.handlers += [f"<{tag} {k}=...>" for k in names if k.startswith("on")]
        self.js_urls += [f"<{tag} {k}={v}>" for k, v in names.items()
                         if v.strip().lower().startswith("javascript:")]
        # A JSON data block (Django's json_script) is data, never run: the only kind of <script>
        # without src allowed.
        if tag == "script" and not names.get("src") and names.get("type") != "application/json":
            self._in_inline = True
            self.inline_scripts.append(f"<script {names}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_inline = False


def _csp(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    header = response["Content-Security-Policy"]
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


@pytest.fixture
def w(db):  # noqa: ARG001
    return builders.world()


def _pages(w) -> list[tuple[str, Client]]:  # type: ignore[no-untyped-def]
    anon = Client()
    clerk = Client()
    clerk.force_login(w["clerk"])
    owner = Client()
    owner.force_login(w["owner"])
    return [("/", anon), ("/login/", anon), ("/signup/", anon), (f"/stores/{w['store'].pk}/", anon),
            (f"/deals/{w['deal'].pk}/", anon), ("/counter/", clerk), (f"/counter/{w['store'].pk}/", clerk),
            ("/merchant/", owner), (f"/merchant/{w['merchant'].pk}/", owner)]


def test_pages_have_a_strict_csp_and_no_inline_script(w):
    for path, client in _pages(w):
        r = client.get(path, follow=True)
        assert r.status_code == 200, (path, r.status_code)
        csp = _csp(r)
        assert "'unsafe-inline'" not in csp["script-src"], path
        assert "'unsafe-eval'" not in csp["script-src"], path
        assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"], path
        assert csp["base-uri"] == ["'self'"] and csp["form-action"] == ["'self'"], path
        audit = _ScriptAudit()
        audit.feed(r.content.decode())
        assert audit.inline_scripts == [], (path, audit.inline_scripts)
        assert audit.handlers == [], (path, audit.handlers)
        assert audit.js_urls == [], (path, audit.js_urls)


def test_every_page_and_api_answer_has_the_security_headers(w, api_client):
    answers = [client.get(path) for path, client in _pages(w)]
    assert {r.status_code for r in answers} <= {200, 302}
    answers.append(api_client.get(f"/stores/{w['store'].pk}"))
    answers.append(api_client.get("/me"))  # an error answer too
    for r in answers:
        assert r["X-Content-Type-Options"] == "nosniff"
        assert r["Referrer-Policy"] == "same-origin"
        assert r["X-Frame-Options"] == "DENY"
        assert r["Cross-Origin-Opener-Policy"] == "same-origin"
        policy = dict(item.strip().split("=", 1) for item in r["Permissions-Policy"].split(","))
        assert policy["camera"] == "(self)" and policy["geolocation"] == "(self)"
        assert policy["microphone"] == "()" and policy["payment"] == "()"
        assert "Strict-Transport-Security" not in r  # the http demo; see test_hsts_from_the_environment
        assert "frame-ancestors 'none'" in r["Content-Security-Policy"]


def test_page_post_without_csrf_token_is_403(w):
    client = Client(enforce_csrf_checks=True)
    r = client.post("/login/", {"email": w["customer"].email, "password": PASSWORD})
    assert r.status_code == 403
    assert "_auth_user_id" not in client.session
    owner = Client(enforce_csrf_checks=True)
    owner.force_login(w["owner"])
    r = owner.post(f"/merchant/{w['merchant'].pk}/deals/{w['deal'].pk}/status/", {"status": "paused"})
    assert r.status_code == 403
    w["deal"].refresh_from_db()
    assert w["deal"].status == "live"
    # with the token from the form it goes through
    page = client.get("/login/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content).group(1).decode()
    r = client.post("/login/", {"email": w["customer"].email, "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert r.status_code == 302


def test_api_with_session_cookie_needs_csrf_but_bearer_does_not(w, api_client):
    client = Client(enforce_csrf_checks=True)
    client.force_login(w["customer"])
    r = client.post("/api/v1/auth/token/revoke", "{}", content_type="application/json")
    assert r.status_code in (401, 403)


def test_session_and_csrf_cookie_flags(w):
    client = Client()
    page = client.get("/login/")
    csrf = page.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["samesite"] == "Lax"
    r = client.post("/login/", {"email": w["customer"].email, "password": PASSWORD})
    assert r.status_code == 302
    session = r.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    assert not session["secure"]  # SECURE_COOKIES defaults to false for the http demo


def _settings_in_subprocess(env: dict[str, str], expr: str) -> str:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("SECURE_COOKIES", "SECURE_HSTS_SECONDS", "FAST_PASSWORD_HASHER")}
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); from django.conf import settings; print(({expr},))"],
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env}, cwd=ROOT, capture_output=True, text=True,
        timeout=60, check=True)
    return out.stdout.strip()


def test_secure_cookies_and_hsts_from_the_environment():
    expr = "settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.SECURE_HSTS_SECONDS"
    assert _settings_in_subprocess({}, expr) == "(False, False, 0)"
    assert _settings_in_subprocess({"SECURE_COOKIES": "true", "SECURE_HSTS_SECONDS": "31536000"}, expr) == \
        "(True, True, 31536000)"
    assert _settings_in_subprocess({"SECURE_COOKIES": "true"}, "settings.SESSION_COOKIE_NAME") == "('__Host-sessionid',)"
    assert _settings_in_subprocess({}, "settings.SESSION_COOKIE_HTTPONLY, settings.SESSION_COOKIE_SAMESITE") == \
        "(True, 'Lax')"


def test_hsts_header_when_configured(w, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    r = Client().get("/", secure=True)
    assert r["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_default_password_hasher_is_argon2():
    """FAST_PASSWORD_HASHER is a test-only switch: without it, passwords are hashed with Argon2."""
    out = _settings_in_subprocess({}, "__import__('django.contrib.auth.hashers', fromlist=['x'])"
                                      ".make_password('correct-horse-battery-9')")
    assert out.startswith("('argon2$argon2id$"), out
    assert "correct-horse-battery-9" not in out


def test_secure_cookies_when_enabled(w, settings):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SESSION_COOKIE_NAME = "__Host-sessionid"
    client = Client()
    page = client.get("/login/", secure=True)
    assert page.cookies[settings.CSRF_COOKIE_NAME]["secure"] is True
    r = client.post("/login/", {"email": w["customer"].email, "password": PASSWORD}, secure=True)
    assert r.status_code == 302
    session = r.cookies["__Host-sessionid"]
    assert session["secure"] is True and session["httponly"] is True and session["path"] == "/"
    assert not session["domain"]
    assert client.get("/orders/", secure=True).status_code == 200  # the session works under its new name
