"""Forgot password: ask on the page (linked from the login page), read the email, follow its link,
choose a new password, sign in with it. Unknown addresses get the same answer; the pages count
against the per-address rate limit; a reset clears the sign-in locks of the account."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from o2o.accounts.models import LoginGate, User
from tests.helpers import PASSWORD

pytestmark = pytest.mark.django_db
NEW = "a-brand-new-pass-42"


@pytest.fixture(autouse=True)
def _locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _link(message) -> str:  # type: ignore[no-untyped-def]
    found = re.findall(r"https?://testserver(/password-reset/[^/\s]+/[^/\s]+/)", message.body)
    assert len(found) == 1, message.body
    return found[0]


def test_forgot_password_from_the_login_page_to_signing_in_with_the_new_one():
    user = User.objects.create_user(email="forgot@demo.o2o", password=PASSWORD, display_name="Forgetful")
    c = Client()
    login_page = c.get("/login/").content.decode()
    href = re.search(r'<a href="([^"]+)">Forgot your password\?</a>', login_page)
    assert href and href.group(1) == "/password-reset/"
    assert "Forgot your password?" in c.get(href.group(1)).content.decode()

    r = c.post("/password-reset/", {"email": "Forgot@demo.o2o"})
    assert r.status_code == 302 and r["Location"] == "/password-reset/sent/"
    assert "Check your email" in c.get(r["Location"]).content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["forgot@demo.o2o"] and "o2o" in message.subject
    assert "Hello Forgetful," in message.body

    r = c.get(_link(message))  # Django swaps the token for a session key and redirects
    assert r.status_code == 302
    form_page = c.get(r["Location"])
    assert "Choose a new password" in form_page.content.decode()
    r = c.post(r["Location"], {"new_password1": "123", "new_password2": "123"})
    assert r.status_code == 200 and "field-error" in r.content.decode()  # too short, said under the field
    r = c.post(c.get(_link(message)).get("Location") or form_page.request["PATH_INFO"],
               {"new_password1": NEW, "new_password2": NEW})
    assert r.status_code == 302 and r["Location"] == "/password-reset/done/"
    assert "Password changed" in c.get(r["Location"]).content.decode()

    fresh = Client()
    assert fresh.post("/login/", {"email": user.email, "password": PASSWORD}).status_code == 200  # old one is gone
    r = fresh.post("/login/", {"email": user.email, "password": NEW})
    assert r.status_code == 302 and fresh.session.get("_auth_user_id") == str(user.pk)
    # the link worked once
    assert "does not work any more" in Client().get(_link(message), follow=True).content.decode()


def test_unknown_address_gets_the_same_answer_and_no_mail():
    User.objects.create_user(email="known@example.com", password=PASSWORD, display_name="K")
    c = Client()
    known = c.post("/password-reset/", {"email": "known@example.com"})
    unknown = c.post("/password-reset/", {"email": "nobody@example.com"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert [m.to for m in mail.outbox] == [["known@example.com"]]


def test_one_address_gets_at_most_three_mails_an_hour_whoever_asks():
    User.objects.create_user(email="bombed@example.com", password=PASSWORD, display_name="B")
    for n in range(5):
        r = Client(REMOTE_ADDR=f"192.0.2.{n}").post("/password-reset/", {"email": "bombed@example.com"})
        assert r.status_code == 302  # the same answer every time
    assert len(mail.outbox) == 3


def test_a_reset_lifts_the_sign_in_lock_of_the_account():
    user = User.objects.create_user(email="locked@example.com", password=PASSWORD, display_name="L")
    c = Client()
    for _ in range(5):
        c.post("/login/", {"email": user.email, "password": "wrong-password-1"})
    assert LoginGate.objects.get(email=user.email, address="127.0.0.1").locked_until is not None
    c.post("/password-reset/", {"email": user.email})
    r = c.get(_link(mail.outbox[0]))
    c.post(r["Location"], {"new_password1": NEW, "new_password2": NEW})
    r = c.post("/login/", {"email": user.email, "password": NEW})
    assert r.status_code == 302


def test_reset_pages_in_simplified_chinese():
    html = Client().get("/password-reset/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "忘记密码？" in html and "发送链接" in html
    html = Client().get("/login/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "忘记密码？" in html
