"""Sign-in lockout per (email, client address): 5 failures of one email from one address within
15 minutes lock that email for that address for 15 minutes, on the API token endpoint, the login page
and the operator admin alike, across processes (the gates live in the database). Someone guessing at
one address cannot lock the owner out at another; many failures from many addresses slow the account
down for addresses that never signed in to it, and lock nobody out."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from o2o.accounts.models import LoginFailure, LoginGate
from o2o.audit.models import AuditEntry
from tests.helpers import PASSWORD, ApiClient, assert_error, quick_user

pytestmark = pytest.mark.django_db

ATTACKER, OWNER = "203.0.113.66", "198.51.100.7"


def _token(api: ApiClient, email: str, password: str, addr: str | None = None):  # type: ignore[no-untyped-def]
    cache.clear()  # the per-address rate limit (test_throttle.py) is not what these tests count
    extra = {"REMOTE_ADDR": addr} if addr else {}
    return api.client.post("/api/v1/auth/token", {"email": email, "password": password},
                           content_type="application/json", **extra)


def _fail(api: ApiClient, email: str, n: int, addr: str | None = None) -> None:
    for _ in range(n):
        assert_error(_token(api, email, "wrong-password-1", addr), 401, "invalid_credentials")


def _age(email: str, by: timedelta) -> None:
    """As if `by` had passed since every failure, lock and slow-down of `email`."""
    for f in LoginFailure.objects.filter(email=email):
        LoginFailure.objects.filter(pk=f.pk).update(at=f.at - by)
    for g in LoginGate.objects.filter(email=email):
        LoginGate.objects.filter(pk=g.pk).update(
            window_start=g.window_start - by, locked_until=g.locked_until and g.locked_until - by,
            next_check_at=g.next_check_at and g.next_check_at - by)


def test_five_failures_lock_the_email_for_that_address_even_for_the_right_password(api_client):
    user = quick_user("victim")
    _fail(api_client, user["email"], 5)
    r = _token(api_client, user["email"], PASSWORD)
    err = assert_error(r, 429, "account_locked")
    assert "15 minutes" in err["message"] and "UTC" in err["message"]
    assert 14 * 60 <= int(r["Retry-After"]) <= 15 * 60
    retry_at = datetime.fromisoformat(err["fields"]["retry_at"])
    assert timedelta(minutes=14) < retry_at - timezone.now() <= timedelta(minutes=15)
    # refused attempts do not count as failures (the lock is not extended by hammering it)
    assert LoginFailure.objects.filter(email=user["email"]).count() == 5
    assert_error(_token(api_client, user["email"], "wrong-password-1"), 429, "account_locked")
    assert LoginFailure.objects.filter(email=user["email"]).count() == 5
    # another account is not affected
    other = quick_user("other")
    assert _token(api_client, other["email"], PASSWORD).status_code == 200


def test_an_attacker_at_one_address_cannot_lock_the_owner_out_at_another(api_client):
    user = quick_user("owner")
    _fail(api_client, user["email"], 5, ATTACKER)
    assert_error(_token(api_client, user["email"], PASSWORD, ATTACKER), 429, "account_locked")
    r = _token(api_client, user["email"], PASSWORD, OWNER)
    assert r.status_code == 200, r.content
    # and the owner's own failures at their address count apart from the attacker's
    _fail(api_client, user["email"], 4, OWNER)
    assert _token(api_client, user["email"], PASSWORD, OWNER).status_code == 200
    assert_error(_token(api_client, user["email"], PASSWORD, ATTACKER), 429, "account_locked")


def test_four_failures_do_not_lock_and_the_lock_ends_after_15_minutes(api_client):
    user = quick_user("victim")
    _fail(api_client, user["email"], 4)
    assert _token(api_client, user["email"], PASSWORD).status_code == 200
    # a success from the address clears its failures: one more does not lock
    _fail(api_client, user["email"], 1)
    assert _token(api_client, user["email"], PASSWORD).status_code == 200
    _fail(api_client, user["email"], 5)
    assert_error(_token(api_client, user["email"], PASSWORD), 429, "account_locked")
    _age(user["email"], timedelta(minutes=14))
    assert_error(_token(api_client, user["email"], PASSWORD), 429, "account_locked")
    _age(user["email"], timedelta(minutes=1, seconds=1))
    r = _token(api_client, user["email"], PASSWORD)
    assert r.status_code == 200, r.content
    # one more failure right after the lock does not lock again: the old ones are outside the window
    _fail(api_client, user["email"], 1)
    assert _token(api_client, user["email"], PASSWORD).status_code == 200


def test_failures_spread_over_more_than_15_minutes_do_not_lock(api_client):
    user = quick_user("slow")
    _fail(api_client, user["email"], 3)
    _age(user["email"], timedelta(minutes=16))
    _fail(api_client, user["email"], 2)
    assert _token(api_client, user["email"], PASSWORD).status_code == 200


def test_unknown_emails_lock_alike_and_case_does_not_dodge_the_lock(api_client):
    _fail(api_client, "nobody@example.com", 5)
    assert_error(_token(api_client, "nobody@example.com", "x"), 429, "account_locked")
    user = quick_user("cased")
    _fail(api_client, user["email"].upper(), 3)
    _fail(api_client, "  " + user["email"] + " ", 2)
    assert_error(_token(api_client, user["email"], PASSWORD), 429, "account_locked")


def test_lock_is_in_the_database_so_every_process_sees_it(api_client):
    """A second server process shares nothing with this one but the database: the cache is cleared
    before every call here, and a fresh client stands for the other process."""
    user = quick_user("multi")
    _fail(api_client, user["email"], 5)
    cache.clear()
    assert_error(ApiClient().post("/auth/token", {"email": user["email"], "password": PASSWORD}), 429,
                 "account_locked")
    assert set(LoginFailure.objects.filter(email=user["email"]).values_list("ip", flat=True)) == {"127.0.0.1"}
    assert LoginGate.objects.get(email=user["email"], address="127.0.0.1").locked_until > timezone.now()


def test_login_page_uses_the_same_lockout(api_client):
    user = quick_user("pageuser")
    _fail(api_client, user["email"], 5)
    page = Client()
    r = page.post("/login/", {"email": user["email"], "password": PASSWORD})
    assert r.status_code == 200  # the form again, not the redirect of a signed-in user
    assert "_auth_user_id" not in page.session
    assert "Too many failed sign-ins" in r.content.decode()
    # and failures on the page count towards the lock of the API
    other = quick_user("pageuser2")
    for _ in range(5):
        cache.clear()
        page.post("/login/", {"email": other["email"], "password": "wrong-password-1"})
    assert LoginFailure.objects.filter(email=other["email"]).count() == 5
    assert_error(_token(api_client, other["email"], PASSWORD), 429, "account_locked")
    # the page at another address still signs the owner in
    cache.clear()
    r = Client(REMOTE_ADDR=OWNER).post("/login/", {"email": other["email"], "password": PASSWORD})
    assert r.status_code == 302


def test_successful_logins_and_lockouts_are_audited(api_client):
    user = quick_user("audited")
    assert _token(api_client, user["email"], PASSWORD).status_code == 200
    ok = AuditEntry.objects.get(action="login.success", actor_id=user["id"])
    assert ok.ip == "127.0.0.1" and ok.actor_email == user["email"]
    _fail(api_client, user["email"], 5)
    locked = AuditEntry.objects.filter(action="login.locked", actor_email=user["email"])
    assert locked.count() == 1
    assert locked.get().data["email"] == user["email"] and locked.get().data["ip"] == "127.0.0.1"
    # the page login is audited too
    Client().post("/login/", {"email": quick_user("page")["email"], "password": PASSWORD})
    assert AuditEntry.objects.filter(action="login.success").count() == 2


def test_per_address_throttle_still_applies(api_client):
    for i in range(20):
        r = api_client.post("/auth/token", {"email": f"x{i}@example.com", "password": "wrong-password-1"})
        assert r.status_code == 401
    r = api_client.post("/auth/token", {"email": "x@example.com", "password": "wrong-password-1"})
    assert_error(r, 429, "rate_limited")


def test_many_addresses_slow_the_account_down_but_lock_nobody_out(api_client):
    """20 failures from 4 addresses: a fifth, new address gets one check per 10 seconds for that email;
    the owner's usual address (it signed in before) is not slowed; nothing is a hard lock."""
    user = quick_user("spread")
    assert _token(api_client, user["email"], PASSWORD, OWNER).status_code == 200  # the owner's address
    for n in range(4):
        _fail(api_client, user["email"], 5, f"192.0.2.{n + 1}")
    newcomer = "192.0.2.99"
    _fail(api_client, user["email"], 1, newcomer)  # takes the account's slot
    r = _token(api_client, user["email"], PASSWORD, newcomer)
    err = assert_error(r, 429, "login_slowed_down")
    assert 1 <= int(r["Retry-After"]) <= 10 and err["fields"]["retry_after_seconds"] == int(r["Retry-After"])
    # the refused try was no password check: it neither counts nor locks the newcomer's address
    assert LoginFailure.objects.filter(email=user["email"]).count() == 21
    assert LoginGate.objects.get(email=user["email"], address=newcomer).failures == 1
    assert _token(api_client, user["email"], PASSWORD, OWNER).status_code == 200
    _age(user["email"], timedelta(seconds=10))
    assert _token(api_client, user["email"], PASSWORD, newcomer).status_code == 200
    # once the failures leave the window, nobody is slowed
    _age(user["email"], timedelta(minutes=16))
    _fail(api_client, user["email"], 1, "192.0.2.100")
    _fail(api_client, user["email"], 1, "192.0.2.100")


def test_prune_command_drops_only_old_failures(api_client):
    user = quick_user("prune")
    _fail(api_client, user["email"], 5)
    LoginFailure.objects.create(email="old@example.com", at=timezone.now() - timedelta(days=40))
    call_command("prune_login_failures", "--days", "30")
    assert not LoginFailure.objects.filter(email="old@example.com").exists()
    assert LoginFailure.objects.filter(email=user["email"]).count() == 5
    # even --days 0 keeps what still counts for a lockout
    call_command("prune_login_failures", "--days", "0")
    assert_error(_token(api_client, user["email"], PASSWORD), 429, "account_locked")
    # idle gates go too, but not one that remembers a recent success (the owner's usual address)
    LoginGate.objects.create(email="idle@example.com", address="192.0.2.1", window_start=timezone.now() - timedelta(days=40))
    LoginGate.objects.create(email="idle@example.com", address="192.0.2.2", window_start=timezone.now() - timedelta(days=40),
                             succeeded_at=timezone.now() - timedelta(days=40))
    call_command("prune_login_failures", "--days", "30")
    assert list(LoginGate.objects.filter(email="idle@example.com").values_list("address", flat=True)) == ["192.0.2.2"]


def test_lockout_message_in_simplified_chinese(api_client):
    user = quick_user("zh")
    _fail(api_client, user["email"], 5)
    cache.clear()
    r = api_client.call("POST", "/auth/token", {"email": user["email"], "password": PASSWORD},
                        headers={"Accept-Language": "zh-hans"})
    err = assert_error(r, 429, "account_locked")
    assert "登录失败次数过多" in err["message"] and "15 分钟" in err["message"]


def test_operator_admin_login_has_the_same_lockout():
    from o2o.accounts.models import User

    User.objects.create_superuser(email="op@example.com", password=PASSWORD, display_name="Op")
    admin = Client()
    for _ in range(5):
        r = admin.post("/admin/login/", {"username": "op@example.com", "password": "wrong-password-1"})
        assert r.status_code == 200
    assert LoginFailure.objects.filter(email="op@example.com").count() == 5
    r = admin.post("/admin/login/?next=/admin/", {"username": "op@example.com", "password": PASSWORD})
    assert r.status_code == 200 and "_auth_user_id" not in admin.session  # refused while locked
    assert AuditEntry.objects.filter(action="login.locked", actor_email="op@example.com").count() == 1
    # the operator at another address is not locked out
    r = Client(REMOTE_ADDR=OWNER).post("/admin/login/?next=/admin/",
                                       {"username": "op@example.com", "password": PASSWORD})
    assert r.status_code == 302
    _age("op@example.com", timedelta(minutes=16))
    r = admin.post("/admin/login/?next=/admin/", {"username": "op@example.com", "password": PASSWORD})
    assert r.status_code == 302 and admin.session.get("_auth_user_id")
    assert AuditEntry.objects.filter(action="login.success", actor_email="op@example.com").count() == 2


def test_a_fresh_ipv6_address_in_the_same_64_does_not_dodge_the_lock(api_client):
    user = quick_user("six")
    for i in range(5):
        assert_error(_token(api_client, user["email"], "wrong-password-1", f"2001:db8:5:5::{i + 1}"), 401,
                     "invalid_credentials")
    assert_error(_token(api_client, user["email"], PASSWORD, "2001:db8:5:5:ffff::77"), 429, "account_locked")
    assert _token(api_client, user["email"], PASSWORD, "2001:db8:5:6::1").status_code == 200
