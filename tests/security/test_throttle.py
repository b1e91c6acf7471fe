"""The per-address rate limit of sign-in, sign-up and password reset (O2O_AUTH_RATE, 20/m): counted in
the shared cache by the address the deployment says is real (O2O_TRUSTED_PROXIES), for the API and the
pages alike. A client-sent X-Forwarded-For never buys a fresh counter."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from o2o.core import ratelimit
from tests.helpers import PASSWORD, assert_error, quick_user

pytestmark = pytest.mark.django_db


def _o2o(**over):  # type: ignore[no-untyped-def]
    from django.conf import settings

    return override_settings(O2O={**settings.O2O, **over})


@pytest.fixture(autouse=True)
def _hourly():
    """20 an hour instead of the default 20 a minute, so that a slow, busy machine never outlasts the
    window in the middle of a test (the mechanism and the count are the same)."""
    with _o2o(AUTH_RATE="20/h"):
        yield


def test_rates_parse():
    assert ratelimit.parse_rate("20/m") == (20, 60)
    assert ratelimit.parse_rate("5/10m") == (5, 600) and ratelimit.parse_rate("100/d") == (100, 86400)


def _token(client: Client, email: str, password: str, xff: str | None = None, addr: str = "127.0.0.1"):  # type: ignore[no-untyped-def]
    extra = {"REMOTE_ADDR": addr}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return client.post("/api/v1/auth/token", {"email": email, "password": password},
                       content_type="application/json", **extra)


def test_the_cache_is_shared_between_processes_not_per_process():
    from django.conf import settings

    backend = settings.CACHES["default"]["BACKEND"]
    assert "locmem" not in backend.lower()
    assert backend in ("o2o.core.ratelimit.AtomicDatabaseCache", "django.core.cache.backends.redis.RedisCache")


def test_45_wrong_passwords_with_a_new_forwarded_for_each_are_throttled():
    """The attack of issue 8: each request claimed another client in X-Forwarded-For (and another
    email, so that the lockout of test_lockout.py is not what stops it)."""
    client = Client()
    statuses = []
    for i in range(45):
        r = _token(client, f"victim{i}@example.com", "wrong-password-1", xff=f"10.9.{i}.{i}")
        statuses.append(r.status_code)
    assert statuses[:20] == [401] * 20
    assert set(statuses[20:]) == {429}
    err = assert_error(_token(client, "victim0@example.com", "x", xff="10.10.10.10"), 429, "rate_limited")
    assert err["fields"]["retry_after_seconds"] >= 1
    r = _token(client, "victim0@example.com", "x", xff="10.10.10.11")
    assert 3000 <= int(r["Retry-After"]) <= 3600


def test_the_limit_is_per_real_address():
    client = Client()
    for i in range(21):
        _token(client, f"a{i}@example.com", "wrong-password-1", addr="192.0.2.1")
    assert_error(_token(client, "a@example.com", "x", addr="192.0.2.1"), 429, "rate_limited")
    # another client is not held back by the first one's requests
    user = quick_user("other")
    assert _token(client, user["email"], PASSWORD, addr="192.0.2.2").status_code == 200


def test_with_one_trusted_proxy_the_rightmost_forwarded_address_counts():
    client = Client()
    with _o2o(TRUSTED_PROXIES=1):
        # the proxy (REMOTE_ADDR 10.0.0.1) appends the client it saw; whatever the client wrote before it is ignored
        for i in range(20):
            r = _token(client, f"b{i}@example.com", "wrong-password-1", xff=f"1.2.3.{i}, 198.51.100.5",
                       addr="10.0.0.1")
            assert r.status_code == 401
        assert_error(_token(client, "b@example.com", "x", xff="9.9.9.9, 198.51.100.5", addr="10.0.0.1"),
                     429, "rate_limited")
        # another client behind the same proxy has its own count
        assert _token(client, "b@example.com", "x", xff="1.2.3.4, 198.51.100.6", addr="10.0.0.1").status_code == 401


def test_client_address_reads_the_proxies_the_deployment_declares():
    class Req:
        def __init__(self, remote: str, xff: str | None = None) -> None:
            self.META = {"REMOTE_ADDR": remote}
            if xff is not None:
                self.META["HTTP_X_FORWARDED_FOR"] = xff

    with _o2o(TRUSTED_PROXIES=0):
        assert ratelimit.client_address(Req("10.0.0.1", "6.6.6.6")) == "10.0.0.1"
    with _o2o(TRUSTED_PROXIES=1):
        assert ratelimit.client_address(Req("10.0.0.1", "6.6.6.6, 198.51.100.5")) == "198.51.100.5"
        assert ratelimit.client_address(Req("10.0.0.1")) == "10.0.0.1"  # not through the proxy
        assert ratelimit.client_address(Req("10.0.0.1", "not-an-address")) == "10.0.0.1"
    with _o2o(TRUSTED_PROXIES=2):
        assert ratelimit.client_address(Req("10.0.0.1", "6.6.6.6, 198.51.100.5, 10.0.0.9")) == "198.51.100.5"
        assert ratelimit.client_address(Req("10.0.0.1", "198.51.100.5")) == "10.0.0.1"


def test_the_login_page_is_throttled_too_and_shares_the_count_with_the_api():
    page = Client()
    for i in range(10):
        r = page.post("/login/", {"email": f"c{i}@example.com", "password": "wrong-password-1"},
                      HTTP_X_FORWARDED_FOR=f"10.1.1.{i}")
        assert r.status_code == 200
    for i in range(10):
        assert _token(Client(), f"d{i}@example.com", "wrong-password-1", xff="10.2.2.2").status_code == 401
    r = page.post("/login/", {"email": "c@example.com", "password": "wrong-password-1"}, HTTP_X_FORWARDED_FOR="10.3.3.3")
    assert r.status_code == 429 and int(r["Retry-After"]) >= 1
    assert "Too many attempts from your address" in r.content.decode()
    # even the right password waits: the page signs nobody in while throttled
    user = quick_user("paged")
    r = page.post("/login/", {"email": user["email"], "password": PASSWORD})
    assert r.status_code == 429 and "_auth_user_id" not in page.session
    # reading the page is not counted
    assert page.get("/login/").status_code == 200


def test_signup_page_and_password_reset_page_are_throttled():
    page = Client()
    for i in range(20):
        r = page.post("/signup/", {"email": f"s{i}@example.com", "display_name": "S", "password": "x"})
        assert r.status_code == 200
    assert page.post("/signup/", {"email": "s@example.com", "display_name": "S", "password": "x"}).status_code == 429
    assert page.post("/password-reset/", {"email": "s@example.com"}).status_code == 429
    cache.clear()
    assert page.post("/password-reset/", {"email": "s@example.com"}).status_code == 302


def test_api_register_is_throttled():
    client = Client()
    for i in range(20):
        r = client.post("/api/v1/auth/register", {"email": f"r{i}@example.com", "password": "x", "display_name": "R"},
                        content_type="application/json", HTTP_X_FORWARDED_FOR=f"10.4.4.{i}")
        assert r.status_code == 422
    r = client.post("/api/v1/auth/register", {"email": "r@example.com", "password": PASSWORD, "display_name": "R"},
                    content_type="application/json")
    assert_error(r, 429, "rate_limited")
    from o2o.accounts.models import User

    assert not User.objects.filter(email="r@example.com").exists()


def test_the_operator_admin_login_is_throttled_too():
    admin = Client()
    for i in range(20):
        r = admin.post("/admin/login/", {"username": f"op{i}@example.com", "password": "wrong-password-1"},
                       HTTP_X_FORWARDED_FOR=f"10.5.5.{i}")
        assert r.status_code == 200
    r = admin.post("/admin/login/", {"username": "op@example.com", "password": "wrong-password-1"})
    assert r.status_code == 429 and int(r["Retry-After"]) >= 1


def test_an_ipv6_client_counts_as_its_64_network():
    assert ratelimit.address_key("2001:db8:1:2:aaaa::1") == ratelimit.address_key("2001:db8:1:2:bbbb::9") == \
        "2001:db8:1:2::/64"
    assert ratelimit.address_key("2001:db8:1:3::1") != ratelimit.address_key("2001:db8:1:2::1")
    assert ratelimit.address_key("::ffff:192.0.2.1") == "192.0.2.1" and ratelimit.address_key("192.0.2.1") == "192.0.2.1"
    client = Client()
    for i in range(20):
        assert _token(client, f"v6{i}@example.com", "wrong-password-1", addr=f"2001:db8:7:7::{i + 1:x}").status_code == 401
    assert_error(_token(client, "v6@example.com", "x", addr="2001:db8:7:7:ffff::1"), 429, "rate_limited")
